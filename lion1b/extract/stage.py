"""Extract the main text of crawled pages: raw crawl records → text records.

In:  {"url", "status", "content_type", "html", ...} (scripts/crawl output)
Out: {"id", "url", "title", "text", "extractor", "code_lines", ...the crawl metadata except "html"}

The text keeps the page's structure: one block a line, list items with a marker, table rows with their
cells joined by " | ", code blocks verbatim (line breaks and indentation); "code_lines" lists the
[first, end) line ranges that are code, for filter_data's code-aware rules. --format markdown writes
headings, lists, pipe tables and fenced code instead.

Pages are dropped with a counted reason: http_status (not 200), not_html (content type), empty_html,
html_too_large (--max-html-bytes), too_many_nodes (--max-dom-nodes), too_deep (--max-dom-depth),
extract_failed:<error>, no_text, too_short (--min-chars). The limits count bytes and tags, never seconds,
so the same input gives the same output on a loaded machine and an idle one.
"""

import argparse
import functools
import re
from typing import Any

from lion1b.config import FILES
from lion1b.contract import Drop, MapStage, die, record_id, run_map_stage
from lion1b.extract.engines import DEFAULT_ENGINE, ENGINES, MARKDOWN_ENGINES, Extracted

HTML_TYPES = ("html", "xml")  # text/html, application/xhtml+xml; a missing content type is given the benefit
TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>")
# Elements that never nest deeper: void elements, and those a parser closes when the next one opens
SHALLOW_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                          "source", "track", "wbr", "p", "li", "dt", "dd", "td", "th", "tr", "option"})


class ExtractText(MapStage):
    name = "extract_text"
    required = {"url": str}
    default_output = FILES["extracted"]

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("extract_text")
        group.add_argument("--extractor", choices=sorted(ENGINES), default=DEFAULT_ENGINE,
                           help=f"main-content engine (default {DEFAULT_ENGINE}: F1 0.974 vs trafilatura's 0.960 "
                                "at 7-9x its speed on bench/bench_extract.py; see docs/extract.md)")
        group.add_argument("--format", choices=["text", "markdown"], default="text",
                           help="text: one block a line, code verbatim (default); markdown: headings, lists, "
                                "tables and fenced code (engines: " + ", ".join(MARKDOWN_ENGINES) + ")")
        group.add_argument("--min-chars", type=int, default=200,
                           help="drop pages whose extracted text is shorter than this (default 200)")
        group.add_argument("--max-html-bytes", type=int, default=5_000_000,
                           help="drop pages whose HTML is larger than this many UTF-8 bytes (default 5 MB)")
        group.add_argument("--max-dom-nodes", type=int, default=500_000,
                           help="drop pages with more tags than this, counted as '<' before parsing: a bound on "
                                "the parser's memory (default 500,000; pandas' I/O guide has 56,000)")
        group.add_argument("--max-dom-depth", type=int, default=10_000,
                           help="drop pages nested deeper than this, estimated from the tags before parsing: the "
                                "parser's cost grows with the square of the depth (default 10,000; documentation "
                                "pages nest 10-20 deep)")

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        for flag in ("min_chars", "max_html_bytes", "max_dom_nodes", "max_dom_depth"):
            if getattr(args, flag) < 0:
                die(f"--{flag.replace('_', '-')} must not be negative (got {getattr(args, flag)})")
        if args.format == "markdown" and args.extractor not in MARKDOWN_ENGINES:
            die(f"--format markdown needs --extractor {' or '.join(MARKDOWN_ENGINES)} (got {args.extractor})")
        engine = ENGINES[args.extractor]
        self.engine = functools.partial(engine, markdown=True) if args.format == "markdown" else engine

    def process(self, record: dict[str, Any]) -> dict[str, Any] | Drop:
        status = record.get("status", 200)
        if status != 200:
            return Drop("http_status")
        content_type = record.get("content_type") or ""
        if not isinstance(content_type, str) or (content_type and not any(t in content_type.lower()
                                                                          for t in HTML_TYPES)):
            return Drop("not_html")
        html = record.get("html")
        if not isinstance(html, str) or not html.strip():
            return Drop("empty_html")
        # Lone surrogates (possible in JSON "\ud800") cannot be written back as UTF-8: replace them first.
        raw = html.encode("utf-8", "replace")
        if len(raw) > self.args.max_html_bytes:
            return Drop("html_too_large")
        html = raw.decode("utf-8")
        tags = html.count("<")
        if tags > self.args.max_dom_nodes:
            return Drop("too_many_nodes")
        if tags > self.args.max_dom_depth and nesting_depth(html) > self.args.max_dom_depth:
            return Drop("too_deep")
        try:
            page = self.engine(html)
        except Exception as exc:  # a parser failing on one hostile page costs that page, never the worker
            return Drop(f"extract_failed:{type(exc).__name__}")
        if not page.text:
            return Drop("no_text")
        if len(page.text) < self.args.min_chars:
            return Drop("too_short")
        return _text_record(record, page, self.args.extractor)


def nesting_depth(html: str) -> int:
    """How deep the page's elements nest, read from its tags in one linear pass (an estimate: implied end
    tags other than those of SHALLOW_TAGS are not inferred), so that a pathological page never reaches the
    parser: 50,000 nested <div>s take lexbor 3.3 s to parse, 100,000 take 18 s."""
    depth = deepest = 0
    for tag in TAG.finditer(html):
        if tag.group(3) or tag.group(2).lower() in SHALLOW_TAGS:
            continue
        if tag.group(1):
            depth = depth - 1 if depth else 0
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _text_record(record: dict[str, Any], page: Extracted, extractor: str) -> dict[str, Any]:
    carried = {k: v for k, v in record.items()
               if k not in ("html", "id", "url", "title", "text", "extractor", "code_lines")}
    return {"id": record_id(record["url"]), "url": record["url"], "title": page.title, "text": page.text,
            "extractor": extractor, "code_lines": page.code_lines, **carried}


def main(argv: list[str] | None = None) -> None:
    run_map_stage(ExtractText, description=__doc__, argv=argv)
