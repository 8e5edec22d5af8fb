"""Near-duplicate drops on real crawled manuals, with and without the records' titles.

Serves installed HTML manuals on loopback, runs the real pipeline (crawl_threaded, extract_text,
filter_data, dedupe) and lists every near-duplicate drop (dropped -> kept, with titles) twice: once with the
``title`` field the extractor writes (the title rule of lion1b/dedup/verify.py applies) and once with it
removed (text rule only). The drops are then judged by reading them (bench/RESULTS.md).

    .venv/bin/python bench/bench_dedup_crawl.py [--site /usr/share/doc/postgresql-doc-15/html=index.html ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SITES = ["/usr/share/doc/postgresql-doc-15/html=index.html"]


def run(script: str, *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / script), "--quiet", *args], check=True)


def crawl(sites: list[str], work: Path) -> Path:
    """Crawls every site (``DIR=START[,START...]``) from its own loopback server; returns the filtered
    records."""
    servers, seeds = [], []
    try:
        for port, site in enumerate(sites, 18900):
            folder, starts = site.split("=", 1)
            servers.append(subprocess.Popen(
                [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port), "--directory", folder],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            seeds += [f"http://127.0.0.1:{port}/{start}" for start in starts.split(",")]
        (work / "seeds.txt").write_text("\n".join(seeds) + "\n")
        subprocess.run([sys.executable, "-c", "import time; time.sleep(1)"], check=True)
        run("crawl_threaded.py", "--seeds", str(work / "seeds.txt"), "--allow-private", "--delay", "0",
            "--max-pages-per-host", "3000", "--output", str(work / "raw.txt"))
    finally:
        for server in servers:
            server.terminate()
            server.wait()
    run("extract_text.py", "--input", str(work / "raw.txt"), "--output", str(work / "text.txt"))
    run("filter_data.py", "--input", str(work / "text.txt"), "--output", str(work / "filtered.txt"))
    return work / "filtered.txt"


def near_drops(records: dict[str, dict], path: Path, work: Path) -> list[tuple[str, str]]:
    """(dropped url, kept url) of every near-duplicate drop of dedupe on ``path``."""
    dup_map = work / "map.jsonl"
    run("dedupe.py", "--input", str(path), "--output", str(work / "out.txt"), "--work-dir", str(work / "w"),
        "--dup-map", str(dup_map), "--force")
    rows = [json.loads(line) for line in dup_map.read_text().splitlines()]
    return [(records[r["id"]]["url"], records[r["kept_id"]]["url"]) for r in rows if r["kind"] == "near_duplicate"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", action="append",
                        help="DIR=START[,START...]: a folder to serve and its start pages (repeatable)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        filtered = crawl(args.site or DEFAULT_SITES, work)
        records = {r["id"]: r for r in map(json.loads, filtered.read_text().splitlines())}
        untitled = work / "untitled.txt"
        untitled.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "title"}, ensure_ascii=False)
                                    + "\n" for r in records.values()))
        for name, path in (("with titles", filtered), ("without titles", untitled)):
            drops = near_drops(records, path, work / name.replace(" ", "_"))
            print(f"## {name}: {len(drops)} near-duplicate drops of {len(records)} documents")
            for dropped, kept in drops:
                print(f"- {dropped} ({records_title(records, dropped)}) -> {kept} ({records_title(records, kept)})")


def records_title(records: dict[str, dict], url: str) -> str:
    return next((str(r.get("title")) for r in records.values() if r["url"] == url), "?")


if __name__ == "__main__":
    main()
