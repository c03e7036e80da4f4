#!/bin/sh
# Survey throughput and memory against the local world's unbound, with
# dnsperf's rate against the same resolver in the same run.
#
#   bench/survey/run.sh [BUILD_DIR] [SIGNED] [NAMES] [CONCURRENCY]
#
# The world gets SIGNED DNSSEC-signed zones z1..zN.bench.jp (each with MX
# and SPF) and NAMES unsigned host names in names.bench.jp. A first survey
# over every domain warms the resolver (its figures are printed as the
# first pass); then two surveys run over the cache-warm resolver:
#   small: the signed zones plus the first 5,000 - SIGNED names (5,000);
#   large: every domain (SIGNED + NAMES, 50,000 by default).
# For each: domains/s, DNS queries/s (queries that reached the wire, from
# the survey's own summary), peak RSS. Every probe runs: DNSSEC (with the
# world's trust anchor), SPF, DMARC, MTA-STS, TLS-RPT, and RPKI (stayrtr,
# a small routes file) with per-ISP RPKI figures. Then dnsperf replays the survey's
# query mix (NS and MX of every domain, A of the MX host) with the same
# concurrency, and the survey's queries/s is given as a fraction of it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-$top/build}
signed=${2:-2500}
names=${3:-47500}
conc=${4:-200}
small=5000
dir=$(mktemp -d /tmp/hygiene-surveybench.XXXXXX)
base=${HY_BENCH_PORT_BASE:-25200}

cleanup() { /usr/bin/python3 "$top/tests/world/world.py" down "$dir/world" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

t0=$(date +%s)
/usr/bin/python3 "$top/tests/world/world.py" up "$dir/world" --port-base "$base" \
	--bulk-signed "$signed" --bulk-names "$names" >/dev/null
echo "world up with $signed signed zones and $names names in $(( $(date +%s) - t0 )) s" >&2
. "$dir/world/world.env"
host=${HY_RESOLVER%:*}
port=${HY_RESOLVER##*:}

cat "$dir/world/bulk-zones.txt" "$dir/world/bulk-names.txt" > "$dir/all.txt"
head -n "$small" "$dir/all.txt" > "$dir/small.txt"
# Two ISPs owning a few of the zones, so attribution and per-ISP
# statistics are part of the work.
cat > "$dir/isps.json" <<JSON
{"isps": [
 {"id": "bench-a", "name": "Bench A", "name_ja": "ベンチA", "asns": [64500], "domains": ["z1.bench.jp", "z2.bench.jp"]},
 {"id": "bench-b", "name": "Bench B", "name_ja": "ベンチB", "asns": [64501], "domains": ["z3.bench.jp"]}
]}
JSON
# Origins for the RPKI probe and per-ISP figures: every world server is
# in 127/8 or ::1, announced by bench-a, so every domain is "hosted".
printf '127.0.0.0/8\t64500\n::1/128\t64500\n192.0.2.0/24\t64500\n' > "$dir/routes.txt"
# The survey's query mix for dnsperf: the check core's NS and MX, the MX
# hosts' A, and the mail probes' TXT lookups (SPF at the domain, _dmarc,
# _mta-sts, _smtp._tls).
mix() {
	awk '{print $1" NS"; print $1" MX"; print $1" TXT";
	      print "_dmarc."$1" TXT"; print "_mta-sts."$1" TXT";
	      print "_smtp._tls."$1" TXT"}' "$1"
	sed -n 's/^\(z[0-9]*\.bench\.jp\)$/mx.\1 A/p' "$1"
}
mix "$dir/all.txt" > "$dir/q-all.txt"
mix "$dir/small.txt" > "$dir/q-small.txt"

# Warm the resolver with every query both tools will ask.
dnsperf -s "$host" -p "$port" -d "$dir/q-all.txt" -c 4 -q "$conc" -n 1 >/dev/null 2>&1

survey() { # LIST MONTH
	/usr/bin/python3 - "$build/hygiene" "$dir" "$1" "$2" "$HY_RESOLVER" "$conc" "$HY_TRUST_ANCHOR" "$HY_RTR" <<'PY'
import json, resource, subprocess, sys, time
hy, d, lst, month, resolver, conc, anchor, rtr = sys.argv[1:]
t = time.monotonic()
p = subprocess.run([hy, "survey", "--isps", d + "/isps.json", "--domains", lst,
                    "--out", d + "/out/" + month, "--month", month,
                    "--resolver", resolver, "--concurrency", conc,
                    "--trust-anchor", anchor, "--rtr", rtr,
                    "--routes", d + "/routes.txt",
                    "--timeout", "10"], capture_output=True, text=True)
wall = time.monotonic() - t
if p.returncode not in (0, 3):
    sys.exit("survey failed: " + p.stderr)
line = p.stdout
n = int(line.split(": ")[1].split(" domains")[0])
q = int(line.split(" DNS queries")[0].rsplit(" ", 1)[1])
inc = int(line.split(" could not")[0].rsplit(" ", 1)[1])
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"domains": n, "incomplete": inc, "queries": q, "wall": wall,
                  "cpu": ru.ru_utime + ru.ru_stime, "rss_kb": ru.ru_maxrss}))
PY
}
perf() { # QUERYFILE
	dnsperf -s "$host" -p "$port" -d "$1" -c 4 -q "$conc" -n 1 2>&1 |
		awk '/Queries per second/ {print $4}'
}
# A first survey over every domain fills the resolver's cache with the
# rest of what a survey asks (DNSKEY, DS, the MTA-STS and TLS-RPT names);
# it is reported as the first pass. The bulk zones keep negative answers
# an hour, so the cache stays warm for the timed surveys. Each survey is
# followed at once by dnsperf over its query mix, so both see the same
# cache state.
c=$(survey "$dir/all.txt" 2025-12)
s=$(survey "$dir/small.txt" 2026-01)
ps=$(perf "$dir/q-small.txt")
l=$(survey "$dir/all.txt" 2026-02)
pl=$(perf "$dir/q-all.txt")

/usr/bin/python3 - "$s" "$l" "$ps" "$pl" "$conc" "$signed" "$c" <<'PY'
import json, sys
s, l, c = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[7])
ps, pl, conc, signed = float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
print(f"resolver: world unbound, concurrency {conc}, {signed} signed zones")
for name, r in (("first pass (untimed warm-up)", c), ("small", s), ("large", l)):
    print(f"{name}: {r['domains']} domains in {r['wall']:.2f} s = {r['domains'] / r['wall']:.0f} domains/s, "
          f"{r['queries']} queries = {r['queries'] / r['wall']:.0f} queries/s, "
          f"CPU {r['cpu']:.2f} s, peak RSS {r['rss_kb'] / 1024:.1f} MiB, "
          f"{r['incomplete']} not fully measured")
print(f"dnsperf right after each survey, same query mix: small {ps:.0f}, large {pl:.0f} queries/s")
print(f"survey/dnsperf queries/s: small {s['queries'] / s['wall'] / ps:.2f}, large {l['queries'] / l['wall'] / pl:.2f}")
print(f"RSS growth 5k -> {l['domains']}: {100.0 * (l['rss_kb'] - s['rss_kb']) / s['rss_kb']:.1f}% (target: flat, < 200 MiB)")
PY
