"""Records: JSON Lines in and out, stable ids and hashes, and which records belong to which part."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import xxhash

from lion1b.contract.console import die, log
from lion1b.contract.files import input_files, open_binary
from lion1b.contract.stats import StageStats

MAX_REPORTED_BAD_LINES = 20
SPLITS = ("auto", "file", "records", "bytes")
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


# ----------------------------------------------------------------------------- hashing and ids


def stable_hash(text: str) -> int:
    """64-bit hash that is the same in every process and run (Python's ``hash()`` is salted)."""
    return xxhash.xxh64_intdigest(text.encode("utf-8", "surrogatepass"))


def part_of(key: str, num_parts: int) -> int:
    """The part that owns ``key`` (a host, a document id): a stable hash modulo the number of parts."""
    return stable_hash(key) % num_parts


def record_id(url: str) -> str:
    """Stable document id from its final URL, so a packed sequence can be traced back to its page."""
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:16]


# ----------------------------------------------------------------------------- one line


class MalformedInput(Exception):
    """A line that is not a usable record (bad JSON, missing field, wrong type)."""


def _repair_surrogates(value: Any) -> tuple[Any, int]:
    """Lone UTF-16 surrogates (legal as JSON escapes, not encodable as UTF-8) become U+FFFD, so no later
    stage, tokenizer or hash meets a string it cannot encode."""
    if isinstance(value, str):
        fixed, n = _LONE_SURROGATE.subn("\ufffd", value)
        return fixed, n
    if isinstance(value, dict):
        total = 0
        out = {}
        for key, item in value.items():
            key, n_key = _repair_surrogates(key)
            out[key], n = _repair_surrogates(item)
            total += n + n_key
        return out, total
    if isinstance(value, list):
        fixed_items = [_repair_surrogates(item) for item in value]
        return [item for item, _ in fixed_items], sum(n for _, n in fixed_items)
    return value, 0


def parse_record(line: bytes | str, required: dict[str, type],
                 stats: StageStats | None = None) -> dict[str, Any]:
    """One JSON Lines record, checked for the fields a stage needs; :class:`MalformedInput` otherwise.
    Lone surrogates are repaired here, at the first stage that reads them, and counted."""
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        record = json.loads(text)
    except UnicodeDecodeError:
        raise MalformedInput("invalid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"bad JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise MalformedInput(f"expected a JSON object, got {type(record).__name__}")
    raw = line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")
    if _ESCAPED_SURROGATE.search(raw):
        record, repaired = _repair_surrogates(record)
        if repaired and stats is not None:
            stats.count("repaired_surrogates", repaired)
    for field, kind in required.items():
        if field not in record:
            raise MalformedInput(f"missing field {field!r}")
        if not isinstance(record[field], kind) or (isinstance(record[field], bool) and kind is not bool):
            raise MalformedInput(f"field {field!r} should be {kind.__name__}, got {type(record[field]).__name__}")
    return record


def record_line(record: dict[str, Any]) -> str:
    """The one JSON-line encoder of the project: readable UTF-8; a string with a lone surrogate (legal as a
    JSON escape, not encodable as UTF-8) falls back to escaped output instead of killing the stage."""
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record)
    return line + "\n"


def write_record(handle: IO[str], record: dict[str, Any]) -> None:
    handle.write(record_line(record))


def open_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """All well-formed records of one file (for tests and tools that want no part logic)."""
    with open_binary(path) as handle:
        for line in handle:
            if line.strip():
                with contextlib.suppress(MalformedInput):
                    yield parse_record(line, {})


# ----------------------------------------------------------------------------- parts


def names_part(path: str, part_id: int | None = None) -> bool:
    """True when a file name carries a part id (this ``part_id`` when given), e.g. ``extracted_thread3.txt``
    or ``part-00003.jsonl``."""
    match = re.search(r"(?:thread|part)[-_]?(\d+)(?!\d)", Path(path).name)
    return match is not None and (part_id is None or int(match.group(1)) == part_id)


