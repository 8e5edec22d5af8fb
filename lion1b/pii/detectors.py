"""PII detectors: one regex (or a few) plus a validator per type, and `find_pii` that runs them all.

Regexes only propose candidates; validators (Luhn, mod-97, `ipaddress`, SSN area/group/serial rules, NANP rules,
brand prefixes, context keywords) decide. That is what keeps versions, dates, ISBNs, UUIDs, hashes, prices and
Luhn-invalid card-like numbers untouched while the structured types are still found. Found values never leave
this module except as spans: callers must not log them.
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

import ahocorasick
import phonenumbers
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

TYPES = ("SECRET", "IBAN", "CREDIT_CARD", "US_SSN", "EMAIL", "PHONE", "IP_ADDRESS")
# When two candidates overlap, the earlier type in TYPES wins (a password inside a URL beats the e-mail-looking
# "pass@host", an IBAN (exact length and mod-97) beats the card-like digit groups inside it, a card number beats
# the phone-looking digits inside it).
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


# What reads as an address but names code: gi-docgen's cross-reference syntax ("[signal@Gtk.CellArea::apply-
# attributes]", "[method@Gtk.PrintOperation.draw_page_finish]", left in GTK 4's text where a link did not
# resolve), a top-level domain in CamelCase (no real one is: "Gtk.CellArea", "Gtk.TextIter"), and a version
# control server's account before a repository path ("git clone git@ssh.gitlab.gnome.org:GNOME/gimp-help.git").
GI_DOCGEN_LINK_RE = re.compile(
    r"\[(?:alias|callback|class|const|ctor|enum|error|flags|func|iface|method|property|signal|struct|type|vfunc|id)\Z"
)
CAMEL_CASE_RE = re.compile(r"[a-z][A-Z]")
VCS_ACCOUNT_RE = re.compile(r"(?:git|hg|svn|cvs|anoncvs|anonymous|gitolite)@")
# A systemd instance unit ("modprobe@module.service", "getty@tty1.service", "wg-quick@wg0.service"); none of
# these unit types is a top-level domain (".target" is one, so it is not listed).
UNIT_SUFFIX_RE = re.compile(r"\.(?:service|socket|device|mount|automount|swap|path|timer|slice|scope)")
# A locale with a modifier names a catalog or a header, not a mailbox: gettext's "en@quot.po", "en@boldquot.header",
# "sr@latin.po", glibc's "de_DE@euro", "ca@valencia", "uz@cyrillic", "be@latin".
LOCALE_FILE_RE = re.compile(
    r"[a-z]{2,3}(?:_[A-Z]{2})?@(?:quot|boldquot|latin|cyrillic|euro|valencia|devanagari|shaw|saaho|iqtelif|"
    r"ijekavian|ijekavianlatin|hebrew|arabic)\.(?:po|pot|gmo|mo|header|sed)"
)


def names_code(text: str, start: int, end: int) -> bool:
    """True when the address at start:end is a cross-reference, a repository's location, a systemd unit or
    a locale's file, not a mailbox."""
    at = text.index("@", start, end)
    if GI_DOCGEN_LINK_RE.search(text, max(0, start - 1), at) or LOCALE_FILE_RE.fullmatch(text, start, end):
        return True
    last_dot = text.rindex(".", start, end)
    if CAMEL_CASE_RE.search(text, last_dot, end) or UNIT_SUFFIX_RE.fullmatch(text, last_dot, end):
        return True
    return (VCS_ACCOUNT_RE.fullmatch(text, start, at + 1) is not None and text[end:end + 1] == ":"
            and not text[end + 1:end + 2].isspace())


# A URL's user (and password) before its host: "http://user:password@example.com/file.txt" (Octave's urlread
# examples) is a login on a server, not a mailbox; a real password there is a SECRET (URL_CRED_RE). So is ssh's
# "user@host" ("ssh git@github.com", git's docs).
LOGIN_BEFORE_RE = re.compile(r"://(?:[^\s/@:]+:)?\Z|(?<![\w-])ssh\s+(?:-\S+\s+(?:\d+\s+)?)*\Z")


# Mailboxes that name a function, not a person, are not personal data: RFC 2142's, the operational ones sites
# publish beside them, and those of mailing-list and bug-tracker software. The Debian handbook tells how to take
# part through them ("A new bug is reported by sending an e-mail to submit@bugs.debian.org", "the
# debian-user@lists.debian.org mailing list"), Python's docs name python-list@python.org and docs@python.org,
# PostgreSQL's pgsql-bugs@lists.postgresql.org. Scrubbed, those sentences lost what they were about: 38-44
# addresses in each language of the handbook, 17 in Python's docs, 11 in PostgreSQL's.
ROLE_MAILBOXES = frozenset((
    "abuse", "admin", "administrator", "billing", "bug", "bugs", "contact", "control", "coordinator", "docs",
    "feedback", "help", "helpdesk", "hostmaster", "info", "licensing", "listmaster", "listserv", "mailer-daemon",
    "mailman", "maintainers", "majordomo", "marketing", "news", "noc", "nobody", "noreply", "no-reply", "owner",
    "postmaster", "press", "privacy", "root", "sales", "security", "submit", "support", "sympa", "team", "usenet",
    "uucp", "webmaster", "www",
))
# A list's or a team's name ends in what it is for ("debian-user", "python-list", "pypa-dev", "distutils-sig",
# "openssl-core", "mailauth-reports", "exim-cvs", "gnustandards-commit", "python-maint", "dev_team") or starts
# with a role ("sales-asia", "support-de", list software's "owner-listname", GNU's "bug-gettext").
ROLE_NAME_ENDS = ROLE_MAILBOXES | {"announce", "bounces", "commit", "commits", "core", "cvs", "dev", "devel",
                                   "discuss", "list", "maint", "maintainers", "patches", "reports", "request", "sig",
                                   "subscribe", "translators", "unsubscribe", "user", "users"}
