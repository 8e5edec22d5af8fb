"""PII detectors: one regex (or a few) plus a validator per type, and `find_pii` that runs them all.

Regexes only propose candidates; validators (Luhn, mod-97, `ipaddress`, SSN area/group/serial rules, NANP rules,
brand prefixes, context keywords) decide. That is what keeps versions, dates, ISBNs, UUIDs, hashes, prices and
Luhn-invalid card-like numbers untouched while the structured types are still found. Found values never leave
this module except as spans: callers must not log them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

TYPES = ("SECRET", "CREDIT_CARD", "IBAN", "US_SSN", "EMAIL", "PHONE", "IP_ADDRESS")
# When two candidates overlap, the earlier type in TYPES wins (a password inside a URL beats the e-mail-looking
# "pass@host", a card number beats the phone-looking digits inside it).
PRIORITY = {t: i for i, t in enumerate(TYPES)}


class Span(NamedTuple):
    start: int
    end: int
    type: str


# --------------------------------------------------------------------------------------------------- EMAIL
EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,10}"
    r"[A-Za-z]{2,24}(?![\w-])"
)


def find_email(text: str) -> Iterator[tuple[int, int]]:
    if "@" not in text:
        return
    for m in EMAIL_RE.finditer(text):
        yield m.start(), m.end()


# --------------------------------------------------------------------------------------------------- PHONE
# International: "+" country code then 7-14 more digits in groups of 1-5, separators space . - and one optional
# parenthesised area code. US/NANP: 3-3-4 with one consistent separator, optional +1 and (area). National
# (UK style: 0 and 10 more digits, "020 7946 0958", "07401 828009") only with spaces, so that bare 11-digit
# order numbers stay.
PHONE_INTL_RE = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .\-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}(?![\w+]|[.\-]\d)")
PHONE_US_RE = re.compile(
    r"(?<![\w+.\-])(?:1[ .\-])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}(?P<sep>[ .\-]))"
    r"[2-9]\d{2}(?(sep)(?P=sep)|[ .\-])\d{4}(?![\w]|[.\-]\d)"
)
PHONE_NATIONAL_RE = re.compile(r"(?<![\w+.\-])0\d{2,4} \d{3,7}(?: \d{3,4})?(?![\w]|[.\-]\d)")


def find_phone(text: str) -> Iterator[tuple[int, int]]:
    if "+" in text:
        for m in PHONE_INTL_RE.finditer(text):
            n = sum(c.isdigit() for c in m.group())
            if 8 <= n <= 15 and m.group()[1] != "0":
                yield m.start(), m.end()
    for m in PHONE_US_RE.finditer(text):
        yield m.start(), m.end()
    for m in PHONE_NATIONAL_RE.finditer(text):
        if sum(c.isdigit() for c in m.group()) == 11:
            yield m.start(), m.end()


# ---------------------------------------------------------------------------------------------- IP_ADDRESS
IPV4_RE = re.compile(r"(?<![\w.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)")
IPV6_RE = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?![\w:]|\.\d)"
)


# "version 1.2.3.4" and "build 10.0.1.7" are four-part version numbers that happen to be valid addresses, and so
# are section numbers ("4.8.1.2. Virtual environments"): four single digits are taken as one of those.
VERSION_BEFORE_RE = re.compile(r"(?i)\b(?:version|release|build|v)\s*\Z")
SECTION_NUMBER_RE = re.compile(r"\d\.\d\.\d\.\d")
CIDR_AFTER_RE = re.compile(r"/\d")


def identifies_a_host(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, text: str, start: int, end: int
) -> bool:
    """Loopback, unspecified, multicast and netmask-like addresses and CIDR networks (192.168.1.0/24, and the
    mask in 10.0.0.0/0.0.0.255) name no machine and no person; scrubbing them would only damage technical text."""
    if CIDR_AFTER_RE.match(text, end) or text[start - 1 : start] == "/":
        return False
    if address.is_loopback or address.is_unspecified or address.is_multicast:
        return False
    return not (address.version == 4 and str(address).startswith("255."))


def find_ip(text: str) -> Iterator[tuple[int, int]]:
    if "." in text:
        for m in IPV4_RE.finditer(text):
            if SECTION_NUMBER_RE.fullmatch(m.group()):
                continue
            if VERSION_BEFORE_RE.search(text, max(0, m.start() - 10), m.start()):
                continue
            try:
                address = ipaddress.IPv4Address(m.group())
            except ValueError:  # an octet > 255 or a leading zero: a version or a dotted number
                continue
            if identifies_a_host(address, text, m.start(), m.end()):
                yield m.start(), m.end()
    if "::" in text or text.count(":") >= 7:
        for m in IPV6_RE.finditer(text):
            s = m.group()
            # "a::b" is a valid address but more often C++/Rust paths; real addresses carry 4+ hex digits
            if sum(c not in ":." for c in s) < 4:
                continue
            try:
                address = ipaddress.IPv6Address(s)
            except ValueError:  # times (12:30:05), MAC-like or truncated groups
                continue
            if identifies_a_host(address, text, m.start(), m.end()):
                yield m.start(), m.end()


# --------------------------------------------------------------------------------------------- CREDIT_CARD
# 13-19 digits, bare or in the usual 4-4-4-4(-3) / Amex 4-6-5 / Diners 4-6-4 groups with one consistent
# separator; then brand prefix + length, then Luhn.
CARD_RE = re.compile(
    r"(?<![\w\-.,])(?:\d{13,19}"
    r"|\d{4}(?P<s>[ \-])\d{4}(?P=s)\d{4}(?P=s)\d{1,4}(?:(?P=s)\d{1,3})?"
    r"|\d{4}(?P<t>[ \-])\d{6}(?P=t)\d{4,5})(?![\w]|[\-.,]\d)"
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    """Issuer by IIN prefix and length; None for numbers no major brand issues (ISBNs, ids, timestamps)."""
    n = len(digits)
    p2, p4, p6 = int(digits[:2]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4" and n in (13, 16, 19):
        return "visa"
    if (51 <= p2 <= 55 or 2221 <= p4 <= 2720) and n == 16:
        return "mastercard"
    if p2 in (34, 37) and n == 15:
        return "amex"
    if (p4 == 6011 or 644 <= p4 // 10 <= 649 or p2 == 65 or 622126 <= p6 <= 622925) and 16 <= n <= 19:
        return "discover"
    if 3528 <= p4 <= 3589 and 16 <= n <= 19:
        return "jcb"
    if (300 <= p4 // 10 <= 305 or p2 in (36, 38, 39)) and 14 <= n <= 19:
        return "diners"
    if p2 == 62 and 16 <= n <= 19:
        return "unionpay"
    return None


def find_card(text: str) -> Iterator[tuple[int, int]]:
    for m in CARD_RE.finditer(text):
        digits = m.group().replace(" ", "").replace("-", "")
        if 13 <= len(digits) <= 19 and card_brand(digits) and luhn_ok(digits):
            yield m.start(), m.end()


# ------------------------------------------------------------------------------------------------- US_SSN
# Dashed AAA-GG-SSSS is distinctive enough alone; spaced and bare nine digits need an SSN keyword just before.
SSN_RE = re.compile(r"(?<![\w\-.,/])(\d{3})([ \-]?)(\d{2})\2(\d{4})(?![\w]|[\-.,/]\d)")
SSN_CONTEXT_RE = re.compile(r"(?i)\b(?:ssn|ssns|social[ \-]security|soc\.? ?sec\.?)\b")
SSN_CONTEXT_CHARS = 48


def ssn_valid(area: str, group: str, serial: str) -> bool:
    """SSA rules: no area 000, 666 or 900-999, no group 00, no serial 0000."""
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def find_ssn(text: str) -> Iterator[tuple[int, int]]:
    for m in SSN_RE.finditer(text):
        area, sep, group, serial = m.groups()
        if not ssn_valid(area, group, serial):
            continue
        if sep != "-" and not SSN_CONTEXT_RE.search(text, max(0, m.start() - SSN_CONTEXT_CHARS), m.start()):
            continue
        yield m.start(), m.end()


# --------------------------------------------------------------------------------------------------- IBAN
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip
IBAN_RE = re.compile(r"(?<![\w])([A-Z]{2})(\d{2})(?: ?[A-Z0-9]{1,4}){2,8}")


def iban_checksum_ok(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def find_iban(text: str) -> Iterator[tuple[int, int]]:
    for m in IBAN_RE.finditer(text):
        want = IBAN_LENGTHS.get(m.group(1))
        if want is None:
            continue
        # The regex may run on into a following upper-case word; cut at the country's length.
        s, end, n = m.group(), 0, 0
        while end < len(s) and n < want:
            n += s[end] != " "
            end += 1
        stop = m.start() + end
        if n != want or (stop < len(text) and text[stop].isalnum()):
            continue
        if iban_checksum_ok(s[:end].replace(" ", "")):
            yield m.start(), stop


# ------------------------------------------------------------------------------------------------- SECRET
# Vendor tokens with a fixed, self-identifying prefix: no context needed.
TOKEN_RE = re.compile(
    r"(?<![\w\-])(?:"
    r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}"  # AWS access key id
    r"|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}"  # GitHub
    r"|glpat-[A-Za-z0-9_\-]{20,}"  # GitLab
    r"|xox[abprs]-[A-Za-z0-9\-]{10,}"  # Slack
    r"|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}"  # Stripe
    r"|sk-(?:proj-)?[A-Za-z0-9_\-]{32,}"  # OpenAI
    r"|AIza[0-9A-Za-z_\-]{35}"  # Google API key
    r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"  # JWT
    r")(?![\w\-])"
)
PRIVATE_KEY_RE = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
    r"(?:[\s\S]{0,20000}?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?:(?:\s|\\n)*[A-Za-z0-9+/=]{16,})*)"
)
# `password=...`, `"api_key": "..."`, `SECRET_KEY=...`, `token: ...`: the value is replaced, the name kept.
# The scan looks for the separator and its value (rare, fast to find) and only then checks the name before it:
# its last component (KEY of SECRET_KEY, Token of accessToken) must be a secret word that starts a component
# (`name_starts_here` rejects monkey=, tokenizer:). A rejected candidate is searched again from its value's start,
# since in "q=password=x" the value of "q" holds the real assignment; values are capped at 256 characters so that
# a line like "a=a=a=..." stays linear.
ASSIGN_VALUE_RE = re.compile(
    r"(?:=>|:=|=|:)\s*[\"'`]?(?P<value>[^\s\"'`,;()<>\[\]{}=:][^\s\"'`,;()<>\[\]{}:]{3,255})"
)
SECRET_NAME_RE = re.compile(
    r"(?i)(?P<name>passw(?:or)?d|pwd|secret|api[_\-]?key|apikey|key|token|credentials?)(?:[_\-]?id)?[\"']?\s*\Z"
)
QUERY_NEXT_RE = re.compile(r"&[\w.\-]*=")
# "Authorization: Bearer X", "leaked key X", "token X": a token-looking value right after a keyword. As above,
# the scan finds the (rarer) value first and then looks back for the keyword.
SPACED_VALUE_RE = re.compile(r"(?<=\s)[A-Za-z0-9_\-+/.~]{16,}=*(?![\w\-+/])")
KEYWORD_BEFORE_RE = re.compile(r"(?i)\b(?:bearer|basic|token|key|secret|password)\s+\Z")
URL_CRED_RE = re.compile(r"://(?P<value>[^\s/:@]+:[^\s/@]+)@[\w\-]")
AWS_SECRET_RE = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])")
AWS_CONTEXT_RE = re.compile(r"(?i)aws|secret|access[_ ]?key")
# Values that are not secrets but keywords, masks, template variables ($X, %(x)s), code (os.environ, a.b.c) or
# documentation stand-ins (your_api_key).
NOT_A_SECRET = re.compile(
    r"(?i)(?:none|null|nil|true|false|undefined|required|optional|string|\*+|x+|\.+|[$%].*"
    r"|[a-z_]\w*(?:\.[a-z_]\w*)+|your[_\-]\w+)"
)


def looks_random(value: str) -> bool:
    """Token-like: letters and digits mixed (a keyword followed by an ordinary word is prose, not a secret)."""
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def name_starts_here(text: str, i: int) -> bool:
    """True when the keyword at i begins a name or a name component: after a non-letter, _ - ., or camelCase."""
    if i == 0:
        return True
    before = text[i - 1]
    return not before.isalnum() or (before.islower() and text[i].isupper())


def assigned_secret(text: str, m: re.Match) -> tuple[int, int] | None:
    """The value span of `name <sep> value` when the name is a secret's and the value is not a placeholder."""
    named = SECRET_NAME_RE.search(text, max(0, m.start() - 32), m.start())
    if named is None or not name_starts_here(text, named.start()):
        return None
    value = m.group("value").rstrip(".")  # a full stop ends the sentence, not the password
    value = QUERY_NEXT_RE.split(value, 1)[0]  # in a URL query the next parameter starts at &name=
    if len(value) < 4 or NOT_A_SECRET.fullmatch(value):
        return None
    if named.group("name")[0] in "pP":  # passwords may be short words, but "password: click here" is prose
        if m.group()[0] == ":" and m.group()[1:2].isspace() and value.isalpha():
            return None
    elif len(value) < 8 or not looks_random(value):
        return None
    return m.start("value"), m.start("value") + len(value)


