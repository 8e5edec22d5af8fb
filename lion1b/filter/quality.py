"""Document quality rules for filter_data: Gopher quality + repetition, C4 line filtering, FineWeb rules.

Sources: Gopher (Rae et al. 2021, appendix A), C4 (Raffel et al. 2020, section 2.2), FineWeb (Penedo et al.
2024). Thresholds are the published ones for space-separated languages; CJK text has no spaces, so every rule
counts *tokens*: a Han/Kana/Hangul character is one token, any other run of non-space characters is one
token (a word). The CJK row of THRESHOLDS rescales the rules that depend on what a token is.

Each check returns the drop reason (None = keep) and the signals it computed; check_quality() runs them in
order and returns the (possibly C4-cleaned) text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Thresholds:
    # Gopher quality
    min_words: int = 50
    max_words: int = 100_000
    min_avg_word_len: float | None = 3.0  # None: rule skipped
    max_avg_word_len: float | None = 10.0
    max_symbol_word_ratio: float = 0.1  # "#" and ellipses per word
    max_bullet_lines_ratio: float = 0.9
    max_ellipsis_lines_ratio: float = 0.3
    min_alpha_words_ratio: float = 0.8  # words with at least one letter
    min_stop_words: int = 2
    # Gopher repetition
    max_dup_line_frac: float = 0.3
    max_dup_para_frac: float = 0.3
    max_dup_line_char_frac: float = 0.2
    max_dup_para_char_frac: float = 0.2
    top_ngrams: tuple[tuple[int, float], ...] = ((2, 0.20), (3, 0.18), (4, 0.16))
    dup_ngrams: tuple[tuple[int, float], ...] = (
        (5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10))
    # C4
    c4_min_words_per_line: int = 3
    c4_min_sentences: int = 5
    # FineWeb
    fw_min_line_punct_ratio: float = 0.12
    fw_short_line_chars: int = 30
    fw_max_short_line_ratio: float = 0.67
    fw_max_dup_line_char_ratio: float = 0.01  # datatrove's FineWeb value; Gopher bounds long repeats
    fw_max_newline_word_ratio: float = 0.3


# One row per language family. CJK: a token is one character, about half a word, so n-gram lengths double,
# a "short line" is 10 characters instead of 30, the document needs 100 tokens (≈ 50 words) and the mean
# word length rule is meaningless (every token has length 1) and skipped.
THRESHOLDS: dict[str, Thresholds] = {
    "default": Thresholds(),
    "cjk": replace(
        Thresholds(),
        min_words=100,
        max_words=200_000,
        min_avg_word_len=None,
        max_avg_word_len=None,
        top_ngrams=((4, 0.20), (6, 0.18), (8, 0.16)),
        dup_ngrams=((10, 0.15), (12, 0.14), (14, 0.13), (16, 0.12), (18, 0.11), (20, 0.10)),
        c4_min_words_per_line=6,
        fw_short_line_chars=10,
    ),
}
FAMILY_OF_LANG = {"zh": "cjk", "ja": "cjk", "ko": "cjk", "yue": "cjk", "wuu": "cjk"}

# Stop words per language (Gopher's English list; the most frequent function words elsewhere). Languages
# not listed skip the rule rather than fail it. CJK entries are single characters, matching the tokens.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({"the", "be", "to", "of", "and", "that", "have", "with"}),
    "de": frozenset({"der", "die", "das", "und", "ist", "nicht", "mit", "von", "zu", "den", "ein", "eine"}),
    "fr": frozenset({"le", "la", "les", "de", "et", "est", "des", "un", "une", "que", "du", "en"}),
    "es": frozenset({"el", "la", "los", "las", "de", "y", "que", "en", "es", "un", "una", "por"}),
    "it": frozenset({"il", "la", "di", "e", "che", "per", "un", "una", "non", "sono", "del", "in"}),
    "pt": frozenset({"o", "a", "os", "de", "que", "e", "do", "da", "em", "um", "uma", "não"}),
    "nl": frozenset({"de", "het", "een", "en", "van", "is", "dat", "niet", "op"}),
    "id": frozenset({"yang", "dan", "di", "ini", "itu", "dengan", "untuk", "dari", "tidak", "dalam"}),
    "zh": frozenset("的 是 了 在 和 有 我 这 不 也"),
    "ja": frozenset("の は に を が て た で と も"),
    "ko": frozenset("이 의 는 을 에 가 다 고 를 은"),
}

_CJK = r"\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# CJK punctuation stands alone between characters; it is not a token (Latin punctuation rides on its word).
_CJK_PUNCT = (r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
              r"\u2014\u2026\u00b7\u2018-\u201f")
_TOKEN = re.compile(rf"[{_CJK}]|[^\s{_CJK}{_CJK_PUNCT}]+")
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)|[。！？]+")
TERMINAL_PUNCT = (".", "!", "?", '"', "'", "”", "’", "。", "！", "？", "」", "』", "）")
_ELLIPSES = ("...", "…")
_BULLETS = ("•", "●", "‣", "◦", "▪", "*", "-", "–", "·")
C4_POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
             "use cookies")


def family_of(lang: str) -> str:
    return FAMILY_OF_LANG.get(lang, "default")


def tokenize(text: str) -> list[str]:
    """Words for Latin-like scripts, single characters for CJK: the unit every word-based rule counts."""
    return _TOKEN.findall(text)


def _duplicates(items: list[str]) -> tuple[int, int]:
    """(number of repeated items, characters in them); the first occurrence is not a duplicate."""
    seen: set[str] = set()
    n_dup = n_chars = 0
    for item in items:
        if item in seen:
            n_dup += 1
            n_chars += len(item)
        else:
            seen.add(item)
    return n_dup, n_chars


def _ngrams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return list(zip(*(words[k:] for k in range(n)), strict=False))  # tuples built in C, not by slicing


def _top_ngram_char_frac(words: list[str], n: int, total_chars: int) -> float:
    """Characters covered by the most frequent n-gram (if it repeats) over all word characters."""
    counts = Counter(_ngrams(words, n))
    if not counts:
        return 0.0
    gram, count = counts.most_common(1)[0]
    return sum(map(len, gram)) * count / total_chars if count > 1 else 0.0


def _dup_ngram_char_frac(words: list[str], n: int, total_chars: int) -> float:
    """Characters in repeated n-gram occurrences over all word characters; a repeat is counted once, then
    skipped over, so overlapping repeats do not count twice (datatrove's find_all_duplicate)."""
    grams = _ngrams(words, n)
    counts = Counter(grams)
    if len(counts) == len(grams):  # nothing repeats: the common case, no walk needed
        return 0.0
    seen: set[tuple[str, ...]] = set()
    dup_chars, i = 0, 0
    while i < len(grams):
        gram = grams[i]
        if counts[gram] > 1 and gram in seen:
            dup_chars += sum(map(len, gram))
            i += n
        else:
            seen.add(gram)
            i += 1
    return dup_chars / total_chars


def gopher_repetition(text: str, words: list[str], th: Thresholds) -> tuple[str | None, dict[str, float]]:
    signals: dict[str, float] = {}
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    lines = [line for line in text.split("\n") if line.strip()]
    n_dup, dup_chars = _duplicates(paragraphs)
    signals["dup_para_frac"] = n_dup / max(len(paragraphs), 1)
    if signals["dup_para_frac"] > th.max_dup_para_frac:
        return "gopher_dup_para_frac", signals
    signals["dup_para_char_frac"] = dup_chars / max(len(text), 1)
    if signals["dup_para_char_frac"] > th.max_dup_para_char_frac:
        return "gopher_dup_para_chars", signals
    n_dup, dup_chars = _duplicates(lines)
    signals["dup_line_frac"] = n_dup / max(len(lines), 1)
    if signals["dup_line_frac"] > th.max_dup_line_frac:
        return "gopher_dup_line_frac", signals
    signals["dup_line_char_frac"] = dup_chars / max(len(text), 1)
    if signals["dup_line_char_frac"] > th.max_dup_line_char_frac:
        return "gopher_dup_line_chars", signals
    total_chars = max(sum(map(len, words)), 1)
    for n, limit in th.top_ngrams:
        signals[f"top_{n}gram_frac"] = _top_ngram_char_frac(words, n, total_chars)
        if signals[f"top_{n}gram_frac"] > limit:
            return f"gopher_top_{n}gram", signals
    repeats = True
    for n, limit in sorted(th.dup_ngrams):
        # A repeated n-gram starts with a repeated shorter one: once none repeats, no longer one does.
        signals[f"dup_{n}gram_frac"] = frac = _dup_ngram_char_frac(words, n, total_chars) if repeats else 0.0
        if frac > limit:
            return f"gopher_dup_{n}gram", signals
        repeats = frac > 0
    return None, signals


def gopher_quality(text: str, words: list[str], lang: str,
                   th: Thresholds) -> tuple[str | None, dict[str, float]]:
    signals: dict[str, float] = {}
    n_words = len(words)
    signals["words"] = n_words
    if not th.min_words <= n_words <= th.max_words:
        return "gopher_word_count", signals
    if th.min_avg_word_len is not None and th.max_avg_word_len is not None:
        signals["avg_word_len"] = sum(map(len, words)) / n_words
        if not th.min_avg_word_len <= signals["avg_word_len"] <= th.max_avg_word_len:
            return "gopher_avg_word_len", signals
    signals["symbol_word_ratio"] = (text.count("#") + text.count("...") + text.count("…")) / n_words
    if signals["symbol_word_ratio"] > th.max_symbol_word_ratio:
        return "gopher_symbol_ratio", signals
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    signals["bullet_lines_ratio"] = sum(line.startswith(_BULLETS) for line in lines) / len(lines)
    if signals["bullet_lines_ratio"] > th.max_bullet_lines_ratio:
        return "gopher_bullet_lines", signals
    signals["ellipsis_lines_ratio"] = sum(line.endswith(_ELLIPSES) for line in lines) / len(lines)
    if signals["ellipsis_lines_ratio"] > th.max_ellipsis_lines_ratio:
        return "gopher_ellipsis_lines", signals
    signals["alpha_words_ratio"] = sum(any(c.isalpha() for c in w) for w in words) / n_words
    if signals["alpha_words_ratio"] < th.min_alpha_words_ratio:
        return "gopher_alpha_words", signals
    stop_words = STOP_WORDS.get(lang)
    if stop_words is not None:
        signals["stop_words"] = sum(w.lower() in stop_words for w in words)
        if signals["stop_words"] < th.min_stop_words:
            return "gopher_stop_words", signals
    return None, signals


def c4_filter(text: str, th: Thresholds,
              remove_lines: bool = True) -> tuple[str | None, str, dict[str, float]]:
    """C4 line cleaning: keep only lines that read like prose; returns (reason, cleaned text, signals).

    Blank lines are kept (collapsed) so paragraph structure survives for the later stages. With
    remove_lines=False only the document-level rules apply (lorem ipsum, curly braces, sentence count)."""
    lowered = text.lower()
    if "lorem ipsum" in lowered:
        return "c4_lorem_ipsum", text, {}
    if "{" in text:
        return "c4_curly_brace", text, {}
    kept: list[str] = []
    removed = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            if kept and kept[-1]:
                kept.append("")
            continue
        low = line.lower()
        if remove_lines and (not line.endswith(TERMINAL_PUNCT) or line.endswith(_ELLIPSES)
                or len(tokenize(line)) < th.c4_min_words_per_line
                or "javascript" in low or any(p in low for p in C4_POLICY)):
            removed += 1
            continue
        kept.append(line)
    cleaned = "\n".join(kept).strip()
    signals = {"c4_lines_removed": removed, "sentences": len(_SENTENCE_END.findall(cleaned))}
    if signals["sentences"] < th.c4_min_sentences:
        return "c4_min_sentences", cleaned, signals
    return None, cleaned, signals


def fineweb(text: str, words: list[str], th: Thresholds) -> tuple[str | None, dict[str, float]]:
    signals: dict[str, float] = {}
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    n_lines = max(len(lines), 1)
    signals["line_punct_ratio"] = sum(line.endswith(TERMINAL_PUNCT) for line in lines) / n_lines
    if signals["line_punct_ratio"] < th.fw_min_line_punct_ratio:
        return "fineweb_line_punct", signals
    signals["short_line_ratio"] = sum(len(line) <= th.fw_short_line_chars for line in lines) / n_lines
    if signals["short_line_ratio"] > th.fw_max_short_line_ratio:
        return "fineweb_short_lines", signals
    signals["dup_line_char_ratio"] = _duplicates(lines)[1] / max(sum(map(len, lines)), 1)
    if signals["dup_line_char_ratio"] > th.fw_max_dup_line_char_ratio:
        return "fineweb_dup_line_chars", signals
    signals["newline_word_ratio"] = text.count("\n") / max(len(words), 1)
    if signals["newline_word_ratio"] > th.fw_max_newline_word_ratio:
        return "fineweb_list_ratio", signals
    return None, signals


def check_quality(text: str, lang: str, c4_lines: bool = True) -> tuple[str | None, str, dict[str, Any]]:
    """All rules in order; returns (drop reason or None, text to keep, signals).

    Gopher and FineWeb judge the page as extracted (datatrove's FineWeb order; their line statistics would be
    meaningless after C4 removed every line without punctuation); C4 runs last, cleans the lines, and drops
    the document if fewer than c4_min_sentences sentences survive.
    """
    family = family_of(lang)
    th = THRESHOLDS[family]
    signals: dict[str, Any] = {"family": family}
    words = tokenize(text)
    if len(words) > th.max_words:  # before the n-gram passes, whose cost grows with the length
        return "gopher_word_count", text, {**signals, "words": len(words)}
    reason, found = gopher_repetition(text, words, th)
    signals.update(found)
    if reason is None:
        reason, found = gopher_quality(text, words, lang, th)
        signals.update(found)
    if reason is None:
        reason, found = fineweb(text, words, th)
        signals.update(found)
    if reason is None:
        reason, text, found = c4_filter(text, th, remove_lines=c4_lines)
        signals.update(found)
    return reason, text, {k: round(v, 4) if isinstance(v, float) else v for k, v in signals.items()}
