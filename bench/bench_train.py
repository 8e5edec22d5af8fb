"""Tokens/s of train/train_llama3_full_ft.py (DeepSpeed ZeRO) against a plain Hugging Face Trainer run.

Both sides train the same preset model on the same .seq rows (built here from ../shared/bench/dedup/dev.jsonl
with a small BPE tokenizer) with the same batch, optimizer and document attention, one process each, and
alternate (ours, plain, ours, plain, ...) so a shared machine slows both alike. Throughput is timed the same
way on both sides (train_llama3_full_ft.ThroughputCallback: optimizer steps only, first step left out).

  python bench/bench_train.py                                   # CPU, tiny preset, ZeRO-2
  python bench/bench_train.py --device cuda --preset llama-1b --bf16   # one GPU: tokens/s and MFU
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LION1B_SHARED", Path(__file__).resolve().parents[2] / "shared"))
CORPUS = SHARED / "bench" / "dedup" / "dev.jsonl"


def build_data(root: Path, seq_len: int, vocab_size: int) -> None:
    """A BPE tokenizer trained on the corpus, and the corpus packed into train.seq with BOS/EOS per document."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    from lion1b.tokenize.loading import tokenizer_fingerprint
    from lion1b.tokenize.seqfile import SeqWriter

    texts = [json.loads(line)["text"] for line in CORPUS.open(encoding="utf-8")]
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<unk>", "<s>", "</s>"],
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="</s>",
                            unk_token="<unk>").save_pretrained(root / "tokenizer")
    tok = AutoTokenizer.from_pretrained(root / "tokenizer")
    with SeqWriter(root / "train.seq", seq_len=seq_len, vocab_size=len(tok), eos_id=tok.eos_token_id,
                   bos_id=tok.bos_token_id, tokenizer_fingerprint=tokenizer_fingerprint(tok)) as w:
        for i, ids in enumerate(tok(texts, add_special_tokens=False)["input_ids"]):
            w.add_document(str(i), [tok.bos_token_id, *ids, tok.eos_token_id])


def common_args(a: argparse.Namespace, root: Path, out: Path) -> list[str]:
    args = ["--init_from_config", a.preset, "--tokenizer_name", str(root / "tokenizer"),
            "--train_file", str(root / "train.seq"), "--output_dir", str(out), "--max_seq_length", str(a.seq_len),
            "--per_device_train_batch_size", str(a.batch), "--gradient_accumulation_steps", str(a.grad_accum),
            "--max_steps", str(a.steps), "--learning_rate", "1e-3", "--logging_steps", str(a.steps),
            "--save_strategy", "no", "--report_to", "none", "--disable_tqdm", "true", "--seed", "0",
            "--skip_marker_check"]  # train.seq is written here directly, not by tokenize_and_pack
    if a.bf16:
        args.append("--bf16")
    if a.gradient_checkpointing:
        args.append("--gradient_checkpointing")
    return args


