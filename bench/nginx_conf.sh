# nginx_conf.sh: sourced by load.sh and floor.sh.
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
