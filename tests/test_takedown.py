"""takedown: a URL or host leaves every shard, only the affected parts are re-packed (with the options they were
packed with), count_tokens --verify passes, no sequence's provenance names the removed documents, and the
takedown is recorded and shown in the report."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pipeline_data import PARTS, TEST_RATIO, pipeline_copy, pipeline_root, run_stages

from lion1b.contract import open_records, record_id
from lion1b.contract.files import content_stamp
from lion1b.export.takedown import count_tokens
from lion1b.export.takedown import main as takedown_main
from lion1b.report.cli import build_report
from lion1b.tokenize.pack import is_test
from lion1b.tokenize.seqfile import SeqFile

SHARDS = ("raw_html", "extracted", "filtered", "deduped", "scrubbed")


def seq_ids(data: Path, split: str, part: int) -> list[str]:
    return SeqFile(data / f"{split}_thread{part}.seq").document_ids()


def all_urls(data: Path) -> set[str]:
    files = [data / f"{s}_thread{t}.txt" for s in SHARDS for t in range(PARTS)]
    files += sorted((data / "rejected").glob("*.txt"))
    return {r.get("url") for f in files for r in open_records(f)}


def count_tokens_verify(data: Path) -> dict:
    """``count_tokens --input '*_thread*.seq' --verify --json``, in-process."""
    return count_tokens(["--input", str(data / "*_thread*.seq"), "--verify", "--json"])


@pytest.fixture()
def root(tmp_path_factory, tmp_path: Path) -> Path:
    root = pipeline_copy(tmp_path_factory, tmp_path / "run")
    build_report(root / "data", root / "data" / "report")
    return root


def test_takedown_by_url_repacks_only_the_affected_part(root: Path, tmp_path_factory) -> None:
    data, model = root / "data", root / "tokenizer" / "tokenizer.model"
    part = 1
    doc = next(r for r in open_records(data / f"scrubbed_thread{part}.txt") if r["id"] in seq_ids(data, "train", part))
    other = 1 - part
    untouched = {p: p.read_bytes() for p in (data / f"train_thread{other}.seq", data / f"test_thread{other}.seq")}
    before = {s: seq_ids(data, s, part) for s in ("train", "test")}
    scrub_marker = json.loads((data / f"scrubbed_thread{part}.txt.done").read_text())
    before_stamps, before_stats = scrub_marker["output_stamps"], scrub_marker["stats"]
    takedown_main(["--data-dir", str(data), "--url", doc["url"], "--model", str(model), "--reason", "owner request"])

    assert doc["url"] not in all_urls(data)
    assert not any(r["id"] == doc["id"] for r in open_records(data / "dedupe" / "dup_map.jsonl"))
    for path, blob in untouched.items():
        assert path.read_bytes() == blob, f"{path} was rebuilt though it never held the document"
    remaining = [r["id"] for r in open_records(data / f"scrubbed_thread{part}.txt")]
    counters = json.loads((data / f"train_thread{part}.seq.done").read_text())["stats"]["counters"]
    for split in ("train", "test"):
        after = set(seq_ids(data, split, part))
        # the same split as before (the test ratio was recovered), minus the documents lost in the dropped tail
        expected = {i for i in remaining if is_test(i, TEST_RATIO) == (split == "test")}
        assert doc["id"] not in after and after <= expected
        assert len(expected - after) == counters[f"{split}_tail_docs_dropped"]
        assert (set(before[split]) - {doc["id"]}) - after <= expected - after
        seq = SeqFile(data / f"{split}_thread{part}.seq")
        assert not any(doc["id"] in seq.sources(i) for i in range(len(seq)))
    assert count_tokens_verify(data)["errors"] == []
    # Every marker still matches its outputs byte for byte: no stage takes a cleaned shard for a hand-edited one
    # and redoes itself (for the crawl: fetching the pages again). Markers name the outputs where they were built.
    built_at = pipeline_root(tmp_path_factory)
    for marker_path in data.glob("**/*.done"):
        marker = json.loads(marker_path.read_text())
        for output, size, digest in marker["output_stamps"]:
            here = root / Path(output).relative_to(built_at) if Path(output).is_relative_to(built_at) else output
            assert content_stamp(here)[1:] == [size, digest], (marker_path, output)
    scrub_marker = json.loads((data / f"scrubbed_thread{part}.txt.done").read_text())
    assert scrub_marker["output_stamps"] != before_stamps and scrub_marker["stats"] == before_stats
    record = json.loads((data / "takedowns.jsonl").read_text().splitlines()[-1])
    assert record["verified"] and record["documents_removed"] == 1 and record["parts_rebuilt"] == [part]
    assert record["reason"] == "owner request" and doc["id"] in record["ids"]
    report = json.loads((data / "report" / "report.json").read_text())
    assert report["takedowns"][-1]["urls_requested"] == [doc["url"]]
    # the stages' own figures stay as they reported them; the report says the shards changed since
    changed = {c["stage"]: c for c in report["changed_since_run"]}
    assert changed["scrub PII"]["shard_docs"] == changed["scrub PII"]["marker_out"] - 1
    assert "owner request" in (data / "report" / "index.html").read_text(encoding="utf-8")


def test_takedown_by_host_and_list(root: Path, tmp_path: Path) -> None:
    data, model = root / "data", root / "tokenizer" / "tokenizer.model"
    final = [r for t in range(PARTS) for r in open_records(data / f"scrubbed_thread{t}.txt")]
    host = urlsplit(final[0]["url"]).netloc
    gone = {r["id"] for r in final if urlsplit(r["url"]).netloc == host}
    other_url = next(r["url"] for r in final if urlsplit(r["url"]).netloc != host)
    listing = tmp_path / "removals.txt"
    listing.write_text(f"# owner requests\n{host}\n{other_url}   # one more page\n\n", encoding="utf-8")
    takedown_main(["--data-dir", str(data), "--list", str(listing), "--model", str(model), "--no-report"])
    urls = all_urls(data)
    assert other_url not in urls and not any(urlsplit(u).netloc == host for u in urls if u)
    held = {i for s in ("train", "test") for t in range(PARTS) for i in seq_ids(data, s, t)}
    assert held and not held & gone
    assert count_tokens_verify(data)["errors"] == []
    record = json.loads((data / "takedowns.jsonl").read_text())
    assert record["hosts_requested"] == [host] and record["documents_removed"] == len(gone) + 1
    # Re-running the stages after the takedown rebuilds from the cleaned shards: nothing comes back.
    run_stages(root)
    assert not any(urlsplit(u).netloc == host for u in all_urls(data) if u) and other_url not in all_urls(data)
    held = {i for s in ("train", "test") for t in range(PARTS) for i in seq_ids(data, s, t)}
    assert held and not held & (gone | {record_id(other_url)})


def test_takedown_dry_run_and_bad_requests(root: Path, capsys: pytest.CaptureFixture) -> None:
    data = root / "data"
    url = next(open_records(data / "scrubbed_thread0.txt"))["url"]
    before = (data / "scrubbed_thread0.txt").read_bytes()
    takedown_main(["--data-dir", str(data), "--url", url, "--dry-run", "--model", str(root / "tokenizer" /
                                                                                     "tokenizer.model")])
    assert "would be removed" in capsys.readouterr().err
    assert (data / "scrubbed_thread0.txt").read_bytes() == before and not (data / "takedowns.jsonl").exists()
    for argv, message in ((["--data-dir", str(data)], "nothing to take down"),
                          (["--data-dir", str(data), "--host", "example.org/path"], "--host takes a host name"),
                          (["--data-dir", str(data), "--url", url, "--model", str(data / "none.model")],
                           "tokenizer not found")):
        with pytest.raises(SystemExit) as exc:
            takedown_main(argv)
        assert exc.value.code == 2 and message in capsys.readouterr().err
    assert (data / "scrubbed_thread0.txt").read_bytes() == before
