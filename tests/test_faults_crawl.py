"""Fault injection for the crawler (issues 15 and 17): hostile addresses, a header trickle, unwritable outputs,
bad numbers and checkpoints, lying charsets, changed options, order-dependent crawls, seeds that all fail.
Each case failed before its fix; every server is a loopback one started here."""

from __future__ import annotations

import contextlib
import json
import os
import random
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_crawl import ROOT, Site, crawl, html, site  # noqa: F401 - `site` is the fixture

from lion1b.crawl.checkpoint import VERSION
from lion1b.crawl.crawler import EXIT_NOTHING_FETCHED
from lion1b.crawl.crawler import main as crawl_main
from lion1b.crawl.fetch import Body, Dropped, Fetcher, decode_html
from lion1b.crawl.parts import PartMap
from lion1b.crawl.policy import is_public_address


def run(tmp_path: Path, *args: str, name: str = "out") -> int:
    """The crawler in-process; returns its exit status (0 when it returned)."""
    try:
        crawl_main(["--output", str(tmp_path / f"{name}.jsonl"), "--outlinks", str(tmp_path / f"{name}.links"),
                    "--delay", "0", "--timeout", "2", "--backoff", "0.05", "--quiet", *args])
    except SystemExit as exc:
        return int(exc.code)
    return 0


def error_lines(err: str) -> list[str]:
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.startswith("error:")]


# ----------------------------------------------------------------------------- address safety (15.1)

NOT_GLOBAL = ["100.100.100.200", "100.64.0.1", "2002:7f00:1::", "2002:a00:1::", "198.18.0.1", "198.19.255.1",
              "224.0.0.1", "239.1.2.3", "240.0.0.1", "255.255.255.255", "192.0.0.8", "192.0.2.1", "203.0.113.9",
              "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "2001:0:4136:e378:8000:63bf:80ff:fffe",
              "::ffff:127.0.0.1", "::7f00:1", "::1", "::", "fe80::1", "fc00::1", "ff02::1", "2001:db8::1",
              "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "127.0.0.1", "0.0.0.0"]
GLOBAL = ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "2001:4860:4860::8888", "2002:808:808::", "64:ff9b::808:808"]


def test_only_globally_routable_addresses_are_public() -> None:
    assert [a for a in NOT_GLOBAL if is_public_address(a)] == []
    assert [a for a in GLOBAL if not is_public_address(a)] == []


def test_cgnat_and_6to4_seeds_refused(tmp_path: Path, site, capsys) -> None:  # noqa: F811
    s = site()
    s.page("/", html())
    port = s.base.rsplit(":", 1)[1]
    status = run(tmp_path, "--seed", "http://100.100.100.200/", "--seed", f"http://[2002:7f00:1::]:{port}/")
    errors = error_lines(capsys.readouterr().err)
    assert status == EXIT_NOTHING_FETCHED and s.log == []
    assert "seed host http://100.100.100.200: private_address" in errors[0]
    assert f"seed host http://[2002:7f00:1::]:{port}: private_address" in errors[1]


def test_connection_checks_the_address_connected_to(site) -> None:  # noqa: F811
    """Whatever a name resolved to before, the address actually connected to is checked (DNS rebinding)."""
    s = site()
    s.page("/", html())
    guarded = Fetcher("t", 2, 5, 10_000, ["text/html"], 2, keep_body=False)
    assert guarded.request(s.base + "/", 10_000) == Dropped(s.base + "/", "private_address")
    assert s.log == []
    allowed = Fetcher("t", 2, 5, 10_000, ["text/html"], 2, keep_body=False, allow_private=True)
    assert isinstance(allowed.request(s.base + "/", 10_000), Body) and s.paths() == ["/"]


# ----------------------------------------------------------------------------- deadline (15.7)


