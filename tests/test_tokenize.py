"""Tokenizer training, tokenize_and_pack and count_tokens, end to end on tiny tokenizers trained here."""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lion1b.contract import StageStats
from lion1b.tokenize.loading import load_tokenizer, tokenizer_fingerprint
from lion1b.tokenize.pack import is_test
from lion1b.tokenize.seqfile import SeqFile
from lion1b.tokenize.train_tokenizer import iter_training_lines

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
WORDS = ["the", "of", "and", "a", "to", "in", "is", "was", "for", "on", "that", "with", "as", "by", "at", "from",
         "lion", "café", "naïve", "Zürich", "東京", "données", "2024", "3.14", "—", "(x)", "[y]", "{z}", "def"]
TRICKY = ["  two leading spaces", "trailing spaces  ", "tabs\tand\n\nblank lines\n", "literal </s> and <s> tags",
          "emoji 🦁🦁 and a rare char ǅ", "x"]


def make_docs(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        paras = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 25))) for _ in range(rng.randint(1, 4))]
        docs.append({"id": f"{rng.getrandbits(64):016x}", "url": f"https://example.org/{i}", "text": "\n".join(paras)})
    for j, text in enumerate(TRICKY):
        docs[j * 7]["text"] = text
    return docs


def write_jsonl(path: Path, docs: list[dict], extra_lines: tuple[str, ...] = ()) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
        for line in extra_lines:
            f.write(line + "\n")
    return path


def run(script: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(ROOT / script), *map(str, args)], capture_output=True, text=True,
                          env=ENV, cwd=ROOT, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"{script} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def pack(inp: Path, model: Path, out: Path, *extra: str, seq_len: int = 16, tag: str = "") -> tuple[Path, Path]:
    train, test = out / f"train{tag}.seq", out / f"test{tag}.seq"
    run("scripts/tokenize_and_pack.py", "--input", inp, "--model", model, "--seq_len", seq_len, "--train_out", train,
        "--test_out", test, "--quiet", "--force", *extra)
    return train, test


