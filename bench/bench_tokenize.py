"""tokenize_and_pack.py end to end vs the tokenizer's raw encode speed, on the same text, side by side.

    python bench/bench_tokenize.py [--repeat 4] [--rounds 3] [--threads 1 2] [--model tokenizer/tokenizer.model]

Text: the documents of ../shared/bench/dedup/dev.jsonl, repeated --repeat times under fresh ids. Without
--model a SentencePiece BPE (vocab 8000) is trained on that text with tokenizer/train_tokenizer.py first.
"raw" is SentencePieceProcessor.encode(batch, num_threads=1) over the texts already in memory; "script" is the
wall time of the whole tokenize_and_pack.py process (start-up, JSON parsing, split, packing, writing .seq).
Both count the same tokens (the text's, separators excluded). Rounds alternate raw and script so machine load
hits both alike; the best round of each is reported.

    python bench/bench_tokenize.py --verify-tokens 100000000 [--rounds 3]

measures instead what training and count_tokens --verify pay per .seq file before using it: SeqFile.verify()
(every token and index) and the marker's xxh3 content stamp, on a synthetic file of that many tokens
(vocabulary 32,000, documents of 200-5,000 tokens), read from the page cache; best round of each.
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LION1B_SHARED", Path(__file__).resolve().parents[2] / "shared"))
ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(*args: str) -> tuple[float, float, str]:
    """Wall seconds and CPU seconds (all its processes) of a whole process, and its stderr."""
    start, cpu = time.perf_counter(), children_cpu()
    proc = subprocess.run([sys.executable, *map(str, args)], check=True, env=ENV, cwd=ROOT, capture_output=True,
                          text=True)
    return time.perf_counter() - start, children_cpu() - cpu, proc.stderr


def inner_seconds(stderr: str) -> float:
    """The script's own timer (records in to files closed), i.e. without interpreter start-up and imports."""
    return float(re.search(r"tokens in ([0-9.]+)s", stderr).group(1))


