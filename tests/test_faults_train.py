"""Hostile inputs on the tokenizing and training side (issue 15): each must end in a counted drop or a clear
one-line refusal before any model is built, never a traceback, a crash mid-training or a silent success."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

from lion1b.contract import StageStats
from lion1b.tokenize.loading import load_tokenizer
from lion1b.tokenize.pack import encode_with_separators, encoded_batches
from lion1b.tokenize.seqfile import HEADER_SIZE, SeqFile
from lion1b.tokenize.train_tokenizer import iter_training_lines, train_sentencepiece
from lion1b.train.trainer import main as train_main

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["river", "garden", "market", "teacher", "engine", "window", "bridge", "village", "opens", "builds"]


def sentences(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 30))) + " ." for _ in range(n)]


@pytest.fixture(scope="module")
def packed(tmp_path_factory) -> Path:
    """tokenizer/ (a Hugging Face directory, as training loads it) and data/{train,test}_thread0.seq written by
    the real tokenize_and_pack, completion marker included."""
    root = tmp_path_factory.mktemp("packed")
    texts = sentences(400)
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.Whitespace()
    bpe.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=80, special_tokens=["<unk>", "<s>", "</s>"]))
    PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="</s>",
                            unk_token="<unk>").save_pretrained(root / "tokenizer")
    docs = root / "docs.jsonl"
    docs.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "tokenize_and_pack.py"), "--input", str(docs),
                           "--model", str(root / "tokenizer"), "--seq-len", "64", "--test-ratio", "0.2", "--quiet",
                           "--train-out", str(root / "data" / "train_thread0.seq"),
                           "--test-out", str(root / "data" / "test_thread0.seq")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return root


def count_tokens(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "count_tokens.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def train_refusal(packed: Path, data: Path, capsys, *extra: str) -> str:
    """Run training in-process; it must exit 2 before building a model or creating its output directory."""
    out = data.parent / "out"
    with pytest.raises(SystemExit) as info:
        train_main(["--init_from_config", "tiny", "--tokenizer_name", str(packed / "tokenizer"),
                    "--train_file", str(data / "train_thread0.seq"), "--eval_file", str(data / "test_thread0.seq"),
                    "--output_dir", str(out), "--max_seq_length", "64", "--max_steps", "1", "--report_to", "none",
                    *extra])
    captured = capsys.readouterr()
    assert info.value.code == 2 and "Traceback" not in captured.err
    assert "parameters" not in captured.out and not out.exists()  # refused before the model was built
    return captured.err


def test_a_seq_file_no_marker_vouches_for_is_refused(packed, tmp_path, capsys):
    """Issue 15.4: a .seq left by a failed re-run (marker gone) or changed since must not be counted or trained."""
    data = tmp_path / "moved" / "data"
    shutil.copytree(packed / "data", data)  # a data directory moved whole still checks (markers hold its paths)
    good = count_tokens("--input", data / "*.seq", "--verify", "--json")
    assert good.returncode == 0 and json.loads(good.stdout)["errors"] == [], good.stderr

    marker = data / "train_thread0.seq.done"
    kept = marker.read_bytes()
    marker.unlink()  # what a failed re-run leaves: the marker removed, an old file in place
    stale = count_tokens("--input", data / "*.seq")
    assert stale.returncode == 1 and "Traceback" not in stale.stderr
    for name in ("train_thread0.seq", "test_thread0.seq"):  # the test file is listed by the train file's marker
        assert f"{data / name}: no completion marker lists it" in stale.stderr
    assert "--no-marker-check" in stale.stderr
    assert count_tokens("--input", data / "*.seq", "--no-marker-check").returncode == 0
    err = train_refusal(packed, data, capsys)
    assert "no completion marker lists it" in err and "--skip_marker_check" in err

    marker.write_bytes(kept)
    seq = data / "train_thread0.seq"
    tokens = np.memmap(seq, dtype=np.uint16, mode="r+", offset=HEADER_SIZE, shape=SeqFile(seq).tokens.shape)
    body = [i for i, t in enumerate(tokens[0]) if t > 2]  # two different ordinary tokens trade places
    a, b = next((i, j) for i in body for j in body if tokens[0, i] != tokens[0, j])
    tokens[0, a], tokens[0, b] = tokens[0, b], tokens[0, a]
    tokens.flush()
    del tokens
    SeqFile(seq).verify()  # still a valid file: only the marker's content hash tells
    assert count_tokens("--input", seq).returncode == 0  # without --verify: size only, O(1)
    edited = count_tokens("--input", seq, "--verify")
    assert edited.returncode == 1 and "content differs from what its marker" in edited.stderr
    assert "content differs" in train_refusal(packed, data, capsys)


@pytest.mark.parametrize("damage", ["token_id", "document_index"])
def test_training_checks_every_row_before_building_the_model(packed, tmp_path, capsys, damage):
    """Issue 15.9: an id >= vocab in a row that might never be drawn, or a corrupted document index (which
    trained with exit 0), stops training at load with the file and the problem named."""
    data = tmp_path / "data"
    shutil.copytree(packed / "data", data)
    seq = data / "train_thread0.seq"
    f = SeqFile(seq)
    raw = bytearray(seq.read_bytes())
    if damage == "token_id":
        at = HEADER_SIZE + 2 * (f.tokens.size - 3)  # near the end of the last row
        raw[at:at + 2] = (f.header.vocab_size + 7).to_bytes(2, "little")
        expected = f"token id {f.header.vocab_size + 7} >= vocab_size {f.header.vocab_size} in sequence {len(f) - 1}"
    else:
        at = f._sections.doc_pos + 4 * 1  # the second document start moves by one token
        raw[at:at + 4] = (int(f._doc_pos[1]) + 1).to_bytes(4, "little")
        expected = "document-start index disagrees with the separator tokens"
    seq.write_bytes(bytes(raw))
    err = train_refusal(packed, data, capsys, "--skip_marker_check")
    assert f"{seq}: " in err and expected in err


def lone_surrogate_docs() -> list[str]:
    return ["river opens the bridge", "bad \ud800 text", "", "a \udfff at the end \ud83d"]


def test_lone_surrogates_are_counted_drops_in_the_packer(packed, tmp_path):
    """Issue 15.6 (tokenizer side): SentencePiece and tokenizers raise TypeError on a lone surrogate; the
    packer drops that one document (None, counted as encode_error) and keeps the rest of the batch."""
    lines = sentences(300, seed=1)
    (tmp_path / "sp.model").write_bytes(train_sentencepiece(lines, 300, "bpe", 1, 1.0))
    for model in (packed / "tokenizer", tmp_path / "sp.model"):
        tok = load_tokenizer(model)
        out = encode_with_separators(tok, lone_surrogate_docs(), tok.bos_id)
        assert out[1] is None and out[3] is None and out[2].size == 0
        assert out[0].tolist() == [tok.bos_id, *tok.encode_batch(["river opens the bridge"])[0], tok.eos_id]
    args = Namespace(threads=2, model=str(packed / "tokenizer"), eos_token=None, bos_token=None)
    tok = load_tokenizer(packed / "tokenizer")
    records = iter([{"id": str(i), "text": t} for i, t in enumerate(lone_surrogate_docs() * 3)])
    in_workers = [a for _, batch in encoded_batches(args, tok, tok.bos_id, records) for a in batch]
    assert [a is None for a in in_workers] == [False, True, False, True] * 3


def test_lone_surrogates_are_counted_drops_in_tokenizer_training():
    stats = StageStats()
    records = [{"id": "a", "text": "river opens the bridge"}, {"id": "b", "text": "bad \ud800"},
               {"text": "no id and \udfff"}, {"id": "\ud800", "text": "a bad id"}]
    lines = list(iter_training_lines(records, 1.0, 10**9, stats))
    assert lines == ["river opens the bridge"] and stats.dropped["encode_error"] == 3 and stats.n_out == 1


@pytest.mark.parametrize("marker", ["not json", "[1, 2]", '{"outputs": [""]}', '{"outputs": 3}', "\udcff"])
def test_a_garbled_marker_vouches_for_nothing(packed, tmp_path, marker):
    data = tmp_path / "data"
    shutil.copytree(packed / "data", data)
    (data / "train_thread0.seq.done").write_text(marker, encoding="utf-8", errors="surrogateescape")
    result = count_tokens("--input", data / "train_thread0.seq")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no completion marker lists it" in result.stderr
