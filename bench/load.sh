#!/usr/bin/env bash
# load.sh: load-test volt, fasthttp and net/http with wrk, in alternation,
# and print medians and volt/peer ratios from the same run.
#
#   bash bench/load.sh
#
# Settings (environment):
#   ROUNDS=5            rounds; each round runs every scenario for every impl
#   DURATION=5          seconds of each measured wrk run
#   WARMUP=1            seconds of an unmeasured wrk run before it (0: none)
#   CONNS="64"          connection counts; CONNS="64 1024" adds -c1024 runs
#   DEPTH=16            pipeline depth of the pipelined scenario
#   IMPLS="volt fasthttp nethttp nginx h2o"   nginx and h2o are the C
#                       references ("return 200" from memory; a static
#                       file), started with generated configs, one worker
#                       pinned like the Go servers
#   INSTALL=1           apt-get install what is missing (wrk, nginx, h2o)
#   ENDPOINT=/plaintext path requested by the keep-alive and pipelined runs
#   HEADERS=chrome      request heads of the wrk runs: chrome sends the 10
#                       Chrome navigation headers of bench/requests.go;
#                       small sends wrk's default head alone ("GET
#                       /plaintext" with Host only), the request of the CPU
#                       per request comparisons
#   STREAMS=1           also run the streaming scenarios on the Go servers:
#                       sse (wrk keep-alive on /sse: each request is a stream
#                       of 10 events) and ws (cmd/wsload: WebSocket echo of
#                       128-byte messages, one in flight per connection);
#                       STREAMS=0 leaves them out
#   H2=1                also run the HTTP/2 scenarios with h2load over h2c
#                       (prior knowledge): h2 (GET /plaintext) and h2big
#                       (GET /big, 64 KiB), H2_CONNS connections with
#                       H2_STREAMS streams in flight on each; nginx is left
#                       out of them (its h2c needs a port of its own).
#                       H2=0 leaves them out. Needs h2load (Debian:
#                       nghttp2-client)
#   H2_CONNS=16 H2_STREAMS=32
#   PORT=18080          the server listens on 127.0.0.1:PORT
#   SERVER_CPU=0 CLIENT_CPU=1   taskset CPU lists of the server and of wrk
#   OUT=dir             where raw wrk output and results.tsv go (default: a
#                       new directory under /tmp)
#
# For each round, scenario and implementation, in that nesting (so that the
# implementations alternate: volt fasthttp nethttp volt ...), it starts a
# fresh benchserver pinned to SERVER_CPU, waits for its port, runs wrk
# pinned to CLIENT_CPU (-t1, keep-alive, the 10 Chrome request headers of
# bench/requests.go or, with HEADERS=small, wrk's bare head), stops the
# server and parses wrk's output. Every step
# is bounded by a timeout. Needs wrk (Debian: apt-get install -y wrk),
# taskset (util-linux), go, and nginx and h2o for the references; with
# INSTALL=1 it installs the missing Debian packages.
#
# Besides req/s and p99, each Go server reports the heap objects it
# allocated (runtime/metrics), divided by the requests wrk counted: the
# allocations per request under load. For every implementation, the
# server's CPU time per request is read from /proc: utime+stime of the
# server process and of its descendants (nginx's worker), in /proc/PID/stat,
# before and after the measured run (not the warm-up), divided by the
# requests wrk counted, in microseconds (cpu_us_per_req; "cpu us/req" in
# the table, with "cpu volt/impl", the median of the per-round ratios of
# volt's CPU per request to the peer's: < 1, volt uses less). With wrk
# bound by its core, req/s may hide a difference that CPU per request
# shows. results.tsv and results.csv hold every run; cmd/chart turns them
# into an SVG chart.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
CONNS=${CONNS:-64}
DEPTH=${DEPTH:-16}
IMPLS=${IMPLS:-volt fasthttp nethttp nginx h2o}
ENDPOINT=${ENDPOINT:-/plaintext}
PORT=${PORT:-18080}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
export PATH=$PATH:/usr/sbin
if [ "${INSTALL:-0}" = 1 ]; then
	missing=""
	for pair in wrk:wrk nginx:nginx-light h2o:h2o h2load:nghttp2-client; do
		command -v "${pair%%:*}" >/dev/null || missing="$missing ${pair#*:}"
	done
	if [ -n "$missing" ]; then
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq && apt-get install -y -qq $missing >/dev/null
	fi
fi
for tool in wrk taskset go timeout; do
	command -v "$tool" >/dev/null || { echo "load.sh: $tool not found (wrk: apt-get install -y wrk, or INSTALL=1)" >&2; exit 1; }
