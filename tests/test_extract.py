"""extract_text.py: main text kept, page chrome gone, drops counted, output deterministic."""

import gzip
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lion1b.contract import open_records, record_id, run_map_stage
from lion1b.demo.site import UI, build_site
from lion1b.extract.density import HINTS
from lion1b.extract.engines import ENGINES
from lion1b.extract.stage import ExtractText
from lion1b.xhtml import xhtml_as_html

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

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
    deep = "<html><body>" + "<div>" * 1200 + "<p>" + ARTICLE[1] + "</p>"  # end tags implied
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
    # a page of many tags nested 3 deep (pandas' I/O guide: 56,000 tags, 16 deep) is not a deep page
    records.insert(-2, raw("https://e.com/wide", page(ARTICLE + [f"Row {i}, a line." for i in range(650)])))
    records.insert(-2, raw("https://e.com/many", page(["x"] * 1100)))
    out = run(tmp_path, records, "--max-html-bytes", "20000", "--max-dom-nodes", "2000", "--max-dom-depth", "1000",
              "--rejected-output", str(tmp_path / "rejected.jsonl"))
    assert [r["url"] for r in out] == ["https://e.com/ok", "https://e.com/wide"]
    stats = marker_stats(tmp_path / "out.jsonl")
    assert stats["in"] == 13 and stats["out"] == 2
    assert stats["dropped"] == {"http_status": 1, "not_html": 1, "empty_html": 2, "html_too_large": 1,
                                "too_many_nodes": 1, "too_deep": 1, "too_short": 1, "no_text": 1, "malformed": 2}
    rejected = {r["url"]: r["drop_reason"] for r in open_records(tmp_path / "rejected.jsonl")}
    assert rejected["https://e.com/deep"] == "too_deep" and rejected["https://e.com/many"] == "too_many_nodes"


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


# ----------------------------------------------------------------------------- structure

CODE_BLOCK = """>>> 2 + 2
4
>>> def greet(name):
...     return f"Hello, {name}!"

>>> greet("world")
'Hello, world!'"""
DOC_PAGE = f"""<html><head><title>Tutorial | Example Docs</title></head><body>
<div class="navheader"><a href="/prev">Prev</a> <a href="/next">Next</a></div>
<div class="section"><div class="titlepage"><h1>An informal introduction</h1></div>
<p>{ARTICLE[0]}</p>
<h2>Numbers</h2>
<p>The interpreter acts as a simple calculator, and a function is defined with the def keyword, like this:</p>
<pre class="screen"><span class="prompt">&gt;&gt;&gt;</span> 2 + 2
4
&gt;&gt;&gt; def greet(name):
...     return f"Hello, {{name}}!"

&gt;&gt;&gt; greet("world")
'Hello, world!'
</pre>
<p>{ARTICLE[1]}</p>
<ul><li>Integers have type int;</li><li>numbers with a fractional part have type <a href="/float">float</a>;</li>
<li>division always returns a float.<ol><li>floor division: //</li><li>remainder: %</li></ol></li></ul>
<table><tr><th>Operator</th><th>Meaning</th></tr><tr><td><code>+</code></td><td>addition</td></tr>
<tr><td><a href="/pow">**</a></td><td>power</td></tr></table>
<p>{ARTICLE[2]}</p></div>
<div class="navfooter"><a href="/">Home</a></div></body></html>"""


def test_code_blocks_keep_their_lines_and_indentation():
    out = ENGINES["density"](DOC_PAGE)
    lines = out.text.split("\n")
    start = lines.index(">>> 2 + 2")
    assert lines[start:start + len(CODE_BLOCK.split("\n"))] == CODE_BLOCK.split("\n")  # blank line kept too
    assert out.code_lines == [[start, start + len(CODE_BLOCK.split("\n"))]]


def test_a_code_blocks_highlighter_class_is_never_chrome():
    # Google's code-prettify marks every block "prettyprint" (the Apache manual, many blogs); "print" names
    # print-only chrome, and the class must not take the code with it.
    config = "<VirtualHost *:80>\n    ServerName www.example.com\n</VirtualHost>"
    html = f"""<html><body><div id="page-content"><h1>Name-based hosts</h1><p>{ARTICLE[0]}</p>
<div class="example"><pre class="prettyprint lang-config">{config.replace("<", "&lt;")}</pre></div>
<p>{ARTICLE[1]} Run <code class="prettyprint">apachectl -S</code> to check it.</p><p>{ARTICLE[2]}</p>
<div class="prettyprint"><pre>apachectl graceful</pre></div>
<div class="print-only">Printed from www.example.com</div></div></body></html>"""
    out = ENGINES["density"](html)
    lines = out.text.split("\n")
    start = lines.index("<VirtualHost *:80>")
    assert lines[start:start + 3] == config.split("\n") and out.code_lines[0] == [start, start + 3]
    assert "apachectl graceful" in lines and "apachectl -S to check it." in out.text and "Printed from" not in out.text


def test_a_heading_over_a_dropped_link_list_goes_and_one_over_nothing_stays():
    links = "".join(f'<li><a href="/{w}">{w} directive</a></li>' for w in ("Alias", "Redirect", "ScriptAlias"))
    html = f"""<html><body><div id="page-content"><h1>mod_alias</h1><h2>Summary</h2><p>{ARTICLE[0]}</p>
<div id="quickview"><h3>Directives</h3><ul>{links}</ul><h3>See also</h3><ul>{links}</ul></div>
<h2>Order of Processing</h2><div class="note"><h3>Note</h3><p>{ARTICLE[1]}</p></div>
<h2>Behaviours not considered unsafe</h2><h5>Deadlocks</h5><h5>Integer overflow</h5><p>{ARTICLE[2]}</p>
</div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert "Directives" not in lines and "See also" not in lines and "Alias directive" not in lines
    assert lines[lines.index("Order of Processing") + 1] == "Note: " + ARTICLE[1]  # its box's "Note" is text
    assert lines[-4:] == ["Behaviours not considered unsafe", "Deadlocks", "Integer overflow", ARTICLE[2]]


def test_code_written_as_code_and_br_is_a_code_block():
    # Before <pre> was the norm (the Apache manual's older pages and translations): <code> lines ended by <br>
    html = f"""<html><body><div id="page-content"><h1>Sections</h1><p>{ARTICLE[0]}</p>
<div class="example"><p><code>
&lt;Directory "/var/www"&gt;<br>
&nbsp;&nbsp;Require all granted<br>
&lt;/Directory&gt;
</code></p></div>
<p>{ARTICLE[1]}<br>Set <code>Options</code> to <code>None</code> in {ARTICLE[2]}</p>
<table><tr><td><code>=</code> <code>+=</code><br><code>&amp;=</code></td><td>right to left</td></tr></table>
<div class="literallayout"><p><br>&nbsp;&nbsp;<code>meson _build</code><br>&nbsp;&nbsp;<code>ninja</code><br></p></div>
</div></body></html>"""
    out = ENGINES["density"](html)
    lines = out.text.split("\n")
    start = lines.index('<Directory "/var/www">')
    assert lines[start:start + 3] == ['<Directory "/var/www">', "  Require all granted", "</Directory>"]
    assert out.code_lines == [[start, start + 3], [start + 6, start + 8]]  # prose with a <br> and code: prose
    assert lines[start + 3:start + 6] == [ARTICLE[1], "Set Options to None in " + ARTICLE[2], "= += &= | right to left"]
    assert lines[start + 6:] == ["meson _build", "ninja"]  # the indent every line shares goes
    markdown = ENGINES["density"](html, markdown=True).text
    assert '```\n<Directory "/var/www">\n  Require all granted\n</Directory>\n```' in markdown


def test_code_that_links_its_identifiers_is_kept():
    # a grammar or a synopsis links every name it uses: mostly link text, yet code, not a list of links
    grammar = '<a href="#atom">atom</a>      ::=  <a href="#id">identifier</a> | <a href="#lit">literal</a>'
    html = f"""<html><body><div class="body"><h1>Atoms</h1><p>{ARTICLE[0]}</p><pre>{grammar}</pre>
<p>{ARTICLE[1]}</p><ul><li><a href="/a">Atoms</a></li><li><a href="/b">Primaries</a></li></ul>
<p>{ARTICLE[2]}</p></div></body></html>"""
    out = ENGINES["density"](html)
    lines = out.text.split("\n")
    assert lines[1] == "atom      ::=  identifier | literal" and out.code_lines == [[1, 2]]
    assert "- Primaries" not in lines  # a list of links is still one


def test_a_prototype_laid_out_in_cells_is_one_code_line():
    # Doxygen writes a function's prototype as a table: name, "(", one row per parameter, ")"
    proto = """<table class="memname"><tr><td class="memname">int array_list_add</td><td>(</td>
<td class="paramtype">struct array_list *&#160;</td><td class="paramname"><em>al</em>, </td></tr>
<tr><td class="paramkey"></td><td></td><td class="paramtype">void *&#160;</td><td class="paramname"><em>data</em>
</td></tr><tr><td></td><td>)</td><td></td><td></td></tr></table>"""
    html = f"""<html><body><div class="contents"><h1>arraylist.h</h1><p>{ARTICLE[0]}</p>
<div class="memproto">{proto}</div><div class="memdoc"><p>{ARTICLE[1]}</p></div>
<table><tr><td>(</td><td>opens a group</td></tr><tr><td>)</td><td>closes it</td></tr></table>
<p>{ARTICLE[2]}</p></div></body></html>"""
    out = ENGINES["density"](html)
    lines = out.text.split("\n")
    assert lines[1] == "int array_list_add(struct array_list * al, void * data)" and out.code_lines == [[1, 2]]
    assert lines[3:5] == ["( | opens a group", ") | closes it"]  # a table of punctuation is a table
    markdown = ENGINES["density"](html, markdown=True).text
    assert "```\nint array_list_add(struct array_list * al, void * data)\n```" in markdown


def test_a_grid_of_divs_is_a_table_of_rows():
    # Javadoc 16+ writes its summary tables as a CSS grid of <div>s: a method's type, its name (a link) and
    # its description came out as three lines, the name dropped as a link and "void" repeated on every page
    cells = ['<div class="table-header col-first">Modifier and Type</div>',
             '<div class="table-header col-second">Method</div>',
             '<div class="table-header col-last">Description</div>']
    for kind, name, what in [("int", "port", "The port it listens on."), ("void", "quit", "Stops accepting.")]:
        cells += [f'<div class="col-first even-row-color"><code>{kind}</code></div>',
                  f'<div class="col-second even-row-color"><code><a href="#{name}()">{name}</a>()</code></div>',
                  f'<div class="col-last even-row-color"><div class="block">{what}</div></div>']
    html = f"""<html><body><main><h1>Class Acceptor</h1><p>{ARTICLE[0]}</p><h2>Method Summary</h2>
<div class="summary-table three-column-summary">{"".join(cells)}</div><p>{ARTICLE[1]}</p></main></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[2:5] == ["Modifier and Type | Method | Description", "int | port() | The port it listens on.",
                          "void | quit() | Stops accepting."]


def test_a_zero_width_space_beside_ascii_goes_and_between_thai_letters_stays():
    # Javadoc 11 writes &#8203; before every "(" of a signature, in the summary table and in the <pre>
    html = f"""<html><body><article><p>{ARTICLE[0]}</p>
<pre>public HttpStatusException&#8203;(java.lang.String message)</pre><p>{ARTICLE[1]}</p>
<p>ภาษาไทย&#8203;ไม่มี&#8203;ช่องว่าง and <a href="#x">toString</a>&#8203;() here.</p></article></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[1] == "public HttpStatusException(java.lang.String message)"
    assert lines[3] == "ภาษาไทย\u200bไม่มี\u200bช่องว่าง and toString() here."


def test_sphinx_source_links_go_and_a_parameter_keeps_the_colon_before_its_type():
    # pandas' API pages (numpydoc): "DataFrame.mean(axis)[source]", "skipnabool, default True"
    html = f"""<html><body><div role="main"><dl class="py method"><dt class="sig sig-object py">
<span class="sig-name descname">DataFrame.mean</span>(<em>axis</em>)<a class="reference external"
href="https://github.com/pandas-dev/pandas/blob/v1.5.3/pandas/core/generic.py#L11829"><span class="viewcode-link">
<span class="pre">[source]</span></span></a></dt><dd><p>{ARTICLE[0]}</p><dl class="field-list"><dt>Parameters:</dt>
<dd><dl><dt><strong>skipna</strong><span class="classifier">bool, default True</span></dt><dd><p>{ARTICLE[1]}</p>
</dd></dl></dd></dl></dd></dl></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[0] == "DataFrame.mean(axis)" and lines[3] == "skipna : bool, default True", lines


def test_a_gui_element_named_in_a_sentence_stays_in_the_sentence():
    # The Debian installation guide (DocBook): "choose <span class="guimenuitem">Manual</span> from the menu"
    # came out as "choose" and "from the menu." on two lines, the item dropped as a menu (42 times in English)
    html = f"""<html><body><div class="navheader"><ul class="menu"><li><a href="/">Home</a></li></ul></div>
<div class="sect1"><p>{ARTICLE[0]}</p><p>If you do not want to autopartition, choose
<span class="guimenuitem">Manual</span> from the menu, then <span class="guibutton">Continue</span>.</p>
<p>Open <span class="menuselection">File ‣ Save</span> or <span class="menuseq"><b class="menu">Edit</b>
<b class="menuitem">Copy</b></span>.</p><p>{ARTICLE[1]}</p></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[1] == "If you do not want to autopartition, choose Manual from the menu, then Continue."
    assert lines[2] == "Open File ‣ Save or Edit Copy." and "Home" not in lines


def test_haddock_source_links_and_no_script_toggles_go():
    # GHC's base (Haddock): every signature ended in "Source" and every instance had an "Instance details"
    # line, a toggle shown only without JavaScript; a sentence that links to "the source" elsewhere stays
    html = f"""<html><body><div id="interface"><p>{ARTICLE[0]}</p><p class="src"><a id="v:mzip">mzip</a> ::
m a -&gt; m b -&gt; m (a, b) <a href="src/Control-Monad-Zip.html#mzip" class="link">Source</a>
<a href="#v:mzip" class="selflink">#</a></p><details id="i:1"><summary class="hide-when-js-enabled">Instance
details</summary><p>Defined in <a href="Data-Data.html">Data.Data</a></p></details><p>{ARTICLE[1]}</p>
<p>Read the <a href="https://github.com/ghc/ghc/tree/master/libraries/base/src/">source</a> to learn more.</p>
</div></body></html>"""
    out = ENGINES["density"](html)
    lines = out.text.split("\n")
    assert lines[1:3] == ["mzip :: m a -> m b -> m (a, b)", "Defined in Data.Data"], lines
    assert lines[4] == "Read the source to learn more."
    assert out.code_lines == [[1, 2]]  # a signature is code, though not in <pre>: it is not scored as prose


def test_haddock_signatures_are_code_and_one_block_in_markdown():
    # a module page of signatures (<li class="src short">, <p class="src">) was scored Swedish as prose
    synopsis = "".join(f'<li class="src short"><a href="#v:{n}">{n}</a> :: {t}</li>'
                       for n, t in [("newSTRef", "a -&gt; ST s (STRef s a)"), ("readSTRef", "STRef s a -&gt; ST s a")])
    html = f"""<html><body><div id="interface"><p>{ARTICLE[0]}</p><ul class="details-toggle">{synopsis}</ul>
<p class="src"><a id="v:newSTRef">newSTRef</a> :: a -&gt; ST s (STRef s a)</p><p>{ARTICLE[1]}</p>
<table><tr><td class="src">Eq (STRef s a)</td><td class="doc">Pointer equality.</td></tr></table></div></body></html>"""
    out = ENGINES["density"](html)
    assert out.text.split("\n")[1:3] == ["newSTRef :: a -> ST s (STRef s a)", "readSTRef :: STRef s a -> ST s a"]
    assert out.text.split("\n")[5] == "Eq (STRef s a) | Pointer equality." and out.code_lines == [[1, 4]]
    markdown = ENGINES["density"](html, markdown=True).text
    assert "```\nnewSTRef :: a -> ST s (STRef s a)\nreadSTRef :: STRef s a -> ST s a\nnewSTRef ::" in markdown


def test_a_gutter_of_line_numbers_and_a_script_toggle_are_not_text():
    # YARD (Ruby): every method's source sat under 25 lines "70", "71", ... and the summaries' headings
    # ended in "collapse", a link to "#" that a script turns into a toggle
    html = f"""<html><body><div id="content"><p>{ARTICLE[0]}</p><h2>Instance Method Summary <small><a href="#"
class="summary_toggle">collapse</a></small></h2><table class="source_code"><tr><td>
<pre class="lines">\n70\n71\n72</pre></td><td><pre class="code"><span>def mock(*arguments)\n  name = arguments.shift
end</span></pre></td></tr></table><p>{ARTICLE[1]} <a href="javascript:void(0)">Show more</a></p>
<pre>1\n2</pre></div></body></html>"""
    out = ENGINES["density"](html)
    lines = out.text.split("\n")
    assert lines[1] == "Instance Method Summary" and lines[2:5] == ["def mock(*arguments)", "  name = arguments.shift",
                                                                   "end"], lines
    assert lines[5].endswith("ninety days.") and lines[6:] == ["1", "2"]  # an output, not beside code


def test_a_scribble_signature_box_is_code_whatever_its_links():
    # the Racket reference: "(boolean? v) → boolean?" names itself twice by links and went as a link list
    box = ('<blockquote class="SVInsetFlow"><table class="boxed RBoxed"><tr><td><blockquote class="SubFlow">'
           '<p class="RForeground">(<a href="#b" class="RktValDef RktValLink">boolean?</a>&nbsp;<span class="RktVar">'
           'v</span>)&nbsp;&rarr;&nbsp;<a href="#b" class="RktValLink">boolean?</a></p></blockquote></td></tr><tr><td>'
           '&nbsp;&nbsp;v&nbsp;:&nbsp;<a href="contracts.html#any">any/c</a></td></tr></table></blockquote>')
    code = ('<blockquote class="SCodeFlow"><table class="RktBlk"><tr><td>(<a href="#d">define</a>&nbsp;(f&nbsp;x)'
            '</td></tr><tr><td>&nbsp;&nbsp;(* x 2))</td></tr></table></blockquote>')
    html = f"""<html><body><div class="main"><p>{ARTICLE[0]}</p>{box}<p>{ARTICLE[1]}</p>{code}</div></body></html>"""
    out = ENGINES["density"](html)
    lines = out.text.split("\n")
    assert lines[1:3] == ["(boolean? v) → boolean?", "  v : any/c"], lines
    # a Scribble code table: a row a line, its &nbsp; indentation kept, one block (Redex's solutions were Cebuano)
    assert lines[4:] == ["(define (f x)", "  (* x 2))"] and out.code_lines == [[1, 3], [4, 6]]
    assert "```\n(define (f x)\n  (* x 2))\n```" in ENGINES["density"](html, markdown=True).text


def test_a_linked_term_with_its_description_is_one_list_item():
    # YARD's method summary: the linked signature, then a <div> describing it; only the descriptions came out
    items = "".join(f'<li><span class="summary_signature"><a href="#{n}-instance_method">#<strong>{n}</strong>'
                    f'({a}) &rArr; {r}</a></span><span class="summary_desc"><div class="inline"><p>{d}</p></div>'
                    f'</span></li>' for n, a, r, d in [("mock", "*arguments", "Mock", "Builds a new mock object."),
                                                       ("sequence", "name", "Sequence", "Builds a new sequence.")])
    menu = '<ul><li><a href="a.html">Guides</a><ul><li><a href="b.html">Mocks</a></li></ul></li></ul>'
    html = f"""<html><body><div id="content"><p>{ARTICLE[0]}</p><ul class="summary">{items}</ul>
