"""extract_text.py: main text kept, page chrome gone, drops counted, output deterministic."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lion1b.contract import open_records, record_id, run_map_stage
from lion1b.demo.site import UI, build_site
from lion1b.extract.engines import ENGINES
from lion1b.extract.stage import ExtractText

ROOT = Path(__file__).resolve().parents[1]

ARTICLE = [
    "The harbour administration approved a new budget for the coming year on Monday, after months of debate.",
    "According to the latest figures, about 4,200 people took part, twelve percent more than last year, and "
    "officials stressed that the changes will be reviewed after a period of ninety days.",
    "Critics argue that the money would be better spent on schools and housing, while several shop owners said "
    "they were worried about the construction work in front of their doors.",
    "A final report is expected before the summer, according to a spokeswoman for the administration.",
]
BOILERPLATE = [
    "Home News Sport Weather Contact",  # nav
    "We use cookies to improve your experience. Accept all cookies or manage your preferences",  # banner
    "Most read: Ten things to do this weekend, The best bakeries in town, Photos of the week",  # sidebar
    "Copyright 2026 Example Media. All rights reserved. Privacy policy. Terms of use.",  # footer
    "Subscribe to our newsletter for daily updates, delivered to your inbox every morning",  # promo
]


def page(paragraphs: list[str] = ARTICLE, wrapper: str = '<article class="story-body">{}</article>') -> str:
    nav, cookie, sidebar, footer, promo = BOILERPLATE
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    links = "".join(f'<li><a href="/{i}">{w}</a></li>' for i, w in enumerate(sidebar.split(", ")))
    return f"""<!doctype html><html><head><title>Harbour budget approved | Example News</title>
<style>p {{ color: red }}</style><script>var tracking = "do not keep this";</script></head><body>
<header><div class="logo">Example News</div><nav><ul>{"".join(f"<li><a href='#'>{w}</a></li>"
                                                             for w in nav.split())}</ul></nav></header>
<div class="cookie-banner" id="gdpr-consent"><p>{cookie}</p><button>OK</button></div>
<div class="layout"><main>
<h1>Harbour budget approved</h1>
{wrapper.format(body)}
<div class="newsletter-signup"><p>{promo}</p></div>
</main>
<div class="sidebar"><h3>Most read</h3><ul>{links}</ul></div></div>
<div style="display: none"><p>Hidden text that a browser never shows to the reader of this page.</p></div>
<footer><p>{footer}</p></footer></body></html>"""


def raw(url: str, html: str, **kw) -> dict:
    return {"url": url, "requested_url": url, "status": 200, "fetched_at": "2026-11-25T18:00:00Z",
            "content_type": "text/html; charset=utf-8", "encoding": "utf-8", "depth": 1, "sha256": "x" * 64,
            "html": html, **kw}


def write_jsonl(path: Path, records: list) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


def run(tmp_path: Path, records: list, *args: str, name: str = "out.jsonl") -> list[dict]:
    inp = write_jsonl(tmp_path / "raw.jsonl", records)
    out = tmp_path / name
    run_map_stage(ExtractText, "test", argv=["--input", str(inp), "--output", str(out), "--quiet", "--force", *args])
    return list(open_records(out))


def marker_stats(path: Path) -> dict:
    return json.loads(Path(str(path) + ".done").read_text())["stats"]


@pytest.fixture(scope="module")
def demo():
    """The demo site's pages and manifest, built offline (no server needed to extract)."""
    return build_site(seed=0)


def test_demo_articles_extracted_exactly_without_boilerplate(demo):
    # The manifest's expected text is the headline, then every subhead and paragraph on its own line;
    # extract_text puts the headline in "title" and the rest in "text".
    expected = {a["url"]: a for a in demo.manifest["articles"]}
    pages = [p for p in demo.pages if p.url in expected]
    assert len(pages) > 200 and {p.lang for p in pages} == set(UI)
    for p in pages:
        out = ENGINES["density"](p.html)
        headline, body = expected[p.url]["text"].split("\n", 1)
        assert (out.title, out.text) == (expected[p.url]["title"], body), p.url
        assert out.title == headline
        for key in ("cookie", "ad_text", "newsletter_text", "js", "rights", "share", "related", "partners"):
            assert UI[p.lang][key] not in out.text, (p.url, key)


