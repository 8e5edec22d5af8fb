"""The run report: its figures against the stages' own completion markers and .seq headers, rendered in a real
browser (headless Chromium: every plot loads, the page shows the markers' numbers, a screenshot is kept), and
tolerance of missing or broken inputs."""

import html
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pipeline_data import PARTS, pipeline_root

from lion1b.contract import open_records
from lion1b.report.cli import main as report_main
from lion1b.tokenize.seqfile import SeqFile

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
STAGE_FILES = {"extract": "extracted", "filter": "filtered", "dedupe": "deduped", "scrub_pii": "scrubbed",
               "tokenize": "train"}


def markers(data: Path, prefix: str) -> list[dict]:
    suffix = ".seq" if prefix == "train" else ".txt"
    return [json.loads((data / f"{prefix}_thread{t}{suffix}.done").read_text()) for t in range(PARTS)]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, dict]:
    root = pipeline_root(tmp_path_factory)
    out = tmp_path_factory.mktemp("report")
    report_main(["--data-dir", str(root / "data"), "--out", str(out),
                 "--tokenizer", str(root / "tokenizer" / "tokenizer.model")])
    return root / "data", out, json.loads((out / "report.json").read_text())


def test_report_figures_equal_the_stages_summaries(built) -> None:
    data, _, report = built
    stages = {s["key"]: s for s in report["stages"]}
    assert list(stages) == ["crawl", "extract", "filter", "dedupe", "scrub_pii", "tokenize"]
    for key, prefix in STAGE_FILES.items():
        ms = markers(data, prefix)
        assert stages[key]["marker"]["in"] == sum(m["stats"]["in"] for m in ms), key
        assert stages[key]["marker"]["out"] == sum(m["stats"]["out"] for m in ms), key
        dropped = Counter()
        for m in ms:
            dropped.update(m["stats"]["dropped"])
        assert stages[key]["marker"]["dropped"] == dict(dropped), key
    # characters and languages are counted in the shards themselves
    final = [r for t in range(PARTS) for r in open_records(data / f"scrubbed_thread{t}.txt")]
    assert stages["scrub_pii"]["chars"] == sum(len(r["text"]) for r in final)
    kept = Counter(r["lang"] for r in final)
    assert {row["lang"]: row["kept"] for row in report["languages"] if row["kept"]} == dict(kept)
    ja = next(row for row in report["languages"] if row["lang"] == "ja")
    filter_drops = sum(m["stats"]["dropped"].get("lang:ja", 0) for m in markers(data, "filtered"))
    assert ja["kept"] == 0 and ja["dropped_filter"] == filter_drops > 0
    # PII by type equals the scrub markers' pii_* counters
    pii = Counter()
    for m in markers(data, "scrubbed"):
        pii.update({k[4:]: v for k, v in m["stats"]["counters"].items() if k.startswith("pii_")})
    assert report["pii"]["by_type"] == dict(pii) and pii
    # duplicates: the dedupe markers' drops, clusters from the duplicate map
    dedupe_drops = sum(sum(m["stats"]["dropped"].values()) for m in markers(data, "deduped"))
    assert report["dedupe"]["duplicates"] == dedupe_drops > 0
    assert sum((int(size) - 1) * n for size, n in report["dedupe"]["cluster_sizes"].items()) == dedupe_drops
    # train/test: .seq headers and the packer's counters
    starts = 0
    for split in ("train", "test"):
        seqs = [SeqFile(data / f"{split}_thread{t}.seq") for t in range(PARTS)]
        figures = report["packing"]["splits"][split]
        assert figures["sequences"] == sum(len(s) for s in seqs)
        assert figures["tokens"] == sum(s.header.n_tokens for s in seqs)
        counters = [m["stats"]["counters"] for m in markers(data, "train")]
        assert figures["tail_tokens_dropped"] == sum(c[f"{split}_tail_tokens_dropped"] for c in counters)
        assert figures["tokens"] + figures["tail_tokens_dropped"] == sum(c[f"{split}_tokens_encoded"] for c in counters)
        assert all(f["marker_problem"] is None for f in figures["files"])  # every file vouched for by its marker
        starts += sum(s.doc_starts(i).size for s in seqs for i in range(len(s)))
    lengths = report["packing"]["doc_token_lengths"]  # one length per document start
    assert lengths["n"] == sum(lengths["counts"]) == starts > 0
    assert report["text_lengths"]["n"] == len(final) and report["text_lengths"]["max"] == max(len(r["text"])
                                                                                             for r in final)
    # the fixture writes raw pages without crawl markers: the report says so instead of failing
    assert any("crawl: 2 of 2 part(s) have no completion marker" in w for w in report["warnings"])
    raw = [r for t in range(PARTS) for r in open_records(data / f"raw_html_thread{t}.txt")]
    assert stages["crawl"]["docs"] == len(raw) and stages["crawl"]["marker"] is None
    # samples: kept documents and rejected ones per reason, with their URLs
    assert len(report["samples"]["kept"]) == 5
    assert "lang:ja" in report["samples"]["rejected"]["filter"]
    # rejected records (the extractor's are raw pages, read without decoding their HTML) match the drops
    for key in ("extract", "filter"):
        assert report["rejected"][key]["by_reason"] == stages[key]["marker"]["dropped"], key
    assert all(s["url"].startswith("http://") for s in report["samples"]["rejected"]["filter"]["lang:ja"])


