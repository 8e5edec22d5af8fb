"""The bash drivers: the demo data pipeline end to end, markers on a re-run, a failing part fails the run.
Also the lint gates (ruff, shellcheck), so CI enforces them."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lion1b.tokenize.seqfile import SeqFile

ROOT = Path(__file__).resolve().parents[1]
DRIVERS = ["parall.sh", "finalizedata.sh", "commandsequence.sh"]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the project's code, so the drivers write data/ and logs/ inside the test's folder."""
    for folder in ("lion1b", "scripts", "tokenizer", "train", "inference", "extras"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "*.model",
                                                                                         "hf", "*.done"))
    for name in DRIVERS:
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def run(project: Path, *cmd: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHON": sys.executable, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(["bash", *cmd], cwd=project, env=env, capture_output=True, text=True, timeout=600)


def test_demo_data_pipeline_end_to_end_and_resume(project: Path) -> None:
    first = run(project, "commandsequence.sh", "--demo", "--skip-train")
    assert first.returncode == 0, first.stderr[-3000:]
    # Hosts are split between parts by a hash of host:port and the demo's ports are free ones, so one part
    # may own every host: check each part finished and the parts together hold the data.
    for stage in ("raw_html", "extracted", "filtered", "deduped", "scrubbed"):
        paths = [project / "data" / f"{stage}_thread{part}.txt" for part in (0, 1)]
        assert all(Path(f"{path}.done").exists() for path in paths), stage
        assert sum(path.stat().st_size for path in paths) > 0, stage
    rows = 0
    for part in (0, 1):
        train = SeqFile(project / "data" / f"train_thread{part}.seq")
        assert train.header.seq_len == 256
        train.verify()
        rows += len(train)
    assert rows > 100
    assert "TOTAL (2 files)" in first.stdout
    assert "exact_duplicate=" in first.stderr and "pii_EMAIL=" in first.stderr
    # A second run of the data stages finds every output complete and skips it.
    again = run(project, "finalizedata.sh", "--parts", "2", "--seq-len", "256", "--vocab-size", "2000",
                "--test-ratio", "0.1")
    assert again.returncode == 0, again.stderr[-3000:]
    logs = project / "logs"
    for stage in ("extract", "filter", "scrub", "tokenize"):
        assert "skipping" in (logs / f"{stage}_part1.log").read_text()


def test_a_failing_part_fails_the_driver(project: Path) -> None:
    data = project / "data"
    data.mkdir()
    (data / "raw_html_thread0.txt").write_text("")
    result = run(project, "finalizedata.sh", "--parts", "2")  # part 1 has no input
    assert result.returncode != 0
    assert "extract part 1 failed" in result.stderr and "input not found" in result.stderr
    assert not (data / "filtered_thread0.txt").exists()  # the next stage never started


def test_shell_scripts_are_shellcheck_clean() -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    scripts = [*DRIVERS, "setup.sh", "lion1b/pipeline.sh", ".ci/run"]
    result = subprocess.run([shellcheck, "-x", *scripts], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_python_is_ruff_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
