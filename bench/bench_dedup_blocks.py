"""Dedupe's opt-in repeated blocks (lion1b/dedup/repeated.py) on real filter outputs. Per input: the share
of the text that the default dedupe keeps which ``--repeated-blocks`` removes at each minimum block size
(``--repeated-block-chars``), the documents it empties, the repeated-line share (bench_realsite.py's
measure: prose lines found in >= 5% of the documents) before and after, and the cost of the whole stage
with and without the flag (CPU seconds and peak RSS from wait4, one process each).

    .venv/bin/python bench/bench_dedup_blocks.py NAME=FILTERED.jsonl [NAME=FILTERED.jsonl ...] [--chars 100,200]

FILTERED.jsonl is filter_data's output, e.g. the ``filtered.jsonl`` of a ``bench_realsite.py --workdir`` run.
The first size of ``--chars`` runs every phase; the others re-run only the write phase on its work directory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dedup_scale import measured
from bench_realsite import boilerplate

from lion1b.contract import open_records

RUN_STAGE = [sys.executable, "-c", "import sys; from lion1b.dedup.stage import main; main(sys.argv[1:])"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="NAME=FILTERED.jsonl")
    parser.add_argument("--chars", default="200,100,400,800", help="minimum block sizes (characters)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.chars.split(",")]
    for spec in args.inputs:
        name, _, path = spec.partition("=")
        if not Path(path).is_file():
            raise SystemExit(f"{path}: not a file (give NAME=FILTERED.jsonl)")
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            common = [*RUN_STAGE, "--input", path, "--quiet"]
            plain_mb, plain_cpu, _ = measured([*common, "--output", str(work / "plain.jsonl"),
                                               "--work-dir", str(work / "plain")])
            blocks = [*common, "--repeated-blocks", "--work-dir", str(work / "blocks")]
            blocks_mb, blocks_cpu, _ = measured([*blocks, "--output", str(work / f"n{sizes[0]}.jsonl"),
                                                 "--repeated-block-chars", str(sizes[0])])
            for size in sizes[1:]:
                measured([*blocks, "--phase", "write", "--repeated-block-chars", str(size),
                          "--output", str(work / f"n{size}.jsonl")])
            plain = list(open_records(work / "plain.jsonl"))
            chars = sum(len(r["text"]) for r in plain)
            before = boilerplate(plain)
            print(f"{name}: {len(plain)} documents, {chars:,} characters after the default dedupe; repeated lines "
                  f"{before['share']:.2%} (by characters {before['char_share']:.2%}); stage {plain_cpu:.1f} CPU-s, "
                  f"{plain_mb:.0f} MB; with --repeated-blocks {blocks_cpu:.1f} CPU-s, {blocks_mb:.0f} MB")
            for size in sorted(sizes):
                out = list(open_records(work / f"n{size}.jsonl"))
                after = boilerplate(out)
                removed = 1 - sum(len(r["text"]) for r in out) / max(chars, 1)
                print(f"  --repeated-block-chars {size:4d}: removes {removed:.3f} of the characters, empties "
                      f"{len(plain) - len(out)} documents; repeated lines {after['share']:.2%} "
                      f"(by characters {after['char_share']:.2%})")


if __name__ == "__main__":
    main()
