"""scrub_pii: replace e-mails, phones, IPs, cards, SSNs, IBANs and secrets by typed placeholders (`<EMAIL>`, or
stable per-document pseudonyms `<EMAIL_1>` with --pseudonymize) in every field that comes from the page: `text`,
`title`, and the path, query, fragment and user info of `url` and `requested_url` (which stay parseable URLs).

The detectors are in lion1b/pii/detectors.py. Private IP addresses inside the page's code blocks
(configuration examples) are kept, documentation addresses (192.0.2.0/24, 2001:db8::/32) everywhere, and
so are a role's, a mailing list's or a bug's e-mail address (submit@bugs.debian.org: no person's); see
docs/scrub_pii.md. Each record gets `pii_counts`
({type: n} over all its fields, only types found); the summary line adds them up as pii_<TYPE>=n,
docs_with_pii=n, docs_with_pii_in_title=n and docs_with_pii_in_url=n. Found values are never logged: only
counts.
"""

import argparse
import ipaddress
import re
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit, urlunsplit

from lion1b.config import FILES
from lion1b.contract import Drop, MapStage, die, run_map_stage
from lion1b.pii.detectors import TYPES, Span, find_pii

DEFAULT_PLACEHOLDER = "<{type}>"
# Fields that come from the page. Every string among them is scrubbed; the others (id, a hash; status, dates,
# content type, sha256; later stages' metadata) carry no page text.
TEXT_FIELDS = ("text", "title")
URL_FIELDS = ("url", "requested_url")
PATH_SAFE = "!$&'()*+,;=:@-._~"  # RFC 3986 pchar besides unreserved: kept as they are when re-encoding
QUERY_SAFE = "!$'()*,;:@/?-._~"  # as above, less & = + which delimit pairs (+ is a space in a query)
HAS_DIGIT_OR_AT = re.compile(r"[\d@%]")  # every type needs a digit or @ (secrets too, in practice); % may hide one
URL_MAY_HOLD_PII = re.compile(r"[\d@%=]")  # and name=value for a secret


def pseudonym_key(kind: str, value: str) -> str:
    """Two spellings of one value get one pseudonym: e-mails ignore case, numbers ignore their separators."""
    if kind == "EMAIL":
        return value.lower()
    if kind == "SECRET":
        return value
    return "".join(c for c in value.upper() if c.isalnum())