def _keyed_values(page: str) -> dict[str, str]:
    return {html.unescape(k): html.unescape(v) for k, v in re.findall(r'data-key="([^"]*)" data-value="([^"]*)"', page)}


def test_report_page_carries_the_json_figures(built) -> None:
    _, out, report = built
    page = (out / "index.html").read_text(encoding="utf-8")
    values = _keyed_values(page)
    stages = {s["key"]: s for s in report["stages"]}
    for key in ("extract", "filter", "dedupe", "scrub_pii", "tokenize"):
        assert values[f"funnel.{key}.in"] == str(stages[key]["marker"]["in"])
        assert values[f"funnel.{key}.out"] == str(stages[key]["marker"]["out"])
    for kind, n in report["pii"]["by_type"].items():
        assert values[f"pii.{kind}"] == str(n)
    assert values["split.test.sequences"] == str(report["packing"]["splits"]["test"]["sequences"])
    # offline: nothing in the head refers elsewhere, no script, every image is embedded
    assert "://" not in page.split("<body>")[0] and "<script" not in page and "<link" not in page
    sources = re.findall(r'<img [^>]*src="([^"]*)"', page)
    assert len(sources) >= 10 and all(src.startswith("data:image/png;base64,") for src in sources)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (CI installs it: .ci/run)")
def test_report_renders_in_chromium(built, tmp_path: Path) -> None:
    data, out, _ = built
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars"]
    shot = tmp_path / "report.png"
    proc = subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1280,6000", (out / "index.html").as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 50_000, proc.stderr[-2000:]
    from matplotlib.image import imread

    pixels = imread(str(shot))
    assert pixels.shape[1] == 1280 and pixels.std() > 0.05  # a page with content, not a blank canvas
    # A checker page loads the report in a frame and writes what the browser rendered into its own DOM.
    check = tmp_path / "check.html"
    check.write_text(f"""<!DOCTYPE html><html><body><pre id="result">pending</pre>
<iframe id="r" src="{(out / 'index.html').as_uri()}" width="1280" height="800"></iframe><script>
document.getElementById('r').addEventListener('load', () => {{
  const doc = document.getElementById('r').contentDocument;
  const imgs = [...doc.images].map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight]);
  const keyed = [...doc.querySelectorAll('[data-key]')].map(e => [e.dataset.key, e.textContent.trim()]);
  document.getElementById('result').textContent = JSON.stringify({{imgs, keyed}});
}});
</script></body></html>""", encoding="utf-8")
    proc = subprocess.run([*flags, "--allow-file-access-from-files", "--virtual-time-budget=20000", "--dump-dom",
                           check.as_uri()], capture_output=True, text=True, timeout=120)
    match = re.search(r'<pre id="result">(.*?)</pre>', proc.stdout, re.S)
    assert match and match.group(1) != "pending", proc.stdout[-1000:] + proc.stderr[-2000:]
    seen = json.loads(html.unescape(match.group(1)))
    page = (out / "index.html").read_text(encoding="utf-8")
    assert len(seen["imgs"]) == page.count("<img") >= 10
    for alt, complete, width, height in seen["imgs"]:
        assert complete and width > 0 and height > 0, alt
    shown = dict(seen["keyed"])
    for key, prefix in STAGE_FILES.items():
        ms = markers(data, prefix)
        assert shown[f"funnel.{key}.in"] == f"{sum(m['stats']['in'] for m in ms):,}"
        assert shown[f"funnel.{key}.out"] == f"{sum(m['stats']['out'] for m in ms):,}"
        assert shown[f"funnel.{key}.dropped"] == f"{sum(sum(m['stats']['dropped'].values()) for m in ms):,}"
    for split in ("train", "test"):
        n_seq = sum(len(SeqFile(data / f"{split}_thread{t}.seq")) for t in range(PARTS))
        assert shown[f"split.{split}.sequences"] == f"{n_seq:,}"
    pii = Counter()
    for m in markers(data, "scrubbed"):
        pii.update({k[4:]: v for k, v in m["stats"]["counters"].items() if k.startswith("pii_")})
    assert {k[4:]: int(v.replace(",", "")) for k, v in shown.items() if k.startswith("pii.") and
            k != "pii.docs_with_pii"} == dict(pii)


