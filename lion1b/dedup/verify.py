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
  (measured: 0 of 1,264 true pairs of both dev sets, 25 of 28 similar template pairs), unless the two carry
  the same title and share ``SAME_TITLE_JACCARD`` of their 3-token shingles (a copy that spells one symbol
  its own way throughout);
- and, when both records carry a ``title``, no subject word tells them apart: a word of one title only
  (section numbers such as ``46.8.`` or ``Part VI.`` dropped) that the other text never uses and that
  its own text uses ``MIN_SUBJECT`` times or more (``view_table_usage`` / ``view_column_usage``) — or,
  when one title's words contain the other's (a mirror's site name added, or ``DROP VIEW`` / ``DROP
  MATERIALIZED VIEW``), an added word that occurs in ``MAX_RENAMES`` separate edits or more (the subject
  changed throughout the body; a site name sits in a header and a footer). Reference pages of one template
  can share 80% of their words and never repeat one replacement 3 times (the subject is spelled
  differently in each place); the subject named by the title is what differs. A copy keeps its subject in
  its text; a site-wide title (``The XSLT C library for GNOME`` on every page of one edition) names no word
  that the other copy lacks;
- and the document to drop carries no translation the kept one lacks: with the filter's ``langs`` (share
  of the prose per language) on both, at most ``MIN_TRANSLATED`` of the dropped document's prose is in
  languages the kept one has (almost) none of. A partly translated page (the Debian handbook's Russian edition
  of a section with a third of its paragraphs translated, the rest the English original) is not a copy of
  the English page: dropping it drops the translation.

Cost is bounded: only pairs that passed the MinHash gate get here, each text is loaded up to
``MAX_CHARS`` characters, and the alignment sees the first ``MAX_TOKENS`` tokens (difflib's algorithm is
quadratic in the worst case). A document is tokenized and hashed once (``Text``), however many others it is
compared with, and the alignment is cydifflib's, difflib's algorithm compiled: the same opcodes, 7.6x faster
(docs/dedupe.md, "What is a near duplicate"): on Scala's API reference, 1,079 pages that each repeat their
inherited members' docs, the cluster phase had not finished in 30 minutes; it takes 202 s.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable

import numpy as np
from cydifflib import SequenceMatcher

from lion1b.dedup.minhash import POLY, mix64, shingle_text
from lion1b.dedup.script import code_points, token_bounds

MAX_TOKENS = 2000  # per text, for the sequence alignment only (shingle sets use the whole text)
MAX_CHARS = 1 << 17  # per text loaded for verification (memory of the cluster phase)
# Texts kept for reuse (token and shingle hashes, ~16 bytes a token): 256 MB. A component whose Texts take
# more is scanned in the same order for every kept document, so past this the cache misses every time.
CACHE_BYTES = 1 << 28
MAX_RENAMES = 3  # the same replacement this many times: two pages of one template, not a copy
# ... unless both pages carry the same title and share this much of their 3-token shingles: a copy that spells
# one thing its own way throughout (GAPDoc writes each chapter twice, its MathJax edition spelling λ as
# \lambda: the 19 such pairs of the GAP manuals share 0.868-0.994, and 19 of their 99 chapters were kept twice)
SAME_TITLE_JACCARD = 0.85
MIN_CONTAINMENT, CONTAINED_JACCARD = 0.9, 0.3  # one text inside the other with navigation or boilerplate around
TITLE_LABELS = frozenset({"part", "chapter", "appendix", "section"})  # "Part VI." and the like: a number follows
MIN_SUBJECT = 2  # a title word its own text uses this often (and the other text never): the page's subject
# ... or once, when the other title has such a word too, and a word of this many letters counts inside an
# identifier: gi-docgen titles "Gtk.ListStore.swap" and "Gtk.TreeStore.swap" name pages whose texts say
# gtk_list_store_swap and gtk_tree_store_swap (89% alike); 1,006 of GTK 4's 5,480 pages went as copies.
MIN_NAME_PART = 6
# ... and, between texts less alike than this (sequence ratio), a word the other text names less often than
# its own does: cppreference's sibling pages name each other under "See also" (pop_heap's page names push_heap
# there and in a note, itself throughout); pages more alike are copies that differ in little more than a name
MAX_SIBLING_RATIO = 0.9
# Prose share in languages the kept document lacks that makes the other one a translation, not a copy.
# Measured on the Python manual and the English Debian handbook (608 English pages): the largest share of
# other languages langid finds is 0.042; the handbook's partly translated pages hold 0.063-0.336.
MIN_TRANSLATED = 0.05
Subject = frozenset[str] | None  # a title's words (title_words); None: no title, the rule does not apply
Shares = dict[str, float] | None  # the filter's ``langs``; None: not there, the rule does not apply


