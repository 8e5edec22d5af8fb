"""Benchmark scrub_pii's detectors against presidio's pattern recognizers on ../shared/bench/pii/dev.jsonl.

Scoring (shared/README.md): a gold span is found when a detected span of the same type overlaps it; a detected
span is correct when it overlaps a gold span of its type; a hard negative is touched when any detected span
overlaps it. Speed is CPU seconds of one process (chars per second per core) over the same texts for both tools,
measured in the same run so a shared machine slows both alike. Also timed: ordinary prose (the article bodies of
../shared/bench/extraction), the common case of a web crawl, where PII is rare.

Then the same scoring and timing on a held-out set made by a different generator (bench/pii_heldout.py: Faker
prose in 24 locales, libphonenumber example numbers, every card type, lower-case IBANs, section numbers), which
the rules were not checked against while being written.

With --pages GLOB: real documentation pages (e.g. the Debian packages debian-reference-* and postgresql-doc-15),
extracted by the pipeline's default extractor, scanned for what the detectors find there (no gold: every
detection except e-mails is listed with its context, to be judged by eye; section numbers must not be among them).

Usage: .venv/bin/python bench/bench_pii.py [--repeat 3] [--no-presidio] [--heldout 2000] [--show-misses 20]
       [--compare-with /tmp/old_detectors.py] [--pages '/usr/share/doc/postgresql-doc-15/html/*.html']
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from lion1b.pii.detectors import TYPES as DETECTED_TYPES
from lion1b.pii.detectors import find_pii
from lion1b.pii.stage import scrub

try:
    from pii_heldout import generate as generate_heldout  # run as bench/bench_pii.py: bench/ is on sys.path
except ImportError:  # Faker not installed (setup.sh --bench installs it)
    generate_heldout = None

SHARED = Path(os.environ.get("LION1B_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DEV = SHARED / "bench" / "pii" / "dev.jsonl"
PROSE = SHARED / "bench" / "extraction" / "ground-truth.json"
TYPES = ["EMAIL", "PHONE", "IP_ADDRESS", "CREDIT_CARD", "US_SSN", "IBAN", "SECRET", "STREET_ADDRESS"]
PRESIDIO_TYPES = {"EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "IP_ADDRESS": "IP_ADDRESS",
                  "CREDIT_CARD": "CREDIT_CARD", "US_SSN": "US_SSN", "IBAN_CODE": "IBAN"}

Detector = Callable[[str], list[tuple[int, int, str]]]


def ours(text: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.type) for s in find_pii(text)]


def presidio_detector() -> tuple[Detector, str]:
    """presidio's recognizers for our types, called directly: no AnalyzerEngine, so no spaCy model is needed.
    All results count, whatever their score (AnalyzerEngine's default threshold is 0 too)."""
    import tldextract
    from presidio_analyzer import predefined_recognizers as pr

    # The e-mail recognizer asks tldextract, whose default fetches the public suffix list over the network;
    # use the snapshot bundled with tldextract instead (this machine is offline).
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())
    recognizers = [pr.EmailRecognizer(), pr.PhoneRecognizer(), pr.IpRecognizer(), pr.CreditCardRecognizer(),
                   pr.UsSsnRecognizer(), pr.IbanRecognizer()]

    def detect(text: str) -> list[tuple[int, int, str]]:
        spans = set()  # the phone recognizer reports a number once per region; AnalyzerEngine dedupes those too
        for recognizer in recognizers:
            for r in recognizer.analyze(text, recognizer.supported_entities, None):
                spans.add((r.start, r.end, PRESIDIO_TYPES[r.entity_type]))
        return sorted(spans)

    return detect, f"presidio-analyzer {metadata.version('presidio-analyzer')}"


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(records: list[dict], detect: Detector) -> dict:
    found, gold, correct, detected, touched, negs = Counter(), Counter(), Counter(), Counter(), Counter(), Counter()
    for r in records:
        spans = detect(r["text"])
        for g in r["spans"]:
            gold[g["type"]] += 1
            found[g["type"]] += any(t == g["type"] and overlaps((s, e), (g["start"], g["end"])) for s, e, t in spans)
        for s, e, t in spans:
            detected[t] += 1
            correct[t] += any(g["type"] == t and overlaps((s, e), (g["start"], g["end"])) for g in r["spans"])
        for n in r["negs"]:
            negs[n["kind"]] += 1
            touched[n["kind"]] += any(overlaps((s, e), (n["start"], n["end"])) for s, e, _ in spans)
    return {"found": found, "gold": gold, "correct": correct, "detected": detected, "touched": touched, "negs": negs}


