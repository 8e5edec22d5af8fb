# shellcheck shell=bash
# The drivers' shared bash: run one stage for every part in parallel, wait for all, fail if any failed.
# Sourced by parall.sh, finalizedata.sh and commandsequence.sh; not run on its own.

PYTHON="${PYTHON:-.venv/bin/python}"
LOG_DIR="${LOG_DIR:-logs}"

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { say "error: $*"; exit 1; }

require_venv() {
  [[ -x "$PYTHON" ]] || fail "$PYTHON not found: run 'bash setup.sh' first"
}

# run_parts STAGE NUM_PARTS COMMAND ARG...
# Runs COMMAND once per part T in 0..NUM_PARTS-1, in the background, with every "{T}" in its arguments
# replaced by T; each part logs to $LOG_DIR/STAGE_partT.log. Waits for every part and fails, naming the
# parts and their logs, when any part failed.
run_parts() {
  local stage="$1" num_parts="$2"
  shift 2
  mkdir -p "$LOG_DIR"
  local -a pids=()
  local part arg
  for ((part = 0; part < num_parts; part++)); do
    local -a cmd=()
    for arg in "$@"; do cmd+=("${arg//\{T\}/$part}"); done
    "${cmd[@]}" >"$LOG_DIR/${stage}_part${part}.log" 2>&1 &
    pids+=("$!")
  done
  local failed=()
  for part in "${!pids[@]}"; do
    if ! wait "${pids[$part]}"; then failed+=("$part"); fi
  done
  for ((part = 0; part < num_parts; part++)); do
    tail -n 1 "$LOG_DIR/${stage}_part${part}.log" >&2 || true
  done
  if ((${#failed[@]})); then
    for part in "${failed[@]}"; do
      say "$stage part $part failed; last lines of $LOG_DIR/${stage}_part${part}.log:"
      tail -n 5 "$LOG_DIR/${stage}_part${part}.log" >&2 || true
    done
    fail "$stage: ${#failed[@]} of $num_parts part(s) failed"
  fi
}

# run_once STAGE COMMAND ARG... : one process (a global step), logged like run_parts.
run_once() {
  local stage="$1"
  shift
  mkdir -p "$LOG_DIR"
  if ! "$@" >"$LOG_DIR/${stage}.log" 2>&1; then
    tail -n 5 "$LOG_DIR/${stage}.log" >&2 || true
    fail "$stage failed; see $LOG_DIR/${stage}.log"
  fi
  tail -n 1 "$LOG_DIR/${stage}.log" >&2 || true
}
