#!/usr/bin/env python3
"""The rpki probe of `hygiene check` against the running test world
(rpki.jp, asnsvc.jp, tests/world/vrps.json served by the world's stayrtr).

    check_rpki.py HYGIENE WORLD_DIR

Every MX of rpki.jp is one RPKI case; the expected annotation of each
address is in CASES below, once with --routes (longest-prefix match in
data/world-routes.txt) and once with the IP-to-ASN DNS service. Every
output line is validated against schema/check.schema.json.
"""
import json
import os
import subprocess
import sys
import time

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SCHEMA = json.load(open(os.path.join(ROOT, "schema", "check.schema.json")))
ROUTES = os.path.join(HERE, "data", "world-routes.txt")
VRPS = os.path.join(ROOT, "tests", "world", "vrps.json")
SERVICE = "origin.asnsvc.jp,origin6.asnsvc.jp"

# host: (prefix, origin_asn, rpki, reason fragment)
CASES = {
    "mx-valid.rpki.jp": ("192.0.2.0/24", 64500, "valid",
                         "192.0.2.0/24-24 AS64500 matches"),
    "mx-invalid-asn.rpki.jp": ("198.51.100.0/24", 64502, "invalid",
                               "none for AS64502"),
    "mx-invalid-length.rpki.jp": ("198.51.101.0/25", 64501, "invalid",
                                  "only up to /24"),
    "mx-v6.rpki.jp": ("2001:db8::/32", 64500, "valid",
                      "2001:db8::/32-48 AS64500 matches"),
    "mx-not-found.rpki.jp": ("100.64.0.0/10", 64500, "not-found",
                             "no VRP covers"),
    "mx-as0.rpki.jp": ("203.0.113.0/24", 64500, "invalid",
                       "203.0.113.0/24-24 AS0"),
    "mx-moas.rpki.jp": ("198.51.102.0/24", 64501, "valid",
                        "AS64501 matches"),
    "mx-unknown.rpki.jp": (None, None, "unknown", "233.252.0.25"),
}
MOAS = [{"asn": 64501, "rpki": "valid"}, {"asn": 64502, "rpki": "invalid"}]

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def read_env(d):
    env = {}
    for line in open(os.path.join(d, "world.env")):
        k, v = line.rstrip("\n").split("=", 1)
        env[k] = v.strip("'")
    return env


def run(hygiene, env, *args):
    t0 = time.time()
    timeout = [] if "--timeout" in args else ["--timeout", "5"]
    p = subprocess.run([hygiene, "check", "--json", "--resolver",
                        env["HY_RESOLVER"], "--trust-anchor",
                        env["HY_TRUST_ANCHOR"]] + timeout + list(args),
                       capture_output=True, text=True, timeout=60)
    objs = []
    for line in p.stdout.splitlines():
        o = json.loads(line)
        try:
            jsonschema.validate(o, SCHEMA)
        except jsonschema.ValidationError as e:
            check(False, "schema: %s" % e.message)
        objs.append(o)
    return p.returncode, objs, p.stderr, time.time() - t0


def addrs(obj):
    return {h["host"]: h["addresses"] for h in obj["mx"]}


def check_cases(obj, label):
    got = addrs(obj)
    for host, (pfx, asn, state, why) in CASES.items():
        a = got.get(host, [{}])[0]
        check(a.get("prefix") == pfx and a.get("origin_asn") == asn and
              a.get("rpki") == state and why in a.get("rpki_reason", ""),
              "%s: %s -> %s %s %s (%s)" % (label, host, a.get("prefix"),
                                           a.get("origin_asn"),
                                           a.get("rpki"),
                                           a.get("rpki_reason")))
    check(got["mx-moas.rpki.jp"][0].get("origins") == MOAS,
          "%s: multi-origin prefix, each origin validated" % label)
    ns = obj["ns"][0]["addresses"][0]
    check(ns.get("rpki") == "unknown", "%s: NS address annotated" % label)