<p>{ARTICLE[1]}</p>{menu}<p>{ARTICLE[2]}</p></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[1:5] == ["- #mock(*arguments) ⇒ Mock", "Builds a new mock object.", "- #sequence(name) ⇒ Sequence",
                          "Builds a new sequence."], lines
    assert "Guides" not in lines and "- Mocks" not in lines  # a menu's item and its nested list stay links


def test_gi_docgen_member_names_parameter_types_and_script_linked_types_are_kept():
    # gi-docgen (GTK 4): a class page names each member in a linked heading over its description, a
    # parameter's type is a link in its <dd>, and a type in another library's docs is a script's link around
    # <code>; the class pages came out as descriptions without names and every "Type:" lost its type
    members = "".join(f'<div class=""><h6><a href="method.Swipe.{n}.html">gtk_swipe_{n}</a></h6><div class="docblock">'
                      f'<p>{d}</p></div></div>' for n, d in [("new", "Returns a new gesture."),
                                                            ("get_velocity", "Gets the current velocity.")])
    related = '<div><h3><a href="a.html">Guides</a></h3><ul><li><a href="b.html">Mocks</a></li></ul></div>'
    html = f"""<html><body><div id="content"><p>{ARTICLE[0]}</p><div class="docblock">{members}</div>
<dl><dt><code>paintable</code></dt><dd><p><em>Type:</em>&nbsp;<a href="javascript:void(0)"
data-link="iface.Paintable.html" class="external"><code>GdkPaintable</code></a></p><p>A paintable.</p></dd></dl>
<p>{ARTICLE[1]}</p>{related}
<p>{ARTICLE[2]} <a href="javascript:void(0)">Show more</a></p></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[1:5] == ["gtk_swipe_new", "Returns a new gesture.", "gtk_swipe_get_velocity",
                          "Gets the current velocity."], lines
    assert lines[5:8] == ["paintable", "Type: GdkPaintable", "A paintable."], lines
    assert "Guides" not in lines and "Show more" not in lines[-1]  # a heading over links, a script's control


def test_a_definition_is_judged_with_its_term():
    # debmake-doc's Chinese edition describes each file in a <dd> that ends in a cross-reference: alone it is
    # 54% link text (the English 44%) and the file lost its description; a table of contents (linked terms,
    # linked definitions) and a definition of links under a linked term stay out
    xref = '<a class="xref" href="ch05.html#copyright">Section 5.9, “debian/copyright”</a>'
    toc = ('<dl><dt><a href="ch05.html">5. 基本內容</a></dt><dd><a href="ch05.html#a">5.1. 打包工作流</a></dd>'
           '<dt><a href="ch06.html">6. 工具</a></dt><dd><a href="ch06.html#b">6.1. 單個</a></dd></dl>')
    html = f"""<html><body><div id="content"><p>{ARTICLE[0]}</p><dl>
<dt><strong>debian/changelog</strong></dt><dd>Debian 套件歷史檔案（參見 {xref}）</dd>
<dt><strong>debian/copyright</strong></dt><dd>版權和許可證摘要資訊（參看 {xref}）</dd></dl>
<p>{ARTICLE[1]}</p>{toc}<p>{ARTICLE[2]}</p></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[1:5] == ["debian/changelog", "Debian 套件歷史檔案（參見 Section 5.9, “debian/copyright”）",
                          "debian/copyright", "版權和許可證摘要資訊（參看 Section 5.9, “debian/copyright”）"], lines
    assert not any("基本內容" in line or "打包工作流" in line for line in lines), lines


def test_xhtml_self_closing_tags_and_doxygen_code():
    # ImageMagick's Doxygen pages, as Debian ships them: XHTML with an <iframe .../> in the navigation bar (read as
    # HTML, no text after it: every page was no_text), and code as div.fragment of div.line with line numbers,
    # comments in span.comment and tooltips (div.ttc) after the last line
    lines = "\n".join(
        f'<div class="line"><a id="l{n:05}" name="l{n:05}"></a><span class="lineno">{n:5}</span>{code}</div>'
        for n, code in enumerate(['<span class="comment">/* Copyright 1999 ImageMagick Studio */</span>',
                                  '<span class="keyword">typedef enum</span>', "{",
                                  '  <a class="code" href="c.html#a1">UndefinedCompression</a>,',
                                  '  <a class="code" href="c.html#a2">NoCompression</a>', "} CompressionType;"], 1))
    tooltip = ('<div class="ttc" id="a1"><div class="ttname"><a href="c.html#a1">UndefinedCompression</a></div>'
               '<div class="ttdef"><b>Definition:</b> compress.h:27</div></div>')
    html = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">
<html><body><nav class="navbar"><iframe src="https://ex.org/button" title="Sponsor"/></nav>
<div class="contents"><p>{ARTICLE[0]}</p><div class="fragment">{lines}
{tooltip}</div><p>{ARTICLE[1]}</p></div></body></html>"""
    page = ENGINES["density"](html)
    assert page.text.split("\n")[1:7] == ["/* Copyright 1999 ImageMagick Studio */", "typedef enum", "{",
                                           "  UndefinedCompression,", "  NoCompression", "} CompressionType;"]
    assert page.code_lines == [[1, 7]] and "Definition" not in page.text


def test_a_site_name_linking_home_is_not_the_pages_title():
    # Exim's specification: every chapter's h1 is the site's name, one link to its home page, and every
    # record was titled "Exim Internet Mailer"; an h1 linking to its own anchor or to a post is the headline
    def page(h1: str) -> str:
        return (f"<html><head><title>24. Generic options for transports</title></head><body><h1>{h1}</h1>"
                f"<div id='content'><h2>Chapter 24</h2><p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p></div></body></html>")

    for home in ("http://www.exim.org", "/", "https://example.org/index.html"):
        assert ENGINES["density"](page(f'<a href="{home}">Exim Internet Mailer</a>')).title == (
            "24. Generic options for transports")
    for own in ("#transports", "https://example.org/?p=12", "ch-transports.html"):
        assert ENGINES["density"](page(f'<a href="{own}">Generic options</a>')).title == "Generic options"


def test_every_class_hint_match_holds_one_of_its_literals():
    # The gate runs a hint regex only on a class name that holds one of its literals: a match without one
    # would be a hint lost. Names made of the regexes' own words (each also cut short, for "ads?") and of
    # separators, \b's sides included.
    runs = {run for regex in HINTS.regex.values() for run in re.findall(r"[a-z]+", regex.pattern.replace("\\b", " "))}
    words = sorted({w for run in runs for w in (run, run[:-1]) if len(w) > 1})
    rng = random.Random(12)
    names = [*words, *(rng.choice(("", " ", "-", "_", "x")).join(rng.sample(words, rng.randint(1, 3)))
                       for _ in range(20_000))]
    for name, regex in HINTS.regex.items():
        lost = [n for n in names if regex.search(n) and not any(w in n for w in HINTS.literals[name])]
        assert not lost, (name, lost[:5])


def test_xhtml_self_closing_tags_are_closed_only_on_xhtml_pages():
    # non-void elements written "<x/>" get an end tag; void ones, tags with a ">" inside, pages that do not
    # declare XHTML and a "/>" in text stay as they are
    body = ('<div class="a"/><BR/><img src="x.png" /><IFRAME src="b"\n/><p title="1>2"/>a/>b<x-y:z/>'
            '<span/>')
    closed = ('<div class="a"></div><BR/><img src="x.png" /><IFRAME src="b"\n></IFRAME><p title="1>2"/>a/>b'
              '<x-y:z></x-y:z><span></span>')
    for head in ('<?xml version="1.0"?>', '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN">',
                 '<html xmlns="http://www.w3.org/1999/xhtml">'):
        assert xhtml_as_html(head + body) == head + closed
    assert xhtml_as_html("<!DOCTYPE html><html>" + body) == "<!DOCTYPE html><html>" + body


def test_a_table_initializer_does_not_outvote_the_page():
    # ImageMagick's string.c page: its first member is a 256-entry table (Doxygen's code, 12 commas a line),
    # then its functions' documentation, each with the functions that call it (links); as commas, the table
    # outvoted the page, and it was all that came out
    table = "".join(f'\n<div class="line">    {", ".join(f"0x{16 * row + i:02x}" for i in range(12))},</div>'
                    for row in range(22))
    callers = ", ".join(f'<a class="el" href="f{i}.html">AcquireCaller{i}()</a>' for i in range(20))
    member = ('<div class="memitem"><div class="memproto"><table class="memname"><tr><td class="memname">'
              'char *{name}(const char *source)</td></tr></table></div><div class="memdoc">'
              '<p>{name}() returns a copy of the string, allocated on the heap: free it with DestroyString().</p>'
              '<p>The format of the {name} method is shown below. It returns NULL when memory runs out.</p>'
              f'<p class="reference">Referenced by {callers}.</p></div></div>')
    names = [f"String{i}" for i in range(12)]
    html = ('<html><body><div class="contents"><h2>Variable Documentation</h2><div class="memitem"><div class="memdoc">'
            f'<b>Initial value:</b><div class="fragment"><div class="line">= {{</div>{table}<div class="line">}};</div>'
            '</div></div></div><h2>Function Documentation</h2>' + "".join(member.format(name=name) for name in names)
            + "</div></body></html>")
    text = ENGINES["density"](html).text
    assert "0x00, 0x01" in text and all(f"{name}() returns a copy" in text for name in names)


def test_a_structs_description_above_its_trait_implementations_is_kept():
    # rustdoc's iterator structs: the Iterator implementation, 69-75% of section#main-content, outscores the
    # page; the declaration, description and example above it, the rest of the section, held code, which no
    # news page's rail or footer does. 231 of 2,138 pages of alloc and std came out without them.
    html = gzip.decompress((FIXTURES / "rustdoc-alloc-slice-IterMut.html.gz").read_bytes()).decode("utf-8")
    page = ENGINES["density"](html)
    lines = page.text.split("\n")
    assert lines[0] == "pub struct IterMut<'a, T> where" and "Mutable slice iterator." in lines
    assert "Expand description" not in lines  # an open toggle's label, hidden by its stylesheet
    # the methods' signatures (h4.code-header) are code: whole whatever share of them links to types, where-
    # clauses indented as rustdoc shows them, without the stability mark and source link beside each
    assert "impl<'a, T> DoubleEndedIterator for IterMut<'a, T>" in lines and "type Item = &'a mut T" in lines
    assert "    P: FnMut(<IterMut<'a, T> as Iterator>::Item) -> bool," in lines
    assert not any(line.endswith((" ·", "Read more")) for line in lines)
    assert "// First, we declare a type which has `iter_mut` method to get the `IterMut`" in lines
    assert "fn next(&mut self) -> Option<&'a mut T>" in lines
    # the h1's last part is a link to "#" (the page itself), which the <title> names: the item's name, not a
    # script's control (19,749 of 29,715 pages of alloc, core and std were titled "Struct alloc::slice::")
    assert page.title == "Struct alloc::slice::IterMut"


def test_a_toggles_label_is_text_only_while_the_toggle_is_closed():
    # rustdoc's <summary class="hideme">: "Expand description" over every item's description, open from the
    # start, its label hidden; a closed toggle shows its label ("This enum is marked as non-exhaustive")
    def toggle(label: str, is_open: bool) -> str:
        return (f'<details class="toggle"{" open" if is_open else ""}><summary class="hideme"><span>{label}</span>'
                f"</summary><div class='docblock'><p>{ARTICLE[1]}</p></div></details>")

    html = (f"<html><body><section id='main-content' class='content'><p>{ARTICLE[0]}</p>"
            f"{toggle('Expand description', True)}{toggle('This enum is marked as non-exhaustive', False)}"
            f"<p>{ARTICLE[2]}</p></section></body></html>")
    lines = ENGINES["density"](html).text.split("\n")
    assert "Expand description" not in lines and "This enum is marked as non-exhaustive" in lines


def test_a_code_block_in_a_wrapper_beside_the_text_is_kept():
    # SQLite's constants pages: the #define block in a <blockquote>, then the list of what each constant means,
    # which wins; a <pre> straight beside the kept block was kept, one in a wrapper was lost
    defines = "\n".join(f"#define SQLITE_FCNTL_OP{i}   {i}" for i in range(1, 13))
    items = "".join(f"<li><p>The SQLITE_FCNTL_OP{i} opcode is used by the pager to ask the file system, once a "
                    "transaction ends, whether it may skip the sync that would follow, as described above.</p></li>"
                    for i in range(1, 13))
    html = (f"<html><body><div class='nosearch'><a href='intro.html'><h2>SQLite C Interface</h2></a>"
            f"<h2>Standard File Control Opcodes</h2></div><blockquote><pre>{defines}</pre></blockquote>"
            f"<p>These integer constants are opcodes for the xFileControl method.</p><ul>{items}</ul></body></html>")
    lines = ENGINES["density"](html).text.split("\n")
    assert "#define SQLITE_FCNTL_OP1   1" in lines and "#define SQLITE_FCNTL_OP12   12" in lines


def test_a_more_link_closing_a_paragraph_is_not_written():
    # rustdoc's "Read more" after each method's summary, Doxygen's "More...<br>" after each brief description;
    # a link that says "read more" inside a sentence is the sentence's
    html = (f"<html><body><div id='content'><p>{ARTICLE[0]} <a href='trait.Iterator.html#method.next'>Read more</a></p>"
            f"<table><tr><td class='mdescRight'>{ARTICLE[1]} <a href='#details'>More...</a><br /></td></tr></table>"
            f"<p>{ARTICLE[2]} You can <a href='guide.html'>read more</a> in the guide.</p></div></body></html>")
    lines = ENGINES["density"](html).text.split("\n")
    assert lines == [ARTICLE[0], ARTICLE[1], f"{ARTICLE[2]} You can read more in the guide."]


def test_labels_drawn_as_boxes_are_separate_words():
    # Doxygen's member labels: two spans with nothing between them read "inlinenoexcept" on libstdc++'s pages
    labels = '<span class="mlabels"><span class="mlabel">inline</span><span class="mlabel">noexcept</span></span>'
    html = f"""<html><body><div id="content"><p>{ARTICLE[0]}</p><table class="memname"><tr>
<td class="memname">void operator delete(void *, void *)</td><td class="mlabels-right">{labels}</td></tr></table>
<p>{ARTICLE[1]}</p></div></body></html>"""
    assert "void operator delete(void *, void *) | inline noexcept" in ENGINES["density"](html).text.split("\n")


def test_line_numbers_inside_code_go_but_code_named_for_them_stays():
    # Pygments' inline span.linenos are numbers; LibreOffice's help marks its Basic examples
    # <code class="language-visual-basic line-numbers"> for Prism, which numbers them by script
    html = f"""<html><body><div id="content"><p>{ARTICLE[0]}</p>
<pre><span class="linenos">1</span>x = 1
<span class="linenos">2</span>print(x)</pre><p>{ARTICLE[1]}</p>
<div class="bascode"><pre><code class="language-visual-basic line-numbers">
  Sub ExampleTimer
      MsgBox Timer
  End Sub
</code></pre></div><p>{ARTICLE[2]}</p></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[1:3] == ["x = 1", "print(x)"], lines
    assert lines[4:7] == ["  Sub ExampleTimer", "      MsgBox Timer", "  End Sub"], lines


def test_a_heading_in_a_layout_cell_is_a_line_of_its_own():
    # gtk-doc sets a page's name and summary in one table cell: "GSocket GSocket — Low-level socket object";
    # a cell of paragraphs without a heading is one row (PostgreSQL's catalog columns: name, type, what)
    html = f"""<html><body><div id="content"><table width="100%"><tr><td valign="top"><h2>GSocket</h2>
<p>GSocket — Low-level socket object</p></td><td class="gallery_image"></td></tr></table><p>{ARTICLE[0]}</p>
<table><tr><td><p>datid oid</p><p>OID of the database this backend is connected to</p></td></tr></table>
<p>{ARTICLE[1]}</p></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[:2] == ["GSocket", "GSocket — Low-level socket object"], lines
    assert lines[3] == "datid oid OID of the database this backend is connected to", lines



def test_mediawiki_highlighted_declarations_are_code_lines():
    # cppreference writes each declaration as a MediaWiki GeSHi <span> in a table cell, its lines ended by <br>
    # and indented with &nbsp;: they read as prose, and 21 declaration-only pages (the Ranges TS concepts) were
    # dropped as too_few_stop_words. Inline GeSHi is inline code; a one-line declaration stays its row.
    decl = ('<span class="mw-geshi cpp source-cpp"><span class="kw1">template</span> <span class="sy1">&lt;</span>'
            '<span class="kw1">class</span> T<span class="sy1">&gt;</span><br>\n<span class="kw1">concept</span> '
            '<span class="kw4">bool</span> Movable<span class="br0">()</span> <span class="br0">{</span><br>\n'
            '&nbsp;&nbsp;&nbsp;&nbsp;<span class="kw1">return</span> ranges::<span class="me2">Swappable</span>'
            '<span class="sy1">&lt;</span>T<span class="sy3">&amp;</span><span class="sy1">&gt;</span>'
            '<span class="br0">()</span><span class="sy4">;</span><br>\n<span class="br0">}</span></span>')
    one = '<span class="mw-geshi cpp source-cpp">T min() const;</span>'
    html = f"""<html><body><div id="content"><p>{ARTICLE[0]}</p><table class="t-dcl-begin"><tbody>
