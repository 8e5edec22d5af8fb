"""The cost of dedupe's verification (the cluster phase) on real crawled pages, beside the previous
verifier and beside the current one with the standard library's difflib, on the same candidates.

Reference pages written from one template are all candidates of each other, so the cluster phase compares
the texts of most pairs of them (lion1b/dedup/verify.py). Each variant runs ``--phase cluster`` in its own
process on the same signatures and candidates; CPU seconds and peak RSS come from the kernel (wait4). The
stdlib variant's dup map (which document was dropped for which, and why) must be the current one's; the
previous verifier's differs where the rule has changed since, so its cost is also given per verified pair.

- ``current``: lion1b/dedup/verify.py as it is (a ``Text`` per document, cydifflib's alignment);
- ``current, stdlib difflib``: the same with ``difflib.SequenceMatcher``, the algorithm cydifflib compiles;
- ``previous``: verify.py of commit PREVIOUS (token lists made per pair, shingle sets of tuples, difflib).

    .venv/bin/python bench/bench_dedup_verify.py [--input FILTERED.jsonl | --site DIR=START ...] [--first N]

Without ``--input``, the sites are crawled, extracted and filtered first (bench/bench_dedup_crawl.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dedup_crawl import DEFAULT_SITES, crawl
from bench_dedup_scale import measured

ROOT = Path(__file__).resolve().parents[1]
PREVIOUS = "4e39075"
RUN_STAGE = "from lion1b.dedup.stage import main; main(sys.argv[1:])"


def variants(folder: Path) -> dict[str, list[str]]:
    """Python commands that run the dedupe stage with each verifier."""
    source = subprocess.run(["git", "show", f"{PREVIOUS}:lion1b/dedup/verify.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    (folder / "previous_verify.py").write_text(source)
    path = str(folder / "previous_verify.py")
    load_previous = ("import importlib.util, sys; "
                     f"spec = importlib.util.spec_from_file_location('lion1b.dedup.verify', {path!r}); "
                     "module = importlib.util.module_from_spec(spec); sys.modules['lion1b.dedup.verify'] = module; "
                     "spec.loader.exec_module(module); ")
    stdlib = "import sys, difflib, lion1b.dedup.verify as verify; verify.SequenceMatcher = difflib.SequenceMatcher; "
    return {"current": [sys.executable, "-c", f"import sys; {RUN_STAGE}"],
            "current, stdlib difflib": [sys.executable, "-c", stdlib + RUN_STAGE],
            f"previous ({PREVIOUS})": [sys.executable, "-c", load_previous + RUN_STAGE]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", help="filtered records (JSONL); default: crawl --site")
    parser.add_argument("--site", action="append", help="DIR=START[,START...] to crawl (repeatable)")
    parser.add_argument("--first", type=int, help="only the input's first N records")
    parser.add_argument("--skip-previous", action="store_true", help="only the current verifier and stdlib difflib")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = Path(args.input).resolve() if args.input else crawl(args.site or DEFAULT_SITES, folder)
        if args.first:
            with records.open() as source:
                lines = [line for _, line in zip(range(args.first), source, strict=False)]
            records = folder / f"first{args.first}_{records.name}"
            records.write_text("".join(lines))
        docs = sum(1 for _ in records.open())
        stage = [sys.executable, str(ROOT / "scripts" / "dedupe.py"), "--quiet", "--input", str(records)]
        shared = folder / "shared"  # signatures and every shard's candidates, made once for all variants
        subprocess.run([*stage, "--work-dir", str(shared), "--phase", "signatures"], check=True, cwd=ROOT)
        for shard in range(4):
            subprocess.run([*stage, "--work-dir", str(shared), "--phase", "candidates", "--shard-id", str(shard)],
                           check=True, cwd=ROOT)
        rows, maps = [], {}
        for name, command in variants(folder).items():
            if args.skip_previous and name.startswith("previous"):
                continue
            work, dup_map = folder / f"work{len(maps)}", folder / f"map{len(maps)}.jsonl"
            shutil.copytree(shared, work)  # the cluster phase alone runs: its shards are done
            peak, cpu, wall = measured([*command, "--quiet", "--input", str(records), "--work-dir", str(work),
                                        "--phase", "cluster", "--dup-map", str(dup_map)])
            maps[name] = set(dup_map.read_text().splitlines())
            summary = json.loads((work / "clusters.json").read_text())
            pairs = summary["counters"].get("verified_pairs", 0)
            rows.append((name, cpu, peak, wall, pairs, summary["dropped"].get("near_duplicate", 0)))
            print(f"  {name}: {cpu:.1f} CPU s", file=sys.stderr)
    print(f"{records.name}: {docs:,} documents")
    print("| verifier | cluster phase CPU s | peak RSS (MB) | wall s | verified pairs | ms per pair | near-duplicate "
          "drops | dup-map lines unlike current's | current's speed-up per pair |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, cpu, peak, wall, pairs, near in rows:
        per_pair = 1000 * cpu / max(pairs, 1)
        print(f"| {name} | {cpu:,.1f} | {peak:,.0f} | {wall:,.1f} | {pairs:,} | {per_pair:.2f} | {near:,} | "
              f"{len(maps[name] ^ maps['current']):,} | {per_pair / (1000 * rows[0][1] / max(rows[0][4], 1)):.1f}x |")
    if maps["current, stdlib difflib"] != maps["current"]:
        raise SystemExit("cydifflib and difflib dropped different documents")


if __name__ == "__main__":
    main()
