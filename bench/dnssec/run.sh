#!/bin/sh
# DNSSEC validation benchmark (issue 3).
#
# Brings up the test world with N signed zones under bench.jp, validates
# all of them with the probe's chain walk (hygiene-dnssecbench: the chain,
# SOA and DNSKEY only, then also TXT, MX and _dmarc TXT as `hygiene check`
# does), and in the same run validates a sample of the same zones with
# `dnsviz probe` + `dnsviz grok` (the reference), then prints the figures
# and the per-domain time ratio.
#
# usage: bench/dnssec/run.sh [BUILD_DIR] [N_ZONES] [SAMPLE] [PORT_BASE]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
n=${2:-2000}
sample=${3:-20}
port_base=${4:-15330}
work=$(mktemp -d /tmp/hygiene-dnssec-bench.XXXXXX)
world="$work/world"

cleanup() {
	python3 "$root/tests/world/world.py" down "$world" >/dev/null 2>&1 || :
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

python3 "$root/tests/world/world.py" up "$world" --port-base "$port_base" \
    --bulk-signed "$n" >"$work/up.log"
. "$world/world.env"
zones="$world/bulk-zones.txt"

# Warm the resolver's cache once, so both tools see the same hot cache.
"$build/bench/hygiene-dnssecbench" "$HY_RESOLVER" "$HY_TRUST_ANCHOR" 100 \
    "$zones" >/dev/null

echo "== hygiene: chain + SOA + DNSKEY, $n zones, 100 in flight"
"$build/bench/hygiene-dnssecbench" "$HY_RESOLVER" "$HY_TRUST_ANCHOR" 100 \
    "$zones" chain | tee "$work/chain.json"
echo "== hygiene: chain + SOA, DNSKEY, TXT, MX, _dmarc TXT, $n zones, 100 in flight"
"$build/bench/hygiene-dnssecbench" "$HY_RESOLVER" "$HY_TRUST_ANCHOR" 100 \
    "$zones" | tee "$work/full.json"

# dnsviz 0.9.4's grok fails to import pygraphviz.release (a version
# mismatch with python3-pygraphviz): this shim provides that module.
mkdir -p "$work/py"
cat >"$work/py/sitecustomize.py" <<'PY'
import sys, types
try:
    import pygraphviz
    m = types.ModuleType("pygraphviz.release")
    m.version = pygraphviz.__version__
    sys.modules["pygraphviz.release"] = m
except Exception:
    pass
PY
head -n "$sample" "$zones" >"$work/sample.txt"
echo "== dnsviz probe + grok: $sample of the same zones (10 threads)"
t0=$(date +%s.%N)
# shellcheck disable=SC2046
dnsviz probe -t 10 -s "$HY_RESOLVER" -a . $(cat "$work/sample.txt") \
    >"$work/probe.json" 2>"$work/probe.log"
t1=$(date +%s.%N)
PYTHONPATH="$work/py" dnsviz grok -t "$HY_TRUST_ANCHOR" -r "$work/probe.json" \
    >"$work/grok.json" 2>"$work/grok.log"
t2=$(date +%s.%N)

/usr/bin/python3 - "$work" "$sample" "$t0" "$t1" "$t2" <<'PY'
import json, sys
work, sample, t0, t1, t2 = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:])
chain = json.load(open(work + "/chain.json"))
full = json.load(open(work + "/full.json"))
grok = json.load(open(work + "/grok.json"))
secure = sum(1 for z in open(work + "/sample.txt").read().split()
             if grok.get(z + ".", {}).get("delegation", {}).get("status") == "SECURE")
dv = (t2 - t0) / sample
for name, r in (("chain", chain), ("full", full)):
    per = r["seconds"] / r["domains"]
    print("%s: %d domains in %.2fs = %.0f domains/s, %.2f queries/domain, "
          "%d zone validations, peak RSS %d KiB; dnsviz %.3fs/domain "
          "(%d/%d SECURE) -> %.0fx faster per domain"
          % (name, r["domains"], r["seconds"], r["domains_per_s"],
             r["sent_per_domain"], r["zone_validations"], r["peak_rss_kb"],
             dv, secure, sample, dv / per))
print("dnsviz: probe %.2fs + grok %.2fs for %d zones" % (t1 - t0, t2 - t1, sample))
PY