def find_secret(text: str) -> Iterator[tuple[int, int]]:
    for m in TOKEN_RE.finditer(text):
        yield m.start(), m.end()
    if "-----BEGIN" in text:
        for m in PRIVATE_KEY_RE.finditer(text):
            yield m.start(), m.end()
    if "=" in text or ":" in text:
        pos = 0
        while m := ASSIGN_VALUE_RE.search(text, pos):
            span = assigned_secret(text, m)
            if span is None:
                pos = m.start("value")
                continue
            pos = span[1]
            yield span
    for m in SPACED_VALUE_RE.finditer(text):
        value = m.group().rstrip(".")
        if looks_random(value) and KEYWORD_BEFORE_RE.search(text, max(0, m.start() - 16), m.start()):
            yield m.start(), m.start() + len(value)
    if "://" in text:
        for m in URL_CRED_RE.finditer(text):
            yield m.start("value"), m.end("value")
    for m in AWS_SECRET_RE.finditer(text):
        s = m.group()
        if (
            any(c.isupper() for c in s)
            and any(c.islower() for c in s)
            and any(c.isdigit() for c in s)
            and AWS_CONTEXT_RE.search(text, max(0, m.start() - 100), m.start())
        ):
            yield m.start(), m.end()


DETECTORS: dict[str, Callable[[str], Iterator[tuple[int, int]]]] = {
    "SECRET": find_secret,
    "CREDIT_CARD": find_card,
    "IBAN": find_iban,
    "US_SSN": find_ssn,
    "EMAIL": find_email,
    "PHONE": find_phone,
    "IP_ADDRESS": find_ip,
}
HAS_DIGIT_RE = re.compile(r"\d")


def find_pii(text: str, types: tuple[str, ...] = TYPES) -> list[Span]:
    """Non-overlapping PII spans sorted by start; on overlap the higher-priority (then longer) span wins."""
    has_digit = HAS_DIGIT_RE.search(text) is not None
    candidates = []
    for t in types:
        if not has_digit and t != "EMAIL" and t != "SECRET":  # every other type needs digits
            continue
        candidates.extend(Span(s, e, t) for s, e in DETECTORS[t](text))
    if len(candidates) <= 1:
        return candidates
    candidates.sort(key=lambda c: (PRIORITY[c.type], c.start - c.end))
    kept: list[Span] = []
    for c in candidates:
        if all(c.end <= k.start or c.start >= k.end for k in kept):
            kept.append(c)
    kept.sort()
    return kept
