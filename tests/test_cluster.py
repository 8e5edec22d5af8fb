"""Two nodes on one machine (sshd on 127.0.0.2 and 127.0.0.3, pdsh, a throwaway key; tests/cluster_fixture.py):
the cluster set-up and its check; finalizedata.sh --hostfile over both nodes writing the same .seq bytes as a
local run; a `deepspeed --hostfile` ZeRO-2 run at world size 2 across both nodes; and a dead second host
ending the launch fast with its name, both through extras/launch_train.sh (checked before launch) and through
the raw deepspeed command (the roll call in lion1b/train/rendezvous.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cluster_fixture import DEAD, NODES, TwoNodes, free_port, tiny_train_set, two_nodes  # noqa: F401 (fixture)

from lion1b.demo.site import site_pages

REPO = Path(__file__).resolve().parents[1]
DEEPSPEED = str(Path(sys.executable).parent / "deepspeed")
RENDEZVOUS_TIMEOUT = 60  # generous: on a loaded 2-core machine one rank's imports can lag the other's


def run_bounded(cmd: list[str], env: dict, timeout: float) -> tuple[int, str, float]:
    """Run in its own session; on timeout the whole session (launcher, pdsh, local ranks) is killed."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"{cmd[:3]} still running after {timeout} s:\n{out[-4000:]}")
    return proc.returncode, out, time.monotonic() - start


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return tiny_train_set(tmp_path_factory.mktemp("cluster_data"))


@pytest.fixture(scope="module")
def cluster_env(two_nodes: TwoNodes) -> dict:  # noqa: F811
    """extras/setup_cluster.sh (without re-running setup.sh) writes the ranks' environment and checks both nodes."""
    env_file = two_nodes.root / "deepspeed_env"
    hostfile = two_nodes.hostfile(two_nodes.root / "hostfile")
    rc, out, _ = run_bounded(["bash", "extras/setup_cluster.sh", "--hostfile", str(hostfile), "--skip-setup",
                              "--accelerator", "cpu", "--omp-threads", "1", "--gloo-socket-ifname", "lo",
                              "--rendezvous-timeout", str(RENDEZVOUS_TIMEOUT), "--env-file", str(env_file)],
                             two_nodes.env, timeout=120)
    env = dict(two_nodes.env, DS_ENV_FILE=str(env_file), PYTHONPATH=str(REPO))
    # DeepSpeed JIT-builds its CPU comm op on first use (80-200 s on 2 cores) into the shared, git-ignored
    # TORCH_EXTENSIONS_DIR: build it here, once, so the launches below are timed without it (with the venv's
    # ninja, as the ranks build it: lion1b.train.trainer.use_the_venvs_ninja).
    build = ("from deepspeed.accelerator import get_accelerator; "
             "get_accelerator().create_op_builder('ShareMemCommBuilder').load()")
    venv_path = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    subprocess.run([sys.executable, "-c", build], env=dict(env, DS_ACCELERATOR="cpu", PATH=venv_path,
                   TORCH_EXTENSIONS_DIR=str(REPO / ".cache" / "torch_extensions")), cwd=REPO, check=True,
                   capture_output=True, timeout=900)
    return {"rc": rc, "out": out, "env_file": env_file, "hostfile": hostfile, "env": env}


def test_setup_cluster_writes_the_rank_environment_and_checks_every_node(cluster_env):
    assert cluster_env["rc"] == 0, cluster_env["out"][-3000:]
    lines = cluster_env["env_file"].read_text().splitlines()
    assert {"HF_HUB_OFFLINE=1", "OMP_NUM_THREADS=1", "DS_ACCELERATOR=cpu", "GLOO_SOCKET_IFNAME=lo",
            f"TORCH_EXTENSIONS_DIR={REPO}/.cache/torch_extensions",
            f"LION1B_RENDEZVOUS_TIMEOUT={RENDEZVOUS_TIMEOUT}"} <= set(lines)
    assert all("=" in line and not line.startswith("#") for line in lines)  # DeepSpeed splits every line on '='
    table = {line.split()[0]: line.split() for line in cluster_env["out"].splitlines() if line.startswith(NODES)}
    for node in NODES:  # reachable, same commit, venv importable, GPUs/slots (CPU run), free GB, shared data/
        assert table[node][1] == "yes" and table[node][3] == "ok" and table[node][-1] == "yes", cluster_env["out"]
        assert table[node][2] == "same", cluster_env["out"]
    assert "all 2 node(s) ready" in cluster_env["out"]


