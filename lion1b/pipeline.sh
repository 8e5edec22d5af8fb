# shellcheck shell=bash
# The drivers' shared bash: options, the stages' commands, and one loop that runs a stage (or a chain of
# stages) for every part, on this machine or over a hostfile's nodes with pdsh, waits for every part, shows
# live progress and fails naming the part, node and log when any part failed.
# Sourced by parall.sh, finalizedata.sh and commandsequence.sh; not run on its own.

PYTHON="${PYTHON:-.venv/bin/python}"
LOG_DIR="${LOG_DIR:-logs}"
# Seconds between progress lines when stderr is not a terminal (on a terminal the line updates every second).
PROGRESS_INTERVAL="${PROGRESS_INTERVAL:-10}"
# Variables a remote part needs from the launching node's environment (a login shell does not carry them).
REMOTE_ENV=(PYTHONPATH HF_HUB_OFFLINE HF_HOME TRANSFORMERS_OFFLINE HF_DATASETS_OFFLINE OMP_NUM_THREADS TORCH_EXTENSIONS_DIR)
NODES=()  # the hostfile's nodes; empty: every part runs on this machine
SLOTS=()  # parts at once on each node

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { say "error: $*"; exit 1; }

# usage SCRIPT [TEXT]: the comment block at the top of SCRIPT, which is its --help, TEXT, and the defaults.
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$1"
  [[ -n "${2:-}" ]] && printf '%s\n' "$2"
  if [[ -x "$PYTHON" ]]; then
    printf '\nDefaults and file names (lion1b/config.py):\n'
    "$PYTHON" -m lion1b.config | sed 's/^/  /'
  fi
}

# opt_value OPTION ARG...: prints the value that follows OPTION, or stops with a clear error when it is missing.
# Use as: parts=$(opt_value "$@"); shift 2
opt_value() {
  [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || fail "$1 needs a value (see $0 --help)"
  printf '%s\n' "$2"
}

positive_int() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || fail "$1 must be a whole number of at least 1 (got '$2')"; }

require_venv() {
  [[ -x "$PYTHON" ]] || fail "$PYTHON not found: run 'bash setup.sh' first"
}

# load_config: the LION1B_* defaults and file-name patterns from lion1b/config.py, defined there once.
load_config() {
  require_venv
  local assignments
  assignments="$("$PYTHON" -m lion1b.config --shell)" || fail "could not read lion1b/config.py with $PYTHON"
  eval "$assignments"
}

# ------------------------------------------------------------------------------------------ data options

DATA_OPTIONS='
Options (finalizedata.sh and parall.sh):
  --parts N          parts of the data: one process per part and stage
  --threads N        worker processes inside each part
  --seeds FILE       seed URLs for the crawl
  --skip-crawl       start at extraction (the data is already crawled)
  --tokenizer PATH   tokenize with this (model directory, tokenizer.json or .model) instead of training one
  --vocab-size N     size of the tokenizer trained otherwise (default: as large as the text allows, up to
                     vocab_size below)
  --seq-len N        tokens per packed sequence
  --langs en,de,...  languages to keep
  --profile NAME     filter profile (docs/filter.md)
  --format FORMAT    text (default) or markdown: the shape of the extracted text (docs/extract.md)
  --repeated-blocks  dedupe also removes repeated blocks: text that other documents hold too, kept once
                     (docs/dedupe.md; off by default)
  --test-ratio R     share of documents in the test split
  --hostfile FILE    spread the parts over these nodes with pdsh ("HOST slots=N": parts at once per node);
                     the repository and data/ must be on a filesystem shared at the same path; every node
                     is checked first; global steps run on this node
  --resume           resume an interrupted crawl
  --force            redo every stage after the crawl (to re-crawl as well: -- --force)
  -- FLAG...         extra scripts/crawl_threaded.py flags (also: LION1B_CRAWL_FLAGS in the environment)
Environment: PYTHON (default .venv/bin/python), LOG_DIR (logs), PROGRESS_INTERVAL (10 s between progress
lines when stderr is not a terminal).'

