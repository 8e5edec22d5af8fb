"""A roll call before the process group, so a rank that never starts ends the job in seconds, naming its host.

Without it, rank 0 of a DeepSpeed launch waits inside ``init_process_group`` for the missing ranks for the
whole process-group timeout (10-30 minutes; observed 12) and then reports only "clients joined 1/2". Here
rank 0 hosts the c10d TCPStore at MASTER_ADDR:MASTER_PORT itself and waits at most
``LION1B_RENDEZVOUS_TIMEOUT`` seconds (default 60) for every rank to check in with its node and host name.
On time, the store stays up and the real ``env://`` rendezvous connects to it as torchrun's ranks connect to
their agent's store (``TORCHELASTIC_USE_AGENT_STORE``), so the process group, its timeout (``--ddp_timeout``)
and every later collective are untouched. Late, rank 0 names the nodes that never checked in and exits 2.

``LION1B_HOSTS`` (comma-separated, in hostfile order; set by extras/launch_train.sh) turns node numbers into
host names. Under torchrun (which has its own store and rendezvous timeouts) this does nothing.
"""

from __future__ import annotations

import os
import socket
import sys
from datetime import timedelta

import torch.distributed as dist

DEFAULT_TIMEOUT_S = 60.0
_STORE: dist.TCPStore | None = None  # rank 0's store server must live as long as the process group


def _fail(msg: str) -> None:
    print(f"[train] error: {msg}", file=sys.stderr, flush=True)
    sys.exit(2)


def _node_name(node: int, n_nodes: int) -> str:
    hosts = [h for h in os.environ.get("LION1B_HOSTS", "").split(",") if h]
    if len(hosts) == n_nodes:
        return f"{hosts[node]} (node {node})"
    return f"node {node} (host line {node + 1} of the hostfile)"


def roll_call() -> None:
    """Every rank checks in at rank 0's store within the timeout, or the job ends with the missing hosts named."""
    global _STORE
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1 or "MASTER_ADDR" not in os.environ or os.environ.get("TORCHELASTIC_USE_AGENT_STORE"):
        return
    timeout_s = float(os.environ.get("LION1B_RENDEZVOUS_TIMEOUT", DEFAULT_TIMEOUT_S))
    rank = int(os.environ["RANK"])
    node, n_nodes = int(os.environ.get("CROSS_RANK", "0")), int(os.environ.get("CROSS_SIZE", "1"))
    addr, port = os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"])
    host = socket.gethostname()
    try:
        store = dist.TCPStore(addr, port, world, is_master=rank == 0, timeout=timedelta(seconds=timeout_s),
                              wait_for_workers=False)
        store.set(f"lion1b/rollcall/{rank}", f"{node} {host}")
    except (RuntimeError, OSError) as e:
        _fail(f"rank {rank} on {host}: cannot reach the master {addr}:{port} within {timeout_s:.0f} s "
              f"({str(e).splitlines()[0][:200]}); is the first hostfile host up, and is {addr} an address "
              "every node can reach?")
    keys = [f"lion1b/rollcall/{r}" for r in range(world)]
    if rank == 0:
        try:
            store.wait(keys, timedelta(seconds=timeout_s))
        except (RuntimeError, OSError):
            missing = [r for r in range(world) if not store.check([keys[r]])]
            joined_nodes = {int(store.get(keys[r]).split()[0]) for r in range(world) if r not in missing}
            absent = [_node_name(n, n_nodes) for n in range(n_nodes) if n not in joined_nodes]
            where = f"nothing started on {', '.join(absent)}" if absent else f"ranks {missing} missing"
            _fail(f"rendezvous: {world - len(missing)} of {world} processes checked in within {timeout_s:.0f} s "
                  f"(LION1B_RENDEZVOUS_TIMEOUT); {where}. Check that host: ssh to it, its .venv, and the rank "
                  "log lines prefixed with its name")
        store.set("lion1b/rollcall/go", "1")
        _STORE = store
    else:
        try:
            store.wait(["lion1b/rollcall/go"], timedelta(seconds=2 * timeout_s + 30))
        except (RuntimeError, OSError):
            _fail(f"rank {rank} on {host}: rank 0 ended the roll call (see its error)")
        del store
    os.environ["TORCHELASTIC_USE_AGENT_STORE"] = "True"  # the env:// rendezvous reuses rank 0's store
