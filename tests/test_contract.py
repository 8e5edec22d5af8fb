"""The stage contract: part selection, atomic output, completion markers, malformed input."""

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from argparse import Namespace
from pathlib import Path

import pytest

from lion1b.contract import (
    StageStats,
    atomic_write,
    iter_part_records,
    names_part,
    open_records,
    part_of,
    record_id,
)

ROOT = Path(__file__).resolve().parents[1]
STAGE = ROOT / "tests" / "stages" / "length_stage.py"


def write_jsonl(path: Path, records: list) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


def docs(n: int, prefix: str = "d") -> list[dict]:
    return [{"id": f"{prefix}{i}", "url": f"https://example.com/{prefix}/{i}", "text": f"text number {i}"}
            for i in range(n)]


def run_stage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(STAGE), *args], capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"stage failed ({result.returncode}): {result.stderr}")
    return result


def part_args(**kw) -> Namespace:
    base = {"part_id": 0, "num_parts": 1, "split": "auto", "strict": False, "verbose": False}
    return Namespace(**{**base, **kw})


@pytest.mark.parametrize("num_parts", [1, 2, 3, 5, 8, 13])
def test_parts_partition_records_exactly(tmp_path, num_parts):
    # Two unsharded files read as a glob: the union over parts is every record, each exactly once.
    write_jsonl(tmp_path / "a.jsonl", docs(37, "a"))
    write_jsonl(tmp_path / "b.jsonl", docs(20, "b"))
    seen = []
    for part in range(num_parts):
        args = part_args(input=str(tmp_path / "*.jsonl"), part_id=part, num_parts=num_parts)
        seen += [r["id"] for r in iter_part_records(args, StageStats(), {"id": str})]
    assert sorted(seen) == sorted([f"a{i}" for i in range(37)] + [f"b{i}" for i in range(20)])
    assert len(seen) == len(set(seen))


def test_a_part_file_is_processed_whole(tmp_path):
    path = write_jsonl(tmp_path / "extracted_thread3.txt", docs(10))
    args = part_args(input=str(path), part_id=3, num_parts=8)
    assert len(list(iter_part_records(args, StageStats(), {}))) == 10
    assert names_part("raw_html_thread12.txt", 12) and not names_part("raw_html_thread12.txt", 1)
    assert names_part("part-00003.jsonl", 3)


def test_part_of_is_stable_and_spread():
    assert part_of("example.com", 8) == part_of("example.com", 8)
    assert len({part_of(f"host{i}.org", 4) for i in range(100)}) == 4
    assert record_id("https://a.b/c") == record_id("https://a.b/c") and len(record_id("x")) == 16


def test_bad_part_values_get_a_clear_error(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", docs(3))
    for bad in (["--part-id", "4", "--num-parts", "4"], ["--num-parts", "0"], ["--part-id", "-1"],
                ["--threads", "0"]):
        result = run_stage("--input", str(path), "--output", str(tmp_path / "o.jsonl"), *bad, check=False)
        assert result.returncode == 2 and "error:" in result.stderr and "Traceback" not in result.stderr
    result = run_stage("--input", str(tmp_path / "missing.jsonl"), "--output", str(tmp_path / "o"), check=False)
    assert result.returncode == 2 and "input not found" in result.stderr


def test_malformed_lines_are_counted_and_reported(tmp_path):
    path = tmp_path / "in.jsonl"
    good = docs(3)
    lines = [json.dumps(good[0]), "{not json", json.dumps({"id": "x", "url": "u"}),
             json.dumps({"id": 5, "url": "u", "text": "hello world"}), "[1, 2]", json.dumps(good[1])]
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "\xff", "url": "u", "text": "t"}\n'
                     + (json.dumps(good[2]) + "\n").encode())
    out = tmp_path / "out.jsonl"
    result = run_stage("--input", str(path), "--output", str(out))
    assert "Traceback" not in result.stderr
    assert [r["id"] for r in open_records(out)] == ["d0", "d1", "d2"]
    assert f"{path}:2:" in result.stderr and f"{path}:7: invalid UTF-8" in result.stderr
    assert "malformed=5" in result.stderr.splitlines()[-1]
    strict = run_stage("--input", str(path), "--output", str(out), "--strict", "--force", check=False)
    assert strict.returncode == 2 and f"{path}:2:" in strict.stderr and "Traceback" not in strict.stderr


