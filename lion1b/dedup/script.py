"""Writing systems for dedup: which characters make words, which are words on their own, and a cheap guess
of a document's dominant script.

Near-duplicate shingles need tokens that mean the same in every language. Scripts written with spaces
(Latin, Cyrillic, Arabic, Hangul, Devanagari...) give word tokens: runs of letters, digits and marks
(marks included, or Hindi words would break at every vowel sign). Scripts written without spaces (Han,
Kana, Thai, Lao, Khmer, Myanmar, Tibetan) give one token per character, so a k-token shingle there is a
character k-gram instead of a whole sentence. The tables cover the BMP by code point ranges (fixed, not
the running Python's Unicode version) plus the astral Han blocks; everything is vectorized in numpy.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import numpy as np

SEPARATOR, WORD, SPACELESS = 0, 1, 2

# (name, spaceless, code point ranges); order matters only for readability.
SCRIPTS: list[tuple[str, bool, list[tuple[int, int]]]] = [
    ("Latn", False, [(0x41, 0x5A), (0x61, 0x7A), (0xAA, 0xAA), (0xBA, 0xBA), (0xC0, 0x24F), (0x1E00, 0x1EFF),
                     (0x2C60, 0x2C7F), (0xA720, 0xA7FF), (0xAB30, 0xAB6F), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)]),
    ("Grek", False, [(0x370, 0x3FF), (0x1F00, 0x1FFF)]),
    ("Cyrl", False, [(0x400, 0x52F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F)]),
    ("Armn", False, [(0x530, 0x58F)]),
    ("Hebr", False, [(0x590, 0x5FF), (0xFB1D, 0xFB4F)]),
    ("Arab", False, [(0x600, 0x6FF), (0x750, 0x77F), (0x8A0, 0x8FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]),
    ("Deva", False, [(0x900, 0x97F)]),
    ("Beng", False, [(0x980, 0x9FF)]),
    ("Guru", False, [(0xA00, 0xA7F)]),
    ("Gujr", False, [(0xA80, 0xAFF)]),
    ("Orya", False, [(0xB00, 0xB7F)]),
    ("Taml", False, [(0xB80, 0xBFF)]),
    ("Telu", False, [(0xC00, 0xC7F)]),
    ("Knda", False, [(0xC80, 0xCFF)]),
    ("Mlym", False, [(0xD00, 0xD7F)]),
    ("Sinh", False, [(0xD80, 0xDFF)]),
    ("Thai", True, [(0xE00, 0xE7F)]),
    ("Laoo", True, [(0xE80, 0xEFF)]),
    ("Tibt", True, [(0xF00, 0xFFF)]),
    ("Mymr", True, [(0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)]),
    ("Geor", False, [(0x10A0, 0x10FF), (0x2D00, 0x2D2F)]),
    ("Hang", False, [(0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xFFA0, 0xFFDC)]),
    ("Ethi", False, [(0x1200, 0x139F), (0x2D80, 0x2DDF)]),
    ("Khmr", True, [(0x1780, 0x17FF), (0x19E0, 0x19FF)]),
    ("Kana", True, [(0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F)]),
    ("Hani", True, [(0x2E80, 0x2FDF), (0x3005, 0x3007), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]),
]
NAMES = ["none", *(name for name, _, _ in SCRIPTS)]
HANI, KANA, LATN = NAMES.index("Hani"), NAMES.index("Kana"), NAMES.index("Latn")
ASTRAL_HAN = (0x20000, 0x3134F)  # CJK extensions B-H


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Per BMP code point: token class (separator / word / spaceless) and script id (0: none or not a
    letter). Index 65536 stands for every astral code point (fixed up per character in code_points)."""
    script = np.zeros(65537, dtype=np.uint8)
    spaceless = np.zeros(65537, dtype=bool)
    for sid, (_, no_spaces, ranges) in enumerate(SCRIPTS, 1):
        for lo, hi in ranges:
            script[lo:hi + 1] = sid
            spaceless[lo:hi + 1] = no_spaces
    token = np.zeros(65537, dtype=np.uint8)
    for cp in range(65536):
        ch = chr(cp)
        if ch == "_" or ch.isalnum() or unicodedata.category(ch).startswith("M"):
            token[cp] = WORD
    token[(token == WORD) & spaceless] = SPACELESS
    token[65536] = WORD
    letters = np.array([chr(cp).isalpha() for cp in range(65536)] + [True])
    script[~letters] = 0  # digits, marks and symbols say nothing about the script
    return token, script