<tr class="t-dcl"><td><div>{decl}</div></td><td> (1) </td><td><span class="t-mark-rev">(ranges TS)</span></td></tr>
<tr class="t-dcl"><td><div>{one}</div></td><td> (2) </td><td></td></tr></tbody></table>
<p>{ARTICLE[1]} See <span class="t-c"><span class="mw-geshi cpp source-cpp">std::swap</span></span>.</p>
</div></body></html>"""
    out = ENGINES["density"](html)
    lines = out.text.split("\n")
    assert lines[1:6] == ["template <class T>", "concept bool Movable() {", "    return ranges::Swappable<T&>();",
                          "}", "(1) | (ranges TS)"], lines
    assert out.code_lines == [[1, 5]]
    assert lines[6:] == ["T min() const; | (2)", ARTICLE[1] + " See std::swap."], lines


def test_a_name_in_divs_of_a_cell_is_its_rows_name():
    # cppreference sets a member's linked name and its "(C++11)" mark in two divs inside a div of the cell:
    # judged alone the name was all link and went, and the mark stood on a line of its own. The paragraphs
    # of a div in a cell stay lines: only text straight in divs is the cell's.
    member = ('<td><div class="t-dsc-member-div"><div><a href="{0}.html"><span class="t-lines"><span>{0}</span>'
              '</span></a></div>{1}</div></td><td>{2} <br><span class="t-mark">(public member function)</span></td>')
    mark = '<div><span class="t-lines"><span><span class="t-mark-rev">(C++11)</span></span></span></div>'
    html = f"""<html><body><div id="content"><p>{ARTICLE[0]}</p><h3>See also</h3><table class="t-dsc-begin">
<tr class="t-dsc">{member.format("emplace_back", mark, "constructs an element in-place at the end")}</tr>
<tr class="t-dsc">{member.format("pop_back", "", "removes the last element")}</tr></table>
<table><tr><td><div class="post"><p>{ARTICLE[1]}</p><p>{ARTICLE[2]}</p></div></td></tr></table>
<p>{ARTICLE[3]}</p></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[1:4] == ["See also", "emplace_back (C++11) | constructs an element in-place at the end (public "
                          "member function)", "pop_back | removes the last element (public member function)"], lines
    assert lines[4:6] == ARTICLE[1:3], lines

def test_a_source_link_in_a_heading_is_not_text():
    # gi-docgen writes "Description [src]" over every symbol's text; the link's 5 characters kept the text from
    # widening past the description: 161 of 8,718 GTK pages lost their declaration, parameters and return value
    src = '<a class="srclink" title="go to source location" href="https://gitlab.gnome.org/gtk/gtkimage.c">[src]</a>'
    html = f"""<html><body><section id="main" class="content"><section><div class="declaration toggle-wrapper">
<h4 id="declaration">Declaration {src}</h4><div class="docblock"><pre><code>GtkWidget*
gtk_image_new_from_file (
  const char* filename
)</code></pre></div></div><div class="description toggle-wrapper"><h4 id="description">Description {src}</h4>
<div class="docblock"><p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p></div></div><div class="parameters toggle-wrapper">
<h4 id="parameters">Parameters</h4><div class="docblock"><dl><dt><code>filename</code></dt><dd><p>A filename.</p>
</dd></dl></div></div></section></section></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[:6] == ["Declaration", "GtkWidget*", "gtk_image_new_from_file (", "  const char* filename", ")",
                         "Description"], lines
    assert lines[-3:] == ["Parameters", "filename", "A filename."], lines


def test_a_class_pages_inherited_members_are_not_text():
    # gi-docgen folds a class page's inherited members ("default-hide ancestor-methods"): GtkWidget's 155
    # methods on every widget's page outweighed the class's own text, and 40 of GTK 4's 352 class pages lost
    # their description; the class's own folded struct of virtual methods is code and stays
    inherited = "".join(f'<h6><a href="method.Event.m{i}.html">gdk_event_m{i}</a></h6><div class="docblock"><p>'
                        f'{ARTICLE[i % 4]}</p></div>' for i in range(8))
    html = f"""<html><body><section id="main"><section><div class="class toggle-wrapper"><h4 id="description">
Description</h4><pre><code>final class Gdk.PadEvent : Gdk.Event</code></pre><div class="docblock"><p>An event related
to a pad-based device.</p></div></div><div class="toggle-wrapper methods"><h4>Instance methods</h4>
<div class="docblock"><div class=""><h6><a href="method.PadEvent.get_button.html">gdk_pad_event_get_button</a></h6>
<div class="docblock">
<p>Extracts information about the pressed button from a pad event.</p></div></div></div>
<div class="toggle-wrapper default-hide ancestor-methods"><h5>Methods inherited from <a href="class.Event.html">GdkEvent
</a> (8)</h5><div class="docblock">{inherited}</div></div><div class="class toggle-wrapper default-hide">
<h4 id="class-struct">Class structure</h4><div class="docblock"><pre><code>struct GdkPadEventClass {{
  void (* show) (GtkWidget* widget);
}}</code></pre></div></div></div></section></section></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines == ["Description", "final class Gdk.PadEvent : Gdk.Event", "An event related to a pad-based device.",
                     "Instance methods", "gdk_pad_event_get_button",
                     "Extracts information about the pressed button from a pad event.", "Class structure",
                     "struct GdkPadEventClass {", "  void (* show) (GtkWidget* widget);", "}"], lines


def test_rdoc_method_headings_are_code_and_its_toggle_label_is_not_text():
    # RDoc (darkfish): each method's signature in <div class="method-heading"> with a "click to toggle source"
    # label a script acts on; as prose the signatures of Asciidoctor's Reader::Cursor read as Italian
    html = f"""<html><body><div id="documentation"><p>{ARTICLE[0]}</p><div id="method-i-advance" class="method-detail">
<div class="method-heading"><span class="method-name">advance</span><span class="method-args">(num)</span>
<span class="method-click-advice">click to toggle source</span></div><div class="method-description">
<div class="method-source-code"><pre>def advance num
  @lineno += num
end</pre></div></div></div><p>{ARTICLE[1]}</p></div></body></html>"""
    out = ENGINES["density"](html)
    lines = out.text.split("\n")
    assert lines[1:5] == ["advance(num)", "def advance num", "  @lineno += num", "end"], lines
    assert out.code_lines == [[1, 5]], out.code_lines


def test_docbooks_long_description_link_under_a_figure_is_not_text():
    # DocBook XSL puts "[D]", a link to the image's long description page, under every such screenshot:
    # aptitude's manual had it as a line in 12 of its 90 chapters in each of its 8 languages
    html = f"""<html><body><div class="section"><p>{ARTICLE[0]}</p><div class="screenshot"><div class="mediaobject">
<table border="0" summary="manufactured viewport for HTML img"><tr><td><img src="images/start.png"
alt="[main screen, package view]" /></td></tr></table><div class="longdesc-link" align="right"><br clear="all" />
<span class="longdesc-link">[<a href="ld-idm272.html" target="longdesc">D</a>]</span></div></div></div>
<p>{ARTICLE[1]}</p></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines == [ARTICLE[0], ARTICLE[1]], lines


def test_margin_paragraph_numbers_a_run_button_and_a_wiki_notice_are_not_text():
    # the Ada reference manual numbers every paragraph in the margin (<div class="paranum">2/2</div>): 21% of
    # its lines were "4", "2/2"; cppreference draws its "Run this code" button as a <div> on 1,835 pages, and
    # tells its editors "This section is incomplete" in a MediaWiki message box (ambox) on 405
    html = f"""<html><body><div id="content"><h1>3.2 Types and Subtypes</h1>
<div class="paranum"><a name="p1">1</a></div><div class="Normal">{ARTICLE[0]}</div>
<div class="paranum"><a name="p2">2/2</a></div><div class="Normal">{ARTICLE[1]}</div>
<h3>Example</h3><div class="t-example"><div class="t-example-live-link"><div class="coliru-btn coliru-btn-run-init">Run
this code</div></div><pre>int main(void) {{ return 0; }}</pre></div>
<table class="metadata plainlinks ambox mbox-small-left ambox-notice"><tr><td class="mbox-empty-cell"></td>
<td class="mbox-text">This section is incomplete<br>Reason: no example of the pointer overload</td></tr></table>
<p>{ARTICLE[2]}</p></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines == [ARTICLE[0], ARTICLE[1], "Example", "int main(void) { return 0; }", ARTICLE[2]], lines


def test_a_link_that_prints_its_own_address_is_text():
    # LLVM's proposals cite mailing-list posts as "Danila Malyutin, <a href=URL>URL</a>": read as links, every
    # reference went and its label stayed alone ("MalyutinDistinguish(1,2)"); the printed address is text
    url = "http://lists.llvm.org/pipermail/llvm-dev/2019-February/130320.html"
    html = f"""<html><body><div class="body" role="main"><p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p>
<dl class="citation"><dt class="label" id="malyutin">MalyutinDistinguish</dt>
<dd><p>Danila Malyutin, <a class="reference external" href="{url}">{url}</a></p></dd></dl>
<ul><li><a href="https://llvm.org/docs/FAQ.html">FAQ</a></li><li><a href="https://llvm.org/pubs">Publications</a></li>
</ul></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert f"Danila Malyutin, {url}" in lines, lines
    assert "- FAQ" not in lines


def test_a_lead_in_whose_list_went_as_links_goes_with_it():
    # Nim's docs: "See also:" over a list of linked names, then "Example:" and its code; the list goes as
    # links, and "See also:" was left hanging over "Example:" (565 lines in 39 of 231 pages). A list that
    # keeps an item keeps its lead-in; Nim's "Source Edit" links to GitHub are not text either.
    html = f"""<html><body><div id="content"><p>{ARTICLE[0]}</p><dl class="item">
<dt><pre>proc isSorted[T](a: openArray[T]): bool</pre></dt>
<dd><p>Shortcut version of isSorted that uses system.cmp as the comparison function.</p>
<p><strong>See also:</strong></p><ul class="simple"><li><a href="#isSorted">isSorted func</a></li></ul>
<p><strong class="examples_text">Example:</strong></p><pre class="listing">assert isSorted([1, 2])</pre>
&nbsp;&nbsp;<a href="https://github.com/nim-lang/Nim/tree/version-1-6/lib/pure/algorithm.nim#L1" class="link-seesrc"
target="_blank">Source</a>&nbsp;&nbsp;<a href="https://github.com/nim-lang/Nim/edit/devel/lib/pure/algorithm.nim#L1"
class="link-seesrc" target="_blank">Edit</a>
<p><strong>See also:</strong></p><ul class="simple"><li><a href="#sort">sort proc</a></li>
<li><a href="#upperBound">upperBound proc</a> sorted by cmp in the specified order</li></ul></dd></dl>
<p>{ARTICLE[1]}</p></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[1:] == ["proc isSorted[T](a: openArray[T]): bool",
                         "Shortcut version of isSorted that uses system.cmp as the comparison function.",
                         "Example:", "assert isSorted([1, 2])",
                         "See also:", "- upperBound proc sorted by cmp in the specified order", ARTICLE[1]], lines


def test_a_lone_link_beside_the_best_block_does_not_stop_the_widening():
    # Nim's dom module: a long enum's declaration (every comma a point) wins, and its entry's "see docs" (a
    # link to MDN, 4 of 8 characters) was all the widening would add, so it stopped there: 3,952 of the page's
    # 30,373 characters came out, one declaration of 300. GTK's enum pages came out as one cell the same way
    names = ", ".join(f"Key{i}" for i in range(120))
    entry = '<div id="{0}"><dt><pre>{0} = ref {0}Obj</pre></dt><dd>see <a href="https://mdn.example/{0}">docs</a></dd></div>'
    html = f"""<html><body><div id="content"><p class="module-desc">Declaration of the Document Object Model for
the JavaScript backend.</p><div class="section"><h1>Types</h1><dl class="item">{entry.format("AnchorElement")}
<div id="KeyboardEventKey"><dt><pre>KeyboardEventKey {{.pure.}} = enum
  {names}</pre></dt><dd>see <a href="https://mdn.example/key">docs</a></dd></div>{entry.format("Blob")}</dl></div>
<div class="section"><h1>Procs</h1><dl class="item"><div id="focus"><dt><pre>proc focus(e: Element)</pre></dt>
<dd><p>Gives the element the keyboard focus, as its method of the same name does in a browser.</p></dd></div>
</dl></div></div><div class="footer"><a href="/">Home</a> <a href="/about">About</a></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[0].startswith("Declaration of the Document Object Model"), lines
    for line in ("AnchorElement = ref AnchorElementObj", "Blob = ref BlobObj", "Procs", "proc focus(e: Element)"):
        assert line in lines, (line, lines)
    assert "Home" not in lines


def test_an_item_left_empty_marks_nothing_after_it():
    # a list whose last item is only a script's link left its "- " on the next line: GTK's class pages read
    # "- Constructors", and news pages' first paragraph began "- The Steelers spent Monday ..."
    html = f"""<html><body><div id="content"><p>{ARTICLE[0]}</p><ul><li>A first item of the list</li>
<li><a href="javascript:void(0)">Share</a></li></ul><h4>Constructors</h4><p>{ARTICLE[1]}</p></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[1:3] == ["- A first item of the list", "Constructors"], lines


def test_a_tags_block_is_judged_by_its_links_not_its_name():
    # YARD puts a method's examples, parameters and return values in <div class="tags">: every example of
    # Mocha's docs was dropped for the name; a blog's tag list is links, and goes as links
    html = f"""<html><body><div id="content"><p>{ARTICLE[0]}</p><div class="tags"><div class="examples">
<p class="tag_title">Examples:</p><pre class="example code"><code>Mocha.configure do |c|
  c.stubbing_method_on_nil = :allow
end</code></pre></div></div><p>{ARTICLE[1]}</p><p>{ARTICLE[2]}</p><p>{ARTICLE[3]}</p>
<div class="tags">Tags: <a href="/t/a">ferries</a>
<a href="/t/b">harbour</a> <a href="/t/c">city council</a></div></div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[1:5] == ["Examples:", "Mocha.configure do |c|", "  c.stubbing_method_on_nil = :allow", "end"]
    assert not any("ferries" in line for line in lines)


def test_section_h1s_inside_the_text_stay_and_the_headline_goes_to_the_title():
    # the Lua manual (one page, an <h1> per chapter) and Sphinx pages with several top-level sections lost
    # every chapter heading: all h1s were taken for the headline
    html = f"""<html><body><h1>Lua 5.2 Reference Manual</h1><div><p>{ARTICLE[0]}</p>
<h1>2 &ndash; <a name="2">Basic Concepts</a></h1><p>{ARTICLE[1]}</p><h1>3 &ndash; The Language</h1>
<p>{ARTICLE[2]}</p></div></body></html>"""
    out = ENGINES["density"](html)
    assert out.title == "Lua 5.2 Reference Manual"
    assert out.text.split("\n")[1::2] == ["2 – Basic Concepts", "3 – The Language"]


def javadoc_page(rail: str = "") -> str:
    """A Javadoc class page: a short description, link-heavy summary tables, the details, all in <main>."""
    rows = "".join(f'<tr><td><code><a href="Position.html">Range.Position</a></code></td><th><code>'
                   f'<a href="#m{i}">method{i}</a>()</code></th><td><div class="block">Get the {i}.</div></td></tr>'
                   for i in range(20))
    details = "".join(f'<li class="blockList"><h4>method{i}</h4><pre class="methodSignature">public Range.Position '
                      f'method{i}()</pre><div class="block">Returns position {i} of the node, counted from the start '
                      f'of its source, or -1 when tracking was off.</div></li>' for i in range(3))
    return f"""<html><body><nav><a href="/">Overview</a></nav><main role="main"><div class="header">
<h2 class="title">Class Range</h2></div><div class="contentContainer"><div class="description"><ul class="blockList">
<li class="blockList"><div class="block">A Range object tracks the character positions of a node.</div></li></ul>
</div><div class="summary"><ul class="blockList"><li class="blockList"><section role="region"><h3>Method Summary</h3>
<table>{rows}</table></section></li></ul></div><div class="details"><ul class="blockList">{details}</ul></div>
</div>{rail}</main></body></html>"""


def test_the_main_element_around_a_fragment_is_the_text():
    lines = ENGINES["density"](javadoc_page()).text.split("\n")
    assert "- A Range object tracks the character positions of a node." in lines
    assert "Range.Position | method3() | Get the 3." in lines and "public Range.Position method2()" in lines
    assert "Returns position 2 of the node, counted from the start of its source, or -1 when tracking was off." in lines
    assert "Overview" not in lines
    # a <main> that adds mostly links is an index, not text; a kept block that is most of its <main> is the
    # article, and the rest a news page's rail
    index = "".join(f'<li>term {i}<ul><li><a href="/t{i}">(in module m{i})</a></li><li><a href="/c{i}">(class in '
                    f'm{i})</a></li></ul></li>' for i in range(80))
    html = f"""<html><body><main><h1>Index</h1><div class="intro"><p>{ARTICLE[0]}</p></div>