done
for ref in nginx h2o; do
	if grep -qw "$ref" <<<"$IMPLS" && ! command -v "$ref" >/dev/null; then
		echo "load.sh: $ref not found: apt-get install -y $ref, INSTALL=1, or leave it out of IMPLS" >&2
		exit 1
	fi
done
OUT=${OUT:-$(mktemp -d /tmp/volt-load.XXXXXX)}
mkdir -p "$OUT"
bin=$OUT/benchserver
results=$OUT/results.tsv

wsload=$OUT/wsload
echo "building benchserver and wsload..."
(cd "$here" && timeout 300 go build -o "$bin" ./cmd/benchserver && timeout 300 go build -o "$wsload" ./cmd/wsload)

# The Chrome navigation headers of bench/requests.go; wrk adds Host.
HEADERS=${HEADERS:-chrome}
case $HEADERS in
chrome | small) ;;
*) echo "load.sh: HEADERS=$HEADERS: want chrome or small" >&2; exit 1 ;;
esac
headers=("${chrome_headers[@]}")
[ "$HEADERS" = small ] && headers=()
url=http://127.0.0.1:$PORT$ENDPOINT

# cpu_ticks (lib.sh) counts the server and its descendants (nginx's worker).
clk_tck=$(getconf CLK_TCK)

server_pid=
stop_server() {
	stop_pid "$server_pid"
	server_pid=
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM


# Configurations of the C references: one worker, no logging, keep-alive
# without a request limit.
write_ref_configs() {
	mkdir -p "$OUT/www" "$OUT/nginx-tmp"
	printf 'Hello, World!' >"$OUT/www/plaintext"
	# /big: the 64 KiB body the Go servers send (bench.BigBody).
	awk 'BEGIN { for (i = 0; i < 65536; i++) printf "%c", 97 + i % 26 }' >"$OUT/www/big"
	nginx_conf "$OUT" "$PORT" >"$OUT/nginx.conf"
	cat >"$OUT/h2o.conf" <<EOF
num-threads: 1
user: $(id -un)
error-log: $OUT/h2o-error.log
listen:
  host: 127.0.0.1
  port: $PORT
hosts:
  default:
    paths:
      /:
        file.dir: $OUT/www
EOF
}

start_server() { # impl
	if port_open "$PORT"; then
		echo "load.sh: something already listens on 127.0.0.1:$PORT" >&2
		exit 1
	fi
	case "$1" in
	nginx) taskset -c "$SERVER_CPU" nginx -c "$OUT/nginx.conf" -p "$OUT" 2>>"$OUT/nginx-error.log" & ;;
	h2o) taskset -c "$SERVER_CPU" h2o -c "$OUT/h2o.conf" >>"$OUT/h2o-error.log" 2>&1 & ;;
	*) taskset -c "$SERVER_CPU" "$bin" -impl "$1" -addr "127.0.0.1:$PORT" -stats "$OUT/stats-$1" & ;;
	esac
	server_pid=$!
	for _ in $(seq 100); do
		port_open "$PORT" && return 0
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "load.sh: $1 server did not start on port $PORT" >&2
	exit 1
}

write_ref_configs

run_wrk() { # conns mode seconds
	local args=(-t1 "-c$1" "-d$3s" --latency --timeout 5s "${headers[@]}")
	if [ "$2" = h2 ] || [ "$2" = h2big ]; then
		local path=/plaintext
		[ "$2" = h2big ] && path=/big
		timeout $(($3 + 30)) taskset -c "$CLIENT_CPU" h2load -c "$H2_CONNS" -m "$H2_STREAMS" -D "$3" "http://127.0.0.1:$PORT$path"
	elif [ "$2" = ws ]; then
		timeout $(($3 + 30)) taskset -c "$CLIENT_CPU" "$wsload" -url "ws://127.0.0.1:$PORT/ws" -c "$1" -d "$3s"
	elif [ "$2" = sse ]; then
		timeout $(($3 + 30)) taskset -c "$CLIENT_CPU" wrk "${args[@]}" "http://127.0.0.1:$PORT/sse"
	elif [ "$2" = pipe ]; then
		timeout $(($3 + 30)) taskset -c "$CLIENT_CPU" wrk "${args[@]}" -s "$here/pipeline.lua" "$url" -- "$DEPTH" "$ENDPOINT"
	else
		timeout $(($3 + 30)) taskset -c "$CLIENT_CPU" wrk "${args[@]}" "$url"
	fi
}