def run_ours(a: argparse.Namespace, root: Path, out: Path, env: dict) -> dict:
    cmd = [str(Path(sys.executable).parent / "deepspeed"), "--num_gpus", "1", "--master_port", str(a.port),
           str(REPO / "train" / "train_llama3_full_ft.py"), *common_args(a, root, out),
           "--deepspeed", str(REPO / "train" / a.ds_config)]
    if a.peak_tflops:
        cmd += ["--peak_tflops", str(a.peak_tflops)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("[train] summary ")), None)
    if proc.returncode or line is None:
        sys.exit(f"bench: our run failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return json.loads(line.removeprefix("[train] summary "))


def run_plain(a: argparse.Namespace, root: Path, out: Path, env: dict) -> dict:
    cmd = [sys.executable, __file__, "--plain-worker", *common_args(a, root, out)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("plain ")), None)
    if proc.returncode or line is None:
        sys.exit(f"bench: plain Trainer run failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return json.loads(line.removeprefix("plain "))


def plain_worker(argv: list[str]) -> None:
    """The reference: the same model, rows and TrainingArguments, the stock Trainer, no DeepSpeed."""
    import torch
    from transformers import AutoModelForCausalLM, Trainer, TrainingArguments

    import lion1b.train.trainer as ft
    from lion1b.tokenize.loading import tokenizer_fingerprint
    from lion1b.train.seq_dataset import DataSpec, SeqDataset

    margs, dargs, rargs, targs_kwargs = ft.parse_args(argv)
    config, tokenizer = ft.load_config_and_tokenizer(margs)
    spec = DataSpec(dargs.max_seq_length, config.vocab_size, tokenizer_fingerprint(tokenizer))
    train_ds = SeqDataset([Path(p) for p in dargs.train_file], spec, dargs.document_attention)
    targs = TrainingArguments(**targs_kwargs)
    torch.manual_seed(targs.seed)
    config.use_cache = False
    # fp32 weights: with --bf16 the stock Trainer trains under bf16 autocast (its usual mixed precision)
    model = AutoModelForCausalLM.from_config(config, attn_implementation=margs.attn_implementation,
                                             dtype=torch.float32)
    tokens_per_step = targs.per_device_train_batch_size * targs.gradient_accumulation_steps * train_ds.chunk
    meter = ft.ThroughputCallback(tokens_per_step, ft.flops_per_token(config, train_ds.chunk),
                                  ft.peak_flops(targs, rargs))
    Trainer(model=model, args=targs, train_dataset=train_ds, callbacks=[meter]).train()
    print("plain " + json.dumps(meter.rates(meter.total_steps, meter.total_s)), flush=True)


def main() -> None:
    if "--plain-worker" in sys.argv:
        plain_worker([x for x in sys.argv[1:] if x != "--plain-worker"])
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--preset", default="tiny", help="lion1b/train/presets preset (tiny on CPU, llama-1b on a GPU)")
    p.add_argument("--ds_config", default="deepspeed_config.json", help="file in train/ (ZeRO-2 by default)")
    p.add_argument("--seq_len", type=int, default=None, help="default 256 on CPU, 2048 on cuda")
    p.add_argument("--batch", type=int, default=None, help="per-device micro-batch; default 8 on CPU, 4 on cuda")
    p.add_argument("--grad_accum", type=int, default=2)
    p.add_argument("--steps", type=int, default=None, help="optimizer steps per run; default 40 CPU, 30 cuda")
    p.add_argument("--rounds", type=int, default=2, help="alternating (ours, plain) pairs; medians reported")
    p.add_argument("--vocab_size", type=int, default=4096)
    p.add_argument("--bf16", action="store_true")
    p.add_argument("--gradient_checkpointing", action="store_true")
    p.add_argument("--peak_tflops", type=float, default=None, help="for MFU where the GPU is not recognised")
    p.add_argument("--skip-plain", action="store_true", help="only our script (e.g. MFU on a GPU)")
    p.add_argument("--port", type=int, default=29671)
    a = p.parse_args()
    cuda = a.device == "cuda"
    a.seq_len = a.seq_len or (2048 if cuda else 256)
    a.batch = a.batch or (4 if cuda else 8)
    a.steps = a.steps or (30 if cuda else 40)
    if not CORPUS.is_file():
        print(f"bench_train: skipped, {CORPUS} not found (set LION1B_SHARED to the shared folder)")
        return

    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               TORCH_EXTENSIONS_DIR=str(REPO / ".cache" / "torch_extensions"))
    if not cuda:
        env.update(DS_ACCELERATOR="cpu", OMP_NUM_THREADS=env.get("OMP_NUM_THREADS", "1"))
    with tempfile.TemporaryDirectory(prefix="bench_train_") as tmp:
        root = Path(tmp)
        build_data(root, a.seq_len, a.vocab_size)
        ours, plain = [], []
        for r in range(a.rounds):
            ours.append(run_ours(a, root, root / f"ours{r}", env))
            print(f"round {r}: ours  {json.dumps(ours[-1])}", flush=True)
            if not a.skip_plain:
                plain.append(run_plain(a, root, root / f"plain{r}", env))
                print(f"round {r}: plain {json.dumps(plain[-1])}", flush=True)
    ours_tps = statistics.median(x["tokens_per_s_per_device"] for x in ours)
    line = (f"device={a.device} preset={a.preset} seq_len={a.seq_len} batch={a.batch}x{a.grad_accum} "
            f"steps={a.steps} ds_config={a.ds_config}: ours {ours_tps:,.0f} tokens/s/device")
    if "mfu" in ours[0]:
        line += f", MFU {statistics.median(x['mfu'] for x in ours):.1%}"
    if plain:
        plain_tps = statistics.median(x["tokens_per_s_per_device"] for x in plain)
        line += f"; plain Trainer {plain_tps:,.0f} tokens/s; ratio ours/plain = {ours_tps / plain_tps:.3f}"
    print(line)


if __name__ == "__main__":
    main()
