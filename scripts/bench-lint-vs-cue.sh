#!/usr/bin/env bash
# Compares the wall time of "confc lint production.conf" with "cue vet" of
# the same data against the same schema, and measures the lint of a
# generated 10,000-host file (time and peak memory).
#
# Usage: scripts/bench-lint-vs-cue.sh [RUNS]   (default 20 runs each)
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${1:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "building confc and cue (cuelang.org/go at the go.mod version)..." >&2
go build -o "$tmp/confc" ./cmd/confc
# The cue command needs modules confc does not, so it is built in a
# throwaway module pinned to the CUE version in go.mod.
cue_version=$(go list -m -f '{{.Version}}' cuelang.org/go)
mkdir -p "$tmp/cuebuild"
(
	cd "$tmp/cuebuild"
	go mod init cuebuild > /dev/null 2>&1
	go get "cuelang.org/go/cmd/cue@$cue_version" > /dev/null 2>&1
	go build -o "$tmp/cue" cuelang.org/go/cmd/cue
)

conf=testdata/cluster-conf/production.conf
"$tmp/confc" export --format json --show-secrets "$conf" > "$tmp/data.json"
# cue vet must validate the data against #Cluster (without -d it would only
# unify the data with the package's top level, which checks nothing), accept
# the valid file and reject a broken one, or the comparison is meaningless.
vet=("$tmp/cue" vet -d '#Cluster' schema/cluster.cue)
"${vet[@]}" "$tmp/data.json"
"$tmp/confc" export --format json --show-secrets testdata/cluster-conf/bad/even-kv-store.conf > "$tmp/bad.json"
if "${vet[@]}" "$tmp/bad.json" > /dev/null 2>&1; then
	echo "cue vet accepted an even kv-store count: the schema is not being applied" >&2
	exit 1
fi

# Generate the 10,000-host file with the same generator the benchmarks use.
go run ./internal/testgen/gencluster 10000 > "$tmp/large.conf"

# median_ms CMD... runs CMD $runs times (after one warm-up run) and prints
# the median wall time in milliseconds with one decimal. The median, not the
# mean, so that one run delayed by another process on a shared machine does
# not decide the ratio.
median_ms() {
	local i start end
	"$@" > /dev/null
	for ((i = 0; i < runs; i++)); do
		start=$(date +%s%N)
		"$@" > /dev/null
		end=$(date +%s%N)
		echo $((end - start))
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f\n", a[int((NR + 1) / 2)] / 1e6 }'
}

confc_ms=$(median_ms "$tmp/confc" lint "$conf")
cue_ms=$(median_ms "${vet[@]}" "$tmp/data.json")
large_ms=$(median_ms "$tmp/confc" lint "$tmp/large.conf")

# verdict prints "target met" or "target missed" for "value op limit"; the
# script is a report, so a missed target does not change its exit status.
verdict() {
	awk -v v="$1" -v op="$2" -v lim="$3" 'BEGIN {
		ok = (op == "<=") ? (v <= lim) : (v < lim)
		print (ok ? "target met" : "target missed")
	}'
}

ratio=$(awk -v a="$confc_ms" -v b="$cue_ms" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "0" }')
echo "confc lint production.conf: ${confc_ms} ms (median of $runs)"
echo "cue vet same data:          ${cue_ms} ms (median of $runs)"
echo "ratio confc/cue:            ${ratio} (target <= 0.50: $(verdict "$ratio" "<=" 0.50))"
echo "confc lint 10,000 hosts:    ${large_ms} ms (median of $runs; target < 1000 ms: $(verdict "$large_ms" "<" 1000))"

if [ -x /usr/bin/time ]; then
	/usr/bin/time -v "$tmp/confc" lint "$tmp/large.conf" 2> "$tmp/time.txt" > /dev/null || true
	rss_kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$tmp/time.txt")
	rss_mb=$((rss_kb / 1024))
	echo "peak RSS 10,000 hosts:      ${rss_mb} MB (target < 300 MB: $(verdict "$rss_mb" "<" 300))"
else
	echo "no /usr/bin/time; memory from the Go benchmark (target < 300 MB, not judged here):" >&2
	go test -run '^$' -bench BenchmarkLintLarge -benchtime 3x ./lint | grep Benchmark
fi
exit 0
