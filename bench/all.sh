#!/usr/bin/env bash
# all.sh: reproduce every figure of bench/README.md in one command, on a
# fresh machine (as root it installs wrk, nginx, h2o and h2load if missing):
#
#   bash bench/all.sh            # about 15 minutes on 2 cores
#
# It runs the side-by-side micro-benchmarks (benchstat table), the wrk
# load test with the C references (load.sh), the idle-memory measurement
# (idlemem), and renders the load chart into docs/load.svg. Everything it
# prints is also saved under OUT (default: a new /tmp directory).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$(mktemp -d /tmp/volt-bench.XXXXXX)}
export OUT
mkdir -p "$OUT"
cd "$here"

echo "== micro-benchmarks (6 runs each)"
go test -run '^$' -bench . -benchtime 1s -count 6 . | tee "$OUT/micro.txt"
go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da -col /impl "$OUT/micro.txt" | tee "$OUT/micro-benchstat.txt" || true

echo "== load test"
INSTALL=${INSTALL:-1} OUT="$OUT/load" bash "$here/load.sh" | tee "$OUT/load.txt"

echo "== idle memory"
go run ./idlemem | tee "$OUT/idlemem.txt"
echo "== idle memory, HTTP/2 over cleartext (volt and net/http; fasthttp has no HTTP/2)"
go run ./idlemem -h2 -impls volt,nethttp | tee "$OUT/idlemem-h2.txt"

echo "== chart"
mkdir -p "$here/../docs"
go run ./cmd/chart -in "$OUT/load/results.tsv" -out "$here/../docs/load.svg" \
	-title "req/s, median of rounds, $(date +%F), $(nproc) cores"
echo "figures in $OUT; chart in docs/load.svg"
