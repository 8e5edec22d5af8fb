"""The crawler's command line: flags, their checks, and the seed list."""

from __future__ import annotations

import argparse
import math
import re

from lion1b.contract import die, log
from lion1b.crawl.frontier import canonicalize

DEFAULT_USER_AGENT = "lion1b/0.1 (+https://github.com/lion1b/lion1b/blob/main/docs/crawl.md)"
# Options that do not change what the crawl writes, so a crawl finished through --resume is still recognised.
NOT_FINGERPRINTED = {"resume", "progress_interval", "checkpoint_interval", "drain_timeout"}
# Lower bounds: (flag, smallest value, whether the smallest value itself is allowed).
BOUNDS = (("timeout", 0, False), ("deadline", 0, False), ("checkpoint_interval", 0, False),
          ("progress_interval", 0, False), ("per_host_concurrency", 1, True), ("max_bytes", 1, True),
          ("retries", 0, True), ("delay", 0, True), ("max_depth", 0, True), ("max_pages", 0, True),
          ("max_pages_per_host", 0, True), ("backoff", 0, True), ("max_crawl_delay", 0, True),
          ("max_retry_after", 0, True), ("robots_retry", 0, True), ("drain_timeout", 0, True))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The crawler's flags, beside the contract's common ones (``--threads`` here: fetch threads, default 16)."""
    parser.set_defaults(threads=16)
    threads = parser._option_string_actions.get("--threads")
    if threads is not None:
        threads.help = "fetch threads (default 16): the work is network-bound"
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
                        help="seconds a host whose robots.txt failed (5xx, a broken response) waits before a "
                             "retry; after 3 failures the host is dropped (default 300). A host that takes no "
                             "connection waits --backoff, doubling, instead")
    polite.add_argument("--allow-private", action="store_true",
                        help="allow hosts at addresses that are not globally routable (loopback, private, "
                             "CGNAT, ...): tests and the demo")
    fetch = parser.add_argument_group("fetching")
    fetch.add_argument("--timeout", type=float, default=10.0, help="connect and read timeout, seconds (default 10)")
    fetch.add_argument("--deadline", type=float, default=30.0,
                       help="whole-request time limit, headers and body, seconds (default 30)")
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


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse values that would crash later or silently crawl nothing, with one line naming the flag."""
    for name, low, inclusive in BOUNDS:
        value = getattr(args, name)
        flag = "--" + name.replace("_", "-")
        if isinstance(value, float) and not math.isfinite(value):
            die(f"{flag} must be a finite number (got {value})")
        if value < low or (value == low and not inclusive):
            die(f"{flag} must be {'at least' if inclusive else 'more than'} {low} (got {value})")
    for flag, patterns in (("--include", args.include), ("--exclude", args.exclude)):
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                die(f"{flag} {pattern!r} is not a valid regular expression: {exc}")
    if not args.user_agent.strip():
        die("--user-agent cannot be empty: robots.txt addresses crawlers by it, and site operators need a contact")
    if not [t for t in args.accept_content_type.split(",") if t.strip()]:
        die("--accept-content-type needs at least one MIME type")
    for path in (args.output, args.outlinks):
        if path and path.endswith((".gz", ".zst")):
            die(f"{path}: the crawl appends and resumes its outputs, so they cannot be compressed; "
                "compress them after the crawl")


def read_seeds(args: argparse.Namespace) -> tuple[list[str], int]:
    """The canonical seed URLs, and how many given ones were not crawlable URLs (warned about, counted)."""
    urls = list(args.seed)
    if args.seeds:
        try:
            with open(args.seeds, encoding="utf-8") as handle:
                urls += [line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")]
        except (OSError, UnicodeDecodeError) as exc:
            die(f"cannot read seeds file {args.seeds}: {exc}")
    seeds = [canonicalize(u) for u in urls]
    bad = [u for u, c in zip(urls, seeds, strict=True) if c is None]
    for url in bad[:5]:
        log(f"warning: not a crawlable http(s) URL, skipped: {url!r}")
    good = [s for s in seeds if s is not None]
    if not good:
        die("no seed URLs: give --seeds FILE and/or --seed URL")
    return good, len(bad)
