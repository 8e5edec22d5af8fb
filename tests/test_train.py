"""Training stage: .seq dataset, document masking, data checks, and real DeepSpeed ZeRO-2/ZeRO-3 runs on CPU."""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerFast

from lion1b.tokenize.loading import tokenizer_fingerprint
from lion1b.tokenize.seqfile import SeqWriter
from lion1b.train.seq_dataset import DataCheckError, DataSpec, SeqDataset, expand_files, position_ids_for
from lion1b.train.trainer import main

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "train" / "train_llama3_full_ft.py"
SEQ_LEN = 64
ADJ = ["quiet", "bright", "old", "small", "green", "busy", "wooden", "cold"]
NOUN = ["river", "garden", "market", "teacher", "engine", "window", "bridge", "village"]
VERB = ["follows", "watches", "builds", "crosses", "repairs", "opens"]


def demo_text(rng: random.Random, n_sentences: int) -> str:
    """Templated sentences: regular enough that a tiny model's loss falls within a few steps."""
    return " ".join(f"the {rng.choice(ADJ)} {rng.choice(NOUN)} {rng.choice(VERB)} the {rng.choice(NOUN)} ."
                    for _ in range(n_sentences))


def make_tokenizer(path: Path, texts: list[str], vocab_size: int) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<unk>", "<s>", "</s>"]))
    # no pad token, like Llama-3's: packed rows never need one
    PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                            unk_token="<unk>").save_pretrained(path)
    return AutoTokenizer.from_pretrained(path)


def write_seq(path: Path, tok, docs: list[list[int]], seq_len: int = SEQ_LEN) -> None:
    with SeqWriter(path, seq_len=seq_len, vocab_size=len(tok), eos_id=tok.eos_token_id, bos_id=tok.bos_token_id,
                   tokenizer_fingerprint=tokenizer_fingerprint(tok)) as w:
        for i, ids in enumerate(docs):
            w.add_document(f"doc{i}", ids)


def encode_docs(tok, texts: list[str]) -> list[list[int]]:
    return [[tok.bos_token_id, *tok.encode(t, add_special_tokens=False), tok.eos_token_id] for t in texts]


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Path:
    """tokenizer/ + train_thread{0,1}.seq + test_thread0.seq from templated documents of varied length."""
    root = tmp_path_factory.mktemp("train_demo")
    rng = random.Random(0)
    texts = [demo_text(rng, rng.randint(1, 6)) for _ in range(700)]
    tok = make_tokenizer(root / "tokenizer", texts, vocab_size=120)
    docs = encode_docs(tok, texts)
    write_seq(root / "train_thread0.seq", tok, docs[:300])
    write_seq(root / "train_thread1.seq", tok, docs[300:600])
    write_seq(root / "test_thread0.seq", tok, docs[600:])
    return root


def spec_for(demo: Path, max_seq_length: int = SEQ_LEN) -> DataSpec:
    tok = AutoTokenizer.from_pretrained(demo / "tokenizer")
    return DataSpec(max_seq_length, len(tok), tokenizer_fingerprint(tok))


# ---------------------------------------------------------------- document masking in transformers


@pytest.mark.parametrize("attn", ["sdpa", "eager"])
def test_restarting_position_ids_isolate_documents(attn):
    """transformers reads a position-id restart as a packed-sequence boundary (masking_utils.
    find_packed_sequence_indices; needs attention_mask=None and no KV cache): doc 2's logits inside the packed
    row equal its logits alone, and differ without the restart."""
    config = AutoConfig.for_model("llama", hidden_size=64, intermediate_size=176, num_hidden_layers=2,
                                  num_attention_heads=4, num_key_value_heads=2, vocab_size=100, use_cache=False)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, attn_implementation=attn).eval()
    doc1, doc2 = torch.randint(0, 100, (1, 7)), torch.randint(0, 100, (1, 9))
    packed = torch.cat([doc1, doc2], dim=1)
    positions = torch.from_numpy(position_ids_for(np.array([7]), 16))[None]
    assert positions[0].tolist() == list(range(7)) + list(range(9))
    with torch.no_grad():
        alone = model(doc2).logits[0]
        isolated = model(packed, position_ids=positions).logits[0, 7:]
        leaky = model(packed).logits[0, 7:]
    torch.testing.assert_close(isolated, alone, atol=1e-5, rtol=1e-5)
    assert (leaky - alone).abs().max() > 1e-2


# ---------------------------------------------------------------- dataset


