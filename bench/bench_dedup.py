"""Dedup benchmark on shared/bench/dedup/dev.jsonl: pair precision/recall, recall per variant kind, docs/s.

Our MinHash LSH in several settings and the reference tools (datasketch MinHashLSH, rensa, datatrove's
MinHash pipeline when installed) run in the same process on the same texts, so machine load hits all of
them alike; the last column is docs/s relative to datatrove (or to the issue's quoted 275 docs/s when
datatrove is absent).

    .venv/bin/python bench/bench_dedup.py [--repeat 3] [--skip-datatrove]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import struct
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np

from lion1b.dedup.minhash import MinHasher, components, exact_hash, shingle_text
from lion1b.dedup.stage import cluster

SHARED = Path(os.environ.get("LION1B_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DEV = SHARED / "bench" / "dedup" / "dev.jsonl"
VARIANTS = ["exact", "format", "boiler", "reorder", "edit5", "edit10", "edit15", "boiler+edit5"]
WORD = re.compile(r"\w+")
QUOTED_DATATROVE = {"precision": 1.0, "recall": 0.49, "docs_per_s": 275.0}  # issue 5, measured by its author


def score(labels: np.ndarray, docs: list[dict]) -> dict[str, float]:
    """Pair precision/recall of predicted clusters vs gold clusters, and per variant kind the share of
    documents put in the same cluster as their cluster's original."""
    gold = np.array([d["cluster"] for d in docs])

    def pairs(counts: Counter) -> int:
        return sum(c * (c - 1) // 2 for c in counts.values())

    predicted = pairs(Counter(labels.tolist()))
    true_pairs = pairs(Counter(gold.tolist()))
    hits = pairs(Counter(zip(labels.tolist(), gold.tolist(), strict=True)))
    result = {"precision": hits / predicted if predicted else 1.0, "recall": hits / true_pairs}
    original = {d["cluster"]: i for i, d in enumerate(docs) if d["variant"] == "original"}
    for variant in VARIANTS:
        members = [i for i, d in enumerate(docs) if d["variant"] == variant]
        found = sum(labels[i] == labels[original[docs[i]["cluster"]]] for i in members)
        result[variant] = found / len(members)
    return result


def word_shingles(text: str, k: int = 5) -> list[str]:
    """The reference tools' input: lowercased whitespace words joined into k-grams."""
    words = text.lower().split()
    return [" ".join(words[i:i + k]) for i in range(max(1, len(words) - k + 1))]


def labels_from_pairs(n: int, pairs: list[tuple[int, int]]) -> np.ndarray:
    return components(n, np.array(pairs, dtype=np.int64).reshape(-1, 2))


def ours(texts: list[str], near_dup: bool = True, num_perm: int = 128, rows: int = 2,
         threshold: float = 0.3, shingle_size: int = 5) -> np.ndarray:
    """The stage's signatures + cluster phases on in-memory texts (ids sort in input order)."""
    ids = np.array([f"{i:07d}" for i in range(len(texts))])
    shas = np.array([exact_hash(t) for t in texts], dtype="S64")
    sigs = MinHasher(num_perm, shingle_size).signatures(texts) if near_dup else np.zeros((len(texts), 0))
    order, keeper, _ = cluster(ids, shas, sigs, near_dup, rows, threshold)
    labels = np.empty(len(texts), dtype=np.int64)
    labels[order] = order[keeper]
    return labels


def datasketch_lsh(texts: list[str], threshold: float = 0.5, num_perm: int = 128) -> np.ndarray:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes = []
    for i, text in enumerate(texts):
        m = MinHash(num_perm=num_perm)
        m.update_batch([s.encode("utf-8") for s in word_shingles(text)])
        lsh.insert(i, m)
        hashes.append(m)
    pairs = [(i, j) for i, m in enumerate(hashes) for j in lsh.query(m) if j != i]
    return labels_from_pairs(len(texts), pairs)


def rensa_lsh(texts: list[str], threshold: float = 0.8, num_perm: int = 128, bands: int = 16) -> np.ndarray:
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=threshold, num_perm=num_perm, num_bands=bands)
    hashes = []
    for i, text in enumerate(texts):
        m = RMinHash(num_perm=num_perm, seed=42)
        m.update(word_shingles(text))
        lsh.insert(i, m)
        hashes.append(m)
    pairs = [(i, j) for i, m in enumerate(hashes) for j in lsh.query(m) if j != i]
    return labels_from_pairs(len(texts), pairs)


def rensa_signatures(texts: list[str], num_perm: int = 128, threshold: float = 0.3) -> np.ndarray:
    """rensa's MinHash on our normalized 5-word shingles, then our LSH + verification: compares the two
    MinHash implementations on equal terms."""
    from rensa import RMinHash

    sigs = np.zeros((len(texts), num_perm), dtype=np.uint32)
    for i, text in enumerate(texts):
        m = RMinHash(num_perm=num_perm, seed=42)
        m.update(word_shingles(" ".join(WORD.findall(shingle_text(text)))))
        sigs[i] = m.digest()
    ids = np.array([f"{i:07d}" for i in range(len(texts))])
    shas = np.array([exact_hash(t) for t in texts], dtype="S64")
    order, keeper, _ = cluster(ids, shas, sigs, True, 2, threshold)
    labels = np.empty(len(texts), dtype=np.int64)
    labels[order] = order[keeper]
    return labels


