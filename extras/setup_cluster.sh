#!/usr/bin/env bash
# Prepare (or --check) the nodes of a DeepSpeed hostfile from the launching node (docs/cluster.md).
#
#   bash extras/setup_cluster.sh [--hostfile FILE] [--setup-args "ARGS"] [--skip-setup]
#        [--nccl-socket-ifname IF] [--gloo-socket-ifname IF] [--nccl-ib-disable 0|1] [--omp-threads N]
#        [--accelerator cpu] [--online] [--rendezvous-timeout S] [--env-file PATH]
#   bash extras/setup_cluster.sh --check [--hostfile FILE] [--accelerator cpu]
#
# Set-up: installs pdsh here when missing (apt-get, as root); checks key-based ssh to every node with
# BatchMode=yes and says how to fix it (it never enables password or root-password logins); checks that the
# repository is at this same path on every node; runs `setup.sh ARGS` here, then on every node (shared
# filesystem: the nodes find the .venv ready); writes ./.deepspeed_env (--env-file), the variables DeepSpeed's
# launcher exports to every rank: HF_HUB_OFFLINE=1 (unless --online), TORCH_EXTENSIONS_DIR, OMP_NUM_THREADS
# (default: the first node's cores / its slots), TOKENIZERS_PARALLELISM=false, and from options
# NCCL_SOCKET_IFNAME, GLOO_SOCKET_IFNAME, NCCL_IB_DISABLE, DS_ACCELERATOR, LION1B_RENDEZVOUS_TIMEOUT.
# Then runs the check.
# --check: one line per node: reachable, same commit as here, .venv importable, GPUs seen vs slots, free
# disk, shared filesystem (a token written here is read there, and one written there is read here).
# Exits 1 when any node fails a check. Extra ssh options (port, key, -F CONFIG) go in PDSH_SSH_ARGS_APPEND.
set -euo pipefail
CLUSTER_TAG=setup_cluster
# shellcheck source=extras/cluster_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster_lib.sh"
cd "$CLUSTER_REPO"

hostfile="extras/hostfile"
check_only=0
setup_args=""
skip_setup=0
nccl_ifname=""
gloo_ifname=""
nccl_ib_disable=""
omp_threads=""
accelerator=""
online=0
rendezvous_timeout=""
env_file=".deepspeed_env"
ssh_timeout=10
while [[ $# -gt 0 ]]; do
  case "$1" in
    --hostfile) hostfile="${2:?--hostfile needs a file}"; shift 2 ;;
    --check) check_only=1; shift ;;
    --setup-args) setup_args="${2?--setup-args needs a value}"; shift 2 ;;
    --skip-setup) skip_setup=1; shift ;;
    --nccl-socket-ifname) nccl_ifname="${2:?--nccl-socket-ifname needs an interface}"; shift 2 ;;
    --gloo-socket-ifname) gloo_ifname="${2:?--gloo-socket-ifname needs an interface}"; shift 2 ;;
    --nccl-ib-disable) nccl_ib_disable="${2:?--nccl-ib-disable needs 0 or 1}"; shift 2 ;;
    --omp-threads) omp_threads="${2:?--omp-threads needs a number}"; shift 2 ;;
    --accelerator) accelerator="${2:?--accelerator needs a name (cpu)}"; shift 2 ;;
    --online) online=1; shift ;;
    --rendezvous-timeout) rendezvous_timeout="${2:?--rendezvous-timeout needs seconds}"; shift 2 ;;
    --env-file) env_file="${2:?--env-file needs a path}"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) cfail "unknown option $1 (see --help)" ;;
  esac
done
[[ -z "$nccl_ib_disable" || "$nccl_ib_disable" =~ ^[01]$ ]] || cfail "--nccl-ib-disable takes 0 or 1"
[[ -z "$omp_threads" || "$omp_threads" =~ ^[1-9][0-9]*$ ]] || cfail "--omp-threads takes a whole number >= 1"
hostfile_hosts "$hostfile"

# The check: one ssh per node, in parallel; the node prints key=value lines that the table is made of.
# shellcheck disable=SC2016  # expanded on the node
remote_check='repo="$1"; token_file="$2"; back_file="$3"
cd "$repo" 2>/dev/null || { echo "repo=missing"; exit 0; }
echo "repo=ok"
echo "commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)"
if out="$(.venv/bin/python -c "import torch, transformers, deepspeed, lion1b; print(torch.cuda.device_count())" 2>/dev/null)"; then
  echo "venv=ok"
  echo "gpus=$(printf "%s\n" "$out" | tail -n 1)"
else
  echo "venv=broken"
  echo "gpus=$(nvidia-smi -L 2>/dev/null | grep -c "^GPU")"
fi
echo "free_gb=$(df -Pk . | awk "NR == 2 {printf \"%d\", \$4 / 1048576}")"
echo "token=$(cat "$token_file" 2>/dev/null || echo none)"
hostname > "$back_file" 2>/dev/null || true'

