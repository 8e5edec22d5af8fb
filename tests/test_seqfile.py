"""The .seq reader/writer: exact rows, document starts, provenance, tail accounting, corruption detection."""

import pickle

import numpy as np
import pytest

from lion1b.tokenize.seqfile import HEADER_SIZE, SeqFile, SeqFormatError, SeqWriter

FP = "ab" * 32


def write(path, docs, seq_len=8, vocab_size=100, dtype=None):
    with SeqWriter(path, seq_len=seq_len, vocab_size=vocab_size, eos_id=2, bos_id=1,
                   tokenizer_fingerprint=FP, dtype=dtype) as w:
        for doc_id, toks in docs:
            w.add_document(doc_id, toks)
    return w


def test_rows_starts_sources_and_tail(tmp_path):
    docs = [("a", [1, 10, 11, 12, 2]), ("b", [1, 20, 21, 2]), ("c", [1, 30, 31, 32, 33, 34, 35, 36, 37, 2]),
            ("empty", []), ("d", [1, 40, 2])]
    w = write(tmp_path / "x.seq", docs)
    stream = [t for _, toks in docs for t in toks]  # 22 tokens -> 2 rows of 8, 6 dropped
    assert (w.n_sequences, w.tail_tokens_dropped, w.tail_documents_dropped) == (2, 6, 1)
    f = SeqFile(tmp_path / "x.seq")
    assert len(f) == 2 and f.header.n_documents == 3 and f.header.dtype == "uint16"
    assert f.header.bos_id == 1 and f.header.eos_id == 2 and f.header.tokenizer_fingerprint == FP
    np.testing.assert_array_equal(np.asarray(f.tokens).ravel(), stream[:16])
    assert f.doc_starts(0).tolist() == [0, 5] and f.sources(0) == ["a", "b"]
    assert f.doc_starts(1).tolist() == [1] and f.sources(1) == ["b", "c"]
    assert f.document_ids() == ["a", "b", "c"]
    raw = np.memmap(tmp_path / "x.seq", dtype=np.uint16, mode="r", offset=HEADER_SIZE, shape=(2, 8))
    np.testing.assert_array_equal(raw, f.tokens)
    f.verify()
    with pytest.raises(IndexError):
        f.doc_starts(2)
    blob = pickle.dumps(f)
    assert len(blob) < 500  # the path travels, not the data
    g = pickle.loads(blob)
    np.testing.assert_array_equal(g.tokens, f.tokens)
    assert g.sources(1) == f.sources(1)


def test_same_id_twice_in_a_row_stays_two_documents(tmp_path):
    write(tmp_path / "x.seq", [("a", [1, 2, 3]), ("a", [4, 5, 6, 7, 8])], seq_len=4)
    f = SeqFile(tmp_path / "x.seq")
    assert f.header.n_documents == 2 and f.sources(0) == ["a", "a"] and f.sources(1) == ["a"]


def test_uint32_for_big_vocab(tmp_path):
    write(tmp_path / "x.seq", [("a", [70000, 5, 65535, 2])], seq_len=4, vocab_size=70001)
    f = SeqFile(tmp_path / "x.seq")
    assert f.header.dtype == "uint32" and f.tokens[0].tolist() == [70000, 5, 65535, 2]
    write(tmp_path / "y.seq", [("a", [65535, 2])], seq_len=2, vocab_size=65535 + 1)
    assert SeqFile(tmp_path / "y.seq").header.dtype == "uint32"
    write(tmp_path / "z.seq", [("a", [65534, 2])], seq_len=2, vocab_size=65535)
    assert SeqFile(tmp_path / "z.seq").header.dtype == "uint16"


def test_empty_file_and_out_of_vocab_token(tmp_path):
    w = write(tmp_path / "x.seq", [("a", [1, 2])], seq_len=8)
    assert w.n_sequences == 0 and w.tail_documents_dropped == 1
    f = SeqFile(tmp_path / "x.seq")
    assert len(f) == 0 and f.tokens.shape == (0, 8) and f.document_ids() == []
    f.verify()
    with pytest.raises(ValueError, match=r"outside 0\.\.99"):
        write(tmp_path / "bad.seq", [("a", [1, 100])], seq_len=2)
    with pytest.raises(ValueError, match=r"outside 0\.\.99"):
        write(tmp_path / "bad.seq", [("a", np.array([1, -1], dtype=np.int32))], seq_len=2)
    assert not (tmp_path / "bad.seq").exists() and list(tmp_path.iterdir()) == [tmp_path / "x.seq"]


