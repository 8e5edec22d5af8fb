"""The .seq file: packed token sequences for training, with document starts and provenance.

One file = a fixed 256-byte little-endian header, the token matrix (n_sequences x seq_len, uint16 or
uint32) right after it, then the indexes. The matrix sits at a fixed offset so any reader can do
``np.memmap(path, dtype, mode="r", offset=HEADER_SIZE, shape=(n_sequences, seq_len))`` without this
module. Nothing is loaded whole: the reader memory-maps the matrix and the index arrays.
The layout is documented in docs/seq_format.md; keep the two in sync.
"""

from __future__ import annotations

import contextlib
import json
import struct
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from lion1b.contract import atomic_write

MAGIC = b"LION1SEQ"
VERSION = 1
HEADER_SIZE = 256
# magic, version, dtype code (bytes per token), seq_len, vocab_size, n_sequences, n_documents, bos_id (-1 = none),
# eos_id, fingerprint (sha256), then the sections: (offset) doc_ptr, doc_pos, n_doc_starts, src_ptr, src_doc,
# n_src_entries, ids, ids_nbytes; zero padding; the last 4 bytes are a CRC32 of the 252 bytes before them.
_HEADER = struct.Struct("<8sIIQQQQqq32sQQQQQQQQQ")
_CRC_AT = HEADER_SIZE - 4
_DTYPES = {2: "uint16", 4: "uint32"}
_ALIGN = 8


class SeqFormatError(ValueError):
    """A .seq file that is not one, is truncated, or whose contents disagree with its header."""


@dataclass(frozen=True)
class SeqHeader:
    version: int
    dtype: str  # "uint16" | "uint32"
    seq_len: int
    vocab_size: int
    n_sequences: int
    n_documents: int  # documents with at least one token in this file
    bos_id: int  # -1 when the tokenizer has no BOS
    eos_id: int
    tokenizer_fingerprint: str  # hex sha256 of the vocabulary, see lion1b/tokenize/loading.py

    @property
    def n_tokens(self) -> int:
        return self.n_sequences * self.seq_len


@dataclass(frozen=True)
class _Sections:
    doc_ptr: int
    doc_pos: int
    n_doc_starts: int
    src_ptr: int
    src_doc: int
    n_src_entries: int
    ids: int
    ids_nbytes: int


def dtype_for_vocab(vocab_size: int) -> str:
    """uint16 halves the file for any vocabulary below 65,536 ids."""
    return "uint16" if vocab_size < 65536 else "uint32"


def _aligned(n: int) -> int:
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN


def _pack_header(h: SeqHeader, s: _Sections) -> bytes:
    itemsize = np.dtype(h.dtype).itemsize
    body = _HEADER.pack(
        MAGIC, h.version, itemsize, h.seq_len, h.vocab_size, h.n_sequences, h.n_documents, h.bos_id, h.eos_id,
        bytes.fromhex(h.tokenizer_fingerprint), HEADER_SIZE, s.doc_ptr, s.doc_pos, s.n_doc_starts, s.src_ptr,
        s.src_doc, s.n_src_entries, s.ids, s.ids_nbytes,
    ).ljust(_CRC_AT, b"\0")
    return body + struct.pack("<I", zlib.crc32(body))


def _expected_layout(h: SeqHeader, n_doc_starts: int, n_src_entries: int, ids_nbytes: int) -> _Sections:
    """Section offsets are a pure function of the counts; the reader recomputes them to catch corruption."""
    itemsize = np.dtype(h.dtype).itemsize
    doc_ptr = _aligned(HEADER_SIZE + h.n_sequences * h.seq_len * itemsize)
    doc_pos = _aligned(doc_ptr + (h.n_sequences + 1) * 8)
    src_ptr = _aligned(doc_pos + n_doc_starts * 4)
    src_doc = _aligned(src_ptr + (h.n_sequences + 1) * 8)
    ids = _aligned(src_doc + n_src_entries * 4)
    return _Sections(doc_ptr, doc_pos, n_doc_starts, src_ptr, src_doc, n_src_entries, ids, ids_nbytes)


