"""Site template lines: what a site prints at the top or the bottom of many of its pages, inside the part
that extraction keeps (SQLite's tagline "Small. Fast. Reliable." / "Choose any three." above 438 of its 671
pages, Doxygen's "The documentation for this struct was generated from the following file:"). One page
cannot tell such a line from text; the site can. The signatures phase counts, per site and language, the
documents whose first or last ``edge`` lines hold each line; a line found there in at least ``share`` of
the group's documents (and in ``min_docs``) is a template line, and the write phase removes the runs of
template lines that open or close a document. Lines inside the text (a heading, "New in version 3.3.")
are never touched, nor are code lines and table rows (a table's header row is structure).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from lion1b.filter.quality import TERMINAL_PUNCT, code_mask, kept_lines


def site(record: dict[str, Any]) -> str:
    """The host a record was fetched from ("" without a URL: text-only records have no site template)."""
    url = record.get("url")
    try:
        return urlsplit(url).netloc.lower() if isinstance(url, str) else ""
    except ValueError:
        return ""


def _edges(lines: list[str], edge: int) -> tuple[list[int], list[int]]:
    """The first and the last ``edge`` non-blank lines, each from its end of the text inwards (code and
    table rows included: they stop a run)."""
    head: list[int] = []
    for i, line in enumerate(lines):
        if len(head) == edge:
            break
        if line.strip():
            head.append(i)
    tail: list[int] = []
    for i in range(len(lines) - 1, -1, -1):
        if len(tail) == edge:
            break
        if lines[i].strip():
            tail.append(i)
    return head, tail


def _candidates(lines: list[str], code: list[bool], near: list[int]) -> list[int]:
    """The lines among ``near`` that may be template: not code, not a table row (a header row is structure),
    not a heading straight above a code block (fish's "Synopsis" over each command's usage, gi-docgen's
    "Declaration" over each symbol's: 113 and 157 pages lost their first heading). A sentence there is
    still a candidate: SQLite's tagline "Choose any three." sits above its pages that open with code."""
    return sorted({i for i in near if not code[i] and " | " not in lines[i] and not _heads_code(lines, code, i)})


def _heads_code(lines: list[str], code: list[bool], i: int) -> bool:
    following = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
    return following is not None and code[following] and not lines[i].rstrip().endswith(TERMINAL_PUNCT)


def edge_lines(text: str, code_lines: Any, edge: int) -> set[str]:
    """The distinct stripped lines near either edge of a text that could be template lines."""
    lines = text.split("\n")
    head, tail = _edges(lines, edge)
    return {lines[i].strip() for i in _candidates(lines, code_mask(lines, code_lines), head + tail)}


def strip_template(text: str, code_lines: Any, edge: int,
                   is_template: Callable[[list[str]], list[bool]]) -> tuple[str, Any, list[str]]:
    """(text, code_lines, removed lines): the runs of template lines that open and close the text removed,
    ``code_lines`` renumbered (unchanged when nothing is removed or the record had none)."""
    lines = text.split("\n")
    code = code_mask(lines, code_lines)
    head, tail = _edges(lines, edge)
    near = _candidates(lines, code, head + tail)
    flags = dict(zip(near, is_template([lines[i].strip() for i in near]), strict=True))
    removed: set[int] = set()
    for run in (head, tail):
        for i in run:
            if not flags.get(i, False):
                break
            removed.add(i)
    if not removed:
        return text, code_lines, []
    kept = [i for i in range(len(lines)) if i not in removed]
    while kept and not lines[kept[0]].strip():  # no blank line left where the template was
        kept.pop(0)
    while kept and not lines[kept[-1]].strip():
        kept.pop()
    return *kept_lines(lines, code, code_lines, kept), [lines[i].strip() for i in sorted(removed)]


def floor(share: float, min_docs: int, documents: int) -> int:
    """How many of a group's documents a template line must be found in."""
    return max(min_docs, math.ceil(share * documents))