check_cluster() {
  local tmp i host token local_commit key value line cpu=0 failed=0
  local -A got=()
  [[ "$accelerator" == cpu || "${DS_ACCELERATOR:-}" == cpu ]] && cpu=1
  if [[ -f "$env_file" ]] && grep -qx 'DS_ACCELERATOR=cpu' "$env_file"; then cpu=1; fi
  local_commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
  tmp="$(mktemp -d)"
  mkdir -p data
  token="$(date +%s%N)-$$"
  local token_file="data/.cluster_check.$token"
  echo "$token" >"$token_file"
  local -a pids=()
  for i in "${!HOSTS[@]}"; do
    node_ssh "${HOSTS[$i]}" "$ssh_timeout" bash -s -- "'$CLUSTER_REPO'" "'$token_file'" "'$token_file.$i'" \
      <<<"$remote_check" >"$tmp/$i" 2>"$tmp/$i.err" &
    pids+=("$!")
  done
  printf '%-24s %-10s %-9s %-7s %-12s %-8s %s\n' node reachable commit venv "GPUs/slots" "free GB" "shared fs" >&2
  for i in "${!HOSTS[@]}"; do
    host="${HOSTS[$i]}"
    if ! wait "${pids[$i]}"; then
      printf '%-24s %-10s %s\n' "$host" NO "$(tail -n 1 "$tmp/$i.err")" >&2
      failed=1
      continue
    fi
    got=()
    while IFS='=' read -r key value; do got[$key]="$value"; done <"$tmp/$i"
    if [[ "${got[repo]:-}" != ok ]]; then
      printf '%-24s %-10s %s\n' "$host" yes "no $CLUSTER_REPO there (same path on every node)" >&2
      failed=1
      continue
    fi
    local commit="same" venv="${got[venv]:-?}" gpus="${got[gpus]:-0}/${SLOTS[$i]}" shared="yes"
    if [[ "$local_commit" == unknown || "${got[commit]:-unknown}" == unknown ]]; then
      commit="no git"
    elif [[ "${got[commit]}" != "$local_commit" ]]; then
      commit="DIFFERS(${got[commit]:0:8})"
      failed=1
    fi
    [[ "$venv" == ok ]] || failed=1
    if ((cpu == 0 && ${got[gpus]:-0} < ${SLOTS[$i]})); then gpus="$gpus!"; failed=1; fi
    if [[ "${got[token]:-}" != "$token" || "$(cat "$token_file.$i" 2>/dev/null)" == "" ]]; then
      shared="NO (data/ is not this node's)"
      failed=1
    fi
    line="$(printf '%-24s %-10s %-9s %-7s %-12s %-8s %s' "$host" yes "$commit" "$venv" "$gpus" \
      "${got[free_gb]:-?}" "$shared")"
    echo "$line" >&2
  done
  rm -rf "$tmp" "$token_file" "$token_file".*
  if ((failed)); then
    csay "some node(s) failed a check (commit: git pull there; venv: extras/setup_cluster.sh; GPUs: drivers or a \
wrong slots=; shared fs: mount the same filesystem at $CLUSTER_REPO on every node)"
    return 1
  fi
  csay "all ${#HOSTS[@]} node(s) ready (commit ${local_commit:0:8})"
}

if ((check_only)); then
  check_cluster
  exit
fi

if ! command -v pdsh >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    csay "installing pdsh (DeepSpeed's multi-node launcher runs it on this node)"
    apt-get install -y pdsh >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y pdsh >/dev/null; } \
      || cfail "apt-get could not install pdsh"
  else
    cfail "pdsh is missing on this launching node: install it as root (apt-get install pdsh, dnf install pdsh)"
  fi
fi
csay "checking key-based ssh to ${#HOSTS[@]} node(s): ${HOSTS[*]}"
check_nodes "$ssh_timeout" setup.sh

if ((skip_setup == 0)); then
  read -r -a setup_argv <<<"$setup_args"
  csay "setup.sh ${setup_args} here first (a shared filesystem then has the .venv ready for every node)"
  bash setup.sh "${setup_argv[@]}"
  csay "setup.sh ${setup_args} on every node"
  hosts_csv="$(IFS=,; echo "${HOSTS[*]}")"
  pdsh -S -w "$hosts_csv" "cd '$CLUSTER_REPO' && bash setup.sh $setup_args" \
    || cfail "setup.sh failed on some node (its lines above are prefixed with its name)"
fi

if [[ -z "$omp_threads" ]]; then
  cores="$(node_ssh "${HOSTS[0]}" "$ssh_timeout" nproc </dev/null)"
  omp_threads=$((cores / SLOTS[0]))
  ((omp_threads >= 1)) || omp_threads=1
fi
{
  setting() { if [[ -n "$2" ]]; then echo "$1=$2"; fi; }
  ((online)) || echo "HF_HUB_OFFLINE=1"
  echo "TORCH_EXTENSIONS_DIR=$CLUSTER_REPO/.cache/torch_extensions"
  echo "OMP_NUM_THREADS=$omp_threads"
  echo "TOKENIZERS_PARALLELISM=false"
  setting NCCL_SOCKET_IFNAME "$nccl_ifname"
  setting GLOO_SOCKET_IFNAME "$gloo_ifname"
  setting NCCL_IB_DISABLE "$nccl_ib_disable"
  setting DS_ACCELERATOR "$accelerator"
  setting LION1B_RENDEZVOUS_TIMEOUT "$rendezvous_timeout"
} >"$env_file.tmp.$$"
mv "$env_file.tmp.$$" "$env_file"  # DeepSpeed reads KEY=VALUE lines only: no comments in this file
if [[ "$env_file" == .deepspeed_env ]]; then
  csay "wrote $PWD/$env_file; DeepSpeed exports it to every rank when launched from $PWD (extras/launch_train.sh is):"
else
  csay "wrote $env_file; DeepSpeed exports it to every rank with DS_ENV_FILE=$(realpath "$env_file"):"
fi
sed 's/^/    /' "$env_file" >&2
check_cluster
