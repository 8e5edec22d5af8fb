"""The crawl loop: dispatch due URLs to fetch threads, fold their typed results into the frontier and the output.

Fetch threads do the network I/O, charset decoding and link extraction; the main thread alone owns the
frontier, the seen-set and the output, so none of that needs a lock. Output is appended one whole JSON line
per page and flushed as pages arrive; the checkpoint is written atomically every --checkpoint-interval
seconds. ``--resume`` keeps every complete line written after the checkpoint, marks those URLs done and
re-extracts their links from the stored HTML, so after ``kill -9`` nothing flushed is lost and no URL is
written twice.
"""

from __future__ import annotations

import argparse
import enum
import queue
import signal
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from lion1b.config import part_file
from lion1b.contract import StageStats, log
from lion1b.crawl import checkpoint
from lion1b.crawl.fetch import Dropped, Fetcher, FetchResult, Page, Redirect, Retry, parse_page
from lion1b.crawl.frontier import Entry, Frontier, Host, hostname_of, origin_of, url_hash
from lion1b.crawl.output import CrawlOutput, cut_torn_line, records_after
from lion1b.crawl.parts import PartMap
from lion1b.crawl.policy import Scope
from lion1b.crawl.politeness import SETUP_TRIES, HostReady, HostRefused, HostRetry, HostSetup, Politeness

STAGE = "crawl"


class TaskKind(enum.Enum):
    SETUP = "setup"  # a host's address check and robots.txt
    PAGE = "page"


class Task(NamedTuple):
    kind: TaskKind
    host: Host
    entry: Entry | None


