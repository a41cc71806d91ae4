#!/usr/bin/env bash
# bench-apply.sh measures confc apply on loopback Vault and Consul servers:
# the first apply of testdata/cluster-conf/production.conf, a no-op
# re-apply (and the writes it made: none expected), and the same writes made
# by a shell script of vault and consul CLI calls, with the ratio.
#
# The servers come from scripts/build-servers.sh (built when missing). The
# measurement itself is TestBenchApply in apply/bench_test.go, which runs
# only when CONFC_BENCH_APPLY names the file for its figures.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build-servers.sh >/dev/null

out=$(mktemp)
log=$(mktemp)
trap 'rm -f "$out" "$log"' EXIT
if ! CONFC_BENCH_APPLY="$out" go test -count=1 -timeout 30m -run '^TestBenchApply$' -v ./apply/ >"$log" 2>&1; then
  tail -40 "$log" >&2
  echo "bench-apply: the benchmark failed" >&2
  exit 1
fi
cat "$out"