def train_args(data: Path, out: Path) -> list[str]:
    return ["--master_port", str(free_port()), "train/train_llama3_full_ft.py", "--init_from_config", "tiny",
            "--tokenizer_name", str(data / "tokenizer"), "--train_file", str(data / "train_thread*.seq"),
            "--eval_file", str(data / "test_thread0.seq"), "--output_dir", str(out),
            "--deepspeed", "train/deepspeed_config.json", "--per_device_train_batch_size", "4",
            "--gradient_accumulation_steps", "1", "--learning_rate", "3e-3", "--max_seq_length", "64",
            "--logging_steps", "1", "--disable_tqdm", "true", "--max_steps", "4", "--save_steps", "4",
            "--eval_steps", "4", "--report_to", "none",
            "--skip_marker_check"]  # the fixture writes its .seq files directly, without tokenize_and_pack's marker


def test_zero2_trains_across_both_nodes_at_world_size_2(cluster_env, data, tmp_path):
    out = tmp_path / "z2"
    rc, log, _ = run_bounded(["bash", "extras/launch_train.sh", "--hostfile", str(cluster_env["hostfile"]),
                              *train_args(data, out), "--expect_world_size", "2"], cluster_env["env"], timeout=240)
    assert rc == 0, log[-5000:]
    assert "all nodes reachable; master address 127.0.0.2" in log
    assert "world size 2" in log
    per_node = {node: [json.loads(line.split(": ", 1)[1].replace("'", '"'))["loss"]
                       for line in log.splitlines() if line.startswith(f"{node}: {{'loss'")] for node in NODES}
    assert len(per_node[NODES[0]]) == 4 and per_node[NODES[0]] == per_node[NODES[1]]  # one job, both ranks
    summary = json.loads(next(line.split("[train] summary ", 1)[1] for line in log.splitlines()
                              if "[train] summary " in line))
    assert summary["global_step"] == 4 and "eval_loss" in summary
    assert (out / "model.safetensors").is_file() and (out / "checkpoint-4").is_dir()


def test_dead_second_host_is_refused_before_launch(cluster_env, two_nodes, data, tmp_path):  # noqa: F811
    hostfile = two_nodes.hostfile(tmp_path / "hostfile", hosts=(NODES[0], DEAD))
    rc, log, seconds = run_bounded(["bash", "extras/launch_train.sh", "--hostfile", str(hostfile),
                                    *train_args(data, tmp_path / "out")], cluster_env["env"], timeout=60)
    assert rc != 0 and seconds < 30
    assert f"{DEAD}: not reachable by key-based ssh" in log and f"unusable node(s): {DEAD}" in log
    assert "[train]" not in log and not (tmp_path / "out").exists()  # nothing was launched


def test_dead_second_host_ends_a_raw_deepspeed_launch_within_the_rendezvous_timeout(cluster_env, two_nodes,  # noqa: F811
                                                                                      data, tmp_path):
    """The README's bare `deepspeed --hostfile` command: rank 0 starts on the live node, the roll call names
    the node that never checked in, and the whole launch ends (it used to wait 12 minutes)."""
    hostfile = two_nodes.hostfile(tmp_path / "hostfile", hosts=(NODES[0], DEAD))
    env_file = tmp_path / "deepspeed_env"  # the set-up's file with a shorter roll call, to keep the test short
    env_file.write_text(cluster_env["env_file"].read_text().replace(
        f"LION1B_RENDEZVOUS_TIMEOUT={RENDEZVOUS_TIMEOUT}", "LION1B_RENDEZVOUS_TIMEOUT=10"))
    rc, log, seconds = run_bounded([DEEPSPEED, "--hostfile", str(hostfile), "--master_addr", NODES[0],
                                    "--no_ssh_check", *train_args(data, tmp_path / "out")],
                                   dict(cluster_env["env"], DS_ENV_FILE=str(env_file)), timeout=150)
    assert rc != 0 and seconds < 120, log[-3000:]
    assert "rendezvous: 1 of 2 processes checked in within 10 s" in log, log[-3000:]
    assert "nothing started on node 1 (host line 2 of the hostfile)" in log
    assert "pdsh@" in log and f"{DEAD}: ssh exited with exit code 255" in log


