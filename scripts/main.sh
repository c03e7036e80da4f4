#!/bin/sh
# Set up this Debian machine, build hygiene, bring up the local test world
# (a DNSSEC-signed private root, jp. and test zones on loopback; no
# Internet needed), and run the main job over the world's domains. The
# results land in ./out/. The world is torn down afterwards.
#
# For the real Internet, see README.md: the same binary uses the system
# resolver, the IANA root trust anchors and a public RTR cache by default.
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

mkdir -p out
set -- --resolver "$HY_RESOLVER" --trust-anchor "$HY_TRUST_ANCHOR" \
	--ca-file "$HY_CA_FILE" --https-port "$HY_HTTPS_PORT" --rtr "$HY_RTR"
# shellcheck disable=SC2086
./build/hygiene check "$@" --json $HY_DOMAINS > out/check.ndjson || rc=$?
# shellcheck disable=SC2086
./build/hygiene check "$@" $HY_DOMAINS
echo "JSON results: $top/out/check.ndjson (exit status ${rc:-0})"