TOKEN_CLASS, SCRIPT_OF = _tables()


def code_points(text: str) -> np.ndarray:
    """The text as a uint32 array of code points."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def classify(cp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token class and script id of every code point (astral Han is spaceless Han)."""
    index = np.minimum(cp, 65536)
    token, script = TOKEN_CLASS[index], SCRIPT_OF[index]
    astral = cp > 65535
    if astral.any():
        han = astral & (cp >= ASTRAL_HAN[0]) & (cp <= ASTRAL_HAN[1])
        token = np.where(han, SPACELESS, token)
        script = np.where(astral, np.where(han, HANI, 0), script).astype(np.uint8)
    return token, script


def token_bounds(cp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of every token: a run of word characters, or one spaceless character."""
    token, _ = classify(cp)
    word = token == WORD
    single = token == SPACELESS
    prev_word = np.concatenate(([False], word[:-1]))
    next_word = np.concatenate((word[1:], [False]))
    starts = np.flatnonzero((word & ~prev_word) | single)
    ends = np.flatnonzero((word & ~next_word) | single) + 1
    return starts, ends


def char_chunks(texts: list[str], budget: int) -> Iterator[tuple[int, int]]:
    """[start, stop) ranges of consecutive texts of about ``budget`` characters together (at least one text
    each): vectorized work over a chunk keeps its temporary arrays bounded however many texts there are."""
    start = 0
    while start < len(texts):
        stop, chars = start + 1, len(texts[start])
        while stop < len(texts) and chars + len(texts[stop]) <= budget:
            chars += len(texts[stop])
            stop += 1
        yield start, stop
        start = stop


def script_counts(texts: list[str], chunk_chars: int = 1 << 18) -> np.ndarray:
    """(len(texts), len(NAMES)) letters per script of every text, vectorized over chunks of texts of
    about ``chunk_chars`` characters (bounded temporary memory)."""
    counts = np.zeros((len(texts), len(NAMES)), dtype=np.int64)
    for start, stop in char_chunks(texts, chunk_chars):
        group = texts[start:stop]
        _, script = classify(code_points("".join(group)))
        doc = np.repeat(np.arange(len(group), dtype=np.int32), [len(t) for t in group])
        flat = np.bincount(doc * len(NAMES) + script, minlength=len(group) * len(NAMES))
        counts[start:stop] = flat.reshape(len(group), len(NAMES))
    return counts


def dominant_scripts(counts: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Name and letter share of each text's dominant script (rows of :func:`script_counts`). Japanese
    mixes Han and Kana: text whose Han + Kana lead and with at least 10% Kana among them is "Jpan" (its
    share is Han + Kana), so Japanese and Chinese never look alike."""
    letters = counts[:, 1:].sum(axis=1)
    best = np.argmax(counts[:, 1:], axis=1) + 1
    top = counts[np.arange(len(counts)), best]
    han_kana = counts[:, HANI] + counts[:, KANA]
    japanese = (counts[:, KANA] > 0) & (counts[:, KANA] * 10 >= han_kana) & (han_kana >= top)
    share = np.where(japanese, han_kana, top) / np.maximum(letters, 1)
    names = [("Jpan" if j else NAMES[b]) if n else "none" for b, j, n in zip(best, japanese, letters, strict=True)]
    return names, share


def dominant_script(counts: np.ndarray) -> tuple[str, float]:
    """:func:`dominant_scripts` of one text."""
    names, share = dominant_scripts(counts[None, :])
    return names[0], float(share[0])
