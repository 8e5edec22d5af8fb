"""Deduplication building blocks: text normalization, exact hashes, vectorized MinHash, LSH band
keys, connected components.

Kept apart from lion1b/dedup/stage.py (the stage: phases, files, flags) so the bench and the tests can use the
algorithm on in-memory texts. Everything here is deterministic across processes and runs: a part's
signatures are computed in one process and compared with another part's in a different one.
"""

from __future__ import annotations

import hashlib
import unicodedata

import numpy as np

from lion1b.dedup.script import char_chunks, code_points, token_bounds

EMPTY = np.iinfo(np.uint32).max  # signature value of a document without shingles (never a candidate)


def normalize_exact(text: str, casefold: bool = True) -> str:
    """NFKC + collapsed whitespace (+ case folding): copies that differ only in Unicode form, line
    wrapping or case hash the same."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())  # str.split: any Unicode whitespace
    return text.casefold() if casefold else text


def exact_digest(text: str, casefold: bool = True) -> bytes:
    """SHA-256 of the normalized text (collision-free in practice, unlike a 64-bit hash)."""
    return hashlib.sha256(normalize_exact(text, casefold).encode("utf-8", "surrogatepass")).digest()


def exact_hash(text: str, casefold: bool = True) -> str:
    """:func:`exact_digest` in hex."""
    return exact_digest(text, casefold).hex()


def shingle_text(text: str) -> str:
    """NFKC + lowercase: the form near-dup shingles are computed from (punctuation is dropped later)."""
    return (text if text.isascii() else unicodedata.normalize("NFKC", text)).lower()


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer, vectorized: spreads a polynomial hash over all 64 bits."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


POLY = 0x9E3779B97F4A7C15  # the polynomial hashes' multiplier: odd, so invertible modulo 2**64


class MinHasher:
    """MinHash signatures of token k-gram shingles, computed for a batch of documents at once in numpy.

    Tokens are words in scripts written with spaces and single characters in scripts written without
    (lion1b/dedup/script.py), so shingles are word k-grams in English and character k-grams in Chinese.
    No Python loop runs per token or per shingle: a batch's text becomes one array of code points, a
    token's hash is a polynomial over its code points read off a prefix sum,
    a shingle's hash is a polynomial over k word hashes, and the ``num_perm`` hash functions are affine
    maps ``a*x + b`` modulo 2**32 (a odd: a permutation of 32-bit values) applied to the mixed shingle
    hash, laid out permutation-major so the per-document minimum is a contiguous ``reduceat``."""

    def __init__(self, num_perm: int = 128, shingle_size: int = 5, seed: int = 1) -> None:
        if num_perm < 1 or shingle_size < 1:
            raise ValueError("num_perm and shingle_size must be at least 1")
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        rng = np.random.default_rng(seed)
        self.a = (rng.integers(0, 2**31, size=num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1))[:, None]
        self.b = rng.integers(0, 2**32, size=num_perm, dtype=np.uint32)[:, None]
        self._pow = np.ones(1, dtype=np.uint64)
        self._inv_pow = np.ones(1, dtype=np.uint64)

    def _powers(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """P**t and P**-t modulo 2**64 for t < n (grown by doubling, so amortized free)."""
        if len(self._pow) < n:
            size = max(n, 2 * len(self._pow))
            one = np.ones(1, dtype=np.uint64)
            self._pow = np.concatenate((one, np.cumprod(np.full(size - 1, POLY, dtype=np.uint64))))
            inv = pow(POLY, -1, 2**64)
            self._inv_pow = np.concatenate((one, np.cumprod(np.full(size - 1, inv, dtype=np.uint64))))
        return self._pow[:n], self._inv_pow[:n]

    def shingles(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """64-bit hashes of every token k-gram of the batch and the batch row each belongs to (ascending).
        A document shorter than k tokens is one shingle; one without tokens has none."""
        k = self.shingle_size
        texts = [shingle_text(t) for t in texts]  # may change lengths (NFKC expands ligatures)
        joined = "\n".join(texts) + "\n"
        cp = code_points(joined)
        starts, ends = token_bounds(cp)
        pw, inv = self._powers(len(cp) + 1)
        prefix = np.zeros(len(cp) + 1, dtype=np.uint64)
        np.cumsum((cp.astype(np.uint64) + np.uint64(1)) * pw[:-1], out=prefix[1:])
        words = mix64((prefix[ends] - prefix[starts]) * inv[starts])
        doc_starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
        doc = np.searchsorted(doc_starts, starts, side="right") - 1
        n = len(words)
        shingle, full = words.copy(), np.ones(n, dtype=bool)
        for j in range(1, k):
            m = max(n - j, 0)  # positions that have a j-th next word
            same = np.zeros(n, dtype=bool)
            same[:m] = doc[j:] == doc[:m]
            nxt = np.zeros(n, dtype=np.uint64)
            nxt[:m] = words[j:]
            shingle = np.where(same, shingle * np.uint64(POLY) + nxt, shingle)
            full &= same
        first = np.ones(n, dtype=bool)
        first[1:] = doc[1:] != doc[:-1]
        short = np.bincount(doc, minlength=len(texts))[doc] < k
        keep = full | (first & short)
        return mix64(shingle[keep]), doc[keep]

    def signatures(self, texts: list[str], batch_chars: int = 1 << 18, max_cells: int = 1 << 21) -> np.ndarray:
        """(len(texts), num_perm) uint32 MinHash matrix; rows of documents without words are EMPTY."""
        sig = np.full((len(texts), self.num_perm), EMPTY, dtype=np.uint32)
        step = max(1, max_cells // self.num_perm)
        work = np.empty((self.num_perm, step), dtype=np.uint32)  # reused: no allocation per chunk
        for start, stop in char_chunks(texts, batch_chars):
            hashes, rows = self.shingles(texts[start:stop])
            x = (hashes >> np.uint64(32)).astype(np.uint32)
            for c in range(0, len(x), step):  # bounded (num_perm x step) work matrix
                xs, rs = x[c:c + step], rows[c:c + step]
                seg = np.flatnonzero(np.concatenate(([True], rs[1:] != rs[:-1])))
                values = work[:, :len(xs)]
                np.multiply(self.a, xs[None, :], out=values)
                values += self.b
                mins = np.minimum.reduceat(values, seg, axis=1).T
                target = start + rs[seg]
                sig[target] = np.minimum(sig[target], mins)
        return sig


def band_keys(sig: np.ndarray, band: int, rows: int) -> np.ndarray:
    """One uint64 bucket key per document for LSH band ``band`` (exact for rows <= 2)."""
    part = sig[:, band * rows:(band + 1) * rows].astype(np.uint64)
    if rows == 1:
        return part[:, 0]
    if rows == 2:
        return (part[:, 0] << np.uint64(32)) | part[:, 1]
    key = np.zeros(len(sig), dtype=np.uint64)
    for j in range(rows):
        key = mix64(key ^ part[:, j])
    return key


def estimated_jaccard(sig: np.ndarray, pairs: np.ndarray, chunk: int = 16384) -> np.ndarray:
    """Share of equal MinHash values per pair: an unbiased estimate of the shingle-set Jaccard (pairs taken
    ``chunk`` at a time, so temporary memory stays a few MB)."""
    out = np.empty(len(pairs), dtype=np.float32)
    for s in range(0, len(pairs), chunk):
        p = pairs[s:s + chunk]
        out[s:s + chunk] = (sig[p[:, 0]] == sig[p[:, 1]]).mean(axis=1)
    return out


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected components of ``pairs`` over nodes 0..n-1, vectorized (hook roots, then pointer jumping
    until every node points at its root). Returns each node's root, the smallest node of its component:
    with nodes numbered best-first, the root is the component's best member."""
    label = np.arange(n, dtype=np.int64)
    if len(pairs) == 0:
        return label
    a, b = pairs[:, 0], pairs[:, 1]
    while True:
        la, lb = label[a], label[b]
        if (la == lb).all():
            return label
        np.minimum.at(label, np.maximum(la, lb), np.minimum(la, lb))
        while True:  # pointer jumping: every node to its root
            nxt = label[label]
            if (nxt == label).all():
                break
            label = nxt