def tokens(text: str) -> list[str]:
    """The text's tokens as the shingles see them (words; single characters in scripts without spaces)."""
    text = shingle_text(text)
    starts, ends = token_bounds(code_points(text))
    return [text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


class Text:
    """A text as the rule compares it, made once per document: its tokens' 64-bit hashes (what the alignment
    and the bound compare; a token list costs ~60 bytes a token, the hashes 8) and its distinct 3-token
    shingles' hashes, sorted. The tokens themselves are made again from ``source`` for the few pairs whose
    titles are compared. Token hashes are Python's string hashes: equal tokens hash equal; two different ones
    collide with odds of 2**-64."""

    __slots__ = ("hashes", "shingles", "source")

    def __init__(self, source: str | list[str]) -> None:
        self.source = source
        words = self.words()
        self.hashes = np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)
        self.shingles = np.unique(shingle_hashes(self.hashes))

    def words(self) -> list[str]:
        """The tokens (``tokens``)."""
        return tokens(self.source) if isinstance(self.source, str) else self.source

    def __len__(self) -> int:
        return len(self.hashes)

    def nbytes(self) -> int:
        """The arrays' bytes (what a cache of Texts holds beyond the source it already has)."""
        return self.hashes.nbytes + self.shingles.nbytes


def shingle_hashes(hashes: np.ndarray, k: int = 3) -> np.ndarray:
    """A hash per k-token shingle of a text's token hashes (a text shorter than k is one shingle), the polynomial
    of MinHasher.shingles."""
    n = max(1, len(hashes) - k + 1)
    out = np.zeros(n, dtype=np.uint64)
    for j in range(min(k, len(hashes))):
        out = out * np.uint64(POLY) + hashes[j:j + n]
    return mix64(out + np.uint64(min(k, len(hashes))))


def as_text(a: Text | list[str]) -> Text:
    """A token list as a ``Text`` (one already made is used as it is)."""
    return a if isinstance(a, Text) else Text(a)


def shingle_overlap(a: Text | list[str], b: Text | list[str]) -> tuple[float, float]:
    """Exact Jaccard and containment (share of the smaller set found in the other) of two texts' 3-token
    shingles."""
    a, b = as_text(a), as_text(b)
    common = len(np.intersect1d(a.shingles, b.shingles, assume_unique=True))
    return common / (len(a.shingles) + len(b.shingles) - common), common / min(len(a.shingles), len(b.shingles))


def title_words(title: object) -> Subject:
    """The words a page's title names its subject with: tokens as the shingles see them, without a leading
    section label (``Part VI.``, ``Chapter 36.``) and without numbers (``46.8.``); None when there is no
    title (not a string, or nothing left). A title of symbols only (Scala's ``=:=``, an operator's page) is
    one word that no text's tokens hold: it names a subject all the same, so the other title's words are
    checked (as no title, it let ``=:=``'s page, which shares Scala's inherited members with every class,
    drop 131 companion objects as its copies, ``Set`` and ``TreeSet`` among them, whose texts name their own
    subject throughout; 62 are kept now)."""
    if not isinstance(title, str):
        return None
    words = tokens(title)
    if not words:
        return frozenset({title.strip()}) if title.strip() else None
    if words[0] in TITLE_LABELS:
        words = words[2:]
    return frozenset(w for w in words if not w.isdigit()) or None


