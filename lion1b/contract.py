"""The stage contract: everything a lion1b stage shares, so a stage script holds only its own rule.

Every stage reads JSON Lines, handles one part of the data (``--part-id/--num-parts``), writes its output
atomically with a completion marker, counts what it drops and why, and ends with one summary line.
Record→record stages subclass :class:`MapStage` and call :func:`run_map_stage`; the others (crawl,
dedupe, tokenize, count) use the lower-level pieces below.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import io
import json
import multiprocessing
import os
import re
import sys
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import IO, Any, NoReturn

import xxhash
from tqdm import tqdm

MARKER_SUFFIX = ".done"
MAX_REPORTED_BAD_LINES = 20
BATCH_SIZE = 64  # records per task sent to a worker process: amortises pickling without hurting ordering


# ----------------------------------------------------------------------------- logging


def log(msg: str) -> None:
    """Everything human-facing goes to stderr, so stdout stays free for data (e.g. ``--json``)."""
    print(msg, file=sys.stderr, flush=True)


def die(msg: str, code: int = 2) -> NoReturn:
    """A clear one-line error instead of a traceback."""
    log(f"error: {msg}")
    raise SystemExit(code)


# ----------------------------------------------------------------------------- hashing and ids


def stable_hash(text: str) -> int:
    """64-bit hash that is the same in every process and run (Python's ``hash()`` is salted)."""
    return xxhash.xxh64_intdigest(text.encode("utf-8"))


def part_of(key: str, num_parts: int) -> int:
    """The part that owns ``key`` (a host, a document id): a stable hash modulo the number of parts."""
    return stable_hash(key) % num_parts


def record_id(url: str) -> str:
    """Stable document id from its final URL, so a packed sequence can be traced back to its page."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


# ----------------------------------------------------------------------------- files


def open_binary(path: str | Path, mode: str = "rb") -> IO[bytes]:
    """Open a file as bytes, (de)compressing ``.gz`` and ``.zst`` by extension."""
    path = str(path)
    if path.endswith(".gz"):
        return gzip.open(path, mode)  # type: ignore[return-value]
    if path.endswith(".zst"):
        import zstandard

        raw = open(path, mode)  # noqa: SIM115 - closed through the zstd stream
        if "r" in mode:
            return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True))
        return zstandard.ZstdCompressor().stream_writer(raw, closefd=True)  # type: ignore[return-value]
    return open(path, mode)


def open_text(path: str | Path, mode: str = "r") -> IO[str]:
    """Open a UTF-8 text file, (de)compressing ``.gz`` and ``.zst`` by extension."""
    return io.TextIOWrapper(open_binary(path, mode + "b"), encoding="utf-8", newline="\n")


def _temp_path(path: Path) -> Path:
    # The temp name keeps the extension last so compression is chosen by it, and carries the pid so two
    # writers never share a temp file.
    return path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write to a temp file and rename it into place only on success, so a crash never leaves a file
    that looks complete. ``mode`` is "w" (text, compressed by extension) or "wb" (raw bytes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_path(path)
    try:
        with open(tmp, "wb") if mode == "wb" else open_text(tmp, "w") as handle:
            yield handle
            handle.flush()
        with open(tmp, "rb") as done:
            os.fsync(done.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def input_files(pattern: str) -> list[str]:
    """Files named by a path or a glob, in a fixed (sorted) order; a clear error when there are none."""
    files = sorted(glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]
    files = [f for f in files if not f.endswith(MARKER_SUFFIX)]
    if not files or not all(os.path.isfile(f) for f in files):
        missing = [f for f in files if not os.path.isfile(f)] or [pattern]
        die(f"input not found: {missing[0]}")
    return files


# ----------------------------------------------------------------------------- statistics and progress


class StageStats:
    """Counts for the summary line and the completion marker: records in/out, drops by reason, extras."""

    def __init__(self) -> None:
        self.n_in = 0
        self.n_out = 0
        self.dropped: Counter[str] = Counter()
        self.counters: Counter[str] = Counter()

    def drop(self, reason: str, n: int = 1) -> None:
        self.dropped[reason] += n

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] += n

    def as_dict(self) -> dict[str, Any]:
        return {"in": self.n_in, "out": self.n_out, "dropped": dict(sorted(self.dropped.items())),
                "counters": dict(sorted(self.counters.items()))}

    def summary(self, stage: str, seconds: float, unit: str = "docs") -> str:
        dropped = " ".join(f"{k}={v}" for k, v in sorted(self.dropped.items())) or "none"
        extra = "".join(f" {k}={v}" for k, v in sorted(self.counters.items()))
        rate = self.n_in / seconds if seconds > 0 else 0.0
        return (f"[{stage}] in={self.n_in} out={self.n_out} dropped: {dropped}{extra} "
                f"| {seconds:.1f}s {rate:,.0f} {unit}/s")


def progress_bar(unit: str = "docs", quiet: bool = False, total: int | None = None,
                 desc: str | None = None) -> tqdm:
    """A tqdm bar on a terminal, a rate line every 10 s otherwise (logs of batch jobs stay readable)."""
    interactive = sys.stderr.isatty()
    return tqdm(unit=unit, total=total, desc=desc, file=sys.stderr, disable=quiet, dynamic_ncols=True,
                mininterval=0.5 if interactive else 10.0, ascii=not interactive, smoothing=0.1,
                unit_scale=True)


def progress(iterable: Iterable[Any], unit: str = "docs", quiet: bool = False,
             total: int | None = None, desc: str | None = None) -> Iterable[Any]:
    """Wrap an iterable in :func:`progress_bar`."""
    bar = progress_bar(unit=unit, quiet=quiet, total=total, desc=desc)
    for item in iterable:
        yield item
        bar.update(1)
    bar.close()


# ----------------------------------------------------------------------------- arguments and parts


def add_common_arguments(parser: argparse.ArgumentParser, *, records_input: bool = True, output: bool = True,
                         threads_help: str = "worker processes for CPU-bound work") -> None:
    """The flags every stage shares; a stage adds its own beside them. ``records_input=False`` is for the
    crawl, whose input is seed URLs rather than JSON Lines records."""
    group = parser.add_argument_group("stage contract")
    if records_input:
        group.add_argument("--input", required=True, help="input file or glob (JSON Lines; .gz/.zst by extension)")
    if output:
        group.add_argument("--output", help="output file (default: the stage's per-part file in data/)")
    group.add_argument("--part-id", type=int, default=0, help="which part this process handles (0-based)")
    group.add_argument("--num-parts", type=int, default=1, help="how many parts the data is split into")
    if records_input:
        group.add_argument("--split", choices=["auto", "file", "records"], default="auto",
                           help="file: the input is this part's own file; records: take every num-parts-th "
                                "record of the input; auto: 'file' when the single input's name carries the part "
                                "id (e.g. _thread3.), else 'records'")
        group.add_argument("--strict", action="store_true", help="a malformed input line is an error, not a skip")
    group.add_argument("--threads", type=int, default=1, help=threads_help)
    group.add_argument("--force", action="store_true", help="run even if a valid completion marker exists")
    verbosity = group.add_mutually_exclusive_group()
    verbosity.add_argument("--quiet", action="store_true", help="no progress, only the summary line")
    verbosity.add_argument("--verbose", action="store_true", help="report every problem, not only the first ones")


def check_common_arguments(args: argparse.Namespace) -> None:
    """Reject impossible part settings with a message instead of silently processing the wrong data."""
    if args.num_parts < 1:
        die(f"--num-parts must be at least 1 (got {args.num_parts})")
    if not 0 <= args.part_id < args.num_parts:
        die(f"--part-id must be in 0..{args.num_parts - 1} for --num-parts {args.num_parts} (got {args.part_id})")
    if args.threads < 1:
        die(f"--threads must be at least 1 (got {args.threads})")


def names_part(path: str, part_id: int) -> bool:
    """True when a file name carries this part's id, e.g. ``extracted_thread3.txt`` or ``part-00003.jsonl``."""
    return re.search(rf"(thread|part)[-_]?0*{part_id}(?!\d)", Path(path).name) is not None


def part_files(args: argparse.Namespace) -> tuple[list[str], bool]:
    """The files this part reads, and whether it must take only every num-parts-th record of them."""
    files = input_files(args.input)
    if args.num_parts == 1:
        return files, False
    whole_file = args.split == "file" or (args.split == "auto" and len(files) == 1
                                          and names_part(files[0], args.part_id))
    if args.split == "file" and len(files) != 1:
        die(f"--split file needs exactly one input file for the part, got {len(files)}")
    return files, not whole_file


# ----------------------------------------------------------------------------- reading records


class MalformedInput(Exception):
    """A line that is not a usable record (bad JSON, missing field, wrong type)."""


def parse_record(line: bytes | str, required: dict[str, type]) -> dict[str, Any]:
    """One JSON Lines record, checked for the fields a stage needs; :class:`MalformedInput` otherwise."""
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        record = json.loads(text)
    except UnicodeDecodeError:
        raise MalformedInput("invalid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"bad JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise MalformedInput(f"expected a JSON object, got {type(record).__name__}")
    for field, kind in required.items():
        if field not in record:
            raise MalformedInput(f"missing field {field!r}")
        if not isinstance(record[field], kind) or (isinstance(record[field], bool) and kind is not bool):
            raise MalformedInput(f"field {field!r} should be {kind.__name__}, got {type(record[field]).__name__}")
    return record


def iter_part_records(args: argparse.Namespace, stats: StageStats,
                      required: dict[str, type]) -> Iterator[dict[str, Any]]:
    """Yield this part's records, parsed and checked. Malformed lines are counted and reported as
    file:line (``--strict`` stops instead). Record-level selection is by line number across the sorted
    input files, so parts 0..N-1 together see every line exactly once."""
    files, by_record = part_files(args)
    index = -1
    for path in files:
        lineno = 0
        try:
            with open_binary(path) as handle:
                for lineno, line in enumerate(handle, 1):
                    index += 1
                    if (by_record and index % args.num_parts != args.part_id) or not line.strip():
                        continue
                    stats.n_in += 1
                    try:
                        yield parse_record(line, required)
                    except MalformedInput as exc:
                        _report_malformed(args, stats, f"{path}:{lineno}: {exc}")
        except (EOFError, OSError, zlib.error) as exc:
            # A truncated .gz or an unreadable file: what was read stays processed, the rest is reported.
            stats.drop("unreadable_file")
            if args.strict:
                die(f"cannot read {path} after line {lineno}: {exc}")
            log(f"warning: stopped reading {path} after line {lineno}: {exc}")


def _report_malformed(args: argparse.Namespace, stats: StageStats, where: str) -> None:
    stats.drop("malformed")
    if args.strict:
        die(f"malformed input at {where} (--strict)")
    if args.verbose or stats.dropped["malformed"] <= MAX_REPORTED_BAD_LINES:
        log(f"warning: skipped malformed line {where}")
    elif stats.dropped["malformed"] == MAX_REPORTED_BAD_LINES + 1:
        log("warning: more malformed lines; counting them silently (--verbose lists all)")


def open_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """All well-formed records of one file (for tests and tools that want no part logic)."""
    with open_binary(path) as handle:
        for line in handle:
            if line.strip():
                with contextlib.suppress(MalformedInput):
                    yield parse_record(line, {})


# ----------------------------------------------------------------------------- completion marker


class Completion:
    """The ``<output>.done`` marker: written last, it holds the stats and a fingerprint of the inputs
    (path, size, mtime) and the options, so an unchanged re-run is skipped and a changed one is not."""

    IGNORED_OPTIONS = {"force", "quiet", "verbose", "threads", "strict"}

    def __init__(self, outputs: list[str | Path], args: argparse.Namespace, stage: str,
                 inputs: list[str] | None = None) -> None:
        """``inputs`` defaults to the ``--input`` file or glob."""
        self.outputs = [Path(p) for p in outputs]
        self.marker = Path(str(self.outputs[0]) + MARKER_SUFFIX)
        options = {k: v for k, v in sorted(vars(args).items()) if k not in self.IGNORED_OPTIONS}
        patterns = inputs if inputs is not None else [args.input]
        inputs = []
        for pattern in patterns:
            for path in sorted(glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]:
                with contextlib.suppress(OSError):
                    st = os.stat(path)
                    inputs.append([path, st.st_size, st.st_mtime_ns])
        # Files named by options (keyword lists, a tokenizer) count too: editing one must redo the stage.
        option_files = []
        not_options = {*map(str, patterns), *map(str, self.outputs)}
        for value in options.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item not in not_options and os.path.isfile(item):
                    st = os.stat(item)
                    option_files.append([item, st.st_size, st.st_mtime_ns])
        blob = json.dumps({"stage": stage, "options": options, "inputs": inputs, "option_files": option_files},
                          sort_keys=True, default=str)
        self.fingerprint = hashlib.sha256(blob.encode()).hexdigest()
        self.stage = stage

    def is_done(self) -> bool:
        """A marker counts only if it matches this run's fingerprint and every output still exists."""
        try:
            marker = json.loads(self.marker.read_text())
        except (OSError, ValueError):
            return False
        return marker.get("fingerprint") == self.fingerprint and all(p.exists() for p in self.outputs)

    def invalidate(self) -> None:
        self.marker.unlink(missing_ok=True)

    def write(self, stats: StageStats, seconds: float) -> None:
        payload = {"stage": self.stage, "fingerprint": self.fingerprint, "outputs": [str(p) for p in self.outputs],
                   "stats": stats.as_dict(), "seconds": round(seconds, 3), "finished_at": time.time()}
        with atomic_write(self.marker) as handle:
            json.dump(payload, handle, indent=1)


# ----------------------------------------------------------------------------- record→record stages


@dataclass(frozen=True)
class Drop:
    """Returned by :meth:`MapStage.process` to drop a record; ``reason`` is counted in the summary."""

    reason: str


class MapStage:
    """One record in, one record (or a :class:`Drop`) out — the shape of extract, filter and scrub.

    Subclasses set ``name`` and ``required`` and implement ``process``; heavy state (models) is loaded
    in ``setup``, which runs once in every worker process."""

    name = "stage"
    required: dict[str, type] = {"id": str, "url": str, "text": str}
    default_output = "data/{name}_thread{part}.txt"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """The stage's own flags (none by default)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    def setup(self) -> None:
        """Load per-process state (models, automata)."""

    def process(self, record: dict[str, Any]) -> dict[str, Any] | Drop:
        raise NotImplementedError


_worker_stage: MapStage | None = None


def _init_worker(stage: MapStage) -> None:
    global _worker_stage
    _worker_stage = stage
    stage.setup()


def _safe_process(stage: MapStage, record: dict[str, Any]) -> dict[str, Any] | Drop:
    # A rule that fails on one odd document must cost that document, never the worker or the run.
    try:
        return stage.process(record)
    except (RecursionError, MemoryError, ValueError, TypeError, KeyError, IndexError, UnicodeError,
            AttributeError, AssertionError) as exc:
        return Drop(f"error:{type(exc).__name__}")


def _process_batch(batch: list[dict[str, Any]]) -> list[tuple[dict[str, Any] | Drop, dict[str, Any] | None]]:
    """Process a batch in a worker; a dropped record travels back with its Drop for ``--rejected-output``."""
    assert _worker_stage is not None
    results = []
    for record in batch:
        result = _safe_process(_worker_stage, record)
        results.append((result, record if isinstance(result, Drop) else None))
    return results


def _batched(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def record_line(record: dict[str, Any]) -> str:
    """One JSON line, readable UTF-8; a string with a lone surrogate (legal as a JSON escape, not
    encodable as UTF-8) falls back to escaped output instead of killing the stage."""
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record)
    return line + "\n"


def write_record(handle: IO[str], record: dict[str, Any]) -> None:
    handle.write(record_line(record))


def run_map_stage(stage_cls: type[MapStage], description: str, argv: list[str] | None = None) -> None:
    """Parse the common and the stage's flags, run the stage over this part, write output + marker.

    ``--threads`` starts worker *processes*: extraction, language ID and regex scrubbing are CPU-bound
    pure Python under the GIL, so threads would not add throughput. Output order equals input order
    whatever the number of workers, so runs are reproducible."""
    parser = argparse.ArgumentParser(description=description)
    add_common_arguments(parser)
    parser.add_argument("--rejected-output", help="also write dropped records with a 'drop_reason' field (audits)")
    stage_cls.add_arguments(parser)
    args = parser.parse_args(argv)
    check_common_arguments(args)
    name = stage_cls.name
    output = args.output or stage_cls.default_output.format(name=name, part=args.part_id)
    outputs = [output] + ([args.rejected_output] if args.rejected_output else [])
    completion = Completion(outputs, args, name)
    if completion.is_done() and not args.force:
        log(f"[{name}] {output} is complete for these inputs and options ({completion.marker}); "
            "skipping (use --force to redo)")
        return
    completion.invalidate()

    stage = stage_cls(args)
    stats = StageStats()
    start = time.monotonic()
    records = iter_part_records(args, stats, stage_cls.required)
    batches = _batched(records, BATCH_SIZE)
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(atomic_write(output))
        rejected = stack.enter_context(atomic_write(args.rejected_output)) if args.rejected_output else None
        if args.threads > 1:
            context = multiprocessing.get_context("forkserver")  # no fork of a parent holding threads/locks
            pool = stack.enter_context(context.Pool(args.threads, initializer=_init_worker, initargs=(stage,)))
            results = pool.imap(_process_batch, batches)
        else:
            _init_worker(stage)
            results = map(_process_batch, batches)
        bar = stack.enter_context(progress_bar(unit="docs", quiet=args.quiet, desc=name))
        for processed in results:
            for result, original in processed:
                if isinstance(result, Drop):
                    stats.drop(result.reason)
                    if rejected is not None and original is not None:
                        write_record(rejected, {**original, "drop_reason": result.reason})
                    continue
                for key, n in result.pop("_stats", {}).items():
                    stats.count(key, n)
                stats.n_out += 1
                write_record(out, result)
            bar.update(len(processed))
    seconds = time.monotonic() - start
    completion.write(stats, seconds)
    log(stats.summary(f"{name} part {args.part_id}/{args.num_parts}", seconds))
