"""Crawler tests against loopback servers started here (every test passes --allow-private except the one
that checks the refusal). Each server keeps a request log, so politeness is checked from the server's
side: what was asked for, and when."""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import re
import signal
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lion1b.contract import open_records
from lion1b.crawl.crawler import main as crawl_main
from lion1b.crawl.fetch import parse_page
from lion1b.crawl.frontier import canonicalize

ROOT = Path(__file__).resolve().parents[1]


class Site:
    """One loopback origin: ``routes`` maps a path to (status, headers, body) or a callable returning it;
    every request is logged as (monotonic time, path, headers)."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.routes: dict = {}
        self.log: list[tuple[float, str, dict]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.log.append((time.monotonic(), self.path, dict(self.headers)))
                route = site.routes.get(self.path, (404, {"Content-Type": "text/html"}, b"not found"))
                status, headers, body = route() if callable(route) else route
                self.send_response(status)
                for key, value in headers.items():
                    if value is not None:  # None: leave the header out (e.g. no Content-Length)
                        self.send_header(key, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(sum(map(len, body)) if isinstance(body, list)
                                                           else len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    for chunk in body if isinstance(body, list) else [body]:  # a list: dripped slowly
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        if isinstance(body, list):
                            time.sleep(0.1)

            def log_message(self, *args: object) -> None:
                pass

        self.server = QuietServer((address, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{address}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def page(self, path: str, body: str, headers: dict | None = None, status: int = 200) -> None:
        self.routes[path] = (status, {"Content-Type": "text/html; charset=utf-8", **(headers or {})},
                             body.encode("utf-8"))

    def paths(self) -> list[str]:
        return [p for _, p, _ in self.log]


class QuietServer(ThreadingHTTPServer):
    """A test server whose own errors (a client that hung up mid-response, as a crawler past its deadline
    does) are not printed: the tests read stderr for the crawler's tracebacks, not the server's."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def html(*links: str, title: str = "page", extra: str = "") -> str:
    anchors = "".join(f'<a href="{href}">{href}</a> ' for href in links)
    return f"<html><head><title>{title}</title>{extra}</head><body><p>{title}</p>{anchors}</body></html>"


@pytest.fixture
def site():
    sites = []

    def make(address: str = "127.0.0.1") -> Site:
        s = Site(address)
        sites.append(s)
        return s

    yield make
    for s in sites:
        s.server.shutdown()
        s.server.server_close()


def crawl(tmp_path: Path, *args: str, name: str = "out", quiet: bool = True) -> tuple[list[dict], dict]:
    """Run the crawler in-process; returns the records and the completion marker's stats."""
    output = tmp_path / f"{name}.jsonl"
    crawl_main(["--output", str(output), "--outlinks", str(tmp_path / f"{name}.links"), "--delay", "0",
                "--allow-private", "--timeout", "2", "--backoff", "0.05", *(["--quiet"] if quiet else []), *args])
    marker = json.loads(Path(str(output) + ".done").read_text())
    return list(open_records(output)), marker["stats"]


def test_canonicalize() -> None:
    assert canonicalize("HTTP://Example.COM:80/a/b?z=1&a=2#frag") == "http://example.com/a/b?a=2&z=1"
    assert canonicalize("https://example.com:443") == "https://example.com/"
    assert canonicalize("https://example.com:8443/x?utm_source=n&id=3&fbclid=q") == "https://example.com:8443/x?id=3"
    assert canonicalize("http://user:pw@example.com/a b") == "http://example.com/a%20b"
    assert canonicalize("http://bücher.de/é") == "http://xn--bcher-kva.de/%C3%A9"
    assert canonicalize("mailto:a@b.c") is None
    assert canonicalize("http://example.com:99999/") is None


def test_parse_page_links() -> None:
    page = html("/a/../b", "c?y=2&x=1#f", "//other.org/p", "HTTPS://Other.org:443/q", "#top", "javascript:go()",
                "../up", "/r?utm_medium=mail")
    links, optout, nofollow = parse_page(page, "http://ex.com/dir/page")
    assert sorted(links) == ["http://ex.com/b", "http://ex.com/dir/c?x=1&y=2", "http://ex.com/r", "http://ex.com/up",
                             "http://other.org/p", "https://other.org/q"]
    assert optout is None and not nofollow
    based = html("x", extra='<base href="https://cdn.ex.com/base/">')
    assert parse_page(based, "http://ex.com/")[0] == ["https://cdn.ex.com/base/x"]
    assert parse_page(html("/x", extra='<meta name="robots" content="NOFOLLOW">'), "http://ex.com/") == ([], None, True)