class Alignment:
    """Two texts aligned token by token on their first ``MAX_TOKENS`` tokens: ``ratio`` (matched tokens
    over both full lengths, so a cut can only lower it: two long texts that share only their beginning are
    not called similar), ``renames`` (most repeats of one replacement) and, made on demand, ``edited()``
    (in how many edits each token occurs)."""

    def __init__(self, a: Text, b: Text) -> None:
        head_a, head_b = a.hashes[:MAX_TOKENS].tolist(), b.hashes[:MAX_TOKENS].tolist()
        matcher = SequenceMatcher(None, head_a, head_b, autojunk=False)
        self.edits = [(op, i1, i2, j1, j2) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]
        renames = Counter((tuple(head_a[i1:i2]), tuple(head_b[j1:j2]))
                          for op, i1, i2, j1, j2 in self.edits if op == "replace")
        self.renames = max(renames.values(), default=0)
        matched = sum(block.size for block in matcher.get_matching_blocks())
        self.ratio = 2 * matched / (len(a) + len(b)) if len(a) or len(b) else 1.0

    def edited(self, words_a: list[str], words_b: list[str]) -> Counter[str]:
        """In how many edits each token occurs (``words_a`` and ``words_b``: the two texts' ``words()``)."""
        return Counter(word for _, i1, i2, j1, j2 in self.edits for word in set(words_a[i1:i2]) | set(words_b[j1:j2]))


def align(a: Text | list[str], b: Text | list[str]) -> tuple[float, int, Counter[str]]:
    """(sequence match ratio, most repeats of one replacement, in how many edits each token occurs) of two
    texts (``Alignment``)."""
    a, b = as_text(a), as_text(b)
    alignment = Alignment(a, b)
    return alignment.ratio, alignment.renames, alignment.edited(a.words(), b.words())


def _ratio_bound(a: Text | list[str], b: Text | list[str]) -> float:
    """An upper bound of ``align``'s match ratio in linear time: the tokens the two heads share, order aside."""
    a, b = as_text(a), as_text(b)
    (head_a, count_a), (head_b, count_b) = (np.unique(t.hashes[:MAX_TOKENS], return_counts=True) for t in (a, b))
    _, in_a, in_b = np.intersect1d(head_a, head_b, assume_unique=True, return_indices=True)
    common = int(np.minimum(count_a[in_a], count_b[in_b]).sum())
    return 2 * common / (len(a) + len(b)) if len(a) or len(b) else 1.0


def compare(a: Text | list[str], b: Text | list[str]) -> tuple[float, float, float, int]:
    """(3-shingle Jaccard, 3-shingle containment, sequence match ratio, most repeats of one replacement)
    of two texts (the alignment as in ``align``)."""
    a, b = as_text(a), as_text(b)
    alignment = Alignment(a, b)
    return (*shingle_overlap(a, b), alignment.ratio, alignment.renames)


def spelled(words: list[str], heading: str | None = None) -> str:
    """Tokens as one string for ``_uses`` (space-separated, underscores removed), less one copy of the
    text's title line (``heading``, from ``title_line``) when the text holds it."""
    text = " " + " ".join(words).replace("_", "") + " "
    return text.replace(heading, " ", 1) if heading else text


def title_line(title: object) -> str | None:
    """A title spelled as ``spelled`` writes a text (" 9 3 1 le démon de journal "), or None."""
    words = tokens(title) if isinstance(title, str) else []
    return spelled(words) if words else None


def _uses(word: str, text: str) -> int:
    """How often a ``spelled`` text names a title word: as a token, or, for a word of ``MIN_NAME_PART``
    letters or more, inside an identifier ("liststore" in gtk_list_store_swap, "gestureswipe" in
    GtkGestureSwipe)."""
    word = word.replace("_", "")
    if len(word) >= MIN_NAME_PART:
        return text.count(word)
    return text.count(f" {word} ")