def datatrove_minhash(texts: list[str]) -> np.ndarray:
    """datatrove's 4-stage MinHash in its default config (5-grams, 14 buckets x 8 hashes), except the
    hash function: its xxhash path passes str to xxhash 4.x, which raises, so sha1 (its other choice)."""
    from datatrove.data import Document
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupSignature,
    )
    from datatrove.utils.hashing import HashConfig

    config = MinhashConfig(hash_config=HashConfig(hash_fc="sha1", precision=64))
    with tempfile.TemporaryDirectory() as d:
        docs = [Document(text=t, id=str(i)) for i, t in enumerate(texts)]
        steps = [([docs, MinhashDedupSignature(f"{d}/sigs", config=config)], 1),
                 ([MinhashDedupBuckets(f"{d}/sigs", f"{d}/buckets", config=config)], config.num_buckets),
                 ([MinhashDedupCluster(f"{d}/buckets", f"{d}/clusters", config=config, save_cluster_id=True)], 1)]
        for step, (pipeline, tasks) in enumerate(steps):
            LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=1, logging_dir=f"{d}/logs{step}",
                                  skip_completed=False).run()
        labels = np.arange(len(texts)) + len(texts)  # singletons: labels no cluster id can take
        path = Path(d) / "clusters" / "000000.clusters"
        raw = path.read_bytes() if path.exists() else b""
        for doc, cluster_id in struct.iter_unpack("<2I", raw):
            labels[doc] = cluster_id
    return labels


def timed(fn: Callable[[], np.ndarray], repeat: int) -> tuple[np.ndarray, float, float]:
    """Labels, best wall seconds and best CPU seconds of this process (the machine is shared: CPU time
    shows the single-core cost, wall time what a user waits)."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        labels = fn()
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
    return labels, wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per method; the fastest counts")
    parser.add_argument("--skip-datatrove", action="store_true", help="quote the issue's figures instead")
    args = parser.parse_args()
    if not DEV.exists():
        print(f"skip: {DEV} not found (set LION1B_SHARED to the folder holding bench/dedup/dev.jsonl)")
        return
    docs = [json.loads(line) for line in DEV.open()]
    texts = [d["text"] for d in docs]
    methods: list[tuple[str, Callable[[], np.ndarray]]] = [
        ("ours exact only", lambda: ours(texts, near_dup=False)),
        ("ours default (128 perm, rows 2, J>=0.3)", lambda: ours(texts)),
        ("ours 128 perm, rows 2, J>=0.2", lambda: ours(texts, threshold=0.2)),
        ("ours 128 perm, rows 2, J>=0.5", lambda: ours(texts, threshold=0.5)),
        ("ours 128 perm, rows 2, no verify", lambda: ours(texts, threshold=0.0)),
        ("ours 64 perm, rows 2, J>=0.3", lambda: ours(texts, num_perm=64)),
        ("ours 256 perm, rows 2, J>=0.3", lambda: ours(texts, num_perm=256)),
        ("ours 128 perm, 3-word shingles, J>=0.4", lambda: ours(texts, shingle_size=3, threshold=0.4)),
        ("datasketch MinHashLSH t=0.5", lambda: datasketch_lsh(texts, 0.5)),
        ("rensa RMinHashLSH t=0.8", lambda: rensa_lsh(texts, 0.8)),
        ("rensa RMinHash + our LSH/verify (rows 2, J>=0.3)", lambda: rensa_signatures(texts)),
    ]
    reference = QUOTED_DATATROVE["docs_per_s"]
    reference_name = "the issue's quoted 275 docs/s"
    if not args.skip_datatrove:
        try:
            import datatrove  # noqa: F401 - only to know it is installed
            from loguru import logger

            logger.remove()  # datatrove logs every stage; keep the table readable
            methods.append((f"datatrove {version('datatrove')} MinHash default", lambda: datatrove_minhash(texts)))
        except ImportError:
            print("datatrove not installed: speed ratios use the issue's quoted figures")
    results = []
    for name, fn in methods:
        labels, wall, cpu = timed(fn, args.repeat)
        results.append((name, score(labels, docs), len(texts) / wall, len(texts) / cpu))
        if name.startswith("datatrove"):
            reference, reference_name = len(texts) / wall, "datatrove's wall docs/s in this run"
    print(f"{len(texts)} documents, {len({d['cluster'] for d in docs})} gold clusters; "
          f"speed ratio vs {reference_name} ({reference:,.0f} docs/s); best of {args.repeat}")
    header = ["method", "P", "R", "docs/s wall", "x ref", "docs/s CPU", *VARIANTS]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, s, rate, cpu_rate in results:
        cells = [name, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{rate:,.0f}", f"{rate / reference:.1f}",
                 f"{cpu_rate:,.0f}",
                 *(f"{s[v]:.2f}" for v in VARIANTS)]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