# parse_wrk FILE: prints "req/s p99-in-µs errors requests" of a wrk run
# (or "messages/s p99 errors messages" of a wsload run).
parse_wrk() {
	awk '
		/^result msgs_per_sec=/ {
			for (i = 2; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] }
			printf "%s %s %d %d\n", r["msgs_per_sec"], r["p99_us"], r["errors"], r["msgs"]
			done = 1; exit
		}
		function us(v) {
			if (v ~ /us$/) return v + 0
			if (v ~ /ms$/) return (v + 0) * 1000
			if (v ~ /m$/) return (v + 0) * 60e6
			if (v ~ /s$/) return (v + 0) * 1e6
			return v + 0
		}
		/^finished in .* req\/s/ { rps = $4; h2 = 1 }
		/^requests: .* succeeded/ { reqs = $2; errs += $10 + $12; h2 = 1 }
		/^Requests\/sec:/ { rps = $2 }
		/ requests in / { reqs = $1 }
		$1 == "99%" && p99 == "" { p99 = us($2) }
		/Socket errors:/ { gsub(/,/, ""); errs += $4 + $6 + $8 + $10 }
		/Non-2xx or 3xx responses:/ { errs += $NF }
		END { if (done) exit 0; if (rps == "") exit 1; printf "%s %s %d %d\n", rps, (p99 == "" ? "nan" : p99), errs, reqs }
	' "$1"
}

H2_CONNS=${H2_CONNS:-16}
H2_STREAMS=${H2_STREAMS:-32}
modes=(plain pipe)
[ "${STREAMS:-1}" = 1 ] && modes+=(sse ws)
if [ "${H2:-1}" = 1 ]; then
	command -v h2load >/dev/null || { echo "load.sh: h2load not found (apt-get install -y nghttp2-client, INSTALL=1, or H2=0)" >&2; exit 1; }
	modes+=(h2 h2big)
fi
# is_ref IMPL: the C references serve only the plain endpoints.
is_ref() { [ "$1" = nginx ] || [ "$1" = h2o ]; }
# skip IMPL MODE: fasthttp has no HTTP/2, nginx's h2c needs its own port,
# the C references do no streams.
skip() {
	case "$2" in
	h2 | h2big) [ "$1" = fasthttp ] || [ "$1" = nginx ] ;;
	sse | ws) is_ref "$1" ;;
	*) return 1 ;;
	esac
}
n_per_round=0
for mode in "${modes[@]}"; do
	for impl in $IMPLS; do skip "$impl" "$mode" || n_per_round=$((n_per_round + 1)); done
done
n_runs=$((ROUNDS * $(wc -w <<<"$CONNS") * n_per_round))
echo "$n_runs runs of ${DURATION}s (+${WARMUP}s warm-up); server on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU; output in $OUT"
printf 'round\tscenario\timpl\trps\tp99_us\terrors\tallocs_per_req\tcpu_us_per_req\n' >"$results"
i=0
for round in $(seq "$ROUNDS"); do
	for conns in $CONNS; do
		for mode in "${modes[@]}"; do
			case $mode in
			pipe) scenario="pipeline$DEPTH-c$conns" ;;
			plain) scenario="keepalive-c$conns" ;;
			h2 | h2big) scenario="$mode-c${H2_CONNS}m$H2_STREAMS" ;;
			*) scenario="$mode-c$conns" ;;
			esac
			for impl in $IMPLS; do
				if skip "$impl" "$mode"; then
					continue
				fi
				i=$((i + 1))
				start_server "$impl"
				warm=$OUT/w$round-$scenario-$impl.txt
				: >"$warm"
				if [ "$WARMUP" != 0 ]; then
					run_wrk "$conns" "$mode" "$WARMUP" >"$warm" 2>&1 || true
				fi
				raw=$OUT/r$round-$scenario-$impl.txt
				ticks0=$(cpu_ticks "$server_pid")
				if ! run_wrk "$conns" "$mode" "$DURATION" >"$raw" 2>&1; then
					echo "load.sh: wrk failed for $impl $scenario (round $round); see $raw" >&2
				fi
				ticks1=$(cpu_ticks "$server_pid")
				rm -f "$OUT/stats-$impl"
				stop_server
				if read -r rps p99 errs reqs < <(parse_wrk "$raw"); then
					# Requests the server served in its life: warm-up and run.
					wreqs=$(awk '/ requests in / { print $1 } /^requests: .* succeeded/ { print $2 } /^result / { sub(/.*msgs=/, ""); print }' "$warm")
					apr=nan
					if [ -s "$OUT/stats-$impl" ]; then
						apr=$(awk -v n="$((reqs + ${wreqs:-0}))" '/heap_allocs_objects/ { printf "%.3f", $2 / n }' "$OUT/stats-$impl")
					fi
					cpr=$(awk -v t="$((ticks1 - ticks0))" -v hz="$clk_tck" -v n="$reqs" 'BEGIN { if (n > 0) printf "%.3f", t / hz / n * 1e6; else print "nan" }')
					printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$scenario" "$impl" "$rps" "$p99" "$errs" "$apr" "$cpr" >>"$results"
					printf '[%d/%d] round %d %-18s %-9s %12.0f req/s  p99 %8.0f us  allocs/req %s  cpu us/req %s%s\n' \
						"$i" "$n_runs" "$round" "$scenario" "$impl" "$rps" "$p99" "$apr" "$cpr" \
						"$([ "$errs" -gt 0 ] && echo "  ($errs errors)")"
				else
					echo "[$i/$n_runs] round $round $scenario $impl: no result (see $raw)" >&2
				fi
			done
		done
	done
