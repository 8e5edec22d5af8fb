"""The stage runner: every lion1b stage, whatever its shape, runs through :func:`execute`:

    parse flags -> validate -> skip if the marker says done (unless --force) -> clear old outputs
    -> run -> counted stats -> marker -> one summary line

A stage is a :class:`Stage` subclass that says what it reads, what it writes and how to run; record->record
stages (extract, filter, scrub) subclass :class:`MapStage` and only write ``process``. Multi-phase stages
(dedupe) are one Stage per phase; whole-file stages (tokenizer training, counting) override ``run``.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from lion1b.contract.arguments import ArgumentParser, add_common_arguments, check_common_arguments
from lion1b.contract.console import die, log, progress_bar
from lion1b.contract.files import atomic_write, remove_stale_temps
from lion1b.contract.marker import StageMarker
from lion1b.contract.records import iter_part_records, write_record
from lion1b.contract.stats import StageStats

BATCH_SIZE = 64  # records per task sent to a worker process: amortises pickling without hurting ordering


class Stage:
    """One stage run over one part. Subclasses set the class attributes and implement :meth:`run`."""

    name: ClassVar[str] = "stage"
    records_input: ClassVar[bool] = True  # --input is JSON Lines records (adds --input, --split, --strict)
    has_output: ClassVar[bool] = True  # adds --output
    default_output: ClassVar[str] = ""  # a FILES pattern; {T} is the part id
    unit: ClassVar[str] = "docs"
    keeps_outputs: ClassVar[bool] = False  # True: run() continues from existing outputs (crawl --resume)

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """The stage's own flags (none by default)."""

    @classmethod
    def declare_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """What the runner adds beside the common flags: the stage's own (a stage shape may add more)."""
        cls.add_arguments(parser)

    def check(self) -> None:
        """Validate the stage's own flags; call :func:`die` with a clear message on a bad value."""

    def output(self) -> str:
        """The main output of this part: ``--output`` or the default pattern."""
        pattern = getattr(self.args, "output", None) or self.default_output
        return pattern.replace("{T}", str(self.args.part_id)).replace("{part}", str(self.args.part_id))

    def outputs(self) -> list[str]:
        """Every file this run writes; the marker sits beside the first."""
        return [self.output()]

    def inputs(self) -> list[str]:
        """Paths or globs whose files feed the run (fingerprinted by path, size and mtime)."""
        return [self.args.input] if self.records_input else []

    def options(self) -> dict[str, Any]:
        """The option values that decide the output (fingerprinted). Default: every parsed flag."""
        return dict(vars(self.args))

    def label(self) -> str:
        return f"{self.name} part {self.args.part_id}/{self.args.num_parts}"

    def run(self, stats: StageStats) -> None:
        raise NotImplementedError


def parse_stage_args(stage_cls: type[Stage], argv: list[str] | None = None,
                     description: str | None = None) -> argparse.Namespace:
    """The common flags plus the stage's own, parsed and checked."""
    parser = ArgumentParser(description=description or stage_cls.__doc__)
    add_common_arguments(parser, records_input=stage_cls.records_input, output=stage_cls.has_output)
    stage_cls.declare_arguments(parser)
    args = parser.parse_args(argv)
    check_common_arguments(args)
    return args


def run_stage(stage_cls: type[Stage], argv: list[str] | None = None, description: str | None = None) -> None:
    """Parse the command line and :func:`execute` the stage on it: the ``main`` of a one-phase stage."""
    execute(stage_cls(parse_stage_args(stage_cls, argv, description)))


def execute(stage: Stage) -> StageStats | None:
    """Run one stage over one part with the whole contract around it; None when skipped as complete.
    Any OSError (unwritable folder, full disk, a parent that is a file) ends the stage with one clear line."""
    stage.check()
    try:
        return _execute(stage)
    except OSError as exc:
        die(f"{stage.label()}: {_describe(exc)}")


def _execute(stage: Stage) -> StageStats | None:
    outputs = stage.outputs()
    marker = StageMarker(stage.name, outputs, stage.options(), stage.inputs()) if outputs else None
    if marker is not None:
        if not getattr(stage.args, "force", False) and marker.is_done():
            log(f"[{stage.label()}] {outputs[0]} is complete for these inputs and options ({marker.path}); "
                "skipping (use --force to redo)")
            return None
        _prepare_outputs(stage, outputs)
        marker.invalidate()
    stats = StageStats()
    start, cpu_start = time.monotonic(), _cpu_seconds()
    stage.run(stats)
    seconds = time.monotonic() - start
    if marker is not None:
        marker.write(stats, seconds, _cpu_seconds() - cpu_start)
    log(stats.summary(stage.label(), seconds, stage.unit))
    return stats


