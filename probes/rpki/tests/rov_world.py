#!/usr/bin/env python3
"""End-to-end tests of `hygiene rpki --paths`: the hand-made view
(data/rov/view.txt) written as MRT (plain, gzip, bzip2) and as `bgpdump -m`
text must give exactly the hand-computed table (data/rov/expected.json,
worked out in data/rov/EXPECTED.md) in every form; with Debian's bgpdump
installed, its text of the MRT file must equal ours and give the same
table. Also: two dumps at once, truncated dumps, garbled records, a dump
far from the VRPs' time, usage errors, the text table.

usage: rov_world.py HYGIENE_BINARY WORKDIR

No network: the VRPs come from a file.
"""
import copy
import gzip
import json
import os
import shutil
import subprocess
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data", "rov")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SCHEMA = json.load(open(os.path.join(ROOT, "schema", "rpki.schema.json")))
STATS_SCHEMA = json.load(open(os.path.join(ROOT, "schema",
                                           "stats.schema.json")))
AT = "2025-01-01T06:00:00Z"     # six hours after the dump

sys.path.insert(0, HERE)
import rov_view  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(hygiene, *args):
    p = subprocess.run([hygiene, "rpki"] + list(args), capture_output=True,
                       text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def rpki(hygiene, *paths, extra=()):
    return run(hygiene, "--json", "--vrps", os.path.join(DATA, "vrps.json"),
               "--routes", os.path.join(DATA, "routes.txt"), "--isps",
               os.path.join(DATA, "isps.json"), "--at", AT, *extra,
               "--paths", *paths)


def strip_files(rov):
    """The table without file names (which differ between forms)."""
    r = copy.deepcopy(rov)
    for f in r["feeds"]:
        f.pop("file")
    for e in r["examples"]:
        e.pop("file")
        e.pop("reason")
    return r


def check_table(doc, label, factor=1):
    try:
        jsonschema.validate(doc, SCHEMA)
        check(True, label + ": valid against schema/rpki.schema.json")
    except jsonschema.ValidationError as e:
        check(False, "%s: schema: %s at %s" % (label, e.message,
                                               list(e.absolute_path)))
    exp = json.load(open(os.path.join(DATA, "expected.json")))
    got = {i["id"]: i.get("rov") for i in doc["isps"]}
    check(sorted(got) == sorted(exp["isps"]), label + ": ISP ids")
    for isp, e in exp["isps"].items():
        g = got.get(isp)
        if g is None:
            check(False, "%s: %s has no rov" % (label, isp))
            continue
        want = copy.deepcopy(e)
        if factor > 1:
            # the same view read twice: sessions and their counts double
            want["feeds"] = [f for f in want["feeds"] for _ in range(factor)]
            for k in ("routes_exported", "invalid_exported", "invalid_own"):
                want[k] *= factor
        mine = strip_files(g)
        if factor > 1:
            mine["feeds"].sort(key=lambda f: (f["peer_ip"], f["peer_asn"]))
            want["feeds"].sort(key=lambda f: (f["peer_ip"], f["peer_asn"]))
        for k in want:
            check(mine.get(k) == want[k], "%s: %s %s = %s" %
                  (label, isp, k, json.dumps(mine.get(k))[:200]))
        check(g["reason"] != "", "%s: %s says why (%s)" %
              (label, isp, g["reason"]))
        check(all(x["reason"].startswith(("1 VRP", "VRP"))
                  for x in g["examples"]),
              "%s: %s examples name the deciding VRP" % (label, isp))


def survey(hygiene, work, name, *extra):
    out = os.path.join(work, name, "2025-01")
    p = subprocess.run([hygiene, "survey", "--isps",
                        os.path.join(DATA, "isps.json"), "--out", out,
                        "--month", "2025-01", "--db",
                        os.path.join(work, name, "history.sqlite"),
                        "--vrps", os.path.join(DATA, "vrps.json"),
                        "--routes", os.path.join(DATA, "routes.txt"),
                        "--at", AT] + list(extra), capture_output=True,
                       text=True, timeout=120)
    return p.returncode, p.stderr, out


def check_survey(hygiene, work, table):
    """survey --paths: stats.json, the reports (HTML en/ja, md, csv)."""
    rc, err, out = survey(hygiene, work, "survey", "--paths",
                          os.path.join(work, "view.mrt.bz2"))
    check(rc == 0, "survey --paths: exit 0 (%s)" % err.strip()[-200:])
    if rc != 0:
        return
    stats = json.load(open(os.path.join(out, "stats.json")))
    try:
        jsonschema.validate(stats, STATS_SCHEMA)
        check(True, "survey: stats.json valid against its schema")
    except jsonschema.ValidationError as e:
        check(False, "survey: stats.json: %s at %s" %
              (e.message, list(e.absolute_path)))
    check([strip_files(i["rpki"]["rov"]) for i in stats["isps"]] == table,
          "survey: stats.json carries the hand-computed ROV table")
    html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    check("ROV) enforcement" in html and "not filtering" in html and
          "10.2.0.0/25 (AS65100, invalid-length) path 65010 64507 65100"
          in html, "survey: report.html shows ROV status and evidence")
    csv = open(os.path.join(out, "stats.csv"), encoding="utf-8-sig").read()
    check('"split-isp","partial","feed",2,2,149,15,0,17,0,' in csv,
          "survey: stats.csv has the ROV row of split-isp")
    db = os.path.join(work, "survey", "history.sqlite")
    for fmt, lang, want in (("html", "ja", "破棄していない"),
                            ("md", "ja", "| リーキー ISP | 一部のみ破棄 |"),
                            ("md", "en", "| Quiet ISP | no data |"),
                            ("json", "en", '"invalid_transit": 10')):
        p = subprocess.run([hygiene, "report", "--db", db, "--month",
                            "2025-01", "--format", fmt, "--lang", lang],
                           capture_output=True, text=True, timeout=60)
        check(p.returncode == 0 and want in p.stdout,
              "report --format %s --lang %s: %s" % (fmt, lang, want))
    # Without --paths there is no ROV section (and no rov key).
    rc, err, out = survey(hygiene, work, "plain")
    stats = json.load(open(os.path.join(out, "stats.json")))
    check(rc == 0 and all("rov" not in i["rpki"] for i in stats["isps"]) and
          "ROV" not in open(os.path.join(out, "report.html")).read(),
          "survey without --paths: no ROV figures, no ROV section")
    # A truncated dump stops the survey before it measures anything.
    rc, err, out = survey(hygiene, work, "cut", "--paths",
                          os.path.join(work, "cut.mrt"))
    check(rc == 1 and "paths: " in err and "cut short" in err and
          not os.path.exists(os.path.join(out, "stats.json")),
          "survey with a truncated dump: exit 1 (%s)" % err.strip()[-120:])


def main():
    hygiene, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    n = rov_view.write(os.path.join(DATA, "view.txt"), work)
    check(n == 622, "view written: %d routes" % n)
    exp = json.load(open(os.path.join(DATA, "expected.json")))

    # Every form of the view gives the hand-computed table.
    forms = [("view.mrt", "mrt", "none"), ("view.mrt.gz", "mrt", "gzip"),
             ("view.mrt.bz2", "mrt", "bzip2"),
             ("view.bgpdump", "bgpdump", "none"),
             ("view.bgpdump.gz", "bgpdump", "gzip")]
    tables = {}
    for name, fmt, comp in forms:
        rc, out, err = rpki(hygiene, os.path.join(work, name))
        check(rc == 0, "%s: exit 0 (got %d: %s)" % (name, rc, err.strip()[-300:]))
        if rc != 0:
            continue
        doc = json.loads(out)
        check_table(doc, name)
        f = doc["path_source"]["files"][0]
        check((f["format"], f["compression"]) == (fmt, comp),
              "%s: read as %s/%s" % (name, f["format"], f["compression"]))
        d = exp["dump"]
        check(f["routes"] == d["routes"] and f["malformed"] == 0 and
              f["dump_time_first"] == d["dump_time_first"] and
              f["dump_time_last"] == d["dump_time_last"],
              "%s: %d routes, dumped %s" % (name, f["routes"],
                                            f["dump_time_first"]))
        src = doc["path_source"]
        check(src["sessions"] == d["sessions"] and
              src["invalid_routes"] == d["invalid_routes"],
              "%s: %d sessions, %d distinct invalid routes" %
              (name, src["sessions"], src["invalid_routes"]))
        check("paths" in doc["timing_ms"], name + ": timed")
        tables[name] = [strip_files(i["rov"]) for i in doc["isps"]]
    check(len(set(json.dumps(t, sort_keys=True) for t in tables.values()))
          == 1, "all five forms give one table")

    # Debian's bgpdump as an independent reader of our MRT file.
    if shutil.which("bgpdump"):
        p = subprocess.run(["bgpdump", "-m", os.path.join(work, "view.mrt")],
                           capture_output=True, timeout=60)
        text = os.path.join(work, "debian-bgpdump.txt")
        open(text, "wb").write(p.stdout)
        check(p.stdout == open(os.path.join(work, "view.bgpdump"), "rb").read(),
              "bgpdump -m of view.mrt is our text, byte for byte")
        rc, out, err = rpki(hygiene, text)
        check(rc == 0, "bgpdump's text: exit 0")
        if rc == 0:
            doc = json.loads(out)
            check_table(doc, "bgpdump's text")
            check([strip_files(i["rov"]) for i in doc["isps"]] ==
                  tables.get("view.mrt"), "bgpdump's text = MRT: same table")
    else:
        print("skip bgpdump not installed: no cross-check with Debian's "
              "reader (scripts/bootstrap.sh installs it)")

    # Two dumps: --paths A B (B is an argument after --paths).
    rc, out, err = rpki(hygiene, os.path.join(work, "view.mrt.gz"),
                        os.path.join(work, "view.bgpdump"))
    check(rc == 0, "two dumps: exit 0")
    if rc == 0:
        doc = json.loads(out)
        check(len(doc["path_source"]["files"]) == 2, "two dumps: both read")
        check_table(doc, "two dumps", factor=2)

    # The text table.
    rc, out, err = run(hygiene, "--vrps", os.path.join(DATA, "vrps.json"),
                       "--routes", os.path.join(DATA, "routes.txt"),
                       "--isps", os.path.join(DATA, "isps.json"), "--at", AT,
                       "--paths", os.path.join(work, "view.mrt"))
    check(rc == 0 and "ROV enforcement" in out, "text output: ROV table")
    rows = {l.split()[0]: l.split()[1:] for l in out.splitlines()
            if l.split() and l.split()[0] in exp["isps"] and
            len(l.split()) == 8}
    check(rows.get("split-isp") == ["partial", "2", "2", "149", "15", "17",
                                    "0"], "text output: split-isp row %s" %
          rows.get("split-isp"))
    check("leaky-isp: partial: " in out and "10.2.0.0/25" in out,
          "text output: reasons and evidence")

    # Truncated dumps: an error, never a smaller view read as complete.
    raw = open(os.path.join(work, "view.mrt"), "rb").read()
    cut = os.path.join(work, "cut.mrt")
    open(cut, "wb").write(raw[:len(raw) - 100])
    rc, out, err = rpki(hygiene, cut)
    check(rc == 1 and out == "" and "cut short" in err,
          "truncated MRT: exit 1, nothing on stdout (%s)" % err.strip()[-120:])
    gz = open(os.path.join(work, "view.mrt.gz"), "rb").read()
    open(cut + ".gz", "wb").write(gz[:len(gz) // 2])
    rc, out, err = rpki(hygiene, cut + ".gz")
    check(rc == 1 and out == "" and "truncated" in err,
          "truncated gzip: exit 1 (%s)" % err.strip()[-120:])

    # A garbled record is skipped and listed; the run says "incomplete".
    text = open(os.path.join(work, "view.bgpdump")).read().splitlines()
    fields = text[5].split("|")
    fields[5] = "10.0.0.999/24"
    text[5] = "|".join(fields)
    bad = os.path.join(work, "garbled.txt")
    open(bad, "w").write("\n".join(text) + "\n")
    rc, out, err = rpki(hygiene, bad)
    check(rc == 3, "garbled line: exit 3 (got %d)" % rc)
    if out:
        f = json.loads(out)["path_source"]["files"][0]
        check(f["malformed"] == 1 and f["malformed_records"][0]["record"]
              == 6, "garbled line: listed as line 6")
    check("line 6" in err, "garbled line: named on stderr")

    # Routes of 2025 against VRPs of another day: refused. (The VRP
    # file's own age check, which would refuse it first, is off here.)
    rc, out, err = run(hygiene, "--json", "--vrps",
                       os.path.join(DATA, "vrps.json"), "--vrps-max-age",
                       "0", "--routes",
                       os.path.join(DATA, "routes.txt"), "--isps",
                       os.path.join(DATA, "isps.json"), "--at",
                       "2025-01-03T00:00:01Z", "--paths",
                       os.path.join(work, "view.mrt"))
    check(rc == 1 and out == "" and "--at" in err and "apart" in err,
          "dump two days from the VRPs: exit 1 (%s)" % err.strip()[-160:])

    # Usage: extra arguments only after --paths.
    rc, out, err = run(hygiene, "--vrps", os.path.join(DATA, "vrps.json"),
                       "--routes", os.path.join(DATA, "routes.txt"),
                       "--isps", os.path.join(DATA, "isps.json"), "stray")
    check(rc == 2 and "unexpected argument" in err,
          "an argument without --paths: usage error")
    rc, out, err = rpki(hygiene, os.path.join(work, "missing.mrt"))
    check(rc == 1 and "missing.mrt" in err, "missing dump: exit 1")

    check_survey(hygiene, work, tables.get("view.mrt"))

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
