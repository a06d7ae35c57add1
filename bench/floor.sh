#!/usr/bin/env bash
# floor.sh: server CPU per request on small keep-alive requests (wrk's
# bare "GET /plaintext"), for volt, fasthttp and nginx, and for the floors
# of cmd/floorserver: servers that answer every request with a canned
# response and do no HTTP work, in the serving models a Go server can use
# (a goroutine per connection, reading with Read or serving from inside
# one RawConn.Read callback as volt does; an epoll instance of its own,
# serving inline or waking a goroutine per connection). It shows how much of the
# CPU per request is the kernel's and the serving model's before any HTTP
# code runs, next to what volt spends.
#
#   bash bench/floor.sh
#
# Settings (environment):
#   ROUNDS=5 DURATION=5 WARMUP=1 CONNS=64
#   IMPLS="fasthttp nginx volt goroutine held epoll epoll-workers"
#   BASE=fasthttp        ratios are to this implementation, per round
#   SYSCALLS=1           also count system calls per request, once per
#                        implementation, with perf stat's syscall
#                        tracepoints (needs perf and root; 0: skip)
#   PORT=18080 SERVER_CPU=0 CLIENT_CPU=1 OUT=dir
#
# Each round runs every implementation in turn (so they alternate), each
# in a fresh server pinned to SERVER_CPU, loaded by wrk -t1 pinned to
# CLIENT_CPU. CPU per request is utime+stime of the server and its
# children (nginx's worker) from /proc/PID/stat around the measured run,
# divided by the requests wrk counted. Needs wrk, taskset, go, nginx for
# the nginx row. Linux only.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
CONNS=${CONNS:-64}
IMPLS=${IMPLS:-fasthttp nginx volt goroutine held epoll epoll-workers}
BASE=${BASE:-fasthttp}
SYSCALLS=${SYSCALLS:-1}
PORT=${PORT:-18080}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
export PATH=$PATH:/usr/sbin
for tool in wrk taskset go timeout; do
	command -v "$tool" >/dev/null || { echo "floor.sh: $tool not found" >&2; exit 1; }
done
if grep -qw nginx <<<"$IMPLS" && ! command -v nginx >/dev/null; then
	echo "floor.sh: nginx not found: apt-get install -y nginx-light, or leave it out of IMPLS" >&2
	exit 1
fi
OUT=${OUT:-$(mktemp -d /tmp/volt-floor.XXXXXX)}
mkdir -p "$OUT/nginx-tmp"
echo "building benchserver and floorserver into $OUT..."
(cd "$here" && timeout 300 go build -o "$OUT/benchserver" ./cmd/benchserver && timeout 300 go build -o "$OUT/floorserver" ./cmd/floorserver)
nginx_conf "$OUT" "$PORT" >"$OUT/nginx.conf"
url=http://127.0.0.1:$PORT/plaintext

start() { # impl: starts it pinned, sets pid
	if port_open "$PORT"; then
		echo "floor.sh: something already listens on 127.0.0.1:$PORT" >&2
		exit 1
	fi
	case $1 in
	volt | fasthttp | nethttp) taskset -c "$SERVER_CPU" "$OUT/benchserver" -impl "$1" -addr "127.0.0.1:$PORT" >/dev/null 2>&1 & ;;
	goroutine | held | epoll | epoll-workers) taskset -c "$SERVER_CPU" "$OUT/floorserver" -mode "$1" -addr "127.0.0.1:$PORT" >/dev/null 2>&1 & ;;
	nginx) taskset -c "$SERVER_CPU" nginx -c "$OUT/nginx.conf" -p "$OUT" 2>>"$OUT/nginx-error.log" & ;;
	*) echo "floor.sh: unknown implementation $1" >&2; exit 1 ;;
	esac
	pid=$!
	for _ in $(seq 1 100); do port_open "$PORT" && return 0; sleep 0.05; done
	echo "floor.sh: $1 did not start" >&2
	exit 1
}

stop() {
	stop_pid "$pid"
	for _ in $(seq 1 100); do port_open "$PORT" || return 0; sleep 0.05; done
}

# pids PID: PID and its children, comma-separated (for perf stat -p).
pids() {
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v p="$1" '
		{ s = $0; sub(/^.*\) /, "", s); split(s, f, " ") }
		$1 == p || f[2] == p { printf "%s%s", sep, $1; sep = "," }'
}

