#!/usr/bin/env bash
# The multi-node `deepspeed --hostfile` launch, made to fail fast instead of hanging (docs/cluster.md).
#
#   bash extras/launch_train.sh [--hostfile FILE] [--master-addr ADDR] [--ssh-timeout S]
#                               [--rendezvous-timeout S] [--] [deepspeed options] SCRIPT [script options]
#   e.g. bash extras/launch_train.sh --hostfile extras/hostfile train/train_llama3_full_ft.py \
#          --model_name_or_path /models/Llama-3-8B --train_file 'data/train_thread*.seq' ... --expect_world_size 16
#
# Before launching: every hostfile host must answer a BatchMode ssh within --ssh-timeout (default 10 s) and
# have this repository's .venv at the same path; the master address (default: the first host) is resolved
# to an IP through ssh aliases and the resolver, and every node must be able to open a TCP connection to it.
# The launch then runs `deepspeed --hostfile FILE --launcher pdsh --master_addr IP --no_ssh_check ...` with
# LION1B_RENDEZVOUS_TIMEOUT (default 60 s) and LION1B_HOSTS added to the variables DeepSpeed exports to every
# rank (~/.deepspeed_env and ./.deepspeed_env, as DeepSpeed reads them), so a rank that never starts ends the
# job within the timeout with a message naming its host. Extra ssh options go in PDSH_SSH_ARGS_APPEND.
set -euo pipefail
CLUSTER_TAG=launch
# shellcheck source=extras/cluster_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster_lib.sh"
cd "$CLUSTER_REPO"

hostfile="extras/hostfile"
master_addr=""
ssh_timeout=10
rendezvous_timeout="${LION1B_RENDEZVOUS_TIMEOUT:-60}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --hostfile) hostfile="${2:?--hostfile needs a file}"; shift 2 ;;
    --master-addr) master_addr="${2:?--master-addr needs an address}"; shift 2 ;;
    --ssh-timeout) ssh_timeout="${2:?--ssh-timeout needs seconds}"; shift 2 ;;
    --rendezvous-timeout) rendezvous_timeout="${2:?--rendezvous-timeout needs seconds}"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
(($#)) || cfail "give the training script and its options (see --help)"
deepspeed_bin="$CLUSTER_REPO/.venv/bin/deepspeed"
[[ -x "$deepspeed_bin" ]] || cfail "$deepspeed_bin not found: run 'bash setup.sh' (or extras/setup_cluster.sh)"
command -v pdsh >/dev/null || cfail "pdsh is not installed on this launching node (DeepSpeed's multi-node \
launcher runs it): apt-get install pdsh, or run extras/setup_cluster.sh"

hostfile_hosts "$hostfile"
csay "checking ${#HOSTS[@]} node(s) from $hostfile: ${HOSTS[*]}"
check_nodes "$ssh_timeout" .venv/bin/python
master="${master_addr:-${HOSTS[0]}}"
ip="$(master_ip "$master")"
if [[ "$ip" == 127.* ]]; then  # e.g. Debian's 127.0.1.1 for the machine's own name: other nodes reach themselves
  for host in "${HOSTS[@]}"; do
    [[ "$(master_ip "$host")" == 127.* ]] || cfail "master $master resolves to the loopback address $ip here, \
which other nodes cannot use; pass --master-addr with its cluster-network address"
  done
fi
check_master_reachable "$ip" "${HOSTS[0]}" "$ssh_timeout"
csay "all nodes reachable; master address $ip ($master); rendezvous timeout ${rendezvous_timeout}s"

# DeepSpeed exports each KEY=VALUE line of ~/NAME and ./NAME (NAME = $DS_ENV_FILE or .deepspeed_env) to every
# rank; an absolute DS_ENV_FILE replaces both. Merge them with our two variables into one launch-only file.
mkdir -p .cache/launch
env_file="$(mktemp "$PWD/.cache/launch/deepspeed_env.XXXXXX")"
trap 'rm -f "$env_file"' EXIT
name="${DS_ENV_FILE:-.deepspeed_env}"
declare -A seen=()
for dir in "$HOME" "$PWD"; do
  file="$name"
  [[ "$file" == /* ]] || file="$dir/$name"
  [[ -f "$file" && -z "${seen[$file]:-}" ]] || continue
  seen[$file]=1
  grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$file" | grep -Ev '^(LION1B_HOSTS|LION1B_RENDEZVOUS_TIMEOUT)=' >>"$env_file" || true
done
hosts_csv="$(IFS=,; echo "${HOSTS[*]}")"
printf 'LION1B_HOSTS=%s\nLION1B_RENDEZVOUS_TIMEOUT=%s\n' "$hosts_csv" "$rendezvous_timeout" >>"$env_file"

status=0
DS_ENV_FILE="$env_file" "$deepspeed_bin" --hostfile "$hostfile" --launcher pdsh --master_addr "$ip" \
  --no_ssh_check "$@" || status=$?
if ((status != 0)); then
  csay "error: the training job failed (status $status); node ranks in order: ${HOSTS[*]}; pdsh prefixes each \
rank's lines with its host"
fi
exit "$status"
