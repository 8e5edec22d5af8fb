"""Fetching one page: pooled HTTP with hard caps, redirects, charset decoding and link extraction.

Runs in the crawler's fetch threads. Nothing here touches shared mutable state: a fetch returns a
:class:`Result` and the main thread decides what it means for the frontier and the output.
"""

from __future__ import annotations

import codecs
import email.utils
import hashlib
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

import urllib3
from charset_normalizer import from_bytes
from selectolax.lexbor import LexborHTMLParser

from lion1b.crawl.frontier import canonicalize, origin_of
from lion1b.crawl.policy import header_optout, meta_optout

MAX_REDIRECTS = 5
CHUNK = 1 << 16
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
# WHATWG encoding rules: browsers decode these labels as windows-1252, and pages rely on it.
CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
                   "us-ascii": "cp1252", "iso8859-1": "cp1252", "l1": "cp1252", "x-sjis": "shift_jis",
                   "gb2312": "gb18030", "gbk": "gb18030"}
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
SKIPPED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "ftp:", "sms:")


@dataclass
class Result:
    """What happened to one URL. ``kind``: page (write it), redirect (a target on another origin, handed
    back to the frontier), retry (transient failure), drop (counted under ``reason``)."""

    kind: str
    url: str
    reason: str = ""
    status: int = 0
    retry_after: float | None = None
    hops: int = 0
    content_type: str = ""
    encoding: str = ""
    html: str = ""
    sha256: str = ""
    nbytes: int = 0
    links: list[str] = field(default_factory=list)
    body: bytes = b""  # kept only for --warc
    headers: list[tuple[str, str]] = field(default_factory=list)


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


