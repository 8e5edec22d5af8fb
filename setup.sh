#!/usr/bin/env bash
# Set up lion1b in ./.venv: the pinned requirements, a CPU build of torch by default, the project itself.
# Idempotent: a second run with the same requirements and options installs nothing.
#
#   bash setup.sh                       # runtime (CPU torch)
#   bash setup.sh --dev                 # + pytest, ruff, shellcheck; as root with apt-get, also the system
#                                       #   packages tests use: openssh-server + pdsh (two-node test), chromium
#   bash setup.sh --bench               # + the reference tools bench/ compares against (Scrapy, datatrove, …)
#   bash setup.sh --cuda-index-url URL  # GPU nodes: torch from a CUDA wheel index, e.g. PyTorch's cu118 one
#                                       #   (https://download.pytorch.org/whl/cu118)
#   bash setup.sh --python python3.12   # another interpreter (3.10 or newer)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

TORCH_VERSION="2.13.0"
python_bin="python3"
dev=0
bench=0
cuda_index_url=""

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dev) dev=1 ;;
    --bench) bench=1 ;;
    --cuda-index-url) cuda_index_url="${2:?--cuda-index-url needs a URL}"; shift ;;
    --python) python_bin="${2:?--python needs an interpreter}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "setup.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

say() { printf '[setup] %s\n' "$*"; }
fail() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# --dev: the system packages some tests need (sshd and pdsh for the two-node test, which must run rather than
# skip; chromium to render the run report), installed only when missing and only where we may (root + apt).
if [[ "$dev" == 1 ]]; then
  missing=()
  [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
  command -v pdsh >/dev/null || missing+=(pdsh)
  command -v chromium >/dev/null || missing+=(chromium)
  if ((${#missing[@]})); then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
      say "installing system packages for the tests: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq </dev/null || fail "apt-get update failed"
      apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null \
        || fail "apt-get could not install ${missing[*]}"
    else
      say "warning: ${missing[*]} missing (needs root and apt-get to install); the tests that need them skip"
    fi
  fi
fi

command -v "$python_bin" >/dev/null || fail "$python_bin not found; install Python 3.10 or newer"
"$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || fail "Python 3.10 or newer is needed, $python_bin is $("$python_bin" -V 2>&1)"

if [[ ! -x .venv/bin/python ]]; then
  say "creating .venv with $("$python_bin" -V 2>&1)"
  "$python_bin" -m venv .venv || fail "could not create .venv (on Debian/Ubuntu: apt-get install python3-venv)"
fi
pip=(.venv/bin/python -m pip --disable-pip-version-check)

requirement_files=(requirements.txt)
[[ "$dev" == 1 ]] && requirement_files+=(requirements-dev.txt)
[[ "$bench" == 1 ]] && requirement_files+=(requirements-bench.txt)
stamp=".venv/.lion1b-setup"
wanted="$(cat "${requirement_files[@]}" pyproject.toml | sha256sum | cut -d' ' -f1) torch=$TORCH_VERSION cuda=$cuda_index_url"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  say "already set up ($stamp matches); nothing to install"
else
  install() {
    "${pip[@]}" install --quiet "$@" || fail "pip could not install: $* -- is the package index reachable? \
(check your network, or PIP_INDEX_URL / pip config list)"
  }
  if [[ -n "$cuda_index_url" ]]; then
    say "installing torch==$TORCH_VERSION from $cuda_index_url (CUDA build)"
    install "torch==$TORCH_VERSION" --index-url "$cuda_index_url"
  else
    say "installing torch==$TORCH_VERSION (CPU build)"
    install "torch==$TORCH_VERSION"
  fi
  for file in "${requirement_files[@]}"; do
    say "installing $file"
    install -r "$file"
  done
  say "installing lion1b itself (editable)"
  install --no-deps -e .
  echo "$wanted" > "$stamp"
fi

.venv/bin/python -c 'import torch, transformers, deepspeed' >/dev/null 2>&1 \
  || fail "the environment is incomplete (import torch/transformers/deepspeed failed); delete .venv and re-run"
say "ready: torch $(.venv/bin/python -c 'import torch; print(torch.__version__)'), dev tools: $([[ $dev == 1 ]] && echo yes || echo no)"
say "activate with:  source .venv/bin/activate"
