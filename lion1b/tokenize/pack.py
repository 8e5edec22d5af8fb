"""Tokenize scrubbed documents and pack them into fixed-length training sequences (.seq files).

    python scripts/tokenize_and_pack.py --input data/scrubbed_thread3.txt --model tokenizer/tokenizer.model \
        --seq-len 4096 --train-out data/train_thread3.seq --test-out data/test_thread3.seq --part-id 3 --num-parts 8

Each document goes wholly to train or test by a hash of its id (--test-ratio), so the split is the same for
any --num-parts and a document never straddles the two. Its tokens are [BOS] text [EOS] (BOS only with
--bos doc and a tokenizer that has one); documents are concatenated and cut into rows of exactly --seq-len
tokens, so a document may continue into the next row but no row holds padding. The tail that does not fill a
last row is dropped and counted (tail_tokens_dropped_*). The .seq layout is in docs/seq_format.md.
"""

import argparse
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from lion1b.config import DEFAULTS, FILES
from lion1b.contract import (
    Stage,
    StageStats,
    die,
    in_order,
    iter_part_records,
    log,
    progress_bar,
    run_stage,
    stable_hash,
)
from lion1b.tokenize.loading import LoadedTokenizer, load_tokenizer
from lion1b.tokenize.seqfile import SeqWriter

BATCH_DOCS = 128  # documents per encode call / per task sent to a worker
SPLIT_SCALE = 1 << 32


def is_test(doc_id: str, test_ratio: float) -> bool:
    """Split by a hash of the id alone: independent of part count, file order and threads."""
    return stable_hash("split:" + doc_id) % SPLIT_SCALE < test_ratio * SPLIT_SCALE


# What SentencePiece and tokenizers raise for a text they cannot take (TypeError for a lone surrogate).
ENCODE_ERRORS = (TypeError, ValueError, RuntimeError)


def encode_with_separators(tok: LoadedTokenizer, texts: list[str], bos_id: int | None) -> list[np.ndarray | None]:
    """Each text as [BOS] ids [EOS]. An empty encoding stays empty and a text the tokenizer cannot take is
    None, so the caller counts and skips both: one bad document never stops a part. (The contract already
    repairs lone surrogates on read; this holds for any other input the tokenizer refuses.)"""
    try:
        encoded: list[np.ndarray | None] = list(tok.encode_batch_arrays(texts))
    except ENCODE_ERRORS:  # one text spoils the batch call: encode one by one to find it
        encoded = [_encode_one(tok, text) for text in texts]
    out = []
    for ids in encoded:
        if ids is None or ids.size == 0:
            out.append(ids)
            continue
        parts = [ids, [tok.eos_id]] if bos_id is None else [[bos_id], ids, [tok.eos_id]]
        out.append(np.concatenate(parts).astype(np.int32, copy=False))
    return out


def _encode_one(tok: LoadedTokenizer, text: str) -> np.ndarray | None:
    try:
        return tok.encode_batch_arrays([text])[0]
    except ENCODE_ERRORS:
        return None


_worker: tuple[LoadedTokenizer, int | None] | None = None


def _init_worker(model: str, eos_token: str | None, bos_token: str | None, use_bos: bool) -> None:
    global _worker
    os.environ["TOKENIZERS_PARALLELISM"] = "false"  # parallelism comes from the processes
    tok = load_tokenizer(model, eos_token=eos_token, bos_token=bos_token)
    _worker = (tok, tok.bos_id if use_bos else None)


def _encode_in_worker(texts: list[str]) -> list[np.ndarray | None]:
    assert _worker is not None
    return encode_with_separators(_worker[0], texts, _worker[1])


def batches(records: Iterator[dict], size: int) -> Iterator[tuple[list[str], list[str]]]:
    ids: list[str] = []
    texts: list[str] = []
    for record in records:
        ids.append(record["id"])
        texts.append(record["text"])
        if len(ids) == size:
            yield ids, texts
            ids, texts = [], []
    if ids:
        yield ids, texts


def encoded_batches(args: argparse.Namespace, tok: LoadedTokenizer, bos_id: int | None,
                    records: Iterator[dict]) -> Iterator[tuple[list[str], list[np.ndarray | None]]]:
    """(ids, token arrays) in input order. With --threads N, N processes encode; at most 2N batches are in
    flight, so memory stays bounded however large the input (Pool.imap would read the input ahead unbounded)."""
    if args.threads == 1:
        for ids, texts in batches(records, BATCH_DOCS):
            yield ids, encode_with_separators(tok, texts, bos_id)
        return
    # spawn, not fork (no fork of a parent holding threads) nor forkserver: spawned workers are our own children,
    # so their CPU time is accounted to this process (time(1), getrusage) and the bench can measure it.
    with ProcessPoolExecutor(args.threads, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker,
                             initargs=(args.model, args.eos_token, args.bos_token, bos_id is not None)) as pool:
        for (ids, _), encoded in in_order(lambda batch: pool.submit(_encode_in_worker, batch[1]),
                                          batches(records, BATCH_DOCS), 2 * args.threads):
            yield ids, encoded


