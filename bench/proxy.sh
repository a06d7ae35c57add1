#!/usr/bin/env bash
# proxy.sh: throughput of reverse proxies in front of the same upstream:
# volt's proxy package, net/http/httputil.ReverseProxy and a fasthttp
# HostClient proxy (bench.ServeProxy, cmd/proxyserver), driven by wrk in
# alternation, with the per-round ratios of volt to each peer and their
# medians.
#
#   bash bench/proxy.sh
#
# Settings (environment):
#   ROUNDS=5            rounds; each round runs every proxy once, in turn
#   DURATION=5          seconds of each measured wrk run
#   WARMUP=1            seconds of an unmeasured wrk run before it (0: none)
#   CONNS=64            wrk connections
#   IMPLS="volt httputil fasthttp"
#   UPSTREAM=fasthttp   the upstream: benchserver -impl fasthttp|volt|nethttp,
#                       serving GET /plaintext ("Hello, World!")
#   HEADERS=chrome      the 10 Chrome navigation headers of load.sh, or
#                       small for wrk's bare head
#   PORT=18080 UPSTREAM_PORT=18081
#   PROXY_CPU=0         taskset CPU list of the proxy
#   CLIENT_CPU=1        taskset CPU list of wrk
#   UPSTREAM_CPU=1      taskset CPU list of the upstream (it shares wrk's
#                       core on a 2-core machine: the proxy is measured)
#   OUT=dir             where raw wrk output and results.tsv go (default: a
#                       new directory under /tmp)
#
# One upstream runs for the whole benchmark. For each round and proxy it
# starts a fresh proxyserver pinned to PROXY_CPU, waits for its port, runs
# wrk (-t1, keep-alive) pinned to CLIENT_CPU on /plaintext through it,
# stops it and parses wrk's output. Besides req/s and p99 it reports the
# proxy's CPU time per request (/proc/PID/stat utime+stime over the
# measured run, in microseconds) and its heap allocations per request
# (runtime/metrics). Needs wrk, taskset, go.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
CONNS=${CONNS:-64}
IMPLS=${IMPLS:-volt httputil fasthttp}
UPSTREAM=${UPSTREAM:-fasthttp}
HEADERS=${HEADERS:-chrome}
PORT=${PORT:-18080}
UPSTREAM_PORT=${UPSTREAM_PORT:-18081}
PROXY_CPU=${PROXY_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
UPSTREAM_CPU=${UPSTREAM_CPU:-1}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
for tool in wrk taskset go timeout; do
	command -v "$tool" >/dev/null || { echo "proxy.sh: $tool not found (wrk: apt-get install -y wrk)" >&2; exit 1; }
done
OUT=${OUT:-$(mktemp -d /tmp/volt-proxy.XXXXXX)}
mkdir -p "$OUT"
results=$OUT/results.tsv
echo "building benchserver and proxyserver..."
(cd "$here" && timeout 300 go build -o "$OUT/benchserver" ./cmd/benchserver && timeout 300 go build -o "$OUT/proxyserver" ./cmd/proxyserver)

case $HEADERS in
chrome)
	headers=("${chrome_headers[@]}")
	;;
small) headers=() ;;
*) echo "proxy.sh: HEADERS=$HEADERS: want chrome or small" >&2; exit 1 ;;
esac

