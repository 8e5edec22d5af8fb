"""Full fine-tune (or from-scratch training) of a Llama-style model on packed .seq files with DeepSpeed ZeRO.

Launch (see docs/train.md):
  deepspeed --hostfile extras/hostfile train/train_llama3_full_ft.py --model_name_or_path DIR \
      --train_file 'data/train_thread*.seq' --eval_file 'data/test_thread*.seq' --output_dir output/run \
      --deepspeed train/deepspeed_config.json --per_device_train_batch_size 1 --gradient_accumulation_steps 16 \
      --num_train_epochs 5 --learning_rate 5e-5 --max_seq_length 4096

Built on the Hugging Face Trainer's DeepSpeed integration; the arguments are dataclasses parsed by
HfArgumentParser (as in transformers' run_clm.py), so every TrainingArguments flag works too. Order matters:
cheap checks (tokenizer, config, every .seq header) first, then the process group, then the model.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time
import warnings
from contextlib import redirect_stdout
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, NoReturn

import torch
import torch.distributed as dist
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoTokenizer,
    HfArgumentParser,
    PretrainedConfig,
    PreTrainedTokenizerBase,
    Trainer,
    TrainerCallback,
    TrainingArguments,
    default_data_collator,
    set_seed,
)
from transformers.trainer_utils import get_last_checkpoint
from transformers.utils import logging as hf_logging

from lion1b.contract import atomic_write
from lion1b.contract import die as contract_die
from lion1b.tokenize.loading import tokenizer_fingerprint
from lion1b.train.rendezvous import roll_call
from lion1b.train.seq_dataset import DataCheckError, DataSpec, SeqDataset, check_markers, expand_files

PRESETS_DIR = Path(__file__).resolve().parent / "presets"
# Dense bf16 peak of the GPUs MFU is usually quoted against (vendor datasheets, no sparsity).
PEAK_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "A10G": 125.0, "L4": 121.0}


@dataclass
class ModelArguments:
    model_name_or_path: str | None = field(
        default=None, metadata={"help": "Local model directory or Hugging Face Hub id (a hub id needs internet)."})
    init_from_config: str | None = field(
        default=None, metadata={"help": "Train from scratch: a config JSON, or a preset name from lion1b/train/presets "
                                        "(tiny, llama-1b). Needs --tokenizer_name."})
    tokenizer_name: str | None = field(
        default=None, metadata={"help": "Tokenizer directory; defaults to --model_name_or_path."})
    torch_dtype: str | None = field(
        default=None, metadata={"help": "Dtype the weights are loaded in; default bfloat16 with --bf16, else float32.",
                                "choices": ["bfloat16", "float16", "float32"]})
    attn_implementation: str = field(
        default="sdpa", metadata={"help": "sdpa, eager or flash_attention_2 (all honour per-document position ids).",
                                  "choices": ["sdpa", "eager", "flash_attention_2"]})


@dataclass
class DataArguments:
    train_file: list[str] = field(
        metadata={"help": "Training .seq files: globs, quoted or already expanded by the shell."})
    eval_file: list[str] | None = field(
        default=None, metadata={"help": "Evaluation .seq files (globs); eval loss and perplexity are logged."})
    max_seq_length: int = field(
        default=4096, metadata={"help": "Row length trained on; .seq rows that are a multiple of it are re-chunked."})
    document_attention: bool = field(
        default=True, metadata={"help": "Restart position ids at each document start, so tokens attend only within "
                                        "their document (--no_document_attention: plain causal over the row)."})
    max_eval_samples: int | None = field(
        default=None, metadata={"help": "Evaluate on the first N rows only (a fixed subset keeps eval cheap)."})
    skip_tokenizer_check: bool = field(
        default=False, metadata={"help": "Do not compare the .seq tokenizer fingerprint with the model's tokenizer."})
    skip_marker_check: bool = field(
        default=False, metadata={"help": "Train on .seq files that no completion marker vouches for (packed "
                                         "elsewhere, or changed since tokenize_and_pack wrote them)."})


@dataclass
class RunArguments:
    expect_world_size: int | None = field(
        default=None, metadata={"help": "Fail unless the job has exactly this many processes (a mistyped hostfile "
                                        "otherwise falls back to one node with only a launcher warning)."})
    peak_tflops: float | None = field(
        default=None, metadata={"help": "Peak TFLOP/s of one device for the MFU estimate; known GPUs are detected."})


def is_main() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


# Library warnings every multi-process run prints and no user can act on: rank 0 shows each once, the other
# ranks not at all. A warning not listed here still shows on every rank (it may be that rank's own problem).
HARMLESS_WARNINGS = (
    # DeepSpeed ZeRO calls torch's deprecated collective names (all_gather_into_tensor, reduce_scatter_tensor)
    (FutureWarning, r"`torch\.distributed\.\w+` is deprecated"),
)


def quiet_replicas() -> None:
    """One voice per job: a launcher merges every rank's output into one log, so progress bars, info lines
    and known harmless warnings come from rank 0 only (replicas keep errors and unknown warnings)."""
    if not is_main():
        for category, message in HARMLESS_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=category)
        hf_logging.disable_progress_bar()  # checkpoint "Writing model shards" bars
    elif warnings.showwarning is not _show_known_once:
        # A filter action "once" is not enough: every warnings.catch_warnings() (the Trainer's checkpoint
        # save has several) resets the registries it relies on, so the warning came back after each save.
        global _show_warning
        _show_warning = warnings.showwarning
        warnings.showwarning = _show_known_once


_show_warning = warnings.showwarning
_shown: set[str] = set()


def _show_known_once(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                     file: Any = None, line: str | None = None) -> None:
    for known, pattern in HARMLESS_WARNINGS:
        if issubclass(category, known) and re.search(pattern, str(message)):
            if str(message) in _shown:
                return
            _shown.add(str(message))
    _show_warning(message, category, filename, lineno, file, line)


def log(msg: str) -> None:
    if is_main():
        print(f"[train] {msg}", flush=True)


def die(msg: str) -> NoReturn:
    """Every rank exits non-zero; only rank 0 says why, so N processes do not repeat the same message."""
    if is_main():
        contract_die(msg, prefix="[train] error")
    raise SystemExit(2)


def load_config_and_tokenizer(margs: ModelArguments) -> tuple[PretrainedConfig, PreTrainedTokenizerBase]:
    """Resolve model config and tokenizer without touching weights: cheap enough to run before any check."""
    if margs.init_from_config:
        spec = margs.init_from_config
        path = Path(spec) if spec.endswith(".json") else PRESETS_DIR / f"{spec}.json"
        if not path.is_file():
            presets = ", ".join(sorted(p.stem for p in PRESETS_DIR.glob("*.json")))
            die(f"--init_from_config {spec}: no such config file or preset (presets: {presets})")
        if not margs.tokenizer_name:
            die("--init_from_config needs --tokenizer_name DIR (the tokenizer the .seq files were made with)")
        tokenizer = load_tokenizer_dir(margs.tokenizer_name)
        values = json.loads(path.read_text())
        config = AutoConfig.for_model(values.pop("model_type", "llama"), **values)
        # the vocabulary comes from the tokenizer, so a preset fits any tokenizer
        config.vocab_size = len(tokenizer)
        config.bos_token_id, config.eos_token_id = tokenizer.bos_token_id, tokenizer.eos_token_id
        config.pad_token_id = tokenizer.pad_token_id
        return config, tokenizer
    if not margs.model_name_or_path:
        die("pass --model_name_or_path (local directory or hub id) or --init_from_config (from scratch)")
    name = margs.model_name_or_path
    if not Path(name).is_dir():
        if Path(name).exists() or name.startswith((".", "/", "~")) or name.count("/") > 1:
            die(f"--model_name_or_path {name}: not a model directory")
        try:
            config = AutoConfig.from_pretrained(name)
        except OSError as e:
            die(f"--model_name_or_path {name} is not a local directory, and fetching it from the Hugging Face Hub "
                f"failed ({str(e).splitlines()[0]}). Without internet (or with HF_HUB_OFFLINE=1) only local "
                f"directories work: on a connected machine run `hf download {name} --local-dir DIR` (gated models "
                "need `hf auth login` first), copy DIR here, and pass --model_name_or_path DIR")
    else:
        try:
            config = AutoConfig.from_pretrained(name)
        except (OSError, ValueError) as e:
            die(f"--model_name_or_path {name}: no usable config.json ({str(e).splitlines()[0]})")
    return config, load_tokenizer_dir(margs.tokenizer_name or name)


def load_tokenizer_dir(name: str) -> PreTrainedTokenizerBase:
    try:
        return AutoTokenizer.from_pretrained(name)
    except (OSError, ValueError) as e:
        die(f"cannot load a tokenizer from {name} ({str(e).splitlines()[0]})")


def flops_per_token(config: PretrainedConfig, seq_len: int) -> float:
    """Training FLOPs per token, PaLM appendix B: 6*N (matmul params, lm_head included) + 12*L*H*Q*T attention."""
    h, n_layers, heads = config.hidden_size, config.num_hidden_layers, config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    head_dim = getattr(config, "head_dim", None) or h // heads
    attn = 2 * h * heads * head_dim + 2 * h * kv_heads * head_dim
    mlp = 3 * h * config.intermediate_size
    n_matmul = n_layers * (attn + mlp) + config.vocab_size * h
    return 6.0 * n_matmul + 12.0 * n_layers * heads * head_dim * seq_len


def peak_flops(targs: TrainingArguments, rargs: RunArguments) -> float | None:
    if rargs.peak_tflops:
        return rargs.peak_tflops * 1e12
    if torch.cuda.is_available() and (targs.bf16 or targs.fp16):
        name = torch.cuda.get_device_name()
        for key, tflops in PEAK_BF16_TFLOPS.items():
            if key in name:
                return tflops * 1e12
    return None  # CPU or unknown GPU: MFU is not reported


class ThroughputCallback(TrainerCallback):
    """Times optimizer steps (step begin to step end) so eval and checkpoint time do not dilute tokens/s."""

    def __init__(self, tokens_per_step: int, flops_per_token: float, peak: float | None) -> None:
        self.tokens_per_step, self.flops_per_token, self.peak = tokens_per_step, flops_per_token, peak
        self.window_s = self.total_s = 0.0
        self.window_steps = self.total_steps = 0
        self._t0 = 0.0
        self._warm = False

    def on_step_begin(self, args, state, control, **kwargs) -> None:
        self._t0 = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs) -> None:
        dt = time.perf_counter() - self._t0
        self.window_s += dt
        self.window_steps += 1
        if self._warm:  # the run's total leaves out its first step (lazy allocation, DeepSpeed buffers)
            self.total_s += dt
            self.total_steps += 1
        self._warm = True

    def rates(self, steps: int, seconds: float) -> dict[str, float]:
        if not steps or seconds <= 0:
            return {}
        tps = steps * self.tokens_per_step / seconds
        out = {"tokens_per_s_per_device": round(tps, 1)}
        if self.peak:
            out["mfu"] = round(tps * self.flops_per_token / self.peak, 4)
        return out

    def take_window(self) -> dict[str, float]:
        out = self.rates(self.window_steps, self.window_s)
        self.window_s, self.window_steps = 0.0, 0
        return out


class SeqTrainer(Trainer):
    """Adds tokens/s, MFU and eval perplexity to every log line (stdout and TensorBoard alike)."""

    def __init__(self, *args, throughput: ThroughputCallback, **kwargs) -> None:
        super().__init__(*args, callbacks=[throughput], **kwargs)
        self.throughput = throughput

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        if "loss" in logs:
            logs.update(self.throughput.take_window())
        if "eval_loss" in logs:
            logs["eval_perplexity"] = math.exp(min(logs["eval_loss"], 50.0))
        super().log(logs, start_time)


def plot_loss_curve(log_history: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [(e["step"], e["loss"]) for e in log_history if "loss" in e]
    evals = [(e["step"], e["eval_loss"]) for e in log_history if "eval_loss" in e]
    fig, ax = plt.subplots(figsize=(7, 4))
    for points, label in ((train, "train loss"), (evals, "eval loss")):
        if points:
            ax.plot(*zip(*points, strict=True), marker="." if label == "train loss" else "o", label=label)
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    with atomic_write(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110)
    plt.close(fig)


def resolve_resume(output_dir: str, resume: str | None) -> str | None:
    """auto = latest checkpoint in output_dir (none yet: start fresh); refuse to silently restart over checkpoints."""
    last = get_last_checkpoint(output_dir) if os.path.isdir(output_dir) else None
    if resume == "auto":
        log(f"resuming from {last}" if last else f"--resume_from_checkpoint auto: no checkpoint in "
            f"{output_dir} yet, starting fresh")
        return last
    if resume:
        if not os.path.isfile(os.path.join(resume, "trainer_state.json")):
            die(f"--resume_from_checkpoint {resume}: not a checkpoint directory (no trainer_state.json)")
        return resume
    if last:
        die(f"{output_dir} already holds {Path(last).name}; pass --resume_from_checkpoint auto to continue "
            "that run, or choose another --output_dir")
    return None


def parse_args(argv: list[str]) -> tuple[ModelArguments, DataArguments, RunArguments, dict]:
    """run_clm-style dataclass arguments; TrainingArguments is returned as keywords and built only after the
    data checks, because building it with --deepspeed already sets up the process group."""
    parser = HfArgumentParser((ModelArguments, DataArguments, RunArguments, TrainingArguments))
    wants_eval = any(a.split("=")[0] in ("--eval_file", "--eval-file") for a in argv)
    parser.set_defaults(
        report_to=["tensorboard"], logging_steps=10, logging_first_step=True, save_steps=500, eval_steps=500,
        eval_strategy="steps" if wants_eval else "no", prediction_loss_only=True, save_total_limit=3,
        bf16=torch.cuda.is_available() and torch.cuda.is_bf16_supported(),
        # Without CUDA (DS_ACCELERATOR=cpu tests), accelerate only counts the ranks when told it runs on CPU.
        use_cpu=not torch.cuda.is_available(),
        log_level_replica="error",  # see quiet_replicas
    )
    values = vars(parser.parse_args(argv))
    own = []
    for cls in (ModelArguments, DataArguments, RunArguments):
        own.append(cls(**{f.name: values.pop(f.name) for f in fields(cls)}))
    return *own, values


def main(argv: list[str] | None = None) -> None:
    quiet_replicas()
    margs, dargs, rargs, targs_kwargs = parse_args(sys.argv[1:] if argv is None else argv)
    if not targs_kwargs["output_dir"]:
        die("--output_dir is required (checkpoints, TensorBoard logs and the final model go there)")
    if targs_kwargs["eval_strategy"] != "no" and not dargs.eval_file:
        die("--eval_strategy needs --eval_file")

    # 1. Cheap checks, before any process group or accelerator time.
    config, tokenizer = load_config_and_tokenizer(margs)
    fingerprint = None if dargs.skip_tokenizer_check else tokenizer_fingerprint(tokenizer)
    spec = DataSpec(dargs.max_seq_length, config.vocab_size, fingerprint)
    try:
        train_files = expand_files(dargs.train_file, "--train_file")
        eval_files = expand_files(dargs.eval_file, "--eval_file") if dargs.eval_file else []
        if not dargs.skip_marker_check:
            check_markers([*train_files, *eval_files])
        train_ds = SeqDataset(train_files, spec, dargs.document_attention)
        eval_ds = None
        if eval_files:
            eval_ds = SeqDataset(eval_files, spec, dargs.document_attention)
            if eval_ds.chunk != train_ds.chunk:
                raise DataCheckError(f"eval rows are {eval_ds.chunk} tokens, train rows {train_ds.chunk}")
            if dargs.max_eval_samples:
                eval_ds = torch.utils.data.Subset(eval_ds, range(min(dargs.max_eval_samples, len(eval_ds))))
    except DataCheckError as e:
        die(str(e))
    max_pos = getattr(config, "max_position_embeddings", None)
    if max_pos and train_ds.chunk > max_pos:
        die(f"rows of {train_ds.chunk} tokens exceed the model's max_position_embeddings {max_pos}")
    log(f"train: {len(train_ds)} rows x {train_ds.chunk} tokens ({train_ds.n_tokens:,} tokens) from "
        f"{len(train_ds.files)} file(s); document attention {'on' if dargs.document_attention else 'off'}")
    resume = resolve_resume(targs_kwargs["output_dir"], targs_kwargs["resume_from_checkpoint"])

    # 2. Process group before the model, so ZeRO-3's zero.Init partitions over the real world size;
    #    a roll call first, so a rank that never starts ends the job in a minute, naming its host.
    roll_call()
    targs = TrainingArguments(**targs_kwargs)
    if targs.deepspeed:
        use_the_venvs_ninja()
        import deepspeed

        # on the CPU every rank prints "deepspeed_shm_comm_op built successfully"; rank 0's line is enough
        with open(os.devnull, "w") as sink, redirect_stdout(sys.stdout if is_main() else sink):
            deepspeed.init_distributed()
    world = dist.get_world_size() if dist.is_initialized() else 1
    if rargs.expect_world_size and world != rargs.expect_world_size:
        die(f"--expect_world_size {rargs.expect_world_size} but the job has {world} process(es): check the "
            "hostfile (a host the launcher cannot use is dropped with only a warning)")
    try:
        train(margs, rargs, targs, config, tokenizer, train_ds, eval_ds, resume, world)
        if dist.is_initialized():  # every rank past the save before any tears down (a crash at exit otherwise)
            dist.barrier()
    finally:
        if dist.is_initialized():  # not after an error: a barrier would wait for ranks that died
            dist.destroy_process_group()
        unlink_shm_buffer()


def unlink_shm_buffer() -> None:
    """DeepSpeed's CPU allreduce (every rank on one host) gives each rank a shared-memory segment of ~66 MB
    that it never unlinks: each CPU run left /dev/shm ~130 MB fuller, and the test suite's runs filled it
    (17 GB). Each rank unlinks its own at exit: the peers have long mapped it, so they keep their view."""
    env = os.environ
    if "RANK" in env and "MASTER_PORT" in env:
        where = f"{env.get('MASTER_ADDR', '')}_{env['MASTER_PORT']}_{env['RANK']}"
        Path(f"/dev/shm/deepspeed_allreduce_buffer_{os.getuid()}_{where}").unlink(missing_ok=True)


def use_the_venvs_ninja() -> None:
    """DeepSpeed JIT-builds its ops (the CPU comm op, CPU Adam) with the first `ninja` on PATH into the shared
    TORCH_EXTENSIONS_DIR. A system ninja and the venv's (a DeepSpeed dependency) read each other's build log as
    stale, so a launch from an activated shell and one over ssh (the system PATH) rebuilt the op each time
    (50 s on 2 cores). Every rank takes the venv's, which every node has."""
    venv_bin = Path(sys.executable).parent
    path = os.environ.get("PATH", "")
    if (venv_bin / "ninja").is_file() and not path.startswith(f"{venv_bin}{os.pathsep}"):
        os.environ["PATH"] = f"{venv_bin}{os.pathsep}{path}"


