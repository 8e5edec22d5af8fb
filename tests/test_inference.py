"""inference_cli on a tiny Llama built from a config (no downloads)."""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from lion1b.inference import cli as inference_cli

ROOT = Path(__file__).resolve().parents[1]
TEXT = ("The crawler fetches pages. The filter keeps clean text. Tokens are packed into sequences. "
        "A small model learns to continue the text, one token at a time.\n") * 20


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny-model")
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.train_from_iterator([TEXT], trainers.BpeTrainer(vocab_size=300, special_tokens=["<unk>", "<s>", "</s>"],
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    from tokenizers import decoders

    bpe.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    tokenizer.save_pretrained(out)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    model = LlamaForCausalLM(config)
    # Keep generations going: a random model that picked EOS early would make every test trivial.
    model.generation_config.suppress_tokens = [tokenizer.eos_token_id]
    model.save_pretrained(out)
    return out


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(ROOT / "inference" / "inference_cli.py"), *args],
                            capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL,
                            env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    if check and result.returncode != 0:
        raise AssertionError(result.stderr)
    return result


def generate(model_dir: Path, prompts: list[str], **overrides) -> list[str]:
    argv = ["--model", str(model_dir), "--temperature", "0", "--max_new_tokens", "12", "--no-stream"]
    args = inference_cli.parse_args(argv)
    for key, value in overrides.items():
        setattr(args, key, value)
    tokenizer, model = inference_cli.load(str(model_dir), torch.device("cpu"), torch.float32)
    return [r.completion for r in inference_cli.generate_batch(model, tokenizer, prompts, args)]


PROMPTS = ["The crawler", "Tokens are packed into", "A small model learns to continue"]


def test_greedy_is_deterministic_and_streaming_matches(tiny_model):
    first = run_cli("--model", str(tiny_model), "--prompt", "The filter", "--temperature", "0",
                    "--max_new_tokens", "10")
    second = run_cli("--model", str(tiny_model), "--prompt", "The filter", "--temperature", "0",
                     "--max_new_tokens", "10", "--no-stream")
    assert first.stdout == second.stdout and first.stdout.strip()
    assert "tokens/s" in first.stderr


def test_same_seed_same_text(tiny_model):
    runs = [generate(tiny_model, ["The crawler"], temperature=1.0, seed=seed) for seed in (7, 7, 8)]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_batched_equals_one_by_one(tiny_model):
    batched = generate(tiny_model, PROMPTS)
    alone = [generate(tiny_model, [p])[0] for p in PROMPTS]
    assert batched == alone


def test_prompt_file_jsonl_output(tiny_model, tmp_path):
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": p}) for p in PROMPTS) + "\n")
    out = tmp_path / "out.jsonl"
    run_cli("--model", str(tiny_model), "--prompt-file", str(prompts), "--batch-size", "2", "--temperature", "0",
            "--max_new_tokens", "12", "--output", str(out))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["prompt"] for r in rows] == PROMPTS
    assert [r["completion"] for r in rows] == generate(tiny_model, PROMPTS)
    assert all(r["completion_tokens"] == 12 and r["prompt_tokens"] > 0 and r["seconds"] >= 0 for r in rows)


def test_stop_strings_cut_the_completion(tiny_model):
    full = generate(tiny_model, ["The crawler"], max_new_tokens=30)[0]
    stop = full[len(full) // 2:len(full) // 2 + 2]
    assert stop.strip(), full
    cut = generate(tiny_model, ["The crawler"], max_new_tokens=30, stop=[stop])[0]
    assert cut == full[:full.find(stop)]
    streamed = run_cli("--model", str(tiny_model), "--prompt", "The crawler", "--temperature", "0",
                       "--max_new_tokens", "30", "--stop", stop)
    assert streamed.stdout.rstrip("\n") == cut


def test_max_length_is_total_length(tiny_model):
    args = inference_cli.parse_args(["--model", str(tiny_model), "--temperature", "0", "--max_length", "12"])
    tokenizer, model = inference_cli.load(str(tiny_model), torch.device("cpu"), torch.float32)
    result = inference_cli.generate_batch(model, tokenizer, ["The crawler"], args)[0]
    assert result.prompt_tokens + result.completion_tokens == 12
    too_short = run_cli("--model", str(tiny_model), "--prompt", "The crawler fetches pages and more",
                        "--max_length", "3", check=False)
    assert too_short.returncode == 2 and "leaves no room" in too_short.stderr


def test_bad_model_paths_and_chat_without_template(tiny_model, tmp_path):
    missing = run_cli("--model", str(tmp_path / "nope"), "--prompt", "x", check=False)
    assert missing.returncode == 2 and "model directory not found" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = run_cli("--model", str(tmp_path / "empty"), "--prompt", "x", check=False)
    assert empty.returncode == 2 and "no config.json" in empty.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    result = run_cli("--model", str(broken), "--prompt", "x", check=False)
    assert result.returncode == 2 and "cannot load" in result.stderr and "Traceback" not in result.stderr
    chat = run_cli("--model", str(tiny_model), "--prompt", "x", "--chat", check=False)
    assert chat.returncode == 2 and "no chat template" in chat.stderr


def test_every_flag_takes_dashes_and_underscores(tiny_model):
    """One style (dashes) with the original README's underscore spellings as aliases, for every flag."""
    parser = inference_cli.build_parser()
    dashed_flags = [o for a in parser._actions for o in a.option_strings if o.startswith("--") and "-" in o[2:]]
    assert {"--max-length", "--max-new-tokens", "--prompt-file", "--batch-size", "--no-stream", "--top-p"} <= set(
        dashed_flags)
    for option in dashed_flags:
        action = parser._option_string_actions[option]
        value = [] if action.nargs == 0 else [str(action.choices[-1]) if action.choices else "3"]
        spellings = [["--model", "m", spelling, *value] for spelling in (option, "--" + option[2:].replace("-", "_"))]
        dashed, underscored = (vars(inference_cli.build_parser().parse_args(argv)) for argv in spellings)
        assert dashed == underscored and dashed != vars(inference_cli.build_parser().parse_args(["--model", "m"]))
    for spelling in ("--max_length", "--max-length"):
        assert inference_cli.parse_args(["--model", "m", spelling, "40"]).max_length == 40
    help_text = parser.format_help()  # aliases are accepted, the help shows one style
    assert "--max-length MAX_LENGTH" in help_text and "--max_length MAX_LENGTH" not in help_text
    bad = run_cli("--model", str(tiny_model), "--prompt", "x", "--batch_size", "0", check=False)
    assert bad.returncode == 2 and "--batch-size must be at least 1" in bad.stderr


def test_generation_result_is_not_the_contract_marker():
    """`Completion` is the stage contract's marker; the inference result has its own name."""
    assert not hasattr(inference_cli, "Completion")
    assert [f.name for f in dataclasses.fields(inference_cli.Generation)] == [
        "prompt", "completion", "prompt_tokens", "completion_tokens", "seconds"]
