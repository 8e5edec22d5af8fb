"""Generate text with a fine-tuned (or any local) Hugging Face causal LM.

    python inference/inference_cli.py --model output/ll3-8b-ft --prompt "Hello, world!" --max_length 200
    python inference/inference_cli.py --model output/demo --prompt-file prompts.jsonl --batch-size 8 --no-stream
    python inference/inference_cli.py --model output/demo --chat --system "Be brief."      # interactive

One prompt streams its completion to stdout as it is generated; a prompt file writes one JSON line per
prompt (prompt, completion, token counts, seconds). Tokens/s goes to stderr at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    PreTrainedTokenizerBase,
    StoppingCriteria,
    StoppingCriteriaList,
    TextIteratorStreamer,
)

from lion1b.contract import ArgumentParser, die, record_line

DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}


def build_parser() -> argparse.ArgumentParser:
    """lion1b's one flag style: dashes, with each underscore spelling (the original README's ``--max_length``)
    accepted as a hidden alias."""
    parser = ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, help="local Hugging Face model directory (training output or base)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--prompt", help="one prompt; without it (and on a terminal) an interactive loop starts")
    source.add_argument("--prompt-file", help='one prompt per line, or JSON Lines with a "prompt" field')
    parser.add_argument("--output", help="JSON Lines results for --prompt-file (default: stdout)")
    parser.add_argument("--max-new-tokens", type=int, help="tokens to generate")
    parser.add_argument("--max-length", type=int,
                        help="total length, prompt included (the original README's flag); must exceed the prompt's "
                             "length")
    parser.add_argument("--temperature", type=float, default=0.7, help="0 means greedy decoding")
    parser.add_argument("--top-p", type=float, default=0.9)
    parser.add_argument("--top-k", type=int, default=50)
    parser.add_argument("--repetition-penalty", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0, help="same seed, same text")
    parser.add_argument("--stop", action="append", default=[], help="stop string (repeatable); not included")
    parser.add_argument("--chat", action="store_true", help="wrap prompts in the tokenizer's chat template")
    parser.add_argument("--system", help="system message for --chat")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--dtype", choices=["auto", *DTYPES], default="auto",
                        help="auto: bf16 (or fp16) on a GPU, fp32 on the CPU")
    parser.add_argument("--batch-size", type=int, default=8, help="prompts generated together (left padding)")
    parser.add_argument("--no-stream", action="store_true", help="print the completion only when it is done")
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    args = build_parser().parse_args(argv)
    if args.max_new_tokens is None and args.max_length is None:
        args.max_new_tokens = 128
    for name in ("max_new_tokens", "max_length", "batch_size"):
        value = getattr(args, name)
        if value is not None and value < 1:
            die(f"--{name.replace('_', '-')} must be at least 1 (got {value})")
    if args.temperature < 0:
        die("--temperature must be >= 0")
    if args.system and not args.chat:
        die("--system needs --chat")
    return args


# ----------------------------------------------------------------------------- loading


def pick_device(choice: str) -> torch.device:
    if choice == "cuda" and not torch.cuda.is_available():
        die("--device cuda asked for, but no CUDA device is available")
    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(choice)


def pick_dtype(choice: str, device: torch.device) -> torch.dtype:
    if choice != "auto":
        return DTYPES[choice]
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def load(model_dir: str, device: torch.device, dtype: torch.dtype):
    """Load a local model directory, with an error that says what is missing instead of a hub lookup."""
    path = Path(model_dir)
    if not path.is_dir():
        die(f"model directory not found: {model_dir} (inference loads local directories only)")
    if not (path / "config.json").is_file():
        die(f"{model_dir} is not a Hugging Face model directory (no config.json)")
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=dtype)
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        die(f"cannot load the model in {model_dir}: {str(exc).splitlines()[0]}")
    model.to(device).eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"  # decoder-only batches: prompts end where generation starts
    return tokenizer, model


# ----------------------------------------------------------------------------- prompts


def read_prompts(path: str) -> list[str]:
    prompts = []
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if line.lstrip().startswith("{"):
                try:
                    prompts.append(str(json.loads(line)["prompt"]))
                except (ValueError, KeyError, TypeError):
                    die(f'{path}:{lineno}: expected a JSON object with a "prompt" field')
            else:
                prompts.append(line)
    if not prompts:
        die(f"{path} holds no prompts")
    return prompts


def render(tokenizer: PreTrainedTokenizerBase, prompt: str, args: argparse.Namespace) -> str:
    """The text the model sees: the prompt itself, or the chat template applied to it."""
    if not args.chat:
        return prompt
    if not tokenizer.chat_template:
        die("--chat: this tokenizer has no chat template (a base or freshly trained model); "
            "drop --chat to use plain prompts")
    messages = ([{"role": "system", "content": args.system}] if args.system else []) + [
        {"role": "user", "content": prompt}]
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


# ----------------------------------------------------------------------------- generation


class StopOnStrings(StoppingCriteria):
    """Per-row stop once the decoded completion contains a stop string (checked on its tail only)."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, stops: list[str], prompt_len: int) -> None:
        self.tokenizer, self.stops, self.prompt_len = tokenizer, stops, prompt_len
        self.window = max(len(s) for s in stops) + 8

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs) -> torch.BoolTensor:
        tails = self.tokenizer.batch_decode(input_ids[:, self.prompt_len:][:, -self.window:],
                                            skip_special_tokens=True)
        return torch.tensor([any(s in t for s in self.stops) for t in tails], device=input_ids.device)