def test_xhtml_self_closing_tags_do_not_hide_the_links_after_them() -> None:
    # Debian's ImageMagick pages declare XHTML and write <iframe .../> in their navigation bar: read as HTML,
    # the rest of the page is the iframe's raw text, and the crawl found 6 of its 66 top-level pages
    body = '<nav><iframe src="https://ex.org/button" title="Sponsor"/></nav><main><a href="/formats.html">x</a></main>'
    xhtml = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">'
             f"<html><head><title>t</title></head><body>{body}</body></html>")
    assert parse_page(xhtml, "http://ex.com/")[0] == ["http://ex.com/formats.html"]
    # an HTML page is read as a browser reads it
    assert parse_page(f"<!DOCTYPE html><html><body>{body}</body></html>", "http://ex.com/")[0] == []


def test_crawl_records_scope_and_outlinks(tmp_path: Path, site) -> None:
    s = site()
    s.page("/robots.txt", "")
    s.page("/", html("/a", "/b#top", "/a?utm_source=x", "/file.pdf", "/data", "http://offsite.invalid/x",
                     "mailto:x@y.z", title="home"))
    s.page("/a", html("/", "/b", "/deep", title="a"))
    s.page("/b", html("/a", title="b"))
    s.page("/deep", html("/deeper", title="deep"))
    s.page("/deeper", html(title="deeper"))
    s.routes["/data"] = (200, {"Content-Type": "application/octet-stream"}, b"\x00" * 100)
    records, stats = crawl(tmp_path, "--seed", s.base + "/", "--max-depth", "2")
    urls = [r["url"] for r in records]
    assert sorted(urls) == sorted(s.base + p for p in ("/", "/a", "/b", "/deep"))  # /deeper is depth 3
    assert len(set(urls)) == len(urls)
    home = next(r for r in records if r["url"] == s.base + "/")
    assert set(home) == {"url", "requested_url", "status", "fetched_at", "content_type", "encoding", "depth",
                         "sha256", "html"}
    assert home["status"] == 200 and home["depth"] == 0 and home["content_type"] == "text/html"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", home["fetched_at"])
    assert len(home["sha256"]) == 64 and "home" in home["html"]
    assert "/file.pdf" not in s.paths()  # binary extension: never requested
    assert stats["dropped"]["content_type"] == 1 and stats["counters"]["skipped_binary_extension"] == 1
    assert stats["out"] == 4
    outlinks = [json.loads(line) for line in (tmp_path / "out.links").read_text().splitlines()]
    assert outlinks == [{"url": "http://offsite.invalid/x", "depth": 1, "part": None}]
    assert all(h["User-Agent"].startswith("lion1b/") for _, _, h in s.log)


def test_include_exclude_and_page_limits(tmp_path: Path, site) -> None:
    s, other = site(), site()
    s.page("/", html(*(f"/keep/{i}" for i in range(6)), *(f"/skip/{i}" for i in range(3)), other.base + "/"))
    for i in range(6):
        s.page(f"/keep/{i}", html("/"))
    other.page("/", html(*(f"/o{i}" for i in range(5))))
    for i in range(5):
        other.page(f"/o{i}", html())
    records, stats = crawl(tmp_path, "--seed", s.base + "/", "--seed", other.base + "/", "--exclude", "/skip/",
                           "--max-pages-per-host", "3")
    assert not any(p.startswith("/skip/") for p in s.paths()) and stats["counters"]["skipped_excluded"] == 3
    assert sum(r["url"].startswith(s.base) for r in records) == 3
    assert sum(r["url"].startswith(other.base) for r in records) == 3
    assert len([p for p in other.paths() if p != "/robots.txt"]) == 3
    assert stats["dropped"]["max_pages_per_host"] == stats["in"] - 6
    records, _ = crawl(tmp_path, "--seed", s.base + "/", "--include", r"/keep/[0-3]$|:\d+/$", "--max-pages", "4",
                       "--per-host-concurrency", "4", name="limited")
    assert len(records) == 4 and all("/skip/" not in r["url"] for r in records)


