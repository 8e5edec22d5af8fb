"""The crawl frontier: URL canonicalization, the seen-set, and per-host politeness scheduling.

Everything here runs in the crawler's main thread only, so it needs no locks. Links are deduplicated
as 64-bit hashes of their canonical string before anything else is built for them: on a site with ~150
links per page almost every link is a duplicate, and that check is the crawl's hottest path.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections import Counter, deque
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote, urlsplit

import xxhash

DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAM = re.compile(
    r"(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid|_hsenc|_hsmi"
    r"|mkt_tok|oly_anon_id|oly_enc_id|vero_id|rb_clickid|s_cid|wickedid|twclid|ttclid|srsltid)", re.I)
NEEDS_QUOTING = re.compile(r"[^\x21-\x7e]|[\"<>\\^`{|}]")  # spaces, controls, non-ASCII, unsafe ASCII
PATH_SAFE = "/%:@!$&'()*+,;=-._~"
QUERY_SAFE = PATH_SAFE + "?"


@lru_cache(maxsize=1 << 17)
def canonicalize(url: str) -> str | None:
    """The one spelling of a URL used for the seen-check, scheduling and output (None: not crawlable).

    Lower-case scheme and host, IDNA host, no default port, no userinfo, no fragment, '/' for an empty
    path, tracking parameters removed, query parameters sorted, unsafe characters percent-encoded.
    Cached because the same nav links recur on every page of a site."""
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = parts.hostname
        port = parts.port
    except ValueError:  # a bad port or a malformed IPv6 literal
        return None
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    host = host.rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = parts.path or "/"
    if NEEDS_QUOTING.search(path):
        path = quote(path, safe=PATH_SAFE)
    query = parts.query
    if query:
        params = sorted(p for p in query.split("&") if p and not TRACKING_PARAM.fullmatch(p.split("=", 1)[0]))
        query = "&".join(params)
        if NEEDS_QUOTING.search(query):
            query = quote(query, safe=QUERY_SAFE)
    return f"{scheme}://{netloc}{path}?{query}" if query else f"{scheme}://{netloc}{path}"


def origin_of(url: str) -> str:
    """scheme://host[:port] of a canonical URL: the unit of robots.txt and of politeness."""
    return url[: url.index("/", url.index("//") + 2)]


def hostname_of(origin: str) -> str:
    """The host name of an origin, without its port: what the scope rules match."""
    host = origin.split("//", 1)[1]
    return host.rsplit(":", 1)[0] if not host.endswith("]") else host


def host_key(origin: str) -> str:
    """host[:port] of an origin, the key that assigns a host to a part. The port is part of it only when it
    is not the default one, so http:// and https:// of a site land in the same part; servers on other
    ports of one machine (the demo's three sites) are separate hosts."""
    return origin.split("//", 1)[1]


def url_hash(url: str) -> int:
    """The seen-set key: 8 bytes per URL instead of the whole string."""
    return xxhash.xxh3_64_intdigest(url.encode())


class Entry(NamedTuple):
    """One URL waiting in the frontier. ``depth`` counts link hops from a seed; ``round`` is the crawl round
    it belongs to (link hops plus redirects to another origin, see :class:`Frontier`); ``hops`` counts
    redirects that led here, ``requested`` is the URL first asked for when this one is a redirect target,
    ``attempts`` the failed tries so far."""

    url: str
    depth: int
    hops: int = 0
    requested: str | None = None
    attempts: int = 0
    round: int = 0


class Host:
    """Politeness state of one origin: its queue, when it may be asked next, and how many requests are
    in flight to it."""

    __slots__ = ("delay", "fetched", "in_heap", "inflight", "next_time", "origin", "queue", "refusal",
                 "robots", "setup_failures", "state")

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.queue: deque[Entry] = deque()
        self.next_time = 0.0
        self.inflight = 0
        self.delay = 0.0
        self.fetched = 0  # page requests dispatched, for --max-pages-per-host
        self.robots = None  # a protego.Protego once robots.txt is known
        self.state = "new"  # new → setup (robots + address check in flight) → ready | refused
        self.setup_failures = 0
        self.refusal = ""  # why the host was refused (private address, robots.txt unreachable, ...)
        self.in_heap = False