# parse_data_options ARG...: the options finalizedata.sh and parall.sh share (DATA_OPTIONS). Sets the
# globals below; values left empty are filled from lion1b/config.py by data_defaults.
parse_data_options() {
  parts="" threads="" seeds="" tokenizer="" vocab_size="" seq_len="" langs="" test_ratio="" profile=""
  hostfile="" skip_crawl=0 force=() crawl_extra=() dedupe_flags=() text_format=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      -h|--help) usage "$0" "$DATA_OPTIONS"; exit 0 ;;
      --parts) parts=$(opt_value "$@"); shift 2 ;;
      --threads) threads=$(opt_value "$@"); shift 2 ;;
      --seeds) seeds=$(opt_value "$@"); shift 2 ;;
      --tokenizer) tokenizer=$(opt_value "$@"); shift 2 ;;
      --vocab-size) vocab_size=$(opt_value "$@"); shift 2 ;;
      --seq-len) seq_len=$(opt_value "$@"); shift 2 ;;
      --langs) langs=$(opt_value "$@"); shift 2 ;;
      --test-ratio) test_ratio=$(opt_value "$@"); shift 2 ;;
      --profile) profile=$(opt_value "$@"); shift 2 ;;
      --format) text_format=$(opt_value "$@"); shift 2 ;;
      --repeated-blocks) dedupe_flags+=(--repeated-blocks); shift ;;
      --hostfile) hostfile=$(opt_value "$@"); shift 2 ;;
      --skip-crawl) skip_crawl=1; shift ;;
      --resume) crawl_extra+=(--resume); shift ;;
      --force) force=(--force); shift ;;
      --) shift; crawl_extra+=("$@"); break ;;
      *) fail "unknown option $1 (see $0 --help)" ;;
    esac
  done
}

# data_defaults: fill what the options left empty from lion1b/config.py, check the values, define the commands.
data_defaults() {
  load_config
  vocab_given=0
  [[ -n "$vocab_size" ]] && vocab_given=1
  : "${parts:=$LION1B_PARTS}" "${threads:=$LION1B_THREADS}" "${seeds:=$LION1B_FILE_SEEDS}"
  : "${vocab_size:=$LION1B_VOCAB_SIZE}" "${seq_len:=$LION1B_SEQ_LEN}" "${test_ratio:=$LION1B_TEST_RATIO}"
  positive_int --parts "$parts"
  positive_int --threads "$threads"
  positive_int --vocab-size "$vocab_size"
  positive_int --seq-len "$seq_len"
  case "$text_format" in
    ""|text|markdown) ;;
    *) fail "--format must be text or markdown (got '$text_format')" ;;
  esac
  if [[ "$skip_crawl" == 0 ]]; then
    [[ -f "$seeds" ]] || fail "seeds file not found: $seeds (give --seeds FILE, or --skip-crawl for data already crawled)"
  fi
  if [[ -n "$hostfile" ]]; then
    read_hostfile "$hostfile"
    check_nodes
  fi
  define_stages
}