def decode_html(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """Decode with the charset from the header, else a BOM, else <meta>, else detection; returns
    (text, encoding used). Undecodable bytes become U+FFFD rather than failing the page."""
    candidates = []
    for bom, name in BOMS:
        if body.startswith(bom):
            candidates.append(name)
            break
    if header_charset:
        candidates.insert(0, header_charset)
    meta = META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    for label in candidates:
        name = CHARSET_ALIASES.get(label.strip().lower(), label.strip().lower())
        try:
            codecs.lookup(name)
        except LookupError:
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


def parse_page(html: str, base_url: str) -> tuple[list[str], str | None, bool]:
    """Canonical out-links of a page, an AI opt-out reason from its <meta> tags, and whether the page
    asks not to be followed (meta robots nofollow). Links are deduplicated as strings first."""
    tree = LexborHTMLParser(html)
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
                 accept_types: list[str], pool_size: int, keep_body: bool, ai_optout: bool = True) -> None:
        self.pool = urllib3.PoolManager(num_pools=256, maxsize=pool_size, block=False, retries=False,
                                        timeout=urllib3.Timeout(connect=timeout, read=timeout))
        self.headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate",
                        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.accept_types = accept_types
        self.keep_body = keep_body
        self.ai_optout = ai_optout  # False with --ignore-ai-optout: noai / TDM signals are not checked

    def request(self, url: str, max_bytes: int, page_checks: bool = True, truncate: bool = False) -> Result:
        """One GET without following redirects. kind 'ok' carries the body in ``body``. robots.txt is
        fetched without ``page_checks`` (Content-Type, AI opt-out headers) and with ``truncate``, which keeps
        the first ``max_bytes`` of a bigger body instead of dropping it."""
        deadline = time.monotonic() + self.deadline
        try:
            resp = self.pool.request("GET", url, headers=self.headers, redirect=False, retries=False,
                                     preload_content=False, decode_content=False)
        except urllib3.exceptions.HTTPError as exc:
            return Result("retry", url, reason=f"request_{type(exc).__name__}")
        try:
            return self._read(resp, url, max_bytes, deadline, page_checks, truncate)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            resp.close()
            return Result("retry", url, reason=f"read_{type(exc).__name__}")
        finally:
            resp.release_conn()

    def _read(self, resp: urllib3.BaseHTTPResponse, url: str, max_bytes: int, deadline: float,
              page_checks: bool, truncate: bool) -> Result:
        status = resp.status
        headers = resp.headers
        if 300 <= status < 400 and headers.get("location"):
            resp.close()
            return Result("redirect", headers["location"], status=status)
        if status == 429 or status >= 500:
            resp.close()
            return Result("retry", url, reason=f"http_{status}", status=status,
                          retry_after=retry_after_seconds(headers.get("retry-after")))
        if not 200 <= status < 300:
            resp.close()
            return Result("drop", url, reason=f"http_{status}", status=status)
        content_type = headers.get("content-type", "")
        mime = content_type.split(";", 1)[0].strip().lower()
        if page_checks and mime not in self.accept_types:
            resp.close()
            return Result("drop", url, reason="content_type", status=status, content_type=mime)
        signals = {"x-robots-tag": ", ".join(headers.getlist("x-robots-tag")),
                   "tdm-reservation": headers.get("tdm-reservation", "")}
        optout = page_checks and self.ai_optout and header_optout(signals)
        if optout:
            resp.close()
            return Result("drop", url, reason=optout, status=status)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > max_bytes and not truncate:
            resp.close()
            return Result("drop", url, reason="oversize", status=status)
        coding = headers.get("content-encoding", "").strip().lower()
        if coding in ("gzip", "x-gzip"):
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            inflater = zlib.decompressobj()
        elif coding in ("", "identity"):
            inflater = None
        else:
            resp.close()
            return Result("drop", url, reason="content_encoding", status=status)
        chunks, total = [], 0
        while True:
            if time.monotonic() > deadline:
                resp.close()
                return Result("drop", url, reason="deadline", status=status)  # a drip, not a transient error
            data = resp.read1(CHUNK, decode_content=False)
            if not data:
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
                        return Result("drop", url, reason="bad_compression", status=status)
            total += len(data)
            if total > max_bytes:
                resp.close()
                if not truncate:
                    return Result("drop", url, reason="oversize", status=status)
                chunks.append(data[: len(data) - (total - max_bytes)])
                break
            chunks.append(data)
        body = b"".join(chunks)
        raw_headers = list(headers.items()) if self.keep_body else []
        return Result("ok", url, status=status, content_type=content_type, body=body, headers=raw_headers)

    def fetch_page(self, url: str, hops: int, rejection_of: Callable[[str], str | None]) -> Result:
        """Fetch ``url`` following same-origin redirects (each hop re-checked for scope and robots.txt by
        ``rejection_of``, which returns a reason or None). A redirect to another origin is handed back to the frontier,
        so its scope, robots, address safety and politeness are checked by the normal path."""
        seen = {url}
        while True:
            result = self.request(url, self.max_bytes)
            if result.kind != "redirect":
                break
            target = canonicalize(urljoin(url, result.url))
            hops += 1
            if target is None:
                return Result("drop", url, reason="bad_redirect", status=result.status)
            if hops > MAX_REDIRECTS:
                return Result("drop", url, reason="too_many_redirects", status=result.status)
            if target in seen:
                return Result("drop", url, reason="redirect_loop", status=result.status)
            if origin_of(target) != origin_of(url):
                return Result("redirect", target, status=result.status, hops=hops)
            rejection = rejection_of(target)
            if rejection:
                return Result("drop", target, reason=rejection, status=result.status)
            seen.add(target)
            url = target
        if result.kind != "ok":
            result.hops = hops
            return result
        body = result.body
        charset = None
        for param in result.content_type.split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip("\"'")
        html, encoding = decode_html(body, charset)
        try:
            links, optout, _ = parse_page(html, url)
        except (ValueError, RuntimeError):  # lexbor refuses a document: keep the page, follow nothing
            links, optout = [], None
        if optout and self.ai_optout:
            return Result("drop", url, reason=optout, status=result.status)
        return Result("page", url, status=result.status, hops=hops,
                      content_type=result.content_type.split(";", 1)[0].strip().lower(),
                      encoding=encoding, html=html, sha256=hashlib.sha256(body).hexdigest(), nbytes=len(body),
                      links=links, body=body if self.keep_body else b"", headers=result.headers)
