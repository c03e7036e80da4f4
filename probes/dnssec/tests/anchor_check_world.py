#!/usr/bin/env python3
"""The run-wide trust-anchor check (issue 10 item 8), against the world.

Before any domain, `check` and `survey` validate the root's DNSKEY RRset
against the configured trust anchor. A wrong --trust-anchor file, or the
built-in IANA anchors (stale for the world's private root, as after a root
key roll), must stop the run at once with exit 1 and a clear message, and
produce no verdict at all; so must a root that cannot be fetched. The
world's own anchor, as DNSKEY or as DS, lets the run go ahead.

    anchor_check_world.py --hygiene PATH --world DIR
"""

import argparse
import hashlib
import base64
import json
import os
import shlex
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
FAILURES = []
WRONG = "does not validate against the trust anchor"


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": %s" %
                                                     detail))
    if not cond:
        FAILURES.append(name)


def world_env(d):
    env = {}
    with open(os.path.join(d, "world.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    return env


def run(cmd):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return p, time.monotonic() - t0


def wrong_anchor(tmp):
    """A root KSK of the right shape that is not the world's."""
    path = os.path.join(tmp, "wrong.key")
    key = base64.b64encode(hashlib.sha512(b"not the root").digest()).decode()
    with open(path, "w") as f:
        f.write(". 3600 IN DNSKEY 257 3 13 %s\n" % key)
    return path


def ds_anchor(tmp, dnskey_file):
    """The world's root KSK as a DS record (RFC 4034 §5.1.4)."""
    toks = open(dnskey_file).read().split()
    i = toks.index("DNSKEY")
    flags, proto, alg = int(toks[i + 1]), int(toks[i + 2]), int(toks[i + 3])
    rdata = struct.pack("!HBB", flags, proto, alg) + \
        base64.b64decode("".join(toks[i + 4:]))
    acc = sum(b if j & 1 else b << 8 for j, b in enumerate(rdata))
    tag = (acc + (acc >> 16)) & 0xFFFF
    path = os.path.join(tmp, "ds.key")
    with open(path, "w") as f:
        f.write(". 3600 IN DS %d %d 2 %s\n" % (
            tag, alg, hashlib.sha256(b"\0" + rdata).hexdigest()))
    return path


def servfail_server():
    """A resolver that answers SERVFAIL to everything."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                pkt, peer = sock.recvfrom(4096)
            except OSError:
                return
            if len(pkt) >= 12:
                sock.sendto(pkt[:2] + b"\x81\x82" + pkt[4:6] + b"\0" * 6 +
                            pkt[12:], peer)
    threading.Thread(target=serve, daemon=True).start()
    return "127.0.0.1:%d" % sock.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    a = ap.parse_args()
    env = world_env(a.world)
    tmp = tempfile.mkdtemp()
    wrong = wrong_anchor(tmp)
    base = [a.hygiene, "check", "--json", "--timeout", "5", "--resolver",
            env["HY_RESOLVER"]]
    dom = "secure13.jp"

    for label, extra in (("the world's anchor", ["--trust-anchor",
                                                 env["HY_TRUST_ANCHOR"]]),
                         ("the world's anchor as DS", [
                             "--trust-anchor",
                             ds_anchor(tmp, env["HY_TRUST_ANCHOR"])])):
        p, _ = run(base + extra + [dom])
        out = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
        check(label + ": the run goes ahead", p.returncode in (0, 3) and
              len(out) == 1 and out[0]["dnssec"]["status"] == "secure",
              "exit %d: %s %s" % (p.returncode, p.stderr, p.stdout[:200]))

    for label, extra in (("wrong anchor file", ["--trust-anchor", wrong]),
                         ("built-in anchors, stale for this root", [])):
        p, took = run(base + extra + [dom, "example.co.jp"])
        check(label + ": exit 1", p.returncode == 1, repr(p))
        check(label + ": says why", WRONG in p.stderr and
              ("a stale built-in anchor" in p.stderr), p.stderr)
        check(label + ": no verdict at all", p.stdout.strip() == "",
              p.stdout[:300])
        check(label + ": at once", took < 3, "%.1f s" % took)

    # A resolver that answers SERVFAIL: could not measure, not bogus.
    p, _ = run([a.hygiene, "check", "--timeout", "2", "--resolver",
                servfail_server(), "--trust-anchor", env["HY_TRUST_ANCHOR"],
                dom])
    check("root keys not fetchable: exit 1, could not measure",
          p.returncode == 1 and "could not measure" in p.stderr and
          WRONG not in p.stderr, repr(p))

    # survey stops the same way, before storing anything.
    isps = os.path.join(tmp, "isps.json")
    with open(isps, "w") as f:
        json.dump({"schema_version": "1", "isps": [{
            "id": "demo", "name": "Demo", "name_ja": "デモ",
            "asns": [64500], "domains": [dom]}]}, f)
    out = os.path.join(tmp, "out")
    p, _ = run([a.hygiene, "survey", "--isps", isps, "--out", out,
                "--month", "2026-01", "--db", os.path.join(tmp, "h.sqlite"),
                "--resolver", env["HY_RESOLVER"], "--trust-anchor", wrong,
                "--rtr", env["HY_RTR"],
                "--routes", os.path.join(ROOT, "tests", "world",
                                         "demo-routes.txt"),
                "--timeout", "5"])
    check("survey with a wrong anchor: exit 1 and says why",
          p.returncode == 1 and WRONG in p.stderr, repr(p))
    res = os.path.join(out, "results.ndjson")
    check("survey with a wrong anchor: no results",
          not os.path.exists(res) or os.path.getsize(res) == 0,
          open(res).read()[:300] if os.path.exists(res) else "")
    subprocess.run(["rm", "-rf", tmp])
    print("%d failures" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