def test_summary_marker_skip_and_force(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [*docs(4), {"id": "s", "url": "u", "text": "ab"}])
    out = tmp_path / "out.jsonl"
    first = run_stage("--input", str(path), "--output", str(out))
    summary = first.stderr.strip().splitlines()[-1]
    assert "in=5 out=4 dropped: too_short=1" in summary and "chars=" in summary and "docs/s" in summary
    marker = json.loads(Path(str(out) + ".done").read_text())
    assert marker["stats"]["out"] == 4 and marker["stats"]["dropped"] == {"too_short": 1}
    again = run_stage("--input", str(path), "--output", str(out))
    assert "skipping" in again.stderr
    forced = run_stage("--input", str(path), "--output", str(out), "--force")
    assert "skipping" not in forced.stderr and "in=5" in forced.stderr
    changed_option = run_stage("--input", str(path), "--output", str(out), "--min-chars", "1")
    assert "in=5 out=5" in changed_option.stderr
    time.sleep(0.01)
    write_jsonl(path, docs(2))  # changed input: the marker no longer matches
    assert "in=2 out=2" in run_stage("--input", str(path), "--output", str(out), "--min-chars", "1").stderr


def test_threads_give_identical_output_and_rejected_records(tmp_path):
    records = docs(300) + [{"id": f"s{i}", "url": "u", "text": "x"} for i in range(20)]
    path = write_jsonl(tmp_path / "in.jsonl", records)
    outputs = []
    for threads in (1, 2):
        out = tmp_path / f"out{threads}.jsonl"
        rejected = tmp_path / f"rej{threads}.jsonl"
        run_stage("--input", str(path), "--output", str(out), "--threads", str(threads),
                  "--rejected-output", str(rejected), "--quiet")
        outputs.append((out.read_bytes(), rejected.read_bytes()))
    assert outputs[0] == outputs[1]
    rejected_records = list(open_records(tmp_path / "rej1.jsonl"))
    assert len(rejected_records) == 20 and {r["drop_reason"] for r in rejected_records} == {"too_short"}


def test_compressed_input_and_output(tmp_path):
    path = tmp_path / "in.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(d) + "\n" for d in docs(10))
    out = tmp_path / "out.jsonl.zst"
    run_stage("--input", str(path), "--output", str(out))
    assert [r["id"] for r in open_records(out)] == [f"d{i}" for i in range(10)]


def test_truncated_gzip_keeps_what_was_read(tmp_path):
    path = tmp_path / "in.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(d) + "\n" for d in docs(2000))
    path.write_bytes(path.read_bytes()[:-200])
    out = tmp_path / "out.jsonl"
    result = run_stage("--input", str(path), "--output", str(out))
    assert "stopped reading" in result.stderr and "unreadable_file=1" in result.stderr
    assert 0 < len(list(open_records(out))) < 2000


def test_atomic_write_failure_leaves_nothing(tmp_path):
    target = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write("partial\n")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []


def test_killed_writer_leaves_nothing_that_looks_complete(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", docs(400))
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, str(STAGE), "--input", str(path), "--output", str(out),
                             "--sleep-per-record", "0.01", "--quiet"], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not any(p.name.startswith(".out.tmp") for p in tmp_path.iterdir()):  # wait until it is writing
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not out.exists() and not Path(str(out) + ".done").exists()
    # The re-run does the whole job and is not fooled by the leftover temp file.
    result = run_stage("--input", str(path), "--output", str(out), "--quiet")
    assert "in=400 out=400" in result.stderr and len(list(open_records(out))) == 400


def test_lone_surrogate_is_repaired_and_counted_at_the_first_stage(tmp_path):
    # A lone surrogate is legal as a JSON escape but no tokenizer or UTF-8 writer accepts it: the first stage
    # that reads it turns it into U+FFFD and counts it, in text, in id and in nested fields.
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "s\\udc00", "url": "u", "text": "broken \\ud800 text", "meta": ["\\udfff"]}\n'
                    + json.dumps(docs(1)[0]) + "\n")
    out = tmp_path / "out.jsonl"
    result = run_stage("--input", str(path), "--output", str(out))
    assert "in=2 out=2" in result.stderr and "repaired_surrogates=3" in result.stderr
    records = list(open_records(out))
    assert [r["id"] for r in records] == ["s\ufffd", "d0"]
    assert records[0]["text"] == "broken \ufffd text" and records[0]["meta"] == ["\ufffd"]
    out.read_bytes().decode("utf-8")  # strict UTF-8 throughout
