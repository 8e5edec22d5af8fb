"""Build the run report: ``<out>/report.json`` and ``<out>/index.html`` from what the stages left in a
data folder.

    python scripts/report.py --data-dir data --out data/report

Static and offline: one HTML page with the plots embedded as PNGs. Missing stages or files are shown as
missing; the report never fails because a stage has not run. See docs/report.md.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from lion1b.contract import ArgumentParser, atomic_write, die, log
from lion1b.report.collect import collect
from lion1b.report.render import render


def build_report(data_dir: str | Path, out: str | Path, tokenizer_marker: str | Path | None = None) -> dict:
    """Collect, render and write both files atomically; returns the report dict."""
    report = collect(data_dir, tokenizer_marker)
    out = Path(out)
    with atomic_write(out / "report.json") as handle:
        json.dump(report, handle, indent=1, ensure_ascii=False, default=str)
        handle.write("\n")
    with atomic_write(out / "index.html") as handle:
        handle.write(render(report))
    return report


def main(argv: list[str] | None = None) -> None:
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", "--data_dir", default="data", help="the pipeline's data folder")
    parser.add_argument("--out", default=None, help="report folder (default: <data-dir>/report)")
    parser.add_argument("--tokenizer", default="tokenizer/tokenizer.model",
                        help="tokenizer trained by the pipeline; its completion marker adds its training time")
    args = parser.parse_args(argv)
    if not Path(args.data_dir).is_dir():
        die(f"--data-dir: no such folder: {args.data_dir}")
    out = Path(args.out or Path(args.data_dir) / "report")
    start = time.monotonic()
    report = build_report(args.data_dir, out, args.tokenizer + ".done")
    for warning in report["warnings"]:
        log(f"warning: {warning}")
    log(f"[report] {len(report['stages'])} stage(s), {len(report['warnings'])} warning(s) -> {out / 'index.html'} "
        f"| {time.monotonic() - start:.1f}s")