class Frontier:
    """Per-host FIFO queues plus a heap of hosts ordered by the time they may next be asked, crawled in
    rounds: round r+1 holds the links of round r's pages and the targets of its redirects to other origins.

    A host is in the heap at most once; a stale heap time is corrected when it is popped, so changing a
    host's ``next_time`` (Crawl-delay, Retry-After) never needs a heap search.

    Rounds make the crawl deterministic: entries of later rounds wait in ``later`` until every entry of the
    current round is fetched, then enter the host queues sorted by URL. So a URL gets the depth of its
    shortest path (a trap reached first through a long path is not cut at the wrong depth) and per-host caps
    take the same URLs in every run, whatever order the responses arrived in."""

    def __init__(self, per_host_concurrency: int) -> None:
        self.cap = per_host_concurrency
        self.hosts: dict[str, Host] = {}
        self.ready: list[tuple[float, int, Host]] = []
        self.setups: list[tuple[float, int, Host]] = []  # hosts whose robots.txt must be fetched (again)
        self.queued = 0  # entries waiting, this round and later ones
        self.round = -1  # the round being crawled (the seeds, round 0, enter through advance() too)
        self.later: dict[int, dict[str, Entry]] = {}  # entries of later rounds, by round and URL
        self.current = 0  # entries of this round in the host queues
        self.inflight = 0  # page requests in flight, all hosts
        self._seq = 0
        # A page budget (--max-pages) smaller than the round: entries are ranked and only ranks up to `limit`
        # may be dispatched, where `limit` is the highest rank with fewer than `budget` ranks below it that
        # can still become pages. So the pages written are the first `budget` successes in rank order, in
        # every run, and no request is made for a page that could not be kept.
        self.budget: int | None = None
        self.ranks: dict[str, int] = {}
        self.dropped_ranks: list[int] = []
        self.limit = 0
        self.ranked = 0
        self.blocked: set[Host] = set()

    def host(self, origin: str) -> Host:
        host = self.hosts.get(origin)
        if host is None:
            host = self.hosts[origin] = Host(origin)
        return host

    def add(self, entry: Entry, origin: str, front: bool = False) -> Host:
        """Queue an entry (a retry goes to the ``front`` of its host); a refused host takes nothing."""
        host = self.host(origin)
        if host.state == "refused":
            return host
        self.queued += 1
        if entry.round > self.round:
            self.later.setdefault(entry.round, {})[entry.url] = entry
        else:
            self._enqueue(host, entry, front)
        return host

    def improve(self, url: str, depth: int, round_: int) -> None:
        """A URL waiting for ``round_`` was found again at a smaller depth (through a redirect to another
        origin, which is a round but no link hop): keep the smaller one, whatever order the pages came in."""
        entry = self.later.get(round_, {}).get(url)
        if entry is not None and depth < entry.depth:
            self.later[round_][url] = entry._replace(depth=depth)

    def _enqueue(self, host: Host, entry: Entry, front: bool) -> None:
        if front:
            host.queue.appendleft(entry)
        else:
            host.queue.append(entry)
        self.current += 1
        if host.state == "new":
            host.state = "setup"
            self._push(self.setups, 0.0, host)
        else:
            self._schedule(host)

    def advance(self, budget: int | None = None) -> list[tuple[Host, Entry]]:
        """Start the next round once this one is done, with at most ``budget`` pages to write (None: no
        limit); returns the entries of hosts refused meanwhile."""
        if self.current or self.inflight or not self.later:
            return []
        self.round = min(self.later)
        refused, entries = [], []
        for entry in sorted(self.later.pop(self.round).values(), key=lambda e: e.url):
            host = self.host(origin_of(entry.url))
            if host.state == "refused":
                self.queued -= 1
                refused.append((host, entry))
            else:
                entries.append((host, entry))
        self._rank(entries, budget)
        for host, entry in entries:
            self._enqueue(host, entry, False)
        return refused

    def _rank(self, entries: list[tuple[Host, Entry]], budget: int | None) -> None:
        """Rank a round that holds more URLs than the page budget: hosts take turns (each host's URLs in
        order), so the budget is spread over the hosts instead of spent on the first one."""
        self.blocked.clear()
        self.dropped_ranks = []
        if budget is None or budget >= len(entries):
            self.budget, self.ranks = None, {}
            return
        turn: Counter[str] = Counter()
        keys = []
        for host, entry in entries:  # sorted by URL, so each host's turns count up in URL order
            keys.append((turn[host.origin], host.origin, entry.url))
            turn[host.origin] += 1
        self.ranks = {url: rank for rank, (_, _, url) in enumerate(sorted(keys))}
        self.ranked = len(keys)
        self.budget = max(budget, 0)
        self.limit = self.budget - 1

    def resolve(self, url: str, written: bool) -> None:
        """An entry of this round is finished (written, or dropped for good): a dropped one lets a later rank
        take its place in the page budget."""
        rank = self.ranks.pop(url, None)
        if rank is None or written or self.budget is None:
            return
        bisect.insort(self.dropped_ranks, rank)
        grew = False
        while self.limit + 1 < self.ranked:
            candidate = self.limit + 1
            if candidate - bisect.bisect_left(self.dropped_ranks, candidate) >= self.budget:
                break
            self.limit = candidate
            grew = True
        if grew:
            for host in self.blocked:
                self._schedule(host)
            self.blocked.clear()

    def _push(self, heap: list, when: float, host: Host) -> None:
        self._seq += 1
        heapq.heappush(heap, (when, self._seq, host))

    def _schedule(self, host: Host) -> None:
        if not host.in_heap and host.queue and host.inflight < self.cap and host.state == "ready":
            host.in_heap = True
            self._push(self.ready, host.next_time, host)

    def pop_setup(self, now: float) -> Host | None:
        """A host whose robots.txt and address must be checked before its first page is asked for."""
        if self.setups and self.setups[0][0] <= now:
            return heapq.heappop(self.setups)[2]
        return None

    def setup_later(self, host: Host, when: float) -> None:
        self._push(self.setups, when, host)

    def host_ready(self, host: Host, delay: float) -> None:
        host.state = "ready"
        host.delay = delay
        self._schedule(host)

    def refuse(self, host: Host, reason: str) -> list[Entry]:
        """Close a host for this crawl; returns the entries it still had queued, for counting."""
        host.state = "refused"
        host.refusal = reason
        dropped = list(host.queue)
        host.queue.clear()
        self.queued -= len(dropped)
        self.current -= len(dropped)
        return dropped

    def pop_ready(self, now: float) -> tuple[Host, Entry] | None:
        """The next URL whose host may be asked now, or None."""
        while self.ready and self.ready[0][0] <= now:
            host = heapq.heappop(self.ready)[2]
            host.in_heap = False
            if host.state != "ready" or not host.queue or host.inflight >= self.cap:
                continue  # rescheduled by done()/add() when it becomes eligible again
            if host.next_time > now:
                self._schedule(host)
                continue
            if self.budget is not None and self.ranks.get(host.queue[0].url, -1) > self.limit:
                self.blocked.add(host)  # its next URL is beyond the page budget for now; resolve() wakes it
                continue
            entry = host.queue.popleft()
            self.queued -= 1
            self.current -= 1
            self.inflight += 1
            host.inflight += 1
            host.next_time = now + host.delay
            self._schedule(host)
            return host, entry
        return None

    def cancel(self, host: Host, now: float) -> None:
        """Undo a pop_ready whose URL was refused before any request was made."""
        host.inflight -= 1
        self.inflight -= 1
        host.next_time = now
        self._schedule(host)

    def done(self, host: Host, now: float, not_before: float = 0.0) -> None:
        """A request to ``host`` finished. With a delay, the next request also waits ``delay`` after this
        response, so the server sees at least that gap even when requests were queued in the threads;
        ``not_before`` pushes it back further (Retry-After, back-off)."""
        host.inflight -= 1
        self.inflight -= 1
        host.next_time = max(host.next_time, not_before, now + host.delay if host.delay else 0.0)
        self._schedule(host)

    def wait_time(self, now: float) -> float | None:
        """Seconds until some host or setup becomes due (None: nothing is waiting on time)."""
        times = [heap[0][0] for heap in (self.ready, self.setups) if heap]
        return max(0.0, min(times) - now) if times else None

    def active_hosts(self) -> int:
        return sum(1 for h in self.hosts.values() if h.queue or h.inflight)

    def entries(self) -> list[Entry]:
        """Every queued entry, this round's and later ones, for the checkpoint."""
        queued = [e for h in self.hosts.values() if h.state != "refused" for e in h.queue]
        return queued + [e for round_ in sorted(self.later) for e in self.later[round_].values()]
