"""Is a .seq file what a finished tokenize_and_pack run wrote? Its completion marker says so.

A stage writes ``<first output>.done`` last, listing every output with its size and content hash; a failed
re-run removes the marker (and its outputs). So a .seq that no marker lists is left over from a failed or
interrupted run, and one whose bytes differ from the marker's stamp was changed since: count_tokens and
training refuse both (each has a flag to use such a file anyway).

The test file of a part is the second output of the train file's marker, so the marker is looked up as
``<file>.done`` first, then among the markers beside the file. Paths in a marker are as the stage was given
them; they are read relative to where the marker is, so a data directory that was moved or copied whole
(markers included) still checks.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from lion1b.contract import MARKER_SUFFIX
from lion1b.contract.files import content_stamp


def _listed(marker: Path, path: Path) -> tuple[dict, int] | None:
    """(marker contents, index of ``path`` among its outputs) when this marker lists the file."""
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        outputs = [str(o) for o in data["outputs"]]
    except (OSError, ValueError, KeyError, TypeError):  # unreadable or not a marker: it vouches for nothing
        return None
    if not outputs or not all(outputs):
        return None
    # where the stage put the marker (beside its first output), as the stage named it
    recorded_dir = os.path.dirname(outputs[0])
    for index, output in enumerate(outputs):
        here = marker.parent / os.path.relpath(output, recorded_dir or ".")
        if here.resolve() == path.resolve():
            return data, index
    return None


def find_marker(path: str | Path) -> tuple[Path, dict, int] | None:
    """The marker that lists this file: (marker path, its contents, the file's index among its outputs)."""
    path = Path(path)
    own = Path(str(path) + MARKER_SUFFIX)
    beside = sorted(path.parent.glob(f"*{MARKER_SUFFIX}")) if path.parent.is_dir() else []
    for marker in [own, *(m for m in beside if m != own)]:
        found = _listed(marker, path) if marker.is_file() else None
        if found:
            return marker, *found
    return None


def marker_problem(path: str | Path, content: bool = True) -> str | None:
    """Why ``path`` is not known to be a finished stage's output, or None when its marker vouches for it.

    ``content`` compares the xxh3 of the whole file with the marker's stamp (one read at memory speed, for
    callers that read the file anyway); without it only the size is compared, which costs one stat."""
    path = Path(path)
    found = find_marker(path)
    if found is None:
        return (f"{path}: no completion marker lists it ({path.name}{MARKER_SUFFIX} or a marker beside it), so it "
                "may be left over from a failed or interrupted tokenize_and_pack run")
    marker, data, index = found
    stamps = data.get("output_stamps")
    if not isinstance(stamps, list) or len(stamps) <= index or not isinstance(stamps[index], list) \
            or len(stamps[index]) != 3:
        return f"{path}: its marker {marker} holds no content stamp for it (written by an older lion1b)"
    _, size, digest = stamps[index]
    actual = path.stat().st_size
    if actual != size:
        return f"{path}: {actual} bytes, but its marker {marker} says the stage wrote {size}: it was changed since"
    if content and content_stamp(path)[2] != digest:
        return f"{path}: its content differs from what its marker {marker} recorded: it was changed since"
    return None