def marker_stats(path: Path) -> dict:
    return json.loads(Path(str(path) + ".done").read_text())["stats"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("corpus")
    return write_jsonl(tmp / "scrubbed_thread0.txt", make_docs(300),
                       extra_lines=('{"id": "e", "url": "u", "text": ""}', "not json"))


@pytest.fixture(scope="module")
def sp_model(corpus, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("tok")
    run("tokenizer/train_tokenizer.py", "--input", corpus, "--vocab_size", 400, "--output", tmp / "tokenizer.model",
        "--hf_dir", tmp / "hf", "--quiet")
    return tmp / "tokenizer.model"


def test_round_trip_decodes_documents_and_separators(corpus, sp_model, tmp_path):
    train, test = pack(corpus, sp_model, tmp_path, "--test_ratio", "0")
    tok = load_tokenizer(sp_model)
    docs = [d for d in make_docs(300) if d["text"]]
    seq = SeqFile(train)
    assert len(SeqFile(test)) == 0 and seq.header.bos_id == 1 and seq.header.eos_id == 2
    assert seq.header.tokenizer_fingerprint == tok.fingerprint
    expected = [t for d in docs for t in [1, *tok.encode_batch([d["text"]])[0], 2]]
    kept = len(expected) // 16 * 16
    stream = np.asarray(seq.tokens).ravel().tolist()
    assert stream == expected[:kept] and len(seq) == kept // 16
    assert marker_stats(train)["counters"]["train_tail_tokens_dropped"] == len(expected) - kept
    # splitting the stream at BOS/EOS and decoding gives back every document, byte for byte (lossless tokenizer)
    texts, cur = [], None
    for t in stream:
        if t == 1:
            cur = []
        elif t == 2:
            texts.append(tok.decode(cur))
        else:
            cur.append(t)
    assert texts == [d["text"] for d in docs[:len(texts)]] and len(texts) >= len(docs) - 2
    # doc_starts are the BOS positions, sources name the documents in order
    for i in range(len(seq)):
        assert seq.doc_starts(i).tolist() == np.flatnonzero(seq.tokens[i] == 1).tolist()
    flat_sources = [s for i in range(len(seq)) for s in seq.sources(i)]
    assert list(dict.fromkeys(flat_sources)) == [d["id"] for d in docs[:len(dict.fromkeys(flat_sources))]]
    stats = marker_stats(train)
    assert stats["dropped"] == {"empty": 1, "malformed": 1}


def test_bos_none_policy(corpus, sp_model, tmp_path):
    train, _ = pack(corpus, sp_model, tmp_path, "--test_ratio", "0", "--bos", "none")
    seq = SeqFile(train)
    assert seq.header.bos_id == -1 and 1 not in np.asarray(seq.tokens)
    stream = np.asarray(seq.tokens).ravel()
    starts = [0, *(np.flatnonzero(stream == 2) + 1).tolist()]
    got = [i * 16 + p for i in range(len(seq)) for p in seq.doc_starts(i).tolist()]
    assert got == [s for s in starts if s < stream.size]


def test_split_is_deterministic_and_invariant_to_num_parts(corpus, sp_model, tmp_path):
    def split_ids(num_parts: int, threads: int = 1) -> tuple[set, set, list]:
        train_ids, test_ids, files = set(), set(), []
        for part in range(num_parts):
            # seq_len 2: every document has >= 3 tokens, so none is lost in a dropped tail
            train, test = pack(corpus, sp_model, tmp_path, "--test_ratio", "0.3", "--part-id", part, "--num-parts",
                               num_parts, "--split", "records", "--threads", threads, seq_len=2,
                               tag=f"{num_parts}_{part}_{threads}")
            train_ids |= set(SeqFile(train).document_ids())
            test_ids |= set(SeqFile(test).document_ids())
            files += [train.read_bytes(), test.read_bytes()]
        return train_ids, test_ids, files

    train1, test1, files1 = split_ids(1)
    train3, test3, _ = split_ids(3)
    all_ids = {d["id"] for d in make_docs(300)}
    assert (train1, test1) == (train3, test3)
    assert train1 | test1 == all_ids and not train1 & test1
    assert test1 == {i for i in all_ids if is_test(i, 0.3)} and 40 < len(test1) < 140
    assert split_ids(1, threads=2)[2] == files1  # worker processes change nothing, byte for byte


def test_hf_model_dir_matches_sentencepiece(sp_model):
    from transformers import AutoTokenizer

    hf_dir = sp_model.parent / "hf"
    auto = AutoTokenizer.from_pretrained(hf_dir)
    sp, hf = load_tokenizer(sp_model), load_tokenizer(hf_dir)
    assert sp.fingerprint == hf.fingerprint == tokenizer_fingerprint(auto)
    assert (auto.unk_token_id, auto.bos_token_id, auto.eos_token_id, auto.pad_token_id) == (0, 1, 2, 3)
    assert (hf.kind, hf.bos_id, hf.eos_id, hf.vocab_size) == ("huggingface", 1, 2, 400)
    texts = [d["text"] for d in make_docs(60, seed=1)] + TRICKY
    assert hf.encode_batch(texts) == sp.encode_batch(texts)
    assert auto("the lion")["input_ids"] == [1, *sp.encode_batch(["the lion"])[0]]
    assert [auto.decode(ids) for ids in hf.encode_batch(texts)] == texts  # lossless through AutoTokenizer too


def test_tokenizer_training_is_deterministic_and_samples_by_id(corpus, sp_model, tmp_path):
    docs = make_docs(300)
    stats = StageStats()
    lines = list(iter_training_lines(docs, 0.5, 10**9, stats))
    shuffled = random.Random(1).sample(docs, len(docs))
    assert sorted(lines) == sorted(iter_training_lines(shuffled, 0.5, 10**9, StageStats()))  # order-free sample
    assert 100 < stats.n_out < 200 and stats.n_out + stats.dropped["not_sampled"] == 300
    capped = StageStats()
    assert sum(map(len, iter_training_lines(docs, 1.0, 500, capped))) < 500 + 16384
    assert capped.dropped["over_max_chars"] > 250
    again = tmp_path / "again.model"
    run("tokenizer/train_tokenizer.py", "--input", corpus, "--vocab_size", 400, "--output", again,
        "--hf_dir", tmp_path / "hf", "--quiet")
    assert again.read_bytes() == sp_model.read_bytes()


def tiny_bpe_dir(tmp_path: Path, docs: list[dict]) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=350, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([d["text"] for d in docs], trainer)
    out = tmp_path / "bpe"
    out.mkdir()
    tok.save(str(out / "tokenizer.json"))
    return out


def test_hf_tokenizer_path_packs_with_its_own_vocabulary(corpus, tmp_path):
    docs = [d for d in make_docs(300) if d["text"]]
    bpe_dir = tiny_bpe_dir(tmp_path, docs)
    tok = load_tokenizer(bpe_dir)
    assert (tok.kind, tok.eos_id, tok.bos_id) == ("huggingface", 0, None)  # EOS found by name, no BOS
    assert load_tokenizer(bpe_dir / "tokenizer.json").fingerprint == tok.fingerprint
    train, _ = pack(corpus, bpe_dir, tmp_path, "--test_ratio", "0")
    seq = SeqFile(train)
    assert seq.header.tokenizer_fingerprint == tok.fingerprint and seq.header.vocab_size == tok.vocab_size
    expected = [t for d in docs for t in [*tok.encode_batch([d["text"]])[0], 0]]
    assert np.asarray(seq.tokens).ravel().tolist() == expected[:len(seq) * 16]
    assert tok.decode(expected[:expected.index(0)]) == docs[0]["text"]


def test_uint32_for_a_vocabulary_above_65535(tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers

    words = sorted(set(WORDS))
    vocab = {"<unk>": 0, "</s>": 1, **{f"filler{i}": i for i in range(2, 70000 - len(words))}}
    vocab.update({w: 70000 - len(words) + k for k, w in enumerate(words)})
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    (tmp_path / "wl").mkdir()
    tok.save(str(tmp_path / "wl" / "tokenizer.json"))
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "url": "u", "text": " ".join(words)}])
    train, _ = pack(inp, tmp_path / "wl", tmp_path, "--test_ratio", "0", seq_len=4)
    seq = SeqFile(train)
    assert seq.header.dtype == "uint32" and seq.header.vocab_size == 70000
    stream = np.asarray(seq.tokens).ravel().tolist()
    assert stream == [vocab[w] for w in [*words, "</s>"]][:len(stream)] and max(stream) > 65535
    seq.verify()


