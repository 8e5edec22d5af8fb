"""Take a source down: remove its documents from every shard, re-pack only the affected parts' .seq files with
the options they were packed with, prove no sequence holds a token from it, and record the takedown.

    python scripts/takedown.py --url https://example.org/page.html [--url ...] [--reason "owner request"]
    python scripts/takedown.py --host example.org          # the host and its subdomains; host:port for one port
    python scripts/takedown.py --list removals.txt         # one URL or host per line, # comments

Every shard is cleaned, not only the final text: raw_html, outlinks, extracted, filtered, deduped and scrubbed
(plus rejected records and dedupe's duplicate map), so re-running any stage of finalizedata.sh cannot bring
the documents back. Then the parts whose text changed are re-packed (tokenize_and_pack --force, same tokenizer,
seq_len, BOS policy, test ratio and part count: recovered from the .seq headers and markers, see
lion1b/export/packing.py), ``count_tokens --verify`` checks every .seq file and the provenance index of every
file is searched for the removed ids. The takedown is appended to data/takedowns.jsonl, which the run report
and the dataset card show. See docs/report.md for what a re-run does afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from lion1b.contract import MARKER_SUFFIX, ArgumentParser, atomic_write, die, log, open_binary, record_id, record_line
from lion1b.contract.files import content_stamp
from lion1b.export.packing import check_split, pack_settings
from lion1b.report.collect import iter_jsonl, part_files, part_name
from lion1b.tokenize.seqfile import SeqFile, SeqFormatError

# Kinds of shard (lion1b/config.py FILES) holding records with a url, in pipeline order; outlinks are the
# crawl's links still to fetch.
SHARDS = ("raw_html", "outlinks", "extracted", "filtered", "deduped", "scrubbed")


def normalize_url(url: str) -> str:
    """Scheme and host lower-cased, fragment dropped, empty path as "/": how the crawler's URLs compare."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


@dataclass
class Targets:
    urls: set[str] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)

    def matches(self, url: Any) -> bool:
        if not isinstance(url, str) or not url:
            return False
        if normalize_url(url) in self.urls:
            return True
        try:
            parts = urlsplit(url)
            netloc, host = parts.netloc.lower(), (parts.hostname or "").rstrip(".")
        except ValueError:
            return False
        return any(netloc == h if ":" in h else (host == h or host.endswith("." + h)) for h in self.hosts)