def split_mode(args: argparse.Namespace, files: list[str]) -> str:
    """How this part takes its share of ``files``: "file" (whole), "records" (every N-th line) or "bytes"
    (a contiguous byte range of the files laid end to end, cut at line starts).

    ``auto`` takes a single input whole only when its name carries this part's id; a single file named
    for *another* part is an error, never a silent overlap (part 1 taking ``x_part-00001`` whole while
    part 0 splits it would write records twice)."""
    if args.num_parts == 1:
        return "file"
    if args.split == "file" and len(files) != 1:
        die(f"--split file needs exactly one input file for the part, got {len(files)}")
    if args.split != "auto":
        return args.split
    if len(files) == 1 and names_part(files[0]):
        if names_part(files[0], args.part_id):
            return "file"
        die(f"{files[0]} is named for another part than --part-id {args.part_id}; give this part its own "
            "file, or --split records (or bytes) to share one file between all parts")
    return "records"


def _byte_range(files: list[str], part_id: int, num_parts: int) -> tuple[int, int]:
    total = sum(os.path.getsize(f) for f in files)
    return total * part_id // num_parts, total * (part_id + 1) // num_parts


def _lines_in_range(path: str, start: int, end: int) -> Iterator[tuple[str, bytes]]:
    """(where, line) of the lines of an uncompressed file that *start* inside [start, end); ``where`` is a
    byte offset, so finding the range never reads the file before it."""
    with open(path, "rb") as handle:
        if start > 0:
            handle.seek(start - 1)
            if handle.read(1) != b"\n":
                handle.readline()  # the line that started before the range belongs to the part before
        position = handle.tell()
        while position < end:
            line = handle.readline()
            if not line:
                return
            yield f"byte {position}", line
            position += len(line)


def _part_files(args: argparse.Namespace, files: list[str],
                mode: str) -> Iterator[tuple[str, Iterator[tuple[str, bytes]]]]:
    """Per input file, (path, its lines of this part as (where, line)); compressed files are read whole."""
    if mode == "bytes":
        if any(f.endswith((".gz", ".zst")) for f in files):
            die("--split bytes needs uncompressed inputs (a compressed file cannot be cut at a byte offset); "
                "use --split records")
        start, end = _byte_range(files, args.part_id, args.num_parts)
        offset = 0
        for path in files:
            size = os.path.getsize(path)
            if offset + size > start and offset < end:
                yield path, _lines_in_range(path, max(0, start - offset), end - offset)
            offset += size
        return
    counter = [-1]  # record index across all files, for --split records

    def lines(path: str) -> Iterator[tuple[str, bytes]]:
        with open_binary(path) as handle:
            for lineno, line in enumerate(handle, 1):
                counter[0] += 1
                if mode == "records" and counter[0] % args.num_parts != args.part_id:
                    continue
                yield str(lineno), line

    for path in files:
        yield path, lines(path)


def iter_part_records(args: argparse.Namespace, stats: StageStats,
                      required: dict[str, type]) -> Iterator[dict[str, Any]]:
    """Yield this part's records, parsed and checked. Malformed lines are counted and reported with file and
    line (``--strict`` stops instead). Parts 0..N-1 together see every line exactly once. A truncated or
    corrupt compressed file keeps what was read, counts ``unreadable_file`` and the next file is read."""
    files = input_files(args.input)
    mode = split_mode(args, files)
    for path, lines in _part_files(args, files, mode):
        where = "0"
        try:
            for where, line in lines:
                if not line.strip():
                    continue
                stats.n_in += 1
                try:
                    yield parse_record(line, required, stats)
                except MalformedInput as exc:
                    _report_malformed(args, stats, f"{path}:{where}: {exc}")
        except (EOFError, OSError, zlib.error) as exc:
            stats.drop("unreadable_file")
            if args.strict:
                die(f"cannot read {path} after line {where}: {exc}")
            log(f"warning: stopped reading {path} after line {where}: {exc}")


def _report_malformed(args: argparse.Namespace, stats: StageStats, where: str) -> None:
    stats.drop("malformed")
    if args.strict:
        die(f"malformed input at {where} (--strict)")
    if args.verbose or stats.dropped["malformed"] <= MAX_REPORTED_BAD_LINES:
        log(f"warning: skipped malformed line {where}")
    elif stats.dropped["malformed"] == MAX_REPORTED_BAD_LINES + 1:
        log("warning: more malformed lines; counting them silently (--verbose lists all)")