# shellcheck disable=SC2034  # the command arrays are the drivers'
# define_stages: every stage's command for part {T}, from the options and lion1b/config.py's file names,
# so finalizedata.sh and parall.sh run exactly the same commands (and so write the same bytes).
define_stages() {
  local common=(--part-id "{T}" --num-parts "$parts" --threads "$threads" "${force[@]}")
  local filter_flags=() extract_flags=()
  [[ -n "$text_format" ]] && extract_flags+=(--format "$text_format")
  [[ -n "$langs" ]] && filter_flags+=(--langs "$langs")
  [[ -n "$profile" ]] && filter_flags+=(--profile "$profile")
  # Extra crawl flags: after '--' on the command line, or LION1B_CRAWL_FLAGS in the environment.
  local env_crawl=()
  read -r -a env_crawl <<<"${LION1B_CRAWL_FLAGS:-}"
  mkdir -p "$(dirname "$LION1B_FILE_REJECTED")"
  CRAWL=("$PYTHON" scripts/crawl_threaded.py --seeds "$seeds" --part-id "{T}" --num-parts "$parts"
         --output "$LION1B_FILE_RAW_HTML" --outlinks "$LION1B_FILE_OUTLINKS" "${env_crawl[@]}" "${crawl_extra[@]}")
  EXTRACT=("$PYTHON" scripts/extract_text.py "${common[@]}" "${extract_flags[@]}" --input "$LION1B_FILE_RAW_HTML"
           --output "$LION1B_FILE_EXTRACTED" --rejected-output "$(rejected extract)")
  FILTER=("$PYTHON" scripts/filter_data.py "${common[@]}" "${filter_flags[@]}" --input "$LION1B_FILE_EXTRACTED"
          --output "$LION1B_FILE_FILTERED" --rejected-output "$(rejected filter)")
  SIGNATURES=("$PYTHON" scripts/dedupe.py --phase signatures "${common[@]}" "${dedupe_flags[@]}"
              --input "$LION1B_FILE_FILTERED"
              --output "$LION1B_FILE_DEDUPED" --work-dir "$LION1B_FILE_DEDUPE_WORK_DIR")
  CLUSTER=("$PYTHON" scripts/dedupe.py --phase cluster --num-parts "$parts" "${force[@]}" "${dedupe_flags[@]}"
           --input "$(all_parts "$LION1B_FILE_FILTERED")" --work-dir "$LION1B_FILE_DEDUPE_WORK_DIR"
           --dup-map "$LION1B_FILE_DUP_MAP")
  WRITE=("$PYTHON" scripts/dedupe.py --phase write "${common[@]}" "${dedupe_flags[@]}" --input "$LION1B_FILE_FILTERED"
         --output "$LION1B_FILE_DEDUPED" --work-dir "$LION1B_FILE_DEDUPE_WORK_DIR")
  # Scrub takes an even 1/N of all deduplicated bytes (--split bytes), so from here on the parts, and the
  # .seq files, are balanced whatever the crawl's hosts made of the parts before the global dedupe step.
  SCRUB=("$PYTHON" scripts/scrub_pii.py "${common[@]}" --input "$(all_parts "$LION1B_FILE_DEDUPED")" --split bytes
         --output "$LION1B_FILE_SCRUBBED" --rejected-output "$(rejected scrub)")
  train_tokenizer=0
  if [[ -z "$tokenizer" ]]; then
    train_tokenizer=1
    tokenizer="$LION1B_FILE_TOKENIZER_MODEL"
  fi
  PACK=("$PYTHON" scripts/tokenize_and_pack.py "${common[@]}" --input "$LION1B_FILE_SCRUBBED"
        --model "$tokenizer" --seq-len "$seq_len" --test-ratio "$test_ratio"
        --train-out "$LION1B_FILE_TRAIN_SEQ" --test-out "$LION1B_FILE_TEST_SEQ")
}

rejected() { local pattern="${LION1B_FILE_REJECTED//\{stage\}/$1}"; printf '%s\n' "$pattern"; }
all_parts() { printf '%s\n' "${1//\{T\}/*}"; }

# train_tokenizer_once: a SentencePiece model on all scrubbed text. When the vocabulary size was not chosen
# (--vocab-size) and the text is too small for the default, train the largest one the text supports, loudly.
train_tokenizer_once() {
  local cmd=("$PYTHON" tokenizer/train_tokenizer.py --input "$(all_parts "$LION1B_FILE_SCRUBBED")"
             --output "$tokenizer" --hf-dir "$LION1B_FILE_TOKENIZER_HF_DIR" "${force[@]}")
  say "train a SentencePiece tokenizer (vocab $vocab_size) on the scrubbed text"
  if run_logged tokenizer "${cmd[@]}" --vocab-size "$vocab_size"; then return; fi
  local most
  most=$(grep -o 'value <= [0-9]*' "$LOG_DIR/tokenizer.log" | grep -o '[0-9]*$' | tail -n 1 || true)
  if [[ "$vocab_given" == 1 || -z "$most" ]]; then
    log_tail 5 "$LOG_DIR/tokenizer.log" >&2
    fail "tokenizer failed; see $LOG_DIR/tokenizer.log"
  fi
  say "warning: the scrubbed text is too small for the default vocabulary of $vocab_size pieces;" \
      "training the largest it supports, $most (choose one with --vocab-size N)"
  vocab_size="$most"
  run_once tokenizer "${cmd[@]}" --vocab-size "$vocab_size"
}

