#!/usr/bin/env python3
"""Cross-checks the DNSSEC probe against unbound on the running test world.

For every world domain (world.env HY_DOMAINS, plus names below a zone apex)
the probe's verdict must agree with what the world's validating unbound
decides for the same RRsets (SOA, TXT, MX and _dmarc TXT, asked without CD),
combined as the probe combines them (the _dmarc TXT only when bogus):

    secure         NOERROR/NXDOMAIN with AD
    insecure       NOERROR/NXDOMAIN without AD
    bogus          SERVFAIL, while the question and the DNSKEY and DS of
                   every ancestor still get answers with CD=1: the data
                   arrives and fails validation
    indeterminate  SERVFAIL that stays SERVFAIL (or no answer) with CD=1
                   for one of those: something could not be fetched

(tests/differential uses the same reading, with unbound's extended errors.)

Any disagreement fails the test. It also checks that a delegation whose
server never answers ends `indeterminate` within --timeout.

    crosscheck_world.py --hygiene PATH --world DIR
"""

import argparse
import json
import os
import pty
import random
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "tests", "world"))
import world  # noqa: E402  (dns_query, the world's own stub client)

EXTRA = ["www.secure13.jp", "no-such-name.secure13.jp",
         "www.secure8-nsec3.jp", "www.example.co.jp",
         "a.wc.wildcard.jp", "a.b.wc.secure13-nsec3.jp",
         "alias.secure13-nsec3.jp"]
T_SOA, T_MX, T_TXT, T_DS, T_DNSKEY = 6, 15, 16, 43, 48
NOERROR, SERVFAIL, NXDOMAIN = 0, 2, 3


def read_env(d):
    env = {}
    with open(os.path.join(d, "world.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = v.strip("'")
    return env


def query(port, name, qtype, cd=False, timeout=3.0):
    """(rcode, flags, records in answer + authority) of one UDP query with
    DO (and CD) set, or None."""
    qid = random.randrange(65536)
    pkt = struct.pack("!HHHHHH", qid, 0x0110 if cd else 0x0100, 1, 0, 0, 1)
    pkt += world.name_wire(name) + struct.pack("!HH", qtype, 1)
    pkt += b"\0" + struct.pack("!HHIH", 41, 1232, 0x8000, 0)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(pkt, ("127.0.0.1", port))
        end = time.time() + timeout
        while time.time() < end:
            data = s.recv(65535)
            if len(data) >= 12 and struct.unpack("!H", data[:2])[0] == qid:
                flags, _, an, ns = struct.unpack("!HHHH", data[2:10])
                return flags & 0xF, flags, an + ns
    except OSError:
        return None
    finally:
        s.close()
    return None


def fetchable(port, name, qtype):
    """With CD=1 the question and every ancestor's DNSKEY and DS get an
    answer, a DNSKEY answer with records in it (an empty NOERROR there:
    the zone's servers did not serve it, as for a lame delegation)."""
    labels = name.rstrip(".").split(".")
    qs = [(name, qtype, False)]
    for i in range(len(labels) + 1):
        a = ".".join(labels[i:]) or "."
        qs.append((a, T_DNSKEY, True))
        if a != ".":
            qs.append((a, T_DS, False))
    for n, t, full in qs:
        r = query(port, n, t, cd=True)
        if r is None or r[0] not in (NOERROR, NXDOMAIN) or \
                (full and r[2] == 0):
            return False
    return True


def slot_verdict(port, name, qtype):
    r = query(port, name, qtype)
    if r is not None and r[0] in (NOERROR, NXDOMAIN):
        return "secure" if r[1] & world.AD else "insecure"
    if r is not None and r[0] == SERVFAIL and fetchable(port, name, qtype):
        return "bogus"
    return "indeterminate"


def unbound_verdict(port, domain):
    rank = {"secure": 0, "insecure": 1, "indeterminate": 2, "bogus": 3}
    acc = "secure"
    for name, qtype in ((domain, T_SOA), (domain, T_TXT), (domain, T_MX),
                        ("_dmarc." + domain, T_TXT)):
        v = slot_verdict(port, name, qtype)
        if name.startswith("_dmarc.") and v != "bogus":
            continue
        if rank[v] > rank[acc]:
            acc = v
    return acc


def run_probe(a, env, domains, timeout):
    """Runs hygiene with stdout on a pseudo-terminal, so each line comes
    out as soon as it is printed; returns the dnssec sections, the time
    the last line arrived (the verdicts' latency, which the deadline
    bounds, not the process exit) and the process."""
    cmd = [a.hygiene, "check", "--json", "--timeout", str(timeout),
           "--resolver", env["HY_RESOLVER"],
           "--trust-anchor", env["HY_TRUST_ANCHOR"]] + domains
    master, slave = pty.openpty()
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=slave, stderr=subprocess.PIPE,
                         text=True)
    os.close(slave)
    out, took, buf = {}, 0.0, b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:         # EIO: the child closed the terminal
            break
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            line = line.strip()
            if line:
                took = time.monotonic() - t0
                o = json.loads(line)
                out[o["domain"]] = o["dnssec"]
    os.close(master)
    p.stderr_text = p.stderr.read()
    p.wait(timeout=120)
    return out, took, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    a = ap.parse_args()
    env = read_env(a.world)
    port = int(env["HY_RESOLVER"].rsplit(":", 1)[1])
    domains = env["HY_DOMAINS"].split() + EXTRA

    got, _, p = run_probe(a, env, domains, 5)
    failures = 0
    for d in domains:
        sec = got.get(d)
        if sec is None:
            print("FAIL %-30s no dnssec section (stderr: %s)"
                  % (d, p.stderr_text.strip()[:200]))
            failures += 1
            continue
        ub = unbound_verdict(port, d)
        ok = sec["status"] == ub
        print("%-4s %-30s probe %-13s unbound %-9s %s" % (
            "ok" if ok else "FAIL", d, sec["status"], ub,
            ",".join(i["code"] for i in sec["issues"])))
        failures += not ok

    # The silent delegation: indeterminate, and within the deadline.
    timeout = 3
    got, took, _ = run_probe(a, env, ["unreachable.jp"], timeout)
    sec = got.get("unreachable.jp") or {}
    ok = sec.get("status") == "indeterminate" and took < timeout + 1.5
    print("%-4s unreachable.jp: %s after %.2fs (deadline %ds)" % (
        "ok" if ok else "FAIL", sec.get("status"), took, timeout))
    failures += not ok

    # A resolver that never answers: the run's trust-anchor check stops
    # it within the deadline, exit 1, with no verdict.
    env2 = dict(env, HY_RESOLVER=env["HY_BLACKHOLE"])
    t0 = time.monotonic()
    got, _, p = run_probe(a, env2, ["secure13.jp"], 2)
    took = time.monotonic() - t0
    ok = not got and p.returncode == 1 and took < 2 + 1.5 and \
        "no answer from the resolver" in p.stderr_text
    print("%-4s silent resolver: exit %d, %d verdicts after %.2fs "
          "(deadline 2s)" % ("ok" if ok else "FAIL", p.returncode, len(got),
                             took))
    failures += not ok
    print("%d domains, %d failures" % (len(domains) + 2, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