def test_demo_site_through_the_stage(tmp_path, demo):
    records = [raw(p.url, p.html) for p in demo.pages]
    out = run(tmp_path, records, "--threads", "2", name="t2.jsonl")
    single = run(tmp_path, records, name="t1.jsonl")
    assert (tmp_path / "t1.jsonl").read_bytes() == (tmp_path / "t2.jsonl").read_bytes()
    by_url = {r["url"]: r for r in out}
    assert all(r["id"] == record_id(r["url"]) for r in single)
    for article in demo.manifest["articles"]:  # every article survives, with its text
        assert by_url[article["url"]]["text"] == article["text"].split("\n", 1)[1]
    stats = marker_stats(tmp_path / "t1.jsonl")
    assert stats["in"] == len(records) == stats["out"] + sum(stats["dropped"].values())
    assert set(stats["dropped"]) <= {"too_short", "no_text"}  # index and stub pages: too little prose


@pytest.mark.parametrize("engine", ["density", "trafilatura"])
def test_article_kept_and_boilerplate_gone(engine):
    out = ENGINES[engine](page())
    for paragraph in ARTICLE:
        assert paragraph in out.text
    for chrome in [*BOILERPLATE, "do not keep this", "Hidden text", "color: red"]:
        assert chrome not in out.text, chrome
    # density takes the headline (the h1 above the article), trafilatura the <title>
    assert out.title == {"density": "Harbour budget approved",
                         "trafilatura": "Harbour budget approved | Example News"}[engine]


def test_title_falls_back_to_the_title_element():
    out = ENGINES["density"](page().replace("<h1>Harbour budget approved</h1>", ""))
    assert out.title == "Harbour budget approved | Example News"


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_every_engine_finds_the_article(engine):
    out = ENGINES[engine](page())
    assert all(paragraph in out.text for paragraph in ARTICLE)
    assert "do not keep this" not in out.text


def test_article_inside_an_unlikely_named_wrapper_is_still_found():
    # "sidebar-layout" reads like chrome; the relaxed second pass must recover the article anyway.
    html = page(wrapper='<div class="sidebar-layout widget">{}</div>')
    text = ENGINES["density"](html).text
    assert all(paragraph in text for paragraph in ARTICLE)


def test_inline_markup_joins_words_and_blocks_split_lines():
    html = page([ARTICLE[0].replace("harbour", "har<b>bour</b>"), ARTICLE[1], ARTICLE[2]])
    lines = ENGINES["density"](html).text.splitlines()
    assert lines[:3] == ARTICLE[:3]


def test_br_is_a_line_break_not_a_new_paragraph():
    verse = "Roses are red, violets are blue,<br>sugar is sweet<br/>\n and so are you, as everyone knew."
    lines = ENGINES["density"](page([verse, *ARTICLE])).text.splitlines()
    assert lines[:3] == ["Roses are red, violets are blue,", "sugar is sweet", "and so are you, as everyone knew."]


def test_stage_record_shape_and_stable_id(tmp_path):
    url = "https://news.example.com/2026/harbour-budget"
    (rec,) = run(tmp_path, [raw(url, page())])
    assert rec["id"] == record_id(url) == run(tmp_path, [raw(url, page())], name="again.jsonl")[0]["id"]
    assert rec["url"] == url and rec["extractor"] == "density"
    assert rec["title"] == "Harbour budget approved"
    assert "html" not in rec
    assert rec["fetched_at"] == "2026-11-25T18:00:00Z" and rec["depth"] == 1  # crawl metadata carried
    assert rec["text"].splitlines()[0] == ARTICLE[0]