ROLE_NAME_SEPARATOR_RE = re.compile(r"[-_]")
LIST_HOST_PREFIXES = ("lists.", "list.")  # every mailbox of a list server is a list's
LIST_SERVICES = ("googlegroups.com", "groups.io", "freelists.org", "vger.kernel.org")  # vger: the kernel's lists
BUG_NUMBER_RE = re.compile(r"\d+(?:-[a-z]+)?")  # "12345@bugs.debian.org", "12345-done@bugs.debian.org"


def role_address(address: str) -> bool:
    """True when the address is a role's, a mailing list's or a bug's (ROLE_MAILBOXES), not a person's. A
    person's address seldom takes this shape (none of 120,000 Faker addresses does): a user name is not one of
    these words, nor built on one with a dash or an underscore (dots join a person's names: "mary.sales@")."""
    local, _, domain = address.lower().rpartition("@")
    local = local.partition("+")[0]  # a sub-address is its owner's: "jane.doe+news@" is Jane's
    if domain.startswith(LIST_HOST_PREFIXES) or domain.endswith(LIST_SERVICES):
        return True
    if domain.startswith("bugs.") and BUG_NUMBER_RE.fullmatch(local):
        return True
    if local in ROLE_MAILBOXES:
        return True
    parts = ROLE_NAME_SEPARATOR_RE.split(local)
    return len(parts) > 1 and (parts[0] in ROLE_MAILBOXES or parts[-1] in ROLE_NAME_ENDS)


# Domains reserved for documentation and tests (RFC 2606, RFC 6761): no mailbox at them is anyone's, and
# manuals write their examples there (autoconf's "AC_INIT([Hello], [1.0], [bug-hello@example.org])").
RESERVED_DOMAIN_RE = re.compile(r"(?:.*\.)?example\.(?:com|net|org)|.*\.(?:example|test|invalid|localhost)")


def find_email(text: str) -> Iterator[tuple[int, int]]:
    """Personal mailboxes: not code (names_code), a URL's login, a role's address, nor one at a domain
    reserved for examples."""
    if "@" not in text:
        return
    for m in EMAIL_RE.finditer(text):
        if not (names_code(text, m.start(), m.end())
                or LOGIN_BEFORE_RE.search(text, max(0, m.start() - 64), m.start())
                or role_address(m.group())
                or RESERVED_DOMAIN_RE.fullmatch(m.group().rpartition("@")[2].lower())):
            yield m.start(), m.end()


# --------------------------------------------------------------------------------------------------- PHONE
# Candidates are runs of digit groups joined by one separator (space . - /) or by parentheses: "+1 (646) 766-2281",
# "(37) 788-063", "0490 75 40 81", "+44(0)115 4960914", with an extension ("x7783") if one follows. Three tiers,
# by how much the number says about itself:
# - "+CC ...": libphonenumber's metadata (the `phonenumbers` port) must know the country code and allow the
#   length for it ("+0 123 ..." and "+44 12" are no phones); no context needed. Other "+" numbers need a label.
# - a phone label or verb just before ("Phone:", "Tel.", "call me at", "messages to", "Telefon", "電話"), or a
#   number listed right after another phone: any phone-shaped run of 7-15 digits (6 in groups: "88 91 90", a
#   Luxembourg number). Without a country code the number cannot be pinned to a region, and every length from
#   6 to 15 is possible in some region, so the label is the evidence.
# - no label: national numbers only in a shape few other numbers take: a trunk 0 and space-separated groups,
#   9-11 digits ("020 7946 0958", "0490 75 40 81"), or a parenthesised area code ("(37) 788-063"); US-shaped
#   3-3-4 numbers under the NANP rules. (libphonenumber's is_valid_number in "some region" was tried here: it
#   accepted 300 of 300 random numbers of these shapes, at up to 15 ms each, so the shape is the evidence.)
# Dates, timestamps, dotted quads, ISBNs and sums ("732 - 770 - 1884 = -2518") are never phones.
# Scripts written without spaces (CJK, kana, hangul) may touch a number directly: "お問い合わせは090-1234-5678まで".
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
CJK_RE = re.compile(f"[{CJK}]")
# The lookahead skips, inside the regex engine, the many short numbers (years, counts) that cannot be phones.
PHONE_CAND_RE = re.compile(
    rf"(?<![+.,\-/#])(?<![^\W{CJK}])(?=[\d(+][\d()+ .\-/]{{6}})"  # "#1233329": an identifier
    rf"(?:\+ ?|\(\+)?\(?\d[\d()]*(?:(?:[ .\-]|/ ?|\) |[ ]\()\d[\d()]*)*"  # "06/ 981 98 46" (Belgium)
)
PHONE_EXTENSION_RE = re.compile(r"(?i) ?(?:x|ext\.?|extension|#) ?\d{1,6}(?!\w)")
# US/NANP: 3-3-4 with one consistent separator, optional 1 and (area); area and exchange start with 2-9.
NANP_RE = re.compile(
    r"(?:1[ .\-])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}(?P<sep>[ .\-]))[2-9]\d{2}(?(sep)(?P=sep)|[ .\-])\d{4}"
)
# Labels and verbs that announce a number, in the languages of the dev sites (en, de, fr, nl, es, it, pt, the
# Nordic languages, pl, cs, ru, el, ja, zh, ko). Not "number" or "No.": order and invoice numbers use them too.
# Words of alphabetic scripts must stand alone (an optional plural s); CJK labels may touch the text around them.
# Up to three words may stand between label and number ("call me at", "Appelez-nous au"), not a full stop.
PHONE_LABELS = (
    "phone", "telephone", "téléphone", "télephone", "teléphone", "ph", "tel", "tél", "tele", "telefon",
    "telefonnummer", "rufnummer", "telefono", "teléfono", "telefone", "telefoon", "telefoonnummer", "tlf", "tfno",
    "mob", "mobil", "mobile", "mobiel", "movil", "móvil", "cell", "cellphone", "cel", "celular", "cellulare",
    "telemovel", "telemóvel", "handy", "portable", "gsm", "fax", "call", "called", "calling", "ring", "ringe",
    "dial", "dialled", "dialed", "sms", "text", "whatsapp", "viber", "message", "contact", "reach", "hotline",
    "helpline", "anrufen", "rufen", "ruf", "appelez", "appeler", "appelle", "bel", "bellen", "llame", "llama",
    "llamame", "llámame", "llamanos", "llámanos", "llamar", "llamada", "chiama", "chiamaci", "chiamami", "chiamare",
    "chiamate", "ligue", "ligar", "liga", "zadzwoń", "zadzwon", "komórka", "komorka", "volejte", "zavolejte",
    "телефон", "тел", "моб", "звоните", "позвоните", "τηλέφωνο", "τηλ", "κινητό", "whats app",
)
PHONE_LABELS_CJK = (
    "电话", "電話", "手机", "携帯", "お問い合わせ", "問い合わせ", "連絡", "联系",
    "致电", "拨打", "전화", "휴대폰", "연락처", "☎", "📞",
)
LABEL_TAIL = (  # "Phone no.: ", "call me at ", "Tel. (mobile): ": words, abbreviations with their dot, (a word)
    r"\.?(?:\s*(?:no|nr|num|n[º°]|tel|mob|ph)\.|[\s\-']*[^\W\d_]{1,12}|\s*\([^\W\d_]{1,12}\)){0,3}"
    r"[\s:,;\-–—#=/*|>»→：，]*"  # table cells ("Phone | ...") and arrows too
)
LABEL_TAIL_RE = re.compile(r"(?i)s?(?![^\W\d_])" + LABEL_TAIL)  # after a word: its end, then up to 3 words
LABEL_TAIL_CJK_RE = re.compile(LABEL_TAIL)
COLON_RE = re.compile("[:：]")
# One Aho-Corasick pass over the few characters before a candidate finds the labels in it (a regex alternation
# tried at each of those positions cost 11 µs a candidate, a third of the phone detector's time).
PHONE_LABEL_AUTOMATON = ahocorasick.Automaton()
for _word in PHONE_LABELS + PHONE_LABELS_CJK:
    PHONE_LABEL_AUTOMATON.add_word(_word, (len(_word), _word in PHONE_LABELS_CJK))
