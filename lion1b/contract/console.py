"""What a stage says to a person: log lines, one-line errors, progress. All on stderr, so stdout stays data."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, NoReturn

from tqdm import tqdm


def log(msg: str) -> None:
    """Everything human-facing goes to stderr, so stdout stays free for data (e.g. ``--json``)."""
    print(msg, file=sys.stderr, flush=True)


def die(msg: str, code: int = 2, prefix: str = "error") -> NoReturn:
    """A clear one-line error instead of a traceback (exit 2: bad usage or input; 1: a failed check)."""
    log(f"{prefix}: {msg}")
    raise SystemExit(code)


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
