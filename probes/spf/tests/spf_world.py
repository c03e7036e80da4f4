#!/usr/bin/env python3
"""`hygiene spf DOMAIN --ip IP` (RFC 7208 check_host()) against the running
test world (tests/world/zones/spf.jp.zone): result, exit status and the
JSON fields for each case.

    spf_world.py --hygiene PATH --world DIR
"""

import argparse
import json
import os
import shlex
import subprocess
import sys

# (domain, ip, extra args, result, exit status)
CASES = [
    ("spf.jp", "192.0.2.5", [], "pass", 0),              # via include
    ("spf.jp", "2001:db8::1", [], "pass", 0),            # ip6 in include
    ("spf.jp", "127.0.0.1", [], "pass", 0),              # mx -> mail A
    ("spf.jp", "::1", [], "pass", 0),                    # mx -> mail AAAA
    ("spf.jp", "203.0.113.5", [], "fail", 0),
    ("split.spf.jp", "198.51.100.9", [], "pass", 0),     # two strings
    ("redirect.spf.jp", "203.0.113.7", [], "pass", 0),
    ("redirect.spf.jp", "192.0.2.1", [], "fail", 0),
    ("overflow.spf.jp", "203.0.113.1", [], "permerror", 0),
    ("void.spf.jp", "203.0.113.1", [], "permerror", 0),
    ("loop.spf.jp", "203.0.113.1", [], "permerror", 0),
    ("loop.spf.jp", "192.0.2.9", [], "pass", 0),         # before the loop
    ("syntax.spf.jp", "192.0.2.1", [], "permerror", 0),
    ("multi.spf.jp", "192.0.2.1", [], "permerror", 0),
    ("manymx.spf.jp", "203.0.113.1", [], "permerror", 0),
    ("plusall.spf.jp", "203.0.113.1", [], "pass", 0),
    ("ptr.spf.jp", "198.18.0.5", [], "pass", 0),         # validated PTR
    ("ptr.spf.jp", "198.18.0.6", [], "fail", 0),         # does not point back
    ("macro.spf.jp", "198.18.0.6", ["--sender", "alice@macro.spf.jp"],
     "pass", 0),
    ("macro.spf.jp", "198.18.0.5", ["--sender", "bob@macro.spf.jp"],
     "fail", 0),
    ("noall.spf.jp", "203.0.113.1", [], "neutral", 0),
    ("nospf.spf.jp", "192.0.2.1", [], "none", 0),
    ("absent.spf.jp", "192.0.2.1", [], "none", 0),
    ("spf.jp", "192.0.2.5", ["--sender", "someone@spf.jp",
                             "--helo", "mail.spf.jp"], "pass", 0),
    ("down.spf.jp", "192.0.2.1", [], "temperror", 3),    # not measured
]


def read_env(world):
    env = {}
    with open(os.path.join(world, "world.env")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    return env


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    a = ap.parse_args()
    env = read_env(a.world)
    failures = 0
    for dom, ip, extra, want, want_rc in CASES:
        cmd = [a.hygiene, "spf", "--json", "--timeout", "5",
               "--resolver", env["HY_RESOLVER"], dom, "--ip", ip] + extra
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        problems = []
        if p.returncode != want_rc:
            problems.append("exit %d, want %d" % (p.returncode, want_rc))
        try:
            o = json.loads(p.stdout)
        except ValueError:
            o = {}
            problems.append("output is not JSON: %r" % p.stdout[:200])
        if o.get("result") != want:
            problems.append("result %r, want %r" % (o.get("result"), want))
        if want == "fail" and not o.get("explanation"):
            problems.append("a fail without explanation")
        if want != "pass" and not o.get("reason"):
            problems.append("no reason given")
        if problems:
            failures += 1
            print("FAIL %s: %s\n    stdout: %s    stderr: %s"
                  % (" ".join(shlex.quote(c) for c in cmd),
                     "; ".join(problems), p.stdout, p.stderr))
    # The explanation expands %{i}, %{p} (validated name) and %{d}.
    cmd = [a.hygiene, "spf", "--json", "--resolver", env["HY_RESOLVER"],
           "macro.spf.jp", "--ip", "198.18.0.5", "--sender", "bob@macro.spf.jp"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    want = "198.18.0.5 (host.ptr.spf.jp) may not send for macro.spf.jp"
    try:
        got = json.loads(p.stdout).get("explanation")
    except ValueError:
        got = None
    if got != want:
        failures += 1
        print("FAIL explanation: %r, want %r" % (got, want))
    # Text output and usage errors.
    p = subprocess.run([a.hygiene, "spf", "--resolver", env["HY_RESOLVER"],
                        "spf.jp", "--ip", "203.0.113.5"],
                       stdout=subprocess.PIPE, text=True)
    if "fail" not in p.stdout or "why:" not in p.stdout:
        failures += 1
        print("FAIL text output: %r" % p.stdout)
    for bad in (["spf.jp"], ["spf.jp", "--ip", "300.1.1.1"], ["--ip", "1.2.3.4"]):
        p = subprocess.run([a.hygiene, "spf"] + bad, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if p.returncode != 2:
            failures += 1
            print("FAIL usage %r: exit %d, want 2" % (bad, p.returncode))
    print("%d of %d cases passed" % (len(CASES) + 5 - failures,
                                     len(CASES) + 5))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
