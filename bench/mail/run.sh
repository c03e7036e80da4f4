#!/bin/sh
# Full mail checks (`hygiene check`, every registered probe: SPF, DMARC,
# MTA-STS with HTTPS policy fetches, TLS-RPT, the mail summary, plus the
# NS/MX base data) over N generated world domains: domains/s and peak RSS,
# on a cold and then a warm resolver cache, and peak RSS at 2N domains
# to show memory does not grow with input size.
#
#   bench/mail/run.sh [BUILD_DIR] [N] [CONCURRENCY]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-$top/build}
n=${2:-2000}
conc=${3:-200}
base=${HY_BENCH_PORT_BASE:-23100}
dir=$(mktemp -d /tmp/hygiene-mailbench.XXXXXX)

cleanup() { /usr/bin/python3 "$dir/src/world.py" down "$dir/w" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

# A private copy of the world with the benchmark zone added.
mkdir -p "$dir/src"
cp -r "$top/tests/world/world.py" "$top/tests/world/zones" \
	"$top/tests/world/https" "$top/tests/world/vrps.json" "$dir/src/"
/usr/bin/python3 "$here/gen_zone.py" "$dir/src" $((n * 2)) > "$dir/all.txt"
head -n "$n" "$dir/all.txt" > "$dir/small.txt"
/usr/bin/python3 "$dir/src/world.py" up "$dir/w" --port-base "$base" >/dev/null
. "$dir/w/world.env"

/usr/bin/python3 - "$build/hygiene" "$dir" "$conc" <<'PY'
import json, os, resource, subprocess, sys, time
hygiene, d, conc = sys.argv[1:4]
env = {}
for line in open(os.path.join(d, "w", "world.env")):
    k, _, v = line.strip().partition("=")
    env[k] = v.strip("'\"")

def run(listfile):
    cmd = [hygiene, "check", "--json", "--file", listfile,
           "--concurrency", conc, "--timeout", "15",
           "--resolver", env["HY_RESOLVER"],
           "--trust-anchor", env["HY_TRUST_ANCHOR"],
           "--ca-file", env["HY_CA_FILE"],
           "--https-port", env["HY_HTTPS_PORT"], "--rtr", env["HY_RTR"]]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out, _ = p.communicate()
    dt = time.monotonic() - t0
    objs = [json.loads(l) for l in out.splitlines()]
    tally = {}
    for o in objs:
        for sec in ("dmarc", "mta_sts", "tls_rpt"):
            s = (o.get(sec) or {}).get("status", "null")
            tally.setdefault(sec, {}).setdefault(s, 0)
            tally[sec][s] += 1
    return len(objs), dt, p.returncode, tally

# ru_maxrss of RUSAGE_CHILDREN is the largest child so far: measure the
# big run last and each run in its own process.
def measured(listfile):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        res = run(listfile)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        os.write(w, json.dumps(res + (rss,)).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.waitpid(pid, 0)
    return json.loads(data)

small = os.path.join(d, "small.txt")
cold = measured(small)
warm = measured(small)
big = measured(os.path.join(d, "all.txt"))
for name, (count, dt, rc, tally, rss) in (("cold cache", cold),
                                           ("warm cache", warm),
                                           ("2x input", big)):
    print("%-15s %5d domains in %6.2f s = %7.1f domains/s, peak RSS %6d KiB, "
          "exit %d" % (name, count, dt, count / dt, rss, rc))
print("statuses (warm):", json.dumps(warm[3], sort_keys=True))
print("RSS growth at 2x input: %.1f%%" % (100.0 * (big[4] - warm[4]) / warm[4]))
PY
