"""Document quality rules for filter_data, in two profiles, every rule aware of code.

``curated`` (the default, for sites the user chose): broken text (mojibake, binary, leftover markup),
placeholder text, length, navigation-only pages, shouting, stop words and gross repetition — rules that
drop what no one wants to train on, and keep documentation, reference pages and code.
``web`` (open-web crawls): the published Gopher quality + repetition (Rae et al. 2021, appendix A), C4
(Raffel et al. 2020, section 2.2) and FineWeb (Penedo et al. 2024) rules.

Code-aware: the lines of code blocks (``code_lines`` from extract_text, or Markdown fences) are exempt from
every line rule (punctuation, braces, "javascript", C4 line removal) and the word and repetition rules
measure prose only; only the document length counts code too.

CJK text has no spaces, so every rule counts *tokens*: a Han/Kana/Hangul character is one token, any other
run of non-space characters is one token (a word); the "cjk" section of a profile rescales the rules that
depend on what a token is. Thresholds and rule lists live in lion1b/filter/profiles/*.json; a user's quality
config file (same keys) overrides them, and load_config() rejects unknown keys and wrong types by name.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from dataclasses import dataclass, fields, replace
from pathlib import Path
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
    # broken text (curated)
    max_mojibake_ratio: float = 0.005  # mojibake sequences ("Ã©", "â€™") per prose character
    max_binary_ratio: float = 0.01  # control characters and U+FFFD per character
    max_markup_ratio: float = 0.2  # prose characters inside HTML tags, entities or wiki/template markup
    # navigation (curated): short unpunctuated prose lines, as in menus, breadcrumbs and link lists
    nav_line_max_words: int = 3
    max_nav_lines_ratio: float = 0.9
    nav_min_content_words: int = 0  # ... unless this many words stand outside menu lines (0: no floor)
    max_uppercase_ratio: float = 0.6  # upper-case share of the cased letters of the prose sentences
    min_cased_letter_share: float = 0.5  # ... judged when cased letters are at least this share of all letters
    # the prose statistics of the curated rules (stop words, shouting, n-grams) judge only a page with at
    # least this many prose words: a code sample with two lines of prose around it has no statistics
    min_prose_words_to_judge: int = 0


DEFAULTS = Thresholds()
RULES = ("broken_text", "placeholder", "length", "navigation", "caps", "stop_words", "repetition",
         "gopher_repetition", "gopher_quality", "fineweb", "c4")
PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
PROFILES = ("curated", "web")
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
# the end of a line that introduces what follows (a code block, a list) or labels a table cell
LEAD_IN_PUNCT = (":", "：", ";", "；", ",", "、", ")")
_ELLIPSES = ("...", "…")
_BULLETS = ("•", "●", "‣", "◦", "▪", "*", "-", "–", "·")
C4_POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
             "use cookies")
# UTF-8 read as Latin-1/cp1252: "Ã©", "â€™", "Â " — a lead byte's character followed by a continuation's
_MOJIBAKE = re.compile(r"[ÂÃÅÆÐÑØ][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc]"
                       r"|â€[\u0080-\u00bf\u2018-\u203a™œ]|ï»¿")
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
# Markup left as text: entities, {{templates}}, [[links]], and HTML/XML tags. An angle-bracketed word is a tag
# only when it reads as one: a closing tag, a tag with a quoted (or unspaced) attribute value, a self-closing
# or void element (<br>, <img ...>), or an opening tag the same prose also closes. What manuals put in angle
# brackets is not markup: metavariables (HAProxy's "add map [@<ver>] <map> <key> <value>"), C++ templates
# (<class T = void>), header names (<map>). Counted as tags, they dropped HAProxy's 211,538-character
# management guide; over 51,641 pages of earlier real-site runs, the 49 pages dropped so held no markup at all.
_MARKUP = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6});|\{\{[^{}\n]*\}\}|\[\[[^\[\]\n]*\]\]")
_ATTRIBUTE = r"""[ \t]+[\w:-]+(?:=(?:"[^"\n]*"|'[^'\n]*'|[^\s"'=<>`]+))?"""
_TAG = re.compile(rf"<(/?)([a-zA-Z][\w:-]*)((?:{_ATTRIBUTE}){{0,30}})[ \t]*(/?)>")
_VOID = frozenset({"br", "hr", "wbr"})  # bare void tags; <img>, <link>, <input> carry attributes when real
_UPPER = re.compile(r"[A-ZÀ-ÖØ-ÞΑ-ΩА-ЯЁ]")  # the cased scripts; a regex counts far faster than str.isupper()
_LOWER = re.compile(r"[a-zß-öø-ÿα-ωа-яё]")
_LETTER = re.compile(r"[^\W\d_]")
_FILLER = re.compile(r"lorem ipsum dolor sit amet,? consectetur", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```|~~~)")


# ----------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class QualityConfig:
    """A profile with its overrides: the rules to run, in order, and the thresholds per language family."""

    name: str
    rules: tuple[str, ...]
    default: Thresholds
    cjk: Thresholds

    def thresholds(self, lang: str) -> Thresholds:
        return self.cjk if family_of(lang) == "cjk" else self.default


class ConfigError(ValueError):
    """A quality config that names an unknown key or gives a value of the wrong type."""


_FIELD_KIND = {f.name: f.type for f in fields(Thresholds)}


def _check_value(where: str, key: str, value: Any) -> Any:
    kind = _FIELD_KIND[key]
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: {key!r} must be an integer, got {json.dumps(value)}")
        return value
    if kind in ("float", "float | None"):
        if value is None and kind == "float | None":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            nullable = " or null" if kind == "float | None" else ""
            raise ConfigError(f"{where}: {key!r} must be a number{nullable}, got {json.dumps(value)}")
        return float(value)
    # n-gram tables: [[n, share], ...]
    if not isinstance(value, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int) and not isinstance(pair[0], bool)
            and pair[0] > 0 and isinstance(pair[1], int | float) and not isinstance(pair[1], bool)
            for pair in value):
        raise ConfigError(f"{where}: {key!r} must be a list of [n, share] pairs, got {json.dumps(value)}")
    return tuple((n, float(share)) for n, share in value)


def _overrides(where: str, table: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in table.items():
        if key not in _FIELD_KIND:
            raise ConfigError(f"{where}: unknown key {key!r} (known: rules, cjk, {', '.join(_FIELD_KIND)})")
        out[key] = _check_value(where, key, value)
    return out


def _parse(where: str, raw: Any) -> tuple[tuple[str, ...] | None, dict[str, Any], dict[str, Any]]:
    """(rules or None, default-family overrides, cjk overrides) of one config object."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a JSON object, got {type(raw).__name__}")
    raw = dict(raw)
    rules = raw.pop("rules", None)
    if rules is not None:
        if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
            raise ConfigError(f"{where}: 'rules' must be a list of rule names, got {json.dumps(rules)}")
        unknown = [r for r in rules if r not in RULES]
        if unknown:
            raise ConfigError(f"{where}: unknown rule {unknown[0]!r} in 'rules' (known: {', '.join(RULES)})")
        rules = tuple(rules)
    cjk = raw.pop("cjk", {})
    if not isinstance(cjk, dict):
        raise ConfigError(f"{where}: 'cjk' must be an object of thresholds, got {json.dumps(cjk)}")
    raw.pop("comment", None)
    return rules, _overrides(where, raw), _overrides(f"{where} (cjk)", cjk)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"quality config {path}: cannot read ({exc.strerror})") from None
    except ValueError as exc:
        raise ConfigError(f"quality config {path}: not valid JSON ({exc})") from None


def load_config(profile: str = "curated", path: str | Path | None = None) -> QualityConfig:
    """The named profile (lion1b/filter/profiles/<profile>.json), with the keys of ``path`` over it.
    Keys: "rules" (list), any Thresholds field, "cjk" (Thresholds fields for zh/ja/ko over the others),
    "comment" (ignored). Raises ConfigError naming the offending key."""
    if profile not in PROFILES:
        raise ConfigError(f"unknown quality profile {profile!r} (known: {', '.join(PROFILES)})")
    profile_path = PROFILES_DIR / f"{profile}.json"
    rules, default, cjk = _parse(f"profile {profile_path}", _read_json(profile_path))
    if path is not None:
        user_rules, user_default, user_cjk = _parse(f"quality config {path}", _read_json(Path(path)))
        rules = user_rules or rules
        default = {**default, **user_default}
        cjk = {**cjk, **user_default, **user_cjk}  # a plain key set by the user applies to every family
    base = replace(DEFAULTS, **default)
    return QualityConfig(profile, rules or (), base, replace(base, **cjk))


# ----------------------------------------------------------------------------- documents


def family_of(lang: str) -> str:
    return FAMILY_OF_LANG.get(lang, "default")


def tokenize(text: str) -> list[str]:
    """Words for Latin-like scripts, single characters for CJK: the unit every word-based rule counts."""
    return _TOKEN.findall(text)


def fenced_code(lines: list[str]) -> list[bool]:
    """Which lines are inside Markdown code fences (fences included): the code of text without code_lines."""
    mask, inside = [], False
    for line in lines:
        fence = _FENCE.match(line) is not None
        mask.append(inside or fence)
        if fence:
            inside = not inside
    return mask


def code_mask(lines: list[str], code_lines: Any) -> list[bool]:
    """The code flag of every line, from extract_text's [first, end) ranges when they are well formed, else
    from Markdown fences."""
    mask = [False] * len(lines)
    if isinstance(code_lines, list) and code_lines and all(
            isinstance(r, list) and len(r) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in r)
            and 0 <= r[0] <= r[1] <= len(lines) for r in code_lines):
        for first, end in code_lines:
            mask[first:end] = [True] * (end - first)
        return mask
    return fenced_code(lines) if "```" in "".join(lines) or "~~~" in "".join(lines) else mask


def code_ranges(mask: list[bool]) -> list[list[int]]:
    """[first, end) ranges of the True runs of a mask: code_lines for the output record."""
    out: list[list[int]] = []
    for i, flag in enumerate(mask):
        if flag:
            if out and out[-1][1] == i:
                out[-1][1] = i + 1
            else:
                out.append([i, i + 1])
    return out


def kept_lines(lines: list[str], code: list[bool], code_lines: Any, kept: list[int]) -> tuple[str, Any]:
    """(text, code_lines) of the ``kept`` lines (indices, in order) of a text: its code ranges renumbered when
    it had ranges (``code`` is code_mask's), else ``code_lines`` as they were."""
    new_code = code_ranges([code[i] for i in kept]) if isinstance(code_lines, list) else code_lines
    return "\n".join(lines[i] for i in kept), new_code


class Doc:
    """A text as lines with their code flags; ``prose`` is the text without its code lines (blank lines
    kept, so paragraphs stay paragraphs)."""

    def __init__(self, text: str, code: list[bool] | None = None) -> None:
        self.lines = text.split("\n")
        self.code = code if code is not None and len(code) == len(self.lines) else [False] * len(self.lines)
        self.prose = "\n".join(line for line, is_code in zip(self.lines, self.code, strict=True) if not is_code)
        self.prose_lines = [line.strip() for line in self.prose.split("\n") if line.strip()]
        self.words: list[str] = []
        self.line_tokens: list[int] = []  # tokens of each prose line: one tokenizer pass serves every rule
        for line in self.prose_lines:
            tokens = _TOKEN.findall(line)
            self.words += tokens
            self.line_tokens.append(len(tokens))
        # code is counted in space-separated tokens: identifiers and operators, CJK comments or not
        self.all_tokens = len(self.words) + sum(len(line.split()) for line, is_code in
                                                zip(self.lines, self.code, strict=True) if is_code)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# ----------------------------------------------------------------------------- shared measures


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


Result = tuple[str | None, dict[str, float]]
# The curated n-gram rule looks for keyword stuffing, visible in any stretch of a page: it reads the first
# this many prose words, so a 100,000-word manual costs no more than a long article.
REPETITION_SAMPLE_WORDS = 5_000


# ----------------------------------------------------------------------------- curated rules


def markup_chars(prose: str) -> int:
    """Characters of markup left as text (see _MARKUP and _TAG)."""
    chars = sum(len(m) for m in _MARKUP.findall(prose))
    tags = list(_TAG.finditer(prose))
    bare = _VOID | {m[2].lower() for m in tags if m[1]}  # void, or closed somewhere in the prose
    for m in tags:
        closing, name, attributes, self_closing = m.groups()
        if closing or self_closing or "=" in attributes or name.lower() in bare:
            chars += len(m[0])
    return chars


def broken_text(doc: Doc, lang: str, th: Thresholds) -> Result:
    """Text no reader could use: mis-decoded (mojibake), binary garbage, or HTML/wiki markup left as text."""
    signals: dict[str, float] = {}
    chars = max(len(doc.prose), 1)
    signals["binary_ratio"] = len(_BINARY.findall(doc.text)) / max(len(doc.text), 1)
    if signals["binary_ratio"] > th.max_binary_ratio:
        return "broken_binary", signals
    signals["mojibake_ratio"] = len(_MOJIBAKE.findall(doc.prose)) / chars
    if signals["mojibake_ratio"] > th.max_mojibake_ratio:
        return "broken_mojibake", signals
    signals["markup_ratio"] = markup_chars(doc.prose) / chars
    if signals["markup_ratio"] > th.max_markup_ratio:
        return "broken_markup", signals
    return None, signals


def placeholder(doc: Doc, lang: str, th: Thresholds) -> Result:
    """Template filler in the prose (code may hold it as test data): the filler itself, "Lorem ipsum dolor
    sit amet, consectetur ...", not a mention of it (Django's template reference documents its {% lorem %}
    tag: "the common paragraph (“Lorem ipsum dolor sit amet…”)")."""
    return ("placeholder_lorem_ipsum" if _FILLER.search(doc.prose) else None), {}


def _boilerplate_line(line: str) -> bool:
    """A cookie, privacy or "enable JavaScript" notice: site chrome whatever the site."""
    low = line.lower()
    return "javascript" in low or any(p in low for p in C4_POLICY)


def length(doc: Doc, lang: str, th: Thresholds) -> Result:
    """Too little or too much content. Content is code plus the prose lines that are neither menu items
    (see navigation) nor cookie/JavaScript notices, so a page of chrome around "Coming soon" is short while
    a reference page that is mostly a code sample is not."""
    content = doc.all_tokens - len(doc.words) + sum(
        n for line, n in zip(doc.prose_lines, doc.line_tokens, strict=True)
        if not _nav_line(line, n, th) and not _boilerplate_line(line))
    signals = {"words": doc.all_tokens, "content_words": content}
    if content < th.min_words:
        return "too_few_words", signals
    return ("too_many_words" if doc.all_tokens > th.max_words else None), signals


def _nav_line(line: str, tokens: int, th: Thresholds) -> bool:
    return tokens <= th.nav_line_max_words and not line.endswith(TERMINAL_PUNCT + LEAD_IN_PUNCT)


def navigation(doc: Doc, lang: str, th: Thresholds) -> Result:
    """A page that is mostly menu: nearly every prose line a few words without punctuation (a link list,
    a breadcrumb trail). Code and long lines vote for content."""
    if not doc.prose_lines:
        return None, {}
    menu = [_nav_line(line, n, th) for line, n in zip(doc.prose_lines, doc.line_tokens, strict=True)]
    total = len(doc.prose_lines) + sum(doc.code)
    signals = {"nav_lines_ratio": sum(menu) / total}
    if signals["nav_lines_ratio"] <= th.max_nav_lines_ratio:
        return None, signals
    # a page of short lines that has its prose too is a reference: SQLite's 147 keywords, one a line, under
    # 458 words about them (an index page keeps at most a dozen words outside its entries)
    signals["content_words"] = sum(n for n, is_menu in zip(doc.line_tokens, menu, strict=True) if not is_menu)
    if th.nav_min_content_words and signals["content_words"] >= th.nav_min_content_words:
        return None, signals
    return "mostly_navigation", signals


def _few_words(doc: Doc, th: Thresholds) -> bool:
    return len(doc.words) < th.min_prose_words_to_judge


def caps(doc: Doc, lang: str, th: Thresholds) -> Result:
    """Shouting: most cased letters of the prose sentences in upper case (table rows of SQL keywords and
    headings are not sentences). Text in a script without case (Japanese, Arabic, Hindi) cannot shout:
    its few Latin letters are acronyms ("URL", "CGI"), so it is judged only when most letters are cased."""
    sentences = "".join(line for line in doc.prose_lines if line.endswith(TERMINAL_PUNCT))
    upper = len(_UPPER.findall(sentences))
    lower = len(_LOWER.findall(sentences))
    if (upper + lower < 100 or _few_words(doc, th)  # a few sentences: not enough to judge
            or upper + lower < th.min_cased_letter_share * len(_LETTER.findall(sentences))):
        return None, {}
    signals = {"uppercase_ratio": upper / (upper + lower)}
    return ("mostly_uppercase" if signals["uppercase_ratio"] > th.max_uppercase_ratio else None), signals


@functools.cache
def _stop_word_pattern(lang: str) -> re.Pattern[str] | None:
    """One regex per language: a single pass over the prose instead of a set lookup per word."""
    words = STOP_WORDS.get(lang)
    if words is None:
        return None
    if family_of(lang) == "cjk":
        return re.compile("[" + "".join(sorted(words)) + "]")
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(map(re.escape, words))) + r")(?!\w)")


