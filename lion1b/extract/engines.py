"""The extractors extract_text.py offers, behind one signature: ``engine(html, markdown=False) -> Extracted``.

density      block scorer on selectolax/lexbor (lion1b/extract/density.py): the default, the most accurate
             and several times faster than trafilatura on bench/bench_extract.py
trafilatura  the precise reference (include_comments=False); trafilatura-fast skips its fallback extractors
resiliparse  resiliparse's main-content mode: the fastest, less precise
bs4          BeautifulSoup text after dropping nav/header/footer/aside/form: a baseline only

Only density and trafilatura write Markdown (MARKDOWN_ENGINES); only density reports which lines are code
(the other engines' text has no code_lines, and filter_data then finds code by Markdown fences alone).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lion1b.extract.density import main_text
from lion1b.xhtml import parse_html

SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str
    code_lines: list[list[int]] = field(default_factory=list)  # [first, end) line ranges of code blocks


def tidy(text: str) -> str:
    """One paragraph a line, single spaces, no blank lines: the same text shape whatever the engine."""
    lines = (SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _title(raw: str | None) -> str:
    return " ".join(raw.split()) if raw else ""


def extract_density(html: str, markdown: bool = False) -> Extracted:
    """The text comes out already tidy (code verbatim), so tidy() is not applied: it would flatten code."""
    tree = parse_html(html)
    title = tree.css_first("title")
    page_title = _title(title.text()) if title is not None else ""
    headline, text, code = main_text(tree.body, markdown, page_title)
    return Extracted(_title(headline) or page_title, text, code)


def _trafilatura(html: str, fast: bool, markdown: bool) -> Extracted:
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        return Extracted("", "")
    title = tree.findtext(".//title")
    text = trafilatura.extract(tree, include_comments=False, fast=fast,
                               output_format="markdown" if markdown else "txt") or ""
    return Extracted(_title(title), text.strip() if markdown else tidy(text))


def extract_trafilatura(html: str, markdown: bool = False) -> Extracted:
    return _trafilatura(html, fast=False, markdown=markdown)


def extract_trafilatura_fast(html: str, markdown: bool = False) -> Extracted:
    return _trafilatura(html, fast=True, markdown=markdown)


def extract_resiliparse(html: str) -> Extracted:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(html)
    return Extracted(_title(tree.title), tidy(extract_plain_text(tree, main_content=True)))


def extract_bs4(html: str) -> Extracted:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form"]):
        tag.decompose()
    title = soup.title.get_text() if soup.title is not None else None
    body = soup.body or soup
    return Extracted(_title(title), tidy(body.get_text("\n")))


ENGINES: dict[str, Callable[..., Extracted]] = {
    "density": extract_density,
    "trafilatura": extract_trafilatura,
    "trafilatura-fast": extract_trafilatura_fast,
    "resiliparse": extract_resiliparse,
    "bs4": extract_bs4,
}
DEFAULT_ENGINE = "density"
MARKDOWN_ENGINES = ("density", "trafilatura", "trafilatura-fast")
