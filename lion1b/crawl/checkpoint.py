"""The crawl checkpoint: what ``--resume`` needs to continue a crawl without losing or repeating a page.

Written atomically every --checkpoint-interval seconds: the frontier (requests in flight included), the
seen- and written-sets as hashes, per-host request counts, the stats, the crawl round and the byte offsets of
the outputs, plus the fingerprint of the seeds and options, so a resume with other options is refused
instead of mixing two crawls in one output. A checkpoint that is not one (hand-edited, another version,
missing keys) is a clear error, never a traceback.
"""

from __future__ import annotations

import json
import os
from typing import Any

from lion1b.contract import atomic_write, die
from lion1b.crawl.frontier import Entry

VERSION = 2
FIELDS: dict[str, type | tuple[type, ...]] = {
    "version": int, "fingerprint": str, "round": int, "output": int, "links_out": int, "warc_file": int,
    "seen": list, "written": list, "frontier": list, "fetched": dict, "stats": dict, "statuses": dict}
STATS_FIELDS: dict[str, type] = {"in": int, "out": int, "dropped": dict, "counters": dict}


def save(path: str, state: dict[str, Any]) -> None:
    with atomic_write(path) as handle:
        json.dump({"version": VERSION, **state}, handle)


def entry_of(item: object) -> Entry:
    """A frontier entry from its checkpointed list form (url, depth, hops, requested, attempts, round)."""
    if not (isinstance(item, list) and len(item) == 6 and isinstance(item[0], str)
            and isinstance(item[3], str | None) and all(isinstance(item[i], int) for i in (1, 2, 4, 5))):
        raise ValueError(f"bad frontier entry {str(item)[:80]}")
    return Entry(*item)


def load(path: str, fingerprint: str) -> dict[str, Any] | None:
    """The checkpoint at ``path`` (None when there is none), checked field by field and against this run's
    fingerprint; anything wrong stops the crawl with one line that says what to do."""
    if not os.path.exists(path):
        return None
    hint = "(use --force to start over)"
    try:
        with open(path, encoding="utf-8") as handle:
            state = json.load(handle)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        die(f"unreadable checkpoint {path}: {exc} {hint}")
    if not isinstance(state, dict):
        die(f"checkpoint {path} is not a crawl checkpoint {hint}")
    for fields, where in ((FIELDS, state), (STATS_FIELDS, state.get("stats"))):
        for name, kind in fields.items():
            if not isinstance(where, dict) or not isinstance(where.get(name), kind) or isinstance(where[name], bool):
                die(f"checkpoint {path} is missing or has a bad {name!r} (version {state.get('version')!r}; "
                    f"this crawler writes {VERSION}) {hint}")
    try:
        state["frontier"] = [entry_of(item) for item in state["frontier"]]
        if not all(isinstance(k, int) for k in state["seen"] + state["written"]):
            raise ValueError("non-integer URL hash")
        state["statuses"] = {int(k): int(v) for k, v in state["statuses"].items()}
        state["fetched"] = {str(k): int(v) for k, v in state["fetched"].items()}
        for name in ("dropped", "counters"):
            state["stats"][name] = {str(k): int(v) for k, v in state["stats"][name].items()}
    except (TypeError, ValueError) as exc:
        die(f"checkpoint {path} is damaged: {exc} {hint}")
    if state["version"] != VERSION:
        die(f"checkpoint {path} is version {state['version']}, this crawler reads {VERSION} {hint}")
    if state["fingerprint"] != fingerprint:
        die(f"checkpoint {path} was written for other seeds or options: resume with the same ones, or use "
            "--force to start over with these")
    return state