def stop_words(doc: Doc, lang: str, th: Thresholds) -> Result:
    """Keyword lists and word salad have no function words ("the", "of"; "的", "の"); counted in the running
    text, table rows left out."""
    pattern = _stop_word_pattern(lang)
    # table rows (extract_text joins cells with " | ") are names and values, not running text
    running = [(line, n) for line, n in zip(doc.prose_lines, doc.line_tokens, strict=True) if " | " not in line]
    if pattern is None or sum(n for _, n in running) < th.min_prose_words_to_judge:
        return None, {}
    signals = {"stop_words": len(pattern.findall("\n".join(line for line, _ in running).lower()))}
    return ("too_few_stop_words" if signals["stop_words"] < th.min_stop_words else None), signals


def repetition(doc: Doc, lang: str, th: Thresholds) -> Result:
    """Gross repetition of prose lines (the same notice over and over); a "Note" heading that recurs in a
    long manual page is far below the limit."""
    n_dup, dup_chars = _duplicates(doc.prose_lines)
    signals = {"dup_line_frac": n_dup / max(len(doc.prose_lines), 1),
               "dup_line_char_frac": dup_chars / max(sum(map(len, doc.prose_lines)), 1)}
    if signals["dup_line_frac"] > th.max_dup_line_frac:
        return "dup_line_frac", signals
    if signals["dup_line_char_frac"] > th.max_dup_line_char_frac:
        return "dup_line_chars", signals
    if _few_words(doc, th):
        return None, signals
    words = doc.words[:REPETITION_SAMPLE_WORDS]
    total_chars = max(sum(map(len, words)), 1)
    for n, limit in th.top_ngrams:
        signals[f"top_{n}gram_frac"] = _top_ngram_char_frac(words, n, total_chars)
        if signals[f"top_{n}gram_frac"] > limit:
            return f"top_{n}gram", signals
    return None, signals