def test_robots_disallow_and_crawl_delay(tmp_path: Path, site) -> None:
    s = site()
    s.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private\n"
                               b"Crawl-delay: 0.3\n")
    s.page("/", html("/p1", "/p2", "/p3", "/private/x", "/private"))
    for p in ("/p1", "/p2", "/p3"):
        s.page(p, html("/"))
    records, stats = crawl(tmp_path, "--seed", s.base + "/", "--per-host-concurrency", "1")
    assert len(records) == 4
    assert not any(p.startswith("/private") for p in s.paths())
    assert stats["dropped"]["robots_disallowed"] == 2
    times = [t for t, p, _ in s.log if p != "/robots.txt"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 3 and min(gaps) >= 0.28, gaps


def test_robots_5xx_refuses_host_and_4xx_allows(tmp_path: Path, site) -> None:
    down, missing, huge = site(), site(), site()
    down.routes["/robots.txt"] = (503, {}, b"busy")
    down.page("/", html())
    missing.page("/", html())  # robots.txt is a 404 here: everything allowed
    # 1.4 MB robots.txt, with an AI opt-out header that applies to pages, not to robots.txt: the first
    # 500 KiB are parsed
    huge.routes["/robots.txt"] = (200, {"X-Robots-Tag": "noai"},
                                  b"User-agent: *\nDisallow: /no\n" + b"# padding\n" * 140_000 + b"Disallow: /\n")
    huge.page("/", html("/no"))
    huge.page("/no", html())
    records, stats = crawl(tmp_path, "--seed", down.base + "/", "--seed", missing.base + "/", "--seed",
                           huge.base + "/", "--robots-retry", "0.1", "--retries", "0")
    assert sorted(r["url"] for r in records) == sorted([missing.base + "/", huge.base + "/"])
    assert "/no" not in huge.paths()
    assert down.paths() == ["/robots.txt"] * 3 and stats["dropped"]["robots_unreachable"] == 1


def test_ai_optout(tmp_path: Path, site) -> None:
    s = site()
    s.routes["/robots.txt"] = (200, {}, b"User-agent: GPTBot\nDisallow: /ai-robots\n\n"
                                        b"User-agent: CCBot\nDisallow: /cc\n\n"
                                        b"User-agent: Google-Extended\nDisallow: /google\n")
    s.page("/", html("/ai-robots", "/cc", "/google", "/ai-header", "/tdm-header", "/ai-meta", "/tdm-meta", "/ok"))
    for path in ("/ai-robots", "/cc", "/google"):
        s.page(path, html())
    s.page("/ai-header", html(), {"X-Robots-Tag": "noindex, noai"})
    s.page("/tdm-header", html(), {"tdm-reservation": "1"})
    s.page("/ai-meta", html(extra='<meta name="robots" content="noai, noimageai">'))
    s.page("/tdm-meta", html(extra='<meta name="tdm-reservation" content="1">'))
    s.page("/ok", html(extra='<meta name="robots" content="max-snippet:-1">'))
    records, stats = crawl(tmp_path, "--seed", s.base + "/")  # the default tokens: lion1b and the common AI bots
    assert sorted(r["url"] for r in records) == [s.base + "/", s.base + "/ok"]
    assert not {"/ai-robots", "/cc", "/google"} & set(s.paths())
    assert stats["dropped"]["ai_optout_robots"] == 3
    for reason in ("ai_optout_header", "tdm_reservation_header", "ai_optout_meta", "tdm_reservation_meta"):
        assert stats["dropped"][reason] == 1, reason
    records, stats = crawl(tmp_path, "--seed", s.base + "/", "--ai-user-agent", "lion1b,CCBot", name="ccbot")
    assert {s.base + "/ai-robots", s.base + "/google"} <= {r["url"] for r in records}
    assert stats["dropped"]["ai_optout_robots"] == 1
    records, _ = crawl(tmp_path, "--seed", s.base + "/", "--ignore-ai-optout", name="ignored")
    assert len(records) == 9


def test_429_retry_after_and_5xx_failure(tmp_path: Path, site, capsys) -> None:
    s = site()
    s.page("/", html("/busy", "/broken"))
    calls = []

    def busy():
        calls.append(time.monotonic())
        if len(calls) == 1:
            return 429, {"Retry-After": "1"}, b"slow down"
        return 200, {"Content-Type": "text/html"}, html(title="finally").encode()

    s.routes["/busy"] = busy
    s.routes["/broken"] = (503, {}, b"down")
    records, stats = crawl(tmp_path, "--seed", s.base + "/", "--retries", "2", "--per-host-concurrency", "1",
                           "--progress-interval", "0.2", quiet=False)
    assert sorted(r["url"] for r in records) == [s.base + "/", s.base + "/busy"]
    progress = capsys.readouterr().err
    assert "queue=" in progress and "status: 200=2 429=1 503=3" in progress
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.95
    assert s.paths().count("/broken") == 3  # first try + 2 retries
    assert stats["dropped"]["failed_http_503"] == 1 and stats["counters"]["retries"] == 3


def test_redirects(tmp_path: Path, site) -> None:
    s, other = site(), site()
    s.page("/", html("/loop-a", "/chain0", "/moved", "/away", "/to-nogo"))
    s.routes["/to-nogo"] = (301, {"Location": "/nogo/page"}, b"")
    s.page("/nogo/page", html())
    s.routes["/loop-a"] = (302, {"Location": "/loop-b"}, b"")
    s.routes["/loop-b"] = (302, {"Location": "/loop-a"}, b"")
    for i in range(7):
        s.routes[f"/chain{i}"] = (301, {"Location": f"/chain{i + 1}"}, b"")
    s.page("/chain7", html())
    s.routes["/moved"] = (301, {"Location": "/target"}, b"")
    s.page("/target", html(title="target"))
    s.routes["/away"] = (302, {"Location": other.base + "/landing"}, b"")
    other.page("/landing", html())
    records, stats = crawl(tmp_path, "--seed", s.base + "/", "--seed", other.base + "/nothing", "--exclude", "/nogo")
    by_url = {r["url"]: r for r in records}
    assert by_url[s.base + "/target"]["requested_url"] == s.base + "/moved"
    assert by_url[other.base + "/landing"]["requested_url"] == s.base + "/away"
    assert stats["dropped"]["redirect_loop"] == 1 and stats["dropped"]["too_many_redirects"] == 1
    assert "/chain6" not in s.paths() and "/nogo/page" not in s.paths()  # every hop is re-checked
    assert stats["dropped"]["excluded"] == 1
    assert len(by_url) == len(records) == 3


def test_oversize_and_gzip_bomb_capped(tmp_path: Path, site) -> None:
    s = site()
    s.page("/", html("/big", "/bomb", "/chunked-big", "/small-gz", "/raw-deflate", "/drip"))
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    s.routes["/raw-deflate"] = (200, {"Content-Type": "text/html", "Content-Encoding": "deflate"},
                                packer.compress(html(title="deflated").encode()) + packer.flush())
    s.routes["/drip"] = (200, {"Content-Type": "text/html"}, [b"<p>drip</p>"] * 30)  # 3 s in all
    s.page("/big", "x" * 300_000)
    bomb = gzip.compress(b"<html>" + b"\0" * 50_000_000, 9)
    s.routes["/bomb"] = (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb)

    def chunked():  # no Content-Length: the cap must be enforced while streaming
        return 200, {"Content-Type": "text/html", "Connection": "close", "Content-Length": None}, b"y" * 300_000

    s.routes["/chunked-big"] = chunked
    s.routes["/small-gz"] = (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                             gzip.compress(html(title="tiny").encode()))
    records, stats = crawl(tmp_path, "--seed", s.base + "/", "--max-bytes", "100000", "--deadline", "1")
    by_path = {r["url"].removeprefix(s.base): r for r in records}
    assert sorted(by_path) == ["/", "/raw-deflate", "/small-gz"]
    assert "tiny" in by_path["/small-gz"]["html"] and "deflated" in by_path["/raw-deflate"]["html"]
    assert stats["dropped"]["oversize"] == 3 and stats["dropped"]["deadline"] == 1
    assert s.paths().count("/drip") == 1  # a slow drip is not retried


def test_legacy_charsets(tmp_path: Path, site) -> None:
    s = site()
    s.page("/", html("/latin1", "/sjis-meta", "/bom", "/koi8", "/cp1251-sniffed"))
    s.routes["/latin1"] = (200, {"Content-Type": "text/html; charset=ISO-8859-1"},
                           "<p>café “quoted”</p>".encode("cp1252"))
    s.routes["/sjis-meta"] = (200, {"Content-Type": "text/html"},
                              '<meta charset="shift_jis"><p>日本語のテキスト</p>'.encode("shift_jis"))
    s.routes["/bom"] = (200, {"Content-Type": "text/html"}, "\ufeff<p>naïve résumé</p>".encode())
    s.routes["/koi8"] = (200, {"Content-Type": 'text/html; charset="koi8-r"'}, "<p>Привет, мир</p>".encode("koi8-r"))
    russian = "Съешь же ещё этих мягких французских булок, да выпей чаю. " * 20
    s.routes["/cp1251-sniffed"] = (200, {"Content-Type": "text/html"}, f"<p>{russian}</p>".encode("cp1251"))
    records, _ = crawl(tmp_path, "--seed", s.base + "/")
    by_path = {r["url"].removeprefix(s.base): r for r in records}
    assert "café “quoted”" in by_path["/latin1"]["html"] and by_path["/latin1"]["encoding"] == "cp1252"
    assert "日本語のテキスト" in by_path["/sjis-meta"]["html"]
    assert "naïve résumé" in by_path["/bom"]["html"] and "\ufeff" not in by_path["/bom"]["html"]
    assert "Привет, мир" in by_path["/koi8"]["html"]
    assert russian[:40] in by_path["/cp1251-sniffed"]["html"]


def test_private_address_refused_without_flag(tmp_path: Path, site, capsys) -> None:
    s = site()
    s.page("/", html("/a"))
    output = tmp_path / "out.jsonl"
    with pytest.raises(SystemExit) as exit_info:  # nothing fetched from any seed: a failed crawl
        crawl_main(["--seed", s.base + "/", "--output", str(output), "--outlinks", str(tmp_path / "l"), "--quiet"])
    assert exit_info.value.code == 3 and s.log == [] and not output.exists()
    err = capsys.readouterr().err
    assert f"seed host {s.base}: private_address" in err
    assert "dropped: private_address=1 hosts_refused=1" in err


def test_partition_property(tmp_path: Path, site, capsys) -> None:
    sites = [site(f"127.0.0.{i + 1}") for i in range(5)]  # 5 hosts, one seed each: parts of 3 and 2 hosts
    for i, s in enumerate(sites):
        peer = sites[(i + 1) % len(sites)].base
        s.page("/", html("/p0", f"{peer}/p1"))
        for j in range(4):
            s.page(f"/p{j}", html(f"/p{j + 1}", f"{peer}/p{j}"))
        s.page("/p4", html("/"))
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# loopback hosts\n\n" + "\n".join(s.base + "/" for s in sites) + "\n")
    whole, _ = crawl(tmp_path, "--seeds", str(seeds), name="whole")
    parts = [crawl(tmp_path, "--seeds", str(seeds), "--part-id", str(p), "--num-parts", "2", name=f"part{p}")[0]
             for p in range(2)]
    urls = [{r["url"] for r in part} for part in parts]
    assert urls[0] and urls[1] and not urls[0] & urls[1]
    assert urls[0] | urls[1] == {r["url"] for r in whole} and len(whole) == len(sites) * 6
    assert sorted(map(len, urls)) == [2 * 6, 3 * 6]  # balanced by seed count, never a host split
    cross = (tmp_path / "part0.links").read_text()
    assert '"part": 1' in cross  # links to the other part's hosts are kept for a later round
    summaries = [line for line in capsys.readouterr().err.splitlines() if line.startswith("[crawl part")]
    assert len(summaries) == 3 and all("of sizes 0:3h/3s 1:2h/2s]" in line for line in summaries[1:])


def run_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "scripts" / "crawl_threaded.py"), *args],
                            stderr=subprocess.PIPE, text=True)


