"""Counts for the summary line, the completion marker and the run report."""

from __future__ import annotations

from collections import Counter
from typing import Any


class StageStats:
    """Records in/out, drops by reason, and named counters (e.g. ``kept_lang:de``, ``pii:EMAIL``)."""

    def __init__(self) -> None:
        self.n_in = 0
        self.n_out = 0
        self.dropped: Counter[str] = Counter()
        self.counters: Counter[str] = Counter()

    def drop(self, reason: str, n: int = 1) -> None:
        self.dropped[reason] += n

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] += n

    def merge_counts(self, counts: dict[str, int]) -> None:
        self.counters.update(counts)

    def as_dict(self) -> dict[str, Any]:
        return {"in": self.n_in, "out": self.n_out, "dropped": dict(sorted(self.dropped.items())),
                "counters": dict(sorted(self.counters.items()))}

    def summary(self, stage: str, seconds: float, unit: str = "docs") -> str:
        dropped = " ".join(f"{k}={v}" for k, v in sorted(self.dropped.items())) or "none"
        extra = "".join(f" {k}={v}" for k, v in sorted(self.counters.items()))
        rate = self.n_in / seconds if seconds > 0 else 0.0
        return (f"[{stage}] in={self.n_in} out={self.n_out} dropped: {dropped}{extra} "
                f"| {seconds:.1f}s {rate:,.0f} {unit}/s")
