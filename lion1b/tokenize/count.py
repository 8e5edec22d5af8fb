"""Count the tokens in .seq files from their headers: O(1) per file, so it is instant on any size.

    python scripts/count_tokens.py --input 'data/train_thread*.seq'            # every file, and the total
    python scripts/count_tokens.py --input data/train_thread3.seq --part-id 3 --num-parts 8 --verify --json

--verify also reads every token (ids below vocab_size) and checks the indexes. A corrupt or truncated file
is reported by name with what is wrong, the other files are still counted, and the exit status is 1. So is a
file that no completion marker vouches for (left over from a failed run, or changed since it was written;
--no-marker-check counts it anyway): its size is checked against the marker, with --verify its content hash.
"""

import argparse
import json
from dataclasses import asdict

from lion1b.contract import Stage, StageStats, die, execute, input_files, log, names_part, parse_stage_args
from lion1b.tokenize.markers import marker_problem
from lion1b.tokenize.seqfile import SeqFile, SeqFormatError

TOTAL_KEYS = ("n_sequences", "n_tokens", "n_documents")


def count_file(path: str, verify: bool) -> dict:
    seq = SeqFile(path)
    if verify:
        seq.verify()
    return {"path": path, **asdict(seq.header), "n_tokens": seq.header.n_tokens}


class CountTokens(Stage):
    """Count (and with --verify check) .seq files; a table or JSON on stdout, the summary line on stderr."""

    name = "count_tokens"
    records_input = False  # .seq files, not JSON Lines
    has_output = False  # the result goes to stdout
    unit = "files"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("count_tokens")
        group.add_argument("--input", required=True, help=".seq file or glob")
        group.add_argument("--verify", action="store_true", help="read every token and check the indexes")
        group.add_argument("--json", action="store_true", help="print one JSON object on stdout instead of a table")
        group.add_argument("--no-marker-check", action="store_true",
                           help="count files that no completion marker vouches for (made elsewhere, or changed)")

    def outputs(self) -> list[str]:
        return []  # nothing written, so no marker: counting is cheap and always redone

    def files(self) -> list[str]:
        """The .seq files to count; with --num-parts > 1 and several files, only this part's."""
        files = input_files(self.args.input)
        if self.args.num_parts > 1 and len(files) > 1:
            files = [f for f in files if names_part(f, self.args.part_id)]
            if not files:
                die(f"no file in {self.args.input} is named for part {self.args.part_id}")
        return files

    def run(self, stats: StageStats) -> None:
        args = self.args
        files = self.files()
        rows, errors = [], []
        for path in files:
            stats.n_in += 1
            try:
                row = count_file(path, args.verify)
            except SeqFormatError as e:
                errors.append({"path": path, "error": str(e)})
                stats.drop("corrupt")
                continue
            problem = None if args.no_marker_check else marker_problem(path, content=args.verify)
            if problem:
                errors.append({"path": path, "error": f"{problem}; re-run tokenize_and_pack for it, or pass "
                                                      "--no-marker-check to count it anyway"})
                stats.drop("not_current")
                continue
            rows.append(row)
            stats.n_out += 1
        total = {key: sum(r[key] for r in rows) for key in TOTAL_KEYS}
        total["files"] = len(rows)
        for key in TOTAL_KEYS:
            stats.count(key, total[key])
        fingerprints = sorted({r["tokenizer_fingerprint"] for r in rows})
        if args.json:
            print(json.dumps({"files": rows, "total": total, "errors": errors, "verified": args.verify}, indent=1))
        else:
            print(f"{'file':<40} {'dtype':>6} {'seq_len':>7} {'sequences':>12} {'tokens':>16} {'documents':>12}")
            for r in rows:
                print(f"{r['path']:<40} {r['dtype']:>6} {r['seq_len']:>7} {r['n_sequences']:>12,} "
                      f"{r['n_tokens']:>16,} {r['n_documents']:>12,}")
            print(f"{f'TOTAL ({len(rows)} files)':<40} {'':>6} {'':>7} {total['n_sequences']:>12,} "
                  f"{total['n_tokens']:>16,} {total['n_documents']:>12,}")
        if len(fingerprints) > 1:
            log(f"warning: the files were packed with {len(fingerprints)} different tokenizers "
                f"({', '.join(f[:12] for f in fingerprints)}); do not train on them together")
        for e in errors:
            log(f"error: {e['error']}")
        if errors:
            log(f"error: {len(errors)} of {len(files)} files are corrupt, truncated or not vouched for by a marker")


def main(argv: list[str] | None = None) -> None:
    stats = execute(CountTokens(parse_stage_args(CountTokens, argv, __doc__)))
    if stats is not None and (stats.dropped["corrupt"] or stats.dropped["not_current"]):
        raise SystemExit(1)