def data_project(dest: Path) -> Path:
    """The project's code (as tests/test_drivers.py copies it) and the demo site's pages as two crawl parts."""
    for folder in ("lion1b", "scripts", "tokenizer", "train", "inference", "extras"):
        shutil.copytree(REPO / folder, dest / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.model", "hf", "*.done"))
    for name in ("parall.sh", "finalizedata.sh", "commandsequence.sh"):
        shutil.copy(REPO / name, dest / name)
    (dest / "data").mkdir()
    pages = list(site_pages(seed=0))
    for part in (0, 1):
        records = [{"url": p.url, "status": 200, "content_type": "text/html; charset=utf-8", "html": p.html}
                   for p in pages[part::2]]
        (dest / "data" / f"raw_html_thread{part}.txt").write_text("".join(json.dumps(r) + "\n" for r in records))
    return dest


def test_finalizedata_over_both_nodes_writes_the_bytes_of_a_local_run(two_nodes, tmp_path):  # noqa: F811
    flags = ["finalizedata.sh", "--skip-crawl", "--parts", "2", "--seq-len", "256", "--vocab-size", "2000",
             "--test-ratio", "0.1"]
    env = dict(two_nodes.env, PYTHON=sys.executable, HF_HUB_OFFLINE="1")
    local = data_project(tmp_path / "local")
    proc = subprocess.run(["bash", *flags], cwd=local, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]

    nodes = data_project(tmp_path / "nodes")
    before = [two_nodes.sessions(node) for node in NODES]
    hostfile = two_nodes.hostfile(tmp_path / "hostfile")
    proc = subprocess.run(["bash", *flags, "--hostfile", str(hostfile)], cwd=nodes, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "checking 2 node(s)" in proc.stderr
    # Every per-part stage ran through ssh on both nodes: extract, filter, 2 dedupe phases, scrub, tokenize.
    assert all(two_nodes.sessions(node) - was >= 6 for node, was in zip(NODES, before, strict=True))
    seqs = sorted(p.name for p in (local / "data").glob("*.seq"))
    assert seqs == ["test_thread0.seq", "test_thread1.seq", "train_thread0.seq", "train_thread1.seq"]
    for name in seqs:
        assert (nodes / "data" / name).read_bytes() == (local / "data" / name).read_bytes(), name


# ---------------------------------------------------------------- the roll call alone (no ssh, one machine)

ROLL_CALL = """
import sys, torch, torch.distributed as dist
from lion1b.train.rendezvous import roll_call
roll_call()
dist.init_process_group("gloo")  # env:// again, through rank 0's store
t = torch.tensor([float(dist.get_rank() + 1)])
dist.all_reduce(t)
print("sum", int(t.item()), flush=True)
dist.destroy_process_group()
"""


def rank_env(rank: int, port: int, **extra: str) -> dict:
    return dict(os.environ, WORLD_SIZE="2", RANK=str(rank), LOCAL_RANK="0", CROSS_RANK=str(rank), CROSS_SIZE="2",
                MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), PYTHONPATH=str(REPO), **extra)


def test_roll_call_hands_its_store_to_the_process_group():
    port = free_port("127.0.0.1")
    ranks = [subprocess.Popen([sys.executable, "-c", ROLL_CALL], env=rank_env(r, port), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for r in (0, 1)]
    outs = [p.communicate(timeout=120) for p in ranks]
    assert [p.returncode for p in ranks] == [0, 0], outs
    assert all("sum 3" in out for out, _ in outs)


def test_roll_call_names_the_host_that_never_checked_in():
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", ROLL_CALL], capture_output=True, text=True, timeout=120,
                          env=rank_env(0, free_port("127.0.0.1"), LION1B_RENDEZVOUS_TIMEOUT="3",
                                       LION1B_HOSTS="gpu-a,gpu-b"))
    assert proc.returncode == 2 and time.monotonic() - start < 60
    assert "rendezvous: 1 of 2 processes checked in within 3 s" in proc.stderr
    assert "nothing started on gpu-b (node 1)" in proc.stderr and "Traceback" not in proc.stderr
    # and a rank whose master never comes up says so instead of waiting
    proc = subprocess.run([sys.executable, "-c", ROLL_CALL], capture_output=True, text=True, timeout=120,
                          env=rank_env(1, free_port("127.0.0.1"), LION1B_RENDEZVOUS_TIMEOUT="3"))
    assert proc.returncode == 2 and "rank 1 on" in proc.stderr
    assert "cannot reach the master 127.0.0.1:" in proc.stderr and "Traceback" not in proc.stderr