class Trickle(socketserver.ThreadingTCPServer):
    """Answers robots.txt with a 404, / with a page linking /slow, and /slow with one header line a second."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.stop = threading.Event()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                request = self.request.recv(65536).decode("latin-1")
                with contextlib.suppress(OSError):
                    if request.startswith("GET /robots.txt"):
                        self.request.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                             b"Connection: close\r\n\r\n")
                        return
                    if request.startswith("GET / "):
                        body = html("/slow").encode()
                        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
                                             + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                        return
                    self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
                    for i in range(30):
                        if outer.stop.wait(1.0):
                            return
                        self.request.sendall(f"X-Pad-{i}: x\r\n".encode())

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()


def test_deadline_bounds_a_header_trickle(tmp_path: Path) -> None:
    server = Trickle()
    try:
        started = time.monotonic()
        _, stats = crawl(tmp_path, "--seed", f"http://127.0.0.1:{server.server_address[1]}/", "--timeout", "3",
                         "--deadline", "2", "--retries", "0")
        assert time.monotonic() - started < 5
        assert stats["dropped"] == {"deadline": 1}
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()


# ----------------------------------------------------------------------------- unwritable outputs (15.8)


def test_unwritable_outputs_are_one_line(tmp_path: Path, site, capsys) -> None:  # noqa: F811
    s = site()
    s.page("/", html())
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    cases = [["--output", str(blocker / "out.jsonl")], ["--warc", str(blocker / "w.warc.gz")]]
    if Path("/sys").is_dir():  # a directory no one may write, even root
        cases.append(["--output", "/sys/lion1b-crawl-test/out.jsonl"])
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        cases.append(["--output", str(locked / "out.jsonl")])
    for extra in cases:
        status = run(tmp_path, "--seed", s.base + "/", "--allow-private", *extra)
        errors = error_lines(capsys.readouterr().err)
        assert status == 2 and len(errors) == 1 and "cannot write" in errors[0], (extra, errors)
    assert s.log == []


# ----------------------------------------------------------------------------- numbers and checkpoints (15.10)


@pytest.mark.parametrize("flag,value", [("--timeout", "-1"), ("--timeout", "0"), ("--timeout", "nan"),
                                        ("--deadline", "-5"), ("--max-pages", "-1"), ("--backoff", "-1"),
                                        ("--max-crawl-delay", "-1"), ("--checkpoint-interval", "-1"),
                                        ("--max-pages-per-host", "-2"), ("--robots-retry", "inf"),
                                        ("--include", "("), ("--user-agent", " ")])
def test_bad_numbers_rejected(tmp_path: Path, capsys, flag: str, value: str) -> None:
    assert run(tmp_path, "--seed", "http://127.0.0.1:9/", flag, value) == 2
    errors = error_lines(capsys.readouterr().err)
    assert len(errors) == 1 and flag in errors[0]
    assert not (tmp_path / "out.jsonl").exists()


def test_outputs_must_be_different_files(tmp_path: Path, capsys) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("http://127.0.0.1:9/\n")
    same = str(tmp_path / "out.jsonl")
    for extra in (["--outlinks", same], ["--warc", same], ["--output", str(seeds)]):
        try:
            crawl_main(["--output", same, "--seeds", str(seeds), "--quiet", *extra])
        except SystemExit as exc:
            assert exc.code == 2
        errors = error_lines(capsys.readouterr().err)
        assert len(errors) == 1 and "must be different files" in errors[0], extra
    assert seeds.read_text() == "http://127.0.0.1:9/\n"


@pytest.mark.parametrize("state", [{"version": VERSION}, {}, [], {"version": VERSION, "fingerprint": "x",
                                                                  "round": 0, "output": 0, "links_out": 0,
                                                                  "warc_file": 0, "seen": [], "written": [],
                                                                  "frontier": [["http://a/", 0]], "fetched": {},
                                                                  "statuses": {},
                                                                  "stats": {"in": 0, "out": 0, "dropped": {},
                                                                            "counters": {}}}])
def test_checkpoint_missing_keys_is_a_clear_error(tmp_path: Path, capsys, state: object) -> None:
    (tmp_path / "out.jsonl").write_text("")
    (tmp_path / "out.jsonl.ckpt").write_text(json.dumps(state))
    assert run(tmp_path, "--seed", "http://127.0.0.1:9/", "--resume") == 2
    errors = error_lines(capsys.readouterr().err)
    assert len(errors) == 1 and "checkpoint" in errors[0] and "--force" in errors[0]
    assert "other seeds or options" not in errors[0]  # each case fails on its own defect, not the fingerprint


# ----------------------------------------------------------------------------- charsets and binary bodies (15.11)


def test_charset_labels_that_lie(tmp_path: Path, site) -> None:  # noqa: F811
    s = site()
    english = "<html><body><p>Plain English text about crawling the web politely.</p></body></html>"
    s.page("/", html("/rot13", "/base64", "/utf16", "/random", "/random-utf8", "/binary"))
    for path, label in (("/rot13", "rot13"), ("/base64", "base64"), ("/utf16", "utf-16")):
        s.routes[path] = (200, {"Content-Type": f"text/html; charset={label}"}, english.encode("ascii"))
    noise = random.Random(0).randbytes(20_000)
    s.routes["/random"] = (200, {"Content-Type": "text/html"}, noise)
    s.routes["/random-utf8"] = (200, {"Content-Type": "text/html; charset=utf-8"}, noise[::-1])
    s.routes["/binary"] = (200, {"Content-Type": "text/html"}, b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 3000)
    records, stats = crawl(tmp_path, "--seed", s.base + "/")
    by_path = {r["url"].removeprefix(s.base): r for r in records}
    assert sorted(by_path) == ["/", "/base64", "/rot13", "/utf16"]
    for path in ("/rot13", "/base64", "/utf16"):
        assert "Plain English text" in by_path[path]["html"], path
    assert stats["dropped"] == {"not_text": 3}
    text, encoding = decode_html("日本語".encode("utf-16"), "utf-16")  # a real UTF-16 page still decodes
    assert text == "日本語" and encoding == "utf-16"


# ----------------------------------------------------------------------------- changed options (15.13)


def test_changed_options_after_a_finished_crawl(tmp_path: Path, site, capsys) -> None:  # noqa: F811
    s = site()
    s.page("/", html("/a"))
    s.page("/a", html())
    assert run(tmp_path, "--seed", s.base + "/", "--allow-private") == 0
    output, marker = tmp_path / "out.jsonl", tmp_path / "out.jsonl.done"
    before = (output.read_bytes(), marker.read_bytes())
    capsys.readouterr()
    for extra in ([], ["--resume"]):
        assert run(tmp_path, "--seed", s.base + "/", "--allow-private", "--max-depth", "0", *extra) == 2
        errors = error_lines(capsys.readouterr().err)
        assert len(errors) == 1 and "finished crawl made with other seeds or options" in errors[0]
        assert (output.read_bytes(), marker.read_bytes()) == before
    assert run(tmp_path, "--seed", s.base + "/", "--allow-private", "--max-depth", "0", "--force") == 0
    assert [json.loads(line)["url"] for line in output.read_text().splitlines()] == [s.base + "/"]


def test_stale_checkpoint_temp_removed(tmp_path: Path, site) -> None:  # noqa: F811
    """kill -9 while a checkpoint was being written leaves its temp file; the next run removes it."""
    s = site()
    s.page("/", html())
    dead_pid = 2 ** 22 + 12345  # above Linux's pid_max default, so no live process has it
    stale = tmp_path / f".out.jsonl.tmp{dead_pid}.ckpt"
    stale.write_bytes(b"{" * 1000)
    assert run(tmp_path, "--seed", s.base + "/", "--allow-private") == 0
    assert not stale.exists()


def test_resume_with_other_options_refused(tmp_path: Path, site, capsys) -> None:  # noqa: F811
    """An unfinished crawl's checkpoint remembers its options: resuming with others would mix two crawls."""
    s = site()
    s.page("/", html())
    output = tmp_path / "out.jsonl"
    output.write_text("")
    state = {"version": VERSION, "fingerprint": "another crawl", "round": 0, "output": 0, "links_out": 0,
             "warc_file": 0, "seen": [], "written": [], "frontier": [], "fetched": {}, "statuses": {},
             "stats": {"in": 0, "out": 0, "dropped": {}, "counters": {}}}
    Path(str(output) + ".ckpt").write_text(json.dumps(state))
    assert run(tmp_path, "--seed", s.base + "/", "--allow-private", "--resume") == 2
    errors = error_lines(capsys.readouterr().err)
    assert len(errors) == 1 and "other seeds or options" in errors[0] and s.log == []