PHONE_LABEL_AUTOMATON.make_automaton()
PHONE_LABEL_CHARS = 48
DATE_RE = re.compile(  # 2014-03-10, 10.03.2014, 03/10/14 (not 748-33-78, a phone)
    r"\d{4}([./\-])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])([./\-])(?:0?[1-9]|[12]\d|3[01])\2(?:\d\d|\d{4})"
)
QUAD_RE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
PAIRS_QUAD_RE = re.compile(r"\d\d(?:\.\d\d){3}")  # "Phone: 60.56.85.91" (Danish, French style) with a label
TRUNK_SPACED_RE = re.compile(r"0[1-9]\d{0,4}(?: \d{2,7}){1,4}")
NANP_SHAPE_RE = re.compile(r"(?:1[ .\-])?\(?\d{3}\)?[ .\-]?\d{3}[ .\-]\d{4}")  # US-shaped: the NANP rules decide
PAREN_AREA_RE = re.compile(r"\(0?[1-9]\d{0,4}\) \d{2,4}(?:[ \-]\d{2,4}){1,2}")
ISBN_RE = re.compile(r"97[89]-?\d{1,5}-\d{1,7}-\d{1,7}-\d|97[89]\d{10}")
STANDARD_RE = re.compile(r"\d+(?:\.\d+)+[-:](?:19|20)\d\d")  # a standard and its year: "PWG 5101.1-2002"
DECIMAL_AFTER_RE = re.compile(r"[.,]\d")
ARITHMETIC_AFTER_RE = re.compile(r" ?[=+*×÷]")
# "+ " after an operand is addition, not a country code: Maxima's polynomials ("1107200 y   + 49475840 y") and
# sums ("decode_time (2208988800 + 1729/1000)") came out with <PHONE> terms. "+CC" numbers are written without
# the space; a labelled "Tel. + 49 ..." is still judged by its label.
LEADING_DIGITS_RE = re.compile(r"\d+")  # the first group of a number: its country code, or more
BINARY_PLUS_RE = re.compile(r"[\w)\]] *\Z")
SEPARATORS_RE = re.compile(r"[ .\-/()]")
SINGLE_DIGIT_GROUP_RE = re.compile(r"(?<!\d)\d(?!\d)")  # a phone has at most one (a country or area code)
TIME_AFTER_RE = re.compile(r":[0-5]\d")  # the number runs into a clock time: the date and hour of a log line
# "699 956 915 (mobile)": a label in parentheses right after the number counts as one before it.
LABEL_AFTER_RE = re.compile(
    r"(?i)\s?\((?:mobile?|mobil|cell|tel|t[ée]l[ée]?phone|phone|fax|home|work|office|handy|portable|m[óo]vil"
    r"|celular|cellulare|telefon|telefono|tel[ée]fono|telefone|whats ?app)\)"
)
# "Phone: 0490 75 40 81 or 0494 92 82 32": a number listed right after a labelled one shares its label.
LIST_JOIN_RE = re.compile(r"(?i)\s*(?:[,;/]|or|and|ou|oder|und|o|y|e)\s*")


