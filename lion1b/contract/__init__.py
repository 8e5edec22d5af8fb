"""The stage contract: what every lion1b stage shares, so a stage module holds only its own rule.

Every stage reads JSON Lines (or .seq files), handles one part of the data (``--part-id/--num-parts``),
writes its outputs atomically with a completion marker, counts what it drops and why, and ends with one
summary line; :mod:`lion1b.contract.runner` runs that sequence for every stage. docs/contract.md states the
guarantees.
"""

from lion1b.contract.arguments import ArgumentParser, add_common_arguments, check_common_arguments, check_non_negative
from lion1b.contract.console import die, log, progress, progress_bar
from lion1b.contract.files import MARKER_SUFFIX, atomic_write, input_files, open_binary, open_text
from lion1b.contract.marker import StageMarker, file_stamps
from lion1b.contract.records import (
    MalformedInput,
    iter_part_records,
    names_part,
    open_records,
    parse_record,
    part_of,
    record_id,
    record_line,
    stable_hash,
    write_record,
)
from lion1b.contract.runner import Drop, MapStage, Stage, execute, parse_stage_args, run_map_stage, run_stage
from lion1b.contract.stats import StageStats
from lion1b.contract.workers import in_order

__all__ = [
    "MARKER_SUFFIX", "ArgumentParser", "Drop", "MalformedInput", "MapStage", "Stage", "StageMarker",
    "StageStats",
    "add_common_arguments", "atomic_write", "check_common_arguments", "check_non_negative", "die", "execute",
    "file_stamps", "in_order", "input_files", "iter_part_records", "log", "names_part", "open_binary", "open_records",
    "open_text", "parse_record", "parse_stage_args", "part_of", "progress", "progress_bar", "record_id",
    "record_line", "run_map_stage", "run_stage", "stable_hash", "write_record",
]
