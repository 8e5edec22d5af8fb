"""The bash drivers: the demo data pipeline end to end, markers on a re-run, parall.sh's per-part chains
writing the same bytes as finalizedata.sh, live progress, kept rejects, a failing part fails the run.
Also the lint gates (ruff, shellcheck), so CI enforces them."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lion1b.tokenize.seqfile import SeqFile

ROOT = Path(__file__).resolve().parents[1]
DRIVERS = ["parall.sh", "finalizedata.sh", "commandsequence.sh"]
# What commandsequence.sh --demo passes: 2 parts of 256-token sequences, and the demo's crawl flags.
DEMO_DATA = ["--parts", "2", "--seq-len", "256", "--seeds", "data/demo/seeds.txt", "--vocab-size", "2000",
             "--test-ratio", "0.1"]
DEMO_CRAWL = ["--allow-private", "--delay", "0", "--max-pages-per-host", "150", "--max-depth", "4", "--timeout",
              "3", "--deadline", "5", "--retries", "1", "--max-retry-after", "2"]
STAGES = ("raw_html", "extracted", "filtered", "deduped", "scrubbed")


def copy_project(dest: Path) -> Path:
    """A copy of the project's code, so the drivers write data/ and logs/ inside the test's folder."""
    for folder in ("lion1b", "scripts", "tokenizer", "train", "inference", "extras"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__", "*.model",
                                                                                    "hf", "*.done"))
    for name in DRIVERS:
        shutil.copy(ROOT / name, dest / name)
    return dest


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def run(project: Path, *cmd: str, **env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHON": sys.executable, "HF_HUB_OFFLINE": "1", **env}
    return subprocess.run(["bash", *cmd], cwd=project, env=env, capture_output=True, text=True, timeout=600)


def test_demo_data_pipeline_end_to_end_and_resume_and_parall_same_bytes(project: Path, tmp_path: Path) -> None:
    first = run(project, "commandsequence.sh", "--demo", "--skip-train", PROGRESS_INTERVAL="1")
    assert first.returncode == 0, first.stderr[-3000:]
    # Hosts are split between parts by a hash of host:port and the demo's ports are free ones, so one part
    # may own every host: check each part finished and the parts together hold the data.
    for stage in STAGES:
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
    # Live progress: the crawl takes seconds, so with a 1 s interval at least one progress line shows it.
    assert re.search(r"\] crawl: [0-2]/2 parts, \d+ pages, \d+ pages/s", first.stderr), first.stderr[-3000:]
    # Dropped records are kept, each with its reason (the demo has pages too short to keep).
    rejected = [json.loads(line) for part in (0, 1)
                for line in (project / "data" / "rejected" / f"extract_thread{part}.txt").read_text().splitlines()]
    assert rejected and all(r["drop_reason"] for r in rejected)
    assert all((project / "data" / "rejected" / f"{stage}_thread{part}.txt").exists()
               for stage in ("filter", "scrub") for part in (0, 1))
    if (project / "scripts" / "report.py").exists():
        assert (project / "logs" / "report.log").exists()

    # A second run of the data stages finds every output complete and skips it.
    again = run(project, "finalizedata.sh", "--skip-crawl", *DEMO_DATA)
    assert again.returncode == 0, again.stderr[-3000:]
    logs = project / "logs"
    for stage in ("extract", "filter", "scrub", "tokenize"):
        assert "skipping" in (logs / f"{stage}_part1.log").read_text()

    # parall.sh on the same crawl (copied with its markers, so its crawl step finds it complete) runs each
    # part's chain and writes the same bytes.
    other = copy_project(tmp_path / "other")
    (other / "data" / "demo").mkdir(parents=True)
    shutil.copy2(project / "data" / "demo" / "seeds.txt", other / "data" / "demo" / "seeds.txt")
    for path in [*(project / "data").glob("raw_html_thread*"), *(project / "data").glob("outlinks_thread*")]:
        shutil.copy2(path, other / "data" / path.name)
    chains = run(other, "parall.sh", *DEMO_DATA, "--", *DEMO_CRAWL)
    assert chains.returncode == 0, chains.stderr[-3000:]
    assert "skipping" in (other / "logs" / "crawl_part0.log").read_text()
    for name in ("train_thread0.seq", "train_thread1.seq", "test_thread0.seq", "test_thread1.seq"):
        assert (other / "data" / name).read_bytes() == (project / "data" / name).read_bytes(), name


def test_a_failing_part_fails_the_driver(project: Path) -> None:
    data = project / "data"
    data.mkdir()
    (data / "raw_html_thread0.txt").write_text("")
    result = run(project, "finalizedata.sh", "--skip-crawl", "--parts", "2")  # part 1 has no input
    assert result.returncode != 0
    assert "extract part 1 failed" in result.stderr and "input not found" in result.stderr
    assert "logs/extract_part1.log" in result.stderr.splitlines()[-1]
    assert not (data / "filtered_thread0.txt").exists()  # the next stage never started


def test_a_failing_part_stops_its_chain_only(project: Path) -> None:
    """parall.sh: part 1 fails at extraction; part 0 still runs its whole chain; the run fails naming part 1."""
    data = project / "data"
    data.mkdir()
    (data / "raw_html_thread0.txt").write_text("")
    result = run(project, "parall.sh", "--skip-crawl", "--parts", "2")
    assert result.returncode != 0
    assert "extract part 1 failed" in result.stderr
    assert (data / "filtered_thread0.txt.done").exists() and not (data / "filtered_thread1.txt").exists()
    assert "dedupe: the global cluster step" not in result.stderr


def test_repeated_blocks_reach_every_dedupe_phase(project: Path) -> None:
    """finalizedata.sh/parall.sh --repeated-blocks: the three dedupe commands carry it (each phase's marker
    and files depend on it), and no other stage does."""
    show = ('source lion1b/pipeline.sh; parse_data_options --skip-crawl "$@"; data_defaults; '
            'for name in EXTRACT FILTER SIGNATURES CLUSTER WRITE SCRUB; do '
            'declare -n cmd="$name"; echo "$name ${cmd[*]}"; done')
    commands = dict(line.split(" ", 1) for line in run(project, "-c", show, "show", "--repeated-blocks")
                    .stdout.splitlines())
    assert {name for name, cmd in commands.items() if "--repeated-blocks" in cmd} == {"SIGNATURES", "CLUSTER", "WRITE"}
    plain = run(project, "-c", show, "show").stdout
    assert "dedupe.py" in plain and "--repeated-blocks" not in plain


def test_format_reaches_the_extract_command_only(project: Path) -> None:
    """finalizedata.sh/parall.sh --format markdown: extract_text writes Markdown; no other stage takes it, and
    another format stops the run before any stage starts, naming it."""
    show = ('source lion1b/pipeline.sh; parse_data_options --skip-crawl "$@"; data_defaults; '
            'for name in EXTRACT FILTER SIGNATURES WRITE SCRUB PACK; do '
            'declare -n cmd="$name"; echo "$name ${cmd[*]}"; done')
    commands = dict(line.split(" ", 1) for line in run(project, "-c", show, "show", "--format", "markdown")
                    .stdout.splitlines())
    assert {name for name, cmd in commands.items() if "--format markdown" in cmd} == {"EXTRACT"}
    assert "--format" not in run(project, "-c", show, "show").stdout
    (project / "data").mkdir(exist_ok=True)
    (project / "data" / "raw_html_thread0.txt").write_text("")
    bad = run(project, "finalizedata.sh", "--skip-crawl", "--parts", "1", "--format", "html")
    assert bad.returncode != 0 and "--format must be text or markdown (got 'html')" in bad.stderr
    assert not (project / "logs" / "extract_part0.log").exists()


def test_shell_scripts_are_shellcheck_clean() -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    scripts = [*DRIVERS, "setup.sh", "lion1b/pipeline.sh", ".ci/run"]
    result = subprocess.run([shellcheck, "-x", *scripts], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_python_is_ruff_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