@functools.cache
def country_lengths(country_code: int) -> frozenset[int] | None:
    """libphonenumber's possible national-number lengths for a country calling code; None if no country has it."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return None
    if regions[0] == "001":  # non-geographic: +800, +808, +870, ...
        meta = phonenumbers.PhoneMetadata.metadata_for_nongeo_region(country_code)
    else:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(regions[0])
    if meta is None:
        return None
    desc = meta.general_desc
    return frozenset(desc.possible_length) | frozenset(desc.possible_length_local_only or ())


def possible_international(number: str) -> bool:
    """phonenumbers.is_possible_number(phonenumbers.parse(number)) for "+CC ..." numbers, read straight from the
    same metadata: parse() cost 20-100 µs a call, half the phone detector's time (same verdict on the 886 "+"
    candidates of a 4,000-record held-out set)."""
    digits = "".join(filter(str.isdigit, number.replace("(0)", "", 1)))  # "+44 (0)20 ...": the trunk 0 is not dialled
    first = LEADING_DIGITS_RE.search(number)
    group = len(first.group()) if first else 0
    for k in (1, 2, 3):  # country codes are prefix-free: the first known prefix is the code
        lengths = country_lengths(int(digits[:k]))
        if lengths is not None:  # ... and no separator splits it: "+4 4294967295" is printf's "%+d %u" output
            return len(digits) - k in lengths and group >= k
    return False


def labelled(text: str, start: int) -> bool:
    """True when a phone label (and at most three more words) ends right before start."""
    lo = max(0, start - PHONE_LABEL_CHARS)
    window = text[lo:start].lower()
    if len(window) != start - lo:  # a letter whose lower case is longer ("İ"): keep offsets aligned
        window = "".join(c.lower()[0] for c in text[lo:start])
    for last, (length, cjk) in PHONE_LABEL_AUTOMATON.iter(window):
        begin, end = lo + last + 1 - length, lo + last + 1
        if "\n" in text[end:start] and not COLON_RE.search(text, end, start):
            continue  # "makes 11 recursive calls\n3628800": a line that ends in a verb is not a label
        if cjk:
            if LABEL_TAIL_CJK_RE.fullmatch(text, end, start):
                return True
        elif not (begin > 0 and text[begin - 1].isalpha()) and LABEL_TAIL_RE.fullmatch(text, end, start):
            return True
    return False


def wraps(s: str) -> bool:
    """True when the opening parenthesis at s[0] is closed only by the last character."""
    depth = 0
    for i, c in enumerate(s):
        depth += (c == "(") - (c == ")")
        if depth == 0:
            return i == len(s) - 1
    return False


def phone_span(text: str, m: re.Match, last_phone_end: int) -> tuple[int, int] | None:
    """The span of a phone number in the candidate m, or None; see the tiers above. last_phone_end is where the
    last accepted number ended (-1 if none): a number listed right after it needs no label of its own."""
    start, end = m.start(), m.end()
    if text[start] == "(" and text[end - 1] == ")" and wraps(text[start:end]):  # "(0490 75 40 81)": prose parens
        start, end = start + 1, end - 1
    s = text[start:end]
    if s.count("(") != s.count(")"):  # a prose parenthesis opened before or closed after the number
        if s.endswith(")") and s.count(")") == s.count("(") + 1:
            end, s = end - 1, s[:-1]
        elif s.startswith("(") and s.count("(") == s.count(")") + 1:
            start, s = start + 1, s[1:]
        else:
            return None
    digits = [c for c in s if c.isdigit()]
    n = len(digits)
    if len(set(digits)) == 1:  # "00000000": a placeholder (a byte mask in KiCad's XSLT example), never a phone
        return None
    if len(SINGLE_DIGIT_GROUP_RE.findall(s.replace("(0)", ""))) >= 2:  # "599 1.2.3": an SMTP reply and its
        # extended code (Exim); "+33 (0)1 44 00 38 76" has one, its trunk "(0)" is not dialled
        return None
    if (ext := PHONE_EXTENSION_RE.match(text, end)) and s[-1] != ")":  # "x60771" belongs to the number
        end = ext.end()
    if not 6 <= n <= 15 or (end < len(text) and text[end].isalnum() and not CJK_RE.match(text[end])):
        return None
    if DECIMAL_AFTER_RE.match(text, end):  # "123 456,78": a formatted amount
        return None
    if DATE_RE.fullmatch(s) or ARITHMETIC_AFTER_RE.match(text, end) or ISBN_RE.fullmatch(s) or STANDARD_RE.fullmatch(s):
        return None
    if DATE_RE.match(s) or TIME_AFTER_RE.match(text, end):  # a timestamp: "2005-03-19 15:10:26,620 - INFO"
        return None
    intl = s[0] == "+" or s.startswith("(+")
    if (intl and n >= 8 and possible_international(s)
            and not (s.startswith("+ ") and BINARY_PLUS_RE.search(text, max(0, start - 8), start))):
        return start, end
    quad = QUAD_RE.fullmatch(s)
    if quad and not PAIRS_QUAD_RE.fullmatch(s):  # an IP address, whatever stands before it
        return None
    if (
        (last_phone_end >= 0 and LIST_JOIN_RE.fullmatch(text, last_phone_end, start))
        or labelled(text, start)
        or LABEL_AFTER_RE.match(text, end)
    ):
        # with a label, even a "+CC" number whose length libphonenumber does not allow; 6 digits only in groups
        # joined by one kind of separator ("88 91 90"): "calling PcgsChiefSeries (45.11-14)" names a section
        return (start, end) if n >= 7 or len(set(SEPARATORS_RE.findall(s))) == 1 else None
    if quad or intl or n < 7:
        return None
    if NANP_SHAPE_RE.fullmatch(s):
        return (start, end) if NANP_RE.fullmatch(s) else None
    if (TRUNK_SPACED_RE.fullmatch(s) and 9 <= n <= 11) or PAREN_AREA_RE.fullmatch(s):
        return start, end
    return None


def find_phone(text: str) -> Iterator[tuple[int, int]]:
    last_phone_end = -1
    for m in PHONE_CAND_RE.finditer(text):
        if len(m.group()) >= 7 and (span := phone_span(text, m, last_phone_end)):
            last_phone_end = span[1]
            yield span


# ---------------------------------------------------------------------------------------------- IP_ADDRESS
IPV4_RE = re.compile(r"(?<![\w.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)")
IPV6_RE = re.compile(  # not after a dash: "13-Jun-2003::12:01:15" is an Erlang log's timestamp
    r"(?<![\w:.\-])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?![\w:]|\.\d)"
)


# Four-part version and section numbers that happen to be valid addresses: "version 1.2.3.4", "build 10.0.1.7",
# "See Section 4.2.13.1", "§ 12.2.2.2", "siehe Abschnitt 12.2.2.2", "第 4.2.13.1 节", and numbered headings
# ("4.12.13.1. Virtual environments" at the start of a line; four single digits are always taken as one).
NUMBERING_BEFORE_RE = re.compile(
    r"(?i)(?:(?<![^\W\d_])(?:version|versions|ver|release|build|rev|revision|v|kernel|section|sections|sect|sec|chapter"
    r"|chapters|chap|ch|part|clause|article|art|appendix|annex|paragraph|para|item|step|table|figure|fig|rule|rfc"
    r"|abschnitt|abschnitte|kapitel|absatz|ziffer|anhang|teil|abs|chapitre|partie|annexe|article|secci[óo]n"
    r"|cap[íi]tulo|apartado|sec?[çc][ãa]o|sezione|capitolo|paragrafo|hoofdstuk|sectie|artikel|rozdzia[łl]"
    r"|раздел|глава|пункт|статья|п)\.?|§§?|第|章|节|節|条)[\s/_\-]*\Z"  # "section/4.2.13.1" in a URL path
)
# A documentation tag's version ("@since 4.9.0.0", "Since: 1.2.0.1") or a package's name and version joined
# by a dash ("Since: base-4.9.0.0" under every instance of GHC's base, "openssl-1.0.2.1"): 883 addresses
# scrubbed from GHC's base and its source. A host's name is never written so before its address.
# A Debian version's epoch before it ("[1:2.18.1.1 (unstable, testing, now)]": aptitude's manual in every
# language), and its revision or a pre-release after it ("2.18.1.1-2", "10.2.3.4~rc1", "10.2.3.4+dfsg"); a
# range of addresses ("10.0.0.1-10.0.0.254") has a dot after the dash's number.
# ... and a release's version after its date ("2015-07-29 (3.8.11.1)", SQLite's release history)
VERSION_TAG_BEFORE_RE = re.compile(
    r"(?i)(?:@since|since:)\s*\Z|[^\W\d_][\w.+]*-\Z|(?<![\w:])\d{1,2}:\Z|\d{4}-\d\d-\d\d\s*\(\Z")
# git describe's build after the version: "2.20.1.155.g426c96fcdb" (git's trace2 examples)
VERSION_AFTER_RE = re.compile(r"-\d{1,3}(?!\d|\.\d)|[~+][^\W\d_]|\.g[0-9a-f]{7,40}(?!\w)")
# a version's patch release beside it: "users of version 3.6.14 and 3.6.14.1" (see patch_release)
PATCH_RELEASE_CHARS = 80
NUMBERING_AFTER_RE = re.compile(r"\s*[节章節条項项款]")
# a heading's title after the number, which may open with a quote: GIMP's "6.34.2.1. “Properties” tab"
HEADING_AFTER_RE = re.compile(r"\.\s+[\"'“„«‘‚「『(\[]?[^\W\d_]")
# ... or without the full stop, when the rest of the line is a title: a capital, then up to nine words
# ("16.2.1.1 Phases and Bindings", Scribble's numbering in the Racket reference; SWI-Prolog's manual:
# "4.14.1.1 Transactions", "4.27.2.4 IEEE 754 floating point arithmetic", "2.19.1.1 BOM: Byte Order Mark",
# "12.3.2.1 PL_ARITY_AS_SIZE"), no word with a dot inside it (a host's name: "10.0.0.1 gw.example.org", a
# request: "GET /index.html"), and the number's first part under 100 (a chapter's; 192.168.1.1 stays an address)
# ... a word may be a language or a file type ("16.2.2.3 C# Satellite Assembly", "16.2.1.2 Java .properties":
# "#" or "+" after a letter, a dot before a word), and the title may ask ("15.5.21.2 Which keywords will xgettext
# look for?", gettext's manual)
SECTION_TITLE_RE = re.compile(
    r" [A-Z][\w'’()/#+-]*(?:[ ,:;]+(?:[\w'’()/-]+|\.?[^\W\d_][\w'’()/#+-]*)){0,8}[.?]?"
)
SECTION_NUMBER_RE = re.compile(r"\d\.\d\.\d\.\d")
# A numbered heading that names a product and its version: "1.12 Erts 10.7.2.1" (Erlang/OTP's release notes,
# one per release of each application)
VERSION_HEADING_RE = re.compile(r"\s*\d+(?:\.\d+)+\.?\s+[A-Z][\w\-]*(?:\s+[\w\-]+){0,2}\s+\Z")
# what may stand before a numbered heading on its line: a list item's marker, a Markdown heading's
LINE_MARKER_RE = re.compile(r"\s*(?:[-*+•]|#{1,6})?\s*")
MAC_RE = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){7}")
CIDR_AFTER_RE = re.compile(r"/\d")
# Reserved for documentation and never assigned (RFC 5737, RFC 3849, RFC 9637): the addresses manuals use
# ("the ipaddress module: IPv4Address('192.0.2.1')"), no one's
DOCUMENTATION_NETWORKS = tuple(ipaddress.ip_network(net) for net in (
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20"))


def identifies_a_host(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, text: str, start: int, end: int
) -> bool:
    """Loopback, unspecified, multicast, documentation and netmask-like addresses and CIDR networks
    (192.168.1.0/24, and the mask in 10.0.0.0/0.0.0.255) name no machine and no person; scrubbing them would
    only damage technical text."""
    if CIDR_AFTER_RE.match(text, end) or text[start - 1 : start] == "/":
        return False
    if address.version == 6 and address.ipv4_mapped:  # ::ffff:192.0.2.128 is 192.0.2.128
        address = address.ipv4_mapped
    if address.is_loopback or address.is_unspecified or address.is_multicast:
        return False  # nor does 0.0.0.0/8, "this network" ("#Ref<0.0.0.93>" is an Erlang reference)
    if any(address in network for network in DOCUMENTATION_NETWORKS):
        return False
    span = text[start:end]
    if address.version == 6 and address.is_reserved and span.count(":") == 2 and "." not in span:
        return False  # two groups in IETF-reserved space: C++'s "using B1::B1;", "D2::D2(int)" (cppreference)
    return not (address.version == 4 and str(address).startswith(("255.", "0.")))


def heading_number(text: str, start: int) -> bool:
    """True when the quad at start begins its line: "36.4.4.1. Handling Character Strings" (the extractors put
    headings and table-of-contents entries on lines of their own), after a list item's marker or a Markdown
    heading's: "- 7.27.3.5 The wcsftime function (p: 439-440)", cppreference's references to the C standard,
    546 of them scrubbed as addresses in its C pages."""
    line_start = text.rfind("\n", 0, start) + 1
    return LINE_MARKER_RE.fullmatch(text, line_start, start) is not None


def section_title(text: str, start: int, end: int) -> bool:
    """True when the quad at start:end numbers a chapter's section and the rest of its line is a title
    (SECTION_TITLE_RE)."""
    line_end = text.find("\n", end)
    return (int(text[start:text.index(".", start)]) < 100
            and SECTION_TITLE_RE.fullmatch(text, end, line_end if line_end >= 0 else len(text)) is not None)


def heading_version(text: str, start: int, end: int) -> bool:
    """True when the quad ends a numbered heading that names what it is the version of: "1.12 Erts 10.7.2.1"."""
    line_end = text.find("\n", end)
    if text[end:line_end if line_end >= 0 else len(text)].strip():
        return False
    return VERSION_HEADING_RE.fullmatch(text, text.rfind("\n", 0, start) + 1, start) is not None


def patch_release(text: str, start: int, quad: str) -> bool:
    """True when the quad's first three parts stand just before it as a version of their own, named so:
    "users of version 3.6.14 and 3.6.14.1" (not "the 192.168.1 network's 192.168.1.5")."""
    triple = quad.rsplit(".", 1)[0]
    before = text.rfind(triple, max(0, start - PATCH_RELEASE_CHARS), start)
    end = before + len(triple)
    return (before >= 0 and not text[before - 1:before].isalnum()
            and not (text[end:end + 1] == "." and text[end + 1:end + 2].isdigit())
            and NUMBERING_BEFORE_RE.search(text, max(0, before - 12), before) is not None)


def find_ip(text: str) -> Iterator[tuple[int, int]]:
    if "." in text:
        for m in IPV4_RE.finditer(text):
            if SECTION_NUMBER_RE.fullmatch(m.group()) or NUMBERING_AFTER_RE.match(text, m.end()):
                continue
            if heading_number(text, m.start()) and (
                    HEADING_AFTER_RE.match(text, m.end()) or section_title(text, m.start(), m.end())):
                continue
            if (NUMBERING_BEFORE_RE.search(text, max(0, m.start() - 12), m.start())
                    or VERSION_TAG_BEFORE_RE.search(text, max(0, m.start() - 40), m.start())):
                continue
            if (heading_version(text, m.start(), m.end()) or VERSION_AFTER_RE.match(text, m.end())
                    or patch_release(text, m.start(), m.group())):
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
            # "a::b" is a valid address but more often C++/Rust paths; real addresses carry 4+ hex digits.
            # Eight groups of two hex digits are a MAC/EUI-64 ("08:00:2b:01:02:03:04:05"), not an address.
            if sum(c not in ":." for c in s) < 4 or MAC_RE.fullmatch(s):
                continue
            try:
                address = ipaddress.IPv6Address(s)
            except ValueError:  # times (12:30:05), MAC-like or truncated groups
                continue
            if identifies_a_host(address, text, m.start(), m.end()):
                yield m.start(), m.end()


# --------------------------------------------------------------------------------------------- CREDIT_CARD
# 12-19 digits, bare or in the usual 4-4-4(-4)(-3) / Amex 4-6-5 / Diners 4-6-4 groups with one consistent
# separator; then Luhn and the issuer (IIN) ranges. A number whose prefix and length match a brand exactly is a
# card wherever it stands; other numbers in known IIN ranges (Maestro's 12-digit cards, UATP, ...) need a card
# word just before ("card", "Karte", "cc=", "Maestro").
CARD_RE = re.compile(
    r"(?<![\w\-.,])(?:\d{12,19}"
    r"|\d{4}(?P<s>[ \-])\d{4}(?P=s)\d{4}(?:(?P=s)\d{1,4}(?:(?P=s)\d{1,3})?)?"
    r"|\d{4}(?P<t>[ \-])\d{6}(?P=t)\d{4,5})(?![\w]|[\-.,]\d)"
)
CARD_CONTEXT_RE = re.compile(
    r"(?i)(?:(?<![^\W\d_])(?:card|cards|carte|karte|kreditkarte|tarjeta|cart[ãa]o|carta|kaart|kort|karta|карта"
    r"|cc|ccn|visa|mastercard|maestro|amex|jcb|unionpay|discover|diners|mir|rupay)\b|卡|カード)[^\d\n]{0,24}\Z"
)
CARD_CONTEXT_CHARS = 40


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    """Issuer by IIN prefix and exact length; None for numbers no major brand issues (ISBNs, ids, timestamps)."""
    n = len(digits)
    p2, p4, p6 = int(digits[:2]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4" and n in (16, 19):  # 13-digit Visas (long out of issue) need a card word: EAN-13s pass Luhn
        return "visa"
    if (51 <= p2 <= 55 or 2221 <= p4 <= 2720) and n == 16:
        return "mastercard"
    if p2 in (34, 37) and n == 15:
        return "amex"
    if (p4 == 6011 or 644 <= p4 // 10 <= 649 or p2 == 65 or 622126 <= p6 <= 622925) and 16 <= n <= 19:
        return "discover"
    if (3528 <= p4 <= 3589 and 16 <= n <= 19) or (p4 in (1800, 2131) and n == 15):
        return "jcb"
    if (300 <= p4 // 10 <= 305 or p2 in (36, 38, 39)) and 14 <= n <= 19:
        return "diners"
    if p2 == 62 and 16 <= n <= 19:
        return "unionpay"
    if 2200 <= p4 <= 2204 and 16 <= n <= 19:
        return "mir"
    if p4 in (5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763) and 13 <= n <= 19:  # 56-58: a card word
        return "maestro"
    return None


def iin_known(digits: str) -> bool:
    """Any length 12-19 in a range some issuer uses: UATP (1), JCB/Mir/Mastercard (2...), Amex/Diners/JCB (3),
    Visa (4), Mastercard/Maestro (5), Discover/UnionPay/Maestro/RuPay (6), and Maestro's old 0604."""
    return (digits[0] in "123456" or digits[:4] == "0604") and 12 <= len(digits) <= 19


