#!/usr/bin/env bash
# The data job as per-part chains: each part runs crawl → extract → filter → dedupe signatures as soon as
# it can (one part extracts while another still crawls); then dedupe's global step and every part's dedupe
# write; then each part runs scrub → tokenize & pack on an even share of all deduplicated text (with a
# tokenizer trained on all scrubbed text in between unless --tokenizer is given); then counts and the report.
#
#   bash parall.sh [options] [-- extra crawl_threaded.py flags]
#
# Same options, commands and outputs as finalizedata.sh (byte-identical .seq files for the same inputs and
# options). Prefer parall.sh when parts' crawls take very different times
# (a slow host no longer holds up the other parts' extraction); prefer finalizedata.sh to watch or debug one
# stage at a time. Either resumes the other's run through the completion markers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=lion1b/pipeline.sh
source lion1b/pipeline.sh

parse_data_options "$@"
data_defaults

first=()
if [[ "$skip_crawl" == 0 ]]; then
  say "crawl → extract → filter → dedupe signatures: $parts part chain(s) from $seeds"
  first=(crawl "$parts" "${CRAWL[@]}" :: extract "${EXTRACT[@]}")
else
  say "extract → filter → dedupe signatures: $parts part chain(s)"
  first=(extract "$parts" "${EXTRACT[@]}")
fi
run_parts "${first[@]}" :: filter "${FILTER[@]}" :: dedupe_signatures "${SIGNATURES[@]}"
say "dedupe: the global cluster step"
run_once dedupe_cluster "${CLUSTER[@]}"
run_parts dedupe_write "$parts" "${WRITE[@]}"  # all parts: scrub rebalances over every part's output
if [[ "$train_tokenizer" == 1 ]]; then
  say "scrub PII"
  run_parts scrub "$parts" "${SCRUB[@]}"
  train_tokenizer_once
  say "tokenize and pack ($seq_len tokens per sequence) with $tokenizer"
  run_parts tokenize "$parts" "${PACK[@]}"
else
  say "scrub PII → tokenize and pack ($seq_len tokens per sequence): $parts part chain(s)"
  run_parts scrub "$parts" "${SCRUB[@]}" :: tokenize "${PACK[@]}"
fi
finish_data
