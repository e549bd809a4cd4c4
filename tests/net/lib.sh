# net/lib.sh - servers for the fetch tests: nginx on 127.0.0.1 and the
# fault-injecting server (faultserver.py); sourced by tests/cli/fetch_*.sh.
# SPDX-License-Identifier: BSD-2-Clause
#
#   free_port                  a TCP port nobody listens on now
#   serve_nginx ROOT [tls]     nginx serving ROOT on 127.0.0.1:$PORT with
#                              its access log in $T/nginx/access.log
#                              ("URI STATUS BYTES" lines); tls: HTTPS with
#                              a throwaway CA ($T/ca/ca.crt) made by openssl
#   serve_faults ROOT RULES    faultserver.py on $PORT, log $T/fault.log
#   serve_proxy                connectproxy.py (an HTTPS proxy) on
#                              $PROXY_PORT, request lines in $T/proxy.log
#   unpacked SPEC DIR          depot unpack of the fixture SPEC into DIR
#   stop_servers               (a trap runs it when the test ends)

NGINX=$(command -v nginx || echo /usr/sbin/nginx)

free_port() {
	"$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

stop_servers() {
	for pidf in "$T/nginx/nginx.pid" "$T/fault.pid" "$T/proxy.pid"; do
		[ -s "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null
	done
	return 0
}

# wait_port PORT: until something accepts on 127.0.0.1:PORT (5 s).
wait_port() {
	"$PYTHON" - "$1" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# make_ca DIR: a root CA and a server certificate for 127.0.0.1.
make_ca() {
	mkdir -p "$1" && (
		cd "$1" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		    -keyout ca.key -out ca.crt -subj "/CN=esxstage test CA" \
		    -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null &&
		openssl req -new -newkey rsa:2048 -nodes -keyout srv.key \
		    -out srv.csr -subj "/CN=127.0.0.1" 2>/dev/null &&
		printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' \
		    >ext.cnf &&
		openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key \
		    -CAcreateserial -days 2 -extfile ext.cnf -out srv.crt \
		    2>/dev/null
	)
}

serve_nginx() {
	root=$1 tls=${2:-}
	[ -x "$NGINX" ] || { skip "nginx is not installed (scripts/deps.sh installs it)"; return 1; }
	PORT=$(free_port)
	mkdir -p "$T/nginx"
	user=""
	[ "$(id -u)" = 0 ] && user="user root root;"
	listen="listen 127.0.0.1:$PORT;"
	if [ "$tls" = tls ]; then
		make_ca "$T/ca" || { echo "  openssl could not make the CA"; return 1; }
		listen="listen 127.0.0.1:$PORT ssl;
		ssl_certificate $T/ca/srv.crt;
		ssl_certificate_key $T/ca/srv.key;"
	fi
	cat >"$T/nginx/nginx.conf" <<CONF
$user
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	log_format t '\$request_uri \$status \$body_bytes_sent';
	client_body_temp_path $T/nginx/body;
	proxy_temp_path $T/nginx/proxy;
	fastcgi_temp_path $T/nginx/fastcgi;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
	types { application/zip zip; text/xml xml; }
	default_type application/octet-stream;
	server {
		$listen
		access_log $T/nginx/access.log t;
		root $root;
	}
}
CONF
	"$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" \
	    -e "$T/nginx/error.log" 2>"$T/nginx/start.log" || {
		if grep -q 'Permission denied\|not permitted' "$T/nginx/start.log"; then
			skip "nginx cannot start here: $(head -1 "$T/nginx/start.log")"
		else
			echo "  nginx did not start:"; sed 's/^/  | /' "$T/nginx/start.log"
		fi
		return 1
	}
	trap stop_servers EXIT
	wait_port "$PORT" || { echo "  nginx is not listening"; return 1; }
}

serve_faults() {
	PORT=$(free_port)
	"$PYTHON" "$TOP/tests/net/faultserver.py" "$PORT" "$1" "$2" \
	    "$T/fault.log" >"$T/fault.out" 2>&1 &
	echo $! >"$T/fault.pid"
	trap stop_servers EXIT
	wait_port "$PORT" || { echo "  faultserver did not start"; cat "$T/fault.out"; return 1; }
}

serve_proxy() {
	PROXY_PORT=$(free_port)
	"$PYTHON" "$TOP/tests/net/connectproxy.py" "$PROXY_PORT" \
	    "$T/proxy.log" >"$T/proxy.out" 2>&1 &
	echo $! >"$T/proxy.pid"
	trap stop_servers EXIT
	# wait_port's connection sends no request: it logs no line.
	wait_port "$PROXY_PORT" || { echo "  connectproxy did not start"; cat "$T/proxy.out"; return 1; }
}

# fault_logged PATTERN PID: wait (up to 20 s) until the fault server's log
# has a line matching PATTERN; if it never comes, kill PID and fail.
fault_logged() {
	i=0
	until grep -q "$1" "$T/fault.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "  the stalled request never came"; kill "$2"; return 1; }
		sleep 0.1
	done
}

unpacked() {
	"$DEPOT" unpack "$(fixture "$1")" "$2" >/dev/null ||
	    { echo "  depot unpack $1 failed"; return 1; }
}