# finish_data: token counts, then the run report when scripts/report.py is there.
finish_data() {
  say "count and verify tokens"
  local split pattern
  for split in train test; do
    pattern="$LION1B_FILE_TRAIN_SEQ"
    [[ "$split" == test ]] && pattern="$LION1B_FILE_TEST_SEQ"
    run_once "count_tokens_$split" "$PYTHON" scripts/count_tokens.py --verify --input "$(all_parts "$pattern")"
    sed -n '/^file /,/^TOTAL/p' "$LOG_DIR/count_tokens_$split.log"  # the table, on stdout as before
  done
  write_report
}

write_report() {
  if [[ -f scripts/report.py ]]; then
    run_once report "$PYTHON" scripts/report.py --data-dir "$(dirname "$LION1B_FILE_RAW_HTML")" \
      --out "$(dirname "$LION1B_FILE_RAW_HTML")/report"
  fi
}

# --------------------------------------------------------------------------------------------- nodes

# read_hostfile FILE: DeepSpeed's format, "HOST slots=N" per line, '#' starts a comment. Sets NODES and SLOTS.
read_hostfile() {
  local file="$1" line host rest n=0 known=" "
  [[ -f "$file" ]] || fail "hostfile not found: $file"
  NODES=() SLOTS=()
  while IFS= read -r line || [[ -n "$line" ]]; do
    n=$((n + 1))
    line="${line%%#*}"
    read -r host rest <<<"$line" || true
    [[ -z "${host:-}" ]] && continue
    [[ "${rest:-}" =~ ^slots=([1-9][0-9]*)$ ]] || fail "$file:$n: expected 'HOST slots=N', got '$line'"
    [[ "$known" == *" $host "* ]] && fail "$file:$n: host $host is listed twice"
    known+="$host "
    NODES+=("$host")
    SLOTS+=("${BASH_REMATCH[1]}")
  done <"$file"
  ((${#NODES[@]})) || fail "$file lists no host (one 'HOST slots=N' line per node; '#' starts a comment)"
}

# on_node NODE SCRIPT: run a shell script on NODE (pdsh over key-based ssh, never a password prompt), or here
# when NODE is empty. The one place the drivers reach another machine.
on_node() {
  if [[ -z "$1" ]]; then
    bash -c "$2"
  else
    PDSH_SSH_ARGS_APPEND="${PDSH_SSH_ARGS_APPEND:-} -o BatchMode=yes -o ConnectTimeout=${SSH_CONNECT_TIMEOUT:-10}" \
      pdsh -S -N -R ssh -w "$1" "$2"
  fi
}

# remote_prefix: cd to this directory (shared by every node at the same path) and carry REMOTE_ENV.
remote_prefix() {
  local name prefix
  prefix="cd $(printf '%q' "$PWD") || exit 97;"
  for name in "${REMOTE_ENV[@]}"; do
    [[ -n "${!name:-}" ]] && prefix+=" export $name=$(printf '%q' "${!name}");"
  done
  printf '%s\n' "$prefix"
}

# The code a node runs: the commit plus a checksum of the drivers and the package, so a stale copy shows.
# shellcheck disable=SC2016  # expanded by the shell that runs it, here or on the node
CODE_VERSION='echo "$(git rev-parse --short HEAD 2>/dev/null || echo no-git)+$(cat ./*.sh lion1b/*.py lion1b/*/*.py scripts/*.py 2>/dev/null | cksum | cut -d" " -f1)"'

# check_nodes: every node answers non-interactively, runs the same code, has the venv, and sees and can write
# this machine's data directory (a token written here is read there, and one written there is read here).
check_nodes() {
  command -v pdsh >/dev/null || fail "--hostfile needs pdsh on this node (apt-get install pdsh)"
  local data_dir token here node out i rc problem
  data_dir="$(dirname "$LION1B_FILE_RAW_HTML")"
  mkdir -p "$data_dir"
  token="$(hostname)-$$-$RANDOM$RANDOM"
  printf '%s\n' "$token" >"$data_dir/.node_check.$token"
  here="$(bash -c "$CODE_VERSION")"
  say "checking ${#NODES[@]} node(s) from $hostfile: ssh, code $here, $PYTHON, shared $data_dir/"
  for i in "${!NODES[@]}"; do
    node="${NODES[$i]}"
    rc=0
    out="$(on_node "$node" "$(remote_prefix) echo \"token=\$(cat $data_dir/.node_check.$token 2>/dev/null)\";
        echo \"code=\$($CODE_VERSION)\"; [ -x $(printf '%q' "$PYTHON") ] && echo python=ok;
        echo $i >$data_dir/.node_check.$token.$i && echo write=ok" 2>&1)" || rc=$?
    problem=""
    if ((rc == 97)); then
      problem="has no directory $PWD (the repository must be at the same path on every node)"
    elif ((rc)); then
      out="$(grep -v '^pdsh@' <<<"$out" | head -n 3 | tr '\r\n' '  ' | sed 's/ *$//')"
      problem="is not reachable with key-based ssh (BatchMode, no password prompt): $out -- give this"
      problem+=" node's key to $node (ssh-copy-id $node), or see docs/cluster.md"
    elif [[ "$out" != *"token=$token"* ]]; then
      problem="does not see this node's $PWD/$data_dir (the data directory must be on a filesystem shared by every node at the same path)"
    elif [[ "$out" != *"code=$here"* ]]; then
      problem="runs other code ($(grep -o 'code=.*' <<<"$out" || true)) than this node (code=$here): check out the same commit there"
    elif [[ "$out" != *"python=ok"* ]]; then
      problem="has no $PYTHON under $PWD: run 'bash setup.sh' there"
    elif [[ "$out" != *"write=ok"* || ! -f "$data_dir/.node_check.$token.$i" ]]; then
      problem="cannot write to $PWD/$data_dir"
    fi
    if [[ -n "$problem" ]]; then
      rm -f "$data_dir/.node_check.$token"*
      fail "node $node $problem"
    fi
  done
  rm -f "$data_dir/.node_check.$token"*
}

# --------------------------------------------------------------------------------------------- parts

# run_parts STAGE NUM_PARTS COMMAND ARG... [:: STAGE COMMAND ARG...]...
# Runs, for every part T in 0..NUM_PARTS-1, the chain of stages separated by '::' (one stage is a chain of
# one): each stage's COMMAND with every "{T}" replaced by T, logging to $LOG_DIR/STAGE_partT.log; a part
# moves to its next stage as soon as its previous one finished, whatever the other parts do. Parts run at
# once on this machine, or, with a hostfile, 'slots' at a time on each node through on_node. Waits for every
# part; fails naming the stage, part, node and log of each failure.
run_parts() {
  local num_parts="$2" arg
  local -a stages=("$1") words=() starts=(0) ends=()
  shift 2
  for arg in "$@"; do
    if [[ "$arg" == "::" ]]; then
      ends+=("${#words[@]}")
      starts+=("$((${#words[@]} + 1))")
      stages+=("")
    elif [[ -z "${stages[-1]}" ]]; then
      stages[-1]="$arg"
      starts[-1]="$((${#words[@]} + 1))"
    fi
    words+=("$arg")
  done
  ends+=("${#words[@]}")

  mkdir -p "$LOG_DIR"
  local state
  state="$(mktemp -d "$LOG_DIR/.run.XXXXXX")"
  local part s stage prefix
  prefix="$(remote_prefix)"
  for ((part = 0; part < num_parts; part++)); do
    local script="$prefix"
    for s in "${!stages[@]}"; do
      stage="${stages[$s]}"
      rm -f "$LOG_DIR/${stage}_part${part}.log"
      local quoted="" i
      for ((i = starts[s]; i < ends[s]; i++)); do quoted+=" $(printf '%q' "${words[$i]//\{T\}/$part}")"; done
      # POSIX sh: a remote login shell may not be bash.
      script+=" $quoted >$LOG_DIR/${stage}_part${part}.log 2>&1; rc=\$?; echo \$rc >$state/$stage.$part;"
      script+=" [ \$rc -eq 0 ] || exit \$rc;"
    done
    printf '%s\n' "$script" >"$state/script.$part"
  done

  # Workers: one per part here; one per slot over the nodes (interleaved) with a hostfile. Part T goes to
  # worker T mod workers, and each worker runs its parts one after the other.
  local -a workers=()
  if ((${#NODES[@]})); then
    local slot node_i more=1
    for ((slot = 0; more; slot++)); do
      more=0
      for node_i in "${!NODES[@]}"; do
        if ((slot < SLOTS[node_i])); then workers+=("${NODES[$node_i]}"); more=1; fi
      done
    done
  else
    for ((part = 0; part < num_parts; part++)); do workers+=(""); done
  fi
  local -a pids=()
  local w
  # Each worker in a process group of its own (job control), so an interrupted run stops every process it
  # started (stop_parts) instead of leaving parts running, which ignore Ctrl-C as background jobs.
  set -m
  for w in "${!workers[@]}"; do
    ((w < num_parts)) || break
    (
      for ((part = w; part < num_parts; part += ${#workers[@]})); do
        on_node "${workers[$w]}" "$(cat "$state/script.$part")" >"$state/out.$part" 2>&1 </dev/null \
          || echo "$?" >"$state/failed.$part"
        printf '%s\n' "${workers[$w]:-$(hostname)}" >"$state/node.$part"
      done
    ) &
    pids+=("$!")
  done
  set +m
  local watcher
  watch_progress "$state" "$num_parts" "${stages[@]}" &
  watcher=$!
  trap 'stop_parts "$watcher" "${pids[@]}"' INT TERM
  local pid
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  trap - INT TERM
  kill "$watcher" 2>/dev/null || true
  wait "$watcher" 2>/dev/null || true

  for stage in "${stages[@]}"; do
    for ((part = 0; part < num_parts; part++)); do
      [[ -f "$LOG_DIR/${stage}_part${part}.log" ]] && log_tail 1 "$LOG_DIR/${stage}_part${part}.log" >&2
    done
  done
  local failed=() where log
  for ((part = 0; part < num_parts; part++)); do
    [[ -f "$state/failed.$part" ]] || continue
    where=""
    ((${#NODES[@]})) && where=" on node $(cat "$state/node.$part")"
    stage=""
    for s in "${stages[@]}"; do
      if [[ -f "$state/$s.$part" && "$(cat "$state/$s.$part")" != 0 ]]; then stage="$s"; break; fi
    done
    if [[ -n "$stage" ]]; then
      log="$LOG_DIR/${stage}_part${part}.log"
      say "$stage part $part failed$where; last lines of $log:"
      log_tail 8 "$log" >&2
      failed+=("$stage part $part$where ($log)")
    else
      say "part $part could not be started$where (exit $(cat "$state/failed.$part")):"
      log_tail 5 "$state/out.$part" >&2
      failed+=("part $part$where")
    fi
  done
  rm -rf "$state"
  if ((${#failed[@]})); then
    local list chain="${stages[*]}"
    list="$(printf '%s, ' "${failed[@]}")"
    fail "${chain// / -> }: ${#failed[@]} of $num_parts part(s) failed: ${list%, }"
  fi
}

# log_tail N LOG: the last N lines of LOG that are not progress-bar updates.
log_tail() {
  tr '\r' '\n' <"$2" | sed -E 's/[A-Za-z_ ]*: [^[]*\[[0-9]+:[0-9:]+[^]]*\]//g' | grep -v '^[[:space:]]*$' \
    | tail -n "$1" || true
}

# stop_parts WATCHER WORKER...: an interrupted run_parts: end each worker's process group and the watcher,
# wait for them, and fail.
stop_parts() {
  local watcher="$1" pid
  shift
  for pid in "$@"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  kill "$watcher" 2>/dev/null || true
  for pid in "$@" "$watcher"; do wait "$pid" 2>/dev/null || true; done
  fail "interrupted: the running parts were stopped; a re-run resumes from the completion markers"
}

# run_logged STAGE COMMAND ARG...: one process (a global step) logging to $LOG_DIR/STAGE.log; its status.
run_logged() {
  local stage="$1"
  shift
  mkdir -p "$LOG_DIR"
  "$@" >"$LOG_DIR/${stage}.log" 2>&1 || return
  log_tail 1 "$LOG_DIR/${stage}.log" >&2
}

# run_once STAGE COMMAND ARG...: run_logged, failing the run (with the log's last lines) when it fails.
run_once() {
  if ! run_logged "$@"; then
    log_tail 5 "$LOG_DIR/$1.log" >&2
    fail "$1 failed; see $LOG_DIR/$1.log"
  fi
}

# ------------------------------------------------------------------------------------------ progress

# part_count LOG...: documents each part log says it has read: the summary line's in=N once a part is done,
# else its latest progress figure (tqdm's "12.3kdocs [", the crawler's "pages=N").
part_count() {
  awk -v RS='[\r\n]+' '
    function flush() { total += last; last = 0 }
    FNR == 1 { flush() }
    match($0, /^\[[^]]*\] in=[0-9]+/) { s = substr($0, RSTART, RLENGTH); sub(/.*in=/, "", s); last = s + 0; next }
    match($0, /pages=[0-9]+/) { last = substr($0, RSTART + 6, RLENGTH - 6) + 0; next }
    match($0, /[0-9.]+[kMGT]?[a-z]+ \[/) {
      s = substr($0, RSTART, RLENGTH); n = s + 0; u = s; sub(/^[0-9.]+/, "", u)
      m = substr(u, 1, 1); if (m == "k") n *= 1e3; else if (m == "M") n *= 1e6; else if (m == "G") n *= 1e9
      last = int(n)
    }
    END { flush(); print total + 0 }' "$@" 2>/dev/null || echo 0
}

# marker_outs MARKER...: the documents the markers' stages wrote (what the next stage will read); nothing
# until every marker exists.
marker_outs() {
  local total=0 file out
  for file in "$@"; do
    [[ -f "$file" ]] || return 0
    out="$(grep -o '"out": *[0-9]*' "$file" | head -n 1 | grep -o '[0-9]*$')" || return 0
    total=$((total + out))
  done
  printf '%s\n' "$total"
}

# watch_progress STATE NUM_PARTS STAGE...: one line per stage: parts done, documents, documents per second and
# an ETA (from the inputs' markers). On a terminal the line updates in place every second; otherwise a plain
# line every PROGRESS_INTERVAL seconds. Ended by run_parts.
watch_progress() {
  local state="$1" num_parts="$2"
  shift 2
  local interval="$PROGRESS_INTERVAL" tty=0 sleeper=""
  [[ -t 2 ]] && tty=1 && interval=1
  trap '[[ -n "$sleeper" ]] && kill "$sleeper" 2>/dev/null; ((tty)) && printf "\r\033[K" >&2; exit 0' TERM
  local -A started=()
  local -a logs=() inputs=()
  local stage line done_parts docs rate eta total part input unit
  while true; do
    sleep "$interval" &
    sleeper=$!
    wait "$sleeper"
    line=""
    for stage in "$@"; do
      logs=() inputs=()
      for ((part = 0; part < num_parts; part++)); do
        [[ -f "$LOG_DIR/${stage}_part${part}.log" ]] && logs+=("$LOG_DIR/${stage}_part${part}.log")
      done
      ((${#logs[@]})) || continue
      done_parts=$(find "$state" -maxdepth 1 -name "$stage.*" | wc -l)
      docs=$(part_count "${logs[@]}")
      : "${started[$stage]:=$SECONDS}"
      rate=$(( docs / (SECONDS - ${started[$stage]} + interval) ))
      eta=""
      input="$(input_of "$stage" 0)"
      if [[ -n "$input" ]]; then
        for ((part = 0; part < num_parts; part++)); do inputs+=("$(input_of "$stage" "$part").done"); done
        total="$(marker_outs "${inputs[@]}")"
        if [[ -n "$total" ]] && ((rate > 0 && total >= docs)); then
          eta=", ETA $(( (total - docs) / rate / 60 )):$(printf '%02d' $(( (total - docs) / rate % 60 )))"
        fi
      fi
      unit=docs
      [[ "$stage" == crawl ]] && unit=pages
      line+="${line:+ | }$stage: $done_parts/$num_parts parts, $docs $unit, $rate $unit/s$eta"
    done
    [[ -z "$line" ]] && continue
    if ((tty)); then printf '\r\033[K%s' "$line" >&2; else say "$line"; fi
  done
}

# input_of STAGE PART: the file a per-part stage reads (for the progress ETA).
input_of() {
  local pattern
  case "$1" in
    extract) pattern="$LION1B_FILE_RAW_HTML" ;;
    filter) pattern="$LION1B_FILE_EXTRACTED" ;;
    dedupe_signatures|dedupe_write) pattern="$LION1B_FILE_FILTERED" ;;
    scrub) pattern="$LION1B_FILE_DEDUPED" ;;
    tokenize) pattern="$LION1B_FILE_SCRUBBED" ;;
    *) pattern="" ;;
  esac
  printf '%s\n' "${pattern//\{T\}/$2}"
}
