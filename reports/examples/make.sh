#!/bin/sh
# Regenerate reports/examples/: three monthly surveys (2026-10, 2026-11,
# 2026-12) of the local test world over the demonstration ISP list, with
# the world's zones and VRPs changed between the months, then every
# report of December from the history, each ISP's remediation sheet and
# screenshots of the Japanese report and one sheet (headless Chromium).
#
#   sh reports/examples/make.sh [HYGIENE]      (default build/hygiene)
#
# HY_PORT_BASE sets the world's ports (default 17400, ten from there).
# Needs the packages of scripts/bootstrap.sh; no Internet. About a
# minute. The world runs from a copy of tests/world, so the edits below
# never touch the source tree:
#   2026-11  unsigned.jp publishes SPF (-all) and DMARC p=none with rua;
#            insecure-no-ds.jp gets its DS (DNSSEC secure).
#   2026-12  unsigned.jp moves to p=quarantine; sts-testing.jp's MTA-STS
#            policy moves to enforce; World ISP C's ROAs are fixed
#            (203.0.113.0/24 to AS64502 instead of AS0, a ROA for
#            127.0.0.2/32).
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)
hy=$(cd "$(dirname "${1:-build/hygiene}")" && pwd)/$(basename "${1:-build/hygiene}")
port=${HY_PORT_BASE:-17400}
py=/usr/bin/python3
ex=$top/reports/examples

tmp=$(mktemp -d /tmp/hygiene-examples.XXXXXX)
cleanup() {
	$py "$tmp/src/world.py" down "$tmp/w" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cp -r tests/world "$tmp/src"
zone() { find "$tmp/src/zones" -name "$1.zone"; }

edit_month() {
	case $1 in
	2026-11)
		printf '%s\n' '@ TXT "v=spf1 mx -all"' \
		    '_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc@unsigned.jp"' \
		    >> "$(zone unsigned.jp)"
		sed -i 's/ds=no/ds=yes/' "$(zone insecure-no-ds.jp)"
		;;
	2026-12)
		sed -i 's/p=none; rua/p=quarantine; rua/' "$(zone unsigned.jp)"
		sed -i 's/id=1/id=2/' "$(zone sts-testing.jp)"
		sed -i 's/mode: testing/mode: enforce/' \
		    "$tmp/src/https/mta-sts.sts-testing.jp/.well-known/mta-sts.txt"
		$py - "$tmp/src/vrps.json" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
for r in v["roas"]:
    if r["prefix"] == "203.0.113.0/24":
        r["asn"] = "AS64502"
v["roas"].append({"prefix": "127.0.0.2/32", "maxLength": 32, "asn": "AS64502"})
json.dump(v, open(sys.argv[1], "w"), indent=1)
EOF
		;;
	esac
}

out=$tmp/out
mkdir -p "$out"
for month in 2026-10 2026-11 2026-12; do
	edit_month $month
	$py "$tmp/src/world.py" up "$tmp/w" --port-base "$port" >/dev/null
	. "$tmp/w/world.env"
	printf '%s\n' $HY_DOMAINS > "$tmp/domains.txt"
	rc=0
	"$hy" survey --isps tests/world/demo-isps.json \
	    --domains "$tmp/domains.txt" --out "$out/$month" --month "$month" \
	    --db "$out/history.sqlite" --timeout 5 --qps 500 \
	    --resolver "$HY_RESOLVER" --trust-anchor "$HY_TRUST_ANCHOR" \
	    --ca-file "$HY_CA_FILE" --https-port "$HY_HTTPS_PORT" \
	    --rtr "$HY_RTR" --routes tests/world/demo-routes.txt || rc=$?
	# 3: some world domains are unmeasurable on purpose
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || exit $rc
	$py "$tmp/src/world.py" down "$tmp/w" >/dev/null
done

# December from the history, compared with November.
find "$ex" -maxdepth 2 -type f ! -name README.md ! -name make.sh -delete
d=$out/2026-12
cp "$d/report.html" "$ex/report-2026-12.en.html"
cp "$d/report-ja.html" "$ex/report-2026-12.ja.html"
cp "$d/stats.csv" "$d/domains.csv" "$d/rpki.csv" "$d/findings.csv" \
    "$d/stats.xlsx" "$ex/"
mkdir -p "$ex/sheets"
cp "$d"/sheets/* "$ex/sheets/"
r() { "$hy" report --db "$out/history.sqlite" --month 2026-12 \
    --compare 2026-11 "$@"; }
r --format md --lang ja > "$ex/report-2026-12.ja.md"
r --format md --lang en > "$ex/report-2026-12.en.md"
r --format json > "$ex/report-2026-12.json"

# Pictures: the top of the Japanese report (summary and the first
# charts) and World ISP B's remediation sheet.
shot() {
	chromium --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --no-first-run --user-data-dir="$tmp/profile-$1" \
	    --hide-scrollbars --window-size="$3" --screenshot="$ex/$1" \
	    "file://$2" >/dev/null 2>&1
}
shot report-2026-12.ja.png "$ex/report-2026-12.ja.html" 860,1900
shot sheet-world-b.ja.png "$ex/sheets/world-b.ja.html" 860,1500
chromium --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$tmp/profile-pdf" \
    --no-pdf-header-footer --print-to-pdf="$tmp/report.pdf" \
    "file://$ex/report-2026-12.ja.html" >/dev/null 2>&1
pages=$(pdfinfo "$tmp/report.pdf" | sed -n 's/^Pages: *//p')
echo "examples: $ex (report-2026-12.ja.html prints on $pages A4 pages)"
