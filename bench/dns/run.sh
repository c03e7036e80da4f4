#!/bin/sh
# Engine throughput and memory against dnsperf, same run, same resolver,
# same names, same concurrency.
#
#   bench/dns/run.sh [BUILD_DIR] [NAMES] [CONCURRENCY]
#
# Brings up the local world with a zone of 200,000 names (or NAMES*10),
# warms unbound's cache, then measures:
#   1. dnsperf over the first NAMES names   (queries/s)
#   2. the engine over the same NAMES names (queries/s, peak RSS)
#   3. the engine over all the names        (peak RSS: must stay flat)
# and prints the ratio engine/dnsperf.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-$top/build}
n=${2:-20000}
conc=${3:-100}
big=$((n * 10))
dir=$(mktemp -d /tmp/hygiene-dnsbench.XXXXXX)
base=${HY_BENCH_PORT_BASE:-16300}

cleanup() { /usr/bin/python3 "$top/tests/world/world.py" down "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

/usr/bin/python3 "$top/tests/world/world.py" up "$dir" --port-base "$base" \
	--bulk-names "$big" >/dev/null
. "$dir/world.env"
host=${HY_RESOLVER%:*}
port=${HY_RESOLVER##*:}

sed 's/$/ A/' "$dir/bulk-names.txt" > "$dir/all.txt"
head -n "$n" "$dir/all.txt" > "$dir/small.txt"

# Warm the resolver's cache with every name so both tools see the same
# cache-hot resolver.
dnsperf -s "$host" -p "$port" -d "$dir/all.txt" -q "$conc" -n 1 >/dev/null 2>&1

# A run of 20,000 cache-hot queries takes a tenth of a second, so one run
# is noise: alternate the two tools for several rounds, compare medians.
rounds=${HY_BENCH_ROUNDS:-7}
: > "$dir/perf.txt"
: > "$dir/engine.txt"
i=0
while [ "$i" -lt "$rounds" ]; do
	dnsperf -s "$host" -p "$port" -d "$dir/small.txt" -q "$conc" -n 1 2>&1 |
		awk '/Queries per second/ {print $4}' >> "$dir/perf.txt"
	"$build/bench/hygiene-dnsbench" "$HY_RESOLVER" "$conc" "$dir/small.txt" \
		>> "$dir/engine.txt"
	i=$((i + 1))
done
large=$("$build/bench/hygiene-dnsbench" "$HY_RESOLVER" "$conc" "$dir/all.txt")

/usr/bin/python3 - "$dir" "$large" "$n" "$big" "$conc" <<'PY'
import json, statistics, sys
d = sys.argv[1]
perfs = [float(x) for x in open(d + "/perf.txt") if x.strip()]
runs = [json.loads(x) for x in open(d + "/engine.txt") if x.strip()]
l = json.loads(sys.argv[2])
n, big, conc = sys.argv[3], sys.argv[4], sys.argv[5]
perf = statistics.median(perfs)
s = sorted(runs, key=lambda r: r["qps"])[len(runs) // 2]
print(f"names={n} concurrency={conc} resolver=unbound (world, cache-hot), "
      f"median of {len(runs)} alternating rounds")
print(f"dnsperf:        {perf:10.0f} queries/s  (runs: "
      + ", ".join(f"{p:.0f}" for p in perfs) + ")")
print(f"hygiene engine: {s['qps']:10.0f} queries/s  ({s['answer']} answers, "
      f"{s['timeout']} timeouts; runs: "
      + ", ".join(f"{r['qps']:.0f}" for r in runs) + ")")
print(f"ratio engine/dnsperf: {s['qps'] / perf:.2f} (target >= 0.70)")
print(f"peak RSS: {s['peak_rss_kb']} KiB at {s['names']} names, "
      f"{l['peak_rss_kb']} KiB at {l['names']} names "
      f"(growth {100.0 * (l['peak_rss_kb'] - s['peak_rss_kb']) / s['peak_rss_kb']:.1f}%, "
      f"target <= 10%)")
PY