class Crawler:
    """The main loop: dispatch due URLs to fetch threads, fold their typed results into the frontier and
    the output."""

    def __init__(self, args: argparse.Namespace, seeds: list[str], bad_seeds: int, fingerprint: str,
                 parts: PartMap, stats: StageStats) -> None:
        self.args = args
        self.bad_seeds = bad_seeds
        self.fingerprint = fingerprint
        self.files = CrawlOutput(args.output or part_file("raw_html", args.part_id),
                                 args.outlinks or part_file("outlinks", args.part_id), args.warc)
        self.checkpoint_path = self.files.output + ".ckpt"
        self.seeds = seeds
        self.parts = parts
        self.seed_origins = sorted({origin_of(s) for s in seeds
                                    if self.parts.part_of_origin(origin_of(s)) == args.part_id})
        self.scope = Scope({hostname_of(origin_of(u)) for u in seeds}, args.allow_domain, args.include,
                           args.exclude)
        ai_agents = [] if args.ignore_ai_optout else [a.strip() for a in args.ai_user_agent.split(",") if a.strip()]
        self.fetcher = Fetcher(args.user_agent, args.timeout, args.deadline, args.max_bytes,
                               [t.strip().lower() for t in args.accept_content_type.split(",") if t.strip()],
                               pool_size=max(args.per_host_concurrency, 2), keep_body=bool(args.warc),
                               ai_optout=not args.ignore_ai_optout, allow_private=args.allow_private)
        self.politeness = Politeness(self.fetcher, args.user_agent, ai_agents, args.allow_private, args.delay,
                                     args.max_crawl_delay, args.robots_retry, args.retries, args.backoff,
                                     args.max_retry_after)
        self.frontier = Frontier(args.per_host_concurrency)
        self.stats = stats
        self.statuses: Counter[int] = Counter()
        self.seen: set[int] = set()
        self.written: set[int] = set()
        self.owner: dict[str, int] = {}  # origin → part that crawls it (-1: outside the host scope)
        self.host_pages: Counter[str] = Counter()  # pages written per origin
        self.host_drops: dict[str, Counter[str]] = {o: Counter() for o in self.seed_origins}  # why, per seed host
        self.inflight: dict[int, Task] = {}
        self.tasks: queue.Queue = queue.Queue()
        self.results: queue.Queue = queue.Queue()
        self.next_token = 0
        self.bytes = 0
        self.stopping = False

    @property
    def output(self) -> str:
        return self.files.output

    def drop(self, reason: str, origin: str, n: int = 1) -> None:
        self.stats.drop(reason, n)
        if origin in self.host_drops:
            self.host_drops[origin][reason] += n

    # ------------------------------------------------------------------ discovery

    def discover(self, url: str, depth: int, round_: int, hops: int = 0, requested: str | None = None) -> None:
        """Route one canonical URL: seen → scope → owner part → frontier or out-link file."""
        key = url_hash(url)
        if key in self.seen:
            if depth < round_:  # downstream of a redirect to another origin: may be a shorter path
                self.frontier.improve(url, depth, round_)
            return
        self.seen.add(key)
        reason = self.scope.url_rejection(url)
        if reason:
            self.stats.count(f"skipped_{reason}")
            return
        origin = origin_of(url)
        part = self.owner.get(origin)
        if part is None:
            part = self.parts.part_of_origin(origin) if self.scope.host_allowed(hostname_of(origin)) else -1
            self.owner[origin] = part
        if part != self.args.part_id:
            self.files.write_outlink(url, depth, None if part < 0 else part)
            self.stats.count("outlinks_offsite" if part < 0 else "outlinks_other_part")
            return
        host = self.frontier.add(Entry(url, depth, hops, requested, 0, round_), origin)
        if host.state == "refused":
            self.stats.n_in += 1
            self.drop(host.refusal, origin)

    # ------------------------------------------------------------------ fetch threads

    def worker(self) -> None:
        while True:
            item = self.tasks.get()
            if item is None:
                return
            token, task = item
            try:
                if task.kind is TaskKind.SETUP:
                    result: HostSetup | FetchResult = self.politeness.setup_host(task.host.origin)
                else:
                    def rejection_of(target: str, robots=task.host.robots) -> str | None:
                        return self.scope.url_rejection(target) or self.politeness.rejection(robots, target)
                    result = self.fetcher.fetch_page(task.entry.url, task.entry.hops, rejection_of)
            except Exception as exc:  # an odd page costs that URL, never a fetch thread
                reason = f"error:{type(exc).__name__}"
                result = HostRetry(reason) if task.kind is TaskKind.SETUP else Dropped(task.entry.url, reason)
            self.results.put((token, result))

    # ------------------------------------------------------------------ main thread

    def submit(self, kind: TaskKind, host: Host, entry: Entry | None) -> None:
        self.next_token += 1
        task = Task(kind, host, entry)
        self.inflight[self.next_token] = task
        self.tasks.put((self.next_token, task))

    def pages_budget_left(self) -> bool:
        if not self.args.max_pages:
            return True
        pending = sum(1 for task in self.inflight.values() if task.kind is TaskKind.PAGE)
        return self.stats.n_out + pending < self.args.max_pages

    def dispatch(self, now: float) -> None:
        threads = self.args.threads
        budget = self.args.max_pages - self.stats.n_out if self.args.max_pages else None
        for host, _ in self.frontier.advance(budget):
            self.stats.n_in += 1
            self.drop(host.refusal, host.origin)
        while len(self.inflight) < threads:
            host = self.frontier.pop_setup(now)
            if host is None:
                break
            self.submit(TaskKind.SETUP, host, None)
        while len(self.inflight) < threads and self.pages_budget_left():
            got = self.frontier.pop_ready(now)
            if got is None:
                break
            host, entry = got
            if entry.attempts == 0:
                self.stats.n_in += 1
            reason = self.politeness.rejection(host.robots, entry.url)
            if reason is None and self.args.max_pages_per_host and host.fetched >= self.args.max_pages_per_host:
                reason = "max_pages_per_host"
            if reason:
                self.drop(reason, host.origin)
                self.frontier.cancel(host, now)
                self.frontier.resolve(entry.url, written=False)
                continue
            host.fetched += entry.attempts == 0
            self.submit(TaskKind.PAGE, host, entry)

    def handle(self, token: int, result: HostSetup | FetchResult, now: float) -> None:
        kind, host, entry = self.inflight.pop(token)
        if kind is TaskKind.SETUP:
            self.handle_setup(host, result, now)
            return
        if result.status:
            self.statuses[result.status] += 1
        if isinstance(result, Retry):
            self.frontier.done(host, now, now + self.retry(entry, result, host))
            return
        self.frontier.done(host, now)
        written = False
        if isinstance(result, Page):
            written = self.write_page(entry, result)
        elif isinstance(result, Redirect):
            self.drop("redirected", host.origin)  # handed on: the target is a URL of its own, next round
            self.discover(result.url, entry.depth, entry.round + 1, result.hops, entry.requested or entry.url)
        else:
            self.drop(result.reason, host.origin)
        self.frontier.resolve(entry.url, written)

    def retry(self, entry: Entry, result: Retry, host: Host) -> float:
        """Requeue a transient failure at the front of its host, or give up; returns the host's wait."""
        attempts = entry.attempts + 1
        wait = self.politeness.retry_wait(attempts, result.retry_after)
        if wait is None:
            self.drop(f"failed_{result.reason}", host.origin)
            self.frontier.resolve(entry.url, written=False)
            return 0.0
        self.stats.count("retries")
        self.frontier.add(entry._replace(attempts=attempts), host.origin, front=True)
        return wait

    def handle_setup(self, host: Host, result: HostSetup, now: float) -> None:
        if isinstance(result, HostReady):
            host.robots = result.robots
            self.frontier.host_ready(host, self.politeness.host_delay(result.robots))
            return
        host.setup_failures += 1
        if host.origin in self.host_drops:
            self.host_drops[host.origin][result.reason] += 1
        if isinstance(result, HostRetry) and host.setup_failures < SETUP_TRIES:
            self.stats.count("robots_retries")
            self.frontier.setup_later(host, now + self.politeness.setup_wait(result.reason, host.setup_failures))
            return
        dropped = self.frontier.refuse(host, result.reason if isinstance(result, HostRefused)
                                       else "robots_unreachable")
        for entry in dropped:
            self.frontier.resolve(entry.url, written=False)
        self.stats.count("hosts_refused")
        self.stats.n_in += len(dropped)
        self.drop(host.refusal, host.origin, len(dropped))

    def write_page(self, entry: Entry, page: Page) -> bool:
        """Write a page and queue its links; False when its final URL was written already."""
        key = url_hash(page.url)
        if key in self.written:
            self.drop("duplicate_final_url", origin_of(page.url))
            return False
        record = {"url": page.url, "requested_url": entry.requested or entry.url, "status": page.status,
                  "fetched_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "content_type": page.content_type, "encoding": page.encoding, "depth": entry.depth,
                  "sha256": page.sha256, "html": page.html}
        self.files.write_record(record, page.body, page.headers)
        self.written.add(key)
        self.seen.add(key)
        self.stats.n_out += 1
        self.host_pages[origin_of(entry.requested or entry.url)] += 1
        self.bytes += page.nbytes
        if entry.depth < self.args.max_depth:
            for link in page.links:
                self.discover(link, entry.depth + 1, entry.round + 1)
        return True

    # ------------------------------------------------------------------ checkpoint and resume

    def save_checkpoint(self) -> None:
        self.files.sync()
        inflight = [t.entry for t in self.inflight.values() if t.kind is TaskKind.PAGE]
        stats = self.stats.as_dict()
        stats["in"] -= sum(1 for e in inflight if e.attempts == 0)  # counted again when re-dispatched
        checkpoint.save(self.checkpoint_path, {
            "fingerprint": self.fingerprint, "round": self.frontier.round, **self.files.offsets(),
            "seen": list(self.seen), "written": list(self.written),
            "frontier": [list(e) for e in self.frontier.entries() + inflight],
            "fetched": {h.origin: h.fetched for h in self.frontier.hosts.values() if h.fetched},
            "stats": stats, "statuses": dict(self.statuses)})

    def start(self) -> None:
        """Fresh start or ``--resume``: rebuild seen-set, frontier and counts, then add the seeds."""
        state = checkpoint.load(self.checkpoint_path, self.fingerprint) if self.args.resume else None
        self.files.open(state or {})
        if state:
            self.seen = set(state["seen"])
            self.written = set(state["written"])
            stats = state["stats"]
            self.stats.n_in, self.stats.n_out = stats["in"], stats["out"]
            self.stats.dropped.update(stats["dropped"])
            self.stats.counters.update(stats["counters"])
            self.statuses.update(state["statuses"])
            for origin, fetched in state["fetched"].items():
                self.frontier.host(origin).fetched = fetched
            self.frontier.round = state["round"]
        elif self.bad_seeds:
            self.stats.drop("bad_seed", self.bad_seeds)
        offset = state["output"] if state else 0
        done = self.reconcile(offset) if self.args.resume else set()
        for entry in state["frontier"] if state else []:
            if entry.url not in done:
                self.frontier.add(entry, origin_of(entry.url))
        if done:  # the links of pages written after the checkpoint were lost with the process: re-extract them
            for record in records_after(self.output, offset):
                if record is not None and record["depth"] < self.args.max_depth:
                    for link in parse_page(record["html"], record["url"])[0]:
                        self.discover(link, record["depth"] + 1, max(record["depth"] + 1, self.frontier.round))
        for seed in self.seeds:  # other parts' seeds are theirs to crawl, not out-links of this part
            if self.parts.part_of_origin(origin_of(seed)) == self.args.part_id:
                self.discover(seed, 0, 0)

    def reconcile(self, offset: int) -> set[str]:
        """Keep every complete line after the checkpointed offset (cut a torn last line), mark those pages
        written and return their URLs (final and requested), which must not be fetched again."""
        cut_torn_line(self.output, offset)
        done = set()
        kept = 0
        for record in records_after(self.output, offset):
            if record is None:
                self.stats.count("resume_unreadable_lines")
                continue
            kept += 1
            url, requested = record["url"], record["requested_url"]
            done.update((url, requested))
            self.written.add(url_hash(url))
            self.seen.update((url_hash(url), url_hash(requested)))
            self.stats.n_in += 1
            self.stats.n_out += 1
            self.host_pages[origin_of(requested)] += 1
            self.frontier.host(origin_of(url)).fetched += 1
            if self.files.warc is not None:
                self.files.write_warc(record, b"", [])
        log(f"[{STAGE}] resuming: {kept} pages written after the last checkpoint kept")
        return done

    # ------------------------------------------------------------------ run

    def stop(self, signum: int, _frame: object) -> None:
        if not self.stopping:
            log(f"[{STAGE}] {signal.Signals(signum).name}: finishing requests in flight, then checkpointing")
        self.stopping = True

    def progress_line(self, started: float) -> str:
        seconds = max(time.monotonic() - started, 1e-9)
        statuses = " ".join(f"{k}={v}" for k, v in sorted(self.statuses.items()))
        return (f"[{STAGE}] pages={self.stats.n_out} {self.stats.n_out / seconds:.1f}/s "
                f"{self.bytes / 1e6:.1f}MB queue={self.frontier.queued} hosts={self.frontier.active_hosts()} "
                f"round={self.frontier.round} inflight={len(self.inflight)} status: {statuses or '-'}")

    def run(self) -> bool:
        """Crawl until the frontier is empty, --max-pages is reached or a signal stops it; returns True
        when the crawl finished (False: interrupted, checkpointed for --resume)."""
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            self.loop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for _ in range(self.args.threads):
                self.tasks.put(None)
        if self.stopping:
            self.save_checkpoint()
        self.files.close()  # durable before the completion marker says so
        if not self.stopping:
            Path(self.checkpoint_path).unlink(missing_ok=True)
        return not self.stopping

    def loop(self) -> None:
        args = self.args
        started = last_progress = last_checkpoint = time.monotonic()
        for _ in range(args.threads):
            threading.Thread(target=self.worker, daemon=True).start()
        drain_until = None
        while True:
            now = time.monotonic()
            if self.stopping:
                drain_until = drain_until or now + args.drain_timeout
                if not self.inflight or now > drain_until:
                    break
            else:
                self.dispatch(now)
                if not self.inflight and (not self.frontier.queued or not self.pages_budget_left()):
                    break
            wait = self.frontier.wait_time(now)
            timeout = 0.5 if wait is None or self.inflight else min(max(wait, 0.001), 0.5)
            try:
                token, result = self.results.get(timeout=timeout)
                now = time.monotonic()
                self.handle(token, result, now)
                while True:
                    token, result = self.results.get_nowait()
                    self.handle(token, result, now)
            except queue.Empty:
                pass
            self.files.flush()
            if not args.quiet and now - last_progress >= args.progress_interval:
                log(self.progress_line(started))
                last_progress = now
            if now - last_checkpoint >= args.checkpoint_interval:
                self.save_checkpoint()
                last_checkpoint = now
        if not args.quiet:
            log(self.progress_line(started))

    def failed_seed_hosts(self) -> list[str]:
        """One line per seed host (origin) of this part that gave no page, naming the cause."""
        lines = []
        for origin in self.seed_origins:
            if self.host_pages[origin]:
                continue
            host = self.frontier.hosts.get(origin)
            reasons = self.host_drops[origin]
            if host is not None and host.state == "refused":
                tried = [r for r in reasons if r.startswith("robots_") and r != host.refusal]
                cause = host.refusal + (f" ({', '.join(sorted(tried))})" if tried else "")
            elif reasons:
                cause = ", ".join(f"{r}={n}" for r, n in reasons.most_common(3))
            else:
                cause = "no page in scope"
            lines.append(f"seed host {origin}: {cause}")
        return lines