upstream_pid=
proxy_pid=
cleanup() {
	stop_pid "$proxy_pid"
	stop_pid "$upstream_pid"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

wait_port() { # port pid what
	for _ in $(seq 100); do
		port_open "$1" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	echo "proxy.sh: $3 did not start on port $1" >&2
	exit 1
}

for p in "$PORT" "$UPSTREAM_PORT"; do
	if port_open "$p"; then
		echo "proxy.sh: something already listens on 127.0.0.1:$p" >&2
		exit 1
	fi
done
taskset -c "$UPSTREAM_CPU" "$OUT/benchserver" -impl "$UPSTREAM" -addr "127.0.0.1:$UPSTREAM_PORT" &
upstream_pid=$!
wait_port "$UPSTREAM_PORT" "$upstream_pid" "the $UPSTREAM upstream"

clk_tck=$(getconf CLK_TCK)

run_wrk() { # seconds
	timeout $(($1 + 30)) taskset -c "$CLIENT_CPU" wrk -t1 "-c$CONNS" "-d$1s" --latency --timeout 5s "${headers[@]}" "http://127.0.0.1:$PORT/plaintext"
}

# parse_wrk FILE: "req/s p99-in-µs errors requests".
parse_wrk() {
	awk '
		function us(v) {
			if (v ~ /us$/) return v + 0
			if (v ~ /ms$/) return (v + 0) * 1000
			if (v ~ /s$/) return (v + 0) * 1e6
			return v + 0
		}
		/^Requests\/sec:/ { rps = $2 }
		/ requests in / { reqs = $1 }
		$1 == "99%" && p99 == "" { p99 = us($2) }
		/Socket errors:/ { gsub(/,/, ""); errs += $4 + $6 + $8 + $10 }
		/Non-2xx or 3xx responses:/ { errs += $NF }
		END { if (rps == "") exit 1; printf "%s %s %d %d\n", rps, (p99 == "" ? "nan" : p99), errs, reqs }
	' "$1"
}

echo "$ROUNDS rounds of ${DURATION}s per proxy (+${WARMUP}s warm-up), -c$CONNS, $HEADERS headers; upstream $UPSTREAM on CPU $UPSTREAM_CPU, proxy on CPU $PROXY_CPU, wrk on CPU $CLIENT_CPU; output in $OUT"
printf 'round\timpl\trps\tp99_us\terrors\tallocs_per_req\tcpu_us_per_req\n' >"$results"
for round in $(seq "$ROUNDS"); do
	for impl in $IMPLS; do
		rm -f "$OUT/stats-$impl"
		taskset -c "$PROXY_CPU" "$OUT/proxyserver" -impl "$impl" -addr "127.0.0.1:$PORT" -upstream "127.0.0.1:$UPSTREAM_PORT" -stats "$OUT/stats-$impl" &
		proxy_pid=$!
		wait_port "$PORT" "$proxy_pid" "the $impl proxy"
		[ "$WARMUP" != 0 ] && { run_wrk "$WARMUP" >"$OUT/w$round-$impl.txt" 2>&1 || true; }
		raw=$OUT/r$round-$impl.txt
		t0=$(cpu_ticks "$proxy_pid")
		run_wrk "$DURATION" >"$raw" 2>&1 || echo "proxy.sh: wrk failed for $impl (round $round); see $raw" >&2
		t1=$(cpu_ticks "$proxy_pid")
		stop_pid "$proxy_pid"
		proxy_pid=
		read -r rps p99 errs reqs < <(parse_wrk "$raw" || echo "nan nan 0 0")
		allocs=nan
		if [ -s "$OUT/stats-$impl" ] && [ "$reqs" -gt 0 ]; then
			allocs=$(awk -v n="$reqs" '{ printf "%.1f", $2 / n }' "$OUT/stats-$impl")
		fi
		cpu=nan
		[ "$reqs" -gt 0 ] && cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$clk_tck" -v n="$reqs" 'BEGIN { printf "%.2f", (b - a) / hz * 1e6 / n }')
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$impl" "$rps" "$p99" "$errs" "$allocs" "$cpu" >>"$results"
		printf 'round %s %-9s %10s req/s  p99 %8s us  errors %s  allocs/req %s  cpu us/req %s\n' "$round" "$impl" "$rps" "$p99" "$errs" "$allocs" "$cpu"
	done
done

# Medians per proxy, and the per-round ratios of volt's req/s to each
# peer's with their median.
awk -F'\t' '
	function median(a, n,    i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	NR == 1 { next }
	{ rps[$2, $1] = $3; cpu[$2, $1] = $7; al[$2, $1] = $6; rounds[$1] = 1; impls[$2] = 1; if (!($2 in order)) { order[$2] = ++ni; names[ni] = $2 } }
	END {
		nr = 0; for (r in rounds) nr++
		printf "\n%-9s %12s %12s %12s\n", "proxy", "median req/s", "cpu us/req", "allocs/req"
		for (k = 1; k <= ni; k++) {
			im = names[k]; n = 0; m = 0; q = 0
			for (r = 1; r <= nr; r++) { x[++n] = rps[im, r]; y[++m] = cpu[im, r]; z[++q] = al[im, r] }
			printf "%-9s %12.0f %12.2f %12.1f\n", im, median(x, n), median(y, m), median(z, q)
		}
		for (k = 1; k <= ni; k++) {
			im = names[k]; if (im == "volt") continue
			line = ""; n = 0
			for (r = 1; r <= nr; r++) { v = rps["volt", r] / rps[im, r]; x[++n] = v; line = line sprintf(" %.2f", v) }
			printf "volt/%-9s per round:%s  median %.2f\n", im, line, median(x, n)
		}
	}' "$results" | tee "$OUT/summary.txt"