# ----------------------------------------------------------------------------- web rules (published ones)


def gopher_repetition(doc: Doc, lang: str, th: Thresholds) -> Result:
    signals: dict[str, float] = {}
    text, words = doc.prose, doc.words
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


def gopher_quality(doc: Doc, lang: str, th: Thresholds) -> Result:
    signals: dict[str, float] = {}
    n_words = doc.all_tokens
    signals["words"] = n_words
    if not th.min_words <= n_words <= th.max_words:
        return "gopher_word_count", signals
    words, text = doc.words, doc.prose
    n_prose = max(len(words), 1)
    if th.min_avg_word_len is not None and th.max_avg_word_len is not None and words:
        signals["avg_word_len"] = sum(map(len, words)) / n_prose
        if not th.min_avg_word_len <= signals["avg_word_len"] <= th.max_avg_word_len:
            return "gopher_avg_word_len", signals
    signals["symbol_word_ratio"] = (text.count("#") + text.count("...") + text.count("…")) / n_prose
    if signals["symbol_word_ratio"] > th.max_symbol_word_ratio:
        return "gopher_symbol_ratio", signals
    lines = doc.prose_lines
    n_lines = max(len(lines), 1)
    signals["bullet_lines_ratio"] = sum(line.startswith(_BULLETS) for line in lines) / n_lines
    if signals["bullet_lines_ratio"] > th.max_bullet_lines_ratio:
        return "gopher_bullet_lines", signals
    signals["ellipsis_lines_ratio"] = sum(line.endswith(_ELLIPSES) for line in lines) / n_lines
    if signals["ellipsis_lines_ratio"] > th.max_ellipsis_lines_ratio:
        return "gopher_ellipsis_lines", signals
    signals["alpha_words_ratio"] = sum(any(c.isalpha() for c in w) for w in words) / n_prose
    if signals["alpha_words_ratio"] < th.min_alpha_words_ratio:
        return "gopher_alpha_words", signals
    reason, found = stop_words(doc, lang, th)
    signals.update(found)
    return ("gopher_stop_words" if reason else None), signals


