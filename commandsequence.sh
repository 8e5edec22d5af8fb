#!/usr/bin/env bash
# The whole job: crawl → build the training set (finalizedata.sh) → DeepSpeed full fine-tune → a sample.
#
#   bash commandsequence.sh --demo
#       everything on this machine: serves the built-in demo website on loopback, crawls it, builds the
#       data set, trains a tiny Llama from scratch on the CPU (2 DeepSpeed processes, ZeRO-2), generates.
#   bash commandsequence.sh --model meta-llama/Llama-3-8B --seeds extras/seeds.txt [--parts 8]
#       the real thing: tokenizes with the model's own tokenizer and trains over extras/hostfile.
#
# Options: --model DIR|ID, --output-dir DIR, --epochs N, --hostfile FILE (training's nodes; given
#          explicitly, the data parts are spread over them too), --skip-crawl, --skip-data, --skip-train;
#          every finalizedata.sh option (--parts, --threads, --seeds, --seq-len, --langs, --profile, ...,
#          -- crawl flags) is passed on to it. Defaults: lion1b/config.py (listed below).
# --demo chooses the parts, sequence length, seeds, model, output directory, epochs, vocabulary and test
# split itself, so it refuses those options instead of silently overriding them.
# Ends with the run report (data/report/index.html) when scripts/report.py is there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=lion1b/pipeline.sh
source lion1b/pipeline.sh

demo=0
model=""
seq_len=""
hostfile=""
output_dir=""
epochs=""
skip_data=0
skip_train=0
data_args=()
crawl_args=()
demo_refuses=" --parts --seq-len --seeds --hostfile --model --output-dir --epochs --tokenizer --vocab-size --test-ratio "
refused=()
while [[ $# -gt 0 ]]; do
  [[ "$demo_refuses" == *" $1 "* ]] && refused+=("$1")
  case "$1" in
    -h|--help) usage "$0"; exit 0 ;;
    --demo) demo=1; shift ;;
    --model) model=$(opt_value "$@"); shift 2 ;;
    --output-dir) output_dir=$(opt_value "$@"); shift 2 ;;
    --epochs) epochs=$(opt_value "$@"); shift 2 ;;
    --hostfile) hostfile=$(opt_value "$@"); data_args+=("$1" "$hostfile"); shift 2 ;;
    --seq-len) seq_len=$(opt_value "$@"); data_args+=("$1" "$seq_len"); shift 2 ;;
    --skip-data) skip_data=1; shift ;;
    --skip-train) skip_train=1; shift ;;
    --skip-crawl|--resume|--force) data_args+=("$1"); shift ;;
    --) shift; crawl_args=("$@"); break ;;
    --*) data_args+=("$1" "$(opt_value "$@")"); shift 2 ;;
    *) fail "unexpected argument $1 (see $0 --help)" ;;
  esac
done
if [[ "$demo" == 1 ]] && ((${#refused[@]})); then
  fail "--demo sets ${refused[*]} itself; leave them out, or drop --demo to choose them"
fi
load_config
: "${seq_len:=$LION1B_SEQ_LEN}" "${output_dir:=$LION1B_OUTPUT_DIR}" "${epochs:=$LION1B_EPOCHS}"
positive_int --seq-len "$seq_len"
positive_int --epochs "$epochs"
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

if [[ "$demo" == 1 ]]; then
  seq_len=256
  output_dir="output/demo"
  seeds="data/demo/seeds.txt"
  data_args+=(--parts 2 --seq-len "$seq_len" --seeds "$seeds" --vocab-size 2000 --test-ratio 0.1)
  if [[ "$skip_data" == 0 && " ${data_args[*]} " != *" --skip-crawl "* ]]; then
    rm -f "$seeds"
    mkdir -p data/demo "$LOG_DIR"
    say "serving the demo website on loopback"
    "$PYTHON" scripts/demo_site.py --serve --seeds-out "$seeds" --manifest-out data/demo/manifest.json \
      >"$LOG_DIR/demo_site.log" 2>&1 &
    demo_pid=$!
    for _ in $(seq 100); do [[ -s "$seeds" ]] && break; sleep 0.1; done
    [[ -s "$seeds" ]] || fail "the demo site did not start; see $LOG_DIR/demo_site.log"
  fi
  # The demo hosts are loopback addresses, which the crawler refuses unless told otherwise.
  crawl_args=(--allow-private --delay 0 --max-pages-per-host 150 --max-depth 4 --timeout 3 --deadline 5
              --retries 1 --max-retry-after 2 "${crawl_args[@]}")
elif [[ -z "$model" && "$skip_train" == 0 ]]; then
  fail "give --model (a local directory or hub id) or --demo"
else
  [[ -n "$model" ]] && data_args+=(--tokenizer "$model")
fi

if [[ "$skip_data" == 0 ]]; then
  bash finalizedata.sh "${data_args[@]}" -- "${crawl_args[@]}"
fi
[[ "$skip_train" == 1 ]] && exit 0

if [[ "$demo" == 1 ]]; then
  say "train a tiny Llama from scratch: 2 DeepSpeed processes on the CPU, ZeRO-2"
  launch=(env DS_ACCELERATOR=cpu "$(dirname "$PYTHON")/deepspeed" --num_gpus 2)
  model_flags=(--init_from_config tiny --tokenizer_name "$LION1B_FILE_TOKENIZER_HF_DIR")
  schedule=(--num_train_epochs 3 --per_device_train_batch_size 4 --gradient_accumulation_steps 1
            --learning_rate 3e-3 --warmup_steps 5 --logging_steps 5 --eval_strategy steps --eval_steps 20
            --save_steps 50 --use_cpu)
else
  : "${hostfile:=$LION1B_FILE_HOSTFILE}"
  [[ -f "$hostfile" ]] || fail "hostfile not found: $hostfile (see docs/train.md)"
  launch=(bash extras/launch_train.sh --hostfile "$hostfile" --)  # checks every host, fails fast (docs/cluster.md)
  model_flags=(--model_name_or_path "$model")
  schedule=(--num_train_epochs "$epochs" --per_device_train_batch_size 1 --gradient_accumulation_steps 16
            --learning_rate 5e-5 --bf16 --eval_strategy steps --eval_steps 200 --save_steps 500)
fi
"${launch[@]}" train/train_llama3_full_ft.py "${model_flags[@]}" \
  --train_file "$(all_parts "$LION1B_FILE_TRAIN_SEQ")" --eval_file "$(all_parts "$LION1B_FILE_TEST_SEQ")" \
  --output_dir "$output_dir" --deepspeed train/deepspeed_config.json --max_seq_length "$seq_len" \
  "${schedule[@]}"

say "a sample from $output_dir"
"$PYTHON" inference/inference_cli.py --model "$output_dir" --prompt "The" --max_new_tokens 40 --temperature 0.8
write_report