def read_header(path: str | Path) -> tuple[SeqHeader, _Sections]:
    """Read and check the header and the file size: O(1), no token is read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            raw = f.read(HEADER_SIZE)
    except OSError as e:
        raise SeqFormatError(f"{path}: cannot read: {e.strerror or e}") from None
    if len(raw) < HEADER_SIZE:
        raise SeqFormatError(f"{path}: truncated header ({len(raw)} of {HEADER_SIZE} bytes)")
    if raw[:8] != MAGIC:
        raise SeqFormatError(f"{path}: not a .seq file (magic {raw[:8]!r}, expected {MAGIC!r})")
    (crc,) = struct.unpack_from("<I", raw, _CRC_AT)
    if zlib.crc32(raw[:_CRC_AT]) != crc:
        raise SeqFormatError(f"{path}: header checksum mismatch (header corrupted)")
    (_, version, itemsize, seq_len, vocab_size, n_seq, n_docs, bos_id, eos_id, fp, tokens_off, doc_ptr, doc_pos,
     n_doc_starts, src_ptr, src_doc, n_src, ids_off, ids_nbytes) = _HEADER.unpack_from(raw)
    if version != VERSION:
        raise SeqFormatError(f"{path}: unsupported .seq version {version} (this reader knows {VERSION})")
    if itemsize not in _DTYPES:
        raise SeqFormatError(f"{path}: bad dtype code {itemsize} (expected 2 or 4)")
    if tokens_off != HEADER_SIZE or seq_len == 0 or vocab_size == 0:
        raise SeqFormatError(f"{path}: bad header (tokens offset {tokens_off}, seq_len {seq_len}, "
                             f"vocab_size {vocab_size})")
    header = SeqHeader(version, _DTYPES[itemsize], seq_len, vocab_size, n_seq, n_docs, bos_id, eos_id, fp.hex())
    sections = _Sections(doc_ptr, doc_pos, n_doc_starts, src_ptr, src_doc, n_src, ids_off, ids_nbytes)
    if sections != _expected_layout(header, n_doc_starts, n_src, ids_nbytes):
        raise SeqFormatError(f"{path}: section offsets disagree with the counts in the header")
    expected = ids_off + ids_nbytes
    if size != expected:
        what = "truncated" if size < expected else "has trailing bytes"
        raise SeqFormatError(f"{path}: file {what}: {size} bytes, header says {expected}")
    return header, sections


class SeqFile:
    """Read side of a .seq file: header checked on open, tokens and indexes memory-mapped."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.header, self._sections = read_header(self.path)
        h, s = self.header, self._sections
        self.tokens = self._map(h.dtype, HEADER_SIZE, (h.n_sequences, h.seq_len))
        self._doc_ptr = self._map("<u8", s.doc_ptr, (h.n_sequences + 1,))
        self._doc_pos = self._map("<u4", s.doc_pos, (s.n_doc_starts,))
        self._src_ptr = self._map("<u8", s.src_ptr, (h.n_sequences + 1,))
        self._src_doc = self._map("<u4", s.src_doc, (s.n_src_entries,))
        self._ids: list[str] | None = None

    def __getstate__(self) -> dict:
        # Pickle the path, not the mapped arrays (which numpy would copy whole), e.g. for DataLoader workers.
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"])

    def _map(self, dtype: str, offset: int, shape: tuple[int, ...]) -> np.ndarray:
        if 0 in shape:  # mmap cannot map zero bytes
            return np.zeros(shape, dtype=dtype)
        return np.memmap(self.path, dtype=dtype, mode="r", offset=offset, shape=shape)

    def __len__(self) -> int:
        return self.header.n_sequences

    def doc_starts(self, i: int) -> np.ndarray:
        """Positions in sequence i where a document begins (its BOS, or its first token without BOS)."""
        self._check_index(i)
        return np.asarray(self._doc_pos[int(self._doc_ptr[i]):int(self._doc_ptr[i + 1])], dtype=np.int64)

    def sources(self, i: int) -> list[str]:
        """Ids of the documents with tokens in sequence i, in stream order."""
        self._check_index(i)
        ids = self.document_ids()
        return [ids[j] for j in self._src_doc[int(self._src_ptr[i]):int(self._src_ptr[i + 1])]]

    def document_ids(self) -> list[str]:
        """All document ids in the file, in stream order (loaded once, on first use)."""
        if self._ids is None:
            s = self._sections
            with open(self.path, "rb") as f:
                f.seek(s.ids)
                blob = f.read(s.ids_nbytes)
            try:
                ids = json.loads(blob.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise SeqFormatError(f"{self.path}: document id table is corrupt: {e}") from None
            if not isinstance(ids, list) or len(ids) != self.header.n_documents:
                raise SeqFormatError(f"{self.path}: document id table does not hold n_documents="
                                     f"{self.header.n_documents} ids")
            self._ids = ids
        return self._ids

    def _check_index(self, i: int) -> None:
        if not 0 <= i < self.header.n_sequences:
            raise IndexError(f"sequence {i} out of range for {self.path} ({self.header.n_sequences} sequences)")

    def verify(self, chunk_bytes: int = 64 << 20) -> None:
        """Full check, before any training: every token id below vocab_size, the document-start index equal to
        where the separators are, the source index equal to what the starts imply, and the id table readable.

        One pass over the token matrix in chunks of ``chunk_bytes`` (vectorised, memory bounded); the indexes
        are compared as whole arrays. Raises SeqFormatError naming the file and the first problem found."""
        problems = self._index_problems()
        if not problems:
            problems = self._token_problems(max(1, chunk_bytes // (self.header.seq_len * self.tokens.itemsize)))
        if problems:
            raise SeqFormatError(f"{self.path}: " + "; ".join(problems))
        if self._ids is None:  # checked, not kept: a big table costs ~70 bytes per document in every rank
            self.document_ids()
            self._ids = None

    def _start_positions(self) -> np.ndarray:
        """Every document start as a position in the flattened stream (row * seq_len + position)."""
        rows = np.repeat(np.arange(self.header.n_sequences, dtype=np.int64), np.diff(self._doc_ptr.astype(np.int64)))
        return rows * self.header.seq_len + self._doc_pos.astype(np.int64)

    def _index_problems(self) -> list[str]:
        h, s = self.header, self._sections
        bad = []
        for special, value in (("eos_id", h.eos_id), ("bos_id", h.bos_id)):
            if not -1 <= value < h.vocab_size or (special == "eos_id" and value < 0):
                bad.append(f"{special} {value} outside the vocabulary")
        for name, ptr, n in (("document-start", self._doc_ptr, s.n_doc_starts),
                             ("source", self._src_ptr, s.n_src_entries)):
            if ptr[0] != 0 or ptr[-1] != n or np.any(np.diff(ptr.astype(np.int64)) < 0):
                bad.append(f"{name} index pointers are not monotonic from 0 to {n}")
        if bad or h.n_sequences == 0:
            return bad
        if int(self._doc_pos.max(initial=0)) >= h.seq_len:
            return ["a document start lies beyond seq_len"]
        starts = self._start_positions()
        if starts.size == 0 or starts[0] != 0 or np.any(np.diff(starts) <= 0):
            return ["document-start index is not strictly increasing from position 0 of row 0"]
        if s.n_doc_starts != h.n_documents:
            return [f"{s.n_doc_starts} document starts but n_documents={h.n_documents} (every document in a file "
                    "begins in it)"]
        # Sources follow from the starts: row i holds the documents starting in it, plus the one it continues.
        n_starts = np.diff(self._doc_ptr.astype(np.int64))
        continues = np.ones(h.n_sequences, dtype=np.int64)
        continues[np.unique(starts[starts % h.seq_len == 0] // h.seq_len)] = 0
        first = np.concatenate([[0], np.cumsum(n_starts)[:-1]]) - continues
        per_row = n_starts + continues
        ptr = np.concatenate([[0], np.cumsum(per_row)])
        expected = np.repeat(first - ptr[:-1], per_row) + np.arange(ptr[-1])
        if not np.array_equal(self._src_ptr, ptr) or not np.array_equal(self._src_doc, expected):
            diff = int(np.argmax(self._src_ptr != ptr)) if not np.array_equal(self._src_ptr, ptr) else None
            where = f"row {diff - 1 if diff else 0}" if diff is not None else "its entries"
            return [f"source index disagrees with the document starts ({where})"]
        return []

    def _token_problems(self, rows_per_chunk: int) -> list[str]:
        """Token ids in range, and separators where the document-start index says documents begin: BOS at
        every start and nowhere else (or, packed without BOS, a start right after every EOS); EOS before
        every start but the first. An id out of range is reported first: it is what would crash training."""
        h = self.header
        length, total = h.seq_len, h.n_sequences * h.seq_len
        starts = self._start_positions()
        flat = self.tokens.reshape(-1)
        separators: list[str] = []
        for lo in range(0, h.n_sequences, rows_per_chunk):
            block = np.asarray(self.tokens[lo:lo + rows_per_chunk])
            top = int(block.max())
            if top >= h.vocab_size:
                row = lo + int(np.argmax(block.max(axis=1) >= h.vocab_size))
                return [f"token id {top} >= vocab_size {h.vocab_size} in sequence {row}"]
            if separators:
                continue
            base, end = lo * length, lo * length + block.size
            if h.bos_id == h.eos_id:  # one token for both (GPT-2 style): only "it is at every start" is checkable
                window = starts[np.searchsorted(starts, base):np.searchsorted(starts, end)]
                found = window[flat[window] == h.bos_id]
            elif h.bos_id >= 0:
                found = np.flatnonzero(block == h.bos_id) + base
                window = starts[np.searchsorted(starts, base):np.searchsorted(starts, end)]
            else:  # a document starts right after each EOS (eos at the chunk's end: the next chunk's start)
                found = np.flatnonzero(block == h.eos_id) + base + 1
                found = found[found < total]
                window = starts[np.searchsorted(starts, base + 1):np.searchsorted(starts, end + 1)]
            if not np.array_equal(found, window):
                at = int(np.setxor1d(found, window)[0])
                separators.append(f"document-start index disagrees with the separator tokens at sequence "
                                  f"{at // length} position {at % length}")
        if not separators and starts.size > 1 and not np.all(flat[starts[1:] - 1] == h.eos_id):
            at = int(starts[1:][np.argmax(flat[starts[1:] - 1] != h.eos_id)])
            separators.append(f"no EOS before the document starting at sequence {at // length} position "
                              f"{at % length}")
        return separators


class SeqWriter:
    """Write side: documents in, exact seq_len rows out; atomic (temp file renamed on success).

    The caller passes each document's tokens exactly as they should appear in the stream, separators included
    (tokenize_and_pack adds BOS/EOS). Rows are written as they fill; the indexes are kept in compact arrays and
    written after the matrix, then the header is patched in. The tail that does not fill a last row is dropped
    (never padded) and counted in ``tail_tokens_dropped`` / ``tail_documents_dropped``.
    """

    def __init__(self, path: str | Path, *, seq_len: int, vocab_size: int, eos_id: int, bos_id: int | None,
                 tokenizer_fingerprint: str, dtype: str | None = None) -> None:
        if seq_len <= 0 or vocab_size <= 0:
            raise ValueError(f"seq_len and vocab_size must be positive (got {seq_len}, {vocab_size})")
        fp = bytes.fromhex(tokenizer_fingerprint)
        if len(fp) != 32:
            raise ValueError("tokenizer_fingerprint must be 64 hex characters (sha256)")
        self.path = Path(path)
        self.dtype = dtype or dtype_for_vocab(vocab_size)
        if self.dtype not in _DTYPES.values() or np.iinfo(self.dtype).max < vocab_size - 1:
            raise ValueError(f"dtype {self.dtype} cannot hold vocab_size {vocab_size}")
        self.seq_len, self.vocab_size = seq_len, vocab_size
        self.bos_id = -1 if bos_id is None else bos_id
        self.eos_id, self.fingerprint = eos_id, tokenizer_fingerprint
        self.n_sequences = 0
        self.tail_tokens_dropped = 0
        self.tail_documents_dropped = 0
        self._row = np.empty(seq_len, dtype=self.dtype)
        self._fill = 0
        self._doc_ptr, self._doc_pos = array("Q", [0]), array("I")
        self._src_ptr, self._src_doc = array("Q", [0]), array("I")
        self._ids: list[str] = []
        self._serial = 0  # documents added so far; tells consecutive documents with equal ids apart
        self._last_serial = -1
        self._pending_starts: list[int] = []
        self._pending_sources: list[tuple[int, str]] = []
        self._output = contextlib.ExitStack()
        self._f: BinaryIO | None = None

    def __enter__(self) -> SeqWriter:
        # the contract's temp-and-rename: a .seq that exists is complete, a failure leaves no file behind
        self._f = self._output.enter_context(atomic_write(self.path, "wb"))
        self._f.write(b"\0" * HEADER_SIZE)
        return self

    def add_document(self, doc_id: str, tokens: Sequence[int] | np.ndarray) -> None:
        """Append one document's tokens (separators included) to the stream."""
        arr = np.asarray(tokens)
        self._serial += 1
        if arr.size == 0:
            return
        if arr.dtype.kind == "i":  # negative ids wrap to huge unsigned ones: one max() checks both bounds
            arr = arr.view(f"u{arr.dtype.itemsize}")
        top = int(arr.max())
        if top >= self.vocab_size:
            raise ValueError(f"document {doc_id}: a token id is outside 0..{self.vocab_size - 1}")
        arr = arr.astype(self.dtype, copy=False)
        self._pending_starts.append(self._fill)
        pos, n = 0, arr.size
        while pos < n:
            take = min(self.seq_len - self._fill, n - pos)
            self._pending_sources.append((self._serial, doc_id))
            self._row[self._fill:self._fill + take] = arr[pos:pos + take]
            self._fill += take
            pos += take
            if self._fill == self.seq_len:
                self._flush_row()

    def _flush_row(self) -> None:
        self._f.write(self._row.tobytes())
        self._doc_pos.extend(self._pending_starts)
        self._doc_ptr.append(len(self._doc_pos))
        for serial, doc_id in self._pending_sources:
            if serial != self._last_serial:
                self._ids.append(doc_id)
                self._last_serial = serial
            self._src_doc.append(len(self._ids) - 1)
        self._src_ptr.append(len(self._src_doc))
        self._pending_starts, self._pending_sources = [], []
        self._fill = 0
        self.n_sequences += 1

    @property
    def n_documents(self) -> int:
        return len(self._ids)

    def _finish(self) -> None:
        self.tail_tokens_dropped = self._fill
        # documents whose every token sits in the dropped tail are not in the file at all
        self.tail_documents_dropped = sum(1 for serial, _ in self._pending_sources if serial != self._last_serial)
        ids_blob = json.dumps(self._ids, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        header = SeqHeader(VERSION, self.dtype, self.seq_len, self.vocab_size, self.n_sequences, len(self._ids),
                           self.bos_id, self.eos_id, self.fingerprint)
        s = _expected_layout(header, len(self._doc_pos), len(self._src_doc), len(ids_blob))
        f = self._f
        sections = ((s.doc_ptr, np.asarray(self._doc_ptr, dtype="<u8").tobytes()),
                    (s.doc_pos, np.asarray(self._doc_pos, dtype="<u4").tobytes()),
                    (s.src_ptr, np.asarray(self._src_ptr, dtype="<u8").tobytes()),
                    (s.src_doc, np.asarray(self._src_doc, dtype="<u4").tobytes()),
                    (s.ids, ids_blob))
        for offset, blob in sections:
            f.write(b"\0" * (offset - f.tell()))
            f.write(blob)
        f.seek(0)
        f.write(_pack_header(header, s))

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:  # atomic_write removes the temp file
            self._output.__exit__(exc_type, exc, tb)
            return
        with self._output:  # renames into place, or removes the temp file if _finish fails
            self._finish()