def main():
    hygiene, world = sys.argv[1], sys.argv[2]
    env = read_env(world)

    # The world's VRP file is fixed test data (built 2026-01-01); --at
    # would move DNSSEC's clock too, so the age check is turned off.
    rc, objs, err, _ = run(hygiene, env, "--vrps", VRPS, "--vrps-max-age",
                           "0", "--routes", ROUTES, "rpki.jp")
    check(rc == 0 and len(objs) == 1, "routes: exit 0 (%d %s)" % (rc, err))
    if objs:
        check_cases(objs[0], "routes")
        a = addrs(objs[0])["mx-garbled.rpki.jp"][0]
        check(a.get("rpki") == "valid", "routes: 192.0.2.99 in the /24")
        a = addrs(objs[0])["mx-as-set.rpki.jp"][0]
        check(a.get("prefix") == "198.18.0.0/15" and
              a.get("origin_asn") is None and
              a.get("origin_as_set") == [64500, 64501] and
              a.get("rpki") == "not-found",
              "routes: AS_SET origin (%s)" % a)

    rc, objs, err, _ = run(hygiene, env, "--rtr", env["HY_RTR"],
                           "--asn-service", SERVICE, "rpki.jp")
    check(rc == 3 and len(objs) == 1,
          "dns service over RTR: exit 3 for the garbled answer (%d)" % rc)
    if objs:
        check_cases(objs[0], "dns")
        a = addrs(objs[0])["mx-garbled.rpki.jp"][0]
        check(a.get("rpki") is None and a.get("prefix") is None,
              "dns: unusable answer is not measured, not 'unknown'")
        check(any(e["code"] == "rpki-origin-lookup" for e in
                  objs[0]["errors"]), "dns: error recorded")
        a = addrs(objs[0])["mx-as-set.rpki.jp"][0]
        check(a.get("rpki") == "unknown", "dns: no entry for 198.18.0.25")

    # Team Cymru's service is throttled (--asn-qps): rpki.jp needs eleven
    # lookups (ten MX addresses and the NS); at 2/s after a burst of two
    # they take at least 4 s, and every one is still answered.
    rc, objs, err, took = run(hygiene, env, "--rtr", env["HY_RTR"],
                              "--asn-service", SERVICE, "--asn-qps", "2",
                              "--timeout", "15", "rpki.jp")
    check(rc == 3 and len(objs) == 1 and took >= 4.0,
          "--asn-qps 2: eleven lookups spread over %.1f s (%d)" % (took, rc))
    if objs:
        check_cases(objs[0], "asn-qps 2")
    # At 1/s with a 3 s deadline some lookups are never sent: those
    # addresses are not measured (null, an error naming --asn-qps), and
    # the domain still ends at its deadline.
    rc, objs, err, took = run(hygiene, env, "--rtr", env["HY_RTR"],
                              "--asn-service", SERVICE, "--asn-qps", "1",
                              "--timeout", "3", "rpki.jp")
    nulls = [a for o in objs for h in o["mx"] for a in h["addresses"]
             if a.get("rpki") is None] if objs else []
    errs = [e["message"] for o in objs for e in o["errors"]
            if e["code"] == "rpki-origin-lookup" and "--asn-qps" in
            e["message"]]
    check(rc == 3 and len(objs) == 1 and took < 5 and len(nulls) >= 5 and
          len(errs) >= 5, "--asn-qps 1, --timeout 3: lookups not sent by "
          "the deadline are not measured (%d, %.1f s, %d null, %s)" %
          (rc, took, len(nulls), errs[:1]))

    rc, objs, err, took = run(hygiene, env, "--rtr", env["HY_RTR_SILENT"],
                              "--rtr-timeout", "2", "rpki.jp")
    check(rc == 1 and objs == [] and took < 5 and
          "did not complete a sync" in err,
          "silent cache: exit 1 within the deadline, nothing measured "
          "(%d, %.1f s, %s)" % (rc, took, err.strip()))

    rc, objs, err, _ = run(hygiene, env, "rpki.jp")
    check(rc == 0 and objs and all("rpki" not in a for h in objs[0]["mx"]
                                   for a in h["addresses"]),
          "without --rtr/--vrps: no RPKI annotations, no RTR traffic")
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
