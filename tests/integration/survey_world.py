#!/usr/bin/env python3
"""`hygiene survey` end to end against the running test world.

    survey_world.py --hygiene PATH --world DIR [--kills N]

1. An uninterrupted survey of the world's domains (ISP list: two of them;
   --domains: all of them, with a BOM, CRLF, blank lines and duplicates).
   Checks the outputs: one results line per distinct domain, every line
   valid against schema/check.schema.json plus `attribution`, stats.json
   valid against schema/stats.schema.json, a CSV with BOM, an HTML report,
   exit status 3 exactly when some domain could not be measured.
2. N runs killed with SIGKILL at spread-out moments, each followed by
   --resume: the resumed results.ndjson (ignoring checked_at) and
   stats.json must equal the uninterrupted run's.
3. Refusals: the same month again without --resume; a bad --month.
"""

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
# tests/world/zones/hostile-txt.jp.zone
HOSTILE = "hostile-txt.jp"
HOSTILE_DMARC_HTML = ("v=DMARC1; p=reject; x=&lt;img src=x "
                      "onerror=alert(1)&gt;&quot;&#39;&amp;")
HOSTILE_DMARC_CSV = ('"v=DMARC1; p=reject; x=<img src=x onerror=alert(1)>'
                     '""\'&"')
CHECK_SCHEMA = os.path.join(ROOT, "schema", "check.schema.json")
DEMO_ROUTES = os.path.join(ROOT, "tests", "world", "demo-routes.txt")
STATS_SCHEMA = os.path.join(ROOT, "schema", "stats.schema.json")


