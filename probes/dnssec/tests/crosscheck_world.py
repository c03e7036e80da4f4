#!/usr/bin/env python3
"""Cross-checks the DNSSEC probe against unbound on the running test world.

For every world domain (world.env HY_DOMAINS, plus names below a zone apex)
the probe's verdict must agree with what the world's validating unbound
decides for the same RRsets (SOA, TXT, MX and _dmarc TXT, asked without CD):

    probe secure         unbound sets AD on SOA, TXT and MX, no SERVFAIL
    probe insecure       unbound answers without AD, no SERVFAIL
    probe bogus          unbound answers SERVFAIL to at least one of them
    probe indeterminate  unbound cannot answer either (SERVFAIL/timeout)

Any disagreement fails the test. It also checks that a delegation whose
server never answers ends `indeterminate` within --timeout.

    crosscheck_world.py --hygiene PATH --world DIR
"""

import argparse
import json
import os
import pty
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
T_SOA, T_MX, T_TXT = 6, 15, 16
SERVFAIL = 2


def read_env(d):
    env = {}
    with open(os.path.join(d, "world.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = v.strip("'")
    return env


def unbound_verdict(port, domain):
    answers = []
    for name, qtype in ((domain, T_SOA), (domain, T_TXT), (domain, T_MX),
                        ("_dmarc." + domain, T_TXT)):
        answers.append(world.dns_query(port, name, qtype, timeout=3))
    if any(a is None or a[0] == SERVFAIL for a in answers):
        return "servfail"
    if all(a[1] & world.AD for a in answers[:3]):
        return "secure"
    return "insecure"


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
    want_for = {"secure": "secure", "insecure": "insecure",
                "bogus": "servfail", "indeterminate": "servfail"}
    for d in domains:
        sec = got.get(d)
        if sec is None:
            print("FAIL %-30s no dnssec section (stderr: %s)"
                  % (d, p.stderr_text.strip()[:200]))
            failures += 1
            continue
        ub = unbound_verdict(port, d)
        ok = want_for[sec["status"]] == ub
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

    # A resolver that never answers: the deadline itself must end it.
    env2 = dict(env, HY_RESOLVER=env["HY_BLACKHOLE"])
    got, took, _ = run_probe(a, env2, ["secure13.jp"], 2)
    sec = got.get("secure13.jp") or {}
    ok = sec.get("status") == "indeterminate" and took < 2 + 1.5
    print("%-4s silent resolver: %s after %.2fs (deadline 2s)" % (
        "ok" if ok else "FAIL", sec.get("status"), took))
    failures += not ok
    print("%d domains, %d failures" % (len(domains) + 2, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
