#!/bin/sh
# Install every Debian package that hygiene's build, tests and benchmarks need.
# Idempotent: packages already present are skipped by apt. Must run as root
# (or through sudo) on Debian 12 or later.
set -eu

# The last line is for the reports: stats.xlsx (libxlsxwriter), read back
# by the tests with openpyxl; the HTML rendered and printed to PDF in
# headless Chromium with Japanese fonts, the PDF's text read by poppler.
PKGS="build-essential pkg-config cmake git
librtr-dev libldns-dev ldnsutils libc-ares-dev libcurl4-openssl-dev
libcmocka-dev libpsl-dev libidn2-dev libjansson-dev libsqlite3-dev zlib1g-dev
libbz2-dev bgpdump
libssl-dev nsd unbound stayrtr nginx-light openssl python3 python3-yaml
python3-jsonschema python3-cryptography python3-dnspython dnsperf clang libclang-rt-14-dev spfquery dnsviz
python3-pygraphviz
libxlsxwriter-dev python3-openpyxl chromium poppler-utils fonts-noto-cjk"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "bootstrap: all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo "$0" "$@"
	fi
	echo "bootstrap: missing packages:$missing" >&2
	echo "bootstrap: run this script as root to install them" >&2
	exit 1
fi

echo "bootstrap: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -q || ! apt-get install -y -q --no-install-recommends $missing; then
	echo "bootstrap: apt-get could not install:$missing" >&2
	echo "bootstrap: check network access to the Debian mirror and try again" >&2
	exit 1
fi
# The test world runs its own daemons; the packaged services must not hold
# the default ports or eat CPU.
for s in nsd unbound nginx; do
	if command -v systemctl >/dev/null 2>&1; then
		systemctl disable --now "$s" >/dev/null 2>&1 || true
	fi
done
echo "bootstrap: done"
