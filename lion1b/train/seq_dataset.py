"""Training dataset over packed .seq files: memory-mapped rows, checked headers, per-document position ids.

Every file is checked whole before any model is built: its completion marker, its header against the run
(tokenizer, sequence length, a vocabulary larger than the model's) and every token and index in it, so a
mistake or a corrupt file costs seconds instead of a queued multi-node job or a crash mid-training. The rows
are memory-mapped through lion1b.tokenize.seqfile; nothing is loaded whole.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lion1b.tokenize.markers import marker_problem
from lion1b.tokenize.seqfile import SeqFile, SeqFormatError


class DataCheckError(ValueError):
    """The training data does not fit the model or the run's settings; the message says what to change."""


def expand_files(patterns: list[str], flag: str) -> list[Path]:
    """Accept globs quoted (expanded here) or already expanded by the shell (pdsh re-expands them remotely),
    and JSON Lines manifests (``*.jsonl``) that list .seq files, see :func:`read_manifest`."""
    paths: list[Path] = []
    for pattern in patterns:
        if pattern.endswith(".jsonl"):
            paths.extend(read_manifest(Path(os.path.expanduser(pattern)), flag))
            continue
        matches = sorted(glob.glob(os.path.expanduser(pattern)))
        if not matches:
            raise DataCheckError(f"{flag} {pattern}: no such file (and no file matches it as a glob)")
        paths.extend(Path(m) for m in matches)
    unique = list(dict.fromkeys(paths))  # a file named twice (glob and expansion overlap) is read once
    return unique


def read_manifest(manifest: Path, flag: str) -> list[Path]:
    """The .seq files a manifest lists: one per line, as ``{"path": "..."}`` or the bare path; a relative path
    (or glob) is relative to the manifest's own directory, so a manifest travels with its data."""
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DataCheckError(f"{flag} {manifest}: cannot read the manifest ({e})") from None
    paths: list[Path] = []
    for lineno, line in enumerate(lines, 1):
        entry = line.strip()
        if not entry:
            continue
        if entry.startswith("{"):
            try:
                entry = json.loads(entry)["path"]
            except (ValueError, KeyError, TypeError):
                entry = None
            if not isinstance(entry, str) or not entry:
                raise DataCheckError(f"{manifest}:{lineno}: expected a .seq path or a JSON object with a "
                                     '"path" string')
        where = manifest.parent / os.path.expanduser(entry)
        matches = sorted(glob.glob(str(where)))
        if not matches:
            raise DataCheckError(f"{manifest}:{lineno}: {entry}: no such file")
        paths.extend(Path(m) for m in matches)
    if not paths:
        raise DataCheckError(f"{flag} {manifest}: the manifest lists no file")
    return paths


def check_markers(paths: list[Path]) -> None:
    """Refuse a .seq file that no completion marker vouches for: one left by a failed or interrupted
    tokenize_and_pack run, or changed since it was written (compared by size and content hash)."""
    for path in paths:
        problem = marker_problem(path)
        if problem:
            raise DataCheckError(f"{problem}. Re-run tokenize_and_pack for it, or pass --skip_marker_check to "
                                 "train on it anyway")


@dataclass(frozen=True)
class DataSpec:
    """What the model side expects from the data; compared with every .seq header."""

    max_seq_length: int
    model_vocab_size: int
    tokenizer_fingerprint: str | None  # None skips the check (documented escape hatch)


def position_ids_for(starts: np.ndarray, length: int) -> np.ndarray:
    """0, 1, 2, ... restarting at each document start: transformers reads a restart as a new document."""
    base = np.zeros(length, dtype=np.int64)
    base[starts] = starts
    return np.arange(length, dtype=np.int64) - np.maximum.accumulate(base)


