#!/usr/bin/env bash
# Turn crawled pages into the training set: extract → filter → dedupe (global) → scrub PII →
# tokenizer (trained unless --tokenizer is given) → tokenize & pack → count tokens.
#
#   bash finalizedata.sh [--parts N] [--threads N] [--tokenizer PATH] [--vocab-size N] [--seq-len N]
#                        [--langs en,de,...] [--test-ratio R] [--force]
#
# Each stage runs once per part in parallel (logs/STAGE_part{T}.log); dedupe has one global step between
# its per-part phases. A stage whose output is complete for unchanged inputs is skipped (markers).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=lion1b/pipeline.sh
source lion1b/pipeline.sh

parts=4
threads=1
tokenizer=""
vocab_size=32000
seq_len=4096
langs=""
test_ratio=0.01
force=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --parts) parts="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --tokenizer) tokenizer="$2"; shift 2 ;;
    --vocab-size) vocab_size="$2"; shift 2 ;;
    --seq-len) seq_len="$2"; shift 2 ;;
    --langs) langs="$2"; shift 2 ;;
    --test-ratio) test_ratio="$2"; shift 2 ;;
    --force) force=(--force); shift ;;
    *) fail "unknown option $1 (see the header of $0)" ;;
  esac
done
require_venv
common=(--part-id "{T}" --num-parts "$parts" --threads "$threads" --quiet "${force[@]}")
lang_flags=()
[[ -n "$langs" ]] && lang_flags=(--langs "$langs")

say "extract"
run_parts extract "$parts" "$PYTHON" scripts/extract_text.py "${common[@]}" \
  --input "data/raw_html_thread{T}.txt" --output "data/extracted_thread{T}.txt"
say "filter"
run_parts filter "$parts" "$PYTHON" scripts/filter_data.py "${common[@]}" "${lang_flags[@]}" \
  --input "data/extracted_thread{T}.txt" --output "data/filtered_thread{T}.txt"
say "dedupe (signatures per part, one global cluster step, then write per part)"
run_parts dedupe_signatures "$parts" "$PYTHON" scripts/dedupe.py --phase signatures "${common[@]}" \
  --input "data/filtered_thread{T}.txt" --output "data/deduped_thread{T}.txt"
run_once dedupe_cluster "$PYTHON" scripts/dedupe.py --phase cluster --num-parts "$parts" "${force[@]}" \
  --input "data/filtered_thread*.txt" --dup-map data/dedupe/dup_map.jsonl
run_parts dedupe_write "$parts" "$PYTHON" scripts/dedupe.py --phase write "${common[@]}" \
  --input "data/filtered_thread{T}.txt" --output "data/deduped_thread{T}.txt"
say "scrub PII"
run_parts scrub "$parts" "$PYTHON" scripts/scrub_pii.py "${common[@]}" \
  --input "data/deduped_thread{T}.txt" --output "data/scrubbed_thread{T}.txt"

if [[ -z "$tokenizer" ]]; then
  tokenizer="tokenizer/tokenizer.model"
  say "train a SentencePiece tokenizer (vocab $vocab_size) on the scrubbed text"
  run_once tokenizer "$PYTHON" tokenizer/train_tokenizer.py --input "data/scrubbed_thread*.txt" \
    --vocab_size "$vocab_size" --output "$tokenizer" --hf_dir tokenizer/hf
fi
say "tokenize and pack ($seq_len tokens per sequence) with $tokenizer"
run_parts tokenize "$parts" "$PYTHON" scripts/tokenize_and_pack.py "${common[@]}" \
  --input "data/scrubbed_thread{T}.txt" --model "$tokenizer" --seq_len "$seq_len" --test_ratio "$test_ratio" \
  --train_out "data/train_thread{T}.seq" --test_out "data/test_thread{T}.seq"
say "count tokens"
"$PYTHON" scripts/count_tokens.py --input "data/train_thread*.seq"
"$PYTHON" scripts/count_tokens.py --input "data/test_thread*.seq"
