#!/usr/bin/env bash
# Crawl in parallel: one crawl_threaded.py process per part, each owning the hosts that hash to it.
#
#   bash parall.sh [--parts N] [--seeds FILE] [--resume] [-- extra crawl_threaded.py flags]
#
# Writes data/raw_html_thread{T}.txt (+ outlinks_thread{T}.txt); logs in logs/crawl_part{T}.log.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=lion1b/pipeline.sh
source lion1b/pipeline.sh

parts=4
seeds="extras/seeds.txt"
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --parts) parts="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --resume) extra+=(--resume); shift ;;
    --) shift; extra+=("$@"); break ;;
    *) fail "unknown option $1 (see the header of $0)" ;;
  esac
done
require_venv
[[ -f "$seeds" ]] || fail "seeds file not found: $seeds"

say "crawl: $parts part(s) from $seeds"
run_parts crawl "$parts" "$PYTHON" scripts/crawl_threaded.py --seeds "$seeds" \
  --part-id "{T}" --num-parts "$parts" --output "data/raw_html_thread{T}.txt" "${extra[@]}"
say "crawl done: data/raw_html_thread*.txt"