def find_card(text: str) -> Iterator[tuple[int, int]]:
    for m in CARD_RE.finditer(text):
        digits = m.group().replace(" ", "").replace("-", "")
        if not 12 <= len(digits) <= 19 or not luhn_ok(digits):
            continue
        if card_brand(digits) or (
            iin_known(digits) and CARD_CONTEXT_RE.search(text, max(0, m.start() - CARD_CONTEXT_CHARS), m.start())
        ):
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
# Upper or lower case: "de89 3704 0044 0532 0130 00" is as much an IBAN; the checksum decides.
IBAN_RE = re.compile(r"(?<![\w])([A-Za-z]{2})(\d{2})(?: ?[A-Za-z0-9]{1,4}){2,8}")


def iban_checksum_ok(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def find_iban(text: str) -> Iterator[tuple[int, int]]:
    for m in IBAN_RE.finditer(text):
        want = IBAN_LENGTHS.get(m.group(1).upper())
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
        if iban_checksum_ok(s[:end].replace(" ", "").upper()):
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
KEY_BODY_RE = re.compile(r"[A-Za-z0-9+/=]{16}")
PRIVATE_KEY_RE = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
    r"(?:[\s\S]{0,20000}?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?:(?:\s|\\n)*[A-Za-z0-9+/=]{16,})*)"
)
# `password=...`, `"api_key": "..."`, `SECRET_KEY=...`, `token: ...`: the value is replaced, the name kept. The
# name and its separator are on one line: in Vim's help "-- prompts for uid and password" ends a line and the
# next one starts ":call NetUserPass()", whose "call" was taken for the password.
# The scan looks for the separator and its value (rare, fast to find) and only then checks the name before it:
# its last component (KEY of SECRET_KEY, Token of accessToken) must be a secret word that starts a component
# (`name_starts_here` rejects monkey=, tokenizer:). A rejected candidate is searched again from its value's start,
# since in "q=password=x" the value of "q" holds the real assignment; values are capped at 256 characters so that
# a line like "a=a=a=..." stays linear.
ASSIGN_VALUE_RE = re.compile(
    r"(?:=>|:=|=|:)[ \t]*[\"'`]?(?P<value>[^\s\"'`,;()<>\[\]{}=:][^\s\"'`,;()<>\[\]{}:]{3,255})"
)
SECRET_NAME_RE = re.compile(
    r"(?i)(?P<name>passw(?:or)?d|pwd|secret|api[_\-]?key|apikey|key|token|credentials?)(?:[_\-]?id)?[\"']?[ \t]*\Z"
)
QUERY_NEXT_RE = re.compile(r"&[\w.\-]*=")
# A key or token is written in a token alphabet (base64, base64url, hex, JWT's dots); a value with other
# symbols is an expression: Maxima's plot legend `key = "y^2=x^3-2*x+1"`. Passwords may hold any symbol.
TOKEN_ALPHABET_RE = re.compile(r"[A-Za-z0-9+/=_\-.~]+")
# "Authorization: Bearer X", "leaked key X", "token X": a token-looking value right after a keyword. As above,
# the scan finds the (rarer) value first and then looks back for the keyword.
SPACED_VALUE_RE = re.compile(r"(?<=\s)[A-Za-z0-9_\-+/.~]{16,}=*(?![\w\-+/])")
# A hex literal is a number, not a secret: "signed with key 0xBCE58C8CE41F32DF" (a PGP key id, public; Exim)
HEX_LITERAL_RE = re.compile(r"0[xX][0-9A-Fa-f]+")
# A public key's id or fingerprint is no secret either: gpg's "using RSA key 647F2865...092693E" (the Debian
# handbook's kernel chapter, in every language). A hex value after an API's "key" or a "token" still is one.
PUBLIC_KEY_BEFORE_RE = re.compile(
    r"(?i)\b(?:rsa|dsa|ecdsa|eddsa|ed25519|pgp|gpg|openpgp|public|signing)[ \t]+key[ \t]+\Z")
