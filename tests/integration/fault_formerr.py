#!/usr/bin/env python3
"""One FORMERR without OPT must never turn a signed zone bogus (issue 10,
item 3), and a verdict a fault degraded makes `check` exit 3 (item 4).

    fault_formerr.py --hygiene PATH --world DIR [--port-offset N]

Through tests/world/faultproxy.py (port base + --port-offset, default
24), `hygiene check secure13.jp` (a zone signed with ECDSA P-256 and a
DS in jp) with

1. no fault: dnssec "secure", exit 0;
2. one FORMERR without OPT, to the first DNSKEY query of secure13.jp:
   c-ares asks again without EDNS0 and gets the DNSKEY RRset without its
   RRSIGs; hygiene used to report "bogus" with exit 0. Now that answer is
   not a measurement: "secure" (exit 0) when the walk got the keys another
   way, else "indeterminate" (exit 3), never "bogus";
3. FORMERR without OPT to every DNSKEY query of secure13.jp:
   "indeterminate", exit 3;
4. one FORMERR without OPT to the SOA query of an unsigned zone
   (unsigned.jp): "insecure" (exit 0) or "indeterminate" (exit 3); an
   answer without the DO bit proves nothing about signatures.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_campaign import Proxy, world  # noqa: E402


def check(args, env, resolver, domain):
    p = subprocess.run(
        [args.hygiene, "check", "--json", "--timeout", "5",
         "--resolver", resolver, "--trust-anchor", env["HY_TRUST_ANCHOR"],
         "--ca-file", env["HY_CA_FILE"], "--https-port",
         env["HY_HTTPS_PORT"], domain],
        stdout=subprocess.PIPE, text=True, timeout=120)
    return json.loads(p.stdout), p.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--port-offset", type=int, default=24)
    args = ap.parse_args()
    env = world(args.world)
    port = env["port_base"] + args.port_offset
    tmp = os.path.join(args.world, "fault-formerr")
    os.makedirs(tmp, exist_ok=True)
    failures = []

    def case(name, domain, match, limit, want):
        extra = ["--match", match] if match else []
        if limit is not None:
            extra += ["--max", str(limit)]
        proxy = Proxy(env, port, "formerr" if match else "none", 1.0, 1,
                      tmp, extra)
        try:
            obj, rc = check(args, env, proxy.addr, domain)
        finally:
            stats = proxy.stop()
        status = (obj.get("dnssec") or {}).get("status")
        got = (status, rc)
        ok = got in want
        print("%s %s: dnssec %s, exit %d, %d FORMERR injected" % (
            "ok" if ok else "FAIL", name, status, rc, stats["faults"]))
        if not ok:
            failures.append(name)
            print("  want one of %s; issues: %s; errors: %s" % (
                want, json.dumps((obj.get("dnssec") or {}).get("issues")),
                json.dumps(obj.get("errors"))))
        if match and stats["faults"] == 0:
            failures.append(name + " (no fault injected)")

    case("no fault", "secure13.jp", None, None, [("secure", 0)])
    case("one FORMERR", "secure13.jp", r"^secure13\.jp/DNSKEY$", 1,
         [("secure", 0), ("indeterminate", 3)])
    case("every FORMERR", "secure13.jp", r"^secure13\.jp/DNSKEY$", None,
         [("indeterminate", 3)])
    case("unsigned, one FORMERR", "unsigned.jp", r"^unsigned\.jp/SOA$", 1,
         [("insecure", 0), ("indeterminate", 3)])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
