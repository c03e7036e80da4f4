#!/usr/bin/env python3
"""Tests of the findings catalogue (src/catalog.c, `hygiene explain`).

    check_catalog.py --hygiene PATH codes      the sources emit no code the
                                               table lacks, and every row
                                               is emitted somewhere
    check_catalog.py --hygiene PATH generated  doc/findings.md and the enums
                                               of schema/check.schema.json
                                               are what the table generates
    check_catalog.py --hygiene PATH explain    `hygiene explain` as users
                                               see it: entries, --list,
                                               --lang ja, wrapping, errors
    check_catalog.py --hygiene PATH table      every row is complete

Each failure says what to change.
"""

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import scan_codes          # noqa: E402
import catalog_update      # noqa: E402

FAILURES = []
TABLE = "src/catalog.c"
REGENERATE = "python3 scripts/catalog_update.py build/hygiene"


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name +
          ("" if cond else ":\n     " + detail.replace("\n", "\n     ")))
    if not cond:
        FAILURES.append(name)


def hygiene(h, *args, env=None):
    e = dict(os.environ)
    e.pop("COLUMNS", None)
    e.update(env or {})
    p = subprocess.run([h, "explain"] + list(args), capture_output=True,
                       env=e)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def catalogue(h):
    rc, out, err = hygiene(h, "--json")
    if rc != 0:
        raise SystemExit("hygiene explain --json failed: %s" % err)
    return json.loads(out)


def row_hint(f):
    sev = " | ".join("HY_CAT_" + s.upper() for s in f["severities"]) or \
        "<severity>"
    return ('{ "%s", "%s", "<probe>", %s, "<RFC section>", "<English>", '
            '"<日本語>", "<fix>", "<対処>" },'
            % (f["section"], f["code"], sev))


def test_codes(h):
    rows = {(r["section"], r["code"]): r for r in catalogue(h)}
    try:
        found = scan_codes.scan(ROOT)
    except scan_codes.ScanError as e:
        check("codes: the sources can be read", False, str(e))
        return
    check("codes: the scan finds the emitters", len(found) > 50,
          "only %d call sites found" % len(found))
    emitted = set()
    for f in found:
        key = (f["section"], f["code"])
        emitted.add(key)
        row = rows.get(key)
        if row is None:
            check("codes: %s/%s (%s) is in the catalogue" % (
                  f["section"], f["code"], f["where"]), False,
                  "add its row to the table in %s:\n%s\nthen run: %s"
                  % (TABLE, row_hint(f), REGENERATE))
            continue
        extra = set(f["severities"]) - set(row["severities"])
        check("codes: %s/%s at %s has a catalogued severity" % (
              f["section"], f["code"], f["where"]), not extra,
              "it is emitted as %s; add %s to its row in %s"
              % ("/".join(sorted(extra)), " | ".join(
                  "HY_CAT_" + s.upper() for s in sorted(extra)), TABLE))
    for key in sorted(set(rows) - emitted):
        check("codes: %s/%s is emitted somewhere" % key, False,
              "no source emits it: remove its row from %s and run: %s"
              % (TABLE, REGENERATE))
    print("%d call sites, %d codes emitted, %d rows" % (
          len(found), len(emitted), len(rows)))


def same(name, want, got, path):
    if want == got:
        check(name, True)
        return
    diff = "".join(list(difflib.unified_diff(
        got.splitlines(True), want.splitlines(True), path + " (committed)",
        "generated from " + TABLE))[:40])
    check(name, False, "%s differs from the table; run: %s\n%s"
          % (path, REGENERATE, diff))


def test_generated(h):
    rc, md, err = hygiene(h, "--markdown")
    check("generated: --markdown runs", rc == 0, err)
    same("generated: doc/findings.md is up to date", md,
         open(catalog_update.DOC, encoding="utf-8").read(), "doc/findings.md")
    rc, block, err = hygiene(h, "--schema-enum")
    check("generated: --schema-enum runs", rc == 0, err)
    text = open(catalog_update.SCHEMA, encoding="utf-8").read()
    have = catalog_update.schema_block(text)
    check("generated: the schema has a codes block", have is not None,
          "schema/check.schema.json must end its $defs with \"codes\"")
    same("generated: the schema's code enums are up to date", block,
         have or "", "schema/check.schema.json")
    schema = json.loads(text)
    enums = schema["$defs"]["codes"]["$defs"]
    want = {}
    for r in catalogue(h):
        want.setdefault(r["section"], []).append(r["code"])
    check("generated: every section's enum lists its codes",
          {k: v["enum"] for k, v in enums.items()} == want,
          json.dumps(enums)[:300])
    refs = set(re.findall(r'"#/\$defs/codes/\$defs/(\w+)"', text))
    check("generated: every section's findings use its enum",
          refs == set(want), "referenced: %s" % sorted(refs))


