"""The global half of dedup, in memory: LSH bucket entries → candidate pairs → verified drops.

Split so it scales: :func:`bucket_pairs` runs per shard (a shard holds only the bucket entries whose key
hashes to it, so shards partition buckets and their pairs), and :func:`resolve` runs once over the
candidate pairs and the documents they name, so its memory grows with pairs, not with the corpus.

The rule :func:`resolve` applies (docs/dedupe.md, "Which document is kept"):

- documents are ranked best first by :func:`rank_order`: a URL that names no other language than the
  text's, then more text in the document's language, then longer, then the more canonical URL, then id
  and text hash;
- exact copies (equal SHA-256 of the normalized text) form a group represented by its best member;
- going down the ranking, each representative not yet dropped is kept, and drops every later
  representative with the same id (``same_id``) and every later one of the same language whose estimated
  Jaccard *with it* is at least the threshold (``near_duplicate``). Candidates come from the connected
  component of verified LSH pairs around it, but each drop is checked against the kept document itself,
  so A~B and B~C never drop C for A unless A~C;
- an exact copy follows its representative (kept: dropped as ``exact_duplicate`` of it; dropped: dropped
  for the same document).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from lion1b.dedup.minhash import components, estimated_jaccard
from lion1b.dedup.verify import Verifier

KEEP, EXACT, NEAR, SAME_ID, COMPILATION = 0, 1, 2, 3, 4
KINDS = {EXACT: "exact_duplicate", NEAR: "near_duplicate", SAME_ID: "same_id", COMPILATION: "compilation"}


def shard_of(keys: np.ndarray, num_shards: int) -> np.ndarray:
    """The shard owning each (already well-mixed) 64-bit bucket key."""
    return ((keys >> np.uint64(40)) % np.uint64(num_shards)).astype(np.int64)


def bucket_pairs(keys: np.ndarray, order_key: np.ndarray, gidx: np.ndarray) -> np.ndarray:
    """Pairs of global document indices that share a bucket key: within a bucket, ordered by
    ``order_key`` (a hash of id and text, so the order does not depend on how documents were split into
    parts), each member is paired with the bucket's first member and with its predecessor. Linear in the
    bucket size, and enough to connect every bucket."""
    if len(keys) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.lexsort((gidx, order_key, keys))
    sorted_keys = keys[order]
    same = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1]) + 1
    if len(same) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    new_group = np.ones(len(order), dtype=bool)
    new_group[same] = False
    starts = np.maximum.accumulate(np.where(new_group, np.arange(len(order)), 0))
    members = gidx[order[same]].astype(np.int64)
    pairs = np.concatenate([np.stack([gidx[order[starts[same]]].astype(np.int64), members], axis=1),
                            np.stack([gidx[order[same - 1]].astype(np.int64), members], axis=1)])
    pairs.sort(axis=1)
    return np.unique(pairs[pairs[:, 0] != pairs[:, 1]], axis=0)


def rank_order(ids: np.ndarray, sha: np.ndarray, lang_chars: np.ndarray, length: np.ndarray,
               url_rank: np.ndarray) -> np.ndarray:
    """Indices best first: a URL that does not name another language than the text's, more characters in
    the document's language, longer, lower URL rank (https, no query, not an index file, shorter), then id
    and text hash so the order is total."""
    other_lang = url_rank >> 35  # the top flag of lion1b.dedup.stage.url_rank
    return np.lexsort((*(sha[:, c] for c in range(sha.shape[1] - 1, -1, -1)), ids, url_rank, -length,
                       -lang_chars, other_lang))


@dataclass
class Resolution:
    """Per document (in rank order): the rank of the document kept for it, why it is dropped, and the
    estimated Jaccard with that document (1 for exact copies, NaN when no signatures were made)."""

    keeper: np.ndarray
    kind: np.ndarray
    similarity: np.ndarray


def _groups(root: np.ndarray, members: np.ndarray) -> dict[int, np.ndarray]:
    """Members (ascending) of every root that has more than one of them."""
    if len(members) == 0:
        return {}
    order = members[np.argsort(root[members], kind="stable")]
    roots = root[order]
    cuts = np.flatnonzero(roots[1:] != roots[:-1]) + 1
    heads = np.concatenate(([0], cuts))
    return {int(roots[h]): g for h, g in zip(heads, np.split(order, cuts), strict=True) if len(g) > 1}


def resolve(ids: list[str], sha: np.ndarray, lang: np.ndarray, sig: np.ndarray, exact_pairs: np.ndarray,
            id_pairs: np.ndarray, near_pairs: np.ndarray, threshold: float,
            verify: Verifier | None = None,
            steps: Callable[[list[int]], Iterable[int]] = iter) -> Resolution:
    """Apply the module's rule to documents already in rank order (index = rank). Pairs are candidates:
    each is verified here (equal hash, equal id, same language and estimated Jaccard >= threshold, then,
    with ``verify``, the rule of lion1b/dedup/verify.py on the two texts). ``steps`` wraps the documents of
    components as they are visited (a progress bar: comparing texts is the phase's long part)."""
    n = len(ids)
    keeper = np.arange(n, dtype=np.int64)
    kind = np.zeros(n, dtype=np.int8)
    similarity = np.ones(n, dtype=np.float32)
    near_on = sig.shape[1] > 0

    def jaccard(r: int, others: np.ndarray) -> np.ndarray:
        if not near_on:
            return np.full(len(others), np.nan, dtype=np.float32)
        return (sig[others] == sig[r]).mean(axis=1).astype(np.float32)

    exact_pairs = exact_pairs[(sha[exact_pairs[:, 0]] == sha[exact_pairs[:, 1]]).all(axis=1)]
    rep = components(n, exact_pairs)
    same = np.array([ids[a] == ids[b] for a, b in id_pairs.tolist()], dtype=bool).reshape(-1)
    id_root = components(n, id_pairs[same])
    if near_on and len(near_pairs):
        a, b = near_pairs[:, 0], near_pairs[:, 1]
        ok = (lang[a] == lang[b]) & (estimated_jaccard(sig, near_pairs) >= threshold)
        near_pairs = np.stack([rep[a[ok]], rep[b[ok]]], axis=1)
        near_pairs = near_pairs[near_pairs[:, 0] != near_pairs[:, 1]]
    else:
        near_pairs = np.zeros((0, 2), dtype=np.int64)
    near_root = components(n, near_pairs)
    if verify is not None:
        verify.prepare(np.unique(near_pairs))
    reps = np.flatnonzero(rep == np.arange(n))
    id_groups = _groups(id_root, reps)
    near_groups = _groups(near_root, reps)
    dropped = np.zeros(n, dtype=bool)
    busy = np.zeros(n, dtype=bool)
    for group in (*id_groups.values(), *near_groups.values()):
        busy[group] = True
    for r in steps(np.flatnonzero(busy).tolist()):
        if dropped[r]:
            continue
        group = id_groups.get(int(id_root[r]))
        if group is not None:
            later = group[(group > r) & ~dropped[group]]
            dropped[later], keeper[later], kind[later] = True, r, SAME_ID
            similarity[later] = jaccard(r, later)
        group = near_groups.get(int(near_root[r]))
        if group is not None:
            later = group[(group > r) & ~dropped[group]]
            later = later[lang[later] == lang[r]]
            sims = jaccard(r, later)
            close = sims >= threshold
            if verify is not None and close.any():
                close[close] = verify(r, later[close])
            hit = later[close]
            dropped[hit], keeper[hit], kind[hit], similarity[hit] = True, r, NEAR, sims[close]
    copies = np.flatnonzero(rep != np.arange(n))
    of = rep[copies]
    kept_rep = ~dropped[of]
    keeper[copies] = np.where(kept_rep, of, keeper[of])
    kind[copies] = np.where(kept_rep, EXACT, kind[of])
    similarity[copies] = np.where(kept_rep, 1.0, similarity[of])
    return Resolution(keeper, kind, similarity)