<table class="indextable"><tr><td><ul>{index}</ul></td></tr></table></main></body></html>"""
    assert "term 3" not in ENGINES["density"](html).text
    rail = '<div class="more"><h3>More from us</h3>' + "".join(
        f'<div><a href="/s{i}">Teaser {i}: {ARTICLE[i][:60]}</a><p>{ARTICLE[i][60:120]}</p></div>'
        for i in range(3)) + "</div>"
    news = f"""<html><body><main><article><h1>Budget</h1>{"".join(f"<p>{p}</p>" for p in ARTICLE * 2)}</article>
{rail}</main></body></html>"""
    assert "More from us" not in ENGINES["density"](news).text


def groovydoc_page() -> str:
    """A Groovydoc (or Javadoc 8) class page: no <main>; the description, the summary tables, an inherited
    members' list of links and the details side by side in div.contentContainer."""
    rows = "".join(f'<tr><td><code>Object</code></td><td><code><strong><a href="#call{i}">call{i}</a></strong>(<a '
                   f'href="Map.html">Map</a> m)</code><br>Named arguments create a root object, variant {i}</td></tr>'
                   for i in range(10))
    inherited = "".join(f"<tr><td>class {c}</td><td>" + ", ".join(
        f'<a href="{c}.html#{m}">{m}</a>' for m in ("wait", "equals", "toString", "hashCode", "notify")) + "</td></tr>"
        for c in ("Object", "GroovyObjectSupport"))
    details = "".join(f'<ul class="blockList"><li class="blockList"><h4>public Object <strong>call{i}</strong>(Map m)'
                      f'</h4><p>Named arguments create a root object, variant {i} of the builder.</p><pre>def json = '
                      f'new JsonBuilder()\njson.call{i} name: "Guillaume"</pre><dl><dt>Parameters:</dt><dd><code>m'
                      f'</code> - a map of key / value pairs</dd></dl></li></ul>' for i in range(10))
    return f"""<html><body><div class="topNav"><ul><li><a href="../overview.html">Overview</a></li></ul></div>
<div class="header"><h2 class="title">[Java] Class JsonBuilder</h2></div><div class="contentContainer">
<div class="description"><ul class="blockList"><li class="blockList"><p>{ARTICLE[1]} {ARTICLE[2]}</p>
<pre>def builder = new JsonBuilder()\nbuilder.people {{ person {{ firstName 'Guillaume' }} }}</pre>
</li></ul></div><div class="summary"><ul class="blockList"><li class="blockList"><h3>Methods Summary</h3>
<table>{rows}</table></li><li class="blockList"><h3>Inherited Methods Summary</h3><table>{inherited}</table></li>
</ul></div><div class="details"><ul class="blockList"><li class="blockList"><h3>Method Detail</h3>{details}</li></ul>
</div></div></body></html>"""


def test_a_container_named_content_around_a_fragment_is_the_text():
    # without a <main>, the class name says where the text is; the description alone was 15% of it, and the
    # widening step by step stopped at the inherited members' links (Groovydoc's JsonBuilder and Sql pages
    # came out as their description or their method summary alone)
    lines = ENGINES["density"](groovydoc_page()).text.split("\n")
    assert "builder.people { person { firstName 'Guillaume' } }" in lines
    assert "Object | call3(Map m) Named arguments create a root object, variant 3" in lines
    assert 'json.call7 name: "Guillaume"' in lines
    assert "Named arguments create a root object, variant 7 of the builder." in lines
    assert "Overview" not in lines


# AnyRef's eq: the one long member comment on many of Scala's pages, with the commas that score
EQUIVALENCE = ("<p>The eq method implements an equivalence relation on non-null instances of AnyRef, and has three "
               "additional properties:</p><ul><li>It is consistent: for any non-null instances x and y of type AnyRef, "
               "multiple invocations of x.eq(y) consistently returns true or consistently returns false.</li><li>For "
               "any non-null instance x of type AnyRef, x.eq(null) and null.eq(x) returns false.</li><li>null.eq(null) "
               "returns true.</li></ul><p>When overriding the equals or hashCode methods, it is important to ensure "
               "that their behavior is consistent with reference equality. Therefore, if two objects are references "
               "to each other (o1 eq o2), they should be equal to each other (o1 == o2) and they should hash to the "
               "same value (o1.hashCode == o2.hashCode).</p>")


def scaladoc_page() -> str:
    """A Scaladoc 2 class page: the class's and each member's documentation in "comment" classes (div#comment,
    p.shortcomment, div.fullcomment), a member filter panel with the class's ancestors between them."""
    ancestors = "".join(f'<li class="in" name="scala.collection.{a}"><span>{a}</span></li>' for a in
                        ("HashMap", "AbstractMap", "Map", "MapLike", "Iterable", "Traversable", "Immutable",
                         "Subtractable", "PartialFunction", "Function1", "GenMap", "GenMapLike", "IterableLike",
                         "Equals", "GenIterable", "GenIterableLike", "TraversableLike", "GenTraversableLike",
                         "Parallelizable", "TraversableOnce", "GenTraversableOnce", "FilterMonadic", "HasNewBuilder",
                         "Serializable", "CustomParallelizable", "GenericTraversableTemplate", "AbstractIterable",
                         "AbstractTraversable", "GenTraversable", "DefaultMap", "MapLike", "Subtractable",
                         "IterableLike", "AnyRef", "Any"))
    implicits = "".join(f'<li class="in" name="scala.collection.immutable.HashMap#{c}" data-hidden="true"><p '
                        f'class="implicitToggle">by {c}</p></li>' for c in
                        ("CollectionsHaveToParArray", "MonadOps", "any2stringadd", "StringFormat", "Ensuring",
                         "ArrowAssoc", "alternateImplicit"))
    members = "".join(f'<li name="scala.collection.immutable.HashMap#op{i}" visbl="pub" data-isabs="false"><h4 '
                      f'class="signature"><span class="modifier_kind"><span class="kind">def</span></span> <span '
                      f'class="symbol"><span class="name">op{i}</span><span class="params">(p: (<a href="../../Tuple2'
                      f'.html">(A, B)</a>) ⇒ Boolean)</span><span class="result">: <a href="HashMap.html">HashMap'
                      f'</a>[A, B]</span></span></h4><p class="shortcomment cmt">Selects the pairs of this map that '
                      f'pass test {i}.</p><div class="fullcomment"><div class="comment cmt"><p>Selects the pairs of '
                      f'this map that pass test {i}, in the order the map iterates over them, keeping each key with '
                      f'its value, and, as every strict collection does, building the new map at once.</p>'
                      f'{EQUIVALENCE if i == 3 else ""}</div><dl '
                      f'class="'
                      f'paramcmts block"><dt class="param">p</dt><dd class="cmt"><p>the predicate used to test '
                      f'pairs.</p></dd><dt>returns</dt><dd class="cmt"><p>a new map of the pairs that pass, the '
                      f'others left out.</p></dd></dl><dl class="attributes block"><dt>Definition Classes</dt><dd>'
                      f'<a href="TraversableLike.html" class="extype">TraversableLike</a></dd></dl></div></li>'
                      for i in range(12))
    return f"""<html><body class="type"><div id="definition"><p id="owner"><a href="../../package.html">scala</a>.
<a href="package.html">collection</a>.<a href="package.html">immutable</a></p><h1>HashMap</h1></div>
<h4 id="signature" class="signature"><span class="kind">class</span> <span class="name">HashMap</span>[A, +B]
</h4><div id="comment" class="fullcommenttop"><div class="comment cmt"><p>This class implements immutable maps
using a hash trie.</p></div></div>
<div id="mbrsel"><div id="order"><span class="filtertype">Ordering</span><ol><li class="alpha in"><span>Alphabetic
</span></li><li class="inherit out"><span>By Inheritance</span></li></ol></div><div id="ancestors"><span
class="filtertype">Inherited<br></span><ol id="linearization">{ancestors}</ol></div><div id="ancestors"><span
class="filtertype">Implicitly<br></span><ol id="implicits">{implicits}</ol></div><div id="ancestors"><span
class="filtertype"></span><ol><li class="hideall out"><span>Hide All</span></li><li class="showall in"><span>Show All
</span></li></ol></div><div id="visbl"><span class="filtertype">Visibility</span><ol><li class="public in"><span>Public
</span></li><li class="all out"><span>All</span></li></ol></div></div><div id="template"><div id="allMembers">
<div id="values" class="values members"><h3>Value Members</h3><ol>{members}</ol></div></div></div></body></html>"""


def test_documentation_comments_are_the_text():
    # Scaladoc's doc comments were taken for readers' comments ("comment" classes are unlikely): HashMap's
    # page came out as its ancestors' names, and 184 of Scala's 1,279 class pages were dropped as too short
    lines = ENGINES["density"](scaladoc_page()).text.split("\n")
    assert ("Selects the pairs of this map that pass test 7, in the order the map iterates over them, keeping each key "
            "with its value, and, as every strict collection does, building the new map at once.") in lines
    assert "a new map of the pairs that pass, the others left out." in lines
    assert "Hide All" not in lines
    # each comment is part of the member list: the longest one alone is not the page (551 of Scala's pages came
    # out as AnyRef's eq comment when doc comments stopped weighing as "comment")
    assert "Selects the pairs of this map that pass test 11." in lines
    assert "- null.eq(null) returns true." in lines


def test_a_summary_row_keeps_its_linked_type_beside_its_code():
    # code links its identifiers: the row "GroovyConstructorDoc[] | constructors()" is 89% links, and its name
    # cell (code, ended by a <br>) stayed while its linked type went
    rows = "".join(f'<tr><td><code><a href="GroovyFieldDoc.html">GroovyFieldDoc</a>[]</code></td><td><code><strong>'
                   f'<a href="#f{i}">fields{i}</a></strong>()</code><br></td></tr>' for i in range(6))
    html = f"""<html><body><div class="summary"><h3>Methods Summary</h3><p>{ARTICLE[0]}</p><table>{rows}</table>
<p>{ARTICLE[1]}</p></div></body></html>"""
    assert "GroovyFieldDoc[] | fields2()" in ENGINES["density"](html).text.split("\n")


def test_a_menu_line_between_brs_goes_and_code_lines_of_links_stay():
    # 1990s HTML (the Haskell 98 report): the chapter's menu is a <br>-ended line of its text
    menu = ('<a href="index.html">top</a> | <a href="prev.html">back</a> | <a href="next.html">next</a> | '
            '<a href="index98.html">contents</a>')
    html = f"""<html><body><i>The Haskell 98 Report</i><br> {menu} <br><hr><h2>6 Predefined Types</h2>
{ARTICLE[0]}<br><br>{ARTICLE[1]}<br>
<a href="#l">Lifetime</a> <code>:</code> <a href="#b">LifetimeBounds</a><br>
) -&gt; <a href="#r">Result</a>&lt;(), <a href="#e">TryReserveError</a>&gt;<br>
<a href="#s">simple_expression</a> [<a href="#o">relational_operator</a> <a href="#s">simple_expression</a>]<br>
{ARTICLE[2]}<p><hr><i>The Haskell 98 Report</i><br>{menu}<br>December 2002</p></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert not any("contents" in line for line in lines) and "" not in lines  # "<br><br>": no blank line
    assert lines[lines.index(ARTICLE[1]) + 1:lines.index(ARTICLE[2])] == [
        "Lifetime : LifetimeBounds", ") -> Result<(), TryReserveError>",
        "simple_expression [relational_operator simple_expression]"]  # a grammar's optional part, the Ada manual


def test_a_sentence_of_cross_references_is_prose():
    # Sphinx pages link every name: "The GeoIP2 object is a wrapper for the MaxMind geoip2 Python library. [1]"
    # is half link text, yet the page's first sentence; a line of links without a sentence is still a menu
    first = ('The <a href="#g"><code>GeoIP2</code></a> object is a wrapper for the <a href="https://x.example/">'
             'MaxMind geoip2 Python library</a>. <a href="#f1">[1]</a>')
    html = f"""<html><body><div class="body"><h1>Geolocation</h1><p>{first}</p><p>{ARTICLE[0]}</p>