def test_table(h):
    rows = catalogue(h)
    seen = set()
    for r in rows:
        key = "%s/%s" % (r["section"], r["code"])
        check("table: %s appears once" % key, key not in seen)
        seen.add(key)
        empty = [k for k in ("probe", "en", "ja", "fix_en", "fix_ja")
                 if not r[k].strip()]
        check("table: %s is complete" % key, not empty and r["severities"],
              "empty: %s" % ", ".join(empty or ["severities"]))
        check("table: %s is a stable code" % key,
              re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r["code"]) is not None,
              r["code"])
        jp = any(unicodedata.east_asian_width(c) == "W" for c in r["ja"])
        check("table: %s has Japanese text" % key, jp and any(
              unicodedata.east_asian_width(c) == "W" for c in r["fix_ja"]),
              r["ja"] + " / " + r["fix_ja"])
        check("table: %s cites an RFC or nothing" % key,
              r["rfc"] == "" or r["rfc"].startswith("RFC "), r["rfc"])
        for k in ("en", "ja", "fix_en", "fix_ja"):
            check("table: %s %s is one sentence, ended" % (key, k),
                  "\n" not in r[k] and r[k].rstrip()[-1:] in (".", "。"),
                  r[k])


def cols(line):
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
               for c in line)


def test_explain(h):
    rc, out, _ = hygiene(h, "plus-all")
    check("explain: a code prints its entry", rc == 0 and
          "spf" in out.lower() and "RFC 7208 §5.1" in out and "-all" in out,
          out)
    rc, out, _ = hygiene(h, "dns-error")
    check("explain: a code in three sections prints three entries",
          rc == 0 and out.count("RFC ") == 3 and "_dmarc" in out and
          "_mta-sts" in out and "_smtp._tls" in out, out)
    rc, out, _ = hygiene(h, "tls_rpt/dns-error")
    check("explain: SECTION/CODE picks one", rc == 0 and
          out.count("RFC ") == 1 and "_smtp._tls" in out, out)
    rc, out, _ = hygiene(h, "--lang", "ja", "plus-all")
    check("explain: --lang ja is Japanese", rc == 0 and "対処" in out and
          "送信" in out, out)
    rc, out, err = hygiene(h, "no-such-code")
    check("explain: an unknown code is a usage error (2)", rc == 2 and
          "no-such-code" in err and "--list" in err, "%d %s" % (rc, err))
    rc, out, err = hygiene(h)
    check("explain: no code is a usage error (2)", rc == 2, err)
    rc, out, err = hygiene(h, "--list", "plus-all")
    check("explain: codes with --list is a usage error (2)", rc == 2, err)
    rc, out, err = hygiene(h, "--lang", "fr", "plus-all")
    check("explain: --lang fr is a usage error (2)", rc == 2, err)
    rows = catalogue(h)
    rc, out, _ = hygiene(h, "--list")
    missing = [r["code"] for r in rows
               if "%s/%s " % (r["section"], r["code"]) not in out]
    check("explain: --list lists every code", rc == 0 and not missing,
          repr(missing[:5]))
    for lang in ("en", "ja"):
        for width in (40, 80):
            rc, out, _ = hygiene(h, "--lang", lang, "--list",
                                 env={"COLUMNS": str(width)})
            over = [ln for ln in out.splitlines() if cols(ln) > width]
            check("explain: --list --lang %s fits %d columns" % (
                  lang, width), rc == 0 and not over, repr(over[:3]))
            starts = [ln for ln in out.splitlines()
                      if ln.strip()[:1] in ("、", "。", "）", "」")]
            check("explain: --lang %s at %d columns starts no line with "
                  "closing punctuation" % (lang, width), not starts,
                  repr(starts[:3]))
    rc, out, _ = hygiene(h, "--lang", "ja", "--list",
                         env={"COLUMNS": "40"})
    check("explain: Japanese lines use the width (wide characters count "
          "two)", any(cols(ln) > 34 for ln in out.splitlines()) and
          all(cols(ln) <= 40 for ln in out.splitlines()), "")
    wide = hygiene(h, "--lang", "ja", "--list",
                   env={"COLUMNS": "1000"})[1]
    check("explain: wrapping loses no character",
          "".join(out.split()) == "".join(wide.split()), "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("test", choices=["codes", "generated", "explain",
                                     "table"])
    a = ap.parse_args()
    globals()["test_" + a.test](a.hygiene)
    if FAILURES:
        print("\n%d check(s) failed" % len(FAILURES))
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
