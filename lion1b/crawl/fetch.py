"""Fetching one page: pooled HTTP with hard caps, redirects, charset decoding and link extraction.

Runs in the crawler's fetch threads. Nothing here touches shared mutable state: a fetch returns one of the
typed results below and the main thread decides what it means for the frontier and the output.
"""

from __future__ import annotations

import codecs
import contextlib
import email.utils
import hashlib
import heapq
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

import urllib3
from charset_normalizer import from_bytes
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from lion1b.crawl.frontier import canonicalize, origin_of
from lion1b.crawl.policy import header_optout, is_public_address, meta_optout
from lion1b.xhtml import parse_html

MAX_REDIRECTS = 5
CHUNK = 1 << 16
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
# WHATWG encoding rules: browsers decode these labels as windows-1252, and pages rely on it.
CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
                   "us-ascii": "cp1252", "iso8859-1": "cp1252", "l1": "cp1252", "x-sjis": "shift_jis",
                   "gb2312": "gb18030", "gbk": "gb18030"}
# Python codecs that exist but are no page encoding (rot13, base64 and hex are not text codecs at all).
NOT_PAGE_CODECS = frozenset(("idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "utf-7"))
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
SKIPPED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "ftp:", "sms:")
# Bytes no text page is made of, whatever its (8-bit or multibyte) encoding: C0 controls other than tab, newlines,
# form feed and ESC (ISO-2022), and DEL. Random or binary bytes served as text/html are ~11% of them; real pages,
# even damaged ones, ~0. UTF-16/32 bodies, where NUL bytes are normal, are judged on the decoded text instead.
TEXT_BYTES = bytes(b for b in range(256) if b in (9, 10, 12, 13, 27) or 32 <= b != 127)
NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
MAX_NOT_TEXT_SHARE = 0.05


# ----------------------------------------------------------------------------- typed results


@dataclass(frozen=True)
class Body:
    """A 2xx response read in full (robots.txt, or a page before it is decoded)."""

    url: str
    status: int
    content_type: str
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    """A page to write: decoded HTML and its links."""

    url: str
    status: int
    content_type: str
    encoding: str
    html: str
    sha256: str
    nbytes: int
    links: list[str]
    hops: int = 0
    body: bytes = b""  # kept only for --warc
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Redirect:
    """A redirect: from :meth:`Fetcher.request` any ``Location``; from :meth:`Fetcher.fetch_page` a canonical
    target on another origin, handed back to the frontier."""

    url: str
    status: int
    hops: int = 0


@dataclass(frozen=True)
class Retry:
    """A transient failure (connection error, 429, 5xx): try again later."""

    url: str
    reason: str
    status: int = 0
    retry_after: float | None = None


@dataclass(frozen=True)
class Dropped:
    """A final refusal or failure, counted under ``reason``."""

    url: str
    reason: str
    status: int = 0


FetchResult = Page | Redirect | Retry | Dropped


# ----------------------------------------------------------------------------- connections


class AddressRefused(Exception):
    """The connection reached an address that is not globally routable (without --allow-private)."""


class Watchdog:
    """Shuts down the socket of a request that ran past its deadline. urllib3's timeouts bound each socket
    operation, so a server sending one header line a second never trips them; this bounds the whole request.
    One thread for the process; arming costs a heap push."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, HTTPConnection]] = []
        self._armed: set[int] = set()
        self._seq = 0
        self._thread: threading.Thread | None = None

    def arm(self, conn: HTTPConnection, deadline: float) -> int:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="crawl-deadline", daemon=True)
                self._thread.start()
            self._seq += 1
            heapq.heappush(self._heap, (deadline, self._seq, conn))
            self._armed.add(self._seq)
            if self._heap[0][1] == self._seq:
                self._cond.notify()
            return self._seq

    def disarm(self, token: int) -> None:
        with self._cond:
            self._armed.discard(token)

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][1] not in self._armed:
                    heapq.heappop(self._heap)  # finished in time
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                _, token, conn = heapq.heappop(self._heap)
                self._armed.discard(token)
                sock = conn.sock
                if sock is not None:
                    with contextlib.suppress(OSError):  # the plain call: an SSL socket's would drop its state
                        socket.socket.shutdown(sock, socket.SHUT_RDWR)


WATCHDOG = Watchdog()
_request_state = threading.local()  # deadline and watchdog token of the fetch thread's current request


def _end_request() -> None:
    token = getattr(_request_state, "token", None)
    _request_state.deadline = _request_state.token = None
    if token is not None:
        WATCHDOG.disarm(token)


class _GuardedConnection(HTTPConnection):
    """Checks the address actually connected to and puts the request under the watchdog."""

    allow_private = False

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        if not self.allow_private:
            peer = sock.getpeername()[0]
            if not is_public_address(peer):
                sock.close()
                raise AddressRefused(peer)
        return sock

    def _arm(self) -> None:
        deadline = getattr(_request_state, "deadline", None)
        if deadline is not None and getattr(_request_state, "token", None) is None:
            _request_state.token = WATCHDOG.arm(self, deadline)

    def connect(self) -> None:
        self._arm()
        super().connect()

    def request(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        self._arm()
        super().request(*args, **kwargs)  # type: ignore[arg-type]


class _GuardedHTTPSConnection(_GuardedConnection, HTTPSConnection):
    pass


def guarded_pool_classes(allow_private: bool) -> dict[str, type[HTTPConnectionPool]]:
    """Connection-pool classes whose connections are guarded, for ``PoolManager.pool_classes_by_scheme``."""
    plain = type("GuardedConnection", (_GuardedConnection,), {"allow_private": allow_private})
    tls = type("GuardedHTTPSConnection", (_GuardedHTTPSConnection,), {"allow_private": allow_private})
    return {"http": type("GuardedPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": tls})}


# ----------------------------------------------------------------------------- decoding and parsing


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def page_codec(label: str, body: bytes, has_bom: bool) -> str | None:
    """The codec name for a declared charset label, or None when the label cannot be right for this body:
    unknown, not a text codec (rot13, base64), or UTF-16/32 on a body without a BOM or NUL bytes (an ASCII
    page labelled utf-16 would otherwise decode to CJK garbage; WHATWG likewise ignores such labels)."""
    name = label.strip().lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in NOT_PAGE_CODECS:
        return None
    if info.name.startswith(("utf-16", "utf-32")) and not has_bom and b"\x00" not in body[:4096]:
        return None
    return name


def decode_html(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """Decode with the charset from the header, else a BOM, else <meta>, else detection; returns
    (text, encoding used). Undecodable bytes become U+FFFD rather than failing the page."""
    candidates = []
    for bom, name in BOMS:
        if body.startswith(bom):
            candidates.append(name)
            break
    has_bom = bool(candidates)
    if header_charset:
        candidates.insert(0, header_charset)
    meta = META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    for label in candidates:
        name = page_codec(label, body, has_bom)
        if name is None:
            continue
        if name.replace("_", "-") in ("utf-8", "utf8") and not body.isascii():
            try:  # a strict try first: a page labelled UTF-8 that is not gets detection instead
                return body.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                continue
        return body.decode(name, errors="replace"), name
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        best = from_bytes(body[:65536]).best()
        name = best.encoding if best is not None else "cp1252"
        return body.decode(name, errors="replace"), name


def looks_like_text(body: bytes, text: str, encoding: str) -> bool:
    """False for binary or random bytes that came labelled as HTML. Counting control bytes in the raw body
    is one C-level pass (~10x cheaper than a regex over the decoded text, which only UTF-16/32 needs:
    controls, U+FFFD and private-use code points)."""
    if encoding.startswith(("utf-16", "utf_16", "utf-32", "utf_32")):
        return len(NOT_TEXT.findall(text)) <= MAX_NOT_TEXT_SHARE * len(text)
    return len(body.translate(None, TEXT_BYTES)) <= MAX_NOT_TEXT_SHARE * len(body)


def parse_page(html: str, base_url: str) -> tuple[list[str], str | None, bool]:
    """Canonical out-links of a page, an AI opt-out reason from its <meta> tags, and whether the page
    asks not to be followed (meta robots nofollow). Links are deduplicated as strings first."""
    tree = parse_html(html)
    robots_meta = tdm_meta = ""
    for meta in tree.css("meta[name]"):
        name = (meta.attributes.get("name") or "").lower()
        if name == "robots":
            robots_meta += " " + (meta.attributes.get("content") or "")
        elif name == "tdm-reservation":
            tdm_meta = meta.attributes.get("content") or ""
    optout = meta_optout(robots_meta, tdm_meta)
    nofollow = "nofollow" in robots_meta.lower()
    if nofollow:
        return [], optout, True
    base_tag = tree.css_first("base[href]")
    if base_tag is not None:
        base_url = canonicalize(urljoin(base_url, base_tag.attributes.get("href") or "")) or ""
    if not base_url.startswith(("http://", "https://")):
        return [], optout, False
    origin = origin_of(base_url)
    hrefs = {node.attrs.get("href") or "" for node in tree.css("a[href], area[href]")}
    links = []
    for href in hrefs:
        href = href.strip()
        if not href or href.lower().startswith(SKIPPED_SCHEMES):
            continue
        # urljoin is most of the cost of a link; root-relative and absolute links (nearly all of them on
        # real sites) need none unless they carry dot segments.
        if "/." in href or "\\" in href:
            url = canonicalize(urljoin(base_url, href))
        elif href[0] == "/" and href[:2] != "//":
            url = canonicalize(origin + href)
        elif href[:7].lower() == "http://" or href[:8].lower() == "https://":
            url = canonicalize(href)
        else:
            url = canonicalize(urljoin(base_url, href))
        if url is not None:
            links.append(url)
    return links, optout, False


class Fetcher:
    """A shared urllib3 pool (thread-safe) with the crawl's caps; one instance serves every thread."""

    def __init__(self, user_agent: str, timeout: float, deadline: float, max_bytes: int,
                 accept_types: list[str], pool_size: int, keep_body: bool, ai_optout: bool = True,
                 allow_private: bool = False) -> None:
        self.pool = urllib3.PoolManager(num_pools=256, maxsize=pool_size, block=False, retries=False,
                                        timeout=urllib3.Timeout(connect=min(timeout, deadline), read=timeout))
        self.pool.pool_classes_by_scheme = guarded_pool_classes(allow_private)
        self.headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate",
                        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.accept_types = accept_types
        self.keep_body = keep_body
        self.ai_optout = ai_optout  # False with --ignore-ai-optout: noai / TDM signals are not checked

    def request(self, url: str, max_bytes: int, page_checks: bool = True,
                truncate: bool = False) -> Body | Redirect | Retry | Dropped:
        """One GET without following redirects, bounded as a whole by the deadline. robots.txt is fetched
        without ``page_checks`` (Content-Type, AI opt-out headers) and with ``truncate``, which keeps the first
        ``max_bytes`` of a bigger body instead of dropping it."""
        deadline = time.monotonic() + self.deadline
        _request_state.deadline, _request_state.token = deadline, None
        try:
            try:
                resp = self.pool.request("GET", url, headers=self.headers, redirect=False, retries=False,
                                         preload_content=False, decode_content=False)
            except AddressRefused:
                return Dropped(url, "private_address")
            except urllib3.exceptions.HTTPError as exc:
                if time.monotonic() >= deadline:
                    return Dropped(url, "deadline")  # a header trickle cut by the watchdog: not retried
                return Retry(url, f"request_{type(exc).__name__}")
            try:
                return self._read(resp, url, max_bytes, deadline, page_checks, truncate)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                resp.close()
                if time.monotonic() >= deadline:
                    return Dropped(url, "deadline", resp.status)
                return Retry(url, f"read_{type(exc).__name__}")
            finally:
                _end_request()  # before the connection goes back to the pool: the watchdog must not touch it
                resp.release_conn()
        finally:
            _end_request()

    def _read(self, resp: urllib3.BaseHTTPResponse, url: str, max_bytes: int, deadline: float,
              page_checks: bool, truncate: bool) -> Body | Redirect | Retry | Dropped:
        status = resp.status
        headers = resp.headers
        if 300 <= status < 400 and headers.get("location"):
            resp.close()
            return Redirect(headers["location"], status)
        if status == 429 or status >= 500:
            resp.close()
            return Retry(url, f"http_{status}", status, retry_after_seconds(headers.get("retry-after")))
        if not 200 <= status < 300:
            resp.close()
            return Dropped(url, f"http_{status}", status)
        content_type = headers.get("content-type", "")
        mime = content_type.split(";", 1)[0].strip().lower()
        if page_checks and mime not in self.accept_types:
            resp.close()
            return Dropped(url, "content_type", status)
        signals = {"x-robots-tag": ", ".join(headers.getlist("x-robots-tag")),
                   "tdm-reservation": headers.get("tdm-reservation", "")}
        optout = page_checks and self.ai_optout and header_optout(signals)
        if optout:
            resp.close()
            return Dropped(url, optout, status)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > max_bytes and not truncate:
            resp.close()
            return Dropped(url, "oversize", status)
        coding = headers.get("content-encoding", "").strip().lower()
        if coding in ("gzip", "x-gzip"):
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            inflater = zlib.decompressobj()
        elif coding in ("", "identity"):
            inflater = None
        else:
            resp.close()
            return Dropped(url, "content_encoding", status)
        chunks, total = [], 0
        while True:
            if time.monotonic() > deadline:
                resp.close()
                return Dropped(url, "deadline", status)  # a drip, not a transient error
            data = resp.read1(CHUNK, decode_content=False)
            if not data:
                if time.monotonic() > deadline:  # the watchdog closed the socket mid-body
                    return Dropped(url, "deadline", status)
                break
            if inflater is not None:
                try:  # output capped at one byte over the limit, so a gzip bomb never inflates
                    data = inflater.decompress(data, max_bytes - total + 1)
                except zlib.error:
                    if coding == "deflate" and total == 0 and not chunks:  # raw deflate, no zlib header
                        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                        data = inflater.decompress(data, max_bytes + 1)
                    else:
                        resp.close()
                        return Dropped(url, "bad_compression", status)
            total += len(data)
            if total > max_bytes:
                resp.close()
                if not truncate:
                    return Dropped(url, "oversize", status)
                chunks.append(data[: len(data) - (total - max_bytes)])
                break
            chunks.append(data)
        raw_headers = list(headers.items()) if self.keep_body else []
        return Body(url, status, content_type, b"".join(chunks), raw_headers)

    def fetch_page(self, url: str, hops: int, rejection_of: Callable[[str], str | None]) -> FetchResult:
        """Fetch ``url`` following same-origin redirects (each hop re-checked for scope and robots.txt by
        ``rejection_of``, which returns a reason or None). A redirect to another origin is handed back to the
        frontier, so its scope, robots, address safety and politeness are checked by the normal path."""
        seen = {url}
        while True:
            result = self.request(url, self.max_bytes)
            if not isinstance(result, Redirect):
                break
            target = canonicalize(urljoin(url, result.url))
            hops += 1
            if target is None:
                return Dropped(url, "bad_redirect", result.status)
            if hops > MAX_REDIRECTS:
                return Dropped(url, "too_many_redirects", result.status)
            if target in seen:
                return Dropped(url, "redirect_loop", result.status)
            if origin_of(target) != origin_of(url):
                return Redirect(target, result.status, hops)
            rejection = rejection_of(target)
            if rejection:
                return Dropped(target, rejection, result.status)
            seen.add(target)
            url = target
        if not isinstance(result, Body):
            return result
        return self.page_of(result, hops)

    def page_of(self, result: Body, hops: int) -> Page | Dropped:
        """Decode a fetched body and extract its links; binary bytes labelled as HTML are dropped."""
        body = result.body
        charset = None
        for param in result.content_type.split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip("\"'")
        html, encoding = decode_html(body, charset)
        if not looks_like_text(body, html, encoding):
            return Dropped(result.url, "not_text", result.status)
        try:
            links, optout, _ = parse_page(html, result.url)
        except (ValueError, RuntimeError):  # lexbor refuses a document: keep the page, follow nothing
            links, optout = [], None
        if optout and self.ai_optout:
            return Dropped(result.url, optout, result.status)
        return Page(result.url, result.status, result.content_type.split(";", 1)[0].strip().lower(), encoding,
                    html, hashlib.sha256(body).hexdigest(), len(body), links, hops,
                    body if self.keep_body else b"", result.headers)
