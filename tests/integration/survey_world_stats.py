#!/usr/bin/env python3
"""`hygiene survey` over eight world domains with per-ISP statistics
computed by hand from tests/world/zones/ (own and hosted).

    survey_world_stats.py --hygiene PATH --world DIR --part own|hosted

ISP list (documentation ASNs) and routes given with --routes:
  wa AS64500  owns secure13.jp, unsigned.jp, sts-enforce.jp
  wb AS64501  owns nomail-protected.jp, dmarc-invalid.jp, gone.jp
  wc AS64502  owns nothing
  routes: 127.0.0.1/32 and ::1/128 -> AS64500, 127.0.0.2/32 -> AS64502
--domains: example.co.jp, sts-testing.jp, dmarc-ext.jp, bad..x.jp,
  ex ample.jp

Every world name server and mail host is on 127.0.0.1 (or ::1), so wa
hosts every domain it does not own; example.co.jp's mx2 is 127.0.0.2, so
wc hosts example.co.jp too; nobody hosts in AS64501.

Verdicts, from the zone files:
  domain               dnssec    spf   dmarc    mta_sts  why
  secure13.jp          secure    none  absent   absent   sign=13, no TXT
  unsigned.jp          insecure  none  absent   absent   sign=none
  sts-enforce.jp       secure    none  absent   enforce  _mta-sts, mode enforce
  nomail-protected.jp  secure    valid reject   absent   v=spf1 -all, p=reject
  dmarc-invalid.jp     secure    none  none     absent   p=block, valid rua:
                                                          p=none (RFC 9989
                                                          §4.10.1)
  example.co.jp        secure    none  absent   absent   mta-sts host, no TXT
  sts-testing.jp       secure    none  absent   testing  mode testing
  dmarc-ext.jp         secure    none  reject   absent   p=reject
(jp. and co.jp. publish no DMARC record, so nothing is inherited.)

States: the eight above are measured. gone.jp does not exist (NXDOMAIN):
it counts under wb as "nxdomain" and in no section, so not as SPF none
or DMARC absent. bad..x.jp and ex ample.jp are invalid input: they count
in the totals only, and the survey goes on (exit 3).

--part own checks the own-domain and total counts (the DNSSEC, SPF and
mail probes); --part hosted checks the hosted counts, which also need the
RPKI probe's origin_asn on MX/NS addresses, and each ISP's RPKI route
figures (see ROUTES below). When what a part needs is not
on the branch, it exits 77 and ctest reports it skipped (not passed).
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

OWN = {"wa": ["secure13.jp", "unsigned.jp", "sts-enforce.jp"],
       "wb": ["nomail-protected.jp", "dmarc-invalid.jp", "gone.jp"],
       "wc": []}
EXTRA = ["example.co.jp", "sts-testing.jp", "dmarc-ext.jp"]
INVALID = ["bad..x.jp", "ex ample.jp"]


def states(domains=0, measured=0, incomplete=0, nxdomain=0, invalid=0):
    return {"domains": domains, "measured": measured,
            "incomplete": incomplete, "nxdomain": nxdomain,
            "invalid_input": invalid}


def z(**kw):
    """A section map with every key zero except those given."""
    return kw


# Hand-computed from the table in the docstring. Keys not listed are 0.
EXPECTED = {
    "wa": {
        **states(3, measured=3),
        "dnssec": z(secure=2, insecure=1), "spf": z(none=3),
        "dmarc": z(absent=3), "mta_sts": z(enforce=1, absent=2),
        "hosted": {
            # nomail-protected, dmarc-invalid, example.co.jp,
            # sts-testing, dmarc-ext
            **states(5, measured=5),
            "dnssec": z(secure=5), "spf": z(valid=1, none=4),
            "dmarc": z(reject=2, none=1, absent=2),
            "mta_sts": z(testing=1, absent=4)}},
    "wb": {
        **states(3, measured=2, nxdomain=1),
        "dnssec": z(secure=2), "spf": z(valid=1, none=1),
        "dmarc": z(reject=1, none=1), "mta_sts": z(absent=2),
        "hosted": {**states(), "dnssec": z(),
                   "spf": z(), "dmarc": z(), "mta_sts": z()}},
    "wc": {
        **states(), "dnssec": z(), "spf": z(),
        "dmarc": z(), "mta_sts": z(),
        "hosted": {**states(1, measured=1),
                   "dnssec": z(secure=1), "spf": z(none=1),
                   "dmarc": z(absent=1), "mta_sts": z(absent=1)}},
}
# The routes file. The 127/8 and ::1 routes attribute the world's servers;
# the others meet tests/world/vrps.json: 192.0.2.0/24 AS64500 and
# 198.51.100.0/22-24 AS64501 make valid routes, a /25 of the latter is
# longer than maxLength 24, and 203.0.113.0/24 has an AS0 ROA.
ROUTES = [("127.0.0.1/32", 64500), ("::1/128", 64500),
          ("127.0.0.2/32", 64502), ("192.0.2.0/24", 64500),
          ("198.51.100.0/24", 64501), ("198.51.100.0/25", 64501),
          ("203.0.113.0/24", 64502)]
# Per ISP route states (RFC 6811), by hand from ROUTES and the VRPs:
#   wa: 192.0.2.0/24 valid; 127.0.0.1/32, ::1/128 not-found
#   wb: 198.51.100.0/24 valid; 198.51.100.0/25 invalid (length)
#   wc: 203.0.113.0/24 invalid (AS0 ROA: asn); 127.0.0.2/32 not-found
RPKI_ROUTES = {
    "wa": {"valid": 1, "invalid": 0, "not-found": 2, "invalid-asn": 0,
           "invalid-length": 0},
    "wb": {"valid": 1, "invalid": 1, "not-found": 0, "invalid-asn": 0,
           "invalid-length": 1},
    "wc": {"valid": 0, "invalid": 1, "not-found": 1, "invalid-asn": 1,
           "invalid-length": 0},
}
TOTALS = {**states(11, measured=8, nxdomain=1, invalid=2),
          "dnssec": z(secure=7, insecure=1), "spf": z(valid=1, none=7),
          "dmarc": z(reject=2, none=1, absent=5),
          "mta_sts": z(enforce=1, testing=1, absent=6)}


def world_env(d):
    env = {}
    with open(os.path.join(d, "world.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    return env


def compare(path, want, got, diffs):
    for key, exp in want.items():
        act = got.get(key)
        if isinstance(exp, dict) and key != "hosted":
            for k, v in act.items():
                if v != exp.get(k, 0):
                    diffs.append("%s.%s.%s: %s, expected %s" %
                                 (path, key, k, v, exp.get(k, 0)))
        elif key == "hosted":
            compare(path + ".hosted", exp, act, diffs)
        elif act != exp:
            diffs.append("%s.%s: %s, expected %s" % (path, key, act, exp))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--part", choices=("own", "hosted"), required=True,
                    help="own: own-domain and total counts (DNSSEC and mail "
                    "probes); hosted: the hosted counts (also the RPKI "
                    "probe's origin_asn annotations)")
    args = ap.parse_args()
    env = world_env(args.world)
    tmp = tempfile.mkdtemp(prefix="hy-survey-stats-")
    isps = os.path.join(tmp, "isps.json")
    with open(isps, "w") as f:
        json.dump({"isps": [
            {"id": i, "name": "World " + i, "name_ja": "ワールド " + i,
             "asns": [64500 + n], "domains": OWN[i]}
            for n, i in enumerate(("wa", "wb", "wc"))]}, f,
            ensure_ascii=False)
    domains = os.path.join(tmp, "domains.txt")
    with open(domains, "w") as f:
        f.write("\n".join(EXTRA + INVALID) + "\n")
    routes = os.path.join(tmp, "routes.txt")
    with open(routes, "w") as f:
        f.write("".join("%s\t%d\n" % r for r in ROUTES))
    out = os.path.join(tmp, "2026-11")
    p = subprocess.run(
        [args.hygiene, "survey", "--isps", isps, "--domains", domains,
         "--out", out, "--month", "2026-11",
         "--resolver", env["HY_RESOLVER"],
         "--trust-anchor", env["HY_TRUST_ANCHOR"],
         "--ca-file", env["HY_CA_FILE"], "--https-port", env["HY_HTTPS_PORT"],
         "--rtr", env["HY_RTR"], "--routes", routes, "--timeout", "5"],
        capture_output=True, text=True, timeout=300)
    rows = []
    if os.path.exists(os.path.join(out, "results.ndjson")):
        rows = [json.loads(l) for l in open(os.path.join(out,
                                                         "results.ndjson"))]
    # Sections a measured domain lacks: a probe not on this branch.
    measured = [r for r in rows if r.get("measurement") == "measured" or
                ("measurement" not in r and r.get("domain") and
                 not r.get("errors"))]
    missing = [r["domain"] for r in measured
               if any(r.get(s) is None for s in
                      ("dnssec", "spf", "dmarc", "mta_sts")) or
               (args.part == "hosted" and
                not any("origin_asn" in a for h in (r.get("ns") or [])
                        for a in h.get("addresses", [])))]
    if p.returncode not in (0, 3):
        print("FAIL: survey exited %d: %s" % (p.returncode, p.stderr))
        sys.exit(1)
    if missing or not measured:
        print("SKIP: the probes are not all on this branch (exit %d; "
              "sections or origin_asn missing for %s) %s" %
              (p.returncode, missing or "-", p.stderr.strip()))
        subprocess.run(["rm", "-rf", tmp])
        sys.exit(77)
    stats = json.load(open(os.path.join(out, "stats.json")))
    jsonschema.validate(stats, json.load(open(os.path.join(
        ROOT, "schema", "stats.schema.json"))))
    diffs = []
    for isp in stats["isps"]:
        want = dict(EXPECTED[isp["id"]])
        if args.part == "own":
            del want["hosted"]
            compare(isp["id"], want, isp, diffs)
        else:
            compare(isp["id"] + ".hosted", want["hosted"], isp["hosted"],
                    diffs)
            got = (isp.get("rpki") or {}).get("routes")
            if got != RPKI_ROUTES[isp["id"]]:
                diffs.append("%s.rpki.routes: %s, expected %s" %
                             (isp["id"], got, RPKI_ROUTES[isp["id"]]))
    if args.part == "own":
        compare("totals", TOTALS, stats["totals"], diffs)
    if diffs:
        print("FAIL:\n  " + "\n  ".join(diffs))
        for r in rows:
            print(r["domain"] or r.get("input"), r.get("measurement"),
                  {s: (r[s] or {}).get("status") for s in
                   ("dnssec", "spf", "dmarc", "mta_sts")},
                  r["attribution"], r["errors"])
        sys.exit(1)
    if p.returncode != 3:
        print("FAIL: exit %d although two names are invalid and one does "
              "not exist" % p.returncode)
        sys.exit(1)
    subprocess.run(["rm", "-rf", tmp])
    print("ok: per-ISP %s statistics match the hand-computed table" %
          args.part)


if __name__ == "__main__":
    main()
