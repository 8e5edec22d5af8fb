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
a copy of itself (same length: that pair is a duplicate, decided by the other rules), so it takes several
smaller documents that together hold nearly all of it.

A section may be more than half of its manual: FFmpeg's filter chapter is 56% of ``ffmpeg-all.html`` and 71%
of ``ffplay-all.html``, so those one-page editions (1.0-1.3 MB each, every chapter a fourth time) stayed. A
passage whose shortest holder is under ``BAND`` of the document's length is credited too when that holder is
itself a section: ``CONTAINED`` of its passages' characters are held by longer documents. A page that merely
lists other pages' summaries is no such holder: GTK's method pages, whose one-line summaries a class page
repeats, are mostly their own text, and the class page stays (with no such test, a bound of 0.75 dropped 3
copies of GTK's ``struct.RecentInfo.html``). And beside its biggest such section, other documents hold at
least ``OTHERS`` of it: a page that is one other page and a little of its own is a superset of that page, for
the near-duplicate rule to decide, not a compilation.
"""

from __future__ import annotations

import numpy as np

PASSAGE_CHARS = 40  # shorter lines (headings, labels, "See also") are in many documents for other reasons
MIN_PASSAGES = 20  # a compilation of sections is long; a short page sharing a few sentences is not one
SMALLER = 0.5  # the documents that hold a compilation's passages are each less than half its length ...
BAND = 0.8  # ... or less than this, and each CONTAINED in longer documents
CONTAINED = 0.9
OTHERS = 0.1  # ... and then the others hold at least this share: a compilation gathers several documents


def passages(text: str) -> list[str]:
    """The distinct passages of a text: its lines of at least PASSAGE_CHARS characters, stripped (extract_text
    writes a line of the same HTML the same way on every page, so spacing is not normalized: a third of the
    time of normalizing, and the same drops on the drivers' runs)."""
    return list({stripped for line in text.split("\n")
                 if len(line) >= PASSAGE_CHARS and len(stripped := line.strip()) >= PASSAGE_CHARS})


def _summed(docs: np.ndarray, chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct documents, their characters summed)."""
    found, where = np.unique(docs, return_inverse=True)
    return found.astype(np.int64), np.bincount(where, weights=chars, minlength=len(found)).astype(np.int64)


def covered_chars(keys: np.ndarray, gidx: np.ndarray, chars: np.ndarray,
                  length: np.ndarray) -> dict[str, np.ndarray]:
    """What one shard's passages say (``keys``: one entry per document and passage, with the document's
    global index, the passage's characters and the document's length), per document:
    ``covered_doc``/``covered_chars``: the characters of its passages that a document of less than SMALLER of
    its length also holds; ``band_doc``/``band_holder``/``band_chars``: those whose shortest holder is under
    BAND of its length instead, by that holder; ``inside_doc``/``inside_chars``: those a longer document
    holds too."""
    n = len(keys)
    order = np.lexsort((length, keys))  # within a key, the shortest document first
    keys, gidx, chars, length = keys[order], gidx[order], chars[order], length[order]
    first = np.ones(n, dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    group = np.cumsum(first) - 1
    start = np.flatnonzero(first)[group]
    end = np.append(np.flatnonzero(first)[1:], n)[group] - 1  # each key's last entry: its longest holder
    shortest = length[start]
    held = shortest < SMALLER * length  # never the shortest itself: a document is not less than half itself
    band = ~held & (shortest < BAND * length)
    inside = length < length[end]
    found = dict(zip(("covered_doc", "covered_chars"), _summed(gidx[held], chars[held]), strict=True))
    width = int(gidx.max(initial=0)) + 1  # a (document, holder) pair as one number
    pairs, pair_chars = _summed(gidx[band] * width + gidx[start[band]], chars[band])
    found.update(band_doc=pairs // width, band_holder=pairs % width, band_chars=pair_chars)
    found.update(zip(("inside_doc", "inside_chars"), _summed(gidx[inside], chars[inside]), strict=True))
    return found


def compilations(total_chars: np.ndarray, total_passages: np.ndarray, covered: np.ndarray, band: np.ndarray,
                 inside: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """(global indices of the compilations, every document's credited characters), from every document's
    passage characters and passage count, and the shards' findings summed (see covered_chars): ``covered``
    and ``inside`` per document, ``band`` as rows (document, holder, characters)."""
    credited = covered.copy()
    biggest = np.zeros_like(credited)  # the most one section under BAND of the length credits
    if len(band):
        doc, holder, chars = band.T
        section = inside[holder] >= CONTAINED * np.maximum(total_chars[holder], 1)
        pair, chars = _summed(doc[section] * len(credited) + holder[section], chars[section])  # over the shards
        np.add.at(credited, pair // len(credited), chars)
        np.maximum.at(biggest, pair // len(credited), chars)
    big = total_passages >= MIN_PASSAGES
    gathered = credited - biggest >= OTHERS * np.maximum(total_chars, 1)
    return np.flatnonzero(big & gathered & (credited >= share * np.maximum(total_chars, 1))), credited
