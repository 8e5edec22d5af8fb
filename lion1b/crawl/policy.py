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


# Special-purpose ranges (IANA registries) that are not globally reachable. Python's own flags differ between
# versions (3.11 calls 224.0.0.1 and 2002:7f00:1:: global), so the table is explicit.
NOT_GLOBAL_V4 = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4"))
NOT_GLOBAL_V6 = tuple(ipaddress.ip_network(n) for n in (
    "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001:2::/48", "2001:10::/28", "2001:20::/28",
    "2001:db8::/32", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8"))
IETF_V6 = ipaddress.ip_network("2001::/23")  # protocol assignments: not global, except Teredo (embeds an IPv4)
TEREDO = ipaddress.ip_network("2001::/32")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated IPv4-compatible addresses, e.g. ::7f00:1


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, 6to4, Teredo server and client,
    NAT64): a packet to it may end up at them, so they must be public too."""
    found = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if address in NAT64 or (address in COMPATIBLE and int(address) > 1):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_public_address(text: str) -> bool:
    """True only for a globally routable unicast address whose embedded IPv4 addresses (if any) are too."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if address.version == 4:
        return not any(address in net for net in NOT_GLOBAL_V4)
    if any(address in net for net in NOT_GLOBAL_V6) or (address in IETF_V6 and address not in TEREDO):
        return False
    embedded = embedded_ipv4(address)
    if address.ipv4_mapped is None and not embedded and (address.is_private or address.is_reserved):
        return False
    return all(is_public_address(str(v4)) for v4 in embedded)


def address_rejection(host: str, port: int, allow_private: bool) -> str | None:
    """Resolve a host before its first request: 'dns_error' when it does not resolve, 'private_address' when
    any address is not public (unless ``allow_private``), so a crawl started from a cluster cannot be pointed
    at internal services. The fetcher checks again the address it actually connects to, which closes the
    gap a DNS-rebinding host would use between this check and the connection."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return "dns_error"
    if allow_private:
        return None
    if not all(is_public_address(info[4][0]) for info in infos):
        return "private_address"
    return None
