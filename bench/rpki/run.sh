#!/bin/sh
# Full-table route origin validation: hygiene rpki against a bare rtrlib
# pfx_table_validate() loop, same routes, same stayrtr, same run.
#
#   bench/rpki/run.sh [BUILD_DIR] [PORT_BASE]
#
# Inputs: data/routes-20151101.ipasn.gz (634k prefixes) and a
# synthetic VRP set of 420,000 VRPs derived from it plus the real 2019
# sample (gen.py), served by stayrtr on 127.0.0.1:PORT_BASE. The ISP list
# puts every origin AS of the table into some ISP, so the whole table is
# validated. Measured, from process start to per-ISP statistics: total
# wall time and peak RSS (/usr/bin/time), and hygiene's own phase times
# (routes file, RTR sync, validation + statistics).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-$top/build}
base=${2:-${HY_BENCH_PORT_BASE:-16400}}
# Vendored with their licences (data/*.LICENSE).
routes=$here/data/routes-20151101.ipasn.gz
dir=$(mktemp -d /tmp/hygiene-rpkibench.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

python3 "$here/gen.py" "$routes" "$here/data/vrps-2019-sample.json" "$dir"
stayrtr -bind "127.0.0.1:$base" -metrics.addr "127.0.0.1:$((base + 1))" \
	-cache "$dir/vrps.json" -checktime=false >"$dir/stayrtr.log" 2>&1 &
pid=$!
# stayrtr loads the file first and then starts serving.
i=0
until grep -q 'Server started' "$dir/stayrtr.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 600 ] && { echo "stayrtr did not start"; exit 1; }
	sleep 0.1
done

# Three alternating rounds: the machine is shared, so the best round of
# each is compared (and every round is printed).
for round in 1 2 3; do
	/usr/bin/time -f '%e %M' -o "$dir/time.$round" "$build/hygiene" rpki \
	    --rtr "127.0.0.1:$base" --routes "$routes" --isps "$dir/isps.json" \
	    --json --timeout 60 >"$dir/out.$round.json" 2>"$dir/err.$round"
	"$build/bench/hygiene-rpki-bare" 127.0.0.1 "$base" "$routes" \
	    >"$dir/bare.$round.json" 2>/dev/null
done

python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
rounds = []
for k in (1, 2, 3):
    out = json.load(open("%s/out.%d.json" % (d, k)))
    bare = json.load(open("%s/bare.%d.json" % (d, k)))
    wall, rss = open("%s/time.%d" % (d, k)).read().split()
    rounds.append((out, bare, float(wall), int(rss)))
out = rounds[0][0]
n = sum(i["route_count"] for i in out["isps"])
print("input: %d routes in file, %d VRPs via RTR, %d ISPs; %d routes "
      "validated" % (out["route_source"]["routes"], out["vrp_source"]["vrps"],
                     len(out["isps"]), n))
for k, (o, b, wall, rss) in enumerate(rounds, 1):
    t = o["timing_ms"]
    print("round %d: hygiene wall %.2f s, RSS %.0f MiB, routes file %.0f ms, "
          "sync %.0f ms, validation %.0f + stats %.0f ms | bare sync %.0f "
          "ms, validate loop %.0f ms" % (k, wall, rss / 1024, t["routes"],
                                         t["vrps"], t["validate"], t["stats"],
                                         b["sync_ms"], b["validate_ms"]))
    assert sum(i["routes"]["valid"] for i in o["isps"]) == b["valid"]
    assert sum(i["routes"]["not-found"] for i in o["isps"]) == b["not_found"]
    assert sum(i["routes"]["invalid"] for i in o["isps"]) == b["invalid"]
hv = min(o["timing_ms"]["validate"] + o["timing_ms"]["stats"]
         for o, _, _, _ in rounds)
bv = min(b["validate_ms"] for _, b, _, _ in rounds)
hs = min(o["timing_ms"]["vrps"] for o, _, _, _ in rounds)
bs = min(b["sync_ms"] for _, b, _, _ in rounds)
print("best: hygiene validation+stats %.0f ms = %.0f routes/s; bare "
      "pfx_table_validate %.0f ms = %.0f routes/s; ratio %.2f (target <= 1.5)"
      % (hv, n / hv * 1e3, bv, n / bv * 1e3, hv / bv))
per = sorted((o["timing_ms"]["validate"] + o["timing_ms"]["stats"]) /
             b["validate_ms"] for o, b, _, _ in rounds)
print("per-round ratios %s, median %.2f" %
      (", ".join("%.2f" % x for x in per), per[1]))
print("best: RTR sync hygiene %.0f ms, bare %.0f ms, ratio %.2f" %
      (hs, bs, hs / bs))
print("best wall %.2f s (target < 10 s), max peak RSS %.0f MiB" %
      (min(r[2] for r in rounds), max(r[3] for r in rounds) / 1024))
print("states identical to bare rtrlib in every round: valid %d, invalid "
      "%d, not-found %d" % (rounds[0][1]["valid"], rounds[0][1]["invalid"],
                            rounds[0][1]["not_found"]))
PY
