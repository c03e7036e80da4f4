#!/usr/bin/env python3
"""Out of memory in a probe is never a verdict (issue 10, item 15).

    oom_sweep.py --hygiene PATH --world DIR --failalloc LIB --probe NAME

Runs `hygiene check DOMAIN` once without faults, then once for every
allocation the probe's own code makes (N = 1, 2, ... until the probe makes
fewer than N), with tests/faultalloc's LD_PRELOAD library failing the N-th
of them. The probe's code is every function nm lists for its source file,
except output (emit), release (free) and run setup: a failure there
concerns the output, not the measurement. The rule of issue 10: a verdict
may stay the same (a library recovered, or the failed work was not
needed) or degrade to unmeasured; a different verdict is a failure. So
after each run:

- the process exited normally, with status 0 or 3, and printed its JSON;
- the probe's section is null, or its status is the fault-free one or the
  unmeasured one (temperror): never absent, invalid or another verdict;
- when it is null or unmeasured, the exit status is 3.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

PROBES = {
    # section: (source file, more functions, domain with a measured
    # verdict, the unmeasured status)
    "tls_rpt": ("tls_rpt_probe.c", (), "sts-enforce.jp", "temperror"),
    # http_write: the policy body as it arrives, outside the probe's calls
    "mta_sts": ("mta_sts_probe.c", ("http_write",), "sts-enforce.jp",
                "temperror"),
}
SKIP_SUFFIXES = ("_emit", "_free", "_run_init", "_run_free")


def world_env(d):
    env = {}
    with open(os.path.join(d, "world.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    return env


def ranges(binary, source, extra):
    out = subprocess.run(["nm", "-S", "-l", "--defined-only", binary],
                         capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 5 or parts[2] not in ("t", "T"):
            continue
        name, where = parts[3], parts[4]
        if (os.path.basename(where.split(":")[0]) != source or
                name.endswith(SKIP_SUFFIXES)) and name not in extra:
            continue
        found.append("%s+%s" % (parts[0], parts[1]))
    return ",".join(found)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--failalloc", required=True)
    ap.add_argument("--probe", required=True, choices=sorted(PROBES))
    args = ap.parse_args()
    source, extra, domain, unmeasured = PROBES[args.probe]
    env = world_env(args.world)
    cmd = [args.hygiene, "check", "--json", "--timeout", "10",
           "--resolver", env["HY_RESOLVER"],
           "--trust-anchor", env["HY_TRUST_ANCHOR"],
           "--ca-file", env["HY_CA_FILE"],
           "--https-port", env["HY_HTTPS_PORT"], domain]
    spans = ranges(args.hygiene, source, extra)
    if not spans:
        print("FAIL: nm lists no function of %s in %s (no symbols?)" % (
            source, args.hygiene))
        return 1

    base = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    want = json.loads(base.stdout)[args.probe]["status"]
    if base.returncode != 0 or want == unmeasured:
        print("FAIL: the fault-free run must measure %s: exit %d, %s" % (
            domain, base.returncode, want))
        return 1

    report = tempfile.NamedTemporaryFile(delete=False).name
    fails, n = [], 0
    while True:
        n += 1
        run_env = dict(os.environ, LD_PRELOAD=os.path.abspath(args.failalloc),
                       HY_FAILALLOC_RANGES=spans, HY_FAILALLOC_NTH=str(n),
                       HY_FAILALLOC_REPORT=report)
        open(report, "w").close()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                           env=run_env)
        with open(report) as f:
            counts = f.read().split()
        if len(counts) != 2:
            fails.append("N=%d: no report (exit %d): %s" % (
                n, p.returncode, p.stderr.strip()[-300:]))
            break
        seen, injected = int(counts[0]), counts[1] == "1"
        try:
            obj = json.loads(p.stdout)
        except ValueError:
            obj = None
        if not injected:
            # Past the probe's last allocation: the fault-free verdict.
            if obj is None or (obj[args.probe] or {}).get("status") != want:
                fails.append("N=%d: no fault injected, yet %r" % (
                    n, obj and obj[args.probe]))
            break
        section = obj and obj[args.probe]
        errors = [e["code"] for e in (obj or {}).get("errors", [])]
        status = section["status"] if section else None
        if p.returncode not in (0, 3) or obj is None or \
                status not in (None, want, unmeasured) or \
                (status in (None, unmeasured) and p.returncode != 3):
            fails.append("N=%d of %d: exit %d, %s %s, errors %s" % (
                n, seen, p.returncode, args.probe,
                section and section["status"], errors))
    os.unlink(report)
    for f in fails:
        print("FAIL", f)
    print("%s: %d allocations failed one at a time in %s (fault-free: %s)"
          % (args.probe, n - 1, domain, want))
    return 1 if fails or n < 2 else 0


if __name__ == "__main__":
    sys.exit(main())
