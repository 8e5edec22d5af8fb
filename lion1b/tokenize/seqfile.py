"""The .seq file: packed token sequences for training, with document starts and provenance.

One file = a fixed 256-byte little-endian header, the token matrix (n_sequences x seq_len, uint16 or
uint32) right after it, then the indexes. The matrix sits at a fixed offset so any reader can do
``np.memmap(path, dtype, mode="r", offset=HEADER_SIZE, shape=(n_sequences, seq_len))`` without this
module. Nothing is loaded whole: the reader memory-maps the matrix and the index arrays.
The layout is documented in docs/seq_format.md; keep the two in sync.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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

    def verify(self, rows_per_chunk: int = 4096) -> None:
        """Full check: every token id below vocab_size and the indexes consistent. Reads the whole file."""
        h, s = self.header, self._sections
        bad = []
        for start in range(0, h.n_sequences, rows_per_chunk):
            top = int(self.tokens[start:start + rows_per_chunk].max())
            if top >= h.vocab_size:
                bad.append(f"token id {top} >= vocab_size {h.vocab_size} in sequences {start}..")
                break
        for special, value in (("eos_id", h.eos_id), ("bos_id", h.bos_id)):
            if not -1 <= value < h.vocab_size or (special == "eos_id" and value < 0):
                bad.append(f"{special} {value} outside the vocabulary")
        for name, ptr, n in (("document-start", self._doc_ptr, s.n_doc_starts),
                             ("source", self._src_ptr, s.n_src_entries)):
            if h.n_sequences and (ptr[0] != 0 or ptr[-1] != n or np.any(np.diff(ptr.astype(np.int64)) < 0)):
                bad.append(f"{name} index pointers are not monotonic from 0 to {n}")
        if s.n_doc_starts and int(self._doc_pos.max()) >= h.seq_len:
            bad.append("a document start lies beyond seq_len")
        if s.n_src_entries and int(self._src_doc.max()) >= h.n_documents:
            bad.append("a source entry points past the document id table")
        if bad:
            raise SeqFormatError(f"{self.path}: " + "; ".join(bad))
        self.document_ids()


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
        self._tmp = self.path.with_name(f".{self.path.name}.tmp{os.getpid()}")
        self._f = None

    def __enter__(self) -> SeqWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(self._tmp, "wb")
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
        f.flush()
        os.fsync(f.fileno())

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._finish()
        finally:
            self._f.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)