def test_kill9_and_sigterm_then_resume(tmp_path: Path, site) -> None:
    s = site()
    n = 60
    for i in range(n):
        s.page(f"/p{i}", html(*(f"/p{(i * 7 + k) % n}" for k in range(1, 6)), title=f"page {i}"))
    output = tmp_path / "raw.jsonl"
    checkpoint = Path(str(output) + ".ckpt")
    warc = tmp_path / "raw.warc.gz"
    args = ["--seed", s.base + "/p0", "--output", str(output), "--outlinks", str(tmp_path / "links"),
            "--allow-private", "--delay", "0.03", "--per-host-concurrency", "1", "--quiet", "--warc", str(warc)]

    def lines() -> int:
        try:  # check_writable creates and removes the output at start-up: there, then gone, for a moment
            return output.read_bytes().count(b"\n")
        except FileNotFoundError:
            return 0

    def run_until(extra: list[str], at_least: int, sig: int, need_checkpoint: bool = False) -> subprocess.Popen:
        proc = run_cli(*args, *extra)
        while (lines() < at_least or (need_checkpoint and not checkpoint.exists())) and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(sig)
        proc.wait(timeout=30)
        return proc

    # 1. killed before any checkpoint: resume must rebuild everything from the output alone
    first = run_until(["--checkpoint-interval", "100"], 15, signal.SIGKILL)
    assert 0 < lines() < n and not checkpoint.exists(), first.stderr.read()
    assert run_cli(*args).wait() == 2  # an unfinished crawl is neither restarted nor resumed silently
    # 2. resumed, then killed after a checkpoint, with pages written since
    proc = run_until(["--resume", "--checkpoint-interval", "0.2"], 30, signal.SIGKILL, need_checkpoint=True)
    kept = re.search(r"resuming: (\d+) pages written after the last checkpoint kept", proc.stderr.read())
    assert kept and int(kept.group(1)) >= 15  # all of run 1's pages, taken from the output alone
    assert lines() < n and checkpoint.exists()
    # 3. resumed, then stopped gracefully: drains, checkpoints, exits 130 without a completion marker
    proc = run_until(["--resume", "--checkpoint-interval", "0.2"], 45, signal.SIGTERM)
    assert proc.returncode == 130 and checkpoint.exists() and not Path(str(output) + ".done").exists()
    assert lines() < n
    # 4. resumed to the end
    assert run_cli(*args, "--resume").wait() == 0
    urls = [r["url"] for r in open_records(output)]
    assert len(urls) == len(set(urls)) == n
    assert set(urls) == {f"{s.base}/p{i}" for i in range(n)}
    assert not checkpoint.exists()
    from warcio.archiveiterator import ArchiveIterator

    with open(warc, "rb") as handle:
        warc_urls = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(handle)
                     if r.rec_type == "response"]
    assert sorted(warc_urls) == sorted(urls)
    assert run_cli(*args).wait() == 0  # complete: skipped by its marker