def test_corruption_is_detected(tmp_path):
    path = tmp_path / "x.seq"
    write(path, [("a", list(range(1, 40)))], seq_len=8)
    good = path.read_bytes()
    path.write_bytes(good[:-3])
    with pytest.raises(SeqFormatError, match="truncated"):
        SeqFile(path)
    path.write_bytes(good + b"\0")
    with pytest.raises(SeqFormatError, match="trailing"):
        SeqFile(path)
    path.write_bytes(good[:100])
    with pytest.raises(SeqFormatError, match="truncated header"):
        SeqFile(path)
    path.write_bytes(b"NOTASEQF" + good[8:])
    with pytest.raises(SeqFormatError, match=r"not a \.seq"):
        SeqFile(path)
    flipped = bytearray(good)
    flipped[20] ^= 1  # a bit in seq_len
    path.write_bytes(bytes(flipped))
    with pytest.raises(SeqFormatError, match="checksum"):
        SeqFile(path)
    bad_token = bytearray(good)
    bad_token[HEADER_SIZE:HEADER_SIZE + 2] = (60000).to_bytes(2, "little")  # token id >= vocab_size
    path.write_bytes(bytes(bad_token))
    f = SeqFile(path)  # header and size are fine: only verify() reads the tokens
    with pytest.raises(SeqFormatError, match="token id 60000 >= vocab_size 100"):
        f.verify()


DOCS = [(f"d{i}", [1, *range(10, 10 + n), 2]) for i, n in enumerate([3, 9, 1, 14, 5, 7, 2, 11, 6])]


def corrupt(path, offset, dtype, value):
    """Overwrite one element at a byte offset; the header (and its CRC) stays valid."""
    data = bytearray(path.read_bytes())
    item = np.dtype(dtype).itemsize
    data[offset:offset + item] = np.array([value], dtype=dtype).tobytes()
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("bos", [1, None])
def test_verify_checks_the_indexes_against_the_separators(tmp_path, bos):
    """A corrupted index is caught before training: starts must sit on BOS (or after EOS), sources must follow."""
    path = tmp_path / "x.seq"
    docs = DOCS if bos else [(d, t[1:]) for d, t in DOCS]
    with SeqWriter(path, seq_len=8, vocab_size=100, eos_id=2, bos_id=bos, tokenizer_fingerprint=FP) as w:
        for doc_id, toks in docs:
            w.add_document(doc_id, toks)
    good = path.read_bytes()
    f = SeqFile(path)
    f.verify()
    s = f._sections
    separator = 5 if bos else 3  # row 0: [1 10 11 12 2 (1) ...] with BOS, [10 11 12 (2) ...] without
    cases = [
        (s.doc_pos + 4, "<u4", int(f._doc_pos[1]) + 1, "disagrees with the separator tokens"),  # a start moved
        (s.doc_pos, "<u4", 3, "not strictly increasing"),  # row 0 no longer starts with a document
        (s.src_doc + 4 * 3, "<u4", int(f._src_doc[3]) + 1, "source index disagrees"),
        (s.src_ptr + 8, "<u8", int(f._src_ptr[1]) - 1, "source index disagrees"),
        (s.doc_ptr + 8 * 2, "<u8", int(f._doc_ptr[3]) + 1, "not monotonic"),
        (HEADER_SIZE + 2 * separator, "<u2", 50, "separator tokens at sequence 0"),  # a separator lost
        (HEADER_SIZE + 2 * 1, "<u2", bos or 2, "separator tokens at sequence 0 position"),  # a stray separator
    ]
    if bos:
        cases.append((HEADER_SIZE + 2 * 4, "<u2", 50, "no EOS before the document starting at sequence 0 position 5"))
    for offset, dtype, value, message in cases:
        path.write_bytes(good)
        corrupt(path, offset, dtype, value)
        with pytest.raises(SeqFormatError, match=message) as info:
            SeqFile(path).verify()
        assert str(info.value).startswith(f"{path}: ")


def test_verify_reports_an_out_of_vocabulary_id_first(tmp_path):
    path = tmp_path / "x.seq"
    write(path, DOCS)
    corrupt(path, HEADER_SIZE + 2 * 12, "<u2", 100)  # an EOS replaced by an id >= vocab_size
    with pytest.raises(SeqFormatError, match="token id 100 >= vocab_size 100 in sequence 1"):
        SeqFile(path).verify(chunk_bytes=16)  # one row per chunk: the chunked pass finds it too


def test_verify_with_one_token_for_bos_and_eos(tmp_path):
    path = tmp_path / "x.seq"
    with SeqWriter(path, seq_len=8, vocab_size=100, eos_id=2, bos_id=2, tokenizer_fingerprint=FP) as w:
        for doc_id, toks in DOCS:
            w.add_document(doc_id, [2, *toks[1:]])
    SeqFile(path).verify()
    corrupt(path, HEADER_SIZE, "<u2", 7)
    with pytest.raises(SeqFormatError, match="separator tokens at sequence 0 position 0"):
        SeqFile(path).verify()


def test_writer_uses_the_contracts_temp_file(tmp_path):
    """The writer goes through lion1b.contract.atomic_write: its temp file keeps the .seq extension last."""
    with SeqWriter(tmp_path / "x.seq", seq_len=2, vocab_size=10, eos_id=2, bos_id=1, tokenizer_fingerprint=FP) as w:
        w.add_document("a", [1, 5, 2])
        (temp,) = tmp_path.iterdir()
        assert temp.name.startswith(".x") and temp.suffix == ".seq"
    assert [p.name for p in tmp_path.iterdir()] == ["x.seq"]