def train(margs: ModelArguments, rargs: RunArguments, targs: TrainingArguments, config: PretrainedConfig,
          tokenizer: PreTrainedTokenizerBase, train_ds: SeqDataset, eval_ds: torch.utils.data.Dataset | None,
          resume: str | None, world: int) -> None:
    """Model, Trainer, train (resuming if asked), final eval, consolidated save, loss curve."""
    set_seed(targs.seed)
    dtype_name = margs.torch_dtype or ("bfloat16" if targs.bf16 else "float16" if targs.fp16 else "float32")
    dtype = getattr(torch, dtype_name)
    config.use_cache = False  # a KV cache in the forward pass disables transformers' packed-sequence masking
    kwargs = {"attn_implementation": margs.attn_implementation, "dtype": dtype}
    if margs.init_from_config:
        model = AutoModelForCausalLM.from_config(config, **kwargs)
    else:
        model = AutoModelForCausalLM.from_pretrained(margs.model_name_or_path, config=config, **kwargs)
    n_params = sum(p.ds_numel if hasattr(p, "ds_numel") else p.numel() for p in model.parameters())
    log(f"model: {n_params / 1e6:.1f}M parameters, {dtype_name}, {margs.attn_implementation}, world size {world}")

    tokens_per_step = targs.per_device_train_batch_size * targs.gradient_accumulation_steps * train_ds.chunk
    throughput = ThroughputCallback(tokens_per_step, flops_per_token(config, train_ds.chunk), peak_flops(targs, rargs))
    # default_data_collator stacks the equal-length rows; the Trainer's default for a tokenizer would pad,
    # which fails for tokenizers without a pad token (Llama-3) and has nothing to do here.
    trainer = SeqTrainer(model=model, args=targs, train_dataset=train_ds, eval_dataset=eval_ds,
                         processing_class=tokenizer, data_collator=default_data_collator, throughput=throughput)
    result = trainer.train(resume_from_checkpoint=resume)
    summary = {"train_loss": round(result.training_loss, 4), "global_step": trainer.state.global_step,
               **throughput.rates(throughput.total_steps, throughput.total_s)}
    if eval_ds is not None:
        last = next((e for e in reversed(trainer.state.log_history) if "eval_loss" in e), None)
        at_end = last is not None and last["step"] == trainer.state.global_step
        metrics = last if at_end else trainer.evaluate()  # the interval eval may already have hit the last step
        summary.update(eval_loss=round(metrics["eval_loss"], 4), eval_perplexity=round(metrics["eval_perplexity"], 3))

    trainer.model.config.use_cache = True  # the saved model is for generation
    trainer.save_model(targs.output_dir)  # consolidated weights (ZeRO-3: gathered via the config) + tokenizer
    if trainer.is_world_process_zero():
        plot_loss_curve(trainer.state.log_history, Path(targs.output_dir) / "loss_curve.png")
        log(f"saved {targs.output_dir} (model, tokenizer, loss_curve.png)")
        log("summary " + json.dumps(summary))