KEY_ID_RE = re.compile(r"[0-9A-Fa-f]{16}|[0-9A-Fa-f]{40}")
# The keyword on the value's line: SWI-Prolog's predicate table ends a row "keysort/2 | Sort, using a key" above
# "known_licenses/0", which was taken for a key.
KEYWORD_BEFORE_RE = re.compile(r"(?i)\b(?:bearer|basic|token|key|secret|password)[ \t]+\Z")
# "password = password", "smb://user:passwort@server", "self.password = password": the word for a password
# stands in for one (the Debian handbook's samba pages, in each of its 26 languages).
PASSWORD_WORDS = (r"pass|passwd|password|passwort|kennwort|mot_?de_?passe|contrase[ñn]a|senha|parola|wachtwoord|haslo"
                  r"|hasło|passord|l[öo]senord|adgangskode|salasana|heslo|jelsz[óo]|[şs]ifre|parol[ăa]|lozinka|geslo"
                  r"|clau|katasandi|пароль|κωδικός|パスワード|密码|密碼|암호|비밀번호|secret|changeme")
PASSWORD_WORD_RE = re.compile(f"(?i)(?:{PASSWORD_WORDS})")
URL_CRED_RE = re.compile(r"://(?P<value>[^\s/:@]+:[^\s/@]+)@[\w\-]")
AWS_SECRET_RE = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])")
AWS_CONTEXT_RE = re.compile(r"(?i)aws|secret|access[_ ]?key")
# Values that are not secrets but keywords, masks, template variables ($X, %(x)s), code (os.environ, a.b.c, an
# Erlang function/arity: public_key:pkix_sign/2, a Scheme predicate or Racket contract as a parameter's type:
# "password : string?", "lookup-password : username*password/c") or documentation stand-ins (your_api_key).
NOT_A_SECRET = re.compile(
    r"(?i)(?:none|null|nil|true|false|undefined|required|optional|string|\*+|x+|\.+|[$%].*"
    r"|[a-z_]\w*(?:\.[a-z_]\w*)+|[a-z_]\w*/\d+|[a-z]+(?:-[a-z]+)*[?]|[a-z][\w\-*]*/c|your[_\-]\w+"
    r"|" + PASSWORD_WORDS + ")"
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
    if len(value) < 4 or NOT_A_SECRET.fullmatch(value) or text.startswith("(", m.start("value") + len(value)):
        return None  # a stand-in, or code: "passwd = input(prompt)"
    if named.group("name")[0] in "pP":  # passwords may be short words, but "password: click here" is prose
        if m.group()[0] == ":" and m.group()[1:2].isspace() and value.isalpha():
            return None
    elif len(value) < 8 or not looks_random(value) or not TOKEN_ALPHABET_RE.fullmatch(value):
        return None
    return m.start("value"), m.start("value") + len(value)


def find_secret(text: str) -> Iterator[tuple[int, int]]:
    for m in TOKEN_RE.finditer(text):
        yield m.start(), m.end()
    if "-----BEGIN" in text:
        for m in PRIVATE_KEY_RE.finditer(text):
            if KEY_BODY_RE.search(m.group()):  # not "... (private key in base64 encoding) ..."
                yield m.start(), m.end()
    # The rules below need a keyword; a substring test on the lower-cased text (C speed) skips them when none
    # occurs, which is most text (the regexes match case-insensitively, so lower() finds every spelling).
    low = text.lower()
    if ("=" in text or ":" in text) and any(stem in low for stem in ("pass", "pwd", "secret", "key", "token", "cred")):
        pos = 0
        while m := ASSIGN_VALUE_RE.search(text, pos):
            span = assigned_secret(text, m)
            if span is None:
                pos = m.start("value")
                continue
            pos = span[1]
            yield span
    if any(word in low for word in ("bearer", "basic", "token", "key", "secret", "password")):
        for m in SPACED_VALUE_RE.finditer(text):
            value = m.group().rstrip(".")
            if (looks_random(value) and not HEX_LITERAL_RE.fullmatch(value)
                    and KEYWORD_BEFORE_RE.search(text, max(0, m.start() - 16), m.start())
                    and not (KEY_ID_RE.fullmatch(value)
                             and PUBLIC_KEY_BEFORE_RE.search(text, max(0, m.start() - 24), m.start()))):
                yield m.start(), m.start() + len(value)
    if "://" in text:
        for m in URL_CRED_RE.finditer(text):
            if not PASSWORD_WORD_RE.fullmatch(m.group("value").split(":", 1)[1]):  # "user:password@host"
                yield m.start("value"), m.end("value")
    if not ("aws" in low or "secret" in low or "access" in low):
        return
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
# Fewest digits a span of each type has: skipping a detector is cheaper than running it (titles, URL parts).
MIN_DIGITS = {"CREDIT_CARD": 12, "IBAN": 2, "US_SSN": 9, "PHONE": 6, "IP_ADDRESS": 1}


def find_pii(text: str, types: tuple[str, ...] = TYPES) -> list[Span]:
    """Non-overlapping PII spans sorted by start; on overlap the higher-priority (then longer) span wins."""
    digits = len(HAS_DIGIT_RE.findall(text))
    candidates = []
    for t in types:
        if digits < MIN_DIGITS.get(t, 0):  # a card has 12 digits or more, an SSN 9, a phone 6, ...
            continue
        candidates.extend(Span(s, e, t) for s, e in DETECTORS[t](text))
    if len(candidates) <= 1:
        return candidates
    candidates.sort(key=lambda c: (PRIORITY[c.type], c.start - c.end))
    kept: list[Span] = []  # disjoint, sorted by start: a candidate can only overlap its two neighbours
    for c in candidates:
        i = bisect.bisect_left(kept, c)
        if (i == 0 or kept[i - 1].end <= c.start) and (i == len(kept) or c.end <= kept[i].start):
            kept.insert(i, c)
    return kept