def subject_words(a: list[str], b: list[str], title_a: Subject, title_b: Subject, edited: Counter[str],
                  headings: tuple[str | None, str | None] = (None, None), ratio: float = 1.0) -> set[str]:
    """The words that tell two titled pages' subjects apart (empty when a title is missing): in one title
    only and never in the other text, and either used ``MIN_SUBJECT`` times or more by its own text (titles
    that name different things) or, when one title contains the other, occurring in ``MAX_RENAMES`` edits
    or more (``edited``, from ``align``: a word added throughout the body, not a site name in two blocks).
    Or, when each title has such a word that its own text names at least once outside its title line
    (``headings``, from ``title_line``) and the other text never, not even inside an identifier (``_uses``),
    those words: two API pages of one template, each naming its own symbol; when the texts are less alike
    than ``MAX_SIBLING_RATIO`` (``ratio``), the other text may name the word less often than its own. A copy's
    text names the same subject as the original's; an untranslated page under a translated heading names its
    own nowhere else."""
    if title_a is None or title_b is None:
        return set()
    count_a, count_b = Counter(a), Counter(b)
    nested = title_a <= title_b or title_b <= title_a

    def names(word: str, own: Counter[str], other: Counter[str]) -> bool:
        used = edited[word] >= MAX_RENAMES if nested else own[word] >= MIN_SUBJECT
        return used and word not in other

    subject = ({w for w in title_a - title_b if names(w, count_a, count_b)}
               | {w for w in title_b - title_a if names(w, count_b, count_a)})
    if subject or nested:
        return subject
    spelled_a, spelled_b = spelled(a, headings[0]), spelled(b, headings[1])
    named_a = {w for w in title_a - title_b if _uses(w, spelled_a)}
    named_b = {w for w in title_b - title_a if _uses(w, spelled_b)}
    identifiers = {w for w in named_a | named_b if "_" in w}
    # each text without its own identifiers: unselect_iter's page does not name "select_iter", nor
    # add_binding_signal's "add_binding" (a word is left whole: "message" is in "messages")
    rest_a, rest_b = spelled_a, spelled_b
    for w in named_a & identifiers:
        rest_a = rest_a.replace(w.replace("_", ""), " ")
    for w in named_b & identifiers:
        rest_b = rest_b.replace(w.replace("_", ""), " ")
    # siblings of one family (titles that share a word), each with sentences of its own: the other may name
    # its word in passing. Not a translated title over a copy: "Setting Tax Report Options" and GnuCash's
    # Italian "Impostare le opzioni per i resoconti delle tasse" over the same English text share no word.
    slack = ratio < MAX_SIBLING_RATIO and not title_a.isdisjoint(title_b)

    def own(named: set[str], spelled_own: str, rest_other: str) -> set[str]:
        return {w for w in named if (n := _uses(w, rest_other)) == 0 or (slack and _uses(w, spelled_own) > n)}

    only_a, only_b = own(named_a, spelled_a, rest_b), own(named_b, spelled_b, rest_a)
    return only_a | only_b if only_a and only_b else set()


def lang_shares(langs: object) -> Shares:
    """A record's ``langs`` as {language: share}, or None when it is missing or malformed."""
    if not isinstance(langs, dict) or not langs:
        return None
    try:
        return {str(lang): float(share) for lang, share in langs.items()}
    except (TypeError, ValueError):
        return None


def translated_share(kept: Shares, other: Shares) -> float:
    """The share of ``other``'s prose in languages ``kept`` lacks (under ``MIN_TRANSLATED`` of it); 0.0 when
    either is unknown."""
    if kept is None or other is None:
        return 0.0
    return sum(share for lang, share in other.items() if kept.get(lang, 0.0) < MIN_TRANSLATED)


