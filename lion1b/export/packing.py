"""Recover how the .seq files were packed (tokenizer, seq_len, BOS policy, test ratio, parts), so the export can
split documents exactly as the .seq files do and a takedown can re-pack a part with the same options.

The completion markers hold the packer's statistics, not its options, so the options are read back from the
evidence: seq_len, BOS and EOS from the .seq headers; the tokenizer by its fingerprint (the header's); the
test ratio from the number of test documents the markers counted and the split hash of every document id
(the split is ``hash(id) < ratio``, lion1b/tokenize/pack.py ``is_test``); every inference is then checked
against the document ids the .seq files hold.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lion1b.contract import die, stable_hash
from lion1b.report.collect import iter_jsonl, part_files, part_name, read_marker
from lion1b.tokenize.loading import LoadedTokenizer, load_tokenizer
from lion1b.tokenize.pack import SPLIT_SCALE, is_test
from lion1b.tokenize.seqfile import SeqFile, SeqFormatError


@dataclass
class PackSettings:
    seq_len: int
    bos: str  # "doc" | "none", the packer's --bos
    test_ratio: float
    num_parts: int
    model: str | None  # tokenizer path, None when none matching the .seq files was found
    tokenizer: LoadedTokenizer | None
    bos_id: int | None
    eos_id: int

    def pack_args(self, data_dir: Path, part: int) -> list[str]:
        """tokenize_and_pack arguments that rebuild part ``part`` as the pipeline built it."""
        return ["--input", str(data_dir / part_name("scrubbed", part)), "--model", str(self.model),
                "--seq-len", str(self.seq_len), "--test-ratio", repr(self.test_ratio), "--bos", self.bos,
                "--train-out", str(data_dir / part_name("train_seq", part)),
                "--test-out", str(data_dir / part_name("test_seq", part)),
                "--part-id", str(part), "--num-parts", str(self.num_parts)]

    def doc_tokens(self, texts: list[str]) -> list[int]:
        """Tokens each text takes in the packed stream: its encoding plus EOS (and BOS when packed with it)."""
        assert self.tokenizer is not None
        extra = 1 + (self.bos_id is not None)
        return [int(ids.size) + extra if ids.size else 0 for ids in self.tokenizer.encode_batch_arrays(texts)]


def split_hash(doc_id: str) -> int:
    """The value ``is_test`` compares with ``test_ratio * SPLIT_SCALE``."""
    return stable_hash("split:" + doc_id) % SPLIT_SCALE


def _in_test(h: int, ratio: float) -> bool:
    return h < ratio * SPLIT_SCALE  # the comparison of pack.is_test, on the split hash


def ratio_between(lo: int | None, hi: int | None) -> float:
    """A short decimal test ratio that puts split hash ``lo`` in test and ``hi`` in train (either may be None)."""
    lo_f = lo / SPLIT_SCALE if lo is not None else 0.0
    hi_f = hi / SPLIT_SCALE if hi is not None else 1.0
    for candidate in (0.01, 0.1, 0.05, 0.02, 0.001):  # the drivers' and packer's usual values first
        if lo_f < candidate <= hi_f:
            break
    else:
        candidate = next((c for d in range(1, 16) if (c := math.floor(hi_f * 10**d) / 10**d) > lo_f), hi_f)
    if (lo is not None and not _in_test(lo, candidate)) or (hi is not None and _in_test(hi, candidate)):
        candidate = hi_f  # float rounding at the boundary: fall back to the exact edge
    return candidate


def infer_test_ratio(data_dir: Path, markers: list[dict]) -> float:
    """The test ratio that reproduces the markers' test document counts over the scrubbed documents: the
    split hashes sorted, the ratio falls between the n_test-th and the next (8 bytes per document)."""
    n_test = sum(int(m["stats"]["counters"].get("test_docs", 0)) for m in markers)
    hashes = array("Q", (split_hash(str(r["id"])) for path in part_files(data_dir, "scrubbed").values()
                         if path.exists() for r in iter_jsonl(path)
                         if isinstance(r.get("text"), str) and r["text"].strip() and "id" in r))
    if n_test > len(hashes):
        die(f"the markers count {n_test} test documents but the scrubbed shards hold {len(hashes)} documents; "
            "the shards changed after packing: pass --test-ratio")
    ordered = np.sort(np.frombuffer(hashes, dtype=np.uint64)) if hashes else np.zeros(0, dtype=np.uint64)
    lo = int(ordered[n_test - 1]) if n_test else None
    hi = int(ordered[n_test]) if n_test < len(ordered) else None
    return ratio_between(lo, hi)


def pack_settings(data_dir: str | Path, model: str | None, test_ratio: float | None = None,
                  need_tokenizer: bool = True) -> PackSettings:
    """Settings of the existing .seq files in ``data_dir``; a clear error when they cannot be recovered."""
    data = Path(data_dir)
    train = part_files(data, "train_seq")
    if not train:
        die(f"no {part_name('train_seq', '*')} files in {data}: run tokenize_and_pack first")
    headers = []
    for path in [*train.values(), *part_files(data, "test_seq").values()]:
        try:
            headers.append(SeqFile(path).header)
        except SeqFormatError as exc:
            die(str(exc))
    first = headers[0]
    if any((h.seq_len, h.bos_id, h.eos_id, h.tokenizer_fingerprint) !=
           (first.seq_len, first.bos_id, first.eos_id, first.tokenizer_fingerprint) for h in headers):
        die(f"the .seq files in {data} were packed with different settings or tokenizers; re-pack them first")
    markers = [m for path in train.values() if (m := read_marker(path))]
    if test_ratio is None:
        if len(markers) < len(train):
            die("a train_thread*.seq file has no completion marker, so its split is unknown: pass --test-ratio")
        test_ratio = infer_test_ratio(data, markers)
    tokenizer = None
    if model and Path(model).exists():
        try:
            tokenizer = load_tokenizer(model)
        except ValueError as exc:
            die(str(exc))
        if tokenizer.fingerprint != first.tokenizer_fingerprint:
            die(f"{model} is not the tokenizer the .seq files were packed with (fingerprint "
                f"{tokenizer.fingerprint[:12]} vs {first.tokenizer_fingerprint[:12]}): pass --model")
        if tokenizer.eos_id != first.eos_id:
            die(f"{model} names EOS {tokenizer.eos_id} but the .seq files use {first.eos_id}; the packer was run "
                "with --eos_token, which this tool does not know: re-pack by hand")
    elif need_tokenizer:
        die(f"tokenizer not found: {model} (pass --model, the tokenizer the .seq files were packed with)")
    n_parts = len(part_files(data, "scrubbed")) or len(train)
    return PackSettings(seq_len=first.seq_len, bos="none" if first.bos_id < 0 else "doc", test_ratio=test_ratio,
                        num_parts=n_parts, model=model if tokenizer else None, tokenizer=tokenizer,
                        bos_id=None if first.bos_id < 0 else first.bos_id, eos_id=first.eos_id)


def check_split(data_dir: str | Path, settings: PackSettings) -> None:
    """Every id in a test .seq file must be a test id under the inferred ratio, and no train id may be."""
    data = Path(data_dir)
    for split in ("train", "test"):
        for path in part_files(data, f"{split}_seq").values():
            wrong = [i for i in SeqFile(path).document_ids() if is_test(i, settings.test_ratio) != (split == "test")]
            if wrong:
                die(f"{path}: document {wrong[0]} is not in the {split} split for test ratio "
                    f"{settings.test_ratio}; pass the ratio used for packing with --test-ratio")
