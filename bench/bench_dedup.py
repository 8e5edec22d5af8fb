"""Dedup benchmark on shared/bench/dedup/dev.jsonl: pair precision/recall, recall per variant kind, docs/s.

Our MinHash LSH in several settings and the reference tools (datasketch MinHashLSH, rensa, datatrove's
MinHash pipeline when installed) run in the same process on the same texts, so machine load hits all of
them alike; the last column is docs/s relative to datatrove (or to the issue's quoted 275 docs/s when
datatrove is absent).

    .venv/bin/python bench/bench_dedup.py [--repeat 3] [--skip-datatrove] [--thresholds 0.15,0.35]
        [--verify off,0.5/0.8] [--rows 3] [--shingle-sizes 3,5]
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np

from lion1b.dedup.minhash import components
from lion1b.dedup.stage import add_arguments
from lion1b.dedup.stage import main as dedupe

SHARED = Path(os.environ.get("LION1B_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DEV = SHARED / "bench" / "dedup" / "dev.jsonl"
VARIANTS = ["exact", "format", "boiler", "reorder", "edit5", "edit10", "edit15", "boiler+edit5"]
QUOTED_DATATROVE = {"precision": 1.0, "recall": 0.49, "docs_per_s": 275.0}  # issue 5, measured by its author


def stage_default(name: str) -> float:
    """A dedupe flag's default, read from the stage's own parser."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.get_default(name)


DEFAULT_THRESHOLD = stage_default("threshold")
DEFAULT_SHINGLE = stage_default("shingle_size")
DEFAULT_ROWS = stage_default("rows")
DEFAULT_VERIFY = f"{stage_default('verify_jaccard')}/{stage_default('verify_sequence')}"


def verify_flags(rule: str) -> list[str]:
    """Dedupe flags of a verification rule: ``off`` (the MinHash estimate decides) or ``J/S`` (exact
    3-token Jaccard / sequence ratio, lion1b/dedup/verify.py)."""
    if rule == "off":
        return ["--no-verify"]
    jaccard, sequence = rule.split("/")
    return ["--verify-jaccard", jaccard, "--verify-sequence", sequence]


def score(labels: np.ndarray, docs: list[dict]) -> dict[str, float]:
    """Pair precision/recall of predicted clusters vs gold clusters, and per variant kind the share of
    documents put in the same cluster as their cluster's original."""
    gold = np.array([d["cluster"] for d in docs])

    def pairs(counts: Counter) -> int:
        return sum(c * (c - 1) // 2 for c in counts.values())

    predicted = pairs(Counter(labels.tolist()))
    true_pairs = pairs(Counter(gold.tolist()))
    hits = pairs(Counter(zip(labels.tolist(), gold.tolist(), strict=True)))
    # a false drop: a document whose kept document is in another gold cluster (labels name the kept
    # document; datatrove's are cluster ids, which say nothing about which copy it keeps)
    wrong = sum(labels[i] != i and gold[labels[i]] != gold[i] for i in range(len(docs)))
    result = {"precision": hits / predicted if predicted else 1.0, "recall": hits / true_pairs,
              "false_drops": wrong / len(docs) if labels.max() < len(docs) else float("nan")}
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


def ours(texts: list[str], near_dup: bool = True, num_perm: int = 128, rows: int = DEFAULT_ROWS,
         threshold: float = DEFAULT_THRESHOLD, shingle_size: int = DEFAULT_SHINGLE,
         verify: str = DEFAULT_VERIFY) -> np.ndarray:
    """The dedupe stage itself (--phase all: signatures, candidates, cluster) on the texts written as
    JSON Lines; a document's label is the index of the document kept for it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.jsonl"
        path.write_text("".join(json.dumps({"id": f"{i:07d}", "text": t}) + "\n" for i, t in enumerate(texts)))
        dup_map = Path(tmp) / "map.jsonl"
        dedupe(["--input", str(path), "--work-dir", f"{tmp}/work", "--output", f"{tmp}/out.jsonl", "--quiet",
                "--dup-map", str(dup_map), "--num-perm", str(num_perm), "--rows", str(rows),
                "--threshold", str(threshold), "--shingle-size", str(shingle_size), *verify_flags(verify),
                *([] if near_dup else ["--no-near-dup"])])
        labels = np.arange(len(texts))
        for line in dup_map.open():
            row = json.loads(line)
            labels[int(row["id"])] = int(row["kept_id"])
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
    parser.add_argument("--thresholds", type=lambda v: [float(x) for x in v.split(",")],
                        default=[0.1, 0.15, 0.2, 0.35], help="our MinHash gates to sweep")
    parser.add_argument("--shingle-sizes", type=lambda v: [int(x) for x in v.split(",")], default=[5],
                        help="our shingle sizes to sweep")
    parser.add_argument("--verify", type=lambda v: v.split(","), default=[DEFAULT_VERIFY],
                        help="verification rules to sweep: off, or J/S (3-token Jaccard / sequence ratio)")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="LSH rows per band")
    args = parser.parse_args()
    if not DEV.exists():
        print(f"skip: {DEV} not found (set LION1B_SHARED to the folder holding bench/dedup/dev.jsonl)")
        return
    docs = [json.loads(line) for line in DEV.open()]
    texts = [d["text"] for d in docs]
    defaults = (DEFAULT_SHINGLE, DEFAULT_THRESHOLD, DEFAULT_VERIFY, DEFAULT_ROWS)
    methods: list[tuple[str, Callable[[], np.ndarray]]] = [
        ("ours exact only", lambda: ours(texts, near_dup=False)),
        *((f"ours {k}-token shingles, rows {args.rows}, J>={t}, verify {v}"
           f"{' (default)' if (k, t, v, args.rows) == defaults else ''}",
           lambda k=k, t=t, v=v: ours(texts, shingle_size=k, threshold=t, verify=v, rows=args.rows))
          for k in args.shingle_sizes for t in args.thresholds for v in args.verify),
        ("datasketch MinHashLSH t=0.5", lambda: datasketch_lsh(texts, 0.5)),
        ("rensa RMinHashLSH t=0.8", lambda: rensa_lsh(texts, 0.8)),
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
    header = ["method", "P", "R", "false drops", "docs/s wall", "x ref", "docs/s CPU", *VARIANTS]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, s, rate, cpu_rate in results:
        cells = [name, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['false_drops']:.2%}", f"{rate:,.0f}",
                 f"{rate / reference:.1f}", f"{cpu_rate:,.0f}",
                 *(f"{s[v]:.2f}" for v in VARIANTS)]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
