# shellcheck shell=bash
# Shared bash for extras/setup_cluster.sh and extras/launch_train.sh: the hostfile, non-interactive ssh to
# every node, and the master address. Sourced, not run. See docs/cluster.md.
#
# Extra ssh options (a port, an identity, `-F CONFIG`) go in PDSH_SSH_ARGS_APPEND: pdsh appends them to each
# ssh it runs (DeepSpeed's launcher runs pdsh), and these scripts pass them to their own ssh, so a check here
# and the launch later reach the nodes the same way.

CLUSTER_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PDSH_RCMD_TYPE=ssh  # pdsh's compiled-in default is rsh
read -r -a SSH_OPTS <<<"${PDSH_SSH_ARGS_APPEND:-}"

csay() { printf '[%s] %s\n' "${CLUSTER_TAG:-cluster}" "$*" >&2; }
cfail() { csay "error: $*"; exit 1; }

# hostfile_hosts FILE: HOSTS (array) and SLOTS (array) from DeepSpeed's hostfile format ("host slots=N").
hostfile_hosts() {
  local file="$1" line host slots
  [[ -f "$file" ]] || cfail "hostfile not found: $file (one line per node: 'HOST slots=GPUS'; see docs/cluster.md)"
  HOSTS=()
  SLOTS=()
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line%%#*}"
    read -r host slots _ <<<"$line" || true
    [[ -z "${host:-}" ]] && continue
    [[ "${slots:-}" =~ ^slots=([0-9]+)$ ]] || cfail "$file: '$line': expected 'HOST slots=N'"
    HOSTS+=("$host")
    SLOTS+=("${BASH_REMATCH[1]}")
  done <"$file"
  ((${#HOSTS[@]})) || cfail "$file has no host line (the shipped file holds commented examples only)"
}

# node_ssh HOST TIMEOUT COMMAND...: one non-interactive ssh; never asks for a password or a host key.
node_ssh() {
  local host="$1" timeout="$2"
  shift 2
  ssh "${SSH_OPTS[@]}" -o BatchMode=yes -o ConnectTimeout="$timeout" -o ServerAliveInterval=5 \
    -o ServerAliveCountMax=2 "$host" "$@"
}

# ssh_fix_hint HOST ERROR: how to fix what ssh said about HOST; key-based ssh only, never password logins.
ssh_fix_hint() {
  local host="$1" error="$2"
  case "$error" in
    *"Permission denied"*|*"Too many authentication failures"*)
      cat >&2 <<EOF
  $host does not accept this node's key. Give it the key (no password logins are needed or enabled):
    ls ~/.ssh/id_ed25519.pub || ssh-keygen -t ed25519   # a key on this launching node
    ssh-copy-id $host                                    # asks $host's password once, installs the key
    ssh $host true                                       # must now print nothing and ask nothing
EOF
      ;;
    *"Host key verification failed"*|*"REMOTE HOST IDENTIFICATION"*)
      cat >&2 <<EOF
  $host's host key is unknown (or changed). Check its fingerprint with the machine's owner, then connect once
  by hand (ssh $host true) or add it with ssh-keyscan $host >> ~/.ssh/known_hosts.
EOF
      ;;
    *"resolve hostname"*|*"Name or service not known"*)
      echo "  $host does not resolve here: a typo in the hostfile, or an alias missing from ~/.ssh/config or DNS." >&2 ;;
    *)
      echo "  $host did not answer: is it up, is its sshd running, and is the port right (~/.ssh/config or PDSH_SSH_ARGS_APPEND)?" >&2 ;;
  esac
}

# check_nodes TIMEOUT FILE: every host in HOSTS answers a BatchMode ssh and has this repository's FILE (e.g.
# .venv/bin/python) at the same path; in parallel. Fails naming each bad host and why.
check_nodes() {
  local timeout="$1" file="$2" tmp i rc
  tmp="$(mktemp -d)"
  local -a pids=()
  for i in "${!HOSTS[@]}"; do
    node_ssh "${HOSTS[$i]}" "$timeout" "test -e '$CLUSTER_REPO/$file'" </dev/null >"$tmp/$i" 2>&1 &
    pids+=("$!")
  done
  local -a bad=()
  for i in "${!pids[@]}"; do
    rc=0
    wait "${pids[$i]}" || rc=$?
    if ((rc == 255)); then
      csay "${HOSTS[$i]}: not reachable by key-based ssh within ${timeout}s: $(tail -n 1 "$tmp/$i")"
      ssh_fix_hint "${HOSTS[$i]}" "$(cat "$tmp/$i")"
      bad+=("${HOSTS[$i]}")
    elif ((rc != 0)); then
      csay "${HOSTS[$i]}: no $CLUSTER_REPO/$file there (the repository and its .venv must be at the same path \
on every node: put it on a shared filesystem or clone it there, then run extras/setup_cluster.sh)"
      bad+=("${HOSTS[$i]}")
    fi
  done
  rm -rf "$tmp"
  if ((${#bad[@]})); then
    cfail "unusable node(s): ${bad[*]} -- fix them or remove them from the hostfile"
  fi
}

# master_ip NAME: the IPv4 address NAME stands for, through ssh aliases (ssh -G) and the resolver.
master_ip() {
  local name="$1" real ip
  if [[ "$name" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "$name"
    return
  fi
  real="$(ssh "${SSH_OPTS[@]}" -G "$name" 2>/dev/null | awk '$1 == "hostname" {print $2; exit}')"
  real="${real:-$name}"
  if [[ "$real" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "$real"
    return
  fi
  ip="$(getent ahostsv4 "$real" | awk '{print $1; exit}')"
  [[ -n "$ip" ]] || cfail "cannot resolve the master host $name ($real) to an IPv4 address; pass --master-addr IP"
  echo "$ip"
}

# check_master_reachable IP HOST TIMEOUT: every node opens a TCP connection to IP on HOST's ssh port,
# proving the address routes to the master from everywhere (the rendezvous port opens only at launch).
check_master_reachable() {
  local ip="$1" first="$2" timeout="$3" port tmp i
  port="$(ssh "${SSH_OPTS[@]}" -G "$first" 2>/dev/null | awk '$1 == "port" {print $2; exit}')"
  port="${port:-22}"
  tmp="$(mktemp -d)"
  local -a pids=()
  for i in "${!HOSTS[@]}"; do
    node_ssh "${HOSTS[$i]}" "$timeout" \
      "timeout $timeout bash -c 'exec 3<>/dev/tcp/$ip/$port'" </dev/null >"$tmp/$i" 2>&1 &
    pids+=("$!")
  done
  local -a bad=()
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || bad+=("${HOSTS[$i]}")
  done
  rm -rf "$tmp"
  ((${#bad[@]} == 0)) || cfail "master address $ip (port $port) is not reachable from: ${bad[*]}; pass \
--master-addr with an address of $first that every node can reach (the cluster network's, not a NAT or VPN one)"
}
