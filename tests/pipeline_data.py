"""A small, real pipeline output for the report, export and takedown tests.

The demo site's pages (lion1b.demo.site.site_pages, no server) go through the real stages: extract, filter,
dedupe and scrub in-process through their mains, the tokenizer trainer and the packer as separate processes as
the drivers run them. Built once per test session (a few seconds) and copied by tests that change it.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from lion1b.contract import part_of, record_line
from lion1b.dedup.stage import main as dedupe_main
from lion1b.demo.site import site_pages
from lion1b.extract.stage import main as extract_main
from lion1b.filter.stage import main as filter_main
from lion1b.pii.stage import main as scrub_main

PARTS = 2
SEQ_LEN = 128
TEST_RATIO = 0.2
LANGS = "en,de,fr,es"  # the demo's Japanese pages are dropped as lang:ja, so the filter drops something
_built: dict[str, Path] = {}


def run_main(module: str, *args: str | Path) -> subprocess.CompletedProcess:
    """A lion1b entry point in its own process, as the drivers run it."""
    proc = subprocess.run([sys.executable, "-c", f"from {module} import main; main()", *map(str, args)],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError(f"{module} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


def _write_raw(data: Path) -> None:
    """The crawl's records for every demo page, split between the parts by URL (no crawl marker: a report
    must cope with a stage that left none)."""
    lines: list[list[str]] = [[] for _ in range(PARTS)]
    for page in site_pages(seed=0):
        record = {"url": page.url, "requested_url": page.url, "status": 200, "fetched_at": "2024-01-01T00:00:00Z",
                  "content_type": "text/html", "encoding": "utf-8", "depth": 1,
                  "sha256": hashlib.sha256(page.html.encode()).hexdigest(), "html": page.html}
        lines[part_of(page.url, PARTS)].append(record_line(record))
    for t in range(PARTS):
        (data / f"raw_html_thread{t}.txt").write_text("".join(lines[t]), encoding="utf-8")


def build(root: Path) -> Path:
    """Run the pipeline into ``root``/data (tokenizer in ``root``/tokenizer); returns the data folder."""
    (root / "data").mkdir(parents=True)
    _write_raw(root / "data")
    return run_stages(root)


def run_stages(root: Path) -> Path:
    """Every stage after the crawl, as finalizedata.sh runs them (a stage whose marker matches is skipped)."""
    data = root / "data"
    work = str(data / "dedupe")

    def shard(name: str, t: int | str, suffix: str = ".txt") -> str:
        return str(data / f"{name}_thread{t}{suffix}")

    def io(src: str, dst: str, t: int) -> list[str]:
        return ["--input", shard(src, t), "--output", shard(dst, t), "--part-id", str(t), "--num-parts", str(PARTS),
                "--quiet"]

    for t in range(PARTS):
        extract_main([*io("raw_html", "extracted", t), "--rejected-output", shard("rejected/extract", t)])
        filter_main([*io("extracted", "filtered", t), "--rejected-output", shard("rejected/filter", t),
                     "--langs", LANGS])
        dedupe_main([*io("filtered", "deduped", t), "--phase", "signatures", "--work-dir", work])
    dedupe_main(["--phase", "cluster", "--input", shard("filtered", "*"), "--num-parts", str(PARTS),
                 "--work-dir", work, "--dup-map", str(data / "dedupe" / "dup_map.jsonl"), "--quiet"])
    for t in range(PARTS):
        dedupe_main([*io("filtered", "deduped", t), "--phase", "write", "--work-dir", work])
        scrub_main(io("deduped", "scrubbed", t))
    model = root / "tokenizer" / "tokenizer.model"
    run_main("lion1b.tokenize.train_tokenizer", "--input", shard("scrubbed", "*"), "--vocab-size", "600",
             "--output", model, "--hf-dir", root / "tokenizer" / "hf", "--quiet")
    for t in range(PARTS):
        run_main("lion1b.tokenize.pack", "--input", shard("scrubbed", t), "--model", model, "--seq-len", str(SEQ_LEN),
                 "--test-ratio", str(TEST_RATIO), "--train-out", shard("train", t, ".seq"),
                 "--test-out", shard("test", t, ".seq"), "--part-id", str(t), "--num-parts", str(PARTS), "--quiet")
    return data


def pipeline_root(tmp_path_factory) -> Path:
    """The session's pipeline output, built on first use; treat it as read-only (copy it to change it)."""
    if "root" not in _built:
        _built["root"] = tmp_path_factory.mktemp("pipeline")
        build(_built["root"])
    return _built["root"]


def pipeline_copy(tmp_path_factory, dest: Path) -> Path:
    """A private copy of the session's pipeline output under ``dest``; returns its root."""
    shutil.copytree(pipeline_root(tmp_path_factory), dest, symlinks=True)
    return dest
