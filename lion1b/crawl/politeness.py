"""Politeness: a host's robots.txt and address check before its first page, the gap between requests, and
the back-off after a transient failure.

``setup_host`` runs in a fetch thread and returns a typed verdict; the main thread applies it to the frontier.
RFC 9309: robots.txt 2xx → its rules, 4xx → allow all, 5xx or unreachable → not now (the host waits
``robots_retry`` seconds, and is refused after ``SETUP_TRIES`` failures). A host that takes no connection at
all (refused, or no answer to connect) is down rather than busy: it waits the page back-off instead, so a
link to a dead port (Flask's docs link http://127.0.0.1:5000/) does not hold the end of a crawl for minutes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from protego import Protego

from lion1b.crawl.fetch import MAX_REDIRECTS, Body, Dropped, Fetcher, Redirect
from lion1b.crawl.frontier import canonicalize
from lion1b.crawl.policy import address_rejection, allow_all, parse_robots, robots_rejection

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: parse at least the first 500 KiB
SETUP_TRIES = 3
NO_CONNECTION = ("robots_request_NewConnectionError", "robots_request_ConnectTimeoutError")


@dataclass(frozen=True)
class HostReady:
    robots: Protego


@dataclass(frozen=True)
class HostRetry:
    """robots.txt could not be had this time (5xx, 429, connection error)."""

    reason: str


@dataclass(frozen=True)
class HostRefused:
    """The host is closed for this crawl (name does not resolve, address not public)."""

    reason: str


HostSetup = HostReady | HostRetry | HostRefused


class Politeness:
    """The per-host rules of one crawl, from its options."""

    def __init__(self, fetcher: Fetcher, user_agent: str, ai_agents: list[str], allow_private: bool,
                 delay: float, max_crawl_delay: float, robots_retry: float, retries: int, backoff: float,
                 max_retry_after: float) -> None:
        self.fetcher = fetcher
        self.user_agent = user_agent
        self.ai_agents = ai_agents
        self.allow_private = allow_private
        self.delay = delay
        self.max_crawl_delay = max_crawl_delay
        self.robots_retry = robots_retry
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after

    def setup_host(self, origin: str) -> HostSetup:
        """Check the host's address, then fetch its robots.txt, following up to five redirects (each hop's
        address checked too)."""
        url = origin + "/robots.txt"
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            rejection = address_rejection(parts.hostname or "", port, self.allow_private)
            if rejection:
                return HostRefused(rejection)
            result = self.fetcher.request(url, ROBOTS_MAX_BYTES, page_checks=False, truncate=True)
            if not isinstance(result, Redirect):
                break
            url = canonicalize(urljoin(url, result.url))
            if url is None:
                return HostReady(allow_all())
        if isinstance(result, Body):
            return HostReady(parse_robots(result.body.decode("utf-8", errors="replace")))
        if isinstance(result, Dropped) and result.reason == "private_address":
            return HostRefused(result.reason)
        if isinstance(result, Dropped) and 400 <= result.status < 500:
            return HostReady(allow_all())
        reason = "too_many_redirects" if isinstance(result, Redirect) else result.reason
        return HostRetry(f"robots_{reason}")

    def host_delay(self, robots: Protego) -> float:
        """Seconds between requests to a host: --delay, or its Crawl-delay capped by --max-crawl-delay."""
        crawl_delay = robots.crawl_delay(self.user_agent) or 0.0
        return max(self.delay, min(crawl_delay, self.max_crawl_delay))

    def rejection(self, robots: Protego, url: str) -> str | None:
        """Why robots.txt refuses ``url`` to us or to an AI-training token, or None."""
        return robots_rejection(robots, url, self.user_agent, self.ai_agents)

    def setup_wait(self, reason: str, failures: int) -> float:
        """Seconds before a host's robots.txt is asked again after ``failures`` failures."""
        return self.doubled_backoff(failures) if reason in NO_CONNECTION else self.robots_retry

    def doubled_backoff(self, attempts: int) -> float:
        """--backoff, doubled for each attempt after the first."""
        return self.backoff * 2 ** (attempts - 1)

    def retry_wait(self, attempts: int, retry_after: float | None) -> float | None:
        """How long a host waits before the ``attempts``-th retry of a URL (None: give up). The whole host
        waits, so a busy server sees fewer requests, not more."""
        if attempts > self.retries:
            return None
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        return self.doubled_backoff(attempts) * (0.5 + random.random())
