"""HTML parsing that honours XHTML's self-closing tags, for the crawler's links and the extractors' text.

An HTML parser reads ``<iframe .../>`` or ``<div/>`` as a start tag (HTML5 ignores the slash): an iframe's
content is raw text up to ``</iframe>``, so a page that declares XHTML and writes ``<iframe src=... />`` in its
navigation bar has no text and no links after it. Debian's ImageMagick documentation is written so (its
pages are XHTML rewritten by a privacy script): every page came out ``no_text``, and the crawl found 6 of its
66 top-level pages. trafilatura's libxml2 parser reads them. A page that declares XHTML (an XML declaration,
an XHTML doctype or namespace in its first 2,000 characters) gets its self-closing non-void tags expanded to
a start and an end tag before parsing; any other page is parsed as it is.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

XHTML_DECLARED = re.compile(r"<\?xml|<!DOCTYPE[^>]*XHTML|xmlns=[\"']http://www\.w3\.org/1999/xhtml", re.IGNORECASE)
DECLARATION_CHARS = 2_000  # where the declaration is looked for
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                  "track", "wbr", "basefont", "bgsound", "frame", "keygen"})
# the start of a tag that a "/>" closes: its name and attributes, up to the "/>" (matched with endpos there)
OPENED = re.compile(r"<([a-zA-Z][\w:-]*)(\s[^<>]*)?\Z")


def _declares_xhtml(html: str) -> bool:
    head = html[:DECLARATION_CHARS]
    low = head.lower()  # two substring tests before the case-blind regex: most pages fail them
    return ("<?xml" in low or "xhtml" in low) and XHTML_DECLARED.search(head) is not None


def xhtml_as_html(html: str) -> str:
    """The page with XHTML's self-closing non-void tags written as start and end tags, when it declares XHTML.
    Read from each "/>" back to its "<": a page has a few of them, and thousands of other tags."""
    if not _declares_xhtml(html):
        return html
    pieces: list[str] = []
    done = 0
    end = html.find("/>")
    while end >= 0:
        start = html.rfind("<", done, end)
        opened = OPENED.match(html, start, end) if start >= 0 else None
        if opened is not None and opened.group(1).lower() not in VOID:
            name = opened.group(1)
            pieces += (html[done:start], "<", name, opened.group(2) or "", "></", name, ">")
            done = end + 2
        end = html.find("/>", end + 2)
    return "".join(pieces) + html[done:] if pieces else html


def parse_html(html: str) -> LexborHTMLParser:
    """The page's tree, its XHTML self-closing tags read as XML reads them (see xhtml_as_html)."""
    return LexborHTMLParser(xhtml_as_html(html))
