#!/usr/bin/env python3
"""A full-size RTR sync (issue 12): stayrtr loaded with 820,000 generated
VRPs (a public cache serves about 800k), synced by `hygiene rpki` under a
per-domain --timeout 5. The sync has its own deadline (--rtr-timeout,
default 300 s), so it completes; with --rtr-timeout 1 it fails at once.

usage: rtr_full_table.py HYGIENE_BINARY PORT WORKDIR

Ports used: PORT (RTR) and PORT+1 (stayrtr's metrics).
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time

N4, N6 = 760000, 60000

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def generate(path):
    """820k distinct VRPs: IPv4 /24s from 1.0.0.0 and IPv6 /48s, in
    stayrtr's JSON format, built now."""
    with open(path, "w") as f:
        f.write('{"metadata":{"buildtime":"%s"},"roas":[' %
                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        f.write(",".join('{"prefix":"%d.%d.%d.0/24","maxLength":24,'
                         '"asn":%d}' % (1 + i // 65536, (i // 256) % 256,
                                        i % 256, 64496 + i % 1000)
                         for i in range(N4)))
        f.write(",")
        f.write(",".join('{"prefix":"2001:%x:%x::/48","maxLength":48,'
                         '"asn":%d}' % (0x100 + i // 65536, i % 65536,
                                        64496 + i % 1000)
                         for i in range(N6)))
        f.write("]}\n")


def wait_port(port, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def main():
    hygiene, port, workdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    vrps = os.path.join(workdir, "vrps.json")
    isps = os.path.join(workdir, "isps.json")
    routes = os.path.join(workdir, "routes.txt")
    t0 = time.time()
    generate(vrps)
    print("generated %d VRPs in %.1f s" % (N4 + N6, time.time() - t0))
    json.dump({"isps": [{"id": "a", "name": "A", "name_ja": "A",
                         "asns": [64496], "domains": []}]}, open(isps, "w"))
    # 1.0.0.0/24 has a VRP for AS64496, 1.0.1.0/24 one for AS64497 only.
    open(routes, "w").write("1.0.0.0/24\t64496\n1.0.1.0/24\t64496\n")
    log = open(os.path.join(workdir, "stayrtr.log"), "w")
    t0 = time.time()
    p = subprocess.Popen(["stayrtr", "-bind", "127.0.0.1:%d" % port,
                          "-metrics.addr", "127.0.0.1:%d" % (port + 1),
                          "-cache", vrps, "-checktime=false", "-refresh",
                          "3600"], stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_port(port, 180):
            check(False, "stayrtr started with %d VRPs" % (N4 + N6))
            return 1
        print("stayrtr serving after %.1f s" % (time.time() - t0))
        args = [hygiene, "rpki", "--rtr", "127.0.0.1:%d" % port, "--routes",
                routes, "--isps", isps, "--json", "--timeout", "5"]
        t0 = time.time()
        r = subprocess.run(args, capture_output=True, text=True,
                           timeout=600)
        took = time.time() - t0
        doc = json.loads(r.stdout) if r.returncode == 0 else {}
        check(r.returncode == 0 and
              doc["vrp_source"]["vrps"] == N4 + N6,
              "full table: %d VRPs synced under --timeout 5 in %.1f s "
              "(sync %.1f s; %d, %s)" %
              (N4 + N6, took, doc.get("timing_ms", {}).get("vrps", 0) /
               1000, r.returncode, r.stderr.strip()[-200:]))
        if doc:
            states = doc["isps"][0]["routes"]
            check(states["valid"] == 1 and states["invalid"] == 1,
                  "full table: validated against the synced set (%s)" %
                  states)
        t0 = time.time()
        r = subprocess.run(args + ["--rtr-timeout", "1"],
                           capture_output=True, text=True, timeout=60)
        took = time.time() - t0
        check(r.returncode == 1 and "within 1 s" in r.stderr and took < 5,
              "full table: --rtr-timeout 1 gives up after 1 s (%d, %.1f s)"
              % (r.returncode, took))
    finally:
        p.terminate()
        p.wait()
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