<p>{ARTICLE[1]}</p><p><a href="/a">Previous chapter</a> <a href="/b">Next chapter</a> <a href="/c">Index</a></p>
</div></body></html>"""
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[0] == "The GeoIP2 object is a wrapper for the MaxMind geoip2 Python library. [1]"
    assert not any("chapter" in line for line in lines)


def test_headings_list_items_and_table_rows_are_lines():
    lines = ENGINES["density"](DOC_PAGE).text.split("\n")
    assert lines[0] == ARTICLE[0] and "Numbers" in lines  # the h1 is the title, the h2 a line of its own
    assert "- Integers have type int;" in lines and "- numbers with a fractional part have type float;" in lines
    assert "1. floor division: //" in lines and "2. remainder: %" in lines  # every item of the 12-item kind
    assert "Operator | Meaning" in lines and "+ | addition" in lines and "** | power" in lines
    assert not {"Prev", "Next", "Home"} & {word for line in lines for word in line.split()}


def test_markdown_format():
    out = ENGINES["density"](DOC_PAGE, markdown=True)
    text = out.text
    assert "## Numbers" in text.split("\n")
    assert "```\n" + CODE_BLOCK + "\n```" in text
    assert "- Integers have type int;\n- numbers with a fractional part have type float;" in text
    assert "  1. floor division: //\n  2. remainder: %" in text  # nested list indented
    assert "| Operator | Meaning |\n| --- | --- |\n| `+` | addition |" in text  # <code>+</code>
    first, end = out.code_lines[0]
    assert text.split("\n")[first] == "```" and text.split("\n")[end - 1] == "```"


def test_markdown_writes_inline_code_in_backticks():
    # Sphinx, DocBook and rustdoc mark commands, names and literals in prose with <code>: Markdown keeps them
    # as code spans (137,155 lines in 3,140 of 5,185 pages of 19 sites); the plain text stays as it was
    html = (f"<html><body><article><h1>Control flow</h1><p>{ARTICLE[0]}</p><h2>The <code>for</code> statement</h2>"
            "<p>Use the <code>range()</code> function, or <a href='/len'><code class='xref'><span class='pre'>len()"
            "</span></code></a>; <kbd>Ctrl-D</kbd> ends it; a shell runs <code> `date` </code>.</p>"
            "<ul><li>The <samp>NAME</samp> section</li><li>the exit status</li></ul>"
            "<p>Returns <code>x</code> as it is, then <code>y</code>. <a href='/m'>Read more</a></p>"
            f"<p>{ARTICLE[1]} <tt>x</tt><tt></tt></p><pre>for <code>i</code> in range(3):\n    pass</pre>"
            "</article></body></html>")
    lines = ENGINES["density"](html, markdown=True).text.split("\n")
    assert "## The `for` statement" in lines
    assert "Use the `range()` function, or `len()`; `Ctrl-D` ends it; a shell runs `` `date` `` ." in lines
    assert lines[lines.index("```") + 1] == "for i in range(3):"  # code blocks hold no code spans
    assert f"{ARTICLE[1]} `x`" in lines and "- The `NAME` section" in lines
    assert "Returns `x` as it is, then `y`." in lines  # without its "more" link (MORE_LABELS)
    plain = ENGINES["density"](html).text.split("\n")
    assert "Use the range() function, or len(); Ctrl-D ends it; a shell runs `date` ." in plain
    assert "`" not in ENGINES["density"](html).text.replace("`date`", "")


def test_markdown_tables_escape_pipes_and_stay_apart():
    # The Debian reference in Markdown: "ps aux | pager" in a command table's cell started a third column; a
    # DocBook admonition (a table of one cell) came out as a one-cell table, and when it followed a table
    # it joined that table's rows
    rows = "".join(f"<tr><td><code>{cmd}</code></td><td>{what}</td></tr>" for cmd, what in (
        ("ps aux | pager", "display information on all the running processes"), ("top", "display process information")))
    hidden = "Unix has a tradition to hide filenames which start with a dot."
    note = f"<div class='note'><table><tr><td><p>{hidden}</p></td></tr></table></div>"
    html = (f"<html><body><div class='sect1'><p>{ARTICLE[0]}</p><table><tr><th>command</th><th>description</th></tr>"
            f"{rows}</table>{note}<table><tr><th>key</th><th>action</th></tr><tr><td>q</td><td>quit</td></tr></table>"
            "<table><tr><th>signal</th><th>number</th></tr><tr><td>HUP</td><td>1</td></tr></table>"
            "<table><tr><th>BRE</th><th>ERE</th><th>meaning</th></tr><tr><td><code>\\|</code></td><td></td>"
            "<td>BRE only</td></tr><tr><td></td><td><code>|</code></td><td>ERE only</td></tr></table>"
            f"<p>{ARTICLE[1]}</p></div></body></html>")
    text = ENGINES["density"](html, markdown=True).text
    assert "| `ps aux \\| pager` | display information on all the running processes |" in text.split("\n")
    tables = "| key | action |\n| --- | --- |\n| q | quit |\n\n| signal | number |\n| --- | --- |\n"  # apart
    assert f"\n\n{hidden}\n\n{tables}" in text
    # an empty cell keeps its column: "BRE only" stayed under "ERE"
    assert "| `\\\\|` |  | BRE only |\n|  | `\\|` | ERE only |" in text
    plain = ENGINES["density"](html).text.split("\n")
    assert "ps aux | pager | display information on all the running processes" in plain


def test_markdown_tables_keep_spanned_cells_in_their_columns():
    # PostgreSQL's operator classes name a class once (rowspan) over its operators; its error codes head each
    # class with a row spanning both columns; its lock table's header spans eight. Pipe tables cannot span, so
    # a spanned column is an empty cell: without it, "< (bit,bit)" moved under "Name"
    classes = ("<table><tr><th>Name</th><th>Indexable Operators</th></tr>"
               "<tr><td rowspan='3'><code>bit_minmax_ops</code></td><td><code>= (bit,bit)</code></td></tr>"
               "<tr><td><code>&lt; (bit,bit)</code></td></tr><tr><td><code>&gt; (bit,bit)</code></td></tr>"
               "<tr><td rowspan=' 2px'>box_ops</td><td>@&gt;</td></tr><tr><td>&lt;&lt;</td></tr>"
               "<tr><td colspan='2'>Class 00 — Successful Completion</td></tr><tr><td>00000</td><td>ok</td></tr>"
               "<tr><td rowspan='2'>a</td><td>b</td><td rowspan='0'>c</td></tr><tr><td>d</td></tr>"
               "<tr><td colspan='x'>e</td><td>f</td></tr></table>")
    locks = ("<table><tr><th rowspan='2'>Requested Lock Mode</th><th colspan='2'>Existing Lock Mode</th></tr>"
             "<tr><th>SHARE</th><th>EXCL.</th></tr><tr><td>SHARE</td><td></td><td>X</td></tr></table>")
    html = f"<html><body><div class='sect1'><p>{ARTICLE[0]}</p>{classes}{locks}<p>{ARTICLE[1]}</p></div></body></html>"
    text = ENGINES["density"](html, markdown=True).text
    assert ("| Name | Indexable Operators |\n| --- | --- |\n| `bit_minmax_ops` | `= (bit,bit)` |\n"
            "|  | `< (bit,bit)` |\n|  | `> (bit,bit)` |\n| box_ops | @> |\n|  | << |\n"
            "| Class 00 — Successful Completion |  |\n| 00000 | ok |\n"
            "| a | b | c |\n|  | d |  |\n| e | f |  |\n") in text  # rowspan="0": to the table's end
    assert ("| Requested Lock Mode | Existing Lock Mode |  |\n| --- | --- | --- |\n|  | SHARE | EXCL. |\n"
            "| SHARE |  | X |") in text
    plain = ENGINES["density"](html).text.split("\n")  # plain text: a row's own cells, as before
    assert "< (bit,bit)" in plain and "Class 00 — Successful Completion" in plain

def test_markdown_opens_with_the_pages_title_heading():
    # The plain text leaves the headline to `title`; a Markdown document of the page opens with it, as the
    # page does: the h1 headline, or the section heading _trim drops from the top because the <title> holds
    # it (DocBook: PostgreSQL's "36.17. Internals", 1,131 of its pages, the Debian handbook's sections). A
    # site's name in an h1 is no title (Exim's chapters, an h1 that links home).
    body = f"<p>{ARTICLE[0]}</p><pre>make check</pre><p>{ARTICLE[1]}</p>"
    h1 = ENGINES["density"](f"<html><body><article><h1>Installing</h1>{body}</article></body></html>", markdown=True)
    assert h1.text.startswith("# Installing\n\n" + ARTICLE[0]) and h1.title == "Installing"
    assert h1.text.split("\n")[h1.code_lines[0][0]:h1.code_lines[0][1]] == ["```", "make check", "```"]
    docbook = (f"<html><head><title>36.17. Internals</title></head><body><div class='sect1'><div class='titlepage'>"
               f"<h2 class='title'>36.17. Internals</h2></div>{body}</div></body></html>")
    assert ENGINES["density"](docbook, markdown=True).text.startswith("# 36.17. Internals\n\n" + ARTICLE[0])
    assert ENGINES["density"](docbook).text.startswith(ARTICLE[0])  # plain: the title only
    home = (f"<html><head><title>6. The runtime configuration file</title></head><body><h1><a href='index.html'>"
            f"Exim Internet Mailer</a></h1><div class='chapter'>{body}</div></body></html>")
    assert ENGINES["density"](home, markdown=True).text.startswith(ARTICLE[0])


def test_format_flag_through_the_stage(tmp_path):
    (rec,) = run(tmp_path, [raw("https://docs.example/tutorial", DOC_PAGE)], "--format", "markdown")
    assert "```\n>>> 2 + 2" in rec["text"] and rec["code_lines"]
    (plain,) = run(tmp_path, [raw("https://docs.example/tutorial", DOC_PAGE)], name="plain.jsonl")
    assert "```" not in plain["text"] and plain["text"].split("\n")[plain["code_lines"][0][0]] == ">>> 2 + 2"
    script = ROOT / "scripts" / "extract_text.py"
    inp = write_jsonl(tmp_path / "raw.jsonl", [raw("https://docs.example/tutorial", DOC_PAGE)])
    bad = subprocess.run([sys.executable, str(script), "--input", str(inp), "--output", str(tmp_path / "x.jsonl"),
                          "--format", "markdown", "--extractor", "resiliparse"], capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and "--format markdown needs --extractor" in bad.stderr


def test_reference_page_text_around_a_table_is_kept():
    # DocBook reference pages: a short introduction, then a table whose cells are class="..._entry" (a
    # positive hint) holding paragraphs. The table alone used to win and then lose every short row.
    rows = "".join(f'<tr><td class="catalog_table_entry"><p>col{i} <code>oid</code></p>'
                   f'<p>Identifier of the row number {i} in this catalog, see the <a href="/x">type</a>.</p></td></tr>'
                   for i in range(8))
    html = (f'<html><body><div class="navheader"><table><tr><td><a href="/p">Prev</a></td></tr></table></div>'
            f'<div class="sect1"><div class="titlepage"><h2 class="title">53.5. pg_amproc</h2></div>'
            f'<p>The catalog pg_amproc stores information about support functions associated with access method '
            f'operator families. There is one row for each support function belonging to an operator family.</p>'
            f'<div class="table"><p class="title">Table 53.5. pg_amproc Columns</p><table><tbody>{rows}</tbody>'
            f'</table></div><p>The usual interpretation of the columns is described in the next section.</p></div>'
            f'</body></html>')
    text = ENGINES["density"](html).text
    assert text.startswith("The catalog pg_amproc stores")
    assert "col7 oid Identifier of the row number 7 in this catalog, see the type." in text.split("\n")
    assert text.endswith("The usual interpretation of the columns is described in the next section.")


def test_an_anchor_named_like_chrome_does_not_hide_its_section():
    # XHTML <a id="..."/> is not self-closing in HTML: the parser re-opens the anchor around what follows,
    # and an id such as "_an_extra_user_account" ("extra") must not mark the section as page chrome.
    html = page([ARTICLE[0], '<a id="_an_extra_user_account"/>' + ARTICLE[1], ARTICLE[2]])
    assert ARTICLE[1] in ENGINES["density"](html).text


JA_PARAGRAPHS = [
    "市の交通局は月曜日、港地区に全長八キロの自転車専用レーンを整備する計画を発表した。工事は春に始まり、来年末までに完了する予定だという。",
    "計画はフェリーターミナルと中央駅、新しい大学のキャンパスを結ぶ。支持者は、毎日自転車で通う学生や労働者にとって安全になると話している。",
    "一方で、駐車場が減ることで海沿いの小さな商店が打撃を受けるとの反対意見もあった。市は荷さばき場の大部分を残すことで合意したと説明した。",
]


def test_latin_links_in_cjk_prose_do_not_make_it_a_link_list():
    # A Han/Kana character carries about two Latin letters' worth: a product name linked in a Japanese
    # introduction must not make the introduction look like a list of links and be left out.
    intro = ('<p>この<a href="https://www.debian.org/doc/manuals/reference/">Debian リファレンス (第2.100版)</a>'
             "は、システムをインストールした後の利用者のための案内書として、"
             "Debian のシステム管理の概要を示すことを目指しています。本書は誰でも自由に利用できます。</p>")
    section = "".join(f"<p>{p}</p>" for p in JA_PARAGRAPHS * 3)
    html = (f'<html><body><div class="chapter"><h1>序文</h1>{intro}<div class="section"><h2>1. 概要</h2>'
            f"{section}</div></div></body></html>")
    text = ENGINES["density"](html).text
    assert text.startswith("このDebian リファレンス (第2.100版)は、システム") and JA_PARAGRAPHS[2] in text


def docbook_box(kind: str, label: str, body: str) -> str:
    """A DocBook admonition as the Debian Reference renders it: an icon cell and a <th> label in one row,
    the body in the next."""
    return (f'<div class="{kind}" style="margin-left: 0.5in;"><table border="0" summary="{label}"><tr>'
            f'<td rowspan="2"><img alt="[{label}]" src="images/{kind}.png"/></td><th align="left">{label}</th></tr>'
            f'<tr><td align="left" valign="top">{body}</td></tr></table></div>')


def doc_with(*boxes: str) -> str:
    prose = "".join(f"<p>{p}</p>" for p in ARTICLE)
    return (f'<html><body><div class="navheader"><a href="/p">Prev</a></div><div class="chapter"><h1>Budget</h1>'
            f'{prose}{"".join(boxes)}<p>{ARTICLE[0]}</p></div></body></html>')


SAY = "Following the Unix tradition, user names and passwords are case sensitive on every Debian system."


def test_admonition_label_prefixes_its_first_paragraph():
    # "Note" / "Warning" standing alone on a line is the most repeated line of a manual (13 of 15 handbook
    # chapters per language); the label belongs to the paragraph it introduces.
    html = doc_with(docbook_box("note", "Note", f"<p>{SAY}</p>"),
                    '<div class="warning"><h3 class="title">Warning</h3><p>Restoring a dump runs code.</p>'
                    '<p>A second paragraph of the same box.</p></div>',
                    '<div class="admonition tip"><p class="admonition-title">Tip:</p><p>Use the index.</p></div>')
    lines = ENGINES["density"](html).text.split("\n")
    assert f"Note: {SAY}" in lines and "Tip: Use the index." in lines
    assert "Warning: Restoring a dump runs code." in lines and "A second paragraph of the same box." in lines
    assert not {"Note", "Warning", "Tip", "Tip:"} & set(lines)
    markdown = ENGINES["density"](html, markdown=True).text.split("\n")
    assert "**Warning:** Restoring a dump runs code." in markdown and "**Tip:** Use the index." in markdown


def test_cjk_admonition_label_takes_a_full_width_colon():
    html = doc_with(docbook_box("note", "注記", f"<p>{JA_PARAGRAPHS[0]}</p>"))
    assert f"注記：{JA_PARAGRAPHS[0]}" in ENGINES["density"](html).text.split("\n")


def test_admonition_label_stays_before_code_or_a_list_and_goes_when_its_box_is_empty():
    code = "$ sudo apt-get update\n$ sudo apt-get install foo"
    html = doc_with(docbook_box("tip", "Tip", f"<pre>{code}</pre>"),
                    docbook_box("caution", "Caution", "<ul><li>Back up first.</li><li>Then upgrade.</li></ul>"),
                    docbook_box("tip", "Hint", '<p>See <a href="/ch09#colors">Section 9.3.6, “Colorized commands”</a>.'
                                               '</p>'))
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[lines.index("Tip") + 1:lines.index("Tip") + 3] == code.split("\n")  # code is never merged
    assert lines[lines.index("Caution") + 1] == "- Back up first."
    assert "Hint" not in lines  # its one sentence was a link (dropped as such): nothing left to label


def test_short_first_lines_outside_admonitions_are_not_merged():
    # A section heading, or a box that is not an admonition, keeps its first short line as a line.
    html = doc_with('<div class="section"><h3>Numbers</h3><p>Integers have type int, decimals float.</p></div>',
                    f'<div class="note"><p>{SAY}</p><p>Second paragraph.</p></div>',
                    '<p class="note">Added in version 3.2</p>')
    lines = ENGINES["density"](html).text.split("\n")
    assert "Numbers" in lines and "Integers have type int, decimals float." in lines
    assert "Added in version 3.2" in lines  # a note box whose one short line is all its text
    assert SAY in lines and "Second paragraph." in lines  # a punctuated first paragraph is not a label


def sphinx_page(*sections: str) -> str:
    """A Sphinx page: the sidebar is chrome, the body is <section>s with slug ids and "¶" permalinks."""
    return ('<html><body><div class="sphinxsidebar"><h3>Navigation</h3><ul><li><a href="/i">index</a></li></ul>'
            f'</div><div class="body" role="main">{"".join(sections)}</div></body></html>')


def sphinx_section(slug: str, heading: str, body: str) -> str:
    return (f'<section id="{slug}"><h2>{heading}<a class="headerlink" href="#{slug}" title="Permalink to this '
            f'heading">¶</a></h2>{body}</section>')


def test_permalink_marks_are_not_text():
    body = ("".join(f"<p>{p}</p>" for p in ARTICLE)
            + '<dl class="py function"><dt class="sig" id="spam.eggs"><span>spam.eggs(n)</span>'
            '<a class="headerlink" href="#spam.eggs">¶</a></dt><dd><p>Return n eggs.</p></dd></dl>'
            f'<h3 id="x">Hugo<a href="#x">#</a></h3><p>An in-page <a href="#usage">link</a> stays. {ARTICLE[3]}</p>'
            f'<h3 id="y">MkDocs<a class="headerlink" href="#y">\uf0c1</a></h3><p>A note<a href="#fn1">[1]</a> '
            f'and its mark. {ARTICLE[2]}</p><p>[1] The footnote.<a href="#fnref1">↩</a> {ARTICLE[1]}</p>')
    lines = ENGINES["density"](sphinx_page(f"<p>{ARTICLE[0]}</p>", sphinx_section("usage", "Usage", body))).text
    assert "¶" not in lines and "\uf0c1" not in lines and "↩" not in lines
    assert {"Usage", "spam.eggs(n)", "Hugo", f"An in-page link stays. {ARTICLE[3]}", "MkDocs"} <= set(lines.split("\n"))
    assert f"A note[1] and its mark. {ARTICLE[2]}" in lines.split("\n")


def test_a_section_slug_id_is_not_a_chrome_hint():
    # Sphinx gives each <section> its heading's slug: "New Features Related to Type Hints" is not a
    # "related" box, "Printing headers" not a print button or a header.
    html = sphinx_page(sphinx_section("intro", "Intro", "".join(f"<p>{p}</p>" for p in ARTICLE[:2])),
                       sphinx_section("new-features-related-to-type-hints", "Type hints", f"<p>{ARTICLE[2]}</p>"),
                       sphinx_section("printing-headers", "Printing headers", f"<p>{ARTICLE[3]}</p>"))
    lines = ENGINES["density"](html).text.split("\n")
    assert {"Type hints", ARTICLE[2], "Printing headers", ARTICLE[3]} <= set(lines)


def texinfo_def(name: str, *paragraphs: str) -> str:
    """makeinfo's @deffn: a <dl class="def">, the signature in <dt>, the description in <dd>; Maxima's end
    with links to related functions and categories."""
    return (f'<dl class="def"><dt id="{name}"><span class="category">Function: </span><strong>{name}</strong> '
            f'<em>(n, L)</em></dt><dd>{"".join(f"<p>{p}</p>" for p in paragraphs)}<div class="example">'
            f'<pre class="example">(%i1) {name} (3, [4, g]);</pre></div><p>See also: <a href="#a">comp2ele</a>, '
            '<a href="#b">cont2part</a>, <a href="#c">ele2comp</a>.</p><div class=categorybox>Categories: '
            '<a href="cat.html">Package sym</a></div></dd></dl>')


def test_texinfo_subsections_of_one_page_are_one_text():
    # Maxima's manual (makeinfo) puts a section of 7 subsections on one page, each a <div class="subsection">
    # of function entries. The longest entry won, its subsection's link lines stopped the widening, and the
    # text was that one function (6,068 of trafilatura's 27,153 characters).
    short = ARTICLE[1][:60]
    subsections = [("Changing bases", [("comp2pui", [ARTICLE[0]]), ("ele2pui", [short])]),
                   ("Groups and orbits", [("resolvante", ARTICLE * 2), *((f"orbit{i}", [short]) for i in range(6))]),
                   ("Partitions", [("part2cont", [ARTICLE[2]]), ("partpol", [short])])]
    body = "".join(f'<div class="subsection" id="s{k}"><h4 class="subsection">30.2.{k} {title}</h4>'
                   + "".join(texinfo_def(name, *paragraphs) for name, paragraphs in defs) + "</div>"
                   for k, (title, defs) in enumerate(subsections, 1))
    html = ('<html><body lang="en"><div class="section" id="Symmetries"><div class="header"><p>Previous: '
            '<a href="p.html">Introduction</a>, Up: <a href="u.html">Symmetries</a></p></div>'
            '<h3 class="section">30.2 Functions and Variables for Symmetries</h3><ul class="section-toc">'
            + "".join(f'<li><a href="#s{k}">{title}</a></li>' for k, (title, _) in enumerate(subsections, 1))
            + f"</ul>{body}</div></body></html>")
    lines = ENGINES["density"](html).text.split("\n")
    for k, (title, defs) in enumerate(subsections, 1):
        assert f"30.2.{k} {title}" in lines
        for name, _ in defs:
            assert f"Function: {name} (n, L)" in lines and f"(%i1) {name} (3, [4, g]);" in lines


def test_a_link_inside_code_does_not_stop_the_widening():
    # Maxima's bode page: each function's short description, a <pre> whose one line is a linked URL, and a long
    # example. The URL was 37% of what widening past the example added, as if it were a menu: the text was one
    # example, without any function's name or description.
    url = "http://www.swarthmore.edu/NatSci/echeeve1/Ref/Bode/BodeHow.html"
    def deffn(name: str) -> str:
        example = "\n".join(f"(%i{i}) {name} (H{i} (s), [w, 1/1000, 1000]), omega0 = 10, zeta = 1/10$"
                            for i in range(1, 18))
        return (f'<dl class="def"><dt><span class="category">Function: </span><strong>{name}</strong> '
                f'<em>(H, range)</em></dt><dd><p>Function to draw Bode {name[5:]} plots.</p><p>Examples from</p>'
                f'<div class="example"><pre class="example"><a href="{url}">{url}</a>,</pre></div>'
                f'<div class="example"><pre class="example">{example}</pre></div><p>To use this function write '
                f'first load("bode"). See also <a href="#x">bode_phase</a>.</p></dd></dl>')
    html = ('<html><body><div class="section"><h3 class="section">44.1 Functions and Variables for bode</h3>'
            f'{deffn("bode_gain")}{deffn("bode_phase")}</div></body></html>')
    lines = ENGINES["density"](html).text.split("\n")
    assert {"Function: bode_gain (H, range)", "Function to draw Bode gain plots.",
            "Function: bode_phase (H, range)", "Function to draw Bode phase plots."} <= set(lines)


def test_a_code_block_beside_the_text_in_body_is_kept():
    # SWI-Prolog's manual (latex2html) writes its text straight into <body>, which the widening never reaches:
    # the paragraphs beside the winning definition list came back by readability's sibling rule, but not the
    # example script between them (main.html lost its 13 lines).
    script = "#!/usr/bin/env swipl\n\n:- initialization(main, main).\n\nmain(Argv) :-\n    echo(Argv)."
    defs = "".join(f'<dt class="pubdef"><strong>main{i}</strong></dt><dd class="defbody">{p}</dd>'
                   for i, p in enumerate(ARTICLE * 4))
    html = (f'<html><body><h2>A.25 library(main): Provide entry point for scripts</h2><p>{ARTICLE[0]} Below is a '
            f'simple echo implementation in Prolog.</p><pre class="code">{script}</pre><dl class="latex">{defs}</dl>'
            '</body></html>')
    text = ENGINES["density"](html).text
    assert f"simple echo implementation in Prolog.\n{script}\nmain0" in text


def test_sibling_sections_are_one_text_even_around_an_index_of_links():
    # The C API reference: one long section, short sibling sections, and a quick-reference table of links
    # that pushes the link share of the whole above the widening rule: every section is still kept.
    index = "".join(f'<tr><td><a href="#slot{i}">tp_slot_number_{i}</a></td><td>{i}</td></tr>' for i in range(60))
    long = "".join(f'<dl class="c member"><dt>PyTypeObject.tp_{i}</dt><dd><p>{p}</p></dd></dl>'
                   for i, p in enumerate(ARTICLE * 12))  # paragraphs deep in definitions, as in an API reference
    html = sphinx_page(sphinx_section("type-objects", "Type Objects",
                                      sphinx_section("quick-reference", "Quick Reference", f"<table>{index}</table>")
                                      + sphinx_section("slots", "Slots", long)),
                       sphinx_section("number-structs", "Number Object Structures", f"<p>{ARTICLE[1]} Numbers.</p>"),
                       sphinx_section("examples", "Examples", "<pre>typedef struct {\n    PyObject_HEAD\n} MyObject;"
                                                             "</pre>"))
    lines = ENGINES["density"](html).text.split("\n")
    assert f"{ARTICLE[1]} Numbers." in lines and "    PyObject_HEAD" in lines and "Navigation" not in lines


def test_a_sidebar_among_the_paragraphs_is_text_a_page_sidebar_is_not():
    # DocBook's <div class="sidebar"> is a box of the text ("TIP", "BACK TO BASICS") with its example; a
    # sidebar column beside the article is chrome, even when it holds a paragraph.
    tip = ('<div class="sidebar"><div class="titlepage"><p class="title"><strong>TIP Incremental updates</strong>'
           '</p></div><p>To speed up the process, APT can download diff files holding only the changes.</p>'
           '<pre class="screen"><code>$ apt -o "Acquire::PDiffs=false" update</code></pre></div>')
    column = ('<div class="sidebar-right"><p>About the author: she writes about harbours, budgets and the '
              'people who argue over both.</p></div>')
    html = (f'<html><body><div class="page"><div class="section"><h2>6.2 apt</h2><p>{ARTICLE[0]}</p>{tip}'
            f'<p>{ARTICLE[1]}</p><p>{ARTICLE[2]}</p></div>{column}</div></body></html>')
    lines = ENGINES["density"](html).text.split("\n")
    assert "TIP Incremental updates" in lines and '$ apt -o "Acquire::PDiffs=false" update' in lines
    assert ARTICLE[2] in lines and not any("About the author" in line for line in lines)


def test_an_api_signature_opening_the_text_is_kept():
    html = sphinx_page('<dl class="py class"><dt class="sig" id="email.contentmanager.ContentManager">'
                       '<em>class</em> email.contentmanager.ContentManager</dt>'
                       f'<dd>{"".join(f"<p>{p}</p>" for p in ARTICLE)}</dd></dl>')
    assert ENGINES["density"](html).text.startswith("class email.contentmanager.ContentManager\n")


@pytest.mark.parametrize("paragraphs", [[*ARTICLE[:3], ARTICLE[1]], ARTICLE[:3]], ids=["close", "half"])
def test_a_small_box_with_a_flattering_class_does_not_win_over_its_section(paragraphs):
    # DocBook's <div class="example-contents"> ("content": a positive hint) around one short config file
    # outscored the section it sits in, and the page came out as that example and its neighbour only. The
    # section scores 0.87 of the box with four paragraphs ("close") and 0.67 with three ("half": enough
    # around a box too short to be an article).
    config = "#:BSD: Shell, login, exec and talk are BSD protocols.\ntalk   dgram   udp   wait   nobody.tty   in.talkd"
    html = ('<html><body><div class="section"><h2>9.6. The inetd super-server</h2>'
            + "".join(f'<div class="para">{p}</div>' for p in paragraphs)
            + f'<div class="itemizedlist"><ul><li><div class="para">{ARTICLE[3]}</div></li></ul></div>'
            f'<div class="example"><p class="title">Example 9.1. Excerpt from /etc/inetd.conf</p>'
            f'<div class="example-contents"><pre class="programlisting">{config}</pre></div></div>'
            '<div class="para">The tcpd program is often used in the inetd.conf file, to check the caller first.</div>'
            '</div></body></html>')
    text = ENGINES["density"](html).text
    assert text.startswith(ARTICLE[0]) and config in text and text.endswith("to check the caller first.")


def test_a_page_of_links_does_not_bring_its_footer_or_navigation_in():
    # A Sphinx index page: a heading and a table of links. Readability's retry (too little text, so score
    # again without the "unlikely" rule) used to find the footer's sentences the best text on the page and
    # keep it with the navigation bars; a footer is never an article's wrapper, and role="navigation" is
    # never text.
    links = "".join(f'<li><a href="/library/{m}.html#{m}.{f}">{f}() (in module {m})</a></li>'
                    for m in ("ipaddress", "signal", "wsgiref") for f in ("validate", "valid_signals", "v4_int"))
    footer = ("© Copyright 2001-2026, Python Software Foundation.<br/>This page is licensed under the Python Software "
              "Foundation License Version 2.<br/>Examples, recipes, and other code in the documentation are "
              "additionally licensed under the Zero Clause BSD License.<br/>The Python Software Foundation is a "
              "non-profit corporation, and it relies on donations, grants and sponsorships.")
    html = ('<html><body><div class="related" role="navigation"><h3>Navigation</h3><ul><li><a href="/">index</a>'
            '</li><li>modules |</li></ul></div><div class="document"><div class="body" role="main">'
            f'<h1>Index – V</h1><table class="indextable"><tr><td><ul>{links}</ul></td></tr></table></div>'
            '<div class="sphinxsidebar" role="navigation"><h4>Previous topic</h4><p>«</p></div></div>'
            f'<div class="footer">{footer}</div></body></html>')
    text = ENGINES["density"](html).text
    assert not any(word in text for word in ("Copyright", "Navigation", "Previous topic", "modules |"))


def test_asciidoc_man_page_sections_are_one_text():
    # git's manual pages (AsciiDoc): <div class="sect1"> per heading, every code block in a
    # <div class="content"> (a positive hint), so the best block is an example in the last section, too
    # small a share of the page to widen to it; that section's siblings, before and after it, are the page.
    def sect(title: str, body: str) -> str:
        return f'<div class="sect1"><h2>{title}</h2><div>{body}</div></div>'

    def paragraphs(topic: str) -> str:  # many short paragraphs, none of them scoring much
        return "".join(f'<div class="para"><p>The {topic} number {i} changes how the names are shown.</p></div>'
                       for i in range(10))

    example = "$ git name-rev 33db5f4\n33db5f4 tags/v0.99~940, tags/v0.99~941, tags/v0.99~942, tags/v0.99~943"
    html = ('<html><body><div id="header"><h1>git-name-rev(1) Manual Page</h1></div><div id="content">'
            + sect("DESCRIPTION", paragraphs("rule")) + sect("OPTIONS", paragraphs("option"))
            + sect("EXAMPLES", '<div class="listingblock"><div class="content"><pre>'
                               f'{example}, {example}</pre></div></div><div class="para"><p>{ARTICLE[3]}</p></div>')
            + sect("SEE ALSO", paragraphs("page"))
            + '</div><div id="footer"><div id="footer-text">Last updated 2022-09-22</div></div></body></html>')
    lines = ENGINES["density"](html).text.split("\n")
    assert {"The rule number 0 changes how the names are shown.", "OPTIONS", ARTICLE[3]} <= set(lines)
    assert {"The option number 9 changes how the names are shown.", "SEE ALSO"} <= set(lines)
    assert lines[-1] == "The page number 9 changes how the names are shown."
    assert "Last updated 2022-09-22" not in lines


def test_an_aside_in_the_text_is_kept_an_aside_beside_it_is_not():
    # Sphinx writes its "sidebar" directive as <aside class="sidebar"> inside a section (asyncio's "Hello
    # World!" example); a news page's <aside> beside the article is a column of links and blurbs.
    hello = "import asyncio\n\nasync def main():\n    print('Hello ...')"
    html = ('<html><body><main><section id="module-asyncio"><h1>asyncio</h1>'
            f'<aside class="sidebar"><p class="sidebar-title">Hello World!</p><pre>{hello}</pre></aside>'
            + "".join(f"<p>{p}</p>" for p in ARTICLE) + '</section></main>'
            '<aside><p>About us: a small newsroom that writes about harbours, budgets and the people who argue '
            'over both.</p></aside></body></html>')
    text = ENGINES["density"](html).text
    assert hello in text and ARTICLE[3] in text and "About us" not in text


def test_paragraphs_beside_a_winning_code_block_are_kept():
    # SQLite's C API pages: a struct's code block (many commas: it wins) in a <blockquote>, then its
    # description as bare <p>s in <body> beside a menu of links that keeps the widening from reaching them.
    struct = "struct sqlite3_module {\n" + "".join(
        f"  int (*xMethod{i})(sqlite3_vtab *pVTab, int argc, const char *const*argv, char**);\n"
        for i in range(12)) + "};"
    menu = "".join(f'<a href="/{w}.html">{w.title()} of the site</a> ' for w in
                   ("home", "about", "documentation", "download", "license", "support", "purchase", "search"))
    html = (f'<html><body><div class="nosearch">{menu}</div><blockquote><pre>{struct}</pre></blockquote>'
            f'<p>This structure, sometimes called a "virtual table module", defines the implementation of a '
            f'<a href="/vtab.html">virtual table</a>. {ARTICLE[0]}</p><p>{ARTICLE[3]}</p></body></html>')
    text = ENGINES["density"](html).text
    assert "  int (*xMethod11)(sqlite3_vtab *pVTab, int argc, const char *const*argv, char**);" in text
    assert "This structure, sometimes called" in text and ARTICLE[3] in text and "Home of the site" not in text


def test_a_reference_pages_name_line_and_synopsis_are_kept():
    # DocBook reference pages (PostgreSQL's 300 command pages) open with a refnamediv: the command as a heading
    # and its one-line summary. Both were short unpunctuated lines at the top edge, trimmed as a dateline
    # would be, with the "Synopsis" heading: every command page lost the sentence that says what it does.
    html = ('<html><body><div class="navheader"><table><tr><td><a href="p.html">Prev</a></td><th>SQL Commands</th>'
            '<td><a href="n.html">Next</a></td></tr></table></div><div class="refentry">'
            '<div class="refnamediv"><h2><span class="refentrytitle">SELECT</span></h2>'
            '<p>SELECT, TABLE, WITH — retrieve rows from a table or view</p></div>'
            '<div class="refsynopsisdiv"><h2>Synopsis</h2><pre class="synopsis">SELECT [ ALL | DISTINCT ]\n'
            '    [ * | expression [ [ AS ] output_name ] [, ...] ]</pre></div>'
            f'<div class="refsect1"><h2>Description</h2>{"".join(f"<p>{p}</p>" for p in ARTICLE)}</div>'
            '</div></body></html>')
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[:3] == ["SELECT, TABLE, WITH — retrieve rows from a table or view", "Synopsis",
                         "SELECT [ ALL | DISTINCT ]"]
    assert "Prev" not in lines and "SQL Commands" not in lines


def test_a_lead_in_sentence_opening_the_text_is_kept_and_a_label_is_not():
    # "The INSERT statement is used to populate a table with rows:" is short and has no full stop, so it was
    # cut as an edge line; a colon after four words ends a lead-in, while "Tags:" stays a label.
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    html = ('<html><body><div class="article"><p>The INSERT statement is used to populate a table with rows:</p>'
            f'<pre>INSERT INTO weather VALUES (\'San Francisco\', 46, 50);</pre>{body}<p>Tags:</p></div>'
            '</body></html>')
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[0] == "The INSERT statement is used to populate a table with rows:"
    assert lines[-1] == ARTICLE[-1]

def test_a_list_longer_than_the_edge_keeps_its_first_and_last_items():
    # pytest's release notes end with their contributors, one short name an item: the last three were cut as
    # edge lines ("Wolfremium" ended the page), and an authors page lost its first name. A list of more items
    # than the edge trims is content; a short one at the edge (tags, a menu's "Up: Home") is still trimmed.
    names = ["Anthony Sottile", "Bruno Oliveira", "Pax", "Tim Hoffmann", "Wolfremium", "Zach OBrien", "aizpurua23a"]
    contributors = "<ul>" + "".join(f"<li><p>{name}</p></li>" for name in names) + "</ul>"
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    html = (f'<html><body><div class="section">{contributors}{body}<p>Thanks to all of the contributors:</p>'
            f'{contributors}</div></body></html>')
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[:2] == ["- Anthony Sottile", "- Bruno Oliveira"] and lines[-3:] == ["- Wolfremium", "- Zach OBrien",
                                                                                       "- aizpurua23a"]
    tags = "<ul><li>ferries</li><li>harbour</li><li>Oslo</li></ul>"
    lines = ENGINES["density"](f'<html><body><div class="article">{body}{tags}</div></body></html>').text.split("\n")
    assert lines[-1] == ARTICLE[-1]



def test_an_asciidoc_manual_pages_name_line_in_its_header_is_kept():
    # AsciiDoc puts a man page's NAME section in <div id="header"> with the h1 ("header": chrome), so all
    # 195 git manual pages started at their synopsis, without "git-add - Add file contents to the index".
    headings = ["DESCRIPTION", "OPTIONS", "EXAMPLES"]
    sections = "".join(f'<div class="sect1"><h2>{h}</h2><div class="sectionbody"><div class="paragraph"><p>{p}</p>'
                       '</div></div></div>' for h, p in zip(headings, ARTICLE[:3], strict=True))
    html = ('<html><body class="manpage"><div id="header"><h1>git-add(1) Manual Page</h1><h2>NAME</h2>'
            '<div class="sectionbody"><p>git-add - Add file contents to the index</p></div></div>'
            '<div id="content"><div class="sect1"><h2>SYNOPSIS</h2><div class="sectionbody"><div class="verseblock">'
            f'<pre class="content">git add [--verbose | -v] [--] [&lt;pathspec&gt;…]</pre></div></div></div>{sections}'
            '</div><div id="footer"><div id="footer-text">Last updated 2023-05-01</div></div></body></html>')
    page = ENGINES["density"](html)
    assert page.title == "git-add(1) Manual Page"
    assert page.text.split("\n")[:3] == ["git-add - Add file contents to the index", "SYNOPSIS",
                                         "git add [--verbose | -v] [--] [<pathspec>…]"]
    assert "NAME" not in page.text.split("\n") and "Last updated" not in page.text


def test_sphinx_footnotes_in_nested_asides_are_kept():
    # docutils >= 0.18 writes footnotes as <aside class="footnote"> inside <aside class="footnote-list">: the
    # inner box has no paragraph of the text beside it, only its list, so it stayed dead while the outer one
    # was revived, and 44 pages of the Python manual lost their footnotes (the "Footnotes" rubric was then
    # trimmed as an edge line).
    footnote = ('<p class="rubric">Footnotes</p><aside class="footnote-list brackets"><aside class="footnote brackets"'
                ' id="id2" role="note"><span class="label"><span class="fn-bracket">[</span><a role="doc-backlink" '
                'href="#id1">1</a><span class="fn-bracket">]</span></span><p>Note that the parser only accepts the '
                'Unix-style end of line convention.</p></aside></aside>')
    html = sphinx_page(sphinx_section("built-in-functions", "Built-in Functions",
                                      "".join(f"<p>{p}</p>" for p in ARTICLE) + footnote))
    lines = ENGINES["density"](html).text.split("\n")
    note = "Note that the parser only accepts the Unix-style end of line convention."
    assert lines[-3:] == ["Footnotes", "[1]", note]


def test_headings_that_link_to_their_own_section_are_kept():
    # mdBook (the Rust book and reference) writes every heading as <h2><a class="header" href="#id">…</a></h2>,
    # and Sphinx's FAQ pages link each question to the table of contents: the heading was all link text and
    # dropped, so 77 chapters of the Rust book and the Python FAQ's questions came out without headings.
    html = ('<html><body><nav><ul><li><a href="/ch01.html">Getting Started</a></li></ul></nav><main>'
            '<h2 id="data-types"><a class="header" href="#data-types">Data Types</a></h2>'
            f'<p>{ARTICLE[0]}</p><h3 id="scalar-types"><a class="header" href="#scalar-types">Scalar Types</a></h3>'
            f'<p>{ARTICLE[1]}</p><h3><a class="toc-backref" href="#id3">What is Python?</a></h3><p>{ARTICLE[2]}</p>'
            '</main></body></html>')
    lines = ENGINES["density"](html).text.split("\n")
    assert "Scalar Types" in lines and "What is Python?" in lines and "Getting Started" not in lines


def test_an_h1_that_is_the_sites_name_in_the_title_is_not_the_headline():
    # mdBook puts the book's name in an h1 of its menu bar above every chapter; the <title> says which chapter
    # ("Data Types - The Rust Programming Language"): 80 chapters of the Rust book all had the book's name.
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    book = ('<html><head><title>Data Types - The Rust Programming Language</title></head><body><div class="menu-bar">'
            '<h1 class="menu-title">The Rust Programming Language</h1></div><main>'
            f'<h2 id="data-types"><a class="header" href="#data-types">Data Types</a></h2>{body}</main></body></html>')
    assert ENGINES["density"](book).title == "Data Types - The Rust Programming Language"
    news = ('<html><head><title>Harbour budget passes - City News</title></head><body><article>'
            f'<h1>Harbour budget passes</h1>{body}</article></body></html>')
    assert ENGINES["density"](news).title == "Harbour budget passes"


def test_a_texinfo_nav_table_is_page_chrome():
    # texi2html (LilyPond's manuals in 11 languages) puts the chapter and section links above and below the
    # text in <table class="nav_table">: its first row, 5 bracket pairs around 5 links, is under the row
    # link limit, and "nav_" did not match the class hint's "nav\b", so every page began and ended with
    # "[ << Tweaking output ] | [Top][Contents][Index] | [ Templates >> ]".
    nav = ('<table class="nav_table"><tr><td>[<a href="prev.html"> &lt;&lt; Tweaking output </a>]</td>'
           '<td>[<a href="index.html">Top</a>][<a href="toc.html">Contents</a>][<a href="ix.html">Index</a>]</td>'
           '<td>[<a href="next.html"> Templates &gt;&gt; </a>]</td></tr></table>')
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE)
    html = f'<html><body><div id="main">{nav}<h3>5.7.5 Advanced tweaks</h3>{paragraphs}{nav}</div></body></html>'
    text = ENGINES["density"](html).text
    assert "Tweaking output" not in text and "Templates" not in text
    assert all(p in text for p in ARTICLE)


def lines_between_paragraphs(fragment: str, markdown: bool = False) -> list[str]:
    """The density engine's lines of a page whose text is two article paragraphs around ``fragment``."""
    html = f"<html><body><div class='body'><p>{ARTICLE[0]}</p>{fragment}<p>{ARTICLE[1]}</p></div></body></html>"
    return ENGINES["density"](html, markdown=markdown).text.split("\n")