def bench_verify(n_tokens: int, rounds: int) -> None:
    import numpy as np

    from lion1b.contract.files import content_stamp
    from lion1b.tokenize.seqfile import SeqFile, SeqWriter

    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp_dir:
        path = Path(tmp_dir) / "train.seq"
        with SeqWriter(path, seq_len=4096, vocab_size=32000, eos_id=2, bos_id=1, tokenizer_fingerprint="ab" * 32) as w:
            written = 0
            while written < n_tokens + 4096:
                body = rng.integers(4, 32000, int(rng.integers(200, 5000)), dtype=np.int32)
                w.add_document(str(written), np.concatenate([[1], body, [2]]))
                written += body.size + 2
        seq = SeqFile(path)
        verify, stamp = [], []
        for _ in range(rounds):
            start = time.perf_counter()
            seq.verify()
            verify.append(time.perf_counter() - start)
            start = time.perf_counter()
            content_stamp(path)
            stamp.append(time.perf_counter() - start)
        size = path.stat().st_size
        print(f"{seq.header.n_tokens:,} tokens, {seq.header.n_documents:,} documents, {size / 1e6:.0f} MB")
        for name, times in (("SeqFile.verify()", verify), ("xxh3 content stamp", stamp)):
            best = min(times)
            print(f"{name:<20} {best:.3f}s  {size / best / 1e9:.2f} GB/s  {seq.header.n_tokens / best / 1e6:,.0f}M "
                  f"tokens/s  (rounds: {', '.join(f'{t:.3f}' for t in times)})")
        print(f"cpu cores: {os.cpu_count()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=4, help="copies of the dev documents (more text, longer run)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--model", help="tokenizer to use (default: train one on the bench text)")
    parser.add_argument("--hf", action="store_true", help="use the Hugging Face copy of the trained tokenizer")
    parser.add_argument("--seq_len", type=int, default=4096)
    parser.add_argument("--verify-tokens", type=int, help="measure .seq verification on a file of this many tokens")
    args = parser.parse_args()
    if args.verify_tokens:
        bench_verify(args.verify_tokens, args.rounds)
        return
    source = SHARED / "bench" / "dedup" / "dev.jsonl"
    if not source.is_file():
        print(f"skip: {source} not found (set LION1B_SHARED to the shared data folder)")
        return

    from lion1b.tokenize.loading import load_tokenizer

    docs = [json.loads(line) for line in source.open(encoding="utf-8")]
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        inp = tmp / "scrubbed_thread0.txt"
        with inp.open("w", encoding="utf-8") as f:
            for r in range(args.repeat):
                for d in docs:
                    f.write(json.dumps({"id": f"{r}-{d['id']}", "url": "u", "text": d["text"]},
                                       ensure_ascii=False) + "\n")
        texts = [d["text"] for d in docs] * args.repeat
        tiny = tmp / "tiny_thread0.txt"  # one short document: the cost of start-up alone
        tiny.write_text(json.dumps({"id": "t", "url": "u", "text": "start-up only"}) + "\n", encoding="utf-8")
        model = args.model
        if model is None:
            model = tmp / "tokenizer.model"
            seconds, _, _ = run(ROOT / "tokenizer/train_tokenizer.py", "--input", source, "--vocab_size", 8000,
                          "--output", model, "--hf_dir", tmp / "hf", "--threads", 2, "--quiet")
            print(f"trained tokenizer (BPE, vocab 8000) on {source.name} in {seconds:.1f}s")
            if args.hf:
                model = tmp / "hf"
        tok = load_tokenizer(model)
        n_tokens = sum(len(ids) for ids in tok.encode_batch_arrays(texts))
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        print(f"text: {len(texts):,} documents, {mb:.1f} MB, {n_tokens:,} tokens ({tok.kind}, vocab {tok.vocab_size})")

        raw, raw_cpu = [], []
        script, script_cpu, inner, startup_cpu = ({t: [] for t in args.threads} for _ in range(4))
        for _ in range(args.rounds):
            start, cpu = time.perf_counter(), time.process_time()
            for i in range(0, len(texts), 128):
                tok.encode_batch_arrays(texts[i:i + 128])
            raw.append(time.perf_counter() - start)
            raw_cpu.append(time.process_time() - cpu)
            for threads in args.threads:
                pack = (ROOT / "scripts/tokenize_and_pack.py", "--model", model, "--seq_len", args.seq_len,
                        "--train_out", tmp / "train.seq", "--test_out", tmp / "test.seq", "--threads", threads,
                        "--force", "--quiet")
                seconds, cpu, stderr = run(*pack, "--input", inp)
                script[threads].append(seconds)
                script_cpu[threads].append(cpu)
                inner[threads].append(inner_seconds(stderr))
                startup_cpu[threads].append(run(*pack, "--input", tiny)[1])
        # CPU seconds are the fair measure on a shared machine: waiting for a core costs wall time, not CPU time
        raw_rate = n_tokens / min(raw_cpu)
        print(f"{'raw encode, 1 thread':<44} {raw_rate:>10,.0f} tokens/CPU-s  {n_tokens / min(raw):>10,.0f} tokens/s")
        for threads in args.threads:
            rate = n_tokens / min(script_cpu[threads])
            steady = n_tokens / (min(script_cpu[threads]) - min(startup_cpu[threads]))
            print(f"{f'tokenize_and_pack --threads {threads} (whole process)':<44} {rate:>10,.0f} tokens/CPU-s  "
                  f"{n_tokens / min(script[threads]):>10,.0f} tokens/s  = {rate / raw_rate:.2f}x raw per core")
            print(f"{'  ... less its start-up CPU (1-doc run)':<44} {steady:>10,.0f} tokens/CPU-s  "
                  f"{n_tokens / min(inner[threads]):>10,.0f} tokens/s  = {steady / raw_rate:.2f}x raw per core "
                  f"(start-up {min(startup_cpu[threads]):.2f} CPU-s)")
        print(f"wall s: raw {', '.join(f'{s:.2f}' for s in raw)}; "
              + "; ".join(f"--threads {t} {', '.join(f'{s:.2f}' for s in script[t])}" for t in args.threads))
        print(f"cpu cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
