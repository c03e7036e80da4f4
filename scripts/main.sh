#!/bin/sh
# Set up this Debian machine, build hygiene, bring up the local test world
# (a DNSSEC-signed private root, jp. and test zones, a validating resolver,
# an RTR cache and HTTPS on loopback; no Internet needed) and run the main
# job there: the monthly survey of a demonstration ISP list
# (tests/world/demo-isps.json) plus every world domain. Results land in
# ./out/MONTH/ (results.ndjson, stats.json, report.html, report-ja.html,
# the CSV tables, stats.xlsx, sheets/) with the history in
# ./out/history.sqlite.
# The world is torn down afterwards.
#
# On the real Internet the same command line without the world options
# uses the system resolver, the IANA root trust anchors and a public RTR
# cache: see README.md.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

sh scripts/bootstrap.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null

world=$(mktemp -d /tmp/hygiene-world.XXXXXX)
cleanup() { /usr/bin/python3 tests/world/world.py down "$world" >/dev/null 2>&1 || true; rm -rf "$world"; }
trap cleanup EXIT INT TERM
/usr/bin/python3 tests/world/world.py up "$world" --port-base "${HY_PORT_BASE:-17300}" >/dev/null
. "$world/world.env"

month=$(date -u +%Y-%m)
mkdir -p out
rm -rf "out/$month"
rm -f out/history.sqlite
printf '%s\n' $HY_DOMAINS > "$world/domains.txt"
rc=0
./build/hygiene survey --isps tests/world/demo-isps.json \
	--domains "$world/domains.txt" --out "out/$month" --month "$month" \
	--db out/history.sqlite --timeout 5 \
	--resolver "$HY_RESOLVER" --trust-anchor "$HY_TRUST_ANCHOR" \
	--ca-file "$HY_CA_FILE" --https-port "$HY_HTTPS_PORT" \
	--rtr "$HY_RTR" --routes tests/world/demo-routes.txt || rc=$?
echo "survey results: $top/out/$month/ (exit status $rc; 3 means some" \
	"world domains are deliberately unmeasurable)"
