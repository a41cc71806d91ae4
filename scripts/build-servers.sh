#!/usr/bin/env bash
# build-servers.sh builds the Vault and Consul servers that the integration
# tests run against, from the pinned modules under tools/servers/, and caches
# the binaries outside the repository so that later runs cost nothing.
#
# Usage: scripts/build-servers.sh [vault] [consul]   (default: both)
#
# Environment:
#   VAULT_BIN, CONSUL_BIN  use this binary instead; nothing is built for it
#   XDG_CACHE_HOME         cache root (default: $HOME/.cache)
#
# The binary for NAME at VERSION lives at
#   ${XDG_CACHE_HOME:-$HOME/.cache}/confc/servers/NAME-VERSION/NAME
# which is also where internal/servertest looks for it.
set -euo pipefail

# Keep these in step with tools/servers/*/go.mod and internal/servertest;
# a servertest test fails when they drift apart.
VAULT_VERSION=1.12.0
CONSUL_VERSION=1.14.4

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/confc/servers"

# build NAME VERSION OVERRIDE builds one server unless OVERRIDE names a binary
# or the cached binary already exists.
build() {
	local name=$1 version=$2 override=$3

	if [[ -n "$override" ]]; then
		if [[ ! -x "$override" ]]; then
			echo "build-servers: $name: override $override is not an executable file" >&2
			return 1
		fi
		echo "$name $version: $override (from environment, not built)"
		return 0
	fi

	local dir="$cache_root/$name-$version"
	local bin="$dir/$name"
	# The stamp records which go.mod and go.sum the cached binary was built
	# from, so that a change to them (a pinned dependency, a godebug line)
	# replaces a binary that the version alone would not tell apart.
	local stamp_file="$dir/$name.stamp" stamp
	stamp=$(cat "$repo/tools/servers/$name/go.mod" "$repo/tools/servers/$name/go.sum" | sha256sum | cut -d' ' -f1)
	if [[ -x "$bin" && "$(cat "$stamp_file" 2>/dev/null)" == "$stamp" ]]; then
		echo "$name $version: $bin (cached)"
		return 0
	fi

	mkdir -p "$dir"
	# Build under a temporary name in the same folder and rename it into
	# place, so that an interrupted build never leaves a half-written binary
	# that a later run would take for a finished one.
	local tmp
	tmp=$(mktemp "$dir/.$name.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now, the trap runs later
	trap "rm -f '$tmp'" EXIT

	echo "$name $version: building into $bin (several minutes on a cold cache)" >&2
	local start=$SECONDS
	(
		cd "$repo/tools/servers/$name"
		# -mod=readonly: go.mod and go.sum are committed and complete; a
		# build must never tidy or fetch newer versions behind our back.
		GOFLAGS="$(go env GOFLAGS) -mod=readonly" \
			go build -trimpath -o "$tmp" "github.com/hashicorp/$name"
	)
	chmod 0755 "$tmp"
	mv -f "$tmp" "$bin"
	echo "$stamp" >"$stamp_file"
	trap - EXIT
	echo "$name $version: $bin (built in $((SECONDS - start))s)"
}

servers=("$@")
if [[ ${#servers[@]} -eq 0 ]]; then
	servers=(vault consul)
fi

for s in "${servers[@]}"; do
	case "$s" in
	vault) build vault "$VAULT_VERSION" "${VAULT_BIN:-}" ;;
	consul) build consul "$CONSUL_VERSION" "${CONSUL_BIN:-}" ;;
	*)
		echo "build-servers: unknown server \"$s\" (want vault or consul)" >&2
		exit 2
		;;
	esac
done