def verdict(a: Text | list[str], b: Text | list[str], min_jaccard: float, min_sequence: float,
            titles: tuple[Subject, Subject] = (None, None), shares: tuple[Shares, Shares] = (None, None),
            headings: tuple[str | None, str | None] = (None, None)) -> str:
    """The module's rule on two texts, ``a`` the document kept and ``b`` the one it would drop (and the
    records' title words, language shares and titles as ``title_line`` spells them): ``duplicate``, or why
    not, the first reason in this order (``different``, ``template``, ``other_title``, ``translation``)."""
    a, b = as_text(a), as_text(b)
    jaccard, containment = shingle_overlap(a, b)
    by_shingles = jaccard >= min_jaccard or (containment >= MIN_CONTAINMENT and jaccard >= CONTAINED_JACCARD)
    if not by_shingles and _ratio_bound(a, b) < min_sequence:
        return "different"  # the alignment could not reach min_sequence: not run (most candidates end here)
    alignment = Alignment(a, b)
    if not (by_shingles or alignment.ratio >= min_sequence):
        return "different"
    if alignment.renames >= MAX_RENAMES and not (jaccard >= SAME_TITLE_JACCARD and titles[0] is not None
                                                 and titles[0] == titles[1]):
        return "template"
    if titles[0] is not None and titles[1] is not None:
        words_a, words_b = a.words(), b.words()
        if subject_words(words_a, words_b, *titles, alignment.edited(words_a, words_b), headings, alignment.ratio):
            return "other_title"
    return "translation" if translated_share(*shares) > MIN_TRANSLATED else "duplicate"


def is_near_duplicate(a: Text | list[str], b: Text | list[str], min_jaccard: float, min_sequence: float,
                      titles: tuple[Subject, Subject] = (None, None)) -> bool:
    """The module's rule on two texts (and the records' title words)."""
    return verdict(a, b, min_jaccard, min_sequence, titles) == "duplicate"


class Verifier:
    """The rule applied to documents named by index: ``prepare`` loads (through ``load``, index ->
    (text, title or None)) the texts of every document that may be compared, once; a call then decides one
    kept document against several others. A document's ``Text`` is made when it is first compared and kept
    while the Texts made take at most ``cache_bytes`` (the least recently used go first): a kept page of
    Scala's API is compared with up to a thousand others (Scala's 1,079 pages: ~70 MB of Texts), and the
    bound keeps a corpus of millions of candidates from holding all of theirs. Counts the pairs it checked and
    why it rejected them."""

    def __init__(self, load: Callable[[np.ndarray], dict[int, tuple[str, object, object]]], min_jaccard: float,
                 min_sequence: float, cache_bytes: int = CACHE_BYTES) -> None:
        self.load, self.min_jaccard, self.min_sequence = load, min_jaccard, min_sequence
        self.docs: dict[int, tuple[str, Subject, Shares, str | None]] = {}
        self.texts: OrderedDict[int, Text] = OrderedDict()
        self.cache_bytes, self.cached_bytes = cache_bytes, 0
        self.checked = 0
        self.rejected: Counter[str] = Counter()

    def prepare(self, docs: np.ndarray) -> None:
        self.docs = {i: (text, title_words(title), lang_shares(langs), title_line(title))
                     for i, (text, title, langs) in self.load(docs).items()}
        self.texts.clear()
        self.cached_bytes = 0

    def text(self, doc: int) -> Text:
        """The document's ``Text``: from the cache, else made and cached."""
        if doc in self.texts:
            self.texts.move_to_end(doc)
            return self.texts[doc]
        made = self.texts[doc] = Text(self.docs[doc][0])
        self.cached_bytes += made.nbytes()
        while self.cached_bytes > self.cache_bytes and len(self.texts) > 1:
            self.cached_bytes -= self.texts.popitem(last=False)[1].nbytes()
        return made

    def __call__(self, kept: int, others: np.ndarray) -> np.ndarray:
        _, title, shares, heading = self.docs[kept]
        mine = self.text(kept)
        reasons = [verdict(mine, self.text(o), self.min_jaccard, self.min_sequence,
                           (title, self.docs[o][1]), (shares, self.docs[o][2]), (heading, self.docs[o][3]))
                   for o in others.tolist()]
        self.checked += len(reasons)
        self.rejected.update(r for r in reasons if r != "duplicate")
        return np.array([r == "duplicate" for r in reasons], dtype=bool)
