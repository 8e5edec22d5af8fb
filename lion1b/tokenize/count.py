"""Count the tokens in .seq files from their headers: O(1) per file, so it is instant on any size.

    python scripts/count_tokens.py --input 'data/train_thread*.seq'            # every file, and the total
    python scripts/count_tokens.py --input data/train_thread3.seq --part-id 3 --num-parts 8 --verify --json

--verify also reads every token (ids below vocab_size) and checks the indexes. A corrupt or truncated file
is reported by name with what is wrong, the other files are still counted, and the exit status is 1.
"""

import argparse
import json
from dataclasses import asdict

from lion1b.contract import die, input_files, log, names_part
from lion1b.tokenize.seqfile import SeqFile, SeqFormatError

TOTAL_KEYS = ("n_sequences", "n_tokens", "n_documents")


def count_file(path: str, verify: bool) -> dict:
    seq = SeqFile(path)
    if verify:
        seq.verify()
    return {"path": path, **asdict(seq.header), "n_tokens": seq.header.n_tokens}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", required=True, help=".seq file or glob")
    parser.add_argument("--part-id", type=int, default=0)
    parser.add_argument("--num-parts", type=int, default=1,
                        help="with several files, count only those whose name carries --part-id (e.g. _thread3.)")
    parser.add_argument("--verify", action="store_true", help="read every token and check the indexes")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout instead of a table")
    args = parser.parse_args()
    if not 0 <= args.part_id < args.num_parts:
        die(f"--part-id must be in 0..{args.num_parts - 1} (got {args.part_id})")
    files = input_files(args.input)
    if args.num_parts > 1 and len(files) > 1:
        files = [f for f in files if names_part(f, args.part_id)]
        if not files:
            die(f"no file in {args.input} is named for part {args.part_id}")

    rows, errors = [], []
    for path in files:
        try:
            rows.append(count_file(path, args.verify))
        except SeqFormatError as e:
            errors.append({"path": path, "error": str(e)})
    total = {key: sum(r[key] for r in rows) for key in TOTAL_KEYS}
    total["files"] = len(rows)
    fingerprints = sorted({r["tokenizer_fingerprint"] for r in rows})
    if args.json:
        print(json.dumps({"files": rows, "total": total, "errors": errors, "verified": args.verify}, indent=1))
    else:
        print(f"{'file':<40} {'dtype':>6} {'seq_len':>7} {'sequences':>12} {'tokens':>16} {'documents':>12}")
        for r in rows:
            print(f"{r['path']:<40} {r['dtype']:>6} {r['seq_len']:>7} {r['n_sequences']:>12,} {r['n_tokens']:>16,} "
                  f"{r['n_documents']:>12,}")
        print(f"{f'TOTAL ({len(rows)} files)':<40} {'':>6} {'':>7} {total['n_sequences']:>12,} "
              f"{total['n_tokens']:>16,} {total['n_documents']:>12,}")
    if len(fingerprints) > 1:
        log(f"warning: the files were packed with {len(fingerprints)} different tokenizers "
            f"({', '.join(f[:12] for f in fingerprints)}); do not train on them together")
    for e in errors:
        log(f"error: {e['error']}")
    if errors:
        log(f"error: {len(errors)} of {len(files)} files are corrupt or truncated")
        raise SystemExit(1)

