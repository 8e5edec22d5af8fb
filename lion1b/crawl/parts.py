"""Which crawl part owns which host: balanced by expected size, never splitting a host.

A host's politeness (robots.txt, Crawl-delay, per-host concurrency) must live in one process, so the unit of
assignment is the host. Hashing hosts into parts left parts empty or doubled on small seed lists (8 hosts in
4 parts: one part empty, another with 55% of the pages). Here the seed list is the size estimate: hosts are
taken largest first (seed count, then name, so every process computes the same table) and each goes to the
part with the fewest seeds so far. Hosts not in the seed list (reached through --allow-domain) fall back to
the stable hash, which every process also agrees on.
"""

from __future__ import annotations

from collections import Counter

from lion1b.contract import part_of
from lion1b.crawl.frontier import host_key, origin_of


class PartMap:
    """host[:port] → part, computed identically by every part from the same seed list."""

    def __init__(self, seeds: list[str], num_parts: int) -> None:
        self.num_parts = num_parts
        weights = Counter(host_key(origin_of(url)) for url in seeds)
        loads = [0] * num_parts
        hosts = [0] * num_parts
        self.table: dict[str, int] = {}
        for key, weight in sorted(weights.items(), key=lambda item: (-item[1], item[0])):
            part = min(range(num_parts), key=lambda p: (loads[p], hosts[p], p))
            self.table[key] = part
            loads[part] += weight
            hosts[part] += 1
        self.seed_counts = loads
        self.host_counts = hosts

    def part_of_origin(self, origin: str) -> int:
        key = host_key(origin)
        part = self.table.get(key)
        return part if part is not None else part_of(key, self.num_parts)

    def sizes(self) -> str:
        """Per-part expected sizes for the summary, e.g. ``0:2h/40s 1:2h/38s``."""
        return " ".join(f"{p}:{h}h/{s}s" for p, (h, s) in enumerate(zip(self.host_counts, self.seed_counts,
                                                                       strict=True)))
