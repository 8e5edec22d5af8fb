"""Benchmark scrub_pii's detectors against presidio's pattern recognizers on ../shared/bench/pii/dev.jsonl.

Scoring (shared/README.md): a gold span is found when a detected span of the same type overlaps it; a detected
span is correct when it overlaps a gold span of its type; a hard negative is touched when any detected span
overlaps it. Speed is CPU seconds of one process (chars per second per core) over the same texts for both tools,
measured in the same run so a shared machine slows both alike. Also timed: ordinary prose (the article bodies of
../shared/bench/extraction), the common case of a web crawl, where PII is rare.

Then the same scoring and timing on a held-out set made by a different generator (bench/pii_heldout.py: Faker
prose in 24 locales, libphonenumber example numbers, every card type, lower-case IBANs, section numbers), which
the rules were not checked against while being written.

Usage: .venv/bin/python bench/bench_pii.py [--repeat 3] [--no-presidio] [--heldout 2000] [--show-misses 20]
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the texts when timing (default 3)")
    parser.add_argument("--no-presidio", action="store_true", help="skip the reference tool")
    parser.add_argument("--heldout", type=int, default=2000, help="held-out records to generate, 0 to skip")
    parser.add_argument("--seed", type=int, default=13, help="held-out generator seed (default %(default)s)")
    parser.add_argument("--show-misses", type=int, default=0, metavar="K",
                        help="print up to K missed gold spans and K false detections per type (synthetic values)")
    args = parser.parse_args()
    if not DEV.exists():
        print(f"skip: {DEV} not found (set LION1B_SHARED to the shared data folder)")
        return
    records = [json.loads(line) for line in DEV.open(encoding="utf-8")]
    texts = [r["text"] for r in records]
    prose = [v["articleBody"] for v in json.loads(PROSE.read_text()).values()] if PROSE.exists() else []

    tools: list[tuple[str, Detector]] = [("scrub_pii", ours)]
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
    if len(speeds) == 2:
        (a, sa), (b, sb) = speeds.items()
        print(f"speed ratio {a}/{b}: {sa[0] / sb[0]:.1f}x on dev.jsonl, "
              + (f"{sa[1] / sb[1]:.1f}x on prose" if prose else ""))
    if args.heldout and generate_heldout is None:
        print("\nheld-out set skipped: pip install Faker (requirements-bench.txt) to generate it")
    elif args.heldout:
        heldout = generate_heldout(args.heldout, args.seed)
        heldout_texts = [r["text"] for r in heldout]
        print(f"\nheld-out (bench/pii_heldout.py --n {args.heldout} --seed {args.seed}): {len(heldout)} texts, "
              f"{sum(map(len, heldout_texts)):,} chars")
        report("scrub_pii on the held-out set", heldout, ours, args.show_misses)
        print(f"speed: {chars_per_second(heldout_texts, ours, args.repeat):,.0f} chars/s on the held-out set")


if __name__ == "__main__":
    main()