done

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# ratios SCENARIO PEER [COLUMN]: the per-round ratios volt/PEER of a
# column of results.tsv (4: req/s, the default; 8: CPU per request), one a
# line.
ratios() {
	awk -F'\t' -v s="$1" -v peer="$2" -v col="${3:-4}" '
		NR > 1 && $2 == s && $3 == "volt" && $col != "nan" { v[$1] = $col }
		NR > 1 && $2 == s && $3 == peer && $col != "nan" { p[$1] = $col }
		END { for (r in v) if ((r in p) && p[r] > 0) print v[r] / p[r] }
	' "$results"
}

echo
echo "Medians over $ROUNDS rounds (wrk -t1, ${DURATION}s per run; pipelined latency is per batch of $DEPTH)."
echo "volt/impl is the median over rounds of the per-round ratio of req/s (> 1: volt faster)."
echo "cpu us/req: server CPU time (utime+stime) per request in the measured run; cpu volt/impl: the"
echo "median of its per-round ratios (< 1: volt uses less CPU per request). Request heads: $HEADERS."
echo "sse: req/s counts streams of 10 events; ws: req/s counts echoed messages, p99 their round trip."
echo "h2, h2big: h2load over h2c, $H2_CONNS connections x $H2_STREAMS streams; h2load reports no p99."
printf '%-18s %-9s %12s %12s %10s %11s %11s %14s\n' scenario impl 'req/s' 'p99 (us)' 'volt/impl' 'allocs/req' 'cpu us/req' 'cpu volt/impl'
for scenario in $(awk -F'\t' 'NR > 1 && !seen[$2]++ { print $2 }' "$results"); do
	for impl in $IMPLS; do
		awk -F'\t' -v s="$scenario" -v m="$impl" 'NR > 1 && $2 == s && $3 == m { f = 1 } END { exit !f }' "$results" || continue
		rps=$(awk -F'\t' -v s="$scenario" -v m="$impl" 'NR > 1 && $2 == s && $3 == m { print $4 }' "$results" | median)
		p99=$(awk -F'\t' -v s="$scenario" -v m="$impl" 'NR > 1 && $2 == s && $3 == m { print $5 }' "$results" | median)
		apr=$(awk -F'\t' -v s="$scenario" -v m="$impl" 'NR > 1 && $2 == s && $3 == m && $7 != "nan" { print $7 }' "$results" | median)
		cpr=$(awk -F'\t' -v s="$scenario" -v m="$impl" 'NR > 1 && $2 == s && $3 == m && $8 != "nan" { print $8 }' "$results" | median)
		ratio=- cratio=-
		if [ "$impl" != volt ] && grep -qw volt <<<"$IMPLS"; then
			ratio=$(ratios "$scenario" "$impl" | median)
			ratio=$(awk -v r="$ratio" 'BEGIN { printf "%.2f", r }')
			cratio=$(ratios "$scenario" "$impl" 8 | median)
			cratio=$(awk -v r="$cratio" 'BEGIN { printf "%.2f", r }')
		fi
		printf '%-18s %-9s %12.0f %12.0f %10s %11s %11s %14s\n' "$scenario" "$impl" "$rps" "$p99" "$ratio" "$apr" "$cpr" "$cratio"
	done
done
tr '\t' ',' <"$results" >"$OUT/results.csv"
errs=$(awk -F'\t' 'NR > 1 { e += $6 } END { print e + 0 }' "$results")
if [ "$errs" -gt 0 ]; then
	echo "warning: wrk reported $errs socket errors or non-2xx responses in total; see $results"
fi
echo "raw results: $results (and results.csv)"
