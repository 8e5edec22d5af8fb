"""Train the SentencePiece tokenizer from scrubbed shards, and write a Hugging Face copy of it.

    python tokenizer/train_tokenizer.py --input 'data/scrubbed_thread*.txt' --vocab-size 32000

Outputs tokenizer/tokenizer.model (for tokenize_and_pack) and tokenizer/hf/ (tokenizer.json + config, for
AutoTokenizer in training and inference). Both have the same ids and the same fingerprint.
Special ids: <unk>=0, <s>=1 (BOS), </s>=2 (EOS), <pad>=3. Settings follow Llama's tokenizer: byte fallback
(no unknown characters ever), split digits, no whitespace normalisation, so decode(encode(text)) == text.
"""

import argparse
import io
import shutil
from pathlib import Path

from lion1b.config import DEFAULTS, FILES
from lion1b.contract import (
    Stage,
    StageStats,
    atomic_write,
    die,
    iter_part_records,
    log,
    progress,
    run_stage,
    stable_hash,
)

SPECIALS = {"unk": ("<unk>", 0), "bos": ("<s>", 1), "eos": ("</s>", 2), "pad": ("<pad>", 3)}
MAX_SENTENCE_BYTES = 16384  # SentencePiece silently skips longer "sentences"; we cut lines to fit instead
SAMPLE_SCALE = 1 << 32


def iter_training_lines(records, sample_rate: float, max_chars: int, stats: StageStats):
    """Lines of the sampled documents up to max_chars. The sample is a hash of each document's id (or text),
    so it does not depend on file order or process count; only where the cap falls depends on the order."""
    threshold = int(sample_rate * SAMPLE_SCALE)
    total = 0
    for record in records:
        key = record.get("id") if isinstance(record.get("id"), str) else record["text"]
        try:  # SentencePiece's trainer (and the sample hash) die on a string that is not valid Unicode
            record["text"].encode("utf-8")
            key.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate; the contract repairs them on read, this holds for any caller
            stats.drop("encode_error")
            continue
        if stable_hash("tokenizer-sample:" + key) % SAMPLE_SCALE >= threshold:
            stats.drop("not_sampled")
            continue
        if total >= max_chars:
            stats.drop("over_max_chars")
            continue
        stats.n_out += 1
        for line in record["text"].split("\n"):
            step = MAX_SENTENCE_BYTES // 4  # 4 bytes per character at most in UTF-8
            for start in range(0, len(line), step):
                chunk = line[start:start + step]
                if chunk.strip():
                    total += len(chunk)
                    yield chunk
    stats.count("chars", total)


def train_sentencepiece(lines, vocab_size: int, model_type: str, threads: int, character_coverage: float) -> bytes:
    """Train and return the serialized model (nothing written, so the caller can write it atomically)."""
    import sentencepiece as spm

    spm.set_random_generator_seed(1234)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model, model_type=model_type, vocab_size=vocab_size,
        byte_fallback=True, split_digits=True, allow_whitespace_only_pieces=True, remove_extra_whitespaces=False,
        normalization_rule_name="identity", character_coverage=character_coverage,
        max_sentence_length=MAX_SENTENCE_BYTES, input_sentence_size=0, shuffle_input_sentence=False,
        num_threads=threads, minloglevel=2,
        **{f"{name}_id": i for name, (_, i) in SPECIALS.items()},
        **{f"{name}_piece": piece for name, (piece, _) in SPECIALS.items()},
    )
    return model.getvalue()


