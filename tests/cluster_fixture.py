"""Two simulated nodes for the multi-node tests: an sshd on 127.0.0.2 and one on 127.0.0.3, on one free port,
with their own host key, a throwaway client key and an ssh config file, all in a temporary directory.

Nothing touches ~/.ssh: pdsh, DeepSpeed's launcher and extras/*.sh all read extra ssh options from
PDSH_SSH_ARGS_APPEND (pdsh appends it to every ssh it runs; our scripts pass it to theirs), which here is
``-F <tmp>/ssh_config`` (port, identity, known_hosts, BatchMode). ``stop()`` ends every process started
through these sshd (launchers, ranks) and then the sshd themselves, by pid.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import random
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

NODES = ("127.0.0.2", "127.0.0.3")
DEAD = "127.0.0.4"  # no sshd there: connection refused, as for a host that is down


def cluster_tools_missing() -> str | None:
    """Why the two-node tests cannot run here, or None. As root (CI, where .ci/run installs the packages)
    missing tools are a failure, not a reason to skip."""
    missing = [tool for tool in ("sshd", "ssh", "ssh-keygen", "pdsh")
               if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin")]
    if missing:
        why = f"not installed: {', '.join(missing)} (apt-get install openssh-server pdsh; .ci/run does)"
        if os.geteuid() == 0:
            pytest.fail(why)
        return why
    if os.geteuid() != 0 and not os.access("/run/sshd", os.R_OK):
        return "sshd needs root (or an existing /run/sshd) here"
    return None


def free_port(addr: str = "127.0.0.2") -> int:
    with socket.socket() as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


class TwoNodes:
    """Two loopback 'nodes' reachable by key-based ssh; ``env`` carries the ssh options for pdsh and scripts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.sshd: list[subprocess.Popen] = []
        self.ssh_config = root / "ssh_config"
        self.env = dict(os.environ, PDSH_SSH_ARGS_APPEND=f"-F {self.ssh_config}", PDSH_RCMD_TYPE="ssh")

    def start(self) -> None:
        keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-N", ""]
        subprocess.run([*keygen, "-f", str(self.root / "host_key")], check=True)
        subprocess.run([*keygen, "-f", str(self.root / "client_key")], check=True)
        shutil.copy(self.root / "client_key.pub", self.root / "authorized_keys")
        host_pub = " ".join((self.root / "host_key.pub").read_text().split()[:2])
        (self.root / "known_hosts").write_text("".join(f"[{a}]:{self.port} {host_pub}\n" for a in NODES))
        self.ssh_config.write_text(
            f"Host *\n  Port {self.port}\n  User {getpass.getuser()}\n"
            f"  IdentityFile {self.root / 'client_key'}\n  IdentitiesOnly yes\n"
            f"  UserKnownHostsFile {self.root / 'known_hosts'}\n  GlobalKnownHostsFile /dev/null\n"
            "  StrictHostKeyChecking yes\n  BatchMode yes\n  ConnectTimeout 5\n  LogLevel ERROR\n")
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation directory
        sshd = shutil.which("sshd", path=os.environ.get("PATH", "") + ":/usr/sbin")
        for addr in NODES:
            conf = self.root / f"sshd_{addr}.conf"
            conf.write_text(
                f"ListenAddress {addr}:{self.port}\nHostKey {self.root / 'host_key'}\nPidFile none\n"
                f"AuthorizedKeysFile {self.root / 'authorized_keys'}\nStrictModes no\nUsePAM no\n"
                "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
                "PermitRootLogin prohibit-password\nMaxStartups 50\nLogLevel INFO\n")
            log = (self.root / f"sshd_{addr}.log").open("w")
            self.sshd.append(subprocess.Popen([sshd, "-D", "-e", "-f", str(conf)], stdout=log, stderr=log))
        deadline = time.monotonic() + 15
        for addr in NODES:
            while self.ssh(addr, "true").returncode != 0:
                if time.monotonic() > deadline:
                    log = (self.root / f"sshd_{addr}.log").read_text()
                    raise RuntimeError(f"sshd on {addr} did not come up: {log}")
                time.sleep(0.2)

    def ssh(self, host: str, command: str) -> subprocess.CompletedProcess:
        return subprocess.run(["ssh", "-F", str(self.ssh_config), host, command], capture_output=True, text=True,
                              timeout=30)

    def sessions(self, addr: str) -> int:
        """ssh logins this node's sshd has accepted so far (its log at LogLevel INFO)."""
        return (self.root / f"sshd_{addr}.log").read_text(errors="replace").count("Accepted publickey")

    def hostfile(self, path: Path, hosts: tuple[str, ...] = NODES, slots: int = 1) -> Path:
        path.write_text("# written by tests/cluster_fixture.py\n" + "".join(f"{h} slots={slots}\n" for h in hosts))
        return path

    def stop(self) -> None:
        """Every process started through the sshd (sessions, launchers, ranks), then the sshd, by pid."""
        for daemon in self.sshd:
            try:
                children = psutil.Process(daemon.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                children = []
            for child in children:
                with contextlib.suppress(psutil.NoSuchProcess):
                    child.kill()
            psutil.wait_procs(children, timeout=10)
            daemon.terminate()
            try:
                daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory) -> Iterator[TwoNodes]:
    """sshd on 127.0.0.2 and 127.0.0.3 for the module; skipped only where the tools are missing and we are not root."""
    why = cluster_tools_missing()
    if why:
        pytest.skip(why)
    nodes = TwoNodes(tmp_path_factory.mktemp("two_nodes"))
    try:
        nodes.start()
        yield nodes
    finally:
        nodes.stop()


# ---------------------------------------------------------------- tiny training data (as in tests/test_train.py)

WORDS = ["quiet", "bright", "river", "garden", "market", "teacher", "follows", "watches", "builds", "crosses"]


def tiny_train_set(root: Path, seq_len: int = 64) -> Path:
    """tokenizer/ + train_thread{0,1}.seq + test_thread0.seq of templated sentences, built offline in seconds."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    from lion1b.tokenize.loading import tokenizer_fingerprint
    from lion1b.tokenize.seqfile import SeqWriter

    rng = random.Random(0)
    texts = [" ".join(f"the {rng.choice(WORDS)} {rng.choice(WORDS)} the {rng.choice(WORDS)} ."
                      for _ in range(rng.randint(1, 6))) for _ in range(500)]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=80, special_tokens=["<unk>", "<s>", "</s>"]))
    PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                            unk_token="<unk>").save_pretrained(root / "tokenizer")
    tok = AutoTokenizer.from_pretrained(root / "tokenizer")
    docs = [[tok.bos_token_id, *tok.encode(t, add_special_tokens=False), tok.eos_token_id] for t in texts]
    for name, chunk in (("train_thread0", docs[:200]), ("train_thread1", docs[200:400]), ("test_thread0", docs[400:])):
        with SeqWriter(root / f"{name}.seq", seq_len=seq_len, vocab_size=len(tok), eos_id=tok.eos_token_id,
                       bos_id=tok.bos_token_id, tokenizer_fingerprint=tokenizer_fingerprint(tok)) as w:
            for i, ids in enumerate(chunk):
                w.add_document(f"{name}-{i}", ids)
    return root
