"""The demo website serves every planted case, deterministically, and stops cleanly."""

import argparse
import html
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from itertools import combinations
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import requests
from protego import Protego

from lion1b.contract import Drop
from lion1b.demo.corpus import LANGS, iban_ok, isbn_ok, luhn_ok
from lion1b.demo.site import DemoSite, build_site, site_pages
from lion1b.extract.engines import ENGINES
from lion1b.filter.stage import FilterData

UA = "lion1b/0.1 (+test)"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def offline():
    return build_site(seed=0)


def get(url: str, timeout: float = 10, **kw) -> requests.Response:
    return requests.get(url, headers={"User-Agent": UA}, timeout=timeout, **kw)


def shingles(text: str, lang: str, n: int = 5) -> set:
    toks = list(text.replace("\n", "")) if lang == "ja" else text.split()
    return {tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


# ---- offline generation ----------------------------------------------------------------------------------------

def test_generation_is_deterministic(offline):
    again = build_site(seed=0)
    assert again.routes == offline.routes
    assert again.manifest == offline.manifest
    other = build_site(seed=1)
    assert other.manifest["articles"][0]["text"] != offline.manifest["articles"][0]["text"]
    assert [p.url for p in site_pages()] == [p.url for p in offline.pages]


def test_corpus_shape(offline):
    m = offline.manifest
    arts = [a for a in m["articles"] if a["kind"] == "article"]
    assert 200 <= len(offline.pages) <= 400
    for lang in LANGS:
        assert sum(a["lang"] == lang for a in arts) >= 25, lang
    # a perfect extractor's output (title + blocks) is in the page, wrapped in boilerplate
    pages = {p.url: p for p in offline.pages}
    for a in m["articles"]:
        page = html.unescape(pages[a["url"]].html)
        assert all(line in page for line in a["text"].split("\n")), a["url"]
        assert "cookie" in page.lower() or "クッキー" in page


def test_duplicates_and_distinct_articles(offline):
    m = offline.manifest
    text = {a["url"]: a["text"] for a in m["articles"]}
    lang = {a["url"]: a["lang"] for a in m["articles"]}
    assert len(m["exact_duplicates"]) >= 10 and len(m["near_duplicates"]) >= 10
    for d in m["exact_duplicates"]:
        assert text[d["url"]] == text[d["of"]]
        if d["identical_bytes"]:
            assert offline.routes[d["url"]].body == offline.routes[d["of"]].body
    for d in m["near_duplicates"]:
        assert text[d["url"]] != text[d["of"]]
        sim = jaccard(shingles(text[d["url"]], lang[d["url"]]), shingles(text[d["of"]], lang[d["of"]]))
        assert 0.7 < sim < 1.0, (d, sim)
    # independent articles of one language share few 5-grams, so a dedupe stage keeps them apart
    # (Japanese is shingled by character, where fixed phrases weigh more)
    for code in LANGS:
        sh = [shingles(a["text"], code) for a in m["articles"] if a["kind"] == "article" and a["lang"] == code]
        assert max(jaccard(a, b) for a, b in combinations(sh, 2)) < (0.4 if code == "ja" else 0.25), code


def test_articles_pass_the_quality_filter_and_low_quality_pages_do_not(offline):
    # The demo job runs extract (density) → filter_data with its defaults; the corpus must survive that run,
    # or Gopher's repeated n-gram rules eat articles whose templates repeat a phrase within the page.
    parser = argparse.ArgumentParser()
    FilterData.add_arguments(parser)
    stage = FilterData(parser.parse_args([]))
    stage.setup()

    def verdict(page_html: str, url: str) -> dict | Drop:
        return stage.process({"id": "0" * 16, "url": url, "text": ENGINES["density"](page_html).text})

    pages = {p.url: p.html for p in offline.pages}
    kept, total = Counter(), Counter()
    for a in offline.manifest["articles"]:
        if a["kind"] == "article":
            total[a["lang"]] += 1
            kept[a["lang"]] += not isinstance(verdict(pages[a["url"]], a["url"]), Drop)
    assert set(total) == set(LANGS)
    for lang in LANGS:
        assert kept[lang] / total[lang] >= 0.97, (lang, kept[lang], total[lang])
    planted = offline.manifest["low_quality"]
    assert len(planted) == 7
    for x in planted:
        assert isinstance(verdict(pages[x["url"]], x["url"]), Drop), x["kind"]


def test_planted_pii_is_valid_and_present(offline):
    m = offline.manifest
    pages = {p.url: html.unescape(p.html) for p in offline.pages}
    kinds = {p["kind"] for p in m["pii"]}
    assert kinds == {"email", "phone_us", "phone_intl", "ipv4", "ipv6", "credit_card", "iban", "aws_access_key",
                     "github_token"}
    assert {n["kind"] for n in m["negatives"]} == {"version", "date", "isbn", "uuid", "git_sha", "price"}
    for p in m["pii"] + m["negatives"]:
        assert p["value"] in pages[p["url"]], p
    for p in m["pii"]:
        v = p["value"]
        if p["kind"] == "credit_card":
            assert luhn_ok(re.sub(r"\D", "", v)), v
        elif p["kind"] == "iban":
            assert iban_ok(v), v
        elif p["kind"] == "aws_access_key":
            assert re.fullmatch(r"AKIA[A-Z2-7]{16}", v)
        elif p["kind"] == "github_token":
            assert re.fullmatch(r"ghp_[A-Za-z0-9]{36}", v)
        elif p["kind"] == "email":
            assert re.fullmatch(r"[a-z]+\.[a-z]+\d+@[a-z.-]+\.[a-z]{2,}", v)
    for n in m["negatives"]:
        if n["kind"] == "isbn":
            assert isbn_ok(n["value"]) and not luhn_ok(n["value"].replace("-", ""))


def test_every_link_resolves_or_is_planted(offline):
    m = offline.manifest
    planned = set(m["not_found"]) | set(m["faults"].values())
    checked = 0
    for page in offline.pages:
        for href in re.findall(r'href="([^"]+)"', page.html):
            href = html.unescape(href)
            if href.startswith(("#", "javascript:")):
                continue
            url = urldefrag(urljoin(page.url, href))[0]
            bare = url.split("?")[0]
            assert bare in offline.routes or url in planned or "/trap/" in url, (page.url, href)
            checked += 1
    assert checked > 3000
    sitemap_only = set(m["sitemap_only"])
    linked = {urljoin(p.url, h) for p in offline.pages for h in re.findall(r'href="([^"#]+)"', p.html)}
    assert sitemap_only and not sitemap_only & linked


def test_legacy_pages_are_not_utf8(offline):
    for x in offline.manifest["legacy_charset"]:
        res = offline.routes[x["url"]]
        with pytest.raises(UnicodeDecodeError):
            res.body.decode("utf-8")
        assert x["snippet"] in res.body.decode(x["encoding"])


# ---- the live server ---------------------------------------------------------------------------------------------

def test_serves_every_static_resource(demo_site):
    routes = demo_site._routes
    with requests.Session() as s:
        for url, res in routes.items():
            r = s.get(url, headers={"User-Agent": UA}, allow_redirects=False, timeout=10)
            assert r.status_code == res.status, url
            assert r.content == res.body, url
            assert all(r.headers[k] == v for k, v in res.headers), url
    assert len(routes) > 250


def test_robots_sitemap_and_crawl_delay(demo_site):
    m = demo_site.manifest
    for host, info in m["robots"].items():
        r = get(info["url"])
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
        rp = Protego.parse(r.text)
        for url in info["disallowed_urls"]:
            assert not rp.can_fetch(url, UA), url
        ai_blocked = {o["url"] for o in m["optout"] if o["signal"] == "robots-ai" and o["agent"] == info["ai_bot"]}
        for a in m["articles"]:
            if a["host"] == host:
                assert rp.can_fetch(a["url"], UA) != a["disallowed"], a["url"]
                assert (a["optout"] == "robots-ai") == (a["url"] in ai_blocked), a["url"]
                # the AI bot may fetch what any bot may, except in its opt-out sections
                ai_ok = a["url"] not in ai_blocked and rp.can_fetch(a["url"], "somebot")
                assert rp.can_fetch(a["url"], info["ai_bot"]) == ai_ok, a["url"]
        assert rp.crawl_delay(UA) == info["crawl_delay"]
        assert list(rp.sitemaps) == [m["sitemaps"][host]]
    assert m["robots"]["forum"]["crawl_delay"] == 0.2
    # one small opt-out section per host, so an AI-aware crawl still finds a corpus; exact copies stay on /mirror/
    ai_optout = [a for a in m["articles"] if a["optout"] == "robots-ai"]
    assert Counter(a["host"] for a in ai_optout) == {"news": 4, "blog": 2}
    assert {a["url"] for a in ai_optout if a["host"] == "news"} == {
        d["url"] for d in m["exact_duplicates"] if d["url"].startswith(demo_site.url("news", "/archive/"))}
    assert Protego.parse(get(m["robots"]["news"]["url"]).text).can_fetch(m["robots"]["news"]["disallowed_urls"][0],
                                                                          "somebot")  # /members/ is ours only
    sitemap = get(m["sitemaps"]["blog"]).text
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert set(m["sitemap_only"]) <= set(locs) and len(locs) > 60


def test_redirects_loop_404_and_binaries(demo_site):
    m = demo_site.manifest
    for red in m["redirects"]:
        r = get(red["url"])
        assert r.status_code == 200 and r.url == red["final"]
        assert [h.url for h in r.history] == red["chain"]
        assert {h.status_code for h in r.history} <= {301, 302, 307}
    with pytest.raises(requests.TooManyRedirects):
        get(m["redirect_loop"][0])
    for url in m["not_found"]:
        assert get(url).status_code == 404
    for b in m["binary"]:
        r = get(b["url"])
        assert r.headers["Content-Type"] == b["content_type"]
        assert r.content.startswith(b"%PDF-" if b["content_type"] == "application/pdf" else b"\x89PNG\r\n\x1a\n")


def test_legacy_charsets_and_optout_signals(demo_site):
    m = demo_site.manifest
    declared = set()
    for x in m["legacy_charset"]:
        r = get(x["url"])
        ctype = r.headers["Content-Type"]
        assert ("charset=" in ctype) == (x["declared"] == "header"), ctype
        has_meta = re.search(rb"<meta charset=\"?([\w-]+)", r.content)
        assert bool(has_meta) == (x["declared"] == "meta")
        assert x["snippet"] in r.content.decode(x["encoding"])
        declared.add((x["encoding"], x["declared"]))
    assert len(declared) == 6
    signals = {o["signal"]: get(o["url"]) for o in m["optout"] if o["signal"] != "robots-ai"}
    assert len(signals) == 4
    assert signals["x-robots-tag"].headers["X-Robots-Tag"] == "noai"
    assert '<meta name="robots" content="noai">' in signals["meta-robots"].text
    assert signals["tdm-header"].headers["tdm-reservation"] == "1"
    assert '<meta name="tdm-reservation" content="1">' in signals["tdm-meta"].text


def test_fault_endpoints(demo_site):
    demo_site.reset_log()  # other tests (a crawl) may already have used up the per-path fault counters
    f = demo_site.manifest["faults"]
    t0 = time.monotonic()
    assert get(f["slow"] + "?seconds=0.4").status_code == 200
    assert time.monotonic() - t0 >= 0.4
    with pytest.raises(requests.Timeout):
        get(f["slow"], timeout=0.2)  # default 1 s sleep
    with pytest.raises(requests.ConnectionError):
        get(f["reset"])
    assert [get(f["flaky"]).status_code for _ in range(3)] == [500, 200, 200]
    assert [get(demo_site.url("news", "/fault/flaky/x?fails=2")).status_code for _ in range(3)] == [500, 500, 200]
    first = get(f["rate_limited"])
    assert first.status_code == 429 and first.headers["Retry-After"] == "1"
    assert get(f["rate_limited"]).status_code == 200
    page = get(f["trap"]).text
    assert 'href="/trap/2"' in page and 'href="/trap/3"' in page
    assert 'href="/trap/100001"' in get(demo_site.url("news", "/trap/100000")).text


def test_oversize_and_gzip_bomb(demo_site):
    f = demo_site.manifest["faults"]
    with get(f["oversize"], stream=True) as r:
        assert int(r.headers["Content-Length"]) == 5 * 2**20
        assert sum(len(c) for c in r.iter_content(1 << 16)) == 5 * 2**20
    with get(f["oversize_stream"], stream=True) as r:
        assert "Content-Length" not in r.headers
        assert sum(len(c) for c in r.raw.stream(1 << 16, decode_content=False)) == 5 * 2**20
    with get(f["gzip_bomb"], stream=True) as r:
        assert r.headers["Content-Encoding"] == "gzip"
        raw = r.raw.read(decode_content=False)
    assert len(raw) < 200_000
    d, n, buf = zlib.decompressobj(31), 0, raw
    while buf:
        n += len(d.decompress(buf, 1 << 22))
        buf = d.unconsumed_tail
    assert n > 100_000_000 and d.eof


def test_request_log(demo_site):
    demo_site.reset_log()
    url = demo_site.url("blog", "/about.html")
    requests.get(url, headers={"User-Agent": "log-test/1.0"}, timeout=10)
    requests.head(demo_site.url("forum", "/nope"), headers={"User-Agent": "log-test/1.0"}, timeout=10)
    # A request an earlier test abandoned (the 1 s /fault/slow) may still be logged now: look at ours only.
    log = [e for e in demo_site.requests if e["user_agent"] == "log-test/1.0"]
    assert [(e["method"], e["host_key"], e["path"], e["status"], e["user_agent"]) for e in log] == [
        ("GET", "blog", "/about.html", 200, "log-test/1.0"), ("HEAD", "forum", "/nope", 404, "log-test/1.0")]
    assert log[0]["host"] == urlsplit(url).netloc and log[0]["t"] <= log[1]["t"]
    demo_site.reset_log()
    assert not [e for e in demo_site.requests if e["user_agent"] == "log-test/1.0"]


def test_clean_stop_frees_ports_and_bad_port_is_a_clear_error():
    site = DemoSite(slow_seconds=30).start()
    ports = [urlsplit(b).port for b in site.bases.values()]
    assert len(set(ports)) == 3
    assert get(site.url("news", "/")).status_code == 200
    slow = threading.Thread(target=lambda: get(site.url("news", "/fault/slow"), timeout=30))
    slow.start()
    time.sleep(0.2)  # the request is now asleep in the server
    t0 = time.monotonic()
    site.stop()
    assert time.monotonic() - t0 < 2
    slow.join(5)
    assert not slow.is_alive()
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2)
    with DemoSite() as busy:
        taken = urlsplit(busy.bases["news"]).port
        with pytest.raises(OSError, match="cannot bind"):
            DemoSite(port_base=taken).start()


def test_cli_serves_until_sigterm(tmp_path):
    manifest = tmp_path / "m.json"
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts/demo_site.py"), "--serve", "--manifest-out",
                             str(manifest)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline().split() for _ in range(3)]
        assert [k for k, _ in lines] == ["news", "blog", "forum"]
        assert get(lines[1][1] + "robots.txt").status_code == 200
        assert manifest.exists()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
    assert "stopped" in proc.stderr.read()
