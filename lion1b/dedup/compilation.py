"""Compilations: a document made of other documents' text. Documentation sites publish a manual both as one
page per section and as one big page (LilyPond's ``*-big-page.html``, the Live Systems manual's
``live-manual.en.html`` beside its 22 chapters, GNU manuals' ``html_mono`` beside ``html_node``): a crawl of
the site then puts every section in the training set twice, and MinHash cannot see it, since the big page
is like none of its sections alone.

The signatures phase keys every passage of a document (a line of at least ``PASSAGE_CHARS`` characters),
whatever its language: the Italian one-page manual holds the chapters left in English, and keyed by language
its share was 0.58 where its fully translated editions were at 0.98 or above. The candidates phase finds, for
each key of its shard, the documents that hold that passage, and credits a document with the passage's
characters when a document of less than ``SMALLER`` of its length holds it too. The cluster phase drops, as
``compilation``, a document of at least ``MIN_PASSAGES`` passages whose credited characters reach
``--compilation-share`` of its passages' characters; its sections stay. A document is never the compilation of
one other document (one of less than half its length holds less than half its text) nor of a copy of itself
(same length: that pair is a duplicate, decided by the other rules), so it takes several smaller documents
that together hold nearly all of it.
"""

from __future__ import annotations

import numpy as np

PASSAGE_CHARS = 40  # shorter lines (headings, labels, "See also") are in many documents for other reasons
MIN_PASSAGES = 20  # a compilation of sections is long; a short page sharing a few sentences is not one
SMALLER = 0.5  # the documents that hold a compilation's passages are each less than half its length


def passages(text: str) -> list[str]:
    """The distinct passages of a text: its lines of at least PASSAGE_CHARS characters, stripped (extract_text
    writes a line of the same HTML the same way on every page, so spacing is not normalized: a third of the
    time of normalizing, and the same drops on the drivers' runs)."""
    return list({stripped for line in text.split("\n")
                 if len(line) >= PASSAGE_CHARS and len(stripped := line.strip()) >= PASSAGE_CHARS})


def covered_chars(keys: np.ndarray, gidx: np.ndarray, chars: np.ndarray,
                  length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(documents, characters): per document, the characters of its passages (``keys`` of one shard, one
    entry per document and passage, with the document's global index, the passage's characters and the
    document's length) that a document of less than SMALLER of its length also holds."""
    if len(keys) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.lexsort((length, keys))  # within a key, the shortest document first
    keys, gidx, chars, length = keys[order], gidx[order], chars[order], length[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    shortest = length[np.maximum.accumulate(np.where(first, np.arange(len(keys)), 0))]
    held = shortest < SMALLER * length  # never the shortest itself: a document is not less than half itself
    docs, where = np.unique(gidx[held], return_inverse=True)
    return docs.astype(np.int64), np.bincount(where, weights=chars[held], minlength=len(docs)).astype(np.int64)


def compilations(total_chars: np.ndarray, total_passages: np.ndarray, covered: np.ndarray,
                 share: float) -> np.ndarray:
    """Global indices of the compilations, from every document's passage characters and passage count and
    the covered characters summed over the shards."""
    big = total_passages >= MIN_PASSAGES
    return np.flatnonzero(big & (covered >= share * np.maximum(total_chars, 1)))
