"""Dedupe stage — the one stage with a global step: a duplicate can sit in any other part.

Three phases, so parts still run in parallel and the result does not depend on ``--num-parts``:

1. ``signatures`` (per part, parallel): id, SHA-256 of the normalized text, MinHash signature of every
   record -> ``<work-dir>/sig_part{T}.npz``. Memory is bounded by signatures, never by documents.
2. ``cluster`` (once, global): reads every part's signatures, groups exact copies, finds near duplicates
   with MinHash LSH (candidates verified by estimated Jaccard), and keeps the first document of each
   group in canonical order (sorted id, then text hash) -> ``<work-dir>/drop_part{T}.npy`` per part,
   ``<work-dir>/clusters.json`` (counts) and, with ``--dup-map``, one ``{"id","kept_id","kind"}`` line
   per dropped document.
3. ``write`` (per part, parallel): streams the part's records again and writes the kept ones.

``--phase all`` runs the three in this process over every part (single-machine use, tests).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from lion1b.contract import (
    Completion,
    StageStats,
    add_common_arguments,
    atomic_write,
    check_common_arguments,
    die,
    iter_part_records,
    log,
    progress,
    write_record,
)
from lion1b.dedup.minhash import MinHasher, components, estimated_jaccard, exact_hash, lsh_candidates

NAME = "dedupe"
DEFAULT_OUTPUT = "data/deduped_thread{part}.txt"
REQUIRED = {"id": str, "text": str}
BATCH = 2048  # records per MinHash batch: big enough to amortize numpy calls, small in memory
KEEP, EXACT, NEAR, SAME_ID = 0, 1, 2, 3
KINDS = {EXACT: "exact_duplicate", NEAR: "near_duplicate", SAME_ID: "same_id"}
SIGNATURE_OPTIONS = ["input", "part_id", "num_parts", "split", "casefold", "near_dup", "num_perm",
                     "shingle_size", "seed"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("dedupe")
    group.add_argument("--phase", choices=["signatures", "cluster", "write", "all"], default="all",
                       help="signatures and write run per part, cluster once over all parts; all = the three "
                            "over every part in this process")
    group.add_argument("--work-dir", default="data/dedupe", help="where signatures and drop lists live")
    group.add_argument("--dup-map", help="cluster phase: write {id, kept_id, kind} JSON lines per dropped doc")
    group.add_argument("--casefold", action=argparse.BooleanOptionalAction, default=True,
                       help="exact hash ignores case (NFKC and whitespace are always normalized)")
    group.add_argument("--near-dup", action=argparse.BooleanOptionalAction, default=True,
                       help="also drop near duplicates (MinHash LSH); on by default: recall 0.92 vs 0.08 "
                            "exact-only at precision 1.0 on the dev set (docs/dedupe.md)")
    group.add_argument("--num-perm", type=int, default=128, help="MinHash signature length")
    group.add_argument("--shingle-size", type=int, default=5, help="words per shingle")
    group.add_argument("--rows", type=int, default=2, help="LSH rows per band (bands = num_perm // rows)")
    group.add_argument("--threshold", type=float, default=0.3,
                       help="a candidate pair is a near duplicate when its estimated Jaccard is at least this")
    group.add_argument("--seed", type=int, default=1, help="seed of the MinHash permutations")


def check_arguments(args: argparse.Namespace) -> None:
    check_common_arguments(args)
    if args.num_perm < 1 or args.shingle_size < 1:
        die("--num-perm and --shingle-size must be at least 1")
    if not 1 <= args.rows <= args.num_perm:
        die(f"--rows must be in 1..{args.num_perm} (--num-perm)")
    if not 0.0 < args.threshold <= 1.0:
        die(f"--threshold must be in (0, 1] (got {args.threshold})")
    if args.phase == "all" and args.num_parts > 1 and args.output and "{part}" not in args.output:
        die("--phase all with --num-parts > 1 writes every part: --output needs a {part} placeholder")


def for_part(args: argparse.Namespace, part: int) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), "part_id": part})


def sig_path(args: argparse.Namespace, part: int) -> Path:
    return Path(args.work_dir) / f"sig_part{part}.npz"


def drop_path(args: argparse.Namespace, part: int) -> Path:
    return Path(args.work_dir) / f"drop_part{part}.npy"


def output_path(args: argparse.Namespace) -> str:
    return (args.output or DEFAULT_OUTPUT).replace("{part}", str(args.part_id))


def file_stamp(paths: list[Path]) -> list[list[Any]]:
    """(path, size, mtime) of files a phase reads besides --input, so the completion fingerprint changes
    when an earlier phase re-ran."""
    stamps = []
    for p in paths:
        st = p.stat()
        stamps.append([str(p), st.st_size, st.st_mtime_ns])
    return stamps


def completion(outputs: list[Any], args: argparse.Namespace, options: list[str], stage: str,
               **extra: Any) -> Completion:
    """A marker whose fingerprint covers only the options this phase depends on (so `--phase all` and the
    separate phases share markers)."""
    scoped = argparse.Namespace(**{k: getattr(args, k) for k in options}, **extra)
    return Completion(outputs, scoped, stage)


def done_or_reset(marker: Completion, args: argparse.Namespace, what: str) -> bool:
    if marker.is_done() and not args.force:
        log(f"[{NAME}] {what} is complete for these inputs and options ({marker.marker}); skipping "
            "(use --force to redo)")
        return True
    marker.invalidate()
    return False


# ----------------------------------------------------------------------------- phase 1: signatures


def run_signatures(args: argparse.Namespace) -> None:
    """One part's (id, exact hash, MinHash) rows, in input order (the write phase relies on that order)."""
    path = sig_path(args, args.part_id)
    marker = completion([path], args, SIGNATURE_OPTIONS, f"{NAME}_signatures")
    if done_or_reset(marker, args, str(path)):
        return
    start = time.monotonic()
    stats = StageStats()
    hasher = MinHasher(args.num_perm, args.shingle_size, args.seed)
    ids: list[str] = []
    hashes: list[str] = []
    sigs: list[np.ndarray] = []
    texts: list[str] = []

    def flush() -> None:
        if args.near_dup and texts:
            sigs.append(hasher.signatures(texts))
        texts.clear()

    records = iter_part_records(args, stats, REQUIRED)
    for record in progress(records, quiet=args.quiet, desc=f"{NAME} signatures part {args.part_id}"):
        ids.append(record["id"])
        hashes.append(exact_hash(record["text"], args.casefold))
        texts.append(record["text"])
        if len(texts) == BATCH:
            flush()
    flush()
    width = args.num_perm if args.near_dup else 0
    minhash = np.concatenate(sigs) if sigs else np.zeros((len(ids), width), dtype=np.uint32)
    params = {k: getattr(args, k) for k in SIGNATURE_OPTIONS if k not in ("input", "part_id", "split")}
    with atomic_write(path, "wb") as handle:
        np.savez(handle, ids=np.array(ids, dtype=str), sha=np.array(hashes, dtype="S64"), minhash=minhash,
                 params=np.array(json.dumps(params, sort_keys=True)))
    stats.n_out = len(ids)
    seconds = time.monotonic() - start
    marker.write(stats, seconds)
    log(stats.summary(f"{NAME} signatures part {args.part_id}/{args.num_parts}", seconds))