def test_a_changelog_box_labels_its_first_note():
    # Werkzeug (the Pallets theme): <details class="changelog"><summary>Changelog</summary> over its version
    # notes; "Changelog" stood alone 178 times in 15 pages, the most repeated line of the site
    box = ("<details class='changelog'><summary>Changelog</summary><div class='versionchanged'><p><span "
           "class='versionmodified changed'>Changed in version 2.0: </span>Return a timezone-aware datetime."
           "</p></div><div class='versionchanged'><p>Changed in version 0.15: Accept a string.</p></div></details>")
    lines = lines_between_paragraphs(box)
    assert "Changelog: Changed in version 2.0: Return a timezone-aware datetime." in lines and "Changelog" not in lines


def test_a_menu_is_a_list_and_a_formula_image_is_its_formula():
    # Graphviz's build notes list their steps in <menu> (old HTML's list), which was skipped as page chrome with
    # its code; Doxygen's manual and Sphinx's imgmath draw formulas as images whose alt is the formula
    # ("manual (in ) from", "this will first launch one task calculating , then ..."). Other images stay out.
    steps = ("<menu><li>Install MinGW and MSYS.</li><li>Configure the build:<pre>./configure --enable-static=yes"
             "</pre></li><li>Run make and make install.</li></menu>")
    html = (f"<html><body><div class='body'><p>{ARTICLE[0]}</p>{steps}<p>This manual (in <img class='formulaInl' "
            "alt='{\\LaTeX}' src='form_0.png'>) calculates <img class='math' alt='2 + 2' src='m.png'> and shows "
            f"<img src='logo.png' alt='Our logo'> a logo.</p><p>{ARTICLE[1]}</p></div></body></html>")
    lines = ENGINES["density"](html).text.split("\n")
    assert "- Install MinGW and MSYS." in lines and "./configure --enable-static=yes" in lines
    assert "This manual (in {\\LaTeX}) calculates 2 + 2 and shows a logo." in lines