def test_dataset_positions_labels_rechunk_and_globs(demo, tmp_path):
    tok = AutoTokenizer.from_pretrained(demo / "tokenizer")
    docs = [[tok.bos_token_id, *range(10, 10 + n), tok.eos_token_id] for n in (20, 50, 30, 60)]
    path = tmp_path / "rows.seq"
    write_seq(path, tok, docs)  # 172 tokens -> 2 rows of 64, tail dropped
    ds = SeqDataset([path], spec_for(demo))
    assert len(ds) == 2 and ds.n_tokens == 128
    row0 = ds[0]
    # doc 1 spans 0..21, doc 2 starts at 22 and runs past the row end
    assert row0["position_ids"].tolist() == list(range(22)) + list(range(42))
    assert row0["labels"][22].item() == -100 and (row0["labels"] != -100).sum().item() == 63
    assert row0["input_ids"].dtype == torch.int64
    row1 = ds[1]  # doc 2 continues (positions restart at the row start), doc 3 starts at 74-64=10
    assert row1["position_ids"][:10].tolist() == list(range(10)) and row1["position_ids"][10].item() == 0

    halves = SeqDataset([path], spec_for(demo, max_seq_length=32))  # re-chunked: each row -> 2 rows
    assert len(halves) == 4 and halves.chunk == 32
    assert halves[0]["input_ids"].tolist() + halves[1]["input_ids"].tolist() == row0["input_ids"].tolist()
    assert halves[0]["position_ids"].tolist() == list(range(22)) + list(range(10))
    assert halves[1]["position_ids"].tolist() == list(range(32))  # a chunk edge restarts positions at 0
    plain = SeqDataset([path], spec_for(demo), document_attention=False)[0]
    assert "position_ids" not in plain and plain["labels"].tolist() == plain["input_ids"].tolist()

    both = [demo / "train_thread0.seq", demo / "train_thread1.seq"]
    assert expand_files([str(demo / "train_thread*.seq")], "--train_file") == both  # quoted glob
    assert expand_files([str(p) for p in both], "--train_file") == both  # expanded by the shell
    with pytest.raises(DataCheckError, match="no such file"):
        expand_files([str(demo / "nothing*.seq")], "--train_file")


