#!/usr/bin/env bash
# dev-servers.sh start|stop|env|status
#
# Runs a throwaway Consul 1.14 (ACLs on, default deny, a generated
# management token) and Vault 1.12 (storage in that Consul, plain HTTP) on
# loopback ports, for trying "confc apply" by hand:
#
#   scripts/build-servers.sh
#   eval "$(scripts/dev-servers.sh start)"
#   ... confc apply / confc plan --refresh ...
#   scripts/dev-servers.sh stop
#
# start prints the export line for VAULT_ADDR, CONSUL_HTTP_ADDR and
# CONSUL_HTTP_TOKEN on stdout (progress goes to stderr); when the servers
# already run, it prints the line again. env prints it without starting
# anything. stop kills both servers by their recorded PIDs and deletes the
# state folder, so the next start is a new, uninitialized cluster.
#
# Environment:
#   CONFC_DEV_DIR      state folder (default ${TMPDIR:-/tmp}/confc-dev-$UID)
#   CONFC_DEV_PORT     first of five consecutive ports (default 18200):
#                      Vault API, Vault cluster, Consul HTTP, server, serf
#   VAULT_BIN, CONSUL_BIN  binaries to use instead of build-servers.sh's cache
#
# Everything listens on 127.0.0.1 only. Vault's storage uses a Consul token
# limited to its key prefix, sessions and its service registration, as the
# real cluster does.
set -euo pipefail

VAULT_VERSION=1.12.0
CONSUL_VERSION=1.14.4

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/confc/servers"
vault_bin="${VAULT_BIN:-$cache_root/vault-$VAULT_VERSION/vault}"
consul_bin="${CONSUL_BIN:-$cache_root/consul-$CONSUL_VERSION/consul}"

dir="${CONFC_DEV_DIR:-${TMPDIR:-/tmp}/confc-dev-$(id -u)}"
base="${CONFC_DEV_PORT:-18200}"
vault_port=$base
vault_cluster_port=$((base + 1))
consul_http_port=$((base + 2))
consul_server_port=$((base + 3))
consul_serf_port=$((base + 4))

vault_addr="http://127.0.0.1:$vault_port"
consul_addr="http://127.0.0.1:$consul_http_port"

say() { echo "dev-servers: $*" >&2; }
die() {
	say "$*"
	exit 1
}

# alive reports whether the process whose PID is in file $1 runs.
alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

print_env() {
	[[ -f "$dir/consul.token" ]] || die "not started: no $dir/consul.token"
	echo "export VAULT_ADDR=$vault_addr CONSUL_HTTP_ADDR=$consul_addr CONSUL_HTTP_TOKEN=$(cat "$dir/consul.token")"
}