def test_drops_are_counted_by_reason(tmp_path):
    deep = "<html><body>" + "<div>" * 1500 + "<p>" + ARTICLE[1] + "</p>" + "</div>" * 1500 + "</body></html>"
    records = [
        raw("https://e.com/ok", page()),
        raw("https://e.com/404", page(), status=404),
        raw("https://e.com/pdf", "%PDF-1.4", content_type="application/pdf"),
        raw("https://e.com/empty", "   "),
        raw("https://e.com/none", None),
        raw("https://e.com/big", page(ARTICLE * 50)),
        raw("https://e.com/deep", deep),
        raw("https://e.com/short", page(["Only one short paragraph here, it is not enough for a page."])),
        raw("https://e.com/nothing", "<html><body><div><a href='/'>Home</a></div></body></html>"),
        "{not json",
        {"no_url": 1},
    ]
    out = run(tmp_path, records, "--max-html-bytes", "20000", "--max-dom-nodes", "1000",
              "--rejected-output", str(tmp_path / "rejected.jsonl"))
    assert [r["url"] for r in out] == ["https://e.com/ok"]
    stats = marker_stats(tmp_path / "out.jsonl")
    assert stats["in"] == 11 and stats["out"] == 1
    assert stats["dropped"] == {"http_status": 1, "not_html": 1, "empty_html": 2, "html_too_large": 1,
                                "too_many_nodes": 1, "too_short": 1, "no_text": 1, "malformed": 2}
    rejected = {r["url"]: r["drop_reason"] for r in open_records(tmp_path / "rejected.jsonl")}
    assert rejected["https://e.com/deep"] == "too_many_nodes"


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_deep_nesting_never_kills_the_run(tmp_path, engine):
    # 5,000 nested elements: recursive tree code would overflow; the page is extracted or dropped, counted.
    deep = "<html><body>" + "<div><span>x</span>" * 5000 + "<p>" + ARTICLE[1] + "</p>" + "</div>" * 5000
    out = run(tmp_path, [raw("https://e.com/deep", deep), raw("https://e.com/ok", page())], "--extractor", engine)
    assert out[-1]["url"] == "https://e.com/ok"
    stats = marker_stats(tmp_path / "out.jsonl")
    assert stats["out"] + sum(stats["dropped"].values()) == 2


def test_lone_surrogates_do_not_break_the_output(tmp_path):
    html = page([ARTICLE[0] + " \ud800", *ARTICLE[1:]])
    (rec,) = run(tmp_path, [raw("https://e.com/s", html)])
    assert "\ud800" not in rec["text"] and ARTICLE[1] in rec["text"]


def test_output_identical_across_runs_and_threads(tmp_path):
    records = [raw(f"https://e.com/{i}", page(ARTICLE[i % 4:] + ARTICLE[:i % 4])) for i in range(40)]
    records[7]["status"] = 500
    first = run(tmp_path, records, "--threads", "1", name="t1.jsonl")
    again = run(tmp_path, records, "--threads", "1", name="t1b.jsonl")
    threaded = run(tmp_path, records, "--threads", "2", name="t2.jsonl")
    assert len(first) == 39
    assert (tmp_path / "t1.jsonl").read_bytes() == (tmp_path / "t1b.jsonl").read_bytes()
    assert (tmp_path / "t1.jsonl").read_bytes() == (tmp_path / "t2.jsonl").read_bytes()
    assert first == again == threaded


def test_script_runs_and_rejects_bad_flags(tmp_path):
    inp = write_jsonl(tmp_path / "raw.jsonl", [raw("https://e.com/a", page())])
    script = ROOT / "scripts" / "extract_text.py"
    ok = subprocess.run([sys.executable, str(script), "--input", str(inp), "--output", str(tmp_path / "o.jsonl")],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "[extract_text part 0/1] in=1 out=1" in ok.stderr
    bad = subprocess.run([sys.executable, str(script), "--input", str(inp), "--min-chars", "-1"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--min-chars must not be negative" in bad.stderr
    assert "Traceback" not in bad.stderr
