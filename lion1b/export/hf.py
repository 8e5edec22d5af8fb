"""Export the final text (the scrubbed shards) as a Hugging Face dataset: Parquet shards written with
`datasets`, train/test splits equal to the .seq split, and a dataset card generated from the run report.

    python scripts/export_dataset.py --data-dir data --out data/hf_dataset
    python -c "import datasets; print(datasets.load_dataset('parquet', data_dir='data/hf_dataset'))"

Columns: id, url, text, lang, n_tokens (tokens the document takes in the packed stream, BOS/EOS included, with
the tokenizer the .seq files were packed with; null when that tokenizer is not available). See docs/report.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lion1b.contract import ArgumentParser, die, log
from lion1b.export.packing import PackSettings, check_split, pack_settings
from lion1b.report.collect import collect, iter_jsonl, part_files, part_name
from lion1b.tokenize.pack import is_test

COLUMNS = ("id", "url", "text", "lang", "n_tokens")
ENCODE_BATCH = 256
MAX_SHARD_CHARS = 200_000_000  # a shard also ends here, so memory stays bounded however long the documents


def features() -> Any:
    from datasets import Features, Value

    return Features({"id": Value("string"), "url": Value("string"), "text": Value("string"),
                     "lang": Value("string"), "n_tokens": Value("int32")})


def records(data_dir: Path, settings: PackSettings) -> Iterator[tuple[str, dict[str, Any]]]:
    """(split, row) for every scrubbed document, in part then file order, with its packed token count."""
    batch: list[dict[str, Any]] = []

    def flush() -> Iterator[tuple[str, dict[str, Any]]]:
        counts = (settings.doc_tokens([r["text"] for r in batch]) if settings.tokenizer
                  else [None] * len(batch))
        for row, n in zip(batch, counts, strict=True):
            row["n_tokens"] = n
            yield ("test" if is_test(row["id"], settings.test_ratio) else "train"), row
        batch.clear()

    for path in part_files(data_dir, "scrubbed").values():
        for record in iter_jsonl(path):
            if not isinstance(record.get("id"), str) or not isinstance(record.get("text"), str):
                continue
            batch.append({"id": record["id"], "url": str(record.get("url", "")), "text": record["text"],
                          "lang": record.get("lang")})
            if len(batch) == ENCODE_BATCH:
                yield from flush()
    yield from flush()


class ShardWriter:
    """Buffers one split's rows and writes each full buffer as a Parquet file with `datasets`."""

    def __init__(self, folder: Path, split: str, shard_docs: int) -> None:
        self.folder, self.split, self.shard_docs = folder, split, shard_docs
        self.rows: dict[str, list[Any]] = {c: [] for c in COLUMNS}
        self.paths: list[Path] = []
        self.docs = 0
        self.tokens = 0
        self.chars = 0
        self.langs: Counter[str] = Counter()
        self.buffered_chars = 0

    def add(self, row: dict[str, Any]) -> None:
        for column in COLUMNS:
            self.rows[column].append(row[column])
        self.docs += 1
        self.tokens += row["n_tokens"] or 0
        self.chars += len(row["text"])
        self.langs[str(row["lang"])] += 1
        self.buffered_chars += len(row["text"])
        if len(self.rows["id"]) >= self.shard_docs or self.buffered_chars >= MAX_SHARD_CHARS:
            self.flush()

    def flush(self) -> None:
        from datasets import Dataset

        if not self.rows["id"] and self.paths:
            return
        path = self.folder / f".{self.split}-{len(self.paths):05d}.parquet"
        Dataset.from_dict(self.rows, features=features()).to_parquet(str(path))
        self.paths.append(path)
        self.rows = {c: [] for c in COLUMNS}
        self.buffered_chars = 0

    def finish(self) -> None:
        """Flush the last rows and give the shards their final names, ``{split}-00000-of-00003.parquet``."""
        self.flush()
        n = len(self.paths)
        final = []
        for i, path in enumerate(self.paths):
            target = self.folder / f"{self.split}-{i:05d}-of-{n:05d}.parquet"
            path.rename(target)
            final.append(target)
        self.paths = final


def export(data_dir: str | Path, out: str | Path, model: str | None, test_ratio: float | None = None,
           shard_docs: int = 100_000) -> dict[str, Any]:
    """Write the dataset to ``out`` (replaced atomically as a whole); returns the per-split counts."""
    data, out = Path(data_dir), Path(out)
    if not part_files(data, "scrubbed"):
        die(f"no {part_name('scrubbed', '*')} shards in {data}: run the pipeline (finalizedata.sh) first")
    settings = pack_settings(data, model, test_ratio, need_tokenizer=False)
    check_split(data, settings)
    import datasets

    datasets.disable_progress_bars()  # one summary line instead of a bar per shard
    if settings.tokenizer is None:
        log(f"warning: tokenizer {model} not found; n_tokens will be null (pass --model)")
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "data").mkdir(parents=True)
    try:
        writers = {s: ShardWriter(tmp / "data", s, shard_docs) for s in ("train", "test")}
        for split, row in records(data, settings):
            writers[split].add(row)
        for writer in writers.values():
            writer.finish()
        counts = {s: {"docs": w.docs, "tokens": w.tokens if settings.tokenizer else None, "chars": w.chars,
                      "langs": dict(w.langs.most_common()), "files": [p.name for p in w.paths]}
                  for s, w in writers.items()}
        report = collect(data)
        (tmp / "README.md").write_text(dataset_card(report, counts, settings), encoding="utf-8")
        old = out.with_name(f".{out.name}.old{os.getpid()}")
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return counts


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):
        if n < limit:
            return name
    return "10M<n<100M"


