"""The completion marker ``<first output>.done``: written last, it makes a re-run skip finished work.

It holds the stage's stats and a fingerprint of what produced the outputs (the inputs' path, size and mtime;
every option that changes the output; files named by options such as keyword lists or a quality config),
and a content stamp (size + xxh3) of every output. A marker counts only when the fingerprint matches this
run and every output is still exactly what the stage wrote, so a changed option, a changed input, or a
hand-edited or replaced output all redo the stage.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterable
from glob import glob
from pathlib import Path
from typing import Any

from lion1b.contract.files import MARKER_SUFFIX, atomic_write, content_stamp
from lion1b.contract.stats import StageStats

# Options that never change what a stage writes: how it runs, how it talks, whether it redoes finished work.
NON_OUTPUT_OPTIONS = frozenset({"force", "quiet", "verbose", "threads"})


def file_stamps(paths: Iterable[str | Path]) -> list[list[Any]]:
    """(path, size, mtime) of every existing file named by a path or a glob: cheap, and enough to see that
    an input changed."""
    stamps = []
    for pattern in map(str, paths):
        for path in sorted(glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]:
            with contextlib.suppress(OSError):
                st = os.stat(path)
                stamps.append([path, st.st_size, st.st_mtime_ns])
    return stamps


class StageMarker:
    """The marker of one stage run over one part."""

    def __init__(self, stage: str, outputs: list[str | Path], options: dict[str, Any],
                 inputs: list[str] | None = None) -> None:
        """``options``: the values that decide the output (a stage's parsed flags, less NON_OUTPUT_OPTIONS);
        ``inputs``: paths or globs whose files feed the stage."""
        self.stage = stage
        self.outputs = [Path(p) for p in outputs]
        self.path = Path(str(self.outputs[0]) + MARKER_SUFFIX)
        options = {k: v for k, v in sorted(options.items()) if k not in NON_OUTPUT_OPTIONS}
        inputs = list(inputs or [])
        # Files named by options (keyword lists, a quality config, a tokenizer) count too: editing one must
        # redo the stage.
        not_option_files = {*map(str, inputs), *map(str, self.outputs)}
        option_files = [item for value in options.values()
                        for item in (value if isinstance(value, list) else [value])
                        if isinstance(item, str) and item not in not_option_files and os.path.isfile(item)]
        blob = json.dumps({"stage": stage, "options": options, "inputs": file_stamps(inputs),
                           "option_files": file_stamps(option_files)}, sort_keys=True, default=str)
        self.fingerprint = hashlib.sha256(blob.encode()).hexdigest()

    def read(self) -> dict[str, Any] | None:
        try:
            marker = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        return marker if isinstance(marker, dict) else None

    def is_done(self) -> bool:
        """True when the marker matches this run and every output is byte for byte what was written."""
        marker = self.read()
        if not marker or marker.get("fingerprint") != self.fingerprint:
            return False
        try:
            return marker.get("output_stamps") == [content_stamp(p) for p in self.outputs]
        except OSError:
            return False

    def invalidate(self) -> None:
        self.path.unlink(missing_ok=True)

    def write(self, stats: StageStats, seconds: float, cpu_seconds: float | None = None) -> None:
        payload = {"stage": self.stage, "fingerprint": self.fingerprint, "outputs": [str(p) for p in self.outputs],
                   "output_stamps": [content_stamp(p) for p in self.outputs], "stats": stats.as_dict(),
                   "seconds": round(seconds, 3), "finished_at": time.time()}
        if cpu_seconds is not None:
            payload["cpu_seconds"] = round(cpu_seconds, 3)
        with atomic_write(self.path) as handle:
            json.dump(payload, handle, indent=1)