def cut_at_stop(text: str, stops: list[str]) -> str:
    cuts = [text.find(s) for s in stops if s in text]
    return text[:min(cuts)] if cuts else text


@dataclass
class Generation:
    """One prompt's result; written as a JSON line by --prompt-file."""

    prompt: str
    completion: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float


def budget(prompt_len: int, args: argparse.Namespace) -> int:
    """New tokens allowed for one prompt: --max-new-tokens, or --max-length minus the prompt."""
    if args.max_new_tokens is not None:
        return args.max_new_tokens
    if args.max_length <= prompt_len:
        die(f"--max-length {args.max_length} leaves no room to generate: the prompt is already {prompt_len} "
            "tokens (use a larger --max-length or --max-new-tokens)")
    return args.max_length - prompt_len


def sampling_kwargs(args: argparse.Namespace, tokenizer: PreTrainedTokenizerBase) -> dict:
    common = {"repetition_penalty": args.repetition_penalty, "pad_token_id": tokenizer.pad_token_id}
    if args.temperature == 0:
        return {**common, "do_sample": False, "temperature": None, "top_p": None, "top_k": None}
    return {**common, "do_sample": True, "temperature": args.temperature, "top_p": args.top_p, "top_k": args.top_k}


def generate_batch(model, tokenizer, prompts: list[str], args: argparse.Namespace,
                   streamer: TextIteratorStreamer | None = None) -> list[Generation]:
    """Generate for prompts together (left-padded). Each prompt keeps its own token budget and stop strings,
    so a batch gives the same text as one prompt at a time under greedy decoding."""
    texts = [render(tokenizer, p, args) for p in prompts]
    encoded = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=not args.chat)
    encoded = encoded.to(model.device)
    prompt_lens = encoded["attention_mask"].sum(dim=1).tolist()
    budgets = [budget(n, args) for n in prompt_lens]
    width = encoded["input_ids"].shape[1]
    stopping = StoppingCriteriaList([StopOnStrings(tokenizer, args.stop, width)]) if args.stop else None
    torch.manual_seed(args.seed)
    start = time.perf_counter()
    with torch.inference_mode():
        output = model.generate(**encoded, max_new_tokens=max(budgets), stopping_criteria=stopping,
                                streamer=streamer, **sampling_kwargs(args, tokenizer))
    seconds = time.perf_counter() - start
    results = []
    for row, prompt in enumerate(prompts):
        new_ids = output[row, width:][:budgets[row]].tolist()
        if tokenizer.eos_token_id in new_ids:
            new_ids = new_ids[:new_ids.index(tokenizer.eos_token_id)]
        text = cut_at_stop(tokenizer.decode(new_ids, skip_special_tokens=True), args.stop)
        results.append(Generation(prompt, text, prompt_lens[row], len(new_ids), round(seconds, 3)))
    return results


def held_back(chunks: Iterator[str], stops: list[str]) -> Iterator[str]:
    """Stream text but hold back what could be the start of a stop string, and end before the stop."""
    keep = max((len(s) for s in stops), default=1) - 1
    pending = ""
    for chunk in chunks:
        pending += chunk
        if stops and any(s in pending for s in stops):
            yield cut_at_stop(pending, stops)
            return
        if len(pending) > keep:
            yield pending[:len(pending) - keep]
            pending = pending[len(pending) - keep:]
    yield pending


def stream_one(model, tokenizer, prompt: str, args: argparse.Namespace) -> Generation:
    """Print the completion of one prompt to stdout as the tokens arrive."""
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    box: dict[str, list[Generation]] = {}
    failure: list[BaseException] = []

    def work() -> None:
        try:
            box["result"] = generate_batch(model, tokenizer, [prompt], args, streamer)
        except BaseException as exc:  # surfaced in the main thread below
            failure.append(exc)
            streamer.on_finalized_text("", stream_end=True)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    for text in held_back(streamer, args.stop):
        sys.stdout.write(text)
        sys.stdout.flush()
    worker.join()
    if failure:
        raise failure[0]
    sys.stdout.write("\n")
    return box["result"][0]


def report_speed(results: list[Generation], seconds: float) -> None:
    tokens = sum(r.completion_tokens for r in results)
    print(f"[inference] {len(results)} prompt(s), {tokens} new tokens in {seconds:.2f}s "
          f"({tokens / max(seconds, 1e-9):.1f} tokens/s)", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    device = pick_device(args.device)
    tokenizer, model = load(args.model, device, pick_dtype(args.dtype, device))
    start = time.perf_counter()
    results: list[Generation] = []

    if args.prompt_file:
        prompts = read_prompts(args.prompt_file)
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
        for i in range(0, len(prompts), args.batch_size):
            for result in generate_batch(model, tokenizer, prompts[i:i + args.batch_size], args):
                out.write(record_line(vars(result)))
                out.flush()
                results.append(result)
        if out is not sys.stdout:
            out.close()
    elif args.prompt is not None:
        if args.no_stream:
            results = generate_batch(model, tokenizer, [args.prompt], args)
            print(results[0].completion)
        else:
            results = [stream_one(model, tokenizer, args.prompt, args)]
    elif sys.stdin.isatty():
        print("interactive mode: type a prompt, an empty line or Ctrl-D to quit", file=sys.stderr)
        while True:
            try:
                prompt = input("> ")
            except EOFError:
                break
            if not prompt.strip():
                break
            results.append(stream_one(model, tokenizer, prompt, args))
    else:
        die("give --prompt or --prompt-file (stdin is not a terminal, so no interactive loop)")
    report_speed(results, time.perf_counter() - start)

