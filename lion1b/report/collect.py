"""Gather what the stages left in the data folder into one dict (the report's report.json).

Sources, each optional: the completion markers (``<output>.done``: stats and seconds per stage and part),
the shards themselves (documents, characters, hosts, languages, text lengths, PII counts), rejected records
(``rejected/<stage>_thread{T}.txt`` with ``drop_reason``), the dedupe work folder (``dedupe/dup_map.jsonl``),
the ``.seq`` files (headers and document starts) and ``takedowns.jsonl``. A missing stage or file is reported
as missing, never an error: the report shows what is there.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from lion1b.config import FILES
from lion1b.contract import MARKER_SUFFIX, log, open_binary, stable_hash
from lion1b.tokenize.markers import marker_problem
from lion1b.tokenize.seqfile import SeqFile, SeqFormatError

# (key, kind of shard in lion1b/config.py FILES, label): the record stages in pipeline order.
TEXT_STAGES = [
    ("crawl", "raw_html", "crawl"),
    ("extract", "extracted", "extract text"),
    ("filter", "filtered", "filter"),
    ("dedupe", "deduped", "dedupe"),
    ("scrub_pii", "scrubbed", "scrub PII"),
]
# Names a rejected-records file may carry for each stage (rejected/<name>_thread{T}.txt).
REJECTED_ALIASES = {
    "crawl": "crawl", "raw_html": "crawl",
    "extract": "extract", "extract_text": "extract", "extracted": "extract",
    "filter": "filter", "filter_data": "filter", "filtered": "filter",
    "dedupe": "dedupe", "deduped": "dedupe",
    "scrub": "scrub_pii", "scrub_pii": "scrub_pii", "scrubbed": "scrub_pii",
}
PART_RE = re.compile(r"_thread(\d+)\.")
# Language ID of rejected records costs ~1-3 ms each; past this many, the rest count as not identified.
LANGID_MAX_REJECTED = 20_000
NOT_IDENTIFIED = "(not identified)"
SAMPLES_PER_REASON = 3
RAW_PAGE_NOTE = "(the rejected record is the raw page: no text was extracted)"
KEPT_SAMPLES = 5
SNIPPET_CHARS = 400
HOSTS_SHOWN = 20
UNBALANCED_RATIO = 2.0  # largest part more than this times the mean part: warn
DROP_WARN_FRACTION = 0.5


def host_of(url: str) -> str:
    """host[:port] of a URL (the demo's sites differ only by port), '' when it has none."""
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def part_files(data_dir: Path, kind: str) -> dict[int, Path]:
    """{part id: path} of one kind of per-part file, named as lion1b/config.py FILES says (e.g.
    ``scrubbed_thread{T}.txt``), looked for in ``data_dir``; also parts of which only the marker exists."""
    head, tail = Path(FILES[kind]).name.split("{T}")
    found: dict[int, Path] = {}
    for path in data_dir.glob(f"{head}*{tail}*"):
        name = path.name.removesuffix(MARKER_SUFFIX)
        middle = name[len(head):len(name) - len(tail)] if name.startswith(head) and name.endswith(tail) else ""
        if middle.isdigit():
            found[int(middle)] = path.with_name(name)
    return dict(sorted(found.items()))


def part_name(kind: str, part: int | str) -> str:
    """The file name of one part's file of ``kind`` (lion1b/config.py FILES)."""
    return Path(FILES[kind]).name.replace("{T}", str(part))


def read_marker(path: Path) -> dict[str, Any] | None:
    """The completion marker of an output, or None when it is missing or unreadable."""
    try:
        marker = json.loads(Path(str(path) + MARKER_SUFFIX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and isinstance(marker.get("stats"), dict) else None


# The crawler writes "url" first and the rejected-records writer appends "drop_reason" last: a raw page record
# (mostly HTML) is counted from these two without decoding the HTML.
LEADING_URL = re.compile(rb'\A\s*\{\s*"url"\s*:\s*("(?:[^"\\]|\\.)*")')
TRAILING_REASON = re.compile(rb'"drop_reason"\s*:\s*("(?:[^"\\]|\\.)*")\s*\}\s*\Z')


def _fast_raw(line: bytes) -> dict[str, Any] | None:
    url = LEADING_URL.match(line)
    if not url:
        return None
    try:
        record = {"url": json.loads(url.group(1))}
        reason = TRAILING_REASON.search(line, max(0, len(line) - 4096))
        if reason:
            record["drop_reason"] = json.loads(reason.group(1))
    except ValueError:
        return None
    return record


def iter_jsonl(path: Path, raw_pages: bool = False) -> Any:
    """Records of a JSON Lines file; bad lines are skipped (the stages already reported them).
    ``raw_pages``: crawl records, of which only url (and drop_reason) are read: a many-GB crawl shard is
    counted at disk speed instead of decoding every page's HTML."""
    try:
        with open_binary(path) as handle:
            for line in handle:
                if not line.strip():
                    continue
                record = _fast_raw(line) if raw_pages else None
                if record is None:
                    try:
                        record = json.loads(line)
                    except (UnicodeDecodeError, ValueError):
                        continue
                if isinstance(record, dict):
                    yield record
    except (OSError, EOFError) as exc:
        log(f"warning: report: stopped reading {path}: {exc}")


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def _scrubbed_snippet(text: str) -> str:
    """Rejected records were never scrubbed: scrub the excerpt before it goes into a shareable report."""
    from lion1b.pii.detectors import TYPES
    from lion1b.pii.stage import scrub

    return scrub(snippet(text), TYPES, "<{type}>", False)[0]


def _sum_stats(markers: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {"in": 0, "out": 0, "dropped": Counter(), "counters": Counter(), "seconds": 0.0}
    for marker in markers:
        stats = marker["stats"]
        total["in"] += int(stats.get("in", 0))
        total["out"] += int(stats.get("out", 0))
        total["dropped"].update(stats.get("dropped", {}))
        total["counters"].update(stats.get("counters", {}))
        total["seconds"] += float(marker.get("seconds", 0.0))
    total["dropped"] = dict(total["dropped"].most_common())
    total["counters"] = dict(sorted(total["counters"].items()))
    return total


def _part_entry(stage: str, part: int, path: Path, marker: dict[str, Any] | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"stage": stage, "part": part, "path": str(path), "exists": path.exists(),
                             "complete": marker is not None}
    if marker:
        entry.update(seconds=marker.get("seconds"), cpu_seconds=marker.get("cpu_seconds"),
                     docs_in=marker["stats"].get("in"), docs_out=marker["stats"].get("out"))
    return entry


class _ShardScan:
    """Per-stage figures read from the shards: documents, characters, hosts, languages, lengths."""

    def __init__(self) -> None:
        self.docs = 0
        self.chars = 0
        self.hosts: Counter[str] = Counter()
        self.langs: Counter[str] = Counter()
        self.lang_chars: Counter[str] = Counter()
        self.host_chars: Counter[str] = Counter()

    def add(self, record: dict[str, Any], text_field: str | None) -> None:
        self.docs += 1
        host = host_of(str(record.get("url", "")))
        self.hosts[host] += 1
        if text_field and isinstance(record.get(text_field), str):
            n = len(record[text_field])
            self.chars += n
            self.host_chars[host] += n
            if "lang" in record:
                self.lang_chars[str(record["lang"])] += n
        if "lang" in record:
            self.langs[str(record["lang"])] += 1


def collect(data_dir: str | Path, tokenizer_marker: str | Path | None = None) -> dict[str, Any]:
    """Everything the report shows, as plain JSON-able data."""
    data = Path(data_dir)
    report: dict[str, Any] = {"data_dir": str(data), "generated_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                              "stages": [], "parts": [], "warnings": []}
    scans: dict[str, _ShardScan] = {}
    dup_ids = _read_dup_map(data / "dedupe" / "dup_map.jsonl")
    watched = set(dup_ids) | {kept for kept, _ in dup_ids.values()}
    dup_records: dict[str, dict[str, Any]] = {}
    final: dict[str, Any] = {"lengths": [], "pii": Counter(), "docs_with_pii": 0, "kept_samples": []}
    last_text_stage = None

    for key, prefix, label in TEXT_STAGES:
        files = part_files(data, prefix)
        if not files:
            continue
        scan = _ShardScan()
        markers = []
        for part, path in files.items():
            marker = read_marker(path)
            report["parts"].append(_part_entry(key, part, path, marker))
            if marker:
                markers.append(marker)
            if not path.exists():
                continue
            for record in iter_jsonl(path, raw_pages=key == "crawl"):
                scan.add(record, None if key == "crawl" else "text")
                if key == "filter" and record.get("id") in watched:
                    dup_records[record["id"]] = {"url": record.get("url", ""), "lang": record.get("lang"),
                                                 "chars": len(record.get("text", ""))}
                if key == "scrub_pii":
                    _add_final(final, record)
        scans[key] = scan
        stage = {"key": key, "label": label, "parts": len(files),
                 "parts_complete": len(markers), "docs": scan.docs,
                 "chars": None if key == "crawl" else scan.chars, "marker": _sum_stats(markers) if markers else None}
        report["stages"].append(stage)
        if key != "crawl":
            last_text_stage = key
    if "scrub_pii" not in scans and last_text_stage:
        log(f"report: no scrubbed shards; final figures are from the {last_text_stage} stage")

    rejected = _read_rejected(data / "rejected")
    report["rejected"] = rejected["summary"]
    _add_dropped_chars(report, rejected, dup_ids, dup_records)
    report["languages"] = _languages(report, scans, rejected, dup_ids, dup_records)
    report["hosts"] = _hosts(scans)
    report["dedupe"] = _dedupe(data / "dedupe", dup_ids)
    report["text_lengths"] = distribution(final["lengths"] or _fallback_lengths(data, last_text_stage))
    report["pii"] = {"by_type": dict(final["pii"].most_common()), "docs_with_pii": final["docs_with_pii"]}
    report["packing"] = _packing(data, report)
    report["timing"] = _timing(data, report, tokenizer_marker)
    report["samples"] = {"kept": [{k: v for k, v in s.items() if k != "rank"} for s in final["kept_samples"]],
                         "rejected": rejected["samples"],
                         "duplicates": _dup_samples(dup_ids, dup_records)}
    report["takedowns"] = list(iter_jsonl(data / "takedowns.jsonl")) if (data / "takedowns.jsonl").exists() else []
    report["changed_since_run"] = [
        {"stage": s["label"], "marker_out": s["marker"]["out"], "shard_docs": s["docs"]} for s in report["stages"]
        if s["marker"] and s["parts_complete"] == s["parts"] and s["docs"] is not None
        and s["docs"] != s["marker"]["out"]]
    report["warnings"] = _warnings(report)
    return report


def distribution(values: list[int], bins: int = 30) -> dict[str, Any] | None:
    """Summary and histogram of a length distribution: what report.json keeps instead of every value (a
    run has millions of documents). Log-spaced bins when the values span orders of magnitude."""
    arr = np.asarray(values, dtype=float)
    arr = arr[arr > 0]
    if not arr.size:
        return None
    log_bins = bool(arr.max() / arr.min() > 50)
    edges = (np.logspace(np.log10(arr.min()), np.log10(arr.max() + 1), bins + 1) if log_bins
             else np.linspace(arr.min(), arr.max() + 1, bins + 1))
    counts, _ = np.histogram(arr, bins=edges)
    return {"n": int(arr.size), "min": int(arr.min()), "median": float(np.median(arr)), "mean": float(arr.mean()),
            "p90": float(np.percentile(arr, 90)), "max": int(arr.max()), "log_bins": log_bins,
            "edges": [round(float(e), 2) for e in edges], "counts": counts.tolist()}


def _add_final(final: dict[str, Any], record: dict[str, Any]) -> None:
    text = record.get("text", "")
    final["lengths"].append(len(text))
    counts = record.get("pii_counts") or {}
    if isinstance(counts, dict) and counts:
        final["pii"].update({str(k): int(v) for k, v in counts.items() if isinstance(v, int)})
        final["docs_with_pii"] += 1
    # A spread-out, reproducible choice of kept documents: the smallest hashes of their ids.
    rank = stable_hash("sample:" + str(record.get("id", "")))
    kept = final["kept_samples"]
    if len(kept) < KEPT_SAMPLES or rank < kept[-1]["rank"]:
        kept.append({"url": record.get("url", ""), "lang": record.get("lang"), "chars": len(text),
                     "text": snippet(text), "rank": rank})
        kept.sort(key=lambda s: s["rank"])
        del kept[KEPT_SAMPLES:]


def _fallback_lengths(data: Path, stage: str | None) -> list[int]:
    prefix = dict((k, p) for k, p, _ in TEXT_STAGES).get(stage or "")
    if not prefix:
        return []
    return [len(r.get("text", "")) for path in part_files(data, prefix).values() if path.exists()
            for r in iter_jsonl(path)]


def _read_dup_map(path: Path) -> dict[str, tuple[str, str]]:
    """{duplicate id: (kept id, kind)} from dedupe's --dup-map file."""
    return {str(r["id"]): (str(r.get("kept_id", "")), str(r.get("kind", "duplicate")))
            for r in iter_jsonl(path) if "id" in r} if path.exists() else {}


def _read_rejected(folder: Path) -> dict[str, Any]:
    """Counts, characters, languages and a few samples per stage and reason from rejected records."""
    summary: dict[str, dict[str, Any]] = {}
    samples: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    langs: Counter[str] = Counter()
    lang_id = None
    identified = 0
    if folder.is_dir():
        for path in sorted(folder.glob("*_thread*.txt*")):
            match = PART_RE.search(path.name)
            if not match or path.name.endswith(MARKER_SUFFIX):
                continue
            name = path.name[:match.start()]
            stage = REJECTED_ALIASES.get(name, name)
            entry = summary.setdefault(stage, {"docs": 0, "chars": 0, "with_text": 0, "by_reason": Counter(),
                                               "chars_by_reason": Counter()})
            for record in iter_jsonl(path, raw_pages=stage in ("crawl", "extract")):
                reason = str(record.get("drop_reason", "unknown"))
                text = record.get("text") if isinstance(record.get("text"), str) else None
                entry["docs"] += 1
                entry["by_reason"][reason] += 1
                if text is not None:
                    entry["with_text"] += 1
                    entry["chars"] += len(text)
                    entry["chars_by_reason"][reason] += len(text)
                if stage == "filter" and text:
                    if reason.startswith("lang:"):
                        langs[reason[5:]] += 1
                    elif identified >= LANGID_MAX_REJECTED:
                        langs[NOT_IDENTIFIED] += 1
                    else:
                        identified += 1
                        if lang_id is None:
                            from lion1b.filter.langid import make_lang_id

                            lang_id = make_lang_id("fasttext")
                        langs[lang_id.predict(text)[0]] += 1
                bucket = samples[stage][reason]
                if len(bucket) < SAMPLES_PER_REASON:
                    shown = _scrubbed_snippet(text) if text else RAW_PAGE_NOTE
                    bucket.append({"url": str(record.get("url", "")), "text": shown})
    for entry in summary.values():
        entry["by_reason"] = dict(entry["by_reason"].most_common())
        entry["chars_by_reason"] = dict(entry["chars_by_reason"].most_common())
    return {"summary": summary, "samples": {s: dict(r) for s, r in samples.items()}, "langs": langs}


def _add_dropped_chars(report: dict[str, Any], rejected: dict[str, Any], dup_ids: dict[str, tuple[str, str]],
                       dup_records: dict[str, dict[str, Any]]) -> None:
    """Characters dropped per stage: from rejected records, and for dedupe from the duplicates' records."""
    for stage in report["stages"]:
        if stage["key"] == "dedupe" and dup_ids:
            stage["chars_dropped"] = sum(dup_records.get(i, {}).get("chars", 0) for i in dup_ids)
        elif rejected["summary"].get(stage["key"], {}).get("with_text"):  # the extractor's rejects are HTML
            stage["chars_dropped"] = rejected["summary"][stage["key"]]["chars"]


def _languages(report: dict[str, Any], scans: dict[str, _ShardScan], rejected: dict[str, Any],
               dup_ids: dict[str, tuple[str, str]], dup_records: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Kept and dropped documents per language. Filter drops are attributed by their lang:xx reason, or by
    language ID of the rejected record when rejected records were written; duplicates by their own record."""
    final = scans.get("scrub_pii") or scans.get("dedupe") or scans.get("filter")
    kept = final.langs if final else Counter()
    kept_chars = final.lang_chars if final else Counter()
    filter_dropped: Counter[str] = Counter(rejected["langs"])
    if not filter_dropped:
        for stage in report["stages"]:
            if stage["key"] == "filter" and stage["marker"]:
                for reason, n in stage["marker"]["dropped"].items():
                    if reason.startswith("lang:"):
                        filter_dropped[reason[5:]] += n
    duplicates = Counter(str(dup_records.get(i, {}).get("lang")) for i in dup_ids if i in dup_records)
    rows = []
    for lang in sorted(set(kept) | set(filter_dropped) | set(duplicates), key=lambda x: (-kept[x], x)):
        rows.append({"lang": lang, "kept": kept[lang], "kept_chars": kept_chars[lang],
                     "dropped_filter": filter_dropped[lang], "dropped_duplicate": duplicates[lang]})
    return rows


def _hosts(scans: dict[str, _ShardScan]) -> dict[str, Any]:
    """Documents per host after each stage (the differences are what each stage dropped there)."""
    order = [k for k, _, _ in TEXT_STAGES if k in scans]
    if not order:
        return {"stages": [], "rows": [], "others": None, "n_hosts": 0}
    first, last = scans[order[0]], scans[order[-1]]
    all_hosts = set().union(*(scans[k].hosts for k in order))
    ranked = sorted(all_hosts, key=lambda h: (-first.hosts[h], -last.hosts[h], h))
    rows = [{"host": h, "docs": {k: scans[k].hosts[h] for k in order}, "kept_chars": last.host_chars[h]}
            for h in ranked]
    others = None
    if len(rows) > HOSTS_SHOWN:
        rest = rows[HOSTS_SHOWN:]
        others = {"host": f"({len(rest)} other hosts)", "docs": {k: sum(r["docs"][k] for r in rest) for k in order},
                  "kept_chars": sum(r["kept_chars"] for r in rest)}
    return {"stages": order, "rows": rows[:HOSTS_SHOWN], "others": others, "n_hosts": len(rows)}


def _dedupe(folder: Path, dup_ids: dict[str, tuple[str, str]]) -> dict[str, Any]:
    clusters: Counter[str] = Counter(kept for kept, _ in dup_ids.values())
    kinds = Counter(kind for _, kind in dup_ids.values())
    sizes = Counter(n + 1 for n in clusters.values())  # the kept document plus its duplicates
    summary = None
    with contextlib.suppress(OSError, ValueError):
        summary = json.loads((folder / "clusters.json").read_text(encoding="utf-8"))
    return {"duplicates": len(dup_ids), "by_kind": dict(kinds.most_common()), "clusters": len(clusters),
            "cluster_sizes": {str(k): v for k, v in sorted(sizes.items())}, "summary": summary}


def _dup_samples(dup_ids: dict[str, tuple[str, str]],
                 dup_records: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for dup, (kept, kind) in sorted(dup_ids.items(), key=lambda item: stable_hash("sample:" + item[0])):
        if len(out[kind]) < SAMPLES_PER_REASON and dup in dup_records:
            out[kind].append({"url": dup_records[dup]["url"], "kept_url": dup_records.get(kept, {}).get("url", "")})
    return dict(out)


def _seq_split(paths: dict[int, Path]) -> dict[str, Any]:
    files, lengths = [], []
    for part, path in paths.items():
        try:
            seq = SeqFile(path)
        except SeqFormatError as exc:
            files.append({"part": part, "path": str(path), "error": str(exc)})
            continue
        h = seq.header
        files.append({"part": part, "path": str(path), "sequences": h.n_sequences, "tokens": h.n_tokens,
                      # a leftover of a failed run, or changed since: count_tokens and training refuse it
                      "marker_problem": marker_problem(path, content=False),
                      "documents": h.n_documents, "seq_len": h.seq_len, "vocab_size": h.vocab_size,
                      "tokenizer_fingerprint": h.tokenizer_fingerprint, "bos_id": h.bos_id, "eos_id": h.eos_id})
        # Document lengths in the packed stream: distance between consecutive document starts.
        starts = [i * h.seq_len + seq.doc_starts(i) for i in range(h.n_sequences)]
        if starts:
            flat = np.concatenate(starts)
            if flat.size:
                lengths.extend(np.diff(np.append(flat, h.n_sequences * h.seq_len)).tolist())
    return {"files": files, "doc_token_lengths": lengths}


def _packing(data: Path, report: dict[str, Any]) -> dict[str, Any] | None:
    train, test = part_files(data, "train_seq"), part_files(data, "test_seq")
    if not train and not test:
        return None
    markers = {}
    for part, path in train.items():
        marker = read_marker(path)
        report["parts"].append(_part_entry("tokenize", part, path, marker))
        if marker:
            markers[part] = marker
    stats = _sum_stats(list(markers.values())) if markers else None
    splits = {}
    lengths: list[int] = []
    for name, paths in (("train", train), ("test", test)):
        seqs = _seq_split(paths)
        ok = [f for f in seqs["files"] if "error" not in f]
        counters = stats["counters"] if stats else {}
        encoded = counters.get(f"{name}_tokens_encoded")
        tail = counters.get(f"{name}_tail_tokens_dropped")
        splits[name] = {
            "files": seqs["files"], "docs": counters.get(f"{name}_docs"),
            "sequences": sum(f["sequences"] for f in ok), "tokens": sum(f["tokens"] for f in ok),
            "documents_in_files": sum(f["documents"] for f in ok), "tokens_encoded": encoded,
            "tail_tokens_dropped": tail, "tail_docs_dropped": counters.get(f"{name}_tail_docs_dropped"),
            "waste_fraction": (tail / encoded) if encoded and tail is not None else None,
        }
        lengths += seqs["doc_token_lengths"]
    seq_lens = sorted({f["seq_len"] for s in splits.values() for f in s["files"] if "seq_len" in f})
    stage = {"key": "tokenize", "label": "tokenize & pack", "parts": len(train), "parts_complete": len(markers),
             "docs": stats["out"] if stats else None, "chars": None, "marker": stats}
    report["stages"].append(stage)
    return {"splits": splits, "seq_len": seq_lens, "padding_tokens": 0, "doc_token_lengths": distribution(lengths)}


TIMING_ORDER = ["crawl", "extract text", "filter", "dedupe signatures", "dedupe candidates", "dedupe cluster",
                "dedupe write", "scrub PII", "train tokenizer", "tokenize & pack"]


def _timing(data: Path, report: dict[str, Any], tokenizer_marker: str | Path | None) -> list[dict[str, Any]]:
    """Wall (and, where the marker has it, CPU) seconds per stage and part, in pipeline order."""
    labels = {**{s["key"]: s["label"] for s in report["stages"]}, "dedupe": "dedupe write"}
    rows = [{"stage": labels.get(p["stage"], p["stage"]), "part": p["part"], "seconds": p["seconds"],
             "cpu_seconds": p.get("cpu_seconds")} for p in report["parts"] if p.get("seconds") is not None]
    extra = [("dedupe signatures", p) for p in sorted((data / "dedupe").glob("sig_part*.npz"))]
    extra += [("dedupe candidates", p) for p in sorted((data / "dedupe").glob("cand_shard*.npz"))]
    extra += [("dedupe cluster", data / "dedupe" / "clusters.json")]
    if tokenizer_marker:
        extra.append(("train tokenizer", Path(str(tokenizer_marker).removesuffix(MARKER_SUFFIX))))
    for stage, path in extra:
        marker = read_marker(path)
        if marker:
            match = re.search(r"(\d+)", path.name) if stage not in ("dedupe cluster", "train tokenizer") else None
            rows.append({"stage": stage, "part": int(match.group(1)) if match else None,
                         "seconds": marker.get("seconds"), "cpu_seconds": marker.get("cpu_seconds")})
    order = {name: i for i, name in enumerate(TIMING_ORDER)}
    return sorted(rows, key=lambda r: (order.get(r["stage"], len(order)), r["part"] or 0))


def _warnings(report: dict[str, Any]) -> list[str]:
    """What a user must see before training on this data."""
    warnings = []
    for stage in report["stages"]:
        if stage["parts_complete"] < stage["parts"]:
            warnings.append(f"{stage['label']}: {stage['parts'] - stage['parts_complete']} of {stage['parts']} "
                            "part(s) have no completion marker (unfinished or failed); their figures are missing")
        marker = stage["marker"]
        if marker and marker["in"] and sum(marker["dropped"].values()) > DROP_WARN_FRACTION * marker["in"]:
            dropped = sum(marker["dropped"].values())
            top = ", ".join(f"{r} {n}" for r, n in list(marker["dropped"].items())[:3])
            warnings.append(f"{stage['label']} dropped {dropped} of its {marker['in']} input documents "
                            f"({dropped / marker['in']:.0%}; {top})")
    if report["changed_since_run"] and not report["takedowns"]:
        for c in report["changed_since_run"]:
            warnings.append(f"{c['stage']}: the shards hold {c['shard_docs']} documents but the stage reported "
                            f"{c['marker_out']}: they changed after the run")
    by_stage: dict[str, list[int]] = defaultdict(list)
    for part in report["parts"]:
        if part.get("docs_out") is not None:
            by_stage[part["stage"]].append(part["docs_out"])
    for stage, outs in by_stage.items():
        if len(outs) > 1 and sum(outs) and max(outs) > UNBALANCED_RATIO * (sum(outs) / len(outs)):
            warnings.append(f"{stage}: parts are badly unbalanced (documents out per part: "
                            f"{', '.join(map(str, outs))}); the largest part decides the run time")
    packing = report.get("packing")
    if packing:
        test = packing["splits"]["test"]
        empty = [f["path"] for f in test["files"] if f.get("sequences") == 0]
        if not test["files"] or test["sequences"] == 0:
            warnings.append("the test split holds no sequence: evaluation would have nothing to measure "
                            "(raise --test-ratio or lower --seq-len)")
        elif empty:
            warnings.append(f"{len(empty)} of {len(test['files'])} test files hold no sequence "
                            f"({', '.join(Path(p).name for p in empty)}); the test split has only "
                            f"{test['sequences']} sequence(s)")
        for name, split in packing["splits"].items():
            for f in split["files"]:
                if "error" in f:
                    warnings.append(f"{name}: {f['error']}")
                elif f.get("marker_problem"):
                    warnings.append(f"{name}: {f['marker_problem']}")
    if not report["stages"]:
        warnings.append(f"no stage output found in {report['data_dir']}")
    return warnings
