#!/usr/bin/env bash
# The data job, stage by stage: crawl the seeds → extract → filter → dedupe (global) → scrub PII →
# tokenizer (trained unless --tokenizer is given) → tokenize & pack → count tokens → run report.
# Each stage runs for every part in parallel and finishes for all parts before the next one starts
# (parall.sh runs the same commands as per-part chains instead, and writes the same bytes).
#
#   bash finalizedata.sh                     # crawl extras/seeds.txt, then every stage after it
#   bash finalizedata.sh --skip-crawl        # the data is already crawled (data/raw_html_thread{T}.txt)
#
# --help lists the options (they are the same for parall.sh) and the defaults.
#
# Logs: logs/STAGE_part{T}.log. A stage whose outputs are complete for unchanged inputs and options is
# skipped (its completion markers), so a re-run resumes where a failed or interrupted run stopped.
# Dropped records are kept with their reason in data/rejected/{extract,filter,scrub}_thread{T}.txt.
# While a stage runs, a progress line (parts done, docs/s, ETA) every PROGRESS_INTERVAL seconds (10).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=lion1b/pipeline.sh
source lion1b/pipeline.sh

parse_data_options "$@"
data_defaults

if [[ "$skip_crawl" == 0 ]]; then
  say "crawl: $parts part(s) from $seeds"
  run_parts crawl "$parts" "${CRAWL[@]}"
fi
say "extract"
run_parts extract "$parts" "${EXTRACT[@]}"
say "filter"
run_parts filter "$parts" "${FILTER[@]}"
say "dedupe (signatures per part, one global cluster step, then write per part)"
run_parts dedupe_signatures "$parts" "${SIGNATURES[@]}"
run_once dedupe_cluster "${CLUSTER[@]}"
run_parts dedupe_write "$parts" "${WRITE[@]}"
say "scrub PII"
run_parts scrub "$parts" "${SCRUB[@]}"
[[ "$train_tokenizer" == 1 ]] && train_tokenizer_once
say "tokenize and pack ($seq_len tokens per sequence) with $tokenizer"
run_parts tokenize "$parts" "${PACK[@]}"
finish_data
