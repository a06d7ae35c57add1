# lib.sh: helpers of the load scripts (load.sh, proxy.sh, floor.sh),
# which source it.

# chrome_headers: wrk arguments for the Chrome navigation headers of
# bench/requests.go (wrk adds Host).
chrome_headers=(
	-H 'Connection: keep-alive'
	-H 'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"'
	-H 'sec-ch-ua-mobile: ?0'
	-H 'sec-ch-ua-platform: "Linux"'
	-H 'Upgrade-Insecure-Requests: 1'
	-H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'
	-H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7'
	-H 'Accept-Encoding: gzip, deflate, br, zstd'
	-H 'Accept-Language: en-US,en;q=0.9'
)

# port_open PORT: whether something accepts on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# stop_pid PID: SIGTERM, then SIGKILL after 5 s; waits for it. An empty
# PID does nothing.
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# cpu_ticks PID: the CPU time (utime+stime, in clock ticks) used so far by
# PID and its descendants (nginx's worker), from /proc/*/stat: after the
# command name in parentheses (which may hold spaces), field 4 is the
# parent's pid, 14 and 15 utime and stime.
cpu_ticks() {
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
		{
			line = $0
			sub(/^.*\) /, "", line)
			split(line, f, " ")
			pid = $1 + 0
			parent[pid] = f[2] + 0
			ticks[pid] = f[12] + f[13]
		}
		END {
			for (pid in ticks) {
				for (p = pid; p > 1 && p != root; p = parent[p]) {}
				if (p == root) total += ticks[pid]
			}
			print total + 0
		}'
}

#
# nginx_conf DIR PORT prints the configuration of the nginx reference:
# one worker, no logging, keep-alive without a request limit, "Hello,
# World!" from memory on /plaintext; its pid, error log and temporary
# files go under DIR (DIR/nginx-tmp must exist).
nginx_conf() {
	local dir=$1 port=$2
	cat <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 4096; }
http {
	access_log off;
	keepalive_requests 100000000;
	keepalive_timeout 60s;
	client_body_temp_path $dir/nginx-tmp;
	proxy_temp_path $dir/nginx-tmp;
	fastcgi_temp_path $dir/nginx-tmp;
	uwsgi_temp_path $dir/nginx-tmp;
	scgi_temp_path $dir/nginx-tmp;
	server {
		listen 127.0.0.1:$port;
		location = /plaintext { default_type text/plain; return 200 "Hello, World!"; }
	}
}
CONF
}
