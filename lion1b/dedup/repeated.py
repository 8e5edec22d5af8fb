"""Repeated blocks: text that many documents carry inside their body, each time whole. Scaladoc prints on
every class page the documentation of every member the class inherits (four fifths of the characters of
Scala's library API as the drivers keep it), GIMP's help explains its tool options window on each tool's
page, GnuCash's guide and help share whole sections. Neither near-duplicate rule sees it: the pages differ,
and none is made of the others.

Opt-in (``--repeated-blocks``), like paragraph deduplication in CCNet and Dolma, by runs of lines: the
signatures phase keys every distinct line of a document (a list item without its marker, since an ordered
list numbers the same item differently on each page) with its language key; the candidates phase finds the
keys that two documents or more hold; the cluster phase names one owner per key among the documents it
keeps, the shortest holder (where the line is most of what the page says) that is not a partial
translation; the write phase removes, from
every other document, each run of consecutive lines owned elsewhere whose prose holds at least
``--repeated-block-chars`` characters. Every line stays in the dataset once, at its owner. A lone repeated
line (a heading, "New in version 3.3.") is not a block and stays; so does a run broken by a line of the
page's own (a signature naming its class). Only prose makes a block: a code example goes with the
documentation around it, never alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from lion1b.filter.quality import code_mask, kept_lines

LIST_MARKER = re.compile(r"(?:\d+\.|[-*])\s+")  # extract_text's item markers, plain ("3. ") and Markdown


def block_line(line: str) -> str:
    """The form of a line that is compared: stripped, without its list marker."""
    stripped = line.strip()
    marker = LIST_MARKER.match(stripped)
    return stripped[marker.end():] if marker else stripped


def line_forms(text: str) -> list[str]:
    """The distinct compared forms of a text's non-blank lines, code lines included."""
    return list({form for line in text.split("\n") if (form := block_line(line))})


def owned_elsewhere(keys: np.ndarray, docs: np.ndarray, translation: np.ndarray, length: np.ndarray,
                    order: np.ndarray, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(documents, keys): the entries (one per document and line key, as the candidates phase found them)
    whose line another kept document owns. ``kept`` flags each entry's document as kept by the cluster
    phase. The owner of a key is, among its kept holders, one that is not a ``translation`` (a partial
    translation holds its original's untranslated paragraphs: the original keeps them), then the shortest,
    then the least ``order`` (a part-independent key of each document), so the result is the same for any
    split into parts and shards."""
    keys, docs, translation, length, order = (keys[kept], docs[kept], translation[kept], length[kept],
                                              order[kept])
    if len(keys) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64)
    sort = np.lexsort((order, length, translation, keys))
    keys, docs = keys[sort], docs[sort]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    elsewhere = ~first  # every holder but the first of its key, which owns it
    return docs[elsewhere], keys[elsewhere]


def strip_repeated(text: str, code_lines: Any, elsewhere: Callable[[list[str]], list[bool]],
                   min_chars: int) -> tuple[str, Any, list[str]]:
    """(text, code_lines, removed blocks, as compared): every run of consecutive lines owned elsewhere (blank
    lines inside it included) whose prose lines hold at least ``min_chars`` characters removed,
    ``code_lines`` renumbered; ``elsewhere`` answers, for a list of compared forms, which of them another
    document owns. A code block counts as owned elsewhere only when all of its lines are (a page's own
    code ends in the same ``}`` as every other page's), and only prose makes a block: a code example goes
    with the documentation around it, a repeated code block alone stays."""
    lines = text.split("\n")
    code = code_mask(lines, code_lines)
    forms = [block_line(line) for line in lines]
    filled = [i for i, form in enumerate(forms) if form]
    owned = [False] * len(lines)
    for i, flag in zip(filled, elsewhere([forms[i] for i in filled]), strict=True):
        owned[i] = flag
    i = 0
    while i < len(lines):  # a code block (blank lines inside it included) is owned elsewhere as a whole
        if code[i]:
            end = i
            while end < len(lines) and code[end]:
                end += 1
            whole = all(owned[j] for j in range(i, end) if forms[j])
            owned[i:end] = [whole] * (end - i)
            i = end
        else:
            i += 1
    removed: set[int] = set()
    blocks: list[str] = []
    i = 0
    while i < len(lines):
        if not owned[i]:
            i += 1
            continue
        end, last = i, i  # the run: lines owned elsewhere, with the blank lines between them
        while end < len(lines) and (owned[end] or not forms[end]):
            if owned[end]:
                last = end
            end += 1
        run = range(i, last + 1)
        if sum(len(forms[j]) for j in run if not code[j]) >= min_chars:
            removed.update(run)
            blocks.append("\n".join(forms[j] for j in run if forms[j]))
            # Markdown separates blocks with a blank line: keep one where the block was, none at an end
            before = i - 1 if i > 0 and not forms[i - 1] and not code[i - 1] else None
            after = last + 1 if last + 1 < len(lines) and not forms[last + 1] and not code[last + 1] else None
            if after is not None and (before is not None or i == 0):
                removed.add(after)
            elif before is not None and last + 1 == len(lines):
                removed.add(before)
        i = end
    if not removed:
        return text, code_lines, []
    return *kept_lines(lines, code, code_lines, [i for i in range(len(lines)) if i not in removed]), blocks