def test_several_h1s_in_the_text_are_its_sections_not_its_headline():
    # SQLite names a page in <div class="fancy_title"> over h1 sections "1. Overview", "2. ...": 69 pages were
    # titled "1. Overview" or "1. Introduction" and lost that heading (Doxygen's manual: 17 more). The first
    # h1 is still the headline when the <title> names the page by it (Celery's "AMQP — Celery 5.2.6 ...").
    body = (f"<div class='fancy'><div class='fancy_title'>SQLite FTS5 Extension</div><h1>1. Overview of FTS5</h1>"
            f"<p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p><h1>2. Compiling and Using FTS5</h1><p>{ARTICLE[2]}</p></div>")
    page = ENGINES["density"](f"<html><head><title>SQLite FTS5 Extension</title></head><body>{body}</body></html>")
    assert page.title == "SQLite FTS5 Extension" and "1. Overview of FTS5" in page.text.split("\n")
    named = body.replace("1. Overview of FTS5", "AMQP")
    page = ENGINES["density"](f"<html><head><title>AMQP — Celery 5.2.6 documentation</title></head><body>{named}"
                              "</body></html>")
    assert page.title == "AMQP" and "AMQP" not in page.text.split("\n")


def test_a_linked_term_with_its_definition_and_a_linked_item_among_text_items_are_content():
    # git's command list (<dt><a>git-add(1)</a></dt><dd>Add file contents to the index.</dd>) lost all 183
    # names, Python's "See also" boxes their titles; SQLite's feature list its linked features ("Partial
    # indexes") among the plain ones. A menu (links throughout) still goes.
    commands = "".join(f"<dt><a href='git-{name}.html'>git-{name}(1)</a></dt><dd><p>{what}</p></dd>" for name, what in (
        ("add", "Add file contents to the index."), ("am", "Apply a series of patches from a mailbox."),
        ("bisect", "Use binary search to find the commit that introduced a bug.")))
    features = ("<ul><li>Up to 32K columns in a table and unlimited rows</li><li>Multi-column indexes</li>"
                "<li><a href='partialindex.html'>Partial indexes</a></li><li>Indexes can use <a href='d.html'>DESC</a>"
                " and <a href='c.html'>COLLATE</a></li><li><a href='upsert.html'>UPSERT</a></li></ul>")
    menu = "<ul>" + "".join(f"<li><a href='{n}.html'>Chapter {n}</a></li>" for n in range(1, 6)) + "</ul>"
    html = (f"<html><body><div class='body'><p>{ARTICLE[0]}</p><dl>{commands}</dl><p>{ARTICLE[1]}</p>{features}"
            f"<p>{ARTICLE[2]}</p>{menu}<p>{ARTICLE[3]}</p></div></body></html>")
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[1:3] == ["git-add(1)", "Add file contents to the index."] and "git-bisect(1)" in lines
    assert "- Partial indexes" in lines and "- UPSERT" in lines and not [line for line in lines if "Chapter" in line]


@pytest.mark.parametrize(("page", "kept", "chars"), [
    ("changelog-changelog_02", "cleanup on connection methods", 20_000),
    ("tutorial-index", "SQLAlchemy Core is the foundational architecture", 4_500),
    ("tutorial-metadata", "Declaring Mapped Classes", 18_000),
])
def test_navigation_by_name_is_chrome_and_the_pages_main_is_not(page: str, kept: str, chars: int):
    # SQLAlchemy's pages: the prev/next/up bar is <div id="docs-narrow-top-navigation"> ("navigation" named
    # no chrome) and the footer <div id="docs-bottom-navigation">; the text is <div role="main"
    # class="withsidebar"> ("sidebar" made the text itself unlikely: only readability's retry found it, with
    # the footer); its sections are <section class="core-header"> and its boxes <div class="orm-header docutils
    # container">, which "header" would make chrome once the text is found.
    html = gzip.decompress((FIXTURES / f"sqlalchemy-{page}.html.gz").read_bytes()).decode("utf-8")
    text = ENGINES["density"](html).text
    assert kept in text and len(text) > chars
    assert not [line for line in text.split("\n") if "Created using Sphinx" in line or line.startswith("- Up:")]


def test_an_index_table_goes_with_its_letters_and_header():
    # makeinfo's indices: a row a linked entry and its linked section, under letter rows and a header row
    # without links. The entries went as links; the letters and "Index Entry | Section" stayed (150 of the
    # 169 lines of autoconf's one-page manual's indices). A data table that keeps a row of links keeps all.
    entries = "".join(f"<tr><th id='i_letter-{letter}'>{letter}</th></tr>" + "".join(
        f"<tr><td></td><td><a href='#index-{letter}{n}'><code>{letter}_VAR{n}</code></a>:</td><td>&nbsp;</td>"
        f"<td><a href='#Sec{n}'>Special Shell Variables</a></td></tr>" for n in range(3)) for letter in "ABC")
    index = ("<table class='index-vr'><tr><td></td><th>Index Entry</th><td>&nbsp;</td><th>Section</th></tr>"
             f"{entries}</table>")
    data = ("<table><tr><th>command</th><th>package</th></tr><tr><td><a href='p.html'>pager</a></td>"
            "<td><a href='less.html'>less</a></td></tr><tr><td>top</td><td>procps</td></tr></table>")
    html = (f"<html><body><div class='appendix'><h2>B.1 Environment Variable Index</h2><p>{ARTICLE[0]}</p>{data}"
            f"<p>{ARTICLE[1]}</p>{index}</div></body></html>")
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[-1] == ARTICLE[1] and "command | package" in lines and "top | procps" in lines


def test_a_list_of_linked_signatures_is_content_and_a_menu_of_names_is_not():
    # pytest: "The monkeypatch fixture provides these helper methods ...:" over nine linked signatures, all
    # dropped as a list of links. A link whose text is a call with its arguments, in code, names an API; a
    # list of linked names without arguments is still a menu.
    methods = ["monkeypatch.setattr(obj, name, value, raising=True)", "monkeypatch.delattr(obj, name, raising=True)",
               "monkeypatch.setenv(name, value, prepend=None)", "monkeypatch.chdir(path)"]
    api = "".join(f"<li><a href='ref.html#{n}'><code><span class='pre'>{m}</span></code></a></li>"
                  for n, m in enumerate(methods))
    menu = "".join(f"<li><a href='ref.html#{m}'><code>{m}()</code></a></li>" for m in ("getcwd", "listdir", "chdir"))
    html = (f"<html><body><div class='body'><p>{ARTICLE[0]}</p><p>The monkeypatch fixture provides these helper "
            f"methods for safely patching and mocking functionality in tests:</p><ul>{api}</ul><p>{ARTICLE[1]}</p>"
            f"<p>{ARTICLE[2]}</p><ul>{menu}</ul><p>{ARTICLE[3]}</p></div></body></html>")
    lines = ENGINES["density"](html).text.split("\n")
    assert [f"- {m}" for m in methods] == [line for line in lines if line.startswith("- monkeypatch.")]
    assert not [line for line in lines if "getcwd" in line]


def test_the_title_of_a_box_of_links_goes_with_its_links():
    # docutils' table of contents: <p class="topic-title">Contents</p> over its list of links, which goes as
    # navigation; the title stayed, a lone "Contents" line in 17 of lxml's 45 pages. An item of a list whose
    # next item went (a link) is no box's title: the Rust reference's "Range expressions." stays.
    toc = ("<div class='contents topic' id='contents'><p class='topic-title'>Contents</p><ul class='simple'>"
           + "".join(f"<li><a class='reference internal' href='#s{n}'>Section {n}</a></li>" for n in range(6))
           + "</ul></div>")
    items = ("<p>They are never allowed before:</p><ul><li>Range expressions.</li><li><a href='#a'>Assignment "
             "expressions</a></li><li><a href='#c'>Compound assignment expressions</a></li></ul>")
    html = (f"<html><body><div class='document'><h1>lxml</h1><p>{ARTICLE[0]}</p>{toc}<p>{ARTICLE[1]}</p>{items}"
            f"<p>{ARTICLE[2]}</p></div></body></html>")
    lines = ENGINES["density"](html).text.split("\n")
    assert "Contents" not in lines and "- Range expressions." in lines


def test_makeinfo_footnotes_beside_the_node_are_kept():
    # makeinfo writes a node's footnotes in <div class="footnote"> after the node's <div>, and "foot" weighs as
    # a page footer: libgcrypt's and autoconf's 11 footnotes were all dropped. A footer beside it still goes.
    note = ("At least this is true for POSIX threads, as pthread_create is a function that synchronizes memory "
            "with respect to other threads.")
    html = ("<html><body><div class='section' id='Multi_002dThreading'><h3>2.5 Multi-Threading</h3>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE) + "<p>Call it first<a id='DOCF1' href='#FOOT1'><sup>1</sup>"
            f"</a>.</p></div><div class='footnote'><hr><h4 class='footnotes-heading'>Footnotes</h4><h5><a id='FOOT1'"
            f" href='#DOCF1'>(1)</a></h5><p>{note}</p></div><div class='footer'><p>Copyright 2024 the authors, all "
            "rights reserved, see the licence page for the terms of reuse.</p></div></body></html>")
    text = ENGINES["density"](html).text
    assert text.endswith(note) and "Copyright" not in text


def test_texi2html_178_pages_lose_their_bars_and_keep_their_lists_and_sections():
    # gettext's manual (texi2html 1.78): an unnamed table above and below each chapter, a link in brackets a
    # cell ("[ << ] | [ >> ] | [Top] | [Contents] | [Index] | [ ? ]", the "<<" to an in-page anchor, dropped,
    # left "[]"), every itemized list written as <ul class="toc"> (its encodings by language were dropped as a
    # table of contents), and "7.1 Invoking the msgmerge Program" over its h3s cut as a short edge line. A data
    # row with a linked name in brackets (Python's "[tp_cache] | PyObject *") is no bar.
    cells = ['<a href="#SEC262"> &lt;&lt; </a>', '<a href="g_8.html"> &gt;&gt; </a>', "&nbsp;",
             '<a href="t.html">Top</a>', '<a href="t.html#c">Contents</a>', '<a href="g_21.html">Index</a>',
             '<a href="abt.html"> ? </a>']
    bar = "<table><tr>" + "".join(f"<td>[{cell}]</td>" if "<a" in cell else f"<td>{cell}</td>" for cell in cells)
    bar += "</tr></table>"
    encodings = ("<ul class='toc'><li><code>ISO-8859-1</code> for Afrikaans, Albanian, Basque, Breton</li>"
                 "<li><code>ISO-8859-2</code> for Bosnian, Croatian, Czech</li><li><code>KOI8-R</code> for Russian</li>"
                 "<li><code>EUC-JP</code> for Japanese</li></ul>")
    toc = "<ul class='toc'>" + "".join(f"<li><a href='g_{n}.html'>{n}. Chapter {n}</a></li>" for n in range(1, 9))
    toc += "</ul>"
    slots = "<table><tr><td>[<a href='#tp_cache'>tp_cache</a>]</td><td>PyObject *</td></tr></table>"
    html = (f"<html><head><title>GNU gettext utilities: 7. Updating Existing PO Files</title></head><body>{bar}"
            "<hr><h1>7. Updating Existing PO Files</h1><h2><a href='toc.html#TOC47'>7.1 Invoking the msgmerge "
            f"Program</a></h2><p>{ARTICLE[0]}</p><h3>7.1.1 Input file location</h3><p>{ARTICLE[1]}</p>{encodings}"
            f"<h3>7.1.2 Operation mode</h3><p>{ARTICLE[2]}</p>{slots}{toc}{bar}</body></html>")
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[0] == "7.1 Invoking the msgmerge Program"
    assert not [line for line in lines if "Contents" in line or line.startswith("[]")]
    assert "- ISO-8859-2 for Bosnian, Croatian, Czech" in lines and "- EUC-JP for Japanese" in lines
    assert "[tp_cache] | PyObject *" in lines and not [line for line in lines if "Chapter" in line]


def fpdoc_page(title: str, summary: str, *sections: str) -> str:
    """A page as fpdoc writes Free Pascal's reference: a bar table above the h1, everything in <body>."""
    bar = ('<table class="bar"><tr><td><b>[<a href="index.html">Overview</a>][<a href="index-2.html">Constants</a>]'
           '[<a href="index-3.html">Types</a>][<a href="index-4.html">Classes</a>][<a href="index-5.html">Procedures '
           'and functions</a>][<a href="index-8.html">Index</a>]</b></td><td align="right">'
           '<span class="bartitle">Reference for unit \'Classes\' (<a href="../index.html">#rtl</a>)</span></td>'
           '</tr></table>')
    return f"<html><body>{bar}<h1>{title}</h1><p>{summary}</p>{''.join(sections)}</body></html>"


def test_a_bar_row_of_bracketed_links_is_chrome_and_the_summary_under_the_h1_stays():
    # fpdoc opens every page with "[Overview][Types][Classes][Index] | Reference for unit 'Classes' (#rtl)": a row under
    # the row link limit, the first line of 1,701 of 1,896 kept pages. Its menu cell is a menu line, what is left above
    # the headline is an edge; the page's one-line summary under the h1 stays (it had only stayed because the bar row
    # stopped the edge trimming). A cell of links between commas or spaces is a data cell: a name and its footnote in
    # docutils' tables. A table of several rows above the headline is data (a PEP's header).
    data = ('<table><tr><td><a href="a.html">TList</a>, <a href="b.html">TFPList</a></td><td>lists of pointers'
            '</td></tr><tr><td><a href="i.txt">isogrk4.txt</a>  <a class="footnote-reference" href="#f1">[1]</a>'
            '</td><td>Greek Symbols</td></tr><tr><td><a href="http://a.example/14565">http://a.example/14565</a>/'
            '<a href="https://b.example/msg70.html">https://b.example/msg70.html</a></td><td>threads</td></tr></table>')
    html = fpdoc_page("TStrings", "Class to manage arrays or collections of strings",
                      f"<h2>Description</h2><p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p><h2>See also</h2>{data}")
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[:2] == ["Class to manage arrays or collections of strings", "Description"]
    assert not any("Overview" in line or "Reference for unit" in line for line in lines)
    assert lines[-3:] == ["TList, TFPList | lists of pointers", "isogrk4.txt [1] | Greek Symbols",
                          "http://a.example/14565/https://b.example/msg70.html | threads"]  # addresses are text
    unit = fpdoc_page("Reference for unit 'base64'", "Unit implementing base64 encoding",
                      "<table><tr><td><p><tt>uses</tt></p></td></tr><tr><td><p><tt>System, Classes;</tt></p></td></tr>"
                      f"</table><h2>Overview</h2><p>{ARTICLE[0]}</p>").replace('[<a href="index.html">Overview</a>]',
                                                                              "[Overview]")  # the current page
    assert ENGINES["density"](unit).text.startswith("Unit implementing base64 encoding\nuses\n")
    constant = fpdoc_page("POLLIN", "Data is available for reading", "<h2>Declaration</h2><p>Source position: "
                          "ostypes.inc line 214</p><table><tr><td><p><tt>const POLLIN = $0001;</tt></p></td></tr>"
                          "</table>")
    assert ENGINES["density"](constant).text.startswith("Data is available for reading\nDeclaration\n")
    pep = ('<html><body><table class="rfc2822"><tr><th>PEP:</th><td>256</td></tr><tr><th>Title:</th><td>Docstring '
           f'Processing System Framework</td></tr></table><h1>Abstract</h1><p>{ARTICLE[0]}</p><h1>Rationale</h1>'
           f'<p>{ARTICLE[1]}</p></body></html>')
    assert ENGINES["density"](pep).text.startswith("PEP: | 256\nTitle: | Docstring Processing System Framework\n")


def test_a_badge_or_a_contents_title_above_the_first_section_is_still_an_edge():
    # A paragraph alone before the first section heading is kept as the page's summary, but gi-docgen's
    # "since: 4.8" badge is a label, and "Contents" is the title of a table of contents whose links went.
    sections = f"<h4>Declaration</h4><p>{ARTICLE[0]}</p><h4>Description</h4><p>{ARTICLE[1]}</p>"
    badge = f'<html><body><h1>ContentFit</h1><p><span class="emblem">since: 4.8</span></p>{sections}</body></html>'
    toc = ('<html><body><h1>LLVM-style RTTI</h1><div class="contents"><p class="topic-title">Contents</p><ul>'
           f'<li><a href="#a">Declaration</a></li><li><a href="#b">Description</a></li></ul></div>{sections}'
           '</body></html>')
    for html in (badge, toc):
        assert ENGINES["density"](html).text.startswith("Declaration\n")