class SeqDataset(torch.utils.data.Dataset):
    """Rows of one or more .seq files as {input_ids, labels[, position_ids]} of length `chunk`.

    A file whose seq_len is a multiple of max_seq_length is re-chunked: each stored row becomes
    seq_len // max_seq_length training rows (documents cut at a chunk edge continue from position 0).
    A file with shorter rows trains at its own length. Every file must give the same row length, since
    rows are batched without padding.
    """

    def __init__(self, paths: list[Path], spec: DataSpec, document_attention: bool = True) -> None:
        self.files = [_open_checked(p, spec) for p in paths]
        lengths = {min(f.header.seq_len, spec.max_seq_length) for f in self.files}
        if len(lengths) != 1:
            detail = ", ".join(f"{f.path}: {f.header.seq_len}" for f in self.files)
            raise DataCheckError(f"the .seq files have different seq_len ({detail}); rows are batched without "
                                 "padding, so pack them all with one --seq_len")
        self.chunk = lengths.pop()
        self.document_attention = document_attention
        self.per_row = [f.header.seq_len // self.chunk for f in self.files]
        self.offsets = np.cumsum([0] + [len(f) * k for f, k in zip(self.files, self.per_row, strict=True)])
        if self.offsets[-1] == 0:
            raise DataCheckError("the .seq files hold no sequences: " + ", ".join(str(f.path) for f in self.files))

    def __len__(self) -> int:
        return int(self.offsets[-1])

    @property
    def n_tokens(self) -> int:
        return len(self) * self.chunk

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        which = int(np.searchsorted(self.offsets, index, side="right")) - 1
        f, k = self.files[which], self.per_row[which]
        row, part = divmod(index - int(self.offsets[which]), k)
        lo = part * self.chunk
        ids = np.asarray(f.tokens[row, lo:lo + self.chunk], dtype=np.int64)  # checked below vocab at load
        item = {"input_ids": torch.from_numpy(ids)}
        labels = ids.copy()
        if self.document_attention:
            starts = f.doc_starts(row) - lo
            starts = starts[(starts > 0) & (starts < self.chunk)]
            item["position_ids"] = torch.from_numpy(position_ids_for(starts, self.chunk))
            # a document's first token cannot be predicted from the previous document it no longer sees
            labels[starts] = -100
        item["labels"] = torch.from_numpy(labels)
        return item


def _open_checked(path: Path, spec: DataSpec) -> SeqFile:
    """The header against the run's settings, then the whole file (SeqFile.verify: every id below the
    header's vocab_size, indexes consistent): a bad row fails here, not mid-training or never."""
    try:
        f = SeqFile(path)
    except SeqFormatError as e:
        raise DataCheckError(str(e)) from None
    h = f.header
    if h.seq_len > spec.max_seq_length and h.seq_len % spec.max_seq_length:
        raise DataCheckError(
            f"{path}: seq_len {h.seq_len} > --max_seq_length {spec.max_seq_length} and not a multiple of it; "
            f"re-pack with --seq_len {spec.max_seq_length} or pass a --max_seq_length that divides {h.seq_len}")
    if spec.tokenizer_fingerprint is not None and h.tokenizer_fingerprint != spec.tokenizer_fingerprint:
        raise DataCheckError(
            f"{path}: tokenizer fingerprint {h.tokenizer_fingerprint[:12]}… differs from the model's tokenizer "
            f"{spec.tokenizer_fingerprint[:12]}…: the file was tokenized with another vocabulary. Re-tokenize with "
            "the model's tokenizer, or pass --tokenizer_name pointing at the tokenizer that made the file")
    if h.vocab_size > spec.model_vocab_size:
        raise DataCheckError(
            f"{path}: tokenized with a vocabulary of {h.vocab_size} ids but the model has only "
            f"{spec.model_vocab_size} embeddings; token ids would index past the embedding table. Tokenize with "
            "the model's own tokenizer (tokenize_and_pack.py --model <model dir>)")
    try:
        f.verify()
    except SeqFormatError as e:
        raise DataCheckError(f"{e}; re-run tokenize_and_pack for this part (--force)") from None
    return f