def fineweb(doc: Doc, lang: str, th: Thresholds) -> Result:
    signals: dict[str, float] = {}
    lines = doc.prose_lines
    if not lines:
        return None, signals
    n_lines = len(lines)
    signals["line_punct_ratio"] = sum(line.endswith(TERMINAL_PUNCT) for line in lines) / n_lines
    if signals["line_punct_ratio"] < th.fw_min_line_punct_ratio:
        return "fineweb_line_punct", signals
    signals["short_line_ratio"] = sum(len(line) <= th.fw_short_line_chars for line in lines) / n_lines
    if signals["short_line_ratio"] > th.fw_max_short_line_ratio:
        return "fineweb_short_lines", signals
    signals["dup_line_char_ratio"] = _duplicates(lines)[1] / max(sum(map(len, lines)), 1)
    if signals["dup_line_char_ratio"] > th.fw_max_dup_line_char_ratio:
        return "fineweb_dup_line_chars", signals
    signals["newline_word_ratio"] = doc.prose.count("\n") / max(len(doc.words), 1)
    if signals["newline_word_ratio"] > th.fw_max_newline_word_ratio:
        return "fineweb_list_ratio", signals
    return None, signals


def c4(doc: Doc, th: Thresholds, remove_lines: bool = True) -> tuple[str | None, Doc, dict[str, float]]:
    """C4 line cleaning of the prose: keep only lines that read like prose; code lines always stay.
    Returns (reason, cleaned doc, signals). Blank lines are kept (collapsed) so paragraph structure survives
    for the later stages. With remove_lines=False only the document-level rules apply."""
    lowered = doc.prose.lower()
    if "lorem ipsum" in lowered:
        return "c4_lorem_ipsum", doc, {}
    if "{" in doc.prose:
        return "c4_curly_brace", doc, {}
    kept: list[str] = []
    kept_code: list[bool] = []
    removed = 0
    for raw, is_code in zip(doc.lines, doc.code, strict=True):
        if is_code:
            kept.append(raw)
            kept_code.append(True)
            continue
        line = raw.strip()
        if not line:
            if kept and kept[-1]:
                kept.append("")
                kept_code.append(False)
            continue
        low = line.lower()
        if remove_lines and (not line.endswith(TERMINAL_PUNCT) or line.endswith(_ELLIPSES)
                             or len(tokenize(line)) < th.c4_min_words_per_line
                             or "javascript" in low or any(p in low for p in C4_POLICY)):
            removed += 1
            continue
        kept.append(line)
        kept_code.append(False)
    while kept and not kept[-1] and not kept_code[-1]:
        kept.pop()
        kept_code.pop()
    while kept and not kept[0] and not kept_code[0]:
        kept.pop(0)
        kept_code.pop(0)
    cleaned = Doc("\n".join(kept), kept_code)
    signals = {"c4_lines_removed": removed, "sentences": len(_SENTENCE_END.findall(cleaned.prose))}
    if signals["sentences"] < th.c4_min_sentences:
        return "c4_min_sentences", cleaned, signals
    return None, cleaned, signals


