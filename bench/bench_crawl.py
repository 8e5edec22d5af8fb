"""Crawl speed: our crawler vs a minimal Scrapy CrawlSpider on the same loopback static site, same run.

The site is generated here (no ../shared data needed): N pages with ~150 links each (a nav block shared by
every page plus page-specific links), served by a separate process so its CPU is not counted. Each
crawler runs in its own subprocess at concurrency 16 with no delay; CPU time and peak RSS come from the
child's rusage. Usage: python bench/bench_crawl.py [--pages 600] [--links 150] [--repeat 1] [--wget]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["crawler", "politeness", "robots", "frontier", "canonical", "parser", "token", "shard", "module",
         "function", "argument", "value", "returns", "example", "default", "section", "reference", "index"]

SERVER = textwrap.dedent("""
    import sys
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
    class Quiet(SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
        def log_message(self, *a): pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=sys.argv[1]))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()
""")

SPIDER = textwrap.dedent("""
    import sys
    from scrapy.crawler import CrawlerProcess
    from scrapy.linkextractors import LinkExtractor
    from scrapy.spiders import CrawlSpider, Rule
    class Site(CrawlSpider):
        name = "site"
        allowed_domains = ["127.0.0.1"]
        start_urls = [sys.argv[1]]
        rules = [Rule(LinkExtractor(), callback="parse_item", follow=True)]
        def parse_item(self, response):
            yield {"url": response.url, "html": response.text}
    process = CrawlerProcess(settings={
        "FEEDS": {sys.argv[2]: {"format": "jsonlines"}}, "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False, "DEPTH_LIMIT": 0})
    process.crawl(Site)
    process.start()
""")


def make_site(root: Path, pages: int, links: int, seed: int = 0) -> None:
    """Docs-like pages: a shared nav of ~links*0.7 entries, the rest page-specific, ~10 KB of text."""
    rng = random.Random(seed)
    nav = [f"/doc{i}.html" for i in rng.sample(range(pages), int(links * 0.7))]
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /nothing-here\n")
    for i in range(pages):
        own = [f"/doc{j}.html" for j in rng.sample(range(pages), links - len(nav))]
        own.append(f"/doc{(i + 1) % pages}.html")  # a ring, so every page is reachable
        anchors = "\n".join(f'<li><a href="{href}">{href[1:-5]}</a></li>' for href in nav + own)
        text = "\n".join("<p>" + " ".join(rng.choices(WORDS, k=120)) + "</p>" for _ in range(10))
        page = (f"<!doctype html><html><head><meta charset='utf-8'><title>doc {i}</title></head><body>"
                f"<nav><ul>{anchors}</ul></nav><main><h1>doc {i}</h1>{text}</main></body></html>")
        (root / ("index.html" if i == 0 else f"doc{i}.html")).write_text(page)
    (root / "doc0.html").write_text((root / "index.html").read_text())


def measure(cmd: list[str], output: Path) -> dict:
    """Run one crawler as a child process; wall time, child CPU (user+sys), peak RSS, pages written
    (JSON lines in ``output``, or the HTML files under it when it is a directory: wget)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    stderr = proc.stderr.read()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd[0]} {cmd[1]} failed:\n{stderr[-2000:]}")
    if output.is_dir():
        urls = [str(p) for p in output.rglob("*.html")]
    else:
        urls = [json.loads(line)["url"] for line in output.read_text().splitlines() if line.strip()]
    cpu = usage.ru_utime + usage.ru_stime
    return {"pages": len(urls), "unique": len(set(urls)), "wall_s": wall, "pages_per_s": len(urls) / wall,
            "cpu_ms_per_page": 1000 * cpu / max(len(urls), 1), "peak_rss_mb": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--links", type=int, default=150)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each crawler (alternating)")
    parser.add_argument("--skip-scrapy", action="store_true")
    parser.add_argument("--wget", action="store_true", help="also time `wget -r` (one connection, sequential)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site = tmp / "site"
        site.mkdir()
        make_site(site, args.pages, args.links)
        (tmp / "spider.py").write_text(SPIDER)
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(site)], stdout=subprocess.PIPE, text=True)
        try:
            base = f"http://127.0.0.1:{server.stdout.readline().strip()}/"
            results: dict[str, list[dict]] = {"lion1b": [], "scrapy": [], "wget -r": []}
            for run in range(args.repeat):
                ours = tmp / f"ours{run}.jsonl"
                results["lion1b"].append(measure([
                    sys.executable, str(ROOT / "scripts" / "crawl_threaded.py"), "--seed", base,
                    "--allow-private", "--delay", "0", "--threads", str(args.concurrency),
                    "--per-host-concurrency", str(args.concurrency), "--output", str(ours),
                    "--outlinks", str(tmp / f"links{run}"), "--quiet", "--force"], ours))
                if not args.skip_scrapy:
                    theirs = tmp / f"scrapy{run}.jsonl"
                    results["scrapy"].append(measure([sys.executable, str(tmp / "spider.py"), base,
                                                      str(theirs)], theirs))
                if args.wget:
                    mirror = tmp / f"wget{run}"
                    results["wget -r"].append(measure(["wget", "-r", "-q", "-l", "inf", "-e", "robots=on",
                                                       "-P", str(mirror), base], mirror))
        finally:
            server.terminate()
            server.wait()
    print(f"site: {args.pages} pages, ~{args.links} links/page, concurrency {args.concurrency}, loopback, "
          f"{os.cpu_count()} CPUs")
    print(f"{'crawler':8} {'pages':>6} {'wall s':>7} {'pages/s':>8} {'CPU ms/page':>12} {'peak RSS MB':>12}")
    best = {}
    for name, runs in results.items():
        for r in runs:
            print(f"{name:8} {r['pages']:>6} {r['wall_s']:>7.2f} {r['pages_per_s']:>8.1f} "
                  f"{r['cpu_ms_per_page']:>12.2f} {r['peak_rss_mb']:>12.1f}")
        if runs:
            best[name] = max(runs, key=lambda r: r["pages_per_s"])
    if "scrapy" in best and best["scrapy"]["pages"]:
        ours, theirs = best["lion1b"], best["scrapy"]
        print(f"ratio (best runs): {ours['pages_per_s'] / theirs['pages_per_s']:.1f}x pages/s, "
              f"{theirs['cpu_ms_per_page'] / ours['cpu_ms_per_page']:.1f}x less CPU per page")


if __name__ == "__main__":
    main()