# wait_until runs "$@" every half second until it succeeds, for at most
# $timeout seconds; $what names the awaited state in the error.
wait_until() {
	local what=$1 timeout=$2 log=$3
	shift 3
	local i
	for ((i = 0; i < timeout * 2; i++)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.5
	done
	say "timed out waiting for $what; last lines of $log:"
	tail -n 20 "$log" >&2 || true
	return 1
}

start() {
	if alive "$dir/consul.pid" && alive "$dir/vault.pid"; then
		say "already running (state in $dir)"
		print_env
		return 0
	fi
	if alive "$dir/consul.pid" || alive "$dir/vault.pid"; then
		die "only one of the two servers runs; run \"$0 stop\" first"
	fi
	[[ -x "$vault_bin" ]] || die "no Vault binary at $vault_bin: run scripts/build-servers.sh (or set VAULT_BIN)"
	[[ -x "$consul_bin" ]] || die "no Consul binary at $consul_bin: run scripts/build-servers.sh (or set CONSUL_BIN)"

	rm -rf "$dir"
	mkdir -p "$dir/consul-data" "$dir/home"
	chmod 700 "$dir"
	local token vault_token
	token=$(cat /proc/sys/kernel/random/uuid)
	vault_token=$(cat /proc/sys/kernel/random/uuid)
	(umask 077 && echo "$token" >"$dir/consul.token")

	# JSON, like the test harness: no HCL quoting to get wrong.
	(umask 077 && cat >"$dir/consul.json" <<EOF
{
  "datacenter": "dc1",
  "node_name": "confc-dev",
  "data_dir": "$dir/consul-data",
  "server": true,
  "bootstrap_expect": 1,
  "bind_addr": "127.0.0.1",
  "advertise_addr": "127.0.0.1",
  "client_addr": "127.0.0.1",
  "disable_update_check": true,
  "ui_config": { "enabled": false },
  "performance": { "raft_multiplier": 1 },
  "ports": {
    "http": $consul_http_port, "server": $consul_server_port, "serf_lan": $consul_serf_port,
    "serf_wan": -1, "dns": -1, "https": -1, "grpc": -1, "grpc_tls": -1
  },
  "acl": {
    "enabled": true,
    "default_policy": "deny",
    "enable_token_persistence": false,
    "tokens": { "initial_management": "$token", "agent": "$token" }
  }
}
EOF
	)
	say "starting Consul $CONSUL_VERSION on $consul_addr"
	HOME="$dir/home" setsid "$consul_bin" agent -config-file="$dir/consul.json" \
		</dev/null >"$dir/consul.log" 2>&1 &
	echo $! >"$dir/consul.pid"

	export CONSUL_HTTP_ADDR=$consul_addr CONSUL_HTTP_TOKEN=$token
	# The management token works once the agent has elected itself leader
	# and written the token through Raft.
	wait_until "Consul ACLs" 60 "$dir/consul.log" "$consul_bin" acl token read -self

	# Vault's own Consul token: its storage prefix, sessions for the HA
	# lock, and its service registration.
	cat >"$dir/vault-storage.hcl" <<'EOF'
key_prefix "vault/" {
  policy = "write"
}
session_prefix "" {
  policy = "write"
}
service "vault" {
  policy = "write"
}
node_prefix "" {
  policy = "read"
}
agent_prefix "" {
  policy = "read"
}
EOF
	"$consul_bin" acl policy create -name vault-storage -rules @"$dir/vault-storage.hcl" >/dev/null
	"$consul_bin" acl token create -description "vault storage" -policy-name vault-storage -secret "$vault_token" >/dev/null

	(umask 077 && cat >"$dir/vault.hcl" <<EOF
storage "consul" {
  address = "127.0.0.1:$consul_http_port"
  scheme  = "http"
  path    = "vault/"
  token   = "$vault_token"
}

listener "tcp" {
  address         = "127.0.0.1:$vault_port"
  cluster_address = "127.0.0.1:$vault_cluster_port"
  tls_disable     = true
}

api_addr      = "$vault_addr"
cluster_addr  = "https://127.0.0.1:$vault_cluster_port"
disable_mlock = true
ui            = false
EOF
	)
	say "starting Vault $VAULT_VERSION on $vault_addr"
	# Vault 1.12 refuses certificates with negative serial numbers unless
	# Go's older x509 behaviour is on.
	HOME="$dir/home" GODEBUG=x509negativeserial=1 setsid "$vault_bin" server -config="$dir/vault.hcl" \
		</dev/null >"$dir/vault.log" 2>&1 &
	echo $! >"$dir/vault.pid"
	wait_until "the Vault API" 60 "$dir/vault.log" curl -sf -o /dev/null "$vault_addr/v1/sys/seal-status"

	say "running; Vault is uninitialized: the first confc apply initializes it (state in $dir)"
	print_env
}

stop() {
	local name pidfile pid i
	for name in vault consul; do
		pidfile="$dir/$name.pid"
		[[ -f "$pidfile" ]] || continue
		pid=$(cat "$pidfile")
		if kill -0 "$pid" 2>/dev/null; then
			kill "$pid"
			for ((i = 0; i < 40; i++)); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.25
			done
			if kill -0 "$pid" 2>/dev/null; then
				say "$name (PID $pid) did not stop in 10 s; killing it"
				kill -9 "$pid" 2>/dev/null || true
			fi
			say "stopped $name (PID $pid)"
		fi
		rm -f "$pidfile"
	done
	rm -rf "$dir"
}

status() {
	local name
	for name in consul vault; do
		if alive "$dir/$name.pid"; then
			echo "$name: running, PID $(cat "$dir/$name.pid")"
		else
			echo "$name: not running"
		fi
	done
}

case "${1:-}" in
start) start ;;
stop) stop ;;
env) print_env ;;
status) status ;;
*)
	echo "usage: $0 start|stop|env|status" >&2
	exit 2
	;;
esac