def chars_per_second(texts: list[str], fn: Callable[[str], object], repeat: int) -> float:
    start = time.process_time()
    for _ in range(repeat):
        for text in texts:
            fn(text)
    return repeat * sum(map(len, texts)) / (time.process_time() - start)


def report(name: str, records: list[dict], detect: Detector, show_misses: int) -> None:
    """The precision/recall table, hard negatives touched and, if asked, examples of the errors."""
    result = score(records, detect)
    print(f"\n## {name}\n| type | precision | recall | gold | detected |\n|---|---|---|---|---|")
    for t in TYPES:
        d, g = result["detected"][t], result["gold"][t]
        p = f"{result['correct'][t] / d:.3f}" if d else "–"
        print(f"| {t} | {p} | {result['found'][t] / g:.3f} | {g} | {d} |" if g else f"| {t} | {p} | – | 0 | {d} |")
    touched, negs = result["touched"], result["negs"]
    print(f"hard negatives touched: {sum(touched.values())}/{sum(negs.values())} "
          f"({sum(touched.values()) / max(1, sum(negs.values())):.1%})"
          + "".join(f", {k} {v}/{negs[k]}" for k, v in touched.most_common() if v))
    if show_misses:
        print_errors(records, detect, show_misses)


def print_errors(records: list[dict], detect: Detector, k: int) -> None:
    missed: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for r in records:
        text, spans = r["text"], detect(r["text"])
        for g in r["spans"]:
            if not any(t == g["type"] and overlaps((s, e), (g["start"], g["end"])) for s, e, t in spans):
                missed[g["type"]] += 1
                if missed[g["type"]] <= k:
                    print(f"  missed {g['type']}: {text[max(0, g['start'] - 30) : g['end'] + 5]!r}")
        for s, e, t in spans:
            if not any(g["type"] == t and overlaps((s, e), (g["start"], g["end"])) for g in r["spans"]):
                wrong[t] += 1
                if wrong[t] <= k:
                    print(f"  false {t}: {text[max(0, s - 30) : e + 5]!r}")


