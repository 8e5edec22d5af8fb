"""What the crawler may fetch: scope rules, robots.txt, AI opt-out signals and address safety.

These are the rules that make site operators willing to leave the crawler unblocked, so each refusal is
counted under its own reason in the crawl summary.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from functools import lru_cache

from protego import Protego

BINARY_EXTENSIONS = frozenset((
    "7z", "aac", "apk", "avi", "bin", "bmp", "bz2", "css", "csv", "dmg", "doc", "docx", "eot", "epub", "exe",
    "flac", "flv", "gif", "gz", "ico", "iso", "jar", "jpeg", "jpg", "js", "json", "m4a", "m4v", "mkv", "mov",
    "mp3", "mp4", "mpeg", "mpg", "msi", "odp", "ods", "odt", "ogg", "otf", "pdf", "png", "ppt", "pptx", "ps",
    "rar", "rpm", "rss", "svg", "swf", "tar", "tgz", "tif", "tiff", "ttf", "wav", "webm", "webp", "wmv",
    "woff", "woff2", "xls", "xlsx", "xml", "xz", "zip", "zst"))
AI_OPTOUT_TOKENS = re.compile(r"(?<![\w-])noai(?![\w-])", re.I)


class Scope:
    """Which URLs belong to this crawl: the seed hosts (or --allow-domain suffixes), the include/exclude
    patterns, and no common binary file types (skipped before any request is made)."""

    def __init__(self, seed_hosts: set[str], allow_domains: list[str], include: list[str],
                 exclude: list[str]) -> None:
        self.seed_hosts = seed_hosts
        self.domains = tuple(d.lower().strip(".") for d in allow_domains)
        self.include = [re.compile(p) for p in include]
        self.exclude = [re.compile(p) for p in exclude]

    @lru_cache(maxsize=1 << 14)  # noqa: B019 - one Scope per crawl; hosts repeat on every link
    def host_allowed(self, host: str) -> bool:
        if host in self.seed_hosts:
            return True
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def url_rejection(self, url: str) -> str | None:
        """Why ``url`` (canonical) is out of scope regardless of its host, or None."""
        path = url[url.index("/", url.index("//") + 2):].split("?", 1)[0]
        dot = path.rfind(".")
        if dot > path.rfind("/") and path[dot + 1:].lower() in BINARY_EXTENSIONS:
            return "binary_extension"
        if self.include and not any(p.search(url) for p in self.include):
            return "not_included"
        if any(p.search(url) for p in self.exclude):
            return "excluded"
        return None


def parse_robots(text: str) -> Protego:
    return Protego.parse(text)


def allow_all() -> Protego:
    """robots.txt missing (4xx): RFC 9309 says the crawler may access anything."""
    return Protego.parse("")


def robots_rejection(robots: Protego, url: str, user_agent: str, ai_agents: list[str]) -> str | None:
    """'robots_disallowed' for our own agent, 'ai_optout_robots' when a configured AI token is refused."""
    if not robots.can_fetch(url, user_agent):
        return "robots_disallowed"
    for agent in ai_agents:
        if not robots.can_fetch(url, agent):
            return "ai_optout_robots"
    return None


def header_optout(headers: dict[str, str]) -> str | None:
    """AI opt-out from response headers, checked before the body is read."""
    if AI_OPTOUT_TOKENS.search(headers.get("x-robots-tag", "")):
        return "ai_optout_header"
    if headers.get("tdm-reservation", "").strip() == "1":
        return "tdm_reservation_header"
    return None


def meta_optout(robots_meta: str, tdm_meta: str) -> str | None:
    """AI opt-out from <meta name="robots"> and <meta name="tdm-reservation">."""
    if AI_OPTOUT_TOKENS.search(robots_meta):
        return "ai_optout_meta"
    if tdm_meta.strip() == "1":
        return "tdm_reservation_meta"
    return None


def address_rejection(host: str, port: int, allow_private: bool) -> str | None:
    """Refuse hosts that resolve to private, loopback, link-local, multicast or reserved addresses, so a
    crawl started from a cluster cannot be pointed at internal services. Every resolved address must be
    public. (The connection resolves the name again; pinning the checked address is left to a proxy.)"""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return "dns_error"
    if allow_private:
        return None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
                or address.is_reserved or address.is_unspecified):
            return "private_address"
    return None