def test_demo_site_crawl(tmp_path: Path, demo_site) -> None:
    """The whole demo web: every planted case checked against its manifest and its request log."""
    m = demo_site.manifest
    demo_site.reset_log()
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join(m["seeds"]) + "\n")
    records, stats = crawl(tmp_path, "--seeds", str(seeds), "--max-depth", "8", "--retries", "2",
                           "--max-bytes", "1000000", "--per-host-concurrency", "2", "--threads", "8")
    log = demo_site.requests
    by_url = {r["url"]: r for r in records}
    assert len(by_url) == len(records)
    fetched = {demo_site.bases[e["host_key"]] + e["path"] for e in log}
    for robots in m["robots"].values():
        assert not fetched & set(robots["disallowed_urls"])
    forum = [e["t"] for e in log if e["host_key"] == "forum" and e["path"] != "/robots.txt"]
    assert len(forum) > 10 and min(b - a for a, b in itertools.pairwise(forum)) >= 0.19
    for item in m["optout"]:
        assert item["url"] not in by_url
    archive = [a["url"] for a in m["articles"] if a["url"].startswith(demo_site.url("news", "/archive/"))]
    assert len(archive) == 4 and not fetched & set(archive)  # GPTBot's opt-out, honoured by default
    assert sum(v for k, v in stats["dropped"].items() if "optout" in k or "tdm" in k) == len(m["optout"])
    for item in m["legacy_charset"]:
        assert item["snippet"] in by_url[item["url"]]["html"], item
    expected = {a["url"] for a in m["articles"] if not a["disallowed"] and not a["optout"] and not a["sitemap_only"]}
    assert expected <= set(by_url)
    assert not fetched & {b["url"] for b in m["binary"]}
    faults = m["faults"]
    assert faults["flaky"] in by_url and faults["rate_limited"] in by_url
    limited = [e["t"] for e in log if e["path"] == "/fault/rate-limit/1"]
    assert len(limited) == 2 and limited[1] - limited[0] >= 0.95
    for name in ("oversize", "oversize_stream", "gzip_bomb", "reset", *m["redirect_loop"]):
        assert faults.get(name, name) not in by_url
    assert stats["dropped"]["oversize"] == 3 and stats["dropped"]["redirect_loop"] >= 1
    assert any(k.startswith("failed_") for k in stats["dropped"])  # the reset, after its retries
    chain = m["redirects"][1]
    assert chain["final"] in by_url
    assert stats["in"] == stats["out"] + sum(stats["dropped"].values())  # every URL taken is accounted for