def test_a_grammar_production_is_code():
    # The Ada manual writes its syntax as <br>-ended lines indented with &nbsp;, every nonterminal linked: as
    # prose, 7 of the 9 productions on its page on expressions were dropped as link lists.
    def nt(name: str) -> str:
        return f'<span class="swiss"><a href="#{name}">{name}</a></span>'

    relation = (f'<div class="Indented1">{nt("relation")}<span class="swiss">&nbsp;::=&nbsp;</span><br>'
                f'&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;{nt("simple_expression")}&nbsp;[{nt("relational_operator")}&nbsp;'
                f'{nt("simple_expression")}]<br>&nbsp;&nbsp;&nbsp;|&nbsp;{nt("raise_expression")}</div>')
    one = (f'<div class="Indented1">{nt("term")} ::= {nt("factor")} {{{nt("multiplying_operator")} '
           f'{nt("factor")}}}</div>')
    html = (f"<html><body><div class='body'><h1>4.4 Expressions</h1><p>{ARTICLE[0]}</p><h4>Syntax</h4>"
            f"{relation}{one}<p>{ARTICLE[1]}</p></div></body></html>")
    result = ENGINES["density"](html)
    lines = result.text.split("\n")
    assert lines[lines.index("Syntax") + 1:lines.index(ARTICLE[1])] == [
        "relation ::=", "     simple_expression [relational_operator simple_expression]", "   | raise_expression",
        "term ::= factor {multiplying_operator factor}"]
    start = lines.index("relation ::=")
    assert result.code_lines == [[start, start + 4]]  # code, exempt from the filter's prose rules


def test_of_hidden_alternatives_that_a_script_picks_from_the_last_is_kept():
    # LibreOffice's help hides each platform's variant of a key name and of a code example and unhides one by
    # the reader's platform: with none kept, every Basic example and the "Ctrl" of every shortcut were lost.
    # A hidden element with visible siblings (a closed dialog, a folded panel) is still not text.
    keys = ('<span class="switchinline"><span hidden="true" class="MAC">Command</span>'
            '<span hidden="true" id="default1">Ctrl</span></span>')
    example = ('<span class="switch"><span hidden="true" class="WIN"><div class="bascode"><pre><code>Sub Main\n'
               '    Open "C:\\Temp.txt" For Output As i\nEnd Sub</code></pre></div></span>\n<span hidden="true" '
               'id="default2"><div class="bascode"><pre><code>Sub Main\n    Open "~/temp.txt" For Output As i\n'
               'End Sub</code></pre></div></span></span>')
    writer = ('<p><span class="switchinline"><span hidden="true" class="WRITER">Double-click the Page Style field '
              'to open the Page Style dialog.</span></span></p>')  # a lone variant: text for one application
    html = (f'<html><body><div id="DisplayArea"><h1>Full Screen</h1><p>{ARTICLE[0]} Press {keys}+Shift+J to '
            f'switch.</p><div><p hidden>A dialog that is never shown.</p><p>{ARTICLE[1]}</p></div>{example}'
            f'<p>{ARTICLE[2]}</p>{writer}</div></body></html>')
    lines = ENGINES["density"](html).text.split("\n")
    assert f"{ARTICLE[0]} Press Ctrl+Shift+J to switch." in lines and "Command" not in " ".join(lines)
    assert lines[lines.index(ARTICLE[1]) + 1:lines.index(ARTICLE[2])] == [
        "Sub Main", '    Open "~/temp.txt" For Output As i', "End Sub"]
    assert "never shown" not in " ".join(lines)
    assert lines[-1] == "Double-click the Page Style field to open the Page Style dialog."


@pytest.mark.parametrize("box", ['<div class="howtogetbody"><p>Choose View - Master Slide.</p></div>',
                                 '<div class="note"><div class="notetext"><p>Choose View - Master Slide.</p></div>'
                                 '</div>'], ids=["howtogetbody", "notetext"])
def test_a_box_named_body_or_text_without_a_separator_does_not_win_the_page(box):
    # LibreOffice's help puts a command's menu path in <div class="howtogetbody"> and its notes in "notetext":
    # the class weighed for the block as readability's "body" and "text" would (+25), the one-line box won the
    # page, and the command pages came out as their first sentence (22 of 294 English pages under half of
    # trafilatura's text). "post-body", "card-body", "articleBody" still weigh.
    sections = "".join(f'<div class="embedded"><h2><a href="m{k}.html">Master {k}</a></h2><p>{p}</p></div>'
                       for k, p in enumerate(ARTICLE[1:]))
    html = (f'<html><body><div id="DisplayArea"><h1>Master View</h1><p>{ARTICLE[0]}</p><div class="howtoget">'
            f'{box}</div>{sections}</div></body></html>')
    text = ENGINES["density"](html).text
    assert all(p in text for p in ARTICLE) and "Choose View - Master Slide." in text


def test_a_row_of_separators_alone_is_a_drawing():
    # fpdoc's inheritance tree: a "|" row between each class and its parent came out as 1,067 lines "|" in 3,000
    # pages; Octave's manual rules its tables with rows of dashes
    tree = "<tr><td align=\"center\">|</td></tr>".join(
        f'<tr><td><p><tt><a href="{name.lower()}.html">{name}</a></tt></p></td><td><p>&nbsp;</p></td>'
        f'<td><p class="cmt">{what}</p></td></tr>'
        for name, what in [("TStringList", "Default implementation of TStrings"),
                           ("TStrings", "Class to manage arrays or collections of strings"),
                           ("TPersistent", "Base class for streaming system")])
    html = fpdoc_page("TStringList", "Default implementation of TStrings.", f"<p>{ARTICLE[0]}</p>",
                      f"<h2>Inheritance</h2><table>{tree}</table><p>{ARTICLE[1]}</p><table><tr><td>- | -</td>"
                      "<td>—</td></tr><tr><td>0</td><td>-</td></tr></table>")
    lines = ENGINES["density"](html).text.split("\n")
    assert lines[lines.index("Inheritance") + 1:lines.index(ARTICLE[1])] == [
        "TStringList | Default implementation of TStrings", "TStrings | Class to manage arrays or collections of "
        "strings", "TPersistent | Base class for streaming system"]
    assert lines[-1] == "0 | -" and "- | - | —" not in lines  # a row with a value keeps its separators


def test_the_parts_of_a_docbook_book_on_one_page_are_one_text():
    # CLISP's implementation notes: a DocBook book of 5 parts on one page. A part scores only the paragraphs
    # within three levels of it; the one that won was a fifth of the book, too small to widen to it, and 2 of
    # the 5 parts were kept (248,000 of trafilatura's 663,029 characters).
    def chapter(k: int, depth: int) -> str:
        body = "".join(f"<p>{p} Chapter {k}.</p>" for p in ARTICLE * (2 if depth == 1 else 1))
        for level in range(depth):
            body = f'<div class="sect{level + 1}"><h{level + 3}>{k}.{level} Section</h{level + 3}>{body}</div>'
        return f'<div class="chapter"><h2>Chapter {k}</h2>{body}</div>'

    toc = "".join(f'<dt><a href="#c{k}">Chapter {k}</a></dt>' for k in range(22))
    shapes = [(0, 2, 1), *((2 + 4 * n, 4, 3) for n in range(5))]  # (first chapter, chapters, section depth)
    parts = [f'<div class="part"><h1>Part {n}</h1>{"".join(chapter(first + k, depth) for k in range(count))}</div>'
             for n, (first, count, depth) in enumerate(shapes)]
    html = (f'<html><body><div class="book"><div class="titlepage"><h1>Implementation Notes</h1></div>'
            f'<div class="toc"><dl>{toc}</dl></div><div class="preface"><h1>Overview</h1><p>{ARTICLE[3]} Preface.'
            f'</p></div>{"".join(parts)}</div></body></html>')
    text = ENGINES["density"](html).text
    assert all(f"{ARTICLE[0]} Chapter {k}." in text for k in range(22)) and f"{ARTICLE[3]} Preface." in text


def test_the_first_section_heading_at_the_top_of_the_text_is_kept():
    # LilyPond's "5.1.4 Tweaking methods" opens with its first h4, "The \override command", and has more h4s
    # below: a section heading, not a kicker, so the top-edge trim keeps it. The page's own name (in the
    # <title>) is still trimmed: PostgreSQL's "dropdb" h2 above its "Synopsis" and "Description" h2s.
    sections = "".join(f"<h4>The \\{name} command</h4><p>{p}</p>"
                       for name, p in zip(("override", "revert", "once"), ARTICLE, strict=False))
    html = f"<html><head><title>Manual: Tweaking methods</title></head><body><div>{sections}</div></body></html>"
    assert ENGINES["density"](html).text.startswith("The \\override command\n" + ARTICLE[0])
    named = "".join(f"<h2>{h}</h2><p>{p}</p>" for h, p in zip(("dropdb", "Synopsis", "Description"), ARTICLE,
                                                              strict=False))
    html = f"<html><head><title>dropdb</title></head><body><div>{named}</div></body></html>"
    assert ENGINES["density"](html).text.startswith(ARTICLE[0])


def test_a_terms_id_is_its_slug_not_a_chrome_hint():
    # DocBook gives each term of a variable list the id of its anchor: PostgreSQL's "GUC-SHARED-BUFFERS" said
    # "share" (a share-button hint), so the term of every setting named shared_* or extra_* was dropped and
    # its description stood under the previous setting's name.
    terms = ("shared_buffers (integer)", "huge_pages (enum)", "extra_float_digits (integer)", "work_mem (integer)")
    items = "".join(f'<dt id="GUC-{t.split()[0].upper().replace("_", "-")}"><code>{t.split()[0]}</code> '
                    f'{t.split()[1]}</dt><dd><p>{p}</p></dd>' for t, p in zip(terms, ARTICLE, strict=True))
    html = f'<html><body><div class="sect2"><h3>Memory</h3><dl class="variablelist">{items}</dl></div></body></html>'
    lines = ENGINES["density"](html).text.split("\n")
    assert all(t in lines for t in terms), lines


def test_a_block_of_class_code_keeps_its_lines_and_indentation():
    # SiSU (the Live Systems manual, 10 languages) writes code as <p class="code">, a line per <br>, indented
    # with &nbsp;: as prose its directory trees came out flat and its shell lines were judged as sentences.
    tree = ("-- config<br>\n&nbsp;&nbsp;&nbsp;&nbsp;[...]<br>\n&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;|-- includes.chroot<br>\n"
            "&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;|&nbsp;&nbsp;&nbsp;`-- var<br>\n")
    html = (f'<html><body><div class="main_column"><p>{ARTICLE[0]}</p><p class="code">\n    $ lb config<br>\n  </p>'
            f'<p>{ARTICLE[1]}</p><p class="code">\n    {tree}  </p><p>{ARTICLE[2]}</p></div></body></html>')
    out = ENGINES["density"](html)
    lines = out.text.split("\n")
    first = lines.index("-- config")
    assert lines[first:first + 4] == ["-- config", "    [...]", "     |-- includes.chroot", "     |   `-- var"]
    assert [first, first + 4] in out.code_lines and "$ lb config" in lines


def test_a_version_or_c_api_note_joins_its_entrys_paragraph():
    # Sphinx's "New in version 3.2." and CPython's "Return value: New reference. Part of the Stable ABI." stood
    # alone on 2,000 lines of the Python manual, each line in 5-13% of its pages: a note of one line joins
    # the sentence before it in its entry, or, first in the entry, the paragraph after it.
    added = "<div class='versionadded'><p><span class='versionmodified added'>New in version {}.</span></p></div>"
    abi = "<em class='stableabi'> Part of the <a href='stable.html#stable'>Stable ABI</a>.</em>"
    entries = (
        "<dl class='py function'><dt class='sig'><span class='sig-name'>getsize</span>(path)</dt><dd>"
        f"<p>Return the size, in bytes, of path.</p>{added.format('3.2')}"
        "<div class='versionchanged'><p><span class='versionmodified changed'>Changed in version 3.6: </span>"
        "Accepts a path-like object.</p></div></dd></dl>"
        "<dl class='c function'><dt class='sig'>PyObject *PyTuple_New(Py_ssize_t len)</dt><dd><em class='refcount'>"
        f"Return value: New reference.</em>{abi}<p>Return a new tuple object of size len.</p></dd></dl>"
        f"<dl class='c var'><dt class='sig'>PyTypeObject PyTuple_Type</dt><dd><em class='refcount'>Return value: "
        f"Borrowed reference.</em>{abi}</dd></dl>"
        f"<p>You can disable untrusted content in the accept_content setting:</p>{added.format('3.0.18')}"
        f"<div class='admonition warning'><p class='admonition-title'>Warning</p>{added.format('3.4')}"
        "<p>Comparing them raises TypeError.</p></div>")
    html = (f"<html><body><div class='body' role='main'><h1>os.path</h1><p>{ARTICLE[0]}</p>{entries}"
            f"<p>{ARTICLE[1]}</p></div></body></html>")
    lines = ENGINES["density"](html).text.split("\n")
    assert "Return the size, in bytes, of path. New in version 3.2." in lines
    assert "Changed in version 3.6: Accepts a path-like object." in lines  # a note with its own text stays
    assert ("Return value: New reference. Part of the Stable ABI. Return a new tuple object of size len."
            in lines)
    assert "Return value: Borrowed reference. Part of the Stable ABI." in lines  # alone in its entry: one line
    assert lines[lines.index("You can disable untrusted content in the accept_content setting:") + 1] == \
        "New in version 3.0.18."  # never after a lead-in
    assert "Warning: New in version 3.4. Comparing them raises TypeError." in lines
    markdown = ENGINES["density"](html, markdown=True).text.split("\n")
    assert "**Warning:** New in version 3.4. Comparing them raises TypeError." in markdown
    assert "Return the size, in bytes, of path. New in version 3.2." in markdown


def test_a_version_notes_title_labels_its_paragraph_inside_another_box_too():
    # Django titles its version notes (<span class="title">Changed in Django 3.2:</span>, alone 69 times in 39
    # pages); rustdoc writes "👎 Deprecated since 1.33.0:" over its message; Python puts a version note in a
    # "Note" box, whose label had stood alone since the note became a box of its own.
    boxes = ("<div class='versionchanged'><span class='title'>Changed in Django 3.2:</span> <p>The no_key argument "
             "was added.</p><p>The of argument was allowed on MySQL 8.0.1+.</p></div>"
             "<div class='stab deprecated'><span class='emoji'>👎</span> Deprecated since 1.33.0: <p>superseded by "
             "trim_start</p></div>"
             "<div class='admonition note'><p class='admonition-title'>Note</p><div class='versionchanged'><p><span "
             "class='versionmodified changed'>Changed in version 3.8: </span>Timeouts may exceed one day.</p></div>"
             "</div>")
    lines = lines_between_paragraphs(boxes)
    assert "Changed in Django 3.2: The no_key argument was added." in lines
    assert "The of argument was allowed on MySQL 8.0.1+." in lines
    assert "👎 Deprecated since 1.33.0: superseded by trim_start" in lines
    assert "Note: Changed in version 3.8: Timeouts may exceed one day." in lines and "Note" not in lines


def test_a_row_of_links_in_a_table_of_text_is_a_row_of_the_table():
    # The Debian Reference links every cell of some package rows (name, popcon, size and a description that
    # names the project): 4 of the 11 browsers went as rows of links, and so did most of Python's os-to-pathlib
    # table (each cell a linked function). A table with rows of text keeps them, as wide as its rows of text;
    # a menu table, or a layout table's one-cell menu row, does not.
    def linked(*cells: str) -> str:
        return "<tr>" + "".join(f"<td><a href='/p/{k}'>{c}</a></td>" for k, c in enumerate(cells)) + "</tr>"
    browsers = ("<table><tr><th>package</th><th>popcon</th><th>size</th><th>description</th></tr>"
                "<tr><td><a href='/p/chromium'>chromium</a></td><td><a href='/q'>V:37, I:118</a></td><td><a "
                "href='/s'>212471</a></td><td>Chromium, (open-source browser from Google)</td></tr>"
                f"{linked('konqueror', 'V:19, I:90', '25504', 'KDE, Konqueror')}"
                f"{linked('lynx', 'V:12, I:124', '1935', 'Lynx')}</table>")
    menu = "<table>" + linked("Home", "Download") + linked("Documentation", "Community") + "</table>"
    layout = ("<table><tr><td colspan='2'><a href='/docs'>Back to the documentation index</a></td></tr><tr><td>Install "
              "the <a href='/p'>package</a> first, then run it.</td><td>It takes a minute.</td></tr><tr><td>Then "
              "configure it.</td><td>Restart.</td></tr></table>")
    lines = lines_between_paragraphs(f"{browsers}<p>{ARTICLE[2]}</p>{menu}{layout}")
    assert "konqueror | V:19, I:90 | 25504 | KDE, Konqueror" in lines and "lynx | V:12, I:124 | 1935 | Lynx" in lines
    assert "chromium | V:37, I:118 | 212471 | Chromium, (open-source browser from Google)" in lines
    assert not {"Home | Download", "Documentation | Community"} & set(lines)
    assert "Then configure it. | Restart." in lines and "Back to the documentation index" not in lines


def test_a_terms_label_starts_its_definitions_paragraph():
    # Sphinx's field lists and Javadoc's notes write "Returns:", "Return type:", "Parameters:" as terms over
    # their definitions; alone on a line each was among the most repeated lines of an API reference. A term
    # that is code with a colon ("GCRYCTL_GET_KEYLEN:", "range:") is a name, and stays its line.
    fields = ("<dl class='field-list simple'><dt class='field-odd'>Returns<span class='colon'>:</span></dt><dd "
              "class='field-odd'><p>The exit code of the CLI.</p></dd><dt class='field-even'>Return type<span "
              "class='colon'>:</span></dt><dd class='field-even'><p>int</p></dd></dl>"
              "<dl class='notes'><dt>Parameters:</dt><dd><code>index</code> - index of the element</dd>"
              "<dd><code>from</code> - where to start</dd><dt>Raises:</dt><dd><ul><li>ValueError</li></ul></dd></dl>"
              "<dl><dt><code>GCRYCTL_GET_KEYLEN:</code></dt><dd>Return the length of the key.</dd>"
              "<dt><code>None</code>:</dt><dd>The host header is unmodified.</dd></dl>")
    lines = lines_between_paragraphs(fields)
    assert "Returns: The exit code of the CLI." in lines and "Return type: int" in lines
    assert "Parameters: index - index of the element" in lines and "from - where to start" in lines
    assert lines[lines.index("Raises:") + 1] == "- ValueError"  # before a list it stays a line
    assert lines[lines.index("GCRYCTL_GET_KEYLEN:") + 1] == "Return the length of the key."
    assert "None: The host header is unmodified." in lines
    markdown = lines_between_paragraphs(fields, markdown=True)
    assert "**Return type:** int" in markdown and "`None`: The host header is unmodified." in markdown
