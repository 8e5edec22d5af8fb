"""Main-text extraction: token-bag F1 and docs/s of every extract_text engine on the article benchmark.

Reads ../shared/bench/extraction (91 pages + ground-truth.json; override the folder that holds bench/
with LION1B_SHARED) and skips cleanly when it is absent. Scoring follows ../shared/README.md: precision,
recall and F1 over the multiset of whitespace tokens of the output vs "articleBody", averaged over pages,
an empty or failed output scores 0. Speed is the CPU time of the extraction calls alone (time.process_time,
so other users of a shared machine slow it less than wall time; scoring is not timed); every engine runs in
the same process, one after the other, and the ratio to trafilatura is printed.

    .venv/bin/python bench/bench_extract.py [--repeat 3] [--engines density,trafilatura]
"""

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path

from lion1b.extract.density import reset_hint_cache
from lion1b.extract.engines import DEFAULT_ENGINE, ENGINES

REFERENCE = "trafilatura"


def shared_dir() -> Path:
    return Path(os.environ.get("LION1B_SHARED") or Path(__file__).resolve().parents[2] / "shared")


def token_prf(pred: str, gold: str) -> tuple[float, float, float]:
    p, g = Counter(pred.split()), Counter(gold.split())
    common = sum((p & g).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(p.values()), common / sum(g.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def bench_engine(name: str, pages: list[tuple[str, str, str]], repeat: int) -> dict:
    engine = ENGINES[name]
    engine(pages[0][1])  # imports and lazy set-up are not part of the rate
    scores = []
    seconds = 0.0
    for _ in range(repeat):
        reset_hint_cache()  # every pass starts cold, as a worker meeting new sites does
        texts = []
        start = time.process_time()
        for _, html, _ in pages:
            try:
                texts.append(engine(html).text)
            except Exception:  # a failed page scores 0, as the benchmark convention says
                texts.append("")
        seconds += time.process_time() - start  # extraction only: scoring is not the engine's work
        scores = [token_prf(text, gold) for text, (_, _, gold) in zip(texts, pages, strict=True)]
    n = len(pages)
    return {"engine": name, "precision": sum(s[0] for s in scores) / n, "recall": sum(s[1] for s in scores) / n,
            "f1": sum(s[2] for s in scores) / n, "docs_per_s": n * repeat / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the pages per engine (default 1)")
    args = parser.parse_args()
    names = [n.strip() for n in args.engines.split(",") if n.strip()]
    unknown = [n for n in names if n not in ENGINES]
    if unknown or args.repeat < 1:
        parser.error(f"unknown engine(s) {unknown}; choose from {sorted(ENGINES)}" if unknown else "--repeat >= 1")
    folder = shared_dir() / "bench" / "extraction"
    if not (folder / "ground-truth.json").is_file():
        print(f"skipped: {folder}/ground-truth.json not found (set LION1B_SHARED to the folder holding bench/)")
        return
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [(page_id, (folder / "html" / f"{page_id}.html").read_bytes().decode("utf-8", "replace"),
              truth[page_id]["articleBody"]) for page_id in sorted(truth)]
    print(f"{len(pages)} pages from {folder}, {args.repeat} pass(es) per engine, single process")
    rows = [bench_engine(name, pages, args.repeat) for name in names]
    ref = next((r["docs_per_s"] for r in rows if r["engine"] == REFERENCE), None)
    print(f"{'engine':18} {'F1':>6} {'prec':>6} {'recall':>6} {'docs/s':>8} {'x ' + REFERENCE:>14}")
    for r in rows:
        ratio = f"{r['docs_per_s'] / ref:.2f}" if ref else "-"
        mark = "  (default)" if r["engine"] == DEFAULT_ENGINE else ""
        print(f"{r['engine']:18} {r['f1']:6.3f} {r['precision']:6.3f} {r['recall']:6.3f} {r['docs_per_s']:8.1f} "
              f"{ratio:>14}{mark}")


if __name__ == "__main__":
    main()
