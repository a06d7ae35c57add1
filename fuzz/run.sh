#!/usr/bin/env bash
# Runs every fuzz target of the module for a while (default 15s each).
# The seed corpora live next to each package in testdata/fuzz/<Target>/,
# where `go test` replays them on every run; new failures the fuzzer finds
# are written there too, and must be committed with their fix.
#
#   fuzz/run.sh          # 15s per target
#   fuzz/run.sh 2m       # longer
#
# Go's fuzzing coordinator before Go 1.27 can report "context deadline
# exceeded" as a failure when -fuzztime runs out while a worker is still
# busy (go.dev/issue/75804). Such a run wrote no failing input, so it is
# run once more; it counts as a failure only if it fails again for another
# reason or leaves a failing input behind.
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-15s}
status=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# corpus lists the files of a target's corpus directory.
corpus() { ls "$1" 2>/dev/null | sort || true; }

# fuzz runs one target; it returns 0 on success, 1 on a real failure and
# 2 on the coordinator's spurious deadline error.
fuzz() {
  local pkg=$1 target=$2 dir=$3 before
  before=$(corpus "$dir/testdata/fuzz/$target")
  if go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time" 2>&1 | tee "$out"; then
    return 0
  fi
  if [ "$(corpus "$dir/testdata/fuzz/$target")" = "$before" ] &&
    grep -q '^    context deadline exceeded$' "$out" &&
    ! grep -q 'Failing input written' "$out"; then
    return 2
  fi
  return 1
}

for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u || true)
  for target in $targets; do
    echo "== $pkg $target ($time)"
    rc=0
    fuzz "$pkg" "$target" "$dir" || rc=$?
    if [ $rc -eq 2 ]; then
      echo "== $target: the fuzzing coordinator's deadline error without a failing input (go.dev/issue/75804); running it again"
      rc=0
      fuzz "$pkg" "$target" "$dir" || rc=$?
      if [ $rc -eq 2 ]; then
        echo "== $target: the same deadline error again, still without a failing input; not counted as a failure"
        rc=0
      fi
    fi
    if [ $rc -ne 0 ]; then
      echo "== $target FAILED"
      status=1
    fi
  done
done
exit $status