hz=$(getconf CLK_TCK)
results=$OUT/results.tsv
: >"$results"
for round in $(seq 1 "$ROUNDS"); do
	line="round $round:"
	for impl in $IMPLS; do
		start "$impl"
		[ "$WARMUP" = 0 ] || timeout 60 taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"${WARMUP}s" "$url" >/dev/null
		a=$(cpu_ticks "$pid")
		timeout 120 taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"${DURATION}s" "$url" >"$OUT/wrk-$round-$impl.txt"
		b=$(cpu_ticks "$pid")
		stop
		reqs=$(awk '/requests in/ { print $1 }' "$OUT/wrk-$round-$impl.txt")
		rps=$(awk '/Requests\/sec/ { print $2 }' "$OUT/wrk-$round-$impl.txt")
		us=$(awk -v a="$a" -v b="$b" -v n="$reqs" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) * 1e6 / hz / n }')
		printf '%s\t%s\t%s\t%s\n' "$round" "$impl" "$us" "$rps" >>"$results"
		line="$line $impl=${us}us"
	done
	echo "$line"
done

echo
echo "CPU per request (us), median of $ROUNDS rounds, and the per-round ratios to $BASE:"
for impl in $IMPLS; do
	awk -F'\t' -v impl="$impl" -v base="$BASE" '
		$2 == base { b[$1] = $3 }
		$2 == impl { v[$1] = $3 }
		function median(a, n,   i, j, t) {
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
			return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
		}
		END {
			n = 0; rs = ""
			for (r in v) { n++; us[n] = v[r] }
			m = 0
			for (r = 1; r <= n; r++) if (r in b) { m++; ra[m] = v[r] / b[r]; rs = rs sprintf(" %.2f", ra[m]) }
			if (m == 0) { printf "  %-14s %6.2f us   (no %s runs to compare with)\n", impl, median(us, n), base; exit }
			printf "  %-14s %6.2f us   %s/%s %.2f  (%s )\n", impl, median(us, n), impl, base, median(ra, m), rs
		}' "$results"
done

if [ "$SYSCALLS" = 1 ]; then
	perf list 2>/dev/null >"$OUT/perf-list.txt" || true
	if ! grep -q 'syscalls:sys_enter_read ' "$OUT/perf-list.txt"; then
		echo "floor.sh: SYSCALLS=1 needs perf with syscall tracepoints (root); skipped" >&2
		exit 0
	fi
	echo
	echo "System calls per request (perf stat over ${DURATION}s of load):"
	events="raw_syscalls:sys_enter syscalls:sys_enter_read syscalls:sys_enter_recvfrom syscalls:sys_enter_write syscalls:sys_enter_writev syscalls:sys_enter_epoll_wait syscalls:sys_enter_epoll_pwait"
	printf '  %-14s %6s %6s %6s %6s\n' impl total reads writes epoll
	for impl in $IMPLS; do
		start "$impl"
		sleep 0.2
		taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"$((DURATION + 2))s" "$url" >"$OUT/wrk-sys-$impl.txt" &
		wrkpid=$!
		sleep 1
		perf stat -x, $(printf -- '-e %s ' $events) -p "$(pids "$pid")" -o "$OUT/perf-$impl.csv" -- sleep "$DURATION" >/dev/null 2>&1
		wait "$wrkpid"
		stop
		rps=$(awk '/Requests\/sec/ { print $2 }' "$OUT/wrk-sys-$impl.txt")
		awk -F, -v impl="$impl" -v n="$(awk -v r="$rps" -v d="$DURATION" 'BEGIN { print r * d }')" '
			/^[0-9]/ { c[$3] = $1 }
			END {
				printf "  %-14s %6.2f %6.2f %6.2f %6.2f\n", impl, c["raw_syscalls:sys_enter"] / n,
					(c["syscalls:sys_enter_read"] + c["syscalls:sys_enter_recvfrom"]) / n,
					(c["syscalls:sys_enter_write"] + c["syscalls:sys_enter_writev"]) / n,
					(c["syscalls:sys_enter_epoll_wait"] + c["syscalls:sys_enter_epoll_pwait"]) / n
			}' "$OUT/perf-$impl.csv"
	done
fi