# ----------------------------------------------------------------------------- determinism (15.14)


def slow_and_fast_site(s: Site) -> None:
    """Two ways to /t: through /slow (depth 2, answered late) and through /fast → /f2 (depth 3, answered at
    once). A crawl that keeps the first depth it saw cuts /t's child /u at --max-depth 3."""
    def slow() -> tuple[int, dict, bytes]:
        time.sleep(0.6)
        return 200, {"Content-Type": "text/html"}, html("/t", "/a1", "/a2", "/a3").encode()

    s.page("/", html("/slow", "/fast"))
    s.routes["/slow"] = slow
    s.page("/fast", html("/f2", "/z1", "/z2", "/z3"))
    s.page("/f2", html("/t"))
    s.page("/t", html("/u"))
    for path in ("/u", "/a1", "/a2", "/a3", "/z1", "/z2", "/z3"):
        s.page(path, html())


def test_identical_crawls_give_identical_pages(tmp_path: Path, site) -> None:  # noqa: F811
    s = site()
    slow_and_fast_site(s)
    runs = [crawl(tmp_path, "--seed", s.base + "/", "--max-depth", "3", name=f"run{i}")[0] for i in range(2)]
    depths = [{r["url"].removeprefix(s.base): r["depth"] for r in records} for records in runs]
    assert depths[0] == depths[1]
    assert depths[0]["/t"] == 2 and depths[0]["/u"] == 3  # the shortest path, not the first answered
    capped = [crawl(tmp_path, "--seed", s.base + "/", "--max-pages-per-host", "5", name=f"capped{i}")[0]
              for i in range(2)]
    paths = [sorted(r["url"].removeprefix(s.base) for r in records) for records in capped]
    assert paths[0] == paths[1] == ["/", "/a1", "/a2", "/fast", "/slow"]  # round 2 taken in URL order


