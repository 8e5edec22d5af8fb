"""The extractors extract_text.py offers, behind one signature: ``engine(html) -> Extracted``.

density      block scorer on selectolax/lexbor (lion1b/extract/density.py): the default, the most accurate
             and several times faster than trafilatura on bench/bench_extract.py
trafilatura  the precise reference (include_comments=False); trafilatura-fast skips its fallback extractors
resiliparse  resiliparse's main-content mode: the fastest, less precise
bs4          BeautifulSoup text after dropping nav/header/footer/aside/form: a baseline only
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from lion1b.extract.density import main_text

SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str


def tidy(text: str) -> str:
    """One paragraph a line, single spaces, no blank lines: the same text shape whatever the engine."""
    lines = (SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _title(raw: str | None) -> str:
    return " ".join(raw.split()) if raw else ""


def extract_density(html: str) -> Extracted:
    tree = LexborHTMLParser(html)
    headline, text = main_text(tree.body)
    if not headline:
        title = tree.css_first("title")
        headline = title.text() if title is not None else ""
    return Extracted(_title(headline), tidy(text))


def _trafilatura(html: str, fast: bool) -> Extracted:
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        return Extracted("", "")
    title = tree.findtext(".//title")
    text = trafilatura.extract(tree, include_comments=False, fast=fast) or ""
    return Extracted(_title(title), tidy(text))


def extract_trafilatura(html: str) -> Extracted:
    return _trafilatura(html, fast=False)


def extract_trafilatura_fast(html: str) -> Extracted:
    return _trafilatura(html, fast=True)


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


ENGINES: dict[str, Callable[[str], Extracted]] = {
    "density": extract_density,
    "trafilatura": extract_trafilatura,
    "trafilatura-fast": extract_trafilatura_fast,
    "resiliparse": extract_resiliparse,
    "bs4": extract_bs4,
}
DEFAULT_ENGINE = "density"
