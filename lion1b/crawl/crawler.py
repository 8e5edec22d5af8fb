"""Stage 1: crawl seed URLs into raw HTML records (data/raw_html_thread{part}.txt).

One process per part owns the hosts that hash to it, so each host's politeness (robots.txt, Crawl-delay,
per-host concurrency, back-off) lives in exactly one place. Inside, fetch threads do the network I/O,
charset decoding and link extraction; the main thread alone owns the frontier, the seen-set and the
output, so none of that needs a lock.

Output is appended one whole JSON line per page and flushed as pages arrive (a crawl is long); the
checkpoint (frontier, seen-set, output offsets) is written atomically every --checkpoint-interval
seconds. ``--resume`` keeps every complete line written after the checkpoint, marks those URLs done and
re-extracts their links from the stored HTML, so after ``kill -9`` nothing flushed is lost and no URL is
written twice. The completion marker is written only when the crawl finishes.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import queue
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from lion1b.contract import (
    Completion,
    StageStats,
    add_common_arguments,
    atomic_write,
    check_common_arguments,
    die,
    log,
    part_of,
    record_line,
)
from lion1b.crawl.fetch import MAX_REDIRECTS, Fetcher, Result, parse_page
from lion1b.crawl.frontier import Entry, Frontier, Host, canonicalize, host_key, hostname_of, origin_of, url_hash
from lion1b.crawl.policy import Scope, address_rejection, allow_all, parse_robots, robots_rejection

STAGE = "crawl"
DEFAULT_USER_AGENT = "lion1b/0.1 (+https://github.com/lion1b/lion1b/blob/main/docs/crawl.md)"
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: parse at least the first 500 KiB
NOT_FINGERPRINTED = {"resume", "progress_interval", "checkpoint_interval", "drain_timeout"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, records_input=False, threads_help="fetch threads")
    parser.set_defaults(threads=16)
    seeds = parser.add_argument_group("seeds and scope")
    seeds.add_argument("--seeds", help="file of seed URLs, one per line ('#' comments and blank lines allowed)")
    seeds.add_argument("--seed", action="append", default=[], help="a seed URL (repeatable)")
    seeds.add_argument("--outlinks", help="where links to hosts this part does not crawl go "
                                          "(default data/outlinks_thread{part}.txt)")
    seeds.add_argument("--allow-domain", action="append", default=[],
                       help="also crawl this domain and its subdomains (default: only the seeds' hosts)")
    seeds.add_argument("--include", action="append", default=[], help="only URLs matching this regex")
    seeds.add_argument("--exclude", action="append", default=[], help="never URLs matching this regex")
    seeds.add_argument("--max-depth", type=int, default=10, help="link hops from a seed (default 10)")
    seeds.add_argument("--max-pages", type=int, default=0, help="pages written by this part (0: no limit)")
    seeds.add_argument("--max-pages-per-host", type=int, default=0, help="page requests per host (0: no limit)")
    polite = parser.add_argument_group("politeness")
    polite.add_argument("--user-agent", default=DEFAULT_USER_AGENT,
                        help="sent with every request; keep a contact URL (default %(default)s)")
    polite.add_argument("--ai-user-agent", default="lion1b,GPTBot,CCBot,Google-Extended",
                        help="comma-separated robots.txt tokens for AI-training use: a page robots.txt refuses "
                             "to any of them is skipped as an AI opt-out; the default honours opt-outs addressed "
                             "to the common AI-training crawlers as well as to ours (default %(default)s)")
    polite.add_argument("--ignore-ai-optout", action="store_true",
                        help="do not skip pages that opt out of AI use (robots tokens, noai, TDM reservation)")
    polite.add_argument("--delay", type=float, default=1.0, help="seconds between requests to one host (default 1)")
    polite.add_argument("--max-crawl-delay", type=float, default=30.0,
                        help="cap on a robots.txt Crawl-delay, seconds (default 30)")
    polite.add_argument("--per-host-concurrency", type=int, default=2, help="requests in flight per host (default 2)")
    polite.add_argument("--robots-retry", type=float, default=300.0,
                        help="seconds a host whose robots.txt failed (5xx, unreachable) waits before a retry; "
                             "after 3 failures the host is dropped (default 300)")
    polite.add_argument("--allow-private", action="store_true",
                        help="allow hosts resolving to private/loopback/link-local addresses (tests, demo)")
    fetch = parser.add_argument_group("fetching")
    fetch.add_argument("--timeout", type=float, default=10.0, help="connect and read timeout, seconds (default 10)")
    fetch.add_argument("--deadline", type=float, default=30.0, help="whole-request time limit, seconds (default 30)")
    fetch.add_argument("--max-bytes", type=int, default=4 * 1024 * 1024,
                       help="largest page (after decompression) kept; bigger ones are dropped (default 4 MiB)")
    fetch.add_argument("--retries", type=int, default=3, help="retries on connection errors, 429 and 5xx (default 3)")
    fetch.add_argument("--backoff", type=float, default=1.0,
                       help="first retry back-off, seconds; doubles per retry, jittered (default 1)")
    fetch.add_argument("--max-retry-after", type=float, default=120.0,
                       help="cap on a server's Retry-After, seconds (default 120)")
    fetch.add_argument("--accept-content-type", default="text/html,application/xhtml+xml",
                       help="comma-separated MIME types that are kept (default %(default)s)")
    out = parser.add_argument_group("output and control")
    out.add_argument("--warc", help="also write the responses as a WARC file (.warc.gz), e.g. for CC tools")
    out.add_argument("--resume", action="store_true", help="continue from the checkpoint and the output so far")
    out.add_argument("--checkpoint-interval", type=float, default=30.0,
                     help="seconds between checkpoints (default 30)")
    out.add_argument("--progress-interval", type=float, default=5.0,
                     help="seconds between progress lines (default 5)")
    out.add_argument("--drain-timeout", type=float, default=15.0,
                     help="on SIGINT/SIGTERM, seconds to wait for requests in flight before checkpointing "
                          "(default 15)")
    return parser


def read_seeds(args: argparse.Namespace) -> list[str]:
    urls = list(args.seed)
    if args.seeds:
        try:
            with open(args.seeds, encoding="utf-8") as handle:
                urls += [line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")]
        except (OSError, UnicodeDecodeError) as exc:
            die(f"cannot read seeds file {args.seeds}: {exc}")
    return urls


class Crawler:
    """The main loop: dispatch due URLs to fetch threads, fold results into the frontier and output."""

    def __init__(self, args: argparse.Namespace, seeds: list[str], bad_seeds: int = 0) -> None:
        self.args = args
        self.bad_seeds = bad_seeds
        self.output = args.output or f"data/raw_html_thread{args.part_id}.txt"
        self.outlinks_path = args.outlinks or f"data/outlinks_thread{args.part_id}.txt"
        self.checkpoint_path = self.output + ".ckpt"
        self.seeds = seeds
        self.scope = Scope({hostname_of(origin_of(u)) for u in seeds}, args.allow_domain, args.include,
                           args.exclude)
        self.ai_agents = [] if args.ignore_ai_optout else [a.strip() for a in args.ai_user_agent.split(",")
                                                           if a.strip()]
        self.fetcher = Fetcher(args.user_agent, args.timeout, args.deadline, args.max_bytes,
                               [t.strip().lower() for t in args.accept_content_type.split(",")],
                               pool_size=max(args.per_host_concurrency, 2), keep_body=bool(args.warc),
                               ai_optout=not args.ignore_ai_optout)
        self.frontier = Frontier(args.per_host_concurrency)
        self.stats = StageStats()
        self.statuses: Counter[int] = Counter()
        self.seen: set[int] = set()
        self.written: set[int] = set()
        self.owner: dict[str, int] = {}  # origin → part that crawls it (-1: outside the host scope)
        self.inflight: dict[int, tuple[str, Host, Entry | None]] = {}
        self.tasks: queue.Queue = queue.Queue()
        self.results: queue.Queue = queue.Queue()
        self.next_token = 0
        self.bytes = 0
        self.stopping = False
        self.out = self.links_out = self.warc_file = None  # binary append handles, opened in start()
        self.warc = None  # a warcio WARCWriter over warc_file

    # ------------------------------------------------------------------ discovery

    def discover(self, url: str, depth: int, hops: int = 0, requested: str | None = None) -> None:
        """Route one canonical URL: seen → scope → owner part → frontier or out-link file."""
        key = url_hash(url)
        if key in self.seen:
            return
        self.seen.add(key)
        reason = self.scope.url_rejection(url)
        if reason:
            self.stats.count(f"skipped_{reason}")
            return
        origin = origin_of(url)
        part = self.owner.get(origin)
        if part is None:
            in_scope = self.scope.host_allowed(hostname_of(origin))
            part = part_of(host_key(origin), self.args.num_parts) if in_scope else -1
            self.owner[origin] = part
        if part != self.args.part_id:
            self.links_out.write(json.dumps({"url": url, "depth": depth, "part": None if part < 0 else part})
                                 .encode() + b"\n")
            self.stats.count("outlinks_offsite" if part < 0 else "outlinks_other_part")
            return
        host = self.frontier.add(Entry(url, depth, hops, requested), origin)
        if host.state == "refused":
            self.stats.n_in += 1
            self.stats.drop(host.refusal)

    # ------------------------------------------------------------------ fetch threads

    def worker(self) -> None:
        while True:
            task = self.tasks.get()
            if task is None:
                return
            token, kind, host, entry = task
            try:
                if kind == "setup":
                    result = self.setup_host(host.origin)
                else:
                    def rejection_of(target: str, robots=host.robots) -> str | None:
                        return (self.scope.url_rejection(target)
                                or robots_rejection(robots, target, self.args.user_agent, self.ai_agents))
                    result = self.fetcher.fetch_page(entry.url, entry.hops, rejection_of)
            except Exception as exc:  # an odd page costs that URL, never a fetch thread
                result = Result("drop", entry.url if entry else host.origin, reason=f"error:{type(exc).__name__}")
            self.results.put((token, result))

    def setup_host(self, origin: str) -> tuple[str, object, str]:
        """Check the host's address, then fetch its robots.txt (RFC 9309: 4xx → allow all; 5xx or
        unreachable → not now). Returns ('refuse', None, reason), ('retry', None, reason) or
        ('ready', robots, '')."""
        url = origin + "/robots.txt"
        for _ in range(MAX_REDIRECTS + 1):  # RFC 9309: follow at least five redirects
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            rejection = address_rejection(parts.hostname or "", port, self.args.allow_private)
            if rejection:
                return "refuse", None, rejection
            result = self.fetcher.request(url, ROBOTS_MAX_BYTES, page_checks=False, truncate=True)
            if result.kind != "redirect":
                break
            url = canonicalize(urljoin(url, result.url))
            if url is None:
                return "ready", allow_all(), ""
        if result.kind == "ok":
            return "ready", parse_robots(result.body.decode("utf-8", errors="replace")), ""
        if result.kind == "drop" and 400 <= result.status < 500:
            return "ready", allow_all(), ""
        return "retry", None, f"robots_{result.reason or 'error'}"

    # ------------------------------------------------------------------ main thread

    def submit(self, kind: str, host: Host, entry: Entry | None) -> None:
        self.next_token += 1
        self.inflight[self.next_token] = (kind, host, entry)
        self.tasks.put((self.next_token, kind, host, entry))

    def pages_budget_left(self) -> bool:
        if not self.args.max_pages:
            return True
        pending = sum(1 for kind, _, _ in self.inflight.values() if kind == "page")
        return self.stats.n_out + pending < self.args.max_pages

    def dispatch(self, now: float) -> None:
        threads = self.args.threads
        while len(self.inflight) < threads:
            host = self.frontier.pop_setup(now)
            if host is None:
                break
            self.submit("setup", host, None)
        while len(self.inflight) < threads and self.pages_budget_left():
            got = self.frontier.pop_ready(now)
            if got is None:
                break
            host, entry = got
            if entry.attempts == 0:
                self.stats.n_in += 1
            reason = robots_rejection(host.robots, entry.url, self.args.user_agent, self.ai_agents)
            if reason is None and self.args.max_pages_per_host and host.fetched >= self.args.max_pages_per_host:
                reason = "max_pages_per_host"
            if reason:
                self.stats.drop(reason)
                self.frontier.cancel(host, now)
                continue
            host.fetched += entry.attempts == 0
            self.submit("page", host, entry)

    def handle(self, token: int, result: Result | tuple, now: float) -> None:
        kind, host, entry = self.inflight.pop(token)
        if kind == "setup":
            self.handle_setup(host, result, now)
            return
        if result.status:
            self.statuses[result.status] += 1
        if result.kind == "retry":
            self.frontier.done(host, now, now + self.retry_wait(entry, result, host))
            return
        self.frontier.done(host, now)
        if result.kind == "page":
            self.write_page(entry, result)
        elif result.kind == "redirect":
            self.stats.drop("redirected")  # handed on: the target is a new URL of its own
            self.discover(result.url, entry.depth, result.hops, entry.requested or entry.url)
        else:
            self.stats.drop(result.reason)

    def retry_wait(self, entry: Entry, result: Result, host: Host) -> float:
        """Requeue a transient failure at the front of its host, or give up; returns the host's wait."""
        attempts = entry.attempts + 1
        if attempts > self.args.retries:
            self.stats.drop(f"failed_{result.reason}")
            return 0.0
        self.stats.count("retries")
        if result.retry_after is not None:
            wait = min(result.retry_after, self.args.max_retry_after)
        else:
            wait = self.args.backoff * 2 ** (attempts - 1) * (0.5 + random.random())
        self.frontier.add(entry._replace(attempts=attempts), host.origin, front=True)
        return wait

    def handle_setup(self, host: Host, result: tuple, now: float) -> None:
        if isinstance(result, Result):  # the setup itself raised
            result = ("retry", None, result.reason)
        verdict, robots, reason = result
        if verdict == "ready":
            host.robots = robots
            crawl_delay = robots.crawl_delay(self.args.user_agent) or 0.0
            self.frontier.host_ready(host, max(self.args.delay, min(crawl_delay, self.args.max_crawl_delay)))
            return
        host.setup_failures += 1
        if verdict == "retry" and host.setup_failures < 3:
            self.stats.count("robots_retries")
            self.frontier.setup_later(host, now + self.args.robots_retry)
            return
        dropped = self.frontier.refuse(host, reason if verdict == "refuse" else "robots_unreachable")
        self.stats.count("hosts_refused")
        self.stats.n_in += len(dropped)
        self.stats.drop(host.refusal, len(dropped))

    def write_page(self, entry: Entry, result: Result) -> None:
        key = url_hash(result.url)
        if key in self.written:
            self.stats.drop("duplicate_final_url")
            return
        record = {"url": result.url, "requested_url": entry.requested or entry.url, "status": result.status,
                  "fetched_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "content_type": result.content_type, "encoding": result.encoding, "depth": entry.depth,
                  "sha256": result.sha256, "html": result.html}
        self.out.write(record_line(record).encode("utf-8"))
        if self.warc is not None:
            self.write_warc(record, result.body, result.headers)
        self.written.add(key)
        self.seen.add(key)
        self.stats.n_out += 1
        self.bytes += result.nbytes
        if entry.depth < self.args.max_depth:
            for link in result.links:
                self.discover(link, entry.depth + 1)

    def write_warc(self, record: dict, body: bytes, headers: list[tuple[str, str]]) -> None:
        from warcio.statusandheaders import StatusAndHeaders  # only with --warc: saves startup otherwise

        if not body:  # re-written on resume from the stored record: the decoded text, re-encoded
            body = record["html"].encode(record["encoding"], errors="replace")
            headers = [("Content-Type", f"{record['content_type']}; charset={record['encoding']}")]
        headers = [(k, v) for k, v in headers if k.lower() not in ("content-encoding", "content-length",
                                                                    "transfer-encoding")]
        headers.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{record['status']} OK", headers, protocol="HTTP/1.1")
        self.warc.write_record(self.warc.create_warc_record(record["url"], "response", payload=io.BytesIO(body),
                                                            http_headers=http))

    # ------------------------------------------------------------------ checkpoint and resume

    def open_outputs(self, offsets: dict[str, int]) -> None:
        """Open the outputs for appending, cut back to the checkpointed offsets (``output`` is handled
        by reconcile, which keeps every complete line)."""
        Path(self.output).parent.mkdir(parents=True, exist_ok=True)
        self.out = open(self.output, "ab")  # noqa: SIM115 - closed in run()
        for path, attr in ((self.outlinks_path, "links_out"), (self.args.warc, "warc_file")):
            if not path:
                continue
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            handle = open(path, "ab")  # noqa: SIM115 - closed in run()
            handle.truncate(min(offsets.get(attr, 0), handle.seek(0, os.SEEK_END)))
            handle.seek(0, os.SEEK_END)
            setattr(self, attr, handle)
        if self.args.warc:
            from warcio.warcwriter import WARCWriter

            self.warc = WARCWriter(self.warc_file, gzip=True)

    def checkpoint(self) -> None:
        handles = [h for h in (self.out, self.links_out, self.warc_file) if h is not None]
        for handle in handles:
            handle.flush()
            os.fsync(handle.fileno())
        inflight = [e for kind, _, e in self.inflight.values() if kind == "page"]
        stats = self.stats.as_dict()
        stats["in"] -= sum(1 for e in inflight if e.attempts == 0)  # counted again when re-dispatched
        state = {"version": 1, "output": self.out.tell(), "links_out": self.links_out.tell(),
                 "warc_file": self.warc_file.tell() if self.warc_file is not None else 0,
                 "seen": list(self.seen), "written": list(self.written),
                 "frontier": [list(e) for e in self.frontier.entries() + inflight],
                 "fetched": {h.origin: h.fetched for h in self.frontier.hosts.values() if h.fetched},
                 "stats": stats, "statuses": dict(self.statuses)}
        with atomic_write(self.checkpoint_path) as handle:
            json.dump(state, handle)

    def start(self) -> None:
        """Fresh start or ``--resume``: rebuild seen-set, frontier and counts, then add the seeds."""
        state = {}
        if self.args.resume and os.path.exists(self.checkpoint_path):
            try:
                with open(self.checkpoint_path, encoding="utf-8") as handle:
                    state = json.load(handle)
            except (OSError, ValueError) as exc:
                die(f"unreadable checkpoint {self.checkpoint_path}: {exc} (use --force to start over)")
        self.open_outputs(state)
        if state:
            self.seen = set(state["seen"])
            self.written = set(state["written"])
            stats = state["stats"]
            self.stats.n_in, self.stats.n_out = stats["in"], stats["out"]
            self.stats.dropped.update(stats["dropped"])
            self.stats.counters.update(stats["counters"])
            self.statuses.update({int(k): v for k, v in state["statuses"].items()})
            for origin, fetched in state["fetched"].items():
                self.frontier.hosts.setdefault(origin, Host(origin)).fetched = fetched
        elif self.bad_seeds:
            self.stats.drop("bad_seed", self.bad_seeds)
        offset = state.get("output", 0)
        done = self.reconcile(offset) if self.args.resume else set()
        for item in state.get("frontier", []):
            entry = Entry(*item)
            if entry.url not in done:
                self.frontier.add(entry, origin_of(entry.url))
        if done:  # the links of pages written after the checkpoint were lost with the process: re-extract them
            for record in self.records_after(offset):
                if record["depth"] < self.args.max_depth:
                    for link in parse_page(record["html"], record["url"])[0]:
                        self.discover(link, record["depth"] + 1)
        for seed in self.seeds:  # other parts' seeds are theirs to crawl, not out-links of this part
            if part_of(host_key(origin_of(seed)), self.args.num_parts) == self.args.part_id:
                self.discover(seed, 0)

    def records_after(self, offset: int, count_bad: bool = False) -> Iterator[dict]:
        """The well-formed records of the output from ``offset`` on, streamed (a checkpoint interval of
        pages can be large)."""
        with open(self.output, "rb") as handle:
            handle.seek(offset)
            for line in handle:
                try:
                    record = json.loads(line)
                    if isinstance(record["url"], str) and isinstance(record["requested_url"], str):
                        yield record
                        continue
                except (ValueError, KeyError, TypeError):
                    pass
                if count_bad:
                    self.stats.count("resume_unreadable_lines")

    def reconcile(self, offset: int) -> set[str]:
        """Keep every complete line after the checkpointed offset (cut a torn last line), mark those pages
        written and return their URLs (final and requested), which must not be fetched again."""
        with open(self.output, "r+b") as handle:
            handle.seek(offset)
            end = offset
            for line in handle:
                if not line.endswith(b"\n"):
                    break
                end += len(line)
            handle.truncate(end)
        done = set()
        kept = 0
        for record in self.records_after(offset, count_bad=True):
            kept += 1
            url, requested = record["url"], record["requested_url"]
            done.update((url, requested))
            self.written.add(url_hash(url))
            self.seen.update((url_hash(url), url_hash(requested)))
            self.stats.n_in += 1
            self.stats.n_out += 1
            self.frontier.hosts.setdefault(origin_of(url), Host(origin_of(url))).fetched += 1
            if self.warc is not None:
                self.write_warc(record, b"", [])
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
                f"inflight={len(self.inflight)} status: {statuses or '-'}")

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
            self.checkpoint()
        for handle in (self.out, self.links_out, self.warc_file):
            if handle is not None:
                handle.flush()
                os.fsync(handle.fileno())  # durable before the completion marker says so
                handle.close()
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
            self.out.flush()
            self.links_out.flush()
            if not args.quiet and now - last_progress >= args.progress_interval:
                log(self.progress_line(started))
                last_progress = now
            if now - last_checkpoint >= args.checkpoint_interval:
                self.checkpoint()
                last_checkpoint = now
        if not args.quiet:
            log(self.progress_line(started))


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    check_common_arguments(args)
    for name in ("per_host_concurrency", "max_bytes"):
        if getattr(args, name) < 1:
            die(f"--{name.replace('_', '-')} must be at least 1")
    if args.retries < 0 or args.delay < 0 or args.max_depth < 0:
        die("--retries, --delay and --max-depth cannot be negative")
    for path in (args.output, args.outlinks):
        if path and path.endswith((".gz", ".zst")):
            die(f"{path}: the crawl appends and resumes its outputs, so they cannot be compressed; "
                "compress them after the crawl")
    raw_seeds = read_seeds(args)
    seeds = [canonicalize(u) for u in raw_seeds]
    bad = [u for u, c in zip(raw_seeds, seeds, strict=True) if c is None]
    for url in bad[:5]:
        log(f"warning: not a crawlable http(s) URL, skipped: {url!r}")
    seeds = [s for s in seeds if s is not None]
    if not seeds:
        die("no seed URLs: give --seeds FILE and/or --seed URL")
    crawler = Crawler(args, seeds, len(bad))
    fingerprinted = argparse.Namespace(**{k: v for k, v in vars(args).items() if k not in NOT_FINGERPRINTED})
    outputs = [crawler.output, crawler.outlinks_path] + ([args.warc] if args.warc else [])
    completion = Completion(outputs, fingerprinted, STAGE, inputs=[args.seeds] if args.seeds else [])
    if completion.is_done() and not args.force:
        log(f"[{STAGE}] {crawler.output} is complete for these seeds and options ({completion.marker}); "
            "skipping (use --force to redo)")
        return
    leftovers = [p for p in (crawler.output, crawler.checkpoint_path) if os.path.exists(p)]
    if leftovers and not args.resume:
        if not args.force:
            die(f"{leftovers[0]} exists from an unfinished crawl: pass --resume to continue or --force to restart")
        for path in (crawler.output, crawler.checkpoint_path, crawler.outlinks_path, args.warc):
            if path:
                Path(path).unlink(missing_ok=True)
    completion.invalidate()
    started = time.monotonic()
    finished = crawler.run()
    seconds = time.monotonic() - started
    if not finished:
        log(f"[{STAGE}] interrupted: checkpoint {crawler.checkpoint_path} written; rerun with --resume")
        raise SystemExit(130)
    completion.write(crawler.stats, seconds)
    log(crawler.stats.summary(f"{STAGE} part {args.part_id}/{args.num_parts}", seconds, unit="pages"))

