"""Stage 1: crawl seed URLs into raw HTML records (data/raw_html_thread{part}.txt).

One process per part owns the hosts assigned to it (:mod:`lion1b.crawl.parts`), so each host's politeness
lives in exactly one place. The pieces, one job each: :mod:`~lion1b.crawl.loop` (the crawl loop),
:mod:`~lion1b.crawl.frontier` (canonical URLs, per-host queues, rounds), :mod:`~lion1b.crawl.politeness`
(robots.txt, delays, back-off), :mod:`~lion1b.crawl.fetch` (HTTP with caps, typed results),
:mod:`~lion1b.crawl.checkpoint` (resume state), :mod:`~lion1b.crawl.output` (records, out-links, WARC),
:mod:`~lion1b.crawl.parts` (hosts to parts), :mod:`~lion1b.crawl.options` (flags). This module is the crawl
as a contract stage, and its ``main``. The completion marker is written only when the crawl finishes.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from lion1b.config import FILES, part_file
from lion1b.contract import Stage, StageMarker, StageStats, die, log, run_stage
from lion1b.contract.files import remove_stale_temps
from lion1b.crawl.loop import STAGE, Crawler
from lion1b.crawl.options import NOT_FINGERPRINTED, add_arguments, check_arguments, read_seeds
from lion1b.crawl.output import check_writable
from lion1b.crawl.parts import PartMap

EXIT_NOTHING_FETCHED = 3


class CrawlStage(Stage):
    """The crawl as a contract stage: the runner parses, skips a finished crawl, writes the marker and the
    summary; this class adds what only a crawl has (resume, refusing to mix two crawls, failed seeds)."""

    name = STAGE
    records_input = False
    default_output = FILES["raw_html"]
    unit = "pages"
    keeps_outputs = True  # appended across --resume; check() removes them for --force

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        self.crawler: Crawler | None = None
        self.seeds: list[str] = []
        self.bad_seeds = 0
        self.parts: PartMap | None = None

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        add_arguments(parser)

    def outputs(self) -> list[str]:
        outlinks = self.args.outlinks or part_file("outlinks", self.args.part_id)
        return [self.output(), outlinks] + ([self.args.warc] if self.args.warc else [])

    def inputs(self) -> list[str]:
        return [self.args.seeds] if self.args.seeds else []

    def options(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self.args).items() if k not in NOT_FINGERPRINTED}

    def label(self) -> str:
        """With several parts, the label carries every part's size as assigned (seed hosts h, seeds s), so an
        unbalanced crawl shows in each part's summary."""
        label = super().label()
        return f"{label} of sizes {self.parts.sizes()}" if self.parts and self.args.num_parts > 1 else label

    def check(self) -> None:
        """Flags and seeds, then the crawl's own rules about what is already on disk: a finished crawl with
        other options is never continued or silently replaced, an unfinished one needs --resume or --force."""
        args = self.args
        check_arguments(args)
        self.seeds, self.bad_seeds = read_seeds(args)
        self.parts = PartMap(self.seeds, args.num_parts)
        outputs = self.outputs()
        paths = [os.path.abspath(p) for p in outputs + self.inputs()]
        if len(set(paths)) < len(paths):
            die(f"--output, --outlinks, --warc and --seeds must be different files (got {' '.join(outputs)})")
        marker = StageMarker(self.name, outputs, self.options(), self.inputs())
        remove_stale_temps(outputs[0] + ".ckpt")  # a checkpoint write cut by kill -9 (the runner does the outputs)
        if args.force:
            check_writable(outputs)
            for path in (outputs[0] + ".ckpt", *outputs):
                Path(path).unlink(missing_ok=True)
            return
        if marker.is_done():
            return  # the runner skips it
        if marker.path.exists():
            die(f"{outputs[0]} holds a finished crawl made with other seeds or options, or its files changed "
                f"since ({marker.path}): use --force to crawl again with these (--resume cannot continue "
                "another crawl)")
        leftovers = [p for p in (outputs[0], outputs[0] + ".ckpt") if os.path.exists(p)]
        if leftovers and not args.resume:
            die(f"{leftovers[0]} exists from an unfinished crawl: pass --resume to continue or --force to restart")
        check_writable(outputs)

    def run(self, stats: StageStats) -> None:
        args = self.args
        fingerprint = StageMarker(self.name, self.outputs(), self.options(), self.inputs()).fingerprint
        crawler = self.crawler = Crawler(args, self.seeds, self.bad_seeds, fingerprint, self.parts, stats)
        started = time.monotonic()
        if not crawler.run():
            log(f"[{STAGE}] interrupted: checkpoint {crawler.checkpoint_path} written; rerun with --resume")
            raise SystemExit(130)
        failed = crawler.failed_seed_hosts()
        if crawler.seed_origins and stats.n_out == 0:
            for line in failed:
                log(f"error: [{STAGE}] {line}")
            crawler.files.remove()
            log(stats.summary(self.label(), time.monotonic() - started, self.unit))
            die(f"[{STAGE}] part {args.part_id}: no page fetched from any of its {len(crawler.seed_origins)} "
                "seed host(s); nothing written", EXIT_NOTHING_FETCHED)
        for line in failed:
            log(f"warning: [{STAGE}] {line}")
        if len(failed) * 2 > len(crawler.seed_origins):
            log(f"warning: [{STAGE}] MOST SEED HOSTS FAILED: {len(failed)} of {len(crawler.seed_origins)} gave "
                "no page (see the lines above: DNS, connection, robots.txt)")
        stats.count("seed_hosts", len(crawler.seed_origins))
        if failed:
            stats.count("seed_hosts_failed", len(failed))


def main(argv: list[str] | None = None) -> None:
    run_stage(CrawlStage, argv, __doc__.split("\n\n")[0])