def detectors_from(path: str) -> Detector:
    """find_pii of a detectors module loaded from a file, as a Detector."""
    spec = importlib.util.spec_from_file_location(f"detectors_{abs(hash(path))}", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"error: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return lambda text: [(s.start, s.end, s.type) for s in module.find_pii(text)]


def scan_pages(patterns: list[str]) -> None:
    """Extract each page as the pipeline would and list what the detectors find (counted once per distinct
    value in its context: the eight language editions repeat the same examples)."""
    from lion1b.extract.engines import DEFAULT_ENGINE, ENGINES

    files = sorted({f for pattern in patterns for f in glob.glob(pattern, recursive=True)})
    per_type: Counter[str] = Counter()
    seen: Counter[tuple[str, str]] = Counter()
    chars = 0
    start = time.process_time()
    for path in files:
        text = ENGINES[DEFAULT_ENGINE](Path(path).read_text(encoding="utf-8", errors="replace")).text
        chars += len(text)
        for s, e, t in ours(text):
            per_type[t] += 1
            if t != "EMAIL":
                seen[(t, f"{text[max(0, s - 30) : s]}[[{text[s:e]}]]{text[e : e + 10]}".replace("\n", " "))] += 1
    print(f"\n## pages: {len(files)} files, {chars:,} chars of extracted text, "
          f"{time.process_time() - start:.1f} CPU s (extraction included)\n{dict(per_type)}")
    for (t, context), n in sorted(seen.items()):
        print(f"  {n:4d} {t}: {context!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the texts when timing (default 3)")
    parser.add_argument("--no-presidio", action="store_true", help="skip the reference tool")
    parser.add_argument("--heldout", type=int, default=2000, help="held-out records to generate, 0 to skip")
    parser.add_argument("--seed", type=int, default=13, help="held-out generator seed (default %(default)s)")
    parser.add_argument("--compare-with", action="append", default=[], metavar="DETECTORS_PY",
                        help="also score a detectors.py from a file (e.g. an older commit's: git show "
                             "REV:lion1b/pii/detectors.py > /tmp/old.py), in the same run")
    parser.add_argument("--pages", action="append", default=[], metavar="GLOB",
                        help="HTML pages to scan (repeatable; ** allowed); lists the detections")
    parser.add_argument("--show-misses", type=int, default=0, metavar="K",
                        help="print up to K missed gold spans and K false detections per type (synthetic values)")
    args = parser.parse_args()
    if args.pages:
        scan_pages(args.pages)
        return
    if not DEV.exists():
        print(f"skip: {DEV} not found (set LION1B_SHARED to the shared data folder)")
        return
    records = [json.loads(line) for line in DEV.open(encoding="utf-8")]
    texts = [r["text"] for r in records]
    prose = [v["articleBody"] for v in json.loads(PROSE.read_text()).values()] if PROSE.exists() else []

    tools: list[tuple[str, Detector]] = [("scrub_pii", ours)]
    for path in args.compare_with:
        tools.append((f"detectors from {path}", detectors_from(path)))
    if not args.no_presidio:
        try:
            logging.disable(logging.WARNING)
            tools.append(presidio_detector()[::-1])  # type: ignore[arg-type]
        except ImportError as exc:
            print(f"presidio not available ({exc}); pip install presidio-analyzer to compare")
    print(f"{DEV}: {len(records)} texts, {sum(map(len, texts)):,} chars; prose: {len(prose)} texts, "
          f"{sum(map(len, prose)):,} chars; speed = CPU time of one process over {args.repeat} passes")

    speeds = {}
    for name, detect in tools:
        report(name, records, detect, args.show_misses)
        speeds[name] = (chars_per_second(texts, detect, args.repeat),
                        chars_per_second(prose, detect, args.repeat) if prose else 0.0)
        print(f"speed: {speeds[name][0]:,.0f} chars/s on dev.jsonl, {speeds[name][1]:,.0f} chars/s on prose")
    replace_speed = chars_per_second(texts, lambda t: scrub(t, DETECTED_TYPES, "<{type}>", False), args.repeat)
    print(f"\nscrub_pii scrub() (detect + replace): {replace_speed:,.0f} chars/s on dev.jsonl")
    ours_speed = speeds["scrub_pii"]
    for name, (dev_speed, prose_speed) in list(speeds.items())[1:]:
        print(f"speed ratio scrub_pii/{name}: {ours_speed[0] / dev_speed:.2f}x on dev.jsonl"
              + (f", {ours_speed[1] / prose_speed:.2f}x on prose" if prose else ""))
    if args.heldout and generate_heldout is None:
        print("\nheld-out set skipped: pip install Faker (requirements-bench.txt) to generate it")
    elif args.heldout:
        heldout = generate_heldout(args.heldout, args.seed)
        heldout_texts = [r["text"] for r in heldout]
        print(f"\nheld-out (bench/pii_heldout.py --n {args.heldout} --seed {args.seed}): {len(heldout)} texts, "
              f"{sum(map(len, heldout_texts)):,} chars")
        for name, detect in tools:
            report(f"{name} on the held-out set", heldout, detect, args.show_misses)
            print(f"speed: {chars_per_second(heldout_texts, detect, args.repeat):,.0f} chars/s on the held-out set")

if __name__ == "__main__":
    main()
