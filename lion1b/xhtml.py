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
VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
        "wbr", "basefont", "bgsound", "frame", "keygen")
# a self-closing tag of any other element (most XHTML pages have none: the search finds that in one pass)
SELF_CLOSING = re.compile(rf"<(?!(?:{'|'.join(VOID)})[\s/])([a-zA-Z][\w:-]*)(\s[^<>]*?)?/>", re.IGNORECASE)


def xhtml_as_html(html: str) -> str:
    """The page with XHTML's self-closing non-void tags written as start and end tags, when it declares XHTML."""
    if "/>" not in html or not XHTML_DECLARED.search(html, 0, DECLARATION_CHARS) or not SELF_CLOSING.search(html):
        return html
    return SELF_CLOSING.sub(r"<\1\2></\1>", html)


def parse_html(html: str) -> LexborHTMLParser:
    """The page's tree, its XHTML self-closing tags read as XML reads them (see xhtml_as_html)."""
    return LexborHTMLParser(xhtml_as_html(html))