class Scrubber:
    """Replaces detected spans in the string fields of one document. With pseudonyms, one value gets one number
    in every field of the document (the title's <EMAIL_1> is the text's <EMAIL_1>)."""

    def __init__(self, types: tuple[str, ...], placeholder: str, pseudonymize: bool) -> None:
        self.types, self.placeholder, self.pseudonymize = types, placeholder, pseudonymize
        self.counts: dict[str, int] = {}
        self.numbers: dict[str, dict[str, int]] = {}  # type -> normalised value -> pseudonym number

    def label(self, kind: str, value: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if not self.pseudonymize:
            return self.placeholder.format(type=kind)
        seen = self.numbers.setdefault(kind, {})
        return self.placeholder.format(type=f"{kind}_{seen.setdefault(pseudonym_key(kind, value), len(seen) + 1)}")

    def text(self, text: str, start: int = 0, end: int | None = None, spans: list[Span] | None = None) -> str:
        """text[start:end] with the spans (found in all of text, default) that fall in it replaced; a span
        crossing the edge is replaced on both sides."""
        end = len(text) if end is None else end
        pieces, last = [], start
        for span in find_pii(text, self.types) if spans is None else spans:
            if span.end <= start or span.start >= end:
                continue
            pieces += [text[last : max(start, span.start)], self.label(span.type, text[span.start : span.end])]
            last = min(end, span.end)
        return "".join(pieces) + text[last:end] if pieces else text[start:end]

    def url(self, url: str) -> str:
        """The URL with PII in its user info, path, query names/values and fragment replaced, each part
        percent-decoded before detection and re-encoded after, so the result still parses as the same URL shape
        (placeholders become %3CEMAIL%3E). Parts without PII keep their exact original bytes. The host is kept:
        it names the server, not a person."""
        if not URL_MAY_HOLD_PII.search(url):
            return url
        try:
            parts = urlsplit(url)
        except ValueError:  # not a URL (an invalid IPv6 host, ...): scrub it as text
            return self.text(url)
        userinfo = parts.netloc.rpartition("@")[0]
        decoded = "\n".join((unquote(userinfo), unquote(parts.path), unquote_plus(parts.query),
                             unquote(parts.fragment)))
        if ":" not in userinfo and not find_pii(decoded, self.types):  # one scan for the common case: nothing
            return url
        netloc = parts.netloc
        if "@" in netloc:  # user:password@host is a credential whatever the detectors say; a bare user is text
            userinfo, host = netloc.rsplit("@", 1)
            if ":" in userinfo:
                userinfo = quote(self.label("SECRET", userinfo), safe="")
            netloc = self._component(userinfo, "!$&'()*+,;=-._~") + "@" + host
        path = self._component(parts.path, PATH_SAFE + "/")  # whole: "section/4.2.13.1" keeps its context
        query = "&".join(self._query_pair(pair) for pair in parts.query.split("&")) if parts.query else ""
        fragment = self._component(parts.fragment, PATH_SAFE + "/?")
        return urlunsplit((parts.scheme, netloc, path, query, fragment))

    def _component(self, raw: str, safe: str) -> str:
        if not raw or not HAS_DIGIT_OR_AT.search(raw):
            return raw
        decoded = unquote(raw)
        scrubbed = self.text(decoded)
        return raw if scrubbed == decoded else quote(scrubbed, safe=safe)

    def _query_pair(self, pair: str) -> str:
        """name=value scrubbed as one text, so that "token=..." keeps the context the secret rule needs."""
        if not HAS_DIGIT_OR_AT.search(pair) and "=" not in pair:
            return pair
        name, eq, value = pair.partition("=")
        dname, dvalue = unquote_plus(name), unquote_plus(value)
        joined = f"{dname}={dvalue}"
        spans = find_pii(joined, self.types)
        if not spans:
            return pair
        new_name = self.text(joined, 0, len(dname), spans)
        new_value = self.text(joined, len(dname) + 1, len(joined), [s for s in spans if s.end > len(dname) + 1])
        return (quote_plus(new_name, safe=QUERY_SAFE) if new_name != dname else name) + eq + (
            quote_plus(new_value, safe=QUERY_SAFE) if new_value != dvalue else value)


def example_addresses_in_code(text: str, spans: list[Span], code_lines: Any) -> list[Span]:
    """IP spans that are private, loopback or link-local addresses (RFC 1918, RFC 3927) inside
    the page's code blocks: configuration examples in technical documentation (``Gateway=192.168.0.1``), which
    name no person and no reachable machine, so scrubbing them would only break the example. The same address
    in prose, and every public address, is still scrubbed."""
    ips = [span for span in spans if span.type == "IP_ADDRESS"]
    if not ips or not isinstance(code_lines, list) or not code_lines:
        return []
    line_starts = [0]
    for line in text.split("\n"):
        line_starts.append(line_starts[-1] + len(line) + 1)
    ranges = []
    for block in code_lines:
        if (isinstance(block, list) and len(block) == 2 and all(isinstance(i, int) for i in block)
                and 0 <= block[0] < block[1] < len(line_starts)):
            ranges.append((line_starts[block[0]], line_starts[block[1]]))
    kept = []
    for span in ips:
        try:
            private = ipaddress.ip_address(text[span.start : span.end]).is_private
        except ValueError:
            continue
        if private and any(first <= span.start and span.end <= end for first, end in ranges):
            kept.append(span)
    return kept


def scrub(text: str, types: tuple[str, ...], placeholder: str, pseudonymize: bool) -> tuple[str, dict[str, int]]:
    """The text with every detected span replaced, and how many spans of each type were replaced."""
    scrubber = Scrubber(types, placeholder, pseudonymize)
    return scrubber.text(text), dict(sorted(scrubber.counts.items()))


class ScrubPII(MapStage):
    """Scrubs PII from the fields that come from the page: `text`, `title`, and `url`/`requested_url` (path,
    query, fragment, user info); other fields are carried through unchanged."""

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
        scrubber = Scrubber(self.types, self.args.placeholder, self.args.pseudonymize)
        spans = find_pii(record["text"], self.types)
        kept = example_addresses_in_code(record["text"], spans, record.get("code_lines"))
        if kept:
            self.count("private_ips_kept_in_code", len(kept))
            spans = [span for span in spans if span not in kept]
        out = {**record, "text": scrubber.text(record["text"], spans=spans)}
        in_text = sum(scrubber.counts.values())
        for field in TEXT_FIELDS[1:]:
            if isinstance(record.get(field), str):
                out[field] = scrubber.text(record[field])
        in_title = sum(scrubber.counts.values()) - in_text
        for field in URL_FIELDS:
            if isinstance(record.get(field), str):
                out[field] = scrubber.url(record[field])
        in_url = sum(scrubber.counts.values()) - in_text - in_title
        counts = dict(sorted(scrubber.counts.items()))
        for pii_type, n in counts.items():
            self.count(f"pii_{pii_type}", n)
        if counts:
            self.count("docs_with_pii")
        if in_title:
            self.count("docs_with_pii_in_title")
        if in_url:
            self.count("docs_with_pii_in_url")
        out["pii_counts"] = counts
        return out


def main(argv: list[str] | None = None) -> None:
    run_map_stage(ScrubPII, description=__doc__, argv=argv)
