"""The pipeline's defaults and file names, defined once for the stages and the bash drivers.

A stage takes its default ``--output`` from :data:`FILES`; the drivers read the same values with
``eval "$("$PYTHON" -m lion1b.config --shell)"`` (see lion1b/pipeline.sh), so a file name or a default changes
in one place. ``{T}`` in a pattern is the part id.

    python -m lion1b.config            # the table, for a reader
    python -m lion1b.config --shell    # LION1B_* assignments for bash
"""

from __future__ import annotations

import argparse
import shlex

DATA_DIR = "data"

# One line per stage output; {T} is the part id. The drivers and the stages both use these.
FILES: dict[str, str] = {
    "raw_html": f"{DATA_DIR}/raw_html_thread{{T}}.txt",
    "outlinks": f"{DATA_DIR}/outlinks_thread{{T}}.txt",
    "extracted": f"{DATA_DIR}/extracted_thread{{T}}.txt",
    "filtered": f"{DATA_DIR}/filtered_thread{{T}}.txt",
    "deduped": f"{DATA_DIR}/deduped_thread{{T}}.txt",
    "scrubbed": f"{DATA_DIR}/scrubbed_thread{{T}}.txt",
    "train_seq": f"{DATA_DIR}/train_thread{{T}}.seq",
    "test_seq": f"{DATA_DIR}/test_thread{{T}}.seq",
    "rejected": f"{DATA_DIR}/rejected/{{stage}}_thread{{T}}.txt",
    "dedupe_work_dir": f"{DATA_DIR}/dedupe",
    "dup_map": f"{DATA_DIR}/dedupe/dup_map.jsonl",
    "tokenizer_model": "tokenizer/tokenizer.model",
    "tokenizer_hf_dir": "tokenizer/hf",
    "seeds": "extras/seeds.txt",
    "hostfile": "extras/hostfile",
}

# Defaults shared by more than one script (drivers included); a stage-only default stays with its stage.
DEFAULTS: dict[str, int | float | str] = {
    "parts": 4,
    "threads": 1,
    "seq_len": 4096,
    "vocab_size": 32000,
    "test_ratio": 0.01,
    "output_dir": "output/ll3-8b-ft",
    "epochs": 5,
}


def part_file(kind: str, part: int, **fields: str) -> str:
    """The file of ``kind`` (a key of :data:`FILES`) for one part."""
    return FILES[kind].replace("{T}", str(part)).format(**fields)


def shell_assignments() -> str:
    """``LION1B_<NAME>=value`` lines for bash (``{T}`` kept: the drivers substitute the part id)."""
    lines = [f"LION1B_FILE_{k.upper()}={shlex.quote(v)}" for k, v in FILES.items()]
    lines += [f"LION1B_{k.upper()}={shlex.quote(str(v))}" for k, v in DEFAULTS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shell", action="store_true", help="print LION1B_* assignments for bash")
    args = parser.parse_args(argv)
    if args.shell:
        print(shell_assignments())
        return
    for key, value in {**FILES, **DEFAULTS}.items():
        print(f"{key:<18} {value}")


if __name__ == "__main__":
    main()