def test_jsonl_manifest_lists_seq_files(demo, tmp_path):
    """--train_file/--eval_file may name a JSON Lines manifest: {"path": ...} or bare path lines, relative to the
    manifest's own directory, globs allowed, mixed with plain files and globs."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("train_thread0.seq", "train_thread1.seq"):
        shutil.copy(demo / name, data / name)
    manifest = tmp_path / "train.jsonl"
    manifest.write_text('{"path": "data/train_thread1.seq"}\n\ndata/train_thread0.seq\n{"path": "data/train_*.seq"}\n')
    both = [data / "train_thread1.seq", data / "train_thread0.seq"]
    assert expand_files([str(manifest)], "--train_file") == both
    assert expand_files([str(data / "train_thread0.seq"), str(manifest)], "--train_file") == both[::-1]
    assert len(SeqDataset(expand_files([str(manifest)], "--train_file"), spec_for(demo))) == sum(
        len(SeqDataset([p], spec_for(demo))) for p in both)
    for text, message in (('{"path": 3}\n', r"train\.jsonl:1: expected a \.seq path"),
                          ('data/train_thread0.seq\n{"file": "x"}\n', r"train\.jsonl:2: expected"),
                          ("data/nope.seq\n", r"train\.jsonl:1: data/nope\.seq: no such file"),
                          ("\n\n", "the manifest lists no file")):
        manifest.write_text(text)
        with pytest.raises(DataCheckError, match=message):
            expand_files([str(manifest)], "--train_file")
    with pytest.raises(DataCheckError, match="cannot read the manifest"):
        expand_files([str(tmp_path / "missing.jsonl")], "--eval_file")


def test_dataset_refuses_mismatched_headers(demo, tmp_path):
    tok = AutoTokenizer.from_pretrained(demo / "tokenizer")
    files = [demo / "train_thread0.seq"]
    with pytest.raises(DataCheckError, match="not a multiple"):
        SeqDataset(files, spec_for(demo, max_seq_length=48))
    with pytest.raises(DataCheckError, match="model has only 50 embeddings"):
        SeqDataset(files, DataSpec(SEQ_LEN, 50, tokenizer_fingerprint(tok)))
    with pytest.raises(DataCheckError, match="tokenizer fingerprint"):
        SeqDataset(files, DataSpec(SEQ_LEN, len(tok), "0" * 64))
    write_seq(tmp_path / "long.seq", tok, encode_docs(tok, ["the old river opens the bridge ."] * 40), seq_len=128)
    with pytest.raises(DataCheckError, match="different seq_len"):
        SeqDataset([*files, tmp_path / "long.seq"], spec_for(demo, max_seq_length=256))
    (tmp_path / "junk.seq").write_bytes(b"not a seq file" * 30)
    with pytest.raises(DataCheckError, match=r"not a \.seq file"):
        SeqDataset([tmp_path / "junk.seq"], spec_for(demo))


# ---------------------------------------------------------------- refusals before any training


def run_main_expecting_error(args: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    return capsys.readouterr().err


def test_refuses_tokenizer_and_vocab_mismatch_before_training(demo, tmp_path, capsys):
    common = ["--train_file", str(demo / "train_thread*.seq"), "--max_seq_length", str(SEQ_LEN),
              "--report_to", "none", "--skip_marker_check"]  # the fixture's files are written without a stage
    other = make_tokenizer(tmp_path / "other_tok", ["a b c d e f g h", "h g f e d c b a"], vocab_size=60)
    out = tmp_path / "out1"
    err = run_main_expecting_error(["--init_from_config", "tiny", "--tokenizer_name", str(tmp_path / "other_tok"),
                                    "--output_dir", str(out), *common], capsys)
    assert "tokenizer fingerprint" in err and "another vocabulary" in err
    assert not out.exists()  # refused before anything was created

    small = tmp_path / "small_model"  # a "pretrained" model whose embedding table is smaller than the data's ids
    config = AutoConfig.for_model("llama", hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                  num_attention_heads=2, vocab_size=len(other))
    AutoModelForCausalLM.from_config(config).save_pretrained(small)
    AutoTokenizer.from_pretrained(demo / "tokenizer").save_pretrained(small)
    err = run_main_expecting_error(["--model_name_or_path", str(small), "--output_dir", str(out), *common], capsys)
    assert f"the model has only {len(other)} embeddings" in err

    err = run_main_expecting_error(["--model_name_or_path", "meta-llama/Llama-3-8B", "--output_dir", str(out),
                                    *common], capsys)
    assert "not a local directory" in err and "--local-dir" in err

    (out / "checkpoint-6").mkdir(parents=True)
    err = run_main_expecting_error(["--init_from_config", "tiny", "--tokenizer_name", str(demo / "tokenizer"),
                                    "--output_dir", str(out), *common], capsys)
    assert "--resume_from_checkpoint auto" in err

    err = run_main_expecting_error(["--init_from_config", "tiny", "--tokenizer_name", str(demo / "tokenizer"),
                                    "--output_dir", str(tmp_path / "out2"), "--expect_world_size", "8", *common],
                                   capsys)
    assert "--expect_world_size 8 but the job has 1 process" in err


# ---------------------------------------------------------------- real DeepSpeed runs (2 CPU processes)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SHM_OP = REPO / ".cache" / "torch_extensions" / "deepspeed_shm_comm" / "deepspeed_shm_comm.so"


def launch(demo: Path, out: Path, ds_config: str, *extra: str, model: list[str] | None = None,
           activated: bool = False) -> str:
    """deepspeed --num_gpus 2 on CPU; the shm comm op is JIT-built once into the project's ignored .cache.
    ``activated``: the venv's bin first on PATH, as in a shell that sourced .venv/bin/activate."""
    model = model or ["--init_from_config", "tiny", "--tokenizer_name", str(demo / "tokenizer")]
    env = dict(os.environ, DS_ACCELERATOR="cpu", HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1",
               TOKENIZERS_PARALLELISM="false", TORCH_EXTENSIONS_DIR=str(SHM_OP.parents[1]))
    if activated:
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "deepspeed"), "--num_gpus", "2", "--master_port", str(port),
           str(SCRIPT), *model, "--train_file", str(demo / "train_thread*.seq"),
           "--eval_file", str(demo / "test_thread0.seq"), "--output_dir", str(out),
           "--deepspeed", str(REPO / "train" / ds_config),
           "--per_device_train_batch_size", "4", "--gradient_accumulation_steps", "2", "--learning_rate", "3e-3",
           "--max_seq_length", str(SEQ_LEN), "--logging_steps", "1", "--disable_tqdm", "true", "--skip_marker_check",
           *extra]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    # DeepSpeed's CPU allreduce segments are gone with the job (they filled /dev/shm run after run)
    assert not list(Path("/dev/shm").glob(f"deepspeed_allreduce_buffer_{os.getuid()}_*_{port}_*"))
    return proc.stdout