def test_report_tolerates_missing_and_broken_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    report_main(["--data-dir", str(empty), "--out", str(tmp_path / "r0")])
    report = json.loads((tmp_path / "r0" / "report.json").read_text())
    assert report["stages"] == [] and any("no stage output" in w for w in report["warnings"])

    data = tmp_path / "data"
    (data / "rejected").mkdir(parents=True)
    (data / "extracted_thread0.txt").write_text(
        json.dumps({"id": "a", "url": "http://a.example/1", "text": "kept text"}) + "\nnot json\n", encoding="utf-8")
    hostile = "http://evil.example/<script>alert(1)</script>"
    (data / "rejected" / "filter_data_thread0.txt").write_text(json.dumps(
        {"id": "b", "url": hostile, "text": "write to jane.doe@mailbox.net <b>now</b>", "drop_reason": "lang:xx"})
        + "\n", encoding="utf-8")
    (data / "train_thread0.seq").write_bytes(b"not a seq file" * 40)
    report_main(["--data-dir", str(data), "--out", str(tmp_path / "r1")])
    report = json.loads((tmp_path / "r1" / "report.json").read_text())
    assert [s["key"] for s in report["stages"]] == ["extract", "tokenize"]
    assert report["stages"][0]["docs"] == 1 and report["stages"][0]["marker"] is None
    assert any("not a .seq file" in w for w in report["warnings"])
    sample = report["samples"]["rejected"]["filter"]["lang:xx"][0]
    assert "jane.doe" not in sample["text"] and "<EMAIL>" in sample["text"]  # rejected excerpts are scrubbed
    page = (tmp_path / "r1" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;now&lt;/b&gt;" in page


def test_report_warnings_a_user_must_see(tmp_path: Path) -> None:
    """An empty test split, unbalanced parts and a stage that dropped most of its input are flagged."""
    from lion1b.tokenize.seqfile import SeqWriter

    data = tmp_path / "data"
    data.mkdir()

    def marker(path: Path, stage: str, n_in: int, n_out: int, dropped: dict, counters: dict | None = None) -> None:
        Path(f"{path}.done").write_text(json.dumps({"stage": stage, "outputs": [str(path)], "seconds": 0.5,
                                                    "cpu_seconds": 0.4, "stats": {"in": n_in, "out": n_out,
                                                                                  "dropped": dropped,
                                                                                  "counters": counters or {}}}))

    sizes = {0: 40, 1: 2, 2: 2}  # part 0 holds almost everything
    for part, n in sizes.items():
        path = data / f"filtered_thread{part}.txt"
        path.write_text("".join(json.dumps({"id": f"{part}-{i}", "url": f"http://h{part}.example/{i}", "text": "x y",
                                            "lang": "en"}) + "\n" for i in range(n)))
        marker(path, "filter_data", 3 * n, n, {"lang:fr": 2 * n})
        meta = dict(seq_len=8, vocab_size=50, eos_id=2, bos_id=1, tokenizer_fingerprint="ab" * 32)
        with SeqWriter(data / f"train_thread{part}.seq", **meta) as train:
            train.add_document(f"{part}-0", list(range(3, 20)))
        with SeqWriter(data / f"test_thread{part}.seq", **meta) as test:
            test.add_document(f"{part}-1", [3, 4, 5])  # fewer tokens than seq_len: a file without a row
        marker(data / f"train_thread{part}.seq", "tokenize_and_pack", n, n, {},
               {"train_docs": 1, "test_docs": 1, "train_tokens_encoded": 17, "test_tokens_encoded": 3,
                "train_tail_tokens_dropped": 1, "test_tail_tokens_dropped": 3})
    report_main(["--data-dir", str(data), "--out", str(tmp_path / "report")])
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    warnings = "\n".join(report["warnings"])
    assert "the test split holds no sequence" in warnings
    assert "filter dropped 88 of its 132 input documents (67%; lang:fr 88)" in warnings
    assert "filter: parts are badly unbalanced (documents out per part: 40, 2, 2)" in warnings
    assert "holds no content stamp for it" in warnings  # .seq files no marker vouches for, as count_tokens says
    assert report["packing"]["splits"]["train"]["sequences"] == 6 and report["packing"]["splits"]["test"]["tokens"] == 0
    assert {r["cpu_seconds"] for r in report["timing"]} == {0.4}
    page = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert page.count("<li>") == len(report["warnings"]) and "CPU seconds" in page
