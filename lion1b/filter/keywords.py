"""Keyword and URL blocklists for filter_data.

Keywords are matched with one Aho-Corasick automaton (pyahocorasick): one pass over the text whatever the
number of terms, so lists of thousands of terms cost the same as a few. Matches are case-insensitive and whole
word: a hit must not continue a word on either side ("ass" does not match "class"). Edges that are CJK
characters or punctuation need no boundary, since CJK text has no spaces between words.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import ahocorasick

_SPACES = re.compile(r"\s+")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def load_list(path: str | Path) -> list[str]:
    """One entry a line; blank lines and lines starting with '#' are ignored."""
    entries = []
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            entries.append(line)
    return entries


def _is_word_char(char: str) -> bool:
    return (char.isalnum() or char == "_") and not _CJK_CHAR.match(char)


class KeywordMatcher:
    """Finds which of a list of terms occur in a text as whole words, ignoring case."""

    def __init__(self, terms: list[str]) -> None:
        self.automaton = ahocorasick.Automaton()
        for term in terms:
            term = _SPACES.sub(" ", term.strip().lower())
            self.automaton.add_word(term, term)
        self.empty = not terms
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, text: str) -> list[str]:
        """Sorted distinct terms found in text."""
        if self.empty:
            return []
        text = _SPACES.sub(" ", text.lower())  # "online\n  poker" still matches "online poker"
        found = set()
        for end, term in self.automaton.iter(text):
            start = end - len(term) + 1
            if _is_word_char(term[0]) and start > 0 and _is_word_char(text[start - 1]):
                continue
            if _is_word_char(term[-1]) and end + 1 < len(text) and _is_word_char(text[end + 1]):
                continue
            found.add(term)
        return sorted(found)


class UrlBlocklist:
    """Blocks a domain and its subdomains ("casino.example") or a host+path prefix ("example.org/ads/")."""

    def __init__(self, entries: list[str]) -> None:
        self.domains: set[str] = set()
        self.prefixes: list[str] = []
        for entry in entries:
            entry = re.sub(r"^[a-z]+://", "", entry.strip().lower())
            if "/" in entry.rstrip("/"):
                self.prefixes.append(entry.removeprefix("www."))
            else:
                self.domains.add(entry.rstrip("/").removeprefix("www."))

    def blocked(self, url: str) -> bool:
        try:
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").rstrip(".")
        except ValueError:  # malformed URL (bad port, bad IPv6 literal): cannot be on a host list
            return False
        labels = host.split(".")
        if any(".".join(labels[i:]) in self.domains for i in range(len(labels))):
            return True
        location = host.removeprefix("www.") + (parts.path or "/")
        return any(location.startswith(prefix) for prefix in self.prefixes)