def read_targets(urls: list[str], hosts: list[str], list_file: str | None) -> Targets:
    targets = Targets({normalize_url(u) for u in urls}, {h.strip().lower().rstrip(".") for h in hosts})
    if list_file:
        try:
            lines = Path(list_file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            die(f"--list: cannot read {list_file}: {exc.strerror or exc}")
        for line in (raw.split("#", 1)[0].strip() for raw in lines):
            if "://" in line:
                targets.urls.add(normalize_url(line))
            elif line:
                targets.hosts.add(line.lower().rstrip("."))
    if any(not h or "/" in h for h in targets.hosts):
        die("--host takes a host name (example.org or host:port), not a URL or path; use --url for pages")
    if not targets.urls and not targets.hosts:
        die("nothing to take down: give --url, --host or --list")
    return targets


def _matching(record: dict[str, Any], targets: Targets, ids: set[str]) -> bool:
    return (targets.matches(record.get("url")) or targets.matches(record.get("requested_url"))
            or record.get("id") in ids)


def _needles(targets: Targets) -> list[bytes]:
    """Byte strings one of which a matching line must contain: the hosts of the targets. Every record of every
    shard carries its url (the contract), so lines without any are kept unparsed and a crawl shard of many GB
    is scanned at memory speed. (Crawled URLs are canonical, host in lower case, as the targets are.)"""
    return sorted({n.encode("utf-8") for n in {*targets.hosts, *(urlsplit(u).netloc for u in targets.urls)} if n})


def clean_file(path: Path, targets: Targets, ids: set[str], dry_run: bool) -> int:
    """Drop the matching records of one JSON Lines file (rewritten atomically, streamed: memory stays flat
    whatever its size); returns how many. The ids of removed records are added to ``ids``, so later files
    (and dedupe's map) lose them too."""
    matched: set[int] = set()
    needles = _needles(targets)
    with open_binary(path) as handle:
        for index, line in enumerate(handle):
            if not any(needle in line for needle in needles):
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue  # not ours to judge: the stages report malformed lines
            if isinstance(record, dict) and _matching(record, targets, ids):
                matched.add(index)
                if isinstance(record.get("id"), str):
                    ids.add(record["id"])
                if isinstance(record.get("url"), str):
                    ids.add(record_id(record["url"]))
    if matched and not dry_run:
        with open_binary(path) as handle, atomic_write(path, "wb") as out:
            out.writelines(line for index, line in enumerate(handle) if index not in matched)
    return len(matched)


def _located(marker_path: Path, output: str, recorded_dir: str) -> Path:
    """An output as its marker names it, read relative to where the marker is (as lion1b/tokenize/markers.py
    does), so a data folder that was moved or copied whole still resolves."""
    return marker_path.parent / os.path.relpath(output, recorded_dir or ".")


def restamp_markers(data: Path, cleaned: set[Path]) -> list[Path]:
    """Renew the content stamps of every marker with a cleaned output; returns the markers changed.

    A marker counts only while its outputs are byte for byte what the stage wrote (docs/contract.md), so without
    this the next run would take a cleaned shard for hand-edited and redo its stage: for the crawl, fetching
    the removed pages again. The stats stay as the stage reported them; the report shows the difference."""
    done = {p.resolve() for p in cleaned}
    changed = []
    for marker_path in sorted([*data.glob(f"*{MARKER_SUFFIX}"), *data.glob(f"*/*{MARKER_SUFFIX}")]):
        try:
            marker = json.loads(marker_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(marker, dict) or not isinstance(marker.get("output_stamps"), list):
            continue
        outputs = [str(o) for o in marker.get("outputs", [])]
        located = [_located(marker_path, o, os.path.dirname(outputs[0])) for o in outputs]
        if not any(p.resolve() in done for p in located):
            continue
        marker["output_stamps"] = [[o, *content_stamp(p)[1:]] for o, p in zip(outputs, located, strict=True)]
        with atomic_write(marker_path) as handle:
            json.dump(marker, handle, indent=1)
        changed.append(marker_path)
    return changed


def _python(module_main: str, args: list[str]) -> subprocess.CompletedProcess:
    """Run a lion1b entry point in a fresh interpreter (its own argv, its own exit status)."""
    module, func = module_main.rsplit(".", 1)
    code = f"from {module} import {func}; {func}()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)


def seq_holding(data: Path, ids: set[str]) -> dict[str, int]:
    """{.seq path: number of sequences with a token from ``ids``}, over every .seq file in ``data``."""
    found: dict[str, int] = {}
    for split in ("train", "test"):
        for path in part_files(data, f"{split}_seq").values():
            seq = SeqFile(path)
            table = seq.document_ids()
            bad = {j for j, doc in enumerate(table) if doc in ids}
            if bad:  # rows whose provenance points at a removed document
                found[str(path)] = sum(1 for i in range(len(seq)) if set(seq.sources(i)) & ids)
    return found


def takedown(data_dir: str | Path, targets: Targets, model: str, test_ratio: float | None, reason: str,
             dry_run: bool = False, jobs: int = 1) -> dict[str, Any]:
    """Remove the targets everywhere, re-pack the affected parts (``jobs`` at a time), verify, record."""
    data = Path(data_dir)
    has_seq = bool(part_files(data, "train_seq"))
    settings = pack_settings(data, model, test_ratio) if has_seq else None
    if settings:
        check_split(data, settings)  # before anything changes: the split must be reproducible
    ids: set[str] = set()
    removed: Counter[str] = Counter()
    affected: set[int] = set()
    final = {path: part for part, path in part_files(data, "scrubbed").items()}
    files = [p for kind in SHARDS for p in part_files(data, kind).values() if p.exists()]
    files += sorted((data / "rejected").glob("*_thread*.txt")) if (data / "rejected").is_dir() else []
    docs_removed = 0
    for path in files:
        n = clean_file(path, targets, ids, dry_run)
        if n:
            removed[str(path)] = n
            log(f"[takedown] {path}: {n} record(s) {'would be ' if dry_run else ''}removed")
            if path in final:
                affected.add(final[path])
                docs_removed += n
    dup_map = data / "dedupe" / "dup_map.jsonl"
    if dup_map.exists():
        n = _clean_dup_map(dup_map, ids, dry_run)
        if n:
            removed[str(dup_map)] = n
            log(f"[takedown] {dup_map}: {n} entr{'y' if n == 1 else 'ies'} {'would be ' if dry_run else ''}removed")
    if not dry_run:
        restamp_markers(data, {Path(p) for p in removed})
    if has_seq:  # a part whose .seq holds a removed id is rebuilt too, whatever its text shard said
        for split in ("train", "test"):
            for part, path in part_files(data, f"{split}_seq").items():
                if ids & set(SeqFile(path).document_ids()):
                    affected.add(part)
    result = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "reason": reason,
              "urls_requested": sorted(targets.urls), "hosts_requested": sorted(targets.hosts),
              "documents_removed": docs_removed, "records_removed": dict(removed), "ids": sorted(ids),
              "parts_rebuilt": sorted(affected), "dry_run": dry_run}
    if dry_run:
        return result
    if settings and affected:
        parts = sorted(affected)
        with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(parts)))) as pool:  # each a separate process
            procs = dict(zip(parts, pool.map(lambda part: _python("lion1b.tokenize.pack.main", [
                *settings.pack_args(data, part), "--force", "--quiet"]), parts), strict=True))
        for part, proc in procs.items():
            if proc.returncode != 0:
                die(f"re-packing part {part} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
            log(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"part {part} re-packed")
    result["verified"] = verify(data, ids) if has_seq else True
    _append_record(data / "takedowns.jsonl", result)
    return result


def _clean_dup_map(path: Path, ids: set[str], dry_run: bool) -> int:
    """Dedupe's map loses the removed documents as duplicates; pairs whose kept document was removed stay,
    since the duplicate itself was never in the text (a re-run of dedupe may now keep it: docs/report.md)."""
    entries = list(iter_jsonl(path))
    kept = [entry for entry in entries if entry.get("id") not in ids]
    if len(kept) != len(entries) and not dry_run:
        with atomic_write(path) as handle:
            handle.writelines(record_line(entry) for entry in kept)
    return len(entries) - len(kept)


def count_tokens(argv: list[str]) -> dict[str, Any]:
    """count_tokens run as its command runs (same code, same checks), its --json result captured."""
    from lion1b.tokenize.count import main as count_main

    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            count_main(argv)
    except SystemExit as exc:  # 1: a file failed its check (listed in the JSON); 2: it could not run at all
        if exc.code not in (0, 1, None):
            return {"errors": [{"error": f"count_tokens exited with {exc.code}"}], "total": {}}
    return json.loads(out.getvalue())


def verify(data: Path, ids: set[str]) -> bool:
    """count_tokens --verify over every .seq file, then the provenance index: no row may name a removed id."""
    ok = True
    for split in ("train", "test"):
        if not part_files(data, f"{split}_seq"):
            continue
        counted = count_tokens(["--input", str(data / part_name(f"{split}_seq", "*")), "--verify", "--json"])
        if counted["errors"]:
            ok = False
            for error in counted["errors"]:
                log(f"error: count_tokens --verify: {error['error']}")
        else:
            log(f"[takedown] count_tokens --verify {split}: {counted['total']['files']} file(s), "
                f"{counted['total']['n_sequences']:,} sequences, {counted['total']['n_tokens']:,} tokens: OK")
    try:
        holding = seq_holding(data, ids)
    except SeqFormatError as exc:
        log(f"error: {exc}")
        return False
    for path, rows in holding.items():
        ok = False
        log(f"error: {path}: {rows} sequence(s) still hold tokens from a removed document")
    if not holding:
        log(f"[takedown] provenance: no sequence in any .seq file holds a token from the {len(ids)} removed id(s)")
    return ok


def _append_record(path: Path, entry: dict[str, Any]) -> None:
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    with atomic_write(path) as handle:
        handle.write(previous + record_line(entry))


def main(argv: list[str] | None = None) -> None:
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", action="append", default=[], help="a page to remove (repeatable)")
    parser.add_argument("--host", action="append", default=[],
                        help="a host to remove with its subdomains; host:port for one port only (repeatable)")
    parser.add_argument("--list", help="file of URLs and hosts, one per line")
    parser.add_argument("--data-dir", "--data_dir", default="data", help="the pipeline's data folder")
    parser.add_argument("--model", default="tokenizer/tokenizer.model",
                        help="the tokenizer the .seq files were packed with (checked by fingerprint)")
    parser.add_argument("--test-ratio", "--test_ratio", type=float, default=None,
                        help="the packer's --test_ratio (default: recovered from the .seq files and markers)")
    parser.add_argument("--reason", default="", help="why, for the record (e.g. 'site owner request 2024-05-01')")
    parser.add_argument("--dry-run", action="store_true", help="show what would be removed; change nothing")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parts re-packed at once")
    parser.add_argument("--no-report", action="store_true", help="do not rebuild <data-dir>/report afterwards")
    args = parser.parse_args(argv)
    data = Path(args.data_dir)
    if not data.is_dir():
        die(f"--data-dir: no such folder: {data}")
    targets = read_targets(args.url, args.host, args.list)
    if args.jobs < 1:
        die(f"--jobs must be at least 1 (got {args.jobs})")
    result = takedown(data, targets, args.model, args.test_ratio, args.reason, args.dry_run, args.jobs)
    if not result["records_removed"]:
        log("[takedown] no record matched; nothing changed in the shards")
    if args.dry_run:
        return
    log(f"[takedown] {result['documents_removed']} document(s) removed from the final text; parts re-packed: "
        f"{', '.join(map(str, result['parts_rebuilt'])) or 'none'}; recorded in {data / 'takedowns.jsonl'}")
    if not args.no_report and (data / "report").is_dir():
        from lion1b.report.cli import build_report

        build_report(data, data / "report")
        log(f"[takedown] report rebuilt: {data / 'report' / 'index.html'}")
    if not result["verified"]:
        die("verification failed: see the errors above", code=1)
