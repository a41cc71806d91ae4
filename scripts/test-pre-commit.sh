#!/usr/bin/env bash
# Runs the real pre-commit tool against the hooks in .pre-commit-hooks.yaml.
#
# It makes a scratch git repository whose .pre-commit-config.yaml points at
# this repository (a local path) at the commit HEAD names, installs the git
# hook, and checks that:
#   - committing a cluster.conf with a lint error is refused, and the output
#     shows the finding;
#   - committing an unformatted but valid one is refused once, because
#     confc-fmt rewrote it, and goes through after the rewrite is staged;
#   - a "files:" line in the user's config replaces the hooks' default;
#   - the language: system hooks run a confc found on the PATH.
#
# pre-commit reads the hooks from HEAD, not from the working tree: commit
# changes to .pre-commit-hooks.yaml (and anything confc needs) first.
#
# When pre-commit is missing and this runs as root on a system with apt-get,
# it installs Debian's package. Set CONFC_SKIP_PRE_COMMIT=1 to skip the test.
set -euo pipefail

if [ "${CONFC_SKIP_PRE_COMMIT:-}" = 1 ]; then
	echo "test-pre-commit: skipped (CONFC_SKIP_PRE_COMMIT=1)"
	exit 0
fi

root=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v pre-commit >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "test-pre-commit: installing pre-commit with apt-get" >&2
		apt-get update -qq >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pre-commit >/dev/null
	else
		echo "test-pre-commit: pre-commit is not installed; install it (apt-get install pre-commit, or pip install pre-commit) or set CONFC_SKIP_PRE_COMMIT=1" >&2
		exit 1
	fi
fi

rev=$(git -C "$root" rev-parse HEAD)
if ! git -C "$root" cat-file -e "$rev:.pre-commit-hooks.yaml" 2>/dev/null; then
	echo "test-pre-commit: HEAD ($rev) has no .pre-commit-hooks.yaml; commit it first" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A private pre-commit cache, so that every run builds the hook from the
# commit under test. The Go module cache of this machine is shared with the
# build pre-commit runs, which only spares it the downloads.
export PRE_COMMIT_HOME="$work/pre-commit-cache"
GOMODCACHE=$(go env GOMODCACHE)
export GOMODCACHE
# The scratch repository must not inherit this one's git settings.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

fail() {
	echo "test-pre-commit: FAIL: $*" >&2
	if [ -f "$work/out" ]; then
		echo "--- output of the last command:" >&2
		cat "$work/out" >&2
	fi
	exit 1
}

repo="$work/repo"
git init -q "$repo"
cd "$repo"
git config user.name "confc test"
git config user.email "confc-test@example.test"
git config commit.gpgsign false

write_config() {
	cat >.pre-commit-config.yaml <<EOF
repos:
  - repo: $root
    rev: $rev
    hooks:
$1
EOF
}

write_config "      - id: confc-lint
      - id: confc-fmt"
git add .pre-commit-config.yaml
git commit -q -m "pre-commit configuration" --no-verify
pre-commit install >"$work/out" 2>&1 || fail "pre-commit install failed"

# Building the hook environment is the slow part; do it once, up front, so
# that a build failure is reported as such.
echo "test-pre-commit: building the hooks of $rev with pre-commit" >&2
pre-commit install-hooks >"$work/out" 2>&1 || fail "pre-commit could not build the hooks"

commits() { git rev-list --count HEAD; }

# 1. A lint error stops the commit and is shown.
cp "$root/testdata/cluster-conf/bad/vault-off-central.conf" cluster.conf
git add cluster.conf
before=$(commits)
if git commit -q -m "bad cluster.conf" >"$work/out" 2>&1; then
	fail "the commit of a cluster.conf with a lint error went through"
fi
[ "$(commits)" = "$before" ] || fail "a commit was made despite the failing hook"
grep -q 'confc lint.*Failed' "$work/out" || fail "the confc lint hook did not report a failure"
grep -q 'cluster.conf:27:42: error: .*\[secret-store-placement\]' "$work/out" ||
	fail "the lint finding is not in the output"

# 2. A valid but unformatted file: confc-fmt rewrites it and fails the
# commit; once the rewrite is staged, the commit goes through.
cp "$root/testdata/cluster-conf/minimal.conf" cluster.conf
git add cluster.conf
if git commit -q -m "good cluster.conf" >"$work/out" 2>&1; then
	fail "the commit of an unformatted cluster.conf went through"
fi
grep -q 'confc lint.*Passed' "$work/out" || fail "confc lint did not pass on minimal.conf"
grep -q 'confc fmt.*Failed' "$work/out" || fail "confc fmt did not report that it changed the file"
grep -q 'files were modified by this hook' "$work/out" || fail "pre-commit did not see the rewrite"
grep -q '^provisioner: {$' cluster.conf || fail "confc fmt did not rewrite cluster.conf"
git add cluster.conf
git commit -q -m "good cluster.conf" >"$work/out" 2>&1 || fail "the formatted cluster.conf was refused"
[ "$(commits)" = "$((before + 1))" ] || fail "the good commit is missing"

# 3. The user's "files:" replaces the default pattern: with only
# cluster.conf selected, a broken other.conf is not checked.
write_config "      - id: confc-lint
        files: (^|/)cluster\\.conf\$"
printf 'a: [ 1\n' >other.conf
git add .pre-commit-config.yaml other.conf
git commit -q -m "other.conf is not a cluster.conf" >"$work/out" 2>&1 ||
	fail "other.conf was checked although files: leaves it out"
grep -q 'confc lint.*no files to check' "$work/out" || fail "confc lint did not skip other.conf"

# 4. The system hooks run the confc on the PATH.
mkdir -p "$work/bin"
(cd "$root" && go build -o "$work/bin/confc" ./cmd/confc) || fail "go build failed"
write_config "      - id: confc-lint-system
      - id: confc-fmt-system"
cp "$root/testdata/cluster-conf/bad/unclosed-array.conf" cluster.conf
git add .pre-commit-config.yaml cluster.conf
if PATH="$work/bin:$PATH" git commit -q -m "broken cluster.conf" >"$work/out" 2>&1; then
	fail "the system hooks let a cluster.conf with a syntax error through"
fi
grep -q 'cluster.conf:28:20: error: unclosed array' "$work/out" || fail "the syntax error is not in the output"

echo "test-pre-commit: ok (hooks of $rev)"