RULE_FUNCTIONS = {"broken_text": broken_text, "placeholder": placeholder, "length": length,
                  "navigation": navigation, "caps": caps, "stop_words": stop_words, "repetition": repetition,
                  "gopher_repetition": gopher_repetition, "gopher_quality": gopher_quality, "fineweb": fineweb}


def check_quality(doc: Doc | str, lang: str, config: QualityConfig,
                  c4_lines: bool = True) -> tuple[str | None, Doc, dict[str, Any]]:
    """The profile's rules in order; returns (drop reason or None, document to keep, signals).

    Rules judge the page as extracted (datatrove's FineWeb order: FineWeb's line statistics would be
    meaningless after C4 removed every line without punctuation); C4, when the profile has it, runs last,
    cleans the prose lines and drops the document if fewer than c4_min_sentences sentences survive."""
    if isinstance(doc, str):
        doc = Doc(doc)
    th = config.thresholds(lang)
    signals: dict[str, Any] = {"profile": config.name, "family": family_of(lang)}
    reason = None
    if doc.all_tokens > th.max_words:  # before the n-gram passes, whose cost grows with the length
        reason = "gopher_word_count" if "gopher_quality" in config.rules else "too_many_words"
        return reason, doc, {**signals, "words": doc.all_tokens}
    for rule in config.rules:
        if rule == "c4":
            reason, doc, found = c4(doc, th, remove_lines=c4_lines)
        else:
            reason, found = RULE_FUNCTIONS[rule](doc, lang, th)
        signals.update(found)
        if reason is not None:
            break
    return reason, doc, {k: round(v, 4) if isinstance(v, float) else v for k, v in signals.items()}
