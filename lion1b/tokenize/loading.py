"""Load whatever tokenizer the user trains with: a SentencePiece .model, a Hugging Face tokenizer
directory, or a bare tokenizer.json — a Llama-3 fine-tune must pack with Llama-3's own tokenizer.

Everything here encodes without special tokens; the packer adds BOS/EOS itself so the policy is one place.
The fingerprint is a sha256 of the id→token table, so the same vocabulary gives the same fingerprint
whichever format it is loaded from; .seq headers carry it and training checks it against its tokenizer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

# Names tried, in order, when a tokenizer.json comes without a tokenizer_config.json naming its specials.
EOS_CANDIDATES = ("</s>", "<|end_of_text|>", "<|endoftext|>", "<eos>", "<|eot_id|>")
BOS_CANDIDATES = ("<s>", "<|begin_of_text|>", "<bos>")


def vocab_fingerprint(id_to_token: dict[int, str]) -> str:
    """sha256 over the id→token table (holes as ""), the part of a tokenizer that gives ids their meaning."""
    size = max(id_to_token) + 1 if id_to_token else 0
    table = [id_to_token.get(i, "") for i in range(size)]
    return hashlib.sha256(json.dumps(table, ensure_ascii=False).encode("utf-8")).hexdigest()


def tokenizer_fingerprint(tokenizer: Any) -> str:
    """Fingerprint of a transformers tokenizer (AutoTokenizer), equal to LoadedTokenizer.fingerprint."""
    return vocab_fingerprint({i: t for t, i in tokenizer.get_vocab().items()})


class LoadedTokenizer:
    """One interface over SentencePiece and HF `tokenizers`; ``kind`` is "sentencepiece" or "huggingface"."""

    def __init__(self, path: Path, kind: str, backend: Any, id_to_token: dict[int, str], eos_id: int,
                 bos_id: int | None) -> None:
        self.path, self.kind, self._backend = path, kind, backend
        self.vocab_size = max(id_to_token) + 1
        self.eos_id, self.bos_id = eos_id, bos_id
        self.fingerprint = vocab_fingerprint(id_to_token)

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        """Token ids of each text, no special tokens added."""
        return [a.tolist() for a in self.encode_batch_arrays(texts)]

    def encode_batch_arrays(self, texts: list[str]) -> list[np.ndarray]:
        """Like encode_batch, as int32 arrays: the packer's fast path (no Python int per token)."""
        if self.kind == "sentencepiece":
            # one thread per process: --threads scales with processes, and per-core speed stays measurable
            return self._backend.encode(texts, return_type="numpy", num_threads=1)
        return [np.asarray(e.ids, dtype=np.int32) for e in self._backend.encode_batch_fast(texts,
                                                                                           add_special_tokens=False)]

    def decode(self, ids: list[int]) -> str:
        return self._backend.decode(ids)


def load_tokenizer(path: str | Path, eos_token: str | None = None, bos_token: str | None = None) -> LoadedTokenizer:
    """Detect the format at ``path`` and load it; ValueError with what was expected otherwise.

    eos_token/bos_token override the special tokens named by the tokenizer's own config (e.g. Llama-3
    instruct configs name <|eot_id|> as EOS while pretraining-style packing wants <|end_of_text|>)."""
    path = Path(path)
    if path.is_dir():
        if (path / "tokenizer.json").is_file():
            return _load_hf(path / "tokenizer.json", eos_token, bos_token)
        if (path / "tokenizer.model").is_file():
            return _load_sentencepiece(path / "tokenizer.model", eos_token, bos_token)
        raise ValueError(f"{path}: directory holds neither tokenizer.json nor tokenizer.model")
    if not path.is_file():
        raise ValueError(f"tokenizer not found: {path}")
    if path.suffix == ".json":
        return _load_hf(path, eos_token, bos_token)
    head = path.read_bytes()[:1]
    if head in (b"{", b"["):
        raise ValueError(f"{path}: looks like JSON; name a tokenizer.json file or a Hugging Face tokenizer directory")
    return _load_sentencepiece(path, eos_token, bos_token)


def _load_sentencepiece(path: Path, eos_token: str | None, bos_token: str | None) -> LoadedTokenizer:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor()
    try:
        sp.Load(str(path))
    except (OSError, RuntimeError) as e:
        raise ValueError(f"{path}: not a SentencePiece model, Hugging Face tokenizer directory or "
                         f"tokenizer.json ({e})") from None
    id_to_token = {i: sp.id_to_piece(i) for i in range(sp.get_piece_size())}
    eos = sp.piece_to_id(eos_token) if eos_token else sp.eos_id()
    bos = sp.piece_to_id(bos_token) if bos_token else sp.bos_id()
    # piece_to_id answers unk_id for an unknown piece: compare names, or a typo starts every document with <unk>
    if eos < 0 or (eos_token and id_to_token[eos] != eos_token):
        raise ValueError(f"{path}: no EOS token{f' {eos_token!r}' if eos_token else ''} in this model")
    if bos_token and id_to_token[bos] != bos_token:
        raise ValueError(f"{path}: BOS token {bos_token!r} is not in this model's vocabulary")
    return LoadedTokenizer(path, "sentencepiece", sp, id_to_token, eos, bos if bos >= 0 else None)


def _special(config: dict[str, Any], key: str) -> str | None:
    value = config.get(key)
    return value.get("content") if isinstance(value, dict) else value


def _load_hf(path: Path, eos_token: str | None, bos_token: str | None) -> LoadedTokenizer:
    from tokenizers import Tokenizer

    try:
        tok = Tokenizer.from_file(str(path))
    except Exception as e:  # tokenizers raises a bare Exception on malformed files
        raise ValueError(f"{path}: not a loadable tokenizer.json ({e})") from None
    # Web text that literally contains "</s>" must stay text, as SentencePiece treats it: only the packer
    # inserts control tokens.
    tok.encode_special_tokens = True
    vocab = tok.get_vocab(with_added_tokens=True)
    config: dict[str, Any] = {}
    for name in ("special_tokens_map.json", "tokenizer_config.json"):
        with contextlib.suppress(OSError, ValueError):
            config.update(json.loads((path.parent / name).read_text(encoding="utf-8")))
    eos_name = eos_token or _special(config, "eos_token") or next((t for t in EOS_CANDIDATES if t in vocab), None)
    bos_name = bos_token or _special(config, "bos_token") or next((t for t in BOS_CANDIDATES if t in vocab), None)
    if eos_token and eos_token not in vocab:
        raise ValueError(f"{path}: EOS token {eos_token!r} is not in the vocabulary")
    if eos_name not in vocab:
        raise ValueError(f"{path}: cannot tell the EOS token (config names {eos_name!r}); pass it explicitly")
    if bos_name is not None and bos_name not in vocab:
        raise ValueError(f"{path}: BOS token {bos_name!r} is not in the vocabulary")
    return LoadedTokenizer(path, "huggingface", tok, {i: t for t, i in vocab.items()}, vocab[eos_name],
                           vocab.get(bos_name) if bos_name else None)