def test_counts_equal_encoded_lengths_and_corruption_fails(corpus, sp_model, tmp_path):
    train, _ = pack(corpus, sp_model, tmp_path, "--test_ratio", "0.2", seq_len=32)
    tok = load_tokenizer(sp_model)
    stream = {"train": 0, "test": 0}
    for d in make_docs(300):
        if d["text"]:
            stream["test" if is_test(d["id"], 0.2) else "train"] += len(tok.encode_batch([d["text"]])[0]) + 2
    out = json.loads(run("scripts/count_tokens.py", "--input", tmp_path / "*.seq", "--json", "--verify").stdout)
    by_name = {Path(r["path"]).stem: r for r in out["files"]}
    for split, n in stream.items():
        assert by_name[split]["n_tokens"] == n // 32 * 32 and by_name[split]["n_sequences"] == n // 32
    assert out["total"]["n_tokens"] == sum(n // 32 * 32 for n in stream.values()) and out["errors"] == []

    data = train.read_bytes()
    train.write_bytes(data[:-10])
    proc = run("scripts/count_tokens.py", "--input", tmp_path / "*.seq", check=False)
    assert proc.returncode == 1 and f"{train}: file truncated" in proc.stderr and "test.seq" in proc.stdout
    bad = bytearray(data)
    bad[300:302] = (399 + 1000).to_bytes(2, "little")  # a token id beyond the 400-token vocabulary
    train.write_bytes(bytes(bad))
    assert run("scripts/count_tokens.py", "--input", train).returncode == 0  # header-only count is O(1)
    proc = run("scripts/count_tokens.py", "--input", train, "--verify", check=False)
    assert proc.returncode == 1 and "token id 1399 >= vocab_size 400" in proc.stderr


def test_bad_tokenizer_path_is_a_clear_error(corpus, tmp_path):
    (tmp_path / "junk.model").write_text("not a model")
    proc = run("scripts/tokenize_and_pack.py", "--input", corpus, "--model", tmp_path / "junk.model",
               "--train_out", tmp_path / "a.seq", "--test_out", tmp_path / "b.seq", check=False)
    assert proc.returncode == 2 and "not a SentencePiece model" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "a.seq").exists()
    with pytest.raises(ValueError, match=r"neither tokenizer\.json nor tokenizer\.model"):
        load_tokenizer(tmp_path)


def test_unknown_special_token_names_are_refused(corpus, sp_model, tmp_path):
    """A typo in --bos_token must not silently start every document with <unk> (piece_to_id answers unk_id)."""
    assert load_tokenizer(sp_model, bos_token="<s>", eos_token="</s>").bos_id == 1
    for loaded in (sp_model, sp_model.parent / "hf"):
        with pytest.raises(ValueError, match="BOS token '<bos>'"):
            load_tokenizer(loaded, bos_token="<bos>")
        with pytest.raises(ValueError, match="EOS token '<eos>'"):
            load_tokenizer(loaded, eos_token="<eos>")
    proc = run("scripts/tokenize_and_pack.py", "--input", corpus, "--model", sp_model, "--bos_token", "<S>",
               "--train_out", tmp_path / "a.seq", "--test_out", tmp_path / "b.seq", check=False)
    assert proc.returncode == 2 and "BOS token '<S>'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "a.seq").exists()