def _prepare_outputs(stage: Stage, outputs: list[str]) -> None:
    """Before running: output folders exist and are writable (one clear line otherwise); a previous run's
    outputs are gone, so a run that fails leaves nothing a later stage could take for current; temp files
    of writers killed earlier are removed."""
    for path in map(Path, outputs):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            die(f"{stage.label()}: cannot create the folder of {path}: {_describe(exc)}")
        if not os.access(path.parent, os.W_OK):
            die(f"{stage.label()}: cannot write {path}: {path.parent} is not writable")
        if path.is_dir() and not path.is_symlink():
            if not stage.keeps_outputs and any(path.iterdir()):
                log(f"[{stage.label()}] note: {path} is a folder; its files are replaced as they are written")
        elif not stage.keeps_outputs:
            path.unlink(missing_ok=True)
        removed = remove_stale_temps(path)
        if removed:
            log(f"[{stage.label()}] removed {removed} temp file(s) of {path} left by an interrupted run")


def _describe(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


def _cpu_seconds() -> float:
    """User + system CPU of this process and its finished children (worker pools)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


# ----------------------------------------------------------------------------- record -> record stages


@dataclass(frozen=True)
class Drop:
    """Returned by :meth:`MapStage.process` to drop a record; ``reason`` is counted in the summary."""

    reason: str


class MapStage(Stage):
    """One record in, one record (or a :class:`Drop`) out: the shape of extract, filter and scrub.

    Subclasses set ``name``, ``required`` and ``default_output`` and implement ``process``; heavy state
    (models) is loaded in ``setup``, which runs once in every worker process. ``process`` may call
    :meth:`count` to add to a named counter of the summary (e.g. ``kept_lang:de``)."""

    required: ClassVar[dict[str, type]] = {"id": str, "url": str, "text": str}

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        self._counts: Counter[str] = Counter()

    @classmethod
    def declare_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--rejected-output",
                            help="also write dropped records with a 'drop_reason' field, to audit every drop "
                                 "({T}: the part id)")
        cls.add_arguments(parser)

    def outputs(self) -> list[str]:
        rejected = getattr(self.args, "rejected_output", None)
        if rejected:
            rejected = rejected.replace("{T}", str(self.args.part_id)).replace("{stage}", self.name)
        return [self.output()] + ([rejected] if rejected else [])

    def setup(self) -> None:
        """Load per-process state (models, automata)."""

    def count(self, name: str, n: int = 1) -> None:
        """Add ``n`` to counter ``name`` for this run's summary and marker (works in worker processes)."""
        self._counts[name] += n

    def process(self, record: dict[str, Any]) -> dict[str, Any] | Drop:
        raise NotImplementedError

    def run(self, stats: StageStats) -> None:
        """``--threads`` starts worker *processes*: extraction, language ID and regex scrubbing are CPU-bound
        pure Python under the GIL, so threads would not add throughput. Output order equals input order
        whatever the number of workers, so runs are reproducible."""
        outputs = self.outputs()
        batches = _batched(iter_part_records(self.args, stats, self.required), BATCH_SIZE)
        with contextlib.ExitStack() as stack:
            out = stack.enter_context(atomic_write(outputs[0]))
            rejected = stack.enter_context(atomic_write(outputs[1])) if len(outputs) > 1 else None
            if self.args.threads > 1:
                context = multiprocessing.get_context("forkserver")  # no fork of a parent holding threads/locks
                pool = stack.enter_context(context.Pool(self.args.threads, initializer=_init_worker,
                                                        initargs=(self,)))
                results: Iterable[_BatchResult] = pool.imap(_process_batch, batches)
            else:
                _init_worker(self)
                results = map(_process_batch, batches)
            bar = stack.enter_context(progress_bar(unit="docs", quiet=self.args.quiet, desc=self.name))
            for processed, counts in results:
                stats.merge_counts(counts)
                for result, original in processed:
                    if isinstance(result, Drop):
                        stats.drop(result.reason)
                        if rejected is not None and original is not None:
                            write_record(rejected, {**original, "drop_reason": result.reason})
                        continue
                    stats.n_out += 1
                    write_record(out, result)
                bar.update(len(processed))


_BatchResult = tuple[list[tuple[dict[str, Any] | Drop, dict[str, Any] | None]], dict[str, int]]
_worker_stage: MapStage | None = None


def _init_worker(stage: MapStage) -> None:
    global _worker_stage
    _worker_stage = stage
    stage.setup()


def _safe_process(stage: MapStage, record: dict[str, Any]) -> dict[str, Any] | Drop:
    """A rule that fails on one odd document costs that document, never the worker or the run."""
    try:
        return stage.process(record)
    except Exception as exc:
        return Drop(f"error:{type(exc).__name__}")


def _process_batch(batch: list[dict[str, Any]]) -> _BatchResult:
    """Process a batch in a worker; a dropped record travels back with its Drop for ``--rejected-output``,
    and the counters the batch added travel back with it."""
    assert _worker_stage is not None
    results = []
    for record in batch:
        result = _safe_process(_worker_stage, record)
        results.append((result, record if isinstance(result, Drop) else None))
    counts = dict(_worker_stage._counts)
    _worker_stage._counts.clear()
    return results, counts


def _batched(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_map_stage(stage_cls: type[MapStage], description: str | None = None, argv: list[str] | None = None) -> None:
    """The ``main`` of a record->record stage."""
    run_stage(stage_cls, argv, description)
