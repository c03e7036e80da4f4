#!/bin/sh
# ROV enforcement from a full-size collector RIB: hygiene's one-pass reader
# and `hygiene rpki --paths` against `bgpdump -m FILE | wc -l`, same file,
# same run.
#
#   bench/rov/run.sh [BUILD_DIR] [PREFIXES] [PEERS]
#
# BUILD_DIR must be a Release build (default build-release):
#   cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-release -j2 --target hygiene hygiene-rov-gen hygiene-rov-read
#
# Input: hygiene-rov-gen (gen_rib.c) writes PREFIXES (default 1,000,000)
# prefixes seen by PEERS (default 30) peers as a gzip MRT TABLE_DUMP_V2
# dump, its VRPs (one per covered prefix) and an ISP list; a dump a fifth
# that size, and no dump at all (same VRPs), show that memory does not
# grow with the dump. Three
# alternating rounds (the machine is shared); the best of each side is
# compared, every round is printed. All sides must count the same routes
# as the generator wrote, and hygiene's statuses must be the generator's.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-$top/build-release}
n=${2:-1000000}
peers=${3:-30}
grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build/CMakeCache.txt" || {
	echo "run.sh: $build is not a Release build" >&2; exit 1; }
command -v bgpdump >/dev/null || {
	echo "run.sh: needs Debian's bgpdump (scripts/bootstrap.sh)" >&2; exit 1; }
dir=$(mktemp -d /tmp/hygiene-rovbench.XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM

echo "generating $n prefixes x $peers peers (and a fifth of it) ..."
"$build/bench/hygiene-rov-gen" -p "$n" -n "$peers" "$dir/full"
"$build/bench/hygiene-rov-gen" -p $((n / 5)) -n "$peers" "$dir/small" \
    >/dev/null
# Only --paths is measured; an empty route table is refused, so one route
# of a private ASN no generated ISP holds.
printf '192.0.2.0/24\t4200000000\n' >"$dir/routes.txt"
ls -l "$dir/full/rib.mrt.gz" | awk '{ printf "dump: %.0f MiB gzip\n", $5 / 1048576 }'

rpki() {	# $1 = output tag, then --paths DUMP or nothing
	tag=$1
	shift
	/usr/bin/time -f '%e %M' -o "$dir/time.$tag" "$build/hygiene" rpki \
	    --json --vrps "$dir/full/vrps.json" --routes "$dir/routes.txt" \
	    --isps "$dir/full/isps.json" --at 2025-01-01T00:00:00Z "$@" \
	    >"$dir/out.$tag.json"
}
for round in 1 2 3; do
	/usr/bin/time -f '%e %M' -o "$dir/time.read.$round" \
	    "$build/bench/hygiene-rov-read" "$dir/full/rib.mrt.gz" \
	    >"$dir/out.read.$round.json"
	rpki "rpki.$round" --paths "$dir/full/rib.mrt.gz"
	/usr/bin/time -f '%e %M' -o "$dir/time.bgpdump.$round" sh -c \
	    "bgpdump -m '$dir/full/rib.mrt.gz' 2>/dev/null | wc -l" \
	    >"$dir/out.bgpdump.$round"
done
/usr/bin/time -f '%e %M' -o "$dir/time.read.small" \
    "$build/bench/hygiene-rov-read" "$dir/small/rib.mrt.gz" \
    >"$dir/out.read.small.json"
# Memory with the same VRPs: no dump, a fifth of the dump, all of it.
rpki rpki.small --paths "$dir/small/rib.mrt.gz"
rpki rpki.none

python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
man = json.load(open(d + "/full/manifest.json"))
small = json.load(open(d + "/small/manifest.json"))
n = man["routes"]

def t(tag):
    wall, rss = open("%s/time.%s" % (d, tag)).read().split()[-2:]
    return float(wall), int(rss) / 1024.0

rows = []
for k in (1, 2, 3):
    rd = json.load(open("%s/out.read.%d.json" % (d, k)))
    out = json.load(open("%s/out.rpki.%d.json" % (d, k)))
    wc = int(open("%s/out.bgpdump.%d" % (d, k)).read())
    assert rd["routes"] == n and rd["malformed"] == 0, "reader count"
    assert out["path_source"]["routes"] == n, "rpki count"
    assert wc == n, "bgpdump counts %d" % wc
    for isp in out["isps"]:
        want = man["isps"][isp["id"]]
        got = {key: isp["rov"][key] for key in want}
        assert got == want, (isp["id"], got, want)
    rows.append((t("read.%d" % k), t("rpki.%d" % k),
                 out["timing_ms"]["paths"] / 1e3, t("bgpdump.%d" % k)))
print("routes: %d (%d prefixes x %d peers), %d distinct invalid; all "
      "three sides counted %d in every round, statuses = generator's"
      % (n, man["prefixes"], man["peers"], man["invalid_routes"], n))
for k, (r, h, hp, b) in enumerate(rows, 1):
    print("round %d: reader %.2f s (%.0f MiB) | hygiene rpki %.2f s "
          "(--paths phase %.2f s, %.0f MiB) | bgpdump -m | wc -l %.2f s"
          % (k, r[0], r[1], h[0], hp, h[1], b[0]))
br = min(r[0][0] for r in rows)
bh = min(r[2] for r in rows)
bw = min(r[1][0] for r in rows)
bb = min(r[3][0] for r in rows)
print("best: reader %.2f s = %.0f routes/s; rpki --paths phase (read, "
      "validate, classify) %.2f s = %.0f routes/s; whole rpki run %.2f s; "
      "bgpdump -m | wc -l %.2f s = %.0f routes/s"
      % (br, n / br, bh, n / bh, bw, bb, n / bb))
print("ratio (routes/s vs bgpdump): reader %.1fx, --paths phase %.1fx"
      % (bb / br, bb / bh))
rs, hs, h0 = t("read.small"), t("rpki.small"), t("rpki.none")
vf = len(json.load(open(d + "/full/vrps.json"))["roas"])
print("peak RSS, reader: %.1f MiB for %d routes, %.1f MiB for a fifth "
      "(%d routes)" % (max(r[0][1] for r in rows), n, rs[1],
                       small["routes"]))
print("peak RSS, hygiene rpki with the same %d VRPs: %.0f MiB without "
      "--paths (%.2f s), %.0f MiB with a fifth of the dump, %.0f MiB with "
      "all of it" % (vf, h0[1], h0[0], hs[1],
                     max(r[1][1] for r in rows)))
PY
