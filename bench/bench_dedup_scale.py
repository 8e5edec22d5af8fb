"""Dedupe at scale: peak memory of every process of every phase, and docs per CPU-second, on N synthetic
documents, against the previous single-process cluster phase measured in the same run.

Documents: ~150 random words of a 50,000-word vocabulary (about 1 KB), with 3% exact copies and 5%
near copies (5% of words replaced) of earlier documents, written as 4 part files. Each phase runs as its
own process, the way the drivers run it; peak RSS and CPU seconds come from the kernel (wait4). The
baseline is the cluster phase of commit c5eac4f (every signature in one process), run on its own
signature files from the same documents.

    .venv/bin/python bench/bench_dedup_scale.py --docs 200000 [--shards 4] [--parts 4] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BASELINE_COMMIT = "c5eac4f"


def generate(folder: Path, n: int, parts: int, seed: int = 1) -> list[Path]:
    """The documents as ``part{T}.jsonl`` files, record i in part i % parts."""
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(50000)])
    paths = [folder / f"docs_part{t}.jsonl" for t in range(parts)]
    handles = [p.open("w") for p in paths]
    texts: list[str] = []
    for i in range(n):
        roll = rng.random()
        if texts and roll < 0.03:
            text = texts[rng.integers(len(texts))]
        elif texts and roll < 0.08:
            words = texts[rng.integers(len(texts))].split(" ")
            for j in rng.choice(len(words), len(words) // 20, replace=False):
                words[j] = vocab[rng.integers(len(vocab))]
            text = " ".join(words)
        else:
            text = " ".join(vocab[rng.integers(0, len(vocab), 150)])
        if len(texts) < 20000:
            texts.append(text)  # copies come from the first 20k documents: bounded generator memory
        handles[i % parts].write(json.dumps({"id": f"d{i:09d}", "url": f"https://h{i % 997}.test/{i}",
                                             "text": text}) + "\n")
    for h in handles:
        h.close()
    return paths


def measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Run a command; (peak RSS in MB, CPU seconds, wall seconds) of that process from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{stderr}")
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, wall


def baseline_runner(folder: Path) -> list[str]:
    """A python command that runs the dedupe stage of BASELINE_COMMIT (its two modules, unchanged but for
    the import of its own minhash module)."""
    for name in ("stage", "minhash"):
        source = subprocess.run(["git", "show", f"{BASELINE_COMMIT}:lion1b/dedup/{name}.py"], cwd=ROOT,
                                check=True, capture_output=True, text=True).stdout
        source = source.replace("from lion1b.dedup.minhash import", "from old_minhash import")
        (folder / f"old_{name}.py").write_text(source)
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(folder)!r}); "
                                  "from old_stage import main; main(sys.argv[1:])"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--parts", type=int, default=4)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--dedupe-args", default="", help="more dedupe flags for every phase, e.g. --no-templates")
    parser.add_argument("--tmp", default=None, help="folder for the data (default: a temp folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        paths = generate(folder, args.docs, args.parts)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"{args.docs:,} documents, {size:,.0f} MB in {args.parts} parts, generated in "
              f"{time.perf_counter() - start:.0f}s; {args.shards} shards")
        stage = [sys.executable, "scripts/dedupe.py", "--quiet", "--num-parts", str(args.parts),
                 "--work-dir", str(folder / "work"), "--num-shards", str(args.shards), *args.dedupe_args.split()]
        rows: list[tuple[str, int, float, float, float]] = []

        def phase(name: str, commands: list[list[str]]) -> None:
            results = [measured(c) for c in commands]
            rows.append((name, len(results), max(r[0] for r in results), sum(r[1] for r in results),
                         sum(r[2] for r in results)))
            print(f"  {name}: done", file=sys.stderr)

        phase("signatures (per part)", [[*stage, "--phase", "signatures", "--input", str(p), "--part-id", str(t)]
                                        for t, p in enumerate(paths)])
        everything = str(folder / "docs_part*.jsonl")
        phase("candidates (per shard)", [[*stage, "--phase", "candidates", "--input", everything, "--shard-id",
                                          str(s)] for s in range(args.shards)])
        phase("cluster (union of shards)", [[*stage, "--phase", "cluster", "--input", everything,
                                             "--dup-map", str(folder / "map.jsonl")]])
        phase("write (per part)", [[*stage, "--phase", "write", "--input", str(p), "--part-id", str(t),
                                    "--output", str(folder / f"out{t}.jsonl")] for t, p in enumerate(paths)])
        phase("cluster with shards in-process (`--phase cluster --force`)",
              [[*stage, "--phase", "cluster", "--input", everything, "--force"]])
        summary = json.loads((folder / "work" / "clusters.json").read_text())
        if not args.skip_baseline:
            old = [*baseline_runner(folder), "--quiet", "--num-parts", str(args.parts), "--work-dir",
                   str(folder / "old")]
            phase(f"baseline {BASELINE_COMMIT} signatures (per part)",
                  [[*old, "--phase", "signatures", "--input", str(p), "--part-id", str(t)]
                   for t, p in enumerate(paths)])
            phase(f"baseline {BASELINE_COMMIT} cluster (one process)",
                  [[*old, "--phase", "cluster", "--input", everything]])
            old_summary = json.loads((folder / "old" / "clusters.json").read_text())
            print(f"baseline dropped: {old_summary['dropped']}")
    print(f"dropped: {summary['dropped']}; candidate pairs: {summary['counters'].get('candidate_pairs')}")
    print("| phase | processes | peak RSS per process (MB) | bytes/doc at peak | CPU s (all processes) | "
          "docs per CPU-second | wall s |")
    print("|---|---|---|---|---|---|---|")
    for name, count, peak, cpu, wall in rows:
        print(f"| {name} | {count} | {peak:,.0f} | {peak * 1024 * 1024 / args.docs:,.0f} | {cpu:,.1f} | "
              f"{args.docs / cpu:,.0f} | {wall:,.1f} |")


if __name__ == "__main__":
    main()