def test_max_pages_over_several_hosts_is_deterministic(tmp_path: Path, site) -> None:  # noqa: F811
    """The page budget of the last round goes to the first URLs in rank order (hosts taking turns, each in URL
    order), whichever host is ready first; a URL that gives no page hands its place to the next rank."""
    first, second = sorted((site(), site()), key=lambda s: s.base)

    def slow_404() -> tuple[int, dict, bytes]:
        time.sleep(0.3)
        return 404, {"Content-Type": "text/html"}, b"gone"

    for s in (first, second):
        s.page("/", html("/p1", "/p2", "/p3"))
        for i in (1, 2, 3):
            s.page(f"/p{i}", html())
    first.routes["/p1"] = slow_404
    first.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nCrawl-delay: 0.5\n")
    runs = [crawl(tmp_path, "--seed", first.base + "/", "--seed", second.base + "/", "--max-pages", "4",
                  name=f"run{i}")[0] for i in range(2)]
    # ranks of round 1: first/p1, second/p1, first/p2, second/p2, ...; first/p1 is a 404, so first/p2 moves up,
    # though the second host (no Crawl-delay) is ready long before the first
    expected = {first.base + "/", second.base + "/", second.base + "/p1", first.base + "/p2"}
    assert [{r["url"] for r in records} for records in runs] == [expected, expected]
    assert "/p3" not in first.paths() + second.paths() and "/p2" not in second.paths()  # nothing beyond it