def dataset_card(report: dict[str, Any], counts: dict[str, dict[str, Any]], settings: PackSettings) -> str:
    """README.md with the Hub's YAML header, built from the run report and the export's own counts."""
    langs = sorted({lang for c in counts.values() for lang in c["langs"] if lang not in ("None", "unknown")})
    total = sum(c["docs"] for c in counts.values())
    yaml = ["---", "license: other", "license_name: mixed-web-sources",
            "language:", *[f"- {lang}" for lang in langs],
            "task_categories:", "- text-generation", f"size_categories:\n- {_size_category(total)}",
            "pretty_name: lion1b web text", "configs:", "- config_name: default", "  data_files:",
            *[f"  - split: {s}\n    path: data/{s}-*" for s in ("train", "test")], "---", ""]
    lines = ["# lion1b web text", "",
             "Web pages crawled, extracted, filtered, deduplicated and PII-scrubbed by the lion1b pipeline; the "
             "text its `.seq` training files were packed from, one row per document.", "",
             "## Counts", "", "| split | documents | tokens | characters |", "| --- | ---: | ---: | ---: |"]
    for split, c in counts.items():
        tokens = f"{c['tokens']:,}" if c["tokens"] is not None else "n/a"
        lines.append(f"| {split} | {c['docs']:,} | {tokens} | {c['chars']:,} |")
    lines += ["", "Columns: `id` (first 16 hex digits of the sha256 of the URL; the `.seq` files' provenance index "
              "holds the same ids), `url`, `text`, `lang` (fastText lid.176), `n_tokens` (tokens in the packed "
              "stream, BOS/EOS included).", "",
              f"Split: a document is in test when a hash of its id falls below {settings.test_ratio} "
              "(lion1b/tokenize/pack.py `is_test`), exactly as in the `.seq` files. Packing: "
              f"seq_len {settings.seq_len}, BOS per document: {settings.bos}, tokenizer "
              f"`{settings.model or 'not available'}`.", "", "## Sources", "",
              "| host | documents kept |", "| --- | ---: |"]
    hosts = report["hosts"]
    last = hosts["stages"][-1] if hosts["stages"] else None
    for row in [*hosts["rows"], *([hosts["others"]] if hosts["others"] else [])]:
        lines.append(f"| {row['host']} | {row['docs'][last]:,} |")
    lines += ["", "## How it was made", "", "| stage | in | out | dropped by reason |", "| --- | ---: | ---: | --- |"]
    for stage in report["stages"]:
        marker = stage["marker"]
        if marker:
            reasons = ", ".join(f"{r} {n:,}" for r, n in marker["dropped"].items()) or "none"
            lines.append(f"| {stage['label']} | {marker['in']:,} | {marker['out']:,} | {reasons} |")
    pii = report["pii"]["by_type"]
    lines += ["", "Filters and settings: the crawl honours robots.txt and AI opt-outs (GPTBot, CCBot, "
              "Google-Extended, X-Robots-Tag/meta `noai`, TDM reservations); text is kept by language ID, a URL "
              "blocklist, keyword lists and the Gopher/FineWeb/C4 quality rules (docs/filter.md); exact and MinHash "
              "near-duplicates are removed globally (docs/dedupe.md); e-mails, phone numbers, IPs, cards, IBANs, "
              "SSNs and secrets are replaced by typed placeholders such as `<EMAIL>` (docs/scrub_pii.md). "
              f"PII spans replaced: {', '.join(f'{t} {n:,}' for t, n in pii.items()) or 'none'}.", "",
              "## Licence and provenance", "",
              "The text belongs to the owners of the source pages listed above; it is not relicensed by this "
              "export (`license: other`). Check each source's terms before publishing or training on it. Every row "
              "carries its source URL, and every packed `.seq` sequence traces back to these ids. To honour a "
              "removal request run `scripts/takedown.py --url URL` (or `--host HOST`) and export again.", ""]
    if report["takedowns"]:
        lines += ["Takedowns applied before this export:", ""]
        for t in report["takedowns"]:
            what = ", ".join([*t.get("urls_requested", []), *t.get("hosts_requested", [])])
            lines.append(f"- {t.get('time', '')}: {what} ({t.get('documents_removed', 0)} documents)")
        lines.append("")
    if report["warnings"]:
        lines += ["## Warnings from the run report", "", *[f"- {w}" for w in report["warnings"]], ""]
    return "\n".join(yaml + lines)


def main(argv: list[str] | None = None) -> None:
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", "--data_dir", default="data", help="the pipeline's data folder")
    parser.add_argument("--out", default=None, help="dataset folder (default: <data-dir>/hf_dataset)")
    parser.add_argument("--model", default="tokenizer/tokenizer.model",
                        help="the tokenizer the .seq files were packed with (for n_tokens; checked by fingerprint)")
    parser.add_argument("--test-ratio", "--test_ratio", type=float, default=None,
                        help="the packer's --test_ratio (default: recovered from the .seq files and markers)")
    parser.add_argument("--shard-docs", type=int, default=100_000, help="documents per Parquet file")
    args = parser.parse_args(argv)
    if args.shard_docs < 1:
        die(f"--shard-docs must be at least 1 (got {args.shard_docs})")
    out = Path(args.out or Path(args.data_dir) / "hf_dataset")
    start = time.monotonic()
    counts = export(args.data_dir, out, args.model, args.test_ratio, args.shard_docs)
    summary = " ".join(f"{s}={c['docs']} docs/{c['tokens']} tokens/{len(c['files'])} files" for s, c in counts.items())
    log(f"[export_dataset] {summary} -> {out} | {time.monotonic() - start:.1f}s")
    print(json.dumps({s: {k: v for k, v in c.items() if k != "langs"} for s, c in counts.items()}))
