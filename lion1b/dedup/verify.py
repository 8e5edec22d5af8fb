"""Verification of a near-duplicate candidate on the two actual texts.

MinHash on 5-token shingles cannot tell a copy with 15% of its words edited (exact 5-gram Jaccard ~0.3)
from two reference pages written from one template (``COMMIT PREPARED`` vs ``ROLLBACK PREPARED``: 0.55).
So MinHash only proposes pairs (loosely), and each proposed pair is decided here on its texts
(docs/dedupe.md, "What is a near duplicate"):

- similar: exact Jaccard of 3-token shingles >= ``min_jaccard`` (tolerates reordering), or the
  token-sequence match ratio (difflib, ``2 * matched / total``) >= ``min_sequence`` (tolerates scattered
  word edits, which break many shingles but few matched tokens), or 90% of the smaller text's 3-token
  shingles found in the other with a Jaccard of at least 0.3 (a page mirrored with navigation around it;
  the Jaccard floor keeps a short paragraph quoted in a long page apart);
- and not a template pair: the same replaced token span (``commit`` -> ``rollback``) is not repeated
  ``MAX_RENAMES`` times or more. Two pages of one template differ by a consistent renaming of their
  subject; an edited copy's edits are scattered and never repeat the same replacement that often
  (measured: 0 of 1,264 true pairs of both dev sets, 25 of 28 similar template pairs).

Cost is bounded: only pairs that passed the MinHash gate get here, each text is loaded up to
``MAX_CHARS`` characters, and the alignment sees the first ``MAX_TOKENS`` tokens (difflib is quadratic
in the worst case).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from difflib import SequenceMatcher

import numpy as np

from lion1b.dedup.minhash import shingle_text
from lion1b.dedup.script import code_points, token_bounds

MAX_TOKENS = 2000  # per text, for the sequence alignment only (shingle sets use the whole text)
MAX_CHARS = 1 << 17  # per text loaded for verification (memory of the cluster phase)
MAX_RENAMES = 3  # the same replacement this many times: two pages of one template, not a copy
MIN_CONTAINMENT, CONTAINED_JACCARD = 0.9, 0.3  # one text inside the other with navigation or boilerplate around


def tokens(text: str) -> list[str]:
    """The text's tokens as the shingles see them (words; single characters in scripts without spaces)."""
    text = shingle_text(text)
    starts, ends = token_bounds(code_points(text))
    return [text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


def shingle_overlap(a: list[str], b: list[str], k: int = 3) -> tuple[float, float]:
    """Exact Jaccard and containment (share of the smaller set found in the other) of the two token lists'
    k-token shingles (a text shorter than k is one shingle)."""
    sa = {tuple(a[i:i + k]) for i in range(max(1, len(a) - k + 1))}
    sb = {tuple(b[i:i + k]) for i in range(max(1, len(b) - k + 1))}
    common = len(sa & sb)
    return common / len(sa | sb), common / min(len(sa), len(sb))


def compare(a: list[str], b: list[str]) -> tuple[float, float, float, int]:
    """(3-shingle Jaccard, 3-shingle containment, sequence match ratio, most repeats of one replacement)
    of two token lists. The alignment (ratio, replacements) runs on the first ``MAX_TOKENS`` tokens of each;
    its matches are divided by the full lengths, so a cut can only lower the ratio (two long texts that
    share only their beginning are not called similar)."""
    head_a, head_b = a[:MAX_TOKENS], b[:MAX_TOKENS]
    matcher = SequenceMatcher(None, head_a, head_b, autojunk=False)
    renames: Counter[tuple[tuple[str, ...], tuple[str, ...]]] = Counter(
        (tuple(head_a[i1:i2]), tuple(head_b[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes() if op == "replace")
    matched = sum(block.size for block in matcher.get_matching_blocks())
    ratio = 2 * matched / (len(a) + len(b)) if a or b else 1.0
    return (*shingle_overlap(a, b), ratio, max(renames.values(), default=0))


def is_near_duplicate(a: list[str], b: list[str], min_jaccard: float, min_sequence: float) -> bool:
    """The module's rule on two token lists."""
    jaccard, containment, ratio, renames = compare(a, b)
    similar = (jaccard >= min_jaccard or ratio >= min_sequence
               or (containment >= MIN_CONTAINMENT and jaccard >= CONTAINED_JACCARD))
    return similar and renames < MAX_RENAMES


class Verifier:
    """The rule applied to documents named by index: ``prepare`` loads (through ``load``, index -> text)
    the texts of every document that may be compared, once; a call then decides one kept document against
    several others. Texts are kept as strings and tokenized per call: token lists cost ~60 bytes per token
    (measured: the cluster phase at 200k documents peaked at 268 MB with token lists cached, 86 MB without). Counts the
    pairs it checked and rejected."""

    def __init__(self, load: Callable[[np.ndarray], dict[int, str]], min_jaccard: float,
                 min_sequence: float) -> None:
        self.load, self.min_jaccard, self.min_sequence = load, min_jaccard, min_sequence
        self.texts: dict[int, str] = {}
        self.checked = self.rejected = 0

    def prepare(self, docs: np.ndarray) -> None:
        self.texts = self.load(docs)

    def __call__(self, kept: int, others: np.ndarray) -> np.ndarray:
        mine = tokens(self.texts[kept])
        ok = np.array([is_near_duplicate(mine, tokens(self.texts[o]), self.min_jaccard, self.min_sequence)
                       for o in others.tolist()], dtype=bool)
        self.checked += len(ok)
        self.rejected += int((~ok).sum())
        return ok