# ----------------------------------------------------------------------------- failed seeds (17.4)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_crawl_that_fetched_nothing_fails_naming_each_host(tmp_path: Path, site, capsys) -> None:  # noqa: F811
    busy = site()
    busy.routes["/robots.txt"] = (503, {}, b"busy")
    busy.page("/", html())
    dead = closed_port()
    status = run(tmp_path, "--seed", f"http://127.0.0.1:{dead}/", "--seed", "http://nonexistent.invalid/",
                 "--seed", busy.base + "/", "--allow-private", "--robots-retry", "0.05", "--retries", "0")
    errors = error_lines(capsys.readouterr().err)
    assert status == EXIT_NOTHING_FETCHED
    hosts = [line for line in errors if "seed host " in line]
    assert len(hosts) == 3
    assert "error: [crawl] seed host http://nonexistent.invalid: dns_error" in errors
    dead_line = next(e for e in hosts if f"seed host http://127.0.0.1:{dead}: " in e)
    busy_line = next(e for e in hosts if f"seed host {busy.base}: " in e)
    assert "robots_unreachable" in dead_line and "NewConnectionError" in dead_line
    assert "robots_unreachable" in busy_line and "robots_http_503" in busy_line
    assert "no page fetched" in errors[-1]
    assert not (tmp_path / "out.jsonl").exists() and not (tmp_path / "out.jsonl.done").exists()


def test_a_link_to_a_host_that_takes_no_connection_does_not_hold_the_crawl(tmp_path: Path, site) -> None:  # noqa: F811
    # Flask's docs link http://127.0.0.1:5000/: with the robots.txt wait of a busy host (--robots-retry,
    # minutes) the crawl sat ten minutes on that one link after the site was done. A subprocess with a
    # time limit, so that the regression fails instead of hanging the suite.
    dead = closed_port()
    live = site()
    live.page("/", html(f"http://127.0.0.1:{dead}/hello", "/a"))
    live.page("/a", html())
    output = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "crawl_threaded.py"), "--seed", live.base + "/",
                           "--output", str(output), "--outlinks", str(tmp_path / "out.links"), "--allow-private",
                           "--delay", "0", "--backoff", "0.05", "--robots-retry", "3600", "--quiet"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    stats = json.loads((tmp_path / "out.jsonl.done").read_text())["stats"]
    assert stats["out"] == 2 and stats["dropped"]["robots_unreachable"] == 1
    assert stats["counters"]["robots_retries"] == 2 and stats["counters"]["hosts_refused"] == 1


def test_most_seeds_failed_is_loud(tmp_path: Path, site, capsys) -> None:  # noqa: F811
    good = site()
    good.page("/", html())
    status = run(tmp_path, "--seed", good.base + "/", "--seed", "http://nonexistent.invalid/", "--seed",
                 "http://also-nonexistent.invalid/", "--allow-private")
    err = capsys.readouterr().err
    assert status == 0 and "MOST SEED HOSTS FAILED: 2 of 3" in err
    assert err.count("warning: [crawl] seed host") == 2
    marker = json.loads((tmp_path / "out.jsonl.done").read_text())
    assert marker["stats"]["counters"]["seed_hosts_failed"] == 2


# ----------------------------------------------------------------------------- balanced parts (14.3)


def test_hosts_spread_over_parts_by_seed_count() -> None:
    seeds = [f"http://host{i}.example/p{j}" for i in range(8) for j in range(3)]
    parts = PartMap(seeds, 4)
    assert parts.host_counts == [2, 2, 2, 2] and parts.seed_counts == [6, 6, 6, 6]
    assert parts.table == PartMap(list(reversed(seeds)), 4).table  # the same table in every process
    big = [f"http://big.example/{j}" for j in range(10)] + [f"http://small{i}.example/" for i in range(6)]
    weighted = PartMap(big, 2)
    assert weighted.part_of_origin("http://big.example") == 0
    assert weighted.seed_counts == [10, 6] and weighted.host_counts == [1, 6]
    assert weighted.sizes() == "0:1h/10s 1:6h/6s"