def summary_of(stdout: str) -> dict:
    line = next(x for x in stdout.splitlines() if x.startswith("[train] summary "))
    return json.loads(line.removeprefix("[train] summary "))


def check_saved_model(out: Path, demo: Path, eval_loss: float) -> None:
    """The consolidated model loads with the Auto classes, generates, and scores the eval rows as training did."""
    model = AutoModelForCausalLM.from_pretrained(out).eval()
    tok = AutoTokenizer.from_pretrained(out)
    prompt = tok("the quiet river", return_tensors="pt")
    gen = model.generate(**prompt, max_new_tokens=5, min_new_tokens=5, do_sample=False)
    assert gen.shape[1] == prompt["input_ids"].shape[1] + 5
    rows = SeqDataset([demo / "test_thread0.seq"], spec_for(demo))
    batch = {k: torch.stack([rows[i][k] for i in range(len(rows))]) for k in rows[0]}
    with torch.no_grad():
        loss = model(**batch, use_cache=False).loss.item()
    assert loss == pytest.approx(eval_loss, abs=0.03)


@pytest.mark.slow
def test_zero2_trains_evaluates_and_resumes_exactly(demo, tmp_path):
    out = tmp_path / "z2"
    stdout = launch(demo, out, "deepspeed_config.json", "--max_steps", "12", "--save_steps", "6",
                    "--eval_steps", "6")
    history = json.loads((out / "checkpoint-12" / "trainer_state.json").read_text())["log_history"]
    losses = [e["loss"] for e in history if "loss" in e]
    assert len(losses) == 12 and losses[-1] < losses[0] - 0.8  # loss falls on demo-like data
    first = next(e for e in history if "loss" in e)
    assert first["grad_norm"] > 0 and first["learning_rate"] == pytest.approx(3e-3)
    assert first["tokens_per_s_per_device"] > 0
    result = summary_of(stdout)
    assert result["global_step"] == 12
    assert result["eval_perplexity"] == pytest.approx(math.exp(result["eval_loss"]), rel=1e-3)
    assert result["eval_perplexity"] < 60  # uniform guessing over the 111-token vocabulary would be 111
    assert (out / "loss_curve.png").stat().st_size > 1000
    events = EventAccumulator(str(next((out / "runs").iterdir())))
    events.Reload()
    assert {"train/loss", "train/learning_rate", "train/grad_norm", "train/tokens_per_s_per_device",
            "eval/perplexity"} <= set(events.Tags()["scalars"])
    check_saved_model(out, demo, result["eval_loss"])

    # Resume: drop the last checkpoint and the final model, continue from checkpoint-6: steps 7..12 repeat
    # the first run's loss and LR exactly (optimizer, scheduler, data order and RNG all restored).
    # Launched from an activated venv this time: the comm op the first launch built is reused, whichever
    # ninja each shell's PATH finds first (a system ninja and the venv's rebuilt each other's, 50 s a launch).
    shutil.rmtree(out / "checkpoint-12")
    (out / "model.safetensors").unlink()
    built = SHM_OP.stat().st_mtime_ns
    stdout = launch(demo, out, "deepspeed_config.json", "--max_steps", "12", "--save_steps", "6",
                    "--eval_steps", "6", "--resume_from_checkpoint", "auto", activated=True)
    assert SHM_OP.stat().st_mtime_ns == built
    assert f"resuming from {out / 'checkpoint-6'}" in stdout
    resumed = json.loads((out / "checkpoint-12" / "trainer_state.json").read_text())["log_history"]
    before = {e["step"]: e for e in history if "loss" in e}
    after = {e["step"]: e for e in resumed if "loss" in e}
    for step in range(7, 13):
        assert after[step]["learning_rate"] == before[step]["learning_rate"]
        assert after[step]["loss"] == pytest.approx(before[step]["loss"], rel=1e-4)
    assert (out / "model.safetensors").is_file()