def world_env(d):
    env = {}
    with open(os.path.join(d, "world.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    return env


def survey_cmd(args, env, out, month, extra=()):
    return [args.hygiene, "survey", "--isps", args.isps_file,
            "--domains", args.domains_file, "--out", out, "--month", month,
            "--resolver", env["HY_RESOLVER"],
            "--trust-anchor", env["HY_TRUST_ANCHOR"],
            "--ca-file", env["HY_CA_FILE"],
            "--https-port", env["HY_HTTPS_PORT"],
            # RPKI on (attribution needs it), so resumed runs must also
            # reproduce every address's origin, state and attribution.
            "--rtr", env["HY_RTR"], "--routes", DEMO_ROUTES,
            "--timeout", "6", "--concurrency", "64",
            # A paced run, so the kills land while domains are in flight;
            # the deadline leaves every reachable domain ample time even
            # behind the rate cap (about 17 queries per domain).
            "--qps", "400", *extra]


def unordered(v):
    if isinstance(v, dict):
        return {k: unordered(x) for k, x in v.items()}
    if isinstance(v, list):
        return sorted((unordered(x) for x in v),
                      key=lambda x: json.dumps(x, sort_keys=True))
    return v


def comparable(path, loose=False):
    """results.ndjson lines without the timestamp, in file order. loose
    (comparing two runs): a domain that could not be measured keeps only
    that fact, because which of its queries failed first (SERVFAIL or
    timeout) is decided by the resolver's state, not by the survey; and
    dnssec.resolver_ad is left out."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            obj = json.loads(line)
            obj.pop("checked_at", None)
            # The resolver's own AD bit, reported as found: unbound can
            # leave it off an answer its cache filled during a run with a
            # cold cache, so two runs may differ there (seen once in a
            # parallel ctest); nothing the survey stores or counts uses it.
            if loose and isinstance(obj.get("dnssec"), dict):
                obj["dnssec"].pop("resolver_ad", None)
            # Lists keep the resolver's RRset order (NS, MX, DNSKEY, ...),
            # which unbound rotates: compare every list as a multiset.
            obj = unordered(obj)
            if loose and obj.get("errors"):
                obj = {"domain": obj["domain"], "errors": True,
                       "attribution": obj["attribution"]}
            rows.append(obj)
    return rows


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--kills", type=int, default=2)
    args = ap.parse_args()
    env = world_env(args.world)
    domains = env["HY_DOMAINS"].split()
    tmp = tempfile.mkdtemp(prefix="hy-survey-world-")

    # w1 owns the world's hostile-TXT domain, so its records reach the
    # own-domain tables of the HTML and CSV reports.
    plain = [d for d in domains if d != HOSTILE]
    own = {"w1": [HOSTILE, plain[0]], "w2": [plain[1]]}
    args.isps_file = os.path.join(tmp, "isps.json")
    with open(args.isps_file, "w") as f:
        json.dump({"isps": [
            {"id": "w1", "name": "World One", "name_ja": "ワールド1",
             "asns": [64500], "domains": own["w1"]},
            {"id": "w2", "name": "World Two", "name_ja": "ワールド2",
             "asns": [64501], "domains": own["w2"]}]}, f,
            ensure_ascii=False)
    args.domains_file = os.path.join(tmp, "domains.txt")
    with open(args.domains_file, "wb") as f:
        body = "\r\n".join(domains + ["", domains[3].upper(), domains[0]])
        f.write(b"\xef\xbb\xbf" + body.encode())

    # 1. uninterrupted
    ref = os.path.join(tmp, "ref", "2026-11")
    os.makedirs(os.path.dirname(ref))
    p = subprocess.run(survey_cmd(args, env, ref, "2026-11"),
                       capture_output=True, text=True, timeout=300)
    print(p.stdout.strip())
    if p.returncode not in (0, 3):
        fail("survey exited %d: %s" % (p.returncode, p.stderr))
    if "domains  " in p.stderr or "ETA" in p.stderr:
        fail("stderr is not a terminal, yet progress appeared: %r" %
             p.stderr)
    rows = comparable(os.path.join(ref, "results.ndjson"))
    names = [r["domain"] for r in rows]
    if sorted(names) != sorted(set(domains)) or len(names) != len(set(names)):
        fail("results are not one per distinct domain: %s" % names)
    check_schema = json.load(open(CHECK_SCHEMA))
    for r in rows:
        if "attribution" not in r:
            fail("no attribution in %s" % r["domain"])
        r["checked_at"] = "2026-11-01T00:00:00Z"
        jsonschema.validate(r, check_schema)
    owned = {r["domain"] for r in comparable(os.path.join(
        ref, "results.ndjson")) if r["attribution"]["own"]}
    if owned != set(own["w1"] + own["w2"]):
        fail("own attribution: %s" % owned)
    stats = json.load(open(os.path.join(ref, "stats.json")))
    jsonschema.validate(stats, json.load(open(STATS_SCHEMA)))
    if stats["totals"]["domains"] != len(set(domains)):
        fail("totals.domains %d" % stats["totals"]["domains"])
    if [i["domains"] for i in stats["isps"]] != [2, 1]:
        fail("own domain counts %s" % [i["domains"] for i in stats["isps"]])
    t = stats["totals"]
    unmeasured = t["domains"] - t["measured"]
    if t["measured"] + t["incomplete"] + t["nxdomain"] + \
            t["invalid_input"] != t["domains"]:
        fail("states do not add up: %s" % t)
    if (p.returncode == 3) != (unmeasured > 0):
        fail("exit %d with %d not measured" % (p.returncode, unmeasured))
    if "%d measured, %d incomplete" % (t["measured"], t["incomplete"]) \
            not in p.stdout:
        fail("summary does not say how many were measured")
    states = {r["domain"]: r["measurement"] for r in rows}
    if sum(v == "incomplete" for v in states.values()) != t["incomplete"]:
        fail("results.ndjson states %s differ from stats.json" % states)
    with open(os.path.join(ref, "stats.csv"), "rb") as f:
        if not f.read(3) == b"\xef\xbb\xbf":
            fail("stats.csv has no BOM")
    html = open(os.path.join(ref, "report.html"), encoding="utf-8").read()
    if "<svg" not in html or "<script" in html or "<img" in html:
        fail("report.html holds raw markup")
    if HOSTILE_DMARC_HTML not in html:
        fail("report.html does not show the hostile DMARC record escaped")
    csv = open(os.path.join(ref, "stats.csv"), encoding="utf-8-sig").read()
    if HOSTILE_DMARC_CSV not in csv:
        fail("stats.csv does not hold the hostile DMARC record as one "
             "quoted cell")

    # 2. killed and resumed
    start = time.monotonic()
    subprocess.run(survey_cmd(args, env, os.path.join(tmp, "t", "m"),
                              "2026-11"), capture_output=True, timeout=300)
    full = time.monotonic() - start
    mid_run = 0
    for k in range(args.kills):
        out = os.path.join(tmp, "kill%d" % k, "2026-11")
        os.makedirs(os.path.dirname(out))
        delay = full * (k + 1) / (args.kills + 1)
        proc = subprocess.Popen(survey_cmd(args, env, out, "2026-11"),
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        again = subprocess.run(survey_cmd(args, env, out, "2026-11"),
                               capture_output=True, text=True)
        # Killed after the plan was committed: the month must be refused
        # without --resume. Killed before it: no survey exists yet, and
        # the plain run is a complete survey of its own (also fine).
        if proc.returncode == -signal.SIGKILL and again.returncode == 1 \
                and "--resume" not in again.stderr:
            fail("unexpected refusal: %s" % again.stderr)
        if again.returncode not in (1, p.returncode):
            fail("re-run after kill exited %d" % again.returncode)
        mid_run += again.returncode == 1
        r = subprocess.run(survey_cmd(args, env, out, "2026-11",
                                      ["--resume"]),
                           capture_output=True, text=True, timeout=300)
        if r.returncode != p.returncode:
            fail("resume after kill at %.2fs exited %d: %s" %
                 (delay, r.returncode, r.stderr))
        if comparable(os.path.join(out, "results.ndjson"), True) != \
                comparable(os.path.join(ref, "results.ndjson"), True):
            a = comparable(os.path.join(out, "results.ndjson"), True)
            b = comparable(os.path.join(ref, "results.ndjson"), True)
            for x, y in zip(a, b):
                if x != y:
                    print("resumed:  ", json.dumps(x, sort_keys=True))
                    print("reference:", json.dumps(y, sort_keys=True))
            fail("results after kill at %.2fs differ" % delay)
        if json.load(open(os.path.join(out, "stats.json"))) != stats:
            fail("stats after kill at %.2fs differ" % delay)
        print("kill at %.2fs of %.2fs: resumed run matches" % (delay, full))

    if mid_run == 0:
        fail("no kill landed while the survey was running")

    # 3. refusals
    r = subprocess.run(survey_cmd(args, env, ref, "2026-11"),
                       capture_output=True, text=True)
    if r.returncode != 1 or "one survey per month" not in r.stderr:
        fail("second survey of a month: %d %s" % (r.returncode, r.stderr))
    r = subprocess.run(survey_cmd(args, env, ref, "2026-13"),
                       capture_output=True, text=True)
    if r.returncode != 2:
        fail("bad month exited %d" % r.returncode)
    # A resolver that never answers: exit 1, nothing stored as measured,
    # and --resume with a working resolver completes the month.
    bh = os.path.join(tmp, "blackhole", "2026-11")
    cmd = survey_cmd(args, env, bh, "2026-11")
    cmd[cmd.index("--resolver") + 1] = env["HY_BLACKHOLE"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 1 or "no answer from the resolver" not in r.stderr:
        fail("silent resolver: exit %d: %s" % (r.returncode, r.stderr))
    r = subprocess.run(survey_cmd(args, env, bh, "2026-11", ["--resume"]),
                       capture_output=True, text=True, timeout=300)
    if r.returncode != p.returncode or json.load(open(os.path.join(
            bh, "stats.json"))) != stats:
        fail("resume after a silent resolver: %d %s" % (r.returncode,
                                                        r.stderr))
    print("silent resolver: stopped, nothing stored; resume completes")
    subprocess.run(["rm", "-rf", tmp])
    print("ok")


if __name__ == "__main__":
    main()
