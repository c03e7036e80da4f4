#!/bin/bash
# Runs the HTTP module's test against a private nginx with a throw-away
# CA on 127.0.0.1:$HY_HTTP_TEST_PORT (default 23443).
#   run.sh TEST_BINARY WORKDIR
set -eu
test_bin=$1
dir=$2
port=${HY_HTTP_TEST_PORT:-23443}
rm -rf "$dir"
mkdir -p "$dir/www/.well-known" "$dir/tmp" "$dir/www/big"
cd "$dir"

openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
    -days 2 -subj "/CN=hygiene http test CA" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr \
    -subj "/CN=mta-sts.example.jp" >/dev/null 2>&1
printf 'subjectAltName=DNS:mta-sts.example.jp,DNS:*.example.jp\n' > ext.cnf
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -out srv.pem -days 2 -extfile ext.cnf >/dev/null 2>&1

printf 'version: STSv1\nmode: enforce\nmx: mx.example.jp\nmax_age: 86400\n' \
    > www/.well-known/mta-sts.txt
head -c 70000 /dev/zero | tr '\0' 'a' > www/big/file.txt
# The MTA-STS policy limit (HY_STS_POLICY_MAX, 64 KiB) and one byte more.
head -c 65536 /dev/zero | tr '\0' 'a' > www/big/limit.txt
head -c 65537 /dev/zero | tr '\0' 'a' > www/big/over.txt

cat > nginx.conf <<CONF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $dir/tmp;
	proxy_temp_path $dir/tmp;
	fastcgi_temp_path $dir/tmp;
	uwsgi_temp_path $dir/tmp;
	scgi_temp_path $dir/tmp;
	types { text/plain txt; }
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$port ssl;
		ssl_certificate $dir/srv.pem;
		ssl_certificate_key $dir/srv.key;
		root $dir/www;
		location = /redirect { return 301 https://mta-sts.example.jp/.well-known/mta-sts.txt; }
		location = /html { default_type text/html; return 200 "<html></html>"; }
	}
	server {
		listen 127.0.0.1:$port ssl;
		server_name reject.example.jp;
		ssl_reject_handshake on;
	}
}
CONF
nginx -c "$dir/nginx.conf" -p "$dir" &
ngx=$!
trap 'kill $ngx 2>/dev/null; wait $ngx 2>/dev/null || true' EXIT INT TERM
i=0
while ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 50 ] || ! kill -0 $ngx 2>/dev/null; then
		echo "nginx did not start:" >&2
		cat "$dir/error.log" >&2 || true
		exit 1
	fi
	sleep 0.1
done
HY_HTTP_TEST_PORT=$port HY_HTTP_TEST_CA=$dir/ca.pem "$test_bin"
