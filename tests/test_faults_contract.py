"""Fault injection for the stage contract (issue 15): each case once broke a stage silently or loudly.

Every stage runs through lion1b.contract.runner, so these cases hold for all of them; a real stage
(tests/stages/length_stage.py, and count_tokens/tokenize_and_pack where the case is theirs) runs each one.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

from lion1b.contract import open_records

ROOT = Path(__file__).resolve().parents[1]
STAGE = ROOT / "tests" / "stages" / "length_stage.py"


def docs(n: int, prefix: str = "d") -> list[dict]:
    return [{"id": f"{prefix}{i}", "url": f"https://example.com/{prefix}/{i}", "text": f"text number {i}"}
            for i in range(n)]


def jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def stage(*args: object, script: Path = STAGE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr


def test_single_file_named_for_another_part_is_never_read_twice(tmp_path: Path) -> None:
    # One unsharded file whose name happens to carry "part-00001": part 1 used to take it whole while part 0
    # split it by record, so half the documents were written twice.
    source = tmp_path / "crawl-part-00001.jsonl"
    source.write_bytes(jsonl(docs(200)))
    seen = []
    for part in (0, 1):
        out = tmp_path / f"out{part}.jsonl"
        result = stage("--input", source, "--output", out, "--part-id", part, "--num-parts", 2)
        no_traceback(result)
        if result.returncode == 0:
            seen += [r["id"] for r in open_records(out)]
        else:
            assert "named for another part" in result.stderr
    assert len(seen) == len(set(seen))
    # Said explicitly, the file is shared by record and every document is written exactly once.
    seen = []
    for part in (0, 1):
        out = tmp_path / f"rec{part}.jsonl"
        assert stage("--input", source, "--output", out, "--part-id", part, "--num-parts", 2,
                     "--split", "records").returncode == 0
        seen += [r["id"] for r in open_records(out)]
    assert sorted(seen) == sorted(d["id"] for d in docs(200))


@pytest.mark.parametrize("num_parts", [1, 2, 3, 7])
def test_split_bytes_partitions_unbalanced_files_exactly_and_evenly(tmp_path: Path, num_parts: int) -> None:
    # Crawl parts come out unbalanced (one host can be most of the pages); --split bytes gives every downstream
    # part an even share of all of them, each record exactly once, lines never cut.
    (tmp_path / "raw_thread0.txt").write_bytes(jsonl(docs(300, "a")))
    (tmp_path / "raw_thread1.txt").write_bytes(b"")
    (tmp_path / "raw_thread2.txt").write_bytes(jsonl(docs(7, "b")))
    seen, sizes = [], []
    for part in range(num_parts):
        out = tmp_path / f"out{part}.jsonl"
        result = stage("--input", tmp_path / "raw_thread*.txt", "--output", out, "--part-id", part,
                       "--num-parts", num_parts, "--split", "bytes")
        assert result.returncode == 0, result.stderr
        ids = [r["id"] for r in open_records(out)]
        seen += ids
        sizes.append(len(ids))
    assert sorted(seen) == sorted([f"a{i}" for i in range(300)] + [f"b{i}" for i in range(7)])
    assert max(sizes) <= len(seen) / num_parts * 1.1 + 1  # even by bytes; ids differ a little in length


def test_truncated_zst_is_counted_unreadable_not_complete(tmp_path: Path) -> None:
    whole = zstandard.ZstdCompressor().compress(jsonl(docs(500)))
    truncated = tmp_path / "in.jsonl.zst"
    truncated.write_bytes(whole[: len(whole) - 40])
    out = tmp_path / "out.jsonl"
    result = stage("--input", truncated, "--output", out)
    no_traceback(result)
    assert "unreadable_file=1" in result.stderr and "truncated zstd" in result.stderr
    # With --strict the same file is an error, not a quiet partial result.
    strict = stage("--input", truncated, "--output", tmp_path / "strict.jsonl", "--strict")
    assert strict.returncode == 2 and "cannot read" in strict.stderr
    no_traceback(strict)


def test_a_file_named_zst_that_is_not_zstd_is_unreadable(tmp_path: Path) -> None:
    fake = tmp_path / "in.jsonl.zst"
    fake.write_bytes(jsonl(docs(3)))
    good = tmp_path / "good.jsonl"
    good.write_bytes(jsonl(docs(2, "g")))
    out = tmp_path / "out.jsonl"
    result = stage("--input", tmp_path / "*.jsonl*", "--output", out)
    no_traceback(result)
    assert result.returncode == 0 and "unreadable_file=1" in result.stderr and "not a valid zstd" in result.stderr
    assert [r["id"] for r in open_records(out)] == ["g0", "g1"]  # the next file is still read


def test_multi_frame_zst_reads_every_frame(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl.zst"
    compressor = zstandard.ZstdCompressor()
    path.write_bytes(compressor.compress(jsonl(docs(5, "a"))) + compressor.compress(jsonl(docs(5, "b"))))
    out = tmp_path / "out.jsonl"
    assert stage("--input", path, "--output", out).returncode == 0
    assert len(list(open_records(out))) == 10


def test_failed_rerun_leaves_no_output_a_later_stage_could_use(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(docs(20)))
    out = tmp_path / "out.jsonl"
    assert stage("--input", source, "--output", out).returncode == 0 and out.exists()
    # The re-run (changed option) fails half way: the previous output must not stay behind looking current.
    source.write_bytes(jsonl(docs(10)) + b"{not json\n" + jsonl(docs(10, "x")))
    failed = stage("--input", source, "--output", out, "--strict", "--min-chars", 3)
    assert failed.returncode == 2
    assert not out.exists() and not Path(f"{out}.done").exists()
    assert not list(tmp_path.glob(".out.tmp*"))


def test_hand_edited_output_is_not_skipped_as_complete(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(docs(20)))
    out = tmp_path / "out.jsonl"
    assert stage("--input", source, "--output", out).returncode == 0
    assert "skipping" in stage("--input", source, "--output", out).stderr
    out.write_text(out.read_text().replace("text number 3", "text number 9"))  # same size, other content
    rerun = stage("--input", source, "--output", out)
    assert "skipping" not in rerun.stderr and "text number 3" in out.read_text()


def test_strict_is_part_of_the_fingerprint(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(docs(5)) + b"oops\n")
    out = tmp_path / "out.jsonl"
    assert stage("--input", source, "--output", out).returncode == 0
    strict = stage("--input", source, "--output", out, "--strict")
    assert strict.returncode == 2 and "skipping" not in strict.stderr


def test_stale_temp_files_of_killed_writers_are_removed(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(docs(5)))
    out = tmp_path / "out.jsonl"
    writer = subprocess.Popen(["true"])  # a writer that has exited, as one killed by kill -9 has
    writer.wait()
    stale = tmp_path / f".out.tmp{writer.pid}.jsonl"
    stale.write_bytes(b"x" * 1000)
    result = stage("--input", source, "--output", out)
    assert result.returncode == 0 and not stale.exists() and "temp file" in result.stderr


@pytest.mark.parametrize("kind", ["readonly", "parent_is_file"])
def test_unwritable_output_is_one_clear_line(tmp_path: Path, kind: str) -> None:
    if kind == "readonly" and os.geteuid() == 0:
        # root writes anywhere; a read-only bind is what stops it, so point at a read-only filesystem path
        target = Path("/proc/lion1b_out.jsonl")
    elif kind == "readonly":
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        target = folder / "out.jsonl"
    else:
        (tmp_path / "afile").write_text("x")
        target = tmp_path / "afile" / "out.jsonl"
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(docs(3)))
    result = stage("--input", source, "--output", target)
    no_traceback(result)
    assert result.returncode == 2 and result.stderr.strip().splitlines()[-1].startswith("error:")


def test_gzip_truncated_keeps_what_was_read(tmp_path: Path) -> None:
    whole = gzip.compress(jsonl(docs(2000)))
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    out = tmp_path / "out.jsonl"
    result = stage("--input", path, "--output", out)
    no_traceback(result)
    assert result.returncode == 0 and "unreadable_file=1" in result.stderr
    assert 0 < len(list(open_records(out))) < 2000


def test_underscore_spellings_are_aliases_of_dash_flags(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(docs(4)))
    out = tmp_path / "out.jsonl"
    result = stage("--input", source, "--output", out, "--min_chars", 100, "--part_id", 0, "--num_parts", 1)
    assert result.returncode == 0 and "out=0" in result.stderr
    help_text = stage("--help").stdout
    assert "--min-chars" in help_text and "--min_chars" not in help_text


def test_count_tokens_bad_parts_and_directories(tmp_path: Path) -> None:
    count = ROOT / "scripts" / "count_tokens.py"
    zero = stage("--input", tmp_path / "*.seq", "--num-parts", 0, script=count)
    assert zero.returncode == 2 and "--num-parts must be at least 1" in zero.stderr
    (tmp_path / "x.seq").mkdir()  # a directory matching the glob
    result = stage("--input", tmp_path / "*.seq", script=count)
    no_traceback(result)
    assert "is a directory; skipped" in result.stderr
