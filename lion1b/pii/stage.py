"""scrub_pii: replace e-mails, phones, IPs, cards, SSNs, IBANs and secrets in each record's text by typed
placeholders (`<EMAIL>`, or stable per-document pseudonyms `<EMAIL_1>` with --pseudonymize).

The detectors are in lion1b/pii/detectors.py. Each record gets `pii_counts` ({type: n}, only types found);
the summary line adds them up as pii_<TYPE>=n and docs_with_pii=n. Found values are never logged: only counts.
"""

import argparse
from typing import Any

from lion1b.config import FILES
from lion1b.contract import Drop, MapStage, die, run_map_stage
from lion1b.pii.detectors import TYPES, find_pii

DEFAULT_PLACEHOLDER = "<{type}>"


def pseudonym_key(kind: str, value: str) -> str:
    """Two spellings of one value get one pseudonym: e-mails ignore case, numbers ignore their separators."""
    if kind == "EMAIL":
        return value.lower()
    if kind == "SECRET":
        return value
    return "".join(c for c in value.upper() if c.isalnum())


def scrub(text: str, types: tuple[str, ...], placeholder: str, pseudonymize: bool) -> tuple[str, dict[str, int]]:
    """The text with every detected span replaced, and how many spans of each type were replaced."""
    spans = find_pii(text, types)
    if not spans:
        return text, {}
    counts: dict[str, int] = {}
    numbers: dict[str, dict[str, int]] = {}  # type -> normalised value -> pseudonym number
    pieces = []
    last = 0
    for span in spans:
        counts[span.type] = counts.get(span.type, 0) + 1
        label = span.type
        if pseudonymize:
            seen = numbers.setdefault(span.type, {})
            key = pseudonym_key(span.type, text[span.start : span.end])
            label = f"{span.type}_{seen.setdefault(key, len(seen) + 1)}"
        pieces.append(text[last : span.start])
        pieces.append(placeholder.format(type=label))
        last = span.end
    pieces.append(text[last:])
    return "".join(pieces), dict(sorted(counts.items()))


class ScrubPII(MapStage):
    """Scrubs PII from `text`; other fields (url, metadata) are carried through unchanged."""

    name = "scrub_pii"
    default_output = FILES["scrubbed"]

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--placeholder", default=DEFAULT_PLACEHOLDER,
                            help="replacement template; {type} becomes EMAIL, PHONE, ... (default %(default)s)")
        parser.add_argument("--pseudonymize", action="store_true",
                            help="number distinct values per type within a document: <EMAIL_1>, <EMAIL_2>, ...; "
                                 "the same value gets the same number (numbers restart in every document)")
        parser.add_argument("--types", default=",".join(TYPES),
                            help="comma-separated types to scrub (default: all of %(default)s)")

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        self.types = tuple(t.strip().upper() for t in args.types.split(",") if t.strip())
        unknown = sorted(set(self.types) - set(TYPES))
        if unknown or not self.types:
            die(f"--types: unknown or empty {unknown or args.types!r}; choose from {','.join(TYPES)}")
        if "{type}" not in args.placeholder:
            die(f"--placeholder must contain {{type}} (got {args.placeholder!r})")
        try:
            args.placeholder.format(type="EMAIL")
        except (KeyError, IndexError, ValueError):
            die(f"--placeholder is not a valid template with only {{type}} (got {args.placeholder!r})")

    def process(self, record: dict[str, Any]) -> dict[str, Any] | Drop:
        text, counts = scrub(record["text"], self.types, self.args.placeholder, self.args.pseudonymize)
        for pii_type, n in counts.items():
            self.count(f"pii_{pii_type}", n)
        if counts:
            self.count("docs_with_pii")
        return {**record, "text": text, "pii_counts": counts}


def main(argv: list[str] | None = None) -> None:
    run_map_stage(ScrubPII, description=__doc__, argv=argv)