# ----------------------------------------------------------------------------- phase 2: cluster


def load_signatures(args: argparse.Namespace) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
    """Every part's signatures concatenated, after checking they were made with this run's options."""
    expected = {k: getattr(args, k) for k in SIGNATURE_OPTIONS if k not in ("input", "part_id", "split")}
    sizes, ids, shas, sigs = [], [], [], []
    for part in range(args.num_parts):
        path = sig_path(args, part)
        if not path.exists():
            die(f"missing {path}: run --phase signatures for every part 0..{args.num_parts - 1} first")
        with np.load(path) as data:
            if json.loads(str(data["params"])) != expected:
                die(f"{path} was made with other options ({data['params']}); rerun --phase signatures")
            sizes.append(len(data["ids"]))
            ids.append(data["ids"])
            shas.append(data["sha"])
            sigs.append(data["minhash"])
    return sizes, np.concatenate(ids), np.concatenate(shas), np.concatenate(sigs)


def first_of_groups(keys: np.ndarray) -> np.ndarray:
    """For rows in canonical order, the index of the first row with the same key."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = sorted_keys[1:] != sorted_keys[:-1]
    heads = order[np.maximum.accumulate(np.where(new, np.arange(len(keys)), 0))]
    first = np.empty(len(keys), dtype=np.int64)
    first[order] = heads
    return first


def cluster(ids: np.ndarray, shas: np.ndarray, sigs: np.ndarray, near_dup: bool, rows: int,
            threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keeper and kind of every document, in canonical order (sorted id, then hash).

    Returns (order, keeper, kind): ``order`` maps canonical position to input row; ``keeper[i]`` is the
    canonical position of the document kept for position i; ``kind[i]`` is KEEP or why it is dropped."""
    order = np.lexsort((shas, ids))
    ids, shas = ids[order], shas[order]
    same_text, same_id = first_of_groups(shas), first_of_groups(ids)
    n = len(ids)
    pairs = [np.stack([same_text, np.arange(n)], axis=1), np.stack([same_id, np.arange(n)], axis=1)]
    if near_dup and n:
        reps = np.flatnonzero(same_text == np.arange(n))  # one row per distinct text: less LSH work
        rep_sig = sigs[order[reps]]
        candidates = lsh_candidates(rep_sig, rep_sig.shape[1] // rows, rows)
        verified = candidates[estimated_jaccard(rep_sig, candidates) >= threshold]
        pairs.append(reps[verified])
    edges = np.concatenate(pairs)
    keeper = components(n, edges[edges[:, 0] != edges[:, 1]])
    kind = np.full(n, KEEP, dtype=np.int8)
    dropped = keeper != np.arange(n)
    kind[dropped] = NEAR
    kind[dropped & (same_id != np.arange(n))] = SAME_ID
    kind[dropped & (same_text != np.arange(n))] = EXACT
    return order, keeper, kind


def run_cluster(args: argparse.Namespace) -> None:
    summary = Path(args.work_dir) / "clusters.json"
    sig_files = [sig_path(args, p) for p in range(args.num_parts)]
    missing = [p for p in sig_files if not p.exists()]
    if missing:
        die(f"missing {missing[0]}: run --phase signatures for every part 0..{args.num_parts - 1} first")
    outputs = [summary] + [drop_path(args, p) for p in range(args.num_parts)]
    outputs += [args.dup_map] if args.dup_map else []
    options = ["input", "num_parts", "near_dup", "rows", "threshold", "dup_map", "work_dir"]
    marker = completion(outputs, args, options, f"{NAME}_cluster", signatures=file_stamp(sig_files))
    if done_or_reset(marker, args, str(summary)):
        return
    start = time.monotonic()
    sizes, ids, shas, sigs = load_signatures(args)
    order, keeper, kind = cluster(ids, shas, sigs, args.near_dup, args.rows, args.threshold)
    stats = StageStats()
    stats.n_in, stats.n_out = len(ids), int((kind == KEEP).sum())
    for code, reason in KINDS.items():
        if (kind == code).any():
            stats.drop(reason, int((kind == code).sum()))
    status = np.empty(len(ids), dtype=np.int8)
    status[order] = kind
    offsets = np.cumsum([0, *sizes])
    for part in range(args.num_parts):
        with atomic_write(drop_path(args, part), "wb") as handle:
            np.save(handle, status[offsets[part]:offsets[part + 1]])
    if args.dup_map:
        kept_ids = ids[order][keeper]
        canonical_ids = ids[order]
        with atomic_write(args.dup_map) as handle:
            for i in np.flatnonzero(kind != KEEP):
                line = {"id": str(canonical_ids[i]), "kept_id": str(kept_ids[i]), "kind": KINDS[int(kind[i])]}
                handle.write(json.dumps(line) + "\n")
    with atomic_write(summary) as handle:
        json.dump(stats.as_dict(), handle, indent=1)
    seconds = time.monotonic() - start
    marker.write(stats, seconds)
    log(stats.summary(f"{NAME} cluster {args.num_parts} parts", seconds))


# ----------------------------------------------------------------------------- phase 3: write


def run_write(args: argparse.Namespace) -> None:
    output = output_path(args)
    inputs = [sig_path(args, args.part_id), drop_path(args, args.part_id)]
    if not all(p.exists() for p in inputs):
        die(f"missing {inputs[1]}: run --phase signatures for every part, then --phase cluster, first")
    options = ["input", "part_id", "num_parts", "split", "output"]
    marker = completion([output], args, options, NAME, cluster=file_stamp(inputs))
    if done_or_reset(marker, args, output):
        return
    start = time.monotonic()
    with np.load(inputs[0]) as data:
        ids = data["ids"]
    status = np.load(inputs[1])
    if len(status) != len(ids):
        die(f"{inputs[1]} does not match {inputs[0]}: rerun --phase cluster")
    stats = StageStats()
    row = -1
    with atomic_write(output) as out:
        records = iter_part_records(args, stats, REQUIRED)
        for row, record in enumerate(progress(records, quiet=args.quiet, desc=f"{NAME} write part {args.part_id}")):
            if row >= len(ids) or record["id"] != ids[row]:
                die(f"input of part {args.part_id} changed since its signatures were made; rerun all phases")
            if status[row] != KEEP:
                stats.drop(KINDS[int(status[row])])
                continue
            write_record(out, record)
            stats.n_out += 1
        if row + 1 != len(ids):
            die(f"input of part {args.part_id} changed since its signatures were made; rerun all phases")
    seconds = time.monotonic() - start
    marker.write(stats, seconds)
    log(stats.summary(f"{NAME} part {args.part_id}/{args.num_parts}", seconds))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_arguments(parser)
    add_arguments(parser)
    args = parser.parse_args(argv)
    check_arguments(args)
    if args.phase == "signatures":
        run_signatures(args)
    elif args.phase == "cluster":
        run_cluster(args)
    elif args.phase == "write":
        run_write(args)
    else:
        for part in range(args.num_parts):
            run_signatures(for_part(args, part))
        run_cluster(args)
        for part in range(args.num_parts):
            run_write(for_part(args, part))