class TokenizeAndPack(Stage):
    """Tokenize this part's documents and pack them into train and test .seq files."""

    name = "tokenize_and_pack"
    has_output = False  # two outputs: --train-out and --test-out
    unit = "docs"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("tokenize_and_pack")
        group.add_argument("--model", default=FILES["tokenizer_model"],
                           help="SentencePiece .model, Hugging Face tokenizer directory, or tokenizer.json")
        group.add_argument("--seq-len", type=int, default=DEFAULTS["seq_len"], help="tokens per packed row")
        group.add_argument("--train-out", default=FILES["train_seq"], help="train .seq file ({T}: the part id)")
        group.add_argument("--test-out", default=FILES["test_seq"], help="test .seq file ({T}: the part id)")
        group.add_argument("--test-ratio", type=float, default=DEFAULTS["test_ratio"],
                           help="fraction of documents held out for test")
        group.add_argument("--bos", choices=["doc", "none"], default="doc",
                           help="doc: BOS before every document when the tokenizer has one; none: EOS separators only")
        group.add_argument("--eos-token", help="override the tokenizer's EOS token (e.g. <|end_of_text|>)")
        group.add_argument("--bos-token", help="override the tokenizer's BOS token")

    def check(self) -> None:
        args = self.args
        if args.seq_len < 2:
            die(f"--seq-len must be at least 2 (got {args.seq_len})")
        if not 0 <= args.test_ratio < 1:
            die(f"--test-ratio must be in [0, 1) (got {args.test_ratio})")
        train_out, test_out = self.outputs()
        if Path(train_out).resolve() == Path(test_out).resolve():
            die(f"--train-out and --test-out are the same file: {train_out}")
        try:
            self.tok = load_tokenizer(args.model, eos_token=args.eos_token, bos_token=args.bos_token)
        except ValueError as e:
            die(str(e))

    def outputs(self) -> list[str]:
        part = str(self.args.part_id)
        return [self.args.train_out.replace("{T}", part).replace("{part}", part),
                self.args.test_out.replace("{T}", part).replace("{part}", part)]

    def options(self) -> dict:
        # A changed tokenizer (same path, other vocabulary) invalidates the marker too.
        return {**vars(self.args), "tokenizer_fingerprint": self.tok.fingerprint}

    def run(self, stats: StageStats) -> None:
        args, tok = self.args, self.tok
        train_out, test_out = self.outputs()
        bos_id = tok.bos_id if args.bos == "doc" else None
        log(f"[tokenize_and_pack] {tok.kind} tokenizer {args.model}: vocab {tok.vocab_size}, EOS {tok.eos_id}, "
            f"BOS {bos_id if bos_id is not None else 'none'}")
        start = time.monotonic()
        meta = dict(seq_len=args.seq_len, vocab_size=tok.vocab_size, eos_id=tok.eos_id, bos_id=bos_id,
                    tokenizer_fingerprint=tok.fingerprint)
        records = iter_part_records(args, stats, {"id": str, "text": str})
        with SeqWriter(train_out, **meta) as train, SeqWriter(test_out, **meta) as test, \
                progress_bar(unit="tok", quiet=args.quiet, desc="tokenize_and_pack") as bar:
            for ids, encoded in encoded_batches(args, tok, bos_id, records):
                n_batch = 0
                for doc_id, tokens in zip(ids, encoded, strict=True):
                    if tokens is None:
                        stats.drop("encode_error")
                        continue
                    if tokens.size == 0:
                        stats.drop("empty")
                        continue
                    split = "test" if is_test(doc_id, args.test_ratio) else "train"
                    (test if split == "test" else train).add_document(doc_id, tokens)
                    stats.count(f"{split}_docs")
                    stats.count(f"{split}_tokens_encoded", tokens.size)
                    stats.n_out += 1
                    n_batch += tokens.size
                bar.update(n_batch)
        seconds = time.monotonic() - start
        for split, writer in (("train", train), ("test", test)):
            stats.count(f"{split}_sequences", writer.n_sequences)
            stats.count(f"{split}_tail_tokens_dropped", writer.tail_tokens_dropped)
            stats.count(f"{split}_tail_docs_dropped", writer.tail_documents_dropped)
            if writer.n_sequences == 0 and stats.counters[f"{split}_docs"]:
                log(f"warning: {writer.path} holds no sequence: its {stats.counters[f'{split}_tokens_encoded']} "
                    f"tokens are fewer than --seq-len {args.seq_len}")
        n_tokens = stats.counters["train_tokens_encoded"] + stats.counters["test_tokens_encoded"]
        log(f"[tokenize_and_pack] {n_tokens:,} tokens in {seconds:.1f}s = {n_tokens / max(seconds, 1e-9):,.0f} "
            f"tokens/s; train {train.n_sequences} x {args.seq_len} -> {train_out}, test {test.n_sequences} x "
            f"{args.seq_len} -> {test_out}")


def main(argv: list[str] | None = None) -> None:
    run_stage(TokenizeAndPack, argv, __doc__)