@pytest.mark.slow
def test_zero3_fine_tunes_a_local_model_and_saves_it_consolidated(demo, tmp_path):
    """--model_name_or_path DIR (the fine-tune path: weights loaded under zero.Init), files already expanded."""
    base = tmp_path / "base_model"
    tok = AutoTokenizer.from_pretrained(demo / "tokenizer")
    preset = json.loads((REPO / "lion1b" / "train" / "presets" / "tiny.json").read_text())
    config = AutoConfig.for_model(preset.pop("model_type"), **preset, vocab_size=len(tok))
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(config).save_pretrained(base)
    tok.save_pretrained(base)
    out = tmp_path / "z3"
    stdout = launch(demo, out, "deepspeed_zero3.json", "--max_steps", "8", "--save_steps", "100",
                    "--eval_steps", "100", "--expect_world_size", "2", "--peak_tflops", "0.05",
                    "--train_file", str(demo / "train_thread0.seq"), str(demo / "train_thread1.seq"),
                    model=["--model_name_or_path", str(base)])
    assert "world size 2" in stdout and "from 2 file(s)" in stdout
    logged = [json.loads(x.replace("'", '"')) for x in stdout.splitlines() if x.startswith("{'loss'")]
    assert len(logged) == 8 and float(logged[-1]["loss"]) < float(logged[0]["loss"])
    assert all(float(e["mfu"]) > 0 for e in logged)  # MFU against the given peak
    result = summary_of(stdout)
    assert "eval_perplexity" in result
    check_saved_model(out, demo, result["eval_loss"])


def pack_parts(demo: Path, root: Path, texts: list[str], parts: int = 2) -> Path:
    """data/{train,test}_thread{T}.seq from the real tokenize_and_pack (completion markers included)."""
    docs = root / "scrubbed.jsonl"
    docs.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
    for part in range(parts):
        proc = subprocess.run(
            [sys.executable, str(REPO / "scripts" / "tokenize_and_pack.py"), "--input", str(docs), "--model",
             str(demo / "tokenizer"), "--seq-len", str(SEQ_LEN), "--test-ratio", "0.15", "--part-id", str(part),
             "--num-parts", str(parts), "--split", "records", "--quiet",
             "--train-out", str(root / "data" / f"train_thread{part}.seq"),
             "--test-out", str(root / "data" / f"test_thread{part}.seq")],
            capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
    return root / "data"


@pytest.mark.slow
def test_the_readme_command_as_written(demo, tmp_path):
    """`deepspeed ... train/train.py --train_file data/train_thread*.seq ...` with the glob left to the shell
    (CPU launcher flags in place of the hostfile), eval data from a JSON Lines manifest. The merged log holds
    one progress bar (rank 0's) and each known harmless library warning once, even across checkpoint saves."""
    rng = random.Random(1)
    data = pack_parts(demo, tmp_path, [demo_text(rng, rng.randint(1, 6)) for _ in range(500)])
    manifest = tmp_path / "eval.jsonl"
    manifest.write_text('{"path": "data/test_thread0.seq"}\ndata/test_thread1.seq\n')
    logs, out = tmp_path / "rank_logs", tmp_path / "out"
    deepspeed = Path(sys.executable).parent / "deepspeed"
    command = (f"{deepspeed} --num_gpus 2 --master_port {free_port()} --enable_each_rank_log {logs} "
               f"train/train.py --init_from_config tiny --tokenizer_name {demo / 'tokenizer'} "
               f"--train_file {data}/train_thread*.seq --eval_file {manifest} --output_dir {out} "
               "--deepspeed train/deepspeed_config.json --per_device_train_batch_size 4 --max_seq_length 64 "
               "--max_steps 4 --save_steps 2 --eval_steps 2 --logging_steps 1 --report_to none")
    assert " " not in str(tmp_path) and "*" not in str(tmp_path)  # the command is one unquoted shell line
    env = dict(os.environ, DS_ACCELERATOR="cpu", HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1",
               TOKENIZERS_PARALLELISM="false", TORCH_EXTENSIONS_DIR=str(SHM_OP.parents[1]))
    proc = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=600, cwd=REPO)
    rank0, rank1 = (next(logs.glob(f"*_rank{r}.log")).read_text() for r in (0, 1))
    assert proc.returncode == 0, proc.stderr[-3000:] + rank0[-3000:] + rank1[-3000:]
    assert "from 2 file(s)" in rank0 and summary_of(rank0)["global_step"] == 4 and "eval_loss" in summary_of(rank0)
    assert (out / "checkpoint-2").is_dir() and (out / "model.safetensors").is_file()
    assert "it/s]" in rank0 and "it/s]" not in rank1  # the progress bar is rank 0's alone
    warned = [line for line in rank0.splitlines() if "Warning: `torch.distributed." in line]
    assert warned and len(warned) == len(set(warned))  # each known harmless warning once, across two saves
    assert "is deprecated" not in rank1 and "built successfully" not in rank1
    assert rank1.strip() == ""  # nothing from the other rank at all on a clean run
