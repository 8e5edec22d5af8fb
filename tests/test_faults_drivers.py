"""Hostile command lines and set-ups for the drivers: each ends with one clear line, never a bash error
("unbound variable"), never a silent success. Every case here failed before (issue 15 item 12, issue 11
item 4, issue 14 item 1, issue 17 item 4)."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from cluster_fixture import NODES, two_nodes  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
DRIVERS = ["parall.sh", "finalizedata.sh", "commandsequence.sh"]
DATA_DRIVERS = ["parall.sh", "finalizedata.sh"]


def copy_project(root: Path) -> Path:
    """The drivers and the package, copied: nothing a case writes lands in the repository."""
    for folder in ("lion1b", "scripts", "extras"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__", "*.done"))
    for name in [*DRIVERS, "setup.sh"]:
        shutil.copy(ROOT / name, root / name)
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("drivers"))


def run(project: Path, *cmd: str, **env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHON": sys.executable, "HF_HUB_OFFLINE": "1", **env}
    return subprocess.run(["bash", *cmd], cwd=project, env=env, capture_output=True, text=True, timeout=120)


def refused(result: subprocess.CompletedProcess, message: str) -> None:
    """Failed, with MESSAGE on its last line and no bash-level error anywhere."""
    assert result.returncode != 0, result.stderr
    assert message in result.stderr.strip().splitlines()[-1], result.stderr
    assert "unbound variable" not in result.stderr and not re.search(r"line \d+:", result.stderr), result.stderr


@pytest.mark.parametrize("script", [*DRIVERS, "setup.sh"])
def test_help(project: Path, script: str) -> None:
    result = run(project, script, "--help")
    assert result.returncode == 0, result.stderr
    assert script.removesuffix(".sh") in result.stdout and "--" in result.stdout
    assert "set -euo pipefail" not in result.stdout  # only the header comment, not the code after it
    if script != "setup.sh":
        assert "parts" in result.stdout and "lion1b/config.py" in result.stdout


@pytest.mark.parametrize("script", DRIVERS)
def test_an_option_without_its_value(project: Path, script: str) -> None:
    refused(run(project, script, "--parts"), "--parts needs a value")
    refused(run(project, script, "--parts", "--threads", "2"), "--parts needs a value")


@pytest.mark.parametrize("script", DATA_DRIVERS)
@pytest.mark.parametrize("value", ["abc", "0", "-1", "2.5"])
def test_parts_must_be_a_positive_whole_number(project: Path, script: str, value: str) -> None:
    result = run(project, script, "--parts", value)
    refused(result, f"--parts must be a whole number of at least 1 (got '{value}')")
    assert "crawl" not in result.stderr.replace("--", "")  # nothing ran


@pytest.mark.parametrize("script", DRIVERS)
def test_an_unknown_option(project: Path, script: str) -> None:
    refused(run(project, script, "--bogus"), "--bogus")


@pytest.mark.parametrize("flag", [["--parts", "3"], ["--seq-len", "512"], ["--output-dir", "out"],
                                  ["--seeds", "extras/seeds.txt"], ["--model", "m"], ["--epochs", "1"]])
def test_demo_refuses_what_it_would_override(project: Path, flag: list[str]) -> None:
    refused(run(project, "commandsequence.sh", "--demo", *flag), f"--demo sets {flag[0]} itself")


def test_missing_seeds_file(project: Path) -> None:
    for script in DATA_DRIVERS:
        refused(run(project, script, "--seeds", "nowhere.txt"), "seeds file not found: nowhere.txt")


@pytest.mark.parametrize(("text", "message"), [
    (None, "hostfile not found"),
    ("# node1 slots=8\n\n", "lists no host"),
    ("node1 gpus=8\n", "hostfile:1: expected 'HOST slots=N', got 'node1 gpus=8'"),
    ("node1 slots=0\n", "expected 'HOST slots=N'"),
    ("node1 slots=2\nnode1 slots=2 # again\n", "hostfile:2: host node1 is listed twice"),
])
def test_bad_hostfiles(project: Path, tmp_path: Path, text: str | None, message: str) -> None:
    hostfile = tmp_path / "hostfile"
    if text is not None:
        hostfile.write_text(text)
    for script in DATA_DRIVERS:
        refused(run(project, script, "--skip-crawl", "--hostfile", str(hostfile)), message)


@pytest.mark.skipif(shutil.which("pdsh") is None, reason="pdsh is not installed (apt-get install pdsh)")
def test_an_unreachable_node_is_named_before_anything_runs(project: Path, tmp_path: Path) -> None:
    """127.0.0.4 has no sshd: connection refused, as for a node that is down; ssh never asks for a password."""
    hostfile = tmp_path / "hostfile"
    hostfile.write_text("127.0.0.4 slots=2\n")
    result = run(project, "finalizedata.sh", "--skip-crawl", "--hostfile", str(hostfile))
    refused(result, "node 127.0.0.4 is not reachable with key-based ssh")
    assert not (project / "logs" / "extract_part0.log").exists()
    assert not list((project / "data").glob(".node_check*"))  # the check's tokens are cleaned up


def test_a_crawl_that_fetched_nothing_stops_the_run(project: Path, tmp_path: Path) -> None:
    """Every seed unreachable: the crawler exits non-zero naming the cause, and the driver stops there."""
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("http://127.0.0.1:9/\n")  # the discard port: nothing listens on it here
    result = run(project, "finalizedata.sh", "--parts", "1", "--seeds", str(seeds), "--", "--allow-private",
                 "--retries", "0", "--timeout", "2", "--deadline", "3", "--robots-retry", "1")
    refused(result, "crawl: 1 of 1 part(s) failed")
    assert "crawl part 0 failed" in result.stderr
    assert not (project / "logs" / "extract_part0.log").exists()


def test_ctrl_c_stops_every_part(project: Path, tmp_path: Path) -> None:
    """Ctrl-C while parts run: the driver stops them all (background parts ignore the terminal's SIGINT)."""
    with socket.socket() as hole:  # accepts connections and never answers: the crawl waits on it
        hole.bind(("127.0.0.1", 0))
        hole.listen(8)
        seeds = tmp_path / "seeds.txt"
        seeds.write_text(f"http://127.0.0.1:{hole.getsockname()[1]}/\n")
        env = {**os.environ, "PYTHON": sys.executable, "HF_HUB_OFFLINE": "1"}
        driver = subprocess.Popen(
            ["bash", "parall.sh", "--parts", "2", "--seeds", str(seeds), "--", "--allow-private", "--timeout", "60",
             "--deadline", "120"], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 60
        while not [p for p in psutil.Process(driver.pid).children(recursive=True) if "crawl_threaded" in
                   " ".join(p.cmdline())]:
            assert time.monotonic() < deadline and driver.poll() is None, driver.communicate()
            time.sleep(0.2)
        started = psutil.Process(driver.pid).children(recursive=True)
        os.killpg(driver.pid, signal.SIGINT)  # what the terminal sends on Ctrl-C
        _, stderr = driver.communicate(timeout=30)
    assert driver.returncode != 0
    assert "interrupted: the running parts were stopped" in stderr
    _, alive = psutil.wait_procs(started, timeout=10)
    assert not alive, [p.cmdline() for p in alive]


def test_a_part_failing_on_a_node_names_node_part_and_log(two_nodes, tmp_path: Path) -> None:  # noqa: F811
    """Over two nodes (tests/cluster_fixture.py), part 1 (on the second node) has no input: the run fails
    naming that node, the part and its log, after part 0 finished on the first node."""
    project = copy_project(tmp_path / "project")
    data = project / "data"
    data.mkdir()
    (data / "raw_html_thread0.txt").write_text("")
    hostfile = two_nodes.hostfile(tmp_path / "hostfile")
    result = run(project, "finalizedata.sh", "--skip-crawl", "--parts", "2", "--hostfile", str(hostfile),
                 **{k: v for k, v in two_nodes.env.items() if k.startswith("PDSH")})
    refused(result, f"extract part 1 on node {NODES[1]} (logs/extract_part1.log)")
    assert f"extract part 1 failed on node {NODES[1]}" in result.stderr and "input not found" in result.stderr
    assert (data / "extracted_thread0.txt.done").exists()
