#!/usr/bin/env bash
# The whole job: crawl → build the training set → DeepSpeed full fine-tune → a sample from the model.
#
#   bash commandsequence.sh --demo
#       everything on this machine: serves the built-in demo website on loopback, crawls it, builds the
#       data set, trains a tiny Llama from scratch on the CPU (2 DeepSpeed processes, ZeRO-2), generates.
#   bash commandsequence.sh --model meta-llama/Llama-3-8B --seeds extras/seeds.txt [--parts 8]
#       the real thing: tokenizes with the model's own tokenizer and trains over extras/hostfile.
#
# Options: --parts N (crawl/data parts), --threads N (processes per data part), --seq-len N,
#          --hostfile FILE, --output-dir DIR, --epochs N, --skip-crawl, --skip-data, --skip-train.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=lion1b/pipeline.sh
source lion1b/pipeline.sh

demo=0
model=""
seeds="extras/seeds.txt"
parts=4
threads=1
seq_len=4096
hostfile="extras/hostfile"
output_dir="output/ll3-8b-ft"
epochs=5
skip_crawl=0
skip_data=0
skip_train=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --demo) demo=1; shift ;;
    --model) model="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --parts) parts="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --seq-len) seq_len="$2"; shift 2 ;;
    --hostfile) hostfile="$2"; shift 2 ;;
    --output-dir) output_dir="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --skip-crawl) skip_crawl=1; shift ;;
    --skip-data) skip_data=1; shift ;;
    --skip-train) skip_train=1; shift ;;
    *) fail "unknown option $1 (see the header of $0)" ;;
  esac
done
require_venv
export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-$demo}"
export TORCH_EXTENSIONS_DIR="${TORCH_EXTENSIONS_DIR:-$PWD/.cache/torch_extensions}"

demo_pid=""
stop_demo() {
  if [[ -n "$demo_pid" ]]; then
    kill "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
  fi
}
trap stop_demo EXIT

crawl_flags=()
data_flags=()
if [[ "$demo" == 1 ]]; then
  parts=2
  seq_len=256
  output_dir="output/demo"
  seeds="data/demo/seeds.txt"
  rm -f "$seeds"
  mkdir -p data/demo logs
  say "serving the demo website on loopback"
  "$PYTHON" scripts/demo_site.py --serve --seeds-out "$seeds" --manifest-out data/demo/manifest.json \
    >logs/demo_site.log 2>&1 &
  demo_pid=$!
  for _ in $(seq 100); do [[ -s "$seeds" ]] && break; sleep 0.1; done
  [[ -s "$seeds" ]] || fail "the demo site did not start; see logs/demo_site.log"
  # The demo hosts are loopback addresses, which the crawler refuses unless told otherwise.
  crawl_flags=(--allow-private --delay 0 --max-pages-per-host 150 --max-depth 4 --timeout 3 --deadline 5
               --retries 1 --max-retry-after 2)
  data_flags=(--vocab-size 2000 --test-ratio 0.1)
elif [[ -z "$model" && "$skip_train" == 0 ]]; then
  fail "give --model (a local directory or hub id) or --demo"
fi

if [[ "$skip_crawl" == 0 ]]; then
  bash parall.sh --parts "$parts" --seeds "$seeds" -- "${crawl_flags[@]}"
fi
if [[ "$skip_data" == 0 ]]; then
  tokenizer_flags=()
  [[ -n "$model" ]] && tokenizer_flags=(--tokenizer "$model")
  bash finalizedata.sh --parts "$parts" --threads "$threads" --seq-len "$seq_len" "${tokenizer_flags[@]}" \
    "${data_flags[@]}"
fi
[[ "$skip_train" == 1 ]] && exit 0

if [[ "$demo" == 1 ]]; then
  say "train a tiny Llama from scratch: 2 DeepSpeed processes on the CPU, ZeRO-2"
  launch=(env DS_ACCELERATOR=cpu "$(dirname "$PYTHON")/deepspeed" --num_gpus 2)
  model_flags=(--init_from_config tiny --tokenizer_name tokenizer/hf)
  schedule=(--num_train_epochs 3 --per_device_train_batch_size 4 --gradient_accumulation_steps 1
            --learning_rate 3e-3 --warmup_steps 5 --logging_steps 5 --eval_strategy steps --eval_steps 20
            --save_steps 50 --use_cpu)
else
  [[ -f "$hostfile" ]] || fail "hostfile not found: $hostfile (see docs/train.md)"
  launch=("$(dirname "$PYTHON")/deepspeed" --hostfile "$hostfile")
  model_flags=(--model_name_or_path "$model")
  schedule=(--num_train_epochs "$epochs" --per_device_train_batch_size 1 --gradient_accumulation_steps 16
            --learning_rate 5e-5 --bf16 --eval_strategy steps --eval_steps 200 --save_steps 500)
fi
"${launch[@]}" train/train_llama3_full_ft.py "${model_flags[@]}" \
  --train_file "data/train_thread*.seq" --eval_file "data/test_thread*.seq" \
  --output_dir "$output_dir" --deepspeed train/deepspeed_config.json --max_seq_length "$seq_len" \
  "${schedule[@]}"

say "a sample from $output_dir"
"$PYTHON" inference/inference_cli.py --model "$output_dir" --prompt "The" --max_new_tokens 40 --temperature 0.8
