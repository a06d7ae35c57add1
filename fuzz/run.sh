#!/usr/bin/env bash
# Runs every fuzz target of the module for a while (default 15s each).
# The seed corpora live next to each package in testdata/fuzz/<Target>/,
# where `go test` replays them on every run; new failures the fuzzer finds
# are written there too, and must be committed with their fix.
#
#   fuzz/run.sh          # 15s per target
#   fuzz/run.sh 2m       # longer
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-15s}
status=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u || true)
  for target in $targets; do
    echo "== $pkg $target ($time)"
    if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time"; then
      status=1
    fi
  done
done
exit $status