def build_hf_tokenizer(model_path: str | Path, out_dir: str | Path) -> None:
    """Convert the .model to a fast tokenizer directory that AutoTokenizer loads offline, encoding exactly
    like SentencePiece (transformers' own SentencePiece→tokenizers conversion) and adding BOS like Llama."""
    from sentencepiece import sentencepiece_model_pb2
    from tokenizers.processors import TemplateProcessing
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import SpmConverter

    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(Path(model_path).read_bytes())
    if proto.trainer_spec.model_type == sentencepiece_model_pb2.TrainerSpec.UNIGRAM:
        vocab = [(p.piece, p.score) for p in proto.pieces]
    else:
        vocab = {p.piece: i for i, p in enumerate(proto.pieces)}
    backend = SpmConverter.build_tokenizer_from_spm_proto(proto, vocab)
    if backend is None:
        raise ValueError(f"{model_path}: SentencePiece model type {proto.trainer_spec.model_type} cannot be converted")
    spec = proto.trainer_spec
    if spec.bos_id >= 0:
        bos = spec.bos_piece
        backend.post_processor = TemplateProcessing(single=f"{bos} $A", pair=f"{bos} $A {bos} $B",
                                                    special_tokens=[(bos, spec.bos_id)])
    specials = {f"{name}_token": getattr(spec, f"{name}_piece") for name in SPECIALS
                if getattr(spec, f"{name}_id") >= 0}
    PreTrainedTokenizerFast(tokenizer_object=backend, **specials).save_pretrained(str(out_dir))


def replace_dir(tmp: Path, final: Path) -> None:
    """Swap a finished directory into place; the old one is removed only after the new one is there."""
    old = final.with_name(f".{final.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


class TrainTokenizer(Stage):
    """Train a SentencePiece model on the scrubbed text and write it with its Hugging Face twin."""

    name = "train_tokenizer"
    has_output = False  # --output (the .model) and --hf-dir

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("train_tokenizer")
        group.add_argument("--output", default=FILES["tokenizer_model"], help="SentencePiece model to write")
        group.add_argument("--hf-dir", default=FILES["tokenizer_hf_dir"],
                           help="Hugging Face tokenizer directory to write")
        group.add_argument("--vocab-size", type=int, default=DEFAULTS["vocab_size"])
        group.add_argument("--model-type", choices=["bpe", "unigram"], default="bpe")
        group.add_argument("--sample-rate", type=float, default=1.0, help="fraction of documents used (by id hash)")
        group.add_argument("--max-chars", type=int, default=200_000_000,
                           help="cap on training characters: SentencePiece holds all of them in memory")
        group.add_argument("--character-coverage", type=float, default=0.9995,
                           help="rarer characters are left to byte fallback")

    def check(self) -> None:
        args = self.args
        if not 0 < args.sample_rate <= 1:
            die(f"--sample-rate must be in (0, 1] (got {args.sample_rate})")
        if args.vocab_size < len(SPECIALS) + 256 + 1:
            die(f"--vocab-size must exceed the {len(SPECIALS)} special + 256 byte pieces (got {args.vocab_size})")

    def outputs(self) -> list[str]:
        return [self.args.output, self.args.hf_dir]

    def label(self) -> str:
        return self.name

    def run(self, stats: StageStats) -> None:
        args = self.args
        hf_dir = Path(args.hf_dir)
        if (hf_dir / "tokenizer.json").is_file():
            shutil.rmtree(hf_dir)  # a failed run must not leave the previous tokenizer's twin looking current
        records = progress(iter_part_records(args, stats, {"text": str}), unit="docs", quiet=args.quiet)
        lines = list(iter_training_lines(records, args.sample_rate, args.max_chars, stats))
        if not lines:
            die("no training text: every document was empty, malformed or not sampled")
        log(f"[train_tokenizer] training {args.model_type} vocab={args.vocab_size} on {len(lines):,} lines, "
            f"{stats.counters['chars']:,} chars")
        try:
            model = train_sentencepiece(lines, args.vocab_size, args.model_type, args.threads,
                                        args.character_coverage)
        except RuntimeError as e:  # e.g. "Vocabulary size too high" on a small corpus
            die(f"SentencePiece training failed: {e}")
        with atomic_write(args.output, "wb") as f:
            f.write(model)
        tmp = hf_dir.with_name(f".{hf_dir.name}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        build_hf_tokenizer(args.output, tmp)
        replace_dir(tmp, hf_dir)

        from lion1b.tokenize.loading import load_tokenizer

        tok = load_tokenizer(args.output)
        stats.count("vocab_size", tok.vocab_size)
        ids = ", ".join(f"{name.upper()}={i}" for name, (_, i) in SPECIALS.items())
        log(f"[train_tokenizer] wrote {args.output} and {hf_dir}/ ({ids}; fingerprint {tok.fingerprint[:16]})")


def main(argv: list[str] | None = None) -> None:
    run_stage(TrainTokenizer, argv, __doc__)
