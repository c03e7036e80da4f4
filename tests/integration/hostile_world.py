#!/usr/bin/env python3
"""Hostile data end to end (issue 10): the world's hostile zones
(zones/hostile/: TXT bombs, markup and script in records and names, CSV
formula starts, NUL and bytes that are not UTF-8, CNAME loops, MTA-STS
policies that are huge, never end or redirect) through `check --json`,
a `survey` and every `report` format in both languages.

    hostile_world.py --hygiene PATH --world DIR [--rss-limit-mb N]

1. `check --json` of every hostile name (expect.d/hostile.json) and of
   input names that are themselves markup or formulas: exit status 3,
   every output line strict UTF-8 JSON valid against the schema, one per
   input, and peak RSS of the process under --rss-limit-mb (200).
2. MTA-STS policy fetch faults give exit status 3, evidence exit 0
   (zones/mail/sts-faults.jp.zone).
3. A survey whose ISPs own the hostile names, with an ISP list that
   carries markup and formulas too, then `report` in html,
   md, csv and json, en and ja, next to the survey's own report files:
   - every results.ndjson line parses (strict UTF-8) and fits the schema;
   - HTML holds only the report's own elements, no event handler or
     javascript: URL, no control character, and shows the hostile
     strings as text;
   - Markdown holds no raw markup, and every table row as many cells as
     its header;
   - no CSV cell starts with = + - @ tab or CR, every row of a table has
     the header's width, and the hostile records are whole cells;
   - the JSON report parses.
"""
import argparse
import csv
import html.parser
import io
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
EXPECT = os.path.join(ROOT, "tests", "world", "expect.d", "hostile.json")
CHECK_SCHEMA = os.path.join(ROOT, "schema", "check.schema.json")
STATS_SCHEMA = os.path.join(ROOT, "schema", "stats.schema.json")
DEMO_ROUTES = os.path.join(ROOT, "tests", "world", "demo-routes.txt")

# Input names that are markup or formulas (not valid host names).
BAD_INPUTS = ["<script>alert('in')</script>.jp", "=HYPERLINK(\"x\").jp",
              "+1+2.jp", "-3.jp", "@SUM(1).jp", "\"><img src=x>.jp"]
# Strings that must reach the reports, escaped.
SPF_HTML = "v=spf1 ip4:127.0.0.1 <script>alert('spf')</script> -all"
DMARC_HTML = ("v=DMARC1; p=reject; rua=mailto:\"><script>alert(1)</script>"
              "@hostile.jp; x=<img src=x onerror=alert(1)>'&")
ISP_NAME = "=HYPERLINK(\"http://evil.invalid/\",\"click\")"
ISP_NAME_JA = "<script>alert('ja')</script>ワールド"
HTML_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2",
             "p", "ul", "li", "table", "caption", "tr", "th", "td", "code",
             "svg", "rect", "line", "text", "g"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

failures = []


def fail(msg):
    print("FAIL:", msg)
    failures.append(msg)


def world_env(d):
    env = {}
    with open(os.path.join(d, "world.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    return env


def global_opts(env):
    return ["--resolver", env["HY_RESOLVER"],
            "--trust-anchor", env["HY_TRUST_ANCHOR"],
            "--ca-file", env["HY_CA_FILE"],
            "--https-port", env["HY_HTTPS_PORT"], "--timeout", "6"]


def run_measured(cmd):
    """Runs cmd; returns (exit status, stdout bytes, stderr, peak RSS in
    MB) of that process alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (p.returncode, out.read(), err.read().decode(errors="replace"),
                usage.ru_maxrss / 1024.0)


def ndjson(data, what):
    """Strict UTF-8 JSON lines; a failure for each line that is not."""
    objs = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("%s is not UTF-8: %s" % (what, e))
        return objs
    for i, line in enumerate(text.splitlines()):
        try:
            objs.append(json.loads(line))
        except ValueError as e:
            fail("%s line %d does not parse: %s" % (what, i + 1, e))
    return objs


def validate(objs, schema, what):
    v = jsonschema.Draft202012Validator(schema)
    for o in objs:
        for e in v.iter_errors(o):
            fail("%s %s: schema: %s" % (what, o.get("domain") or
                                        o.get("input"), e.message[:200]))


def part_check(args, env, names, tmp):
    listing = os.path.join(tmp, "check.txt")
    with open(listing, "w", encoding="utf-8") as f:
        f.write("\n".join(names + BAD_INPUTS) + "\n")
    cmd = [args.hygiene, "check", "--json", "--file", listing] + \
        global_opts(env)
    rc, out, err, rss = run_measured(cmd)
    print("check of %d hostile names and %d hostile inputs: exit %d, "
          "peak RSS %.1f MB" % (len(names), len(BAD_INPUTS), rc, rss))
    if rc != 3:
        fail("check exited %d (want 3: some inputs could not be measured):"
             " %s" % (rc, err[-500:]))
    objs = ndjson(out, "check output")
    validate(objs, json.load(open(CHECK_SCHEMA)), "check")
    seen = sorted(o.get("domain") or o.get("input") for o in objs)
    if seen != sorted(names + BAD_INPUTS):
        fail("check printed %s" % seen)
    for o in objs:
        if o.get("input") in BAD_INPUTS and not o["errors"]:
            fail("input %r was not reported invalid" % o["input"])
    if args.rss_limit_mb and rss >= args.rss_limit_mb:
        fail("peak RSS %.1f MB, limit %d MB" % (rss, args.rss_limit_mb))


def part_sts_exit(args, env):
    for name, want in (("refused.sts-faults.jp", 3),
                       ("status-503.sts-faults.jp", 3),
                       ("truncated.sts-faults.jp", 3),
                       ("status-403.sts-faults.jp", 0)):
        p = subprocess.run([args.hygiene, "check"] + global_opts(env) +
                           [name], capture_output=True, timeout=60)
        if p.returncode != want:
            fail("check %s exited %d, want %d" % (name, p.returncode, want))
    print("MTA-STS fetch faults exit 3, evidence 0")


class HtmlAudit(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.bad, self.text = set(), [], []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for k, v in attrs:
            if k.startswith("on") or "javascript:" in (v or "").lower():
                self.bad.append("%s %s=%r" % (tag, k, v))

    def handle_data(self, data):
        self.text.append(data)


def audit_html(doc, what, must_show):
    a = HtmlAudit()
    a.feed(doc)
    a.close()
    if a.tags - HTML_TAGS:
        fail("%s holds elements %s" % (what, sorted(a.tags - HTML_TAGS)))
    if a.bad:
        fail("%s holds %s" % (what, a.bad))
    if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", doc):
        fail("%s holds a control character" % what)
    text = "".join(a.text)
    for s in must_show:
        if s not in text:
            fail("%s does not show %r as text" % (what, s))


def audit_md(doc, what):
    if re.search(r"<(script|img|svg|iframe|a)\b", doc, re.I):
        fail("%s holds raw markup" % what)
    if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", doc):
        fail("%s holds a control character" % what)
    width = None
    for line in doc.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        if width is None:
            width = cells
        elif cells != width:
            fail("%s: a table row has %d cells, its header %d: %r" % (
                what, cells - 1, width - 1, line[:200]))


def audit_csv(doc, what, must_cells):
    if doc.startswith("\ufeff"):
        doc = doc[1:]
    cells, width = set(), None
    for row in csv.reader(io.StringIO(doc, newline="")):
        if not row:
            width = None
            continue
        if width is None:
            width = len(row)
        elif len(row) != width:
            fail("%s: a row has %d cells, its header %d: %r" % (
                what, len(row), width, row[:3]))
        for c in row:
            cells.add(c)
            if c.startswith(FORMULA_START):
                fail("%s: cell %r starts a formula" % (what, c[:80]))
    for c in must_cells:
        if c not in cells:
            fail("%s has no cell %r" % (what, c))


def part_survey(args, env, names, tmp):
    isps = os.path.join(tmp, "isps.json")
    with open(isps, "w") as f:
        json.dump({"isps": [
            {"id": "evil", "name": ISP_NAME, "name_ja": ISP_NAME_JA,
             "asns": [64500], "domains": names[:len(names) // 2]},
            {"id": "plain", "name": "Plain ISP", "name_ja": "ふつう",
             "asns": [64501], "domains": names[len(names) // 2:]}]}, f,
            ensure_ascii=False)
    domains = os.path.join(tmp, "domains.txt")
    # The invalid names go in too: they are reported as invalid input and
    # must not stop the survey (issue 10 item 1).
    with open(domains, "w", encoding="utf-8") as f:
        f.write("\n".join(names + BAD_INPUTS) + "\n")
    out = os.path.join(tmp, "out", "2026-11")
    db = os.path.join(tmp, "history.sqlite")
    cmd = [args.hygiene, "survey", "--isps", isps, "--domains", domains,
           "--out", out, "--month", "2026-11", "--db", db,
           "--rtr", env["HY_RTR"], "--routes", DEMO_ROUTES] + global_opts(env)
    p = subprocess.run(cmd, capture_output=True, timeout=300)
    print("survey: exit %d" % p.returncode)
    if p.returncode not in (0, 3):
        fail("survey exited %d: %s" % (p.returncode,
                                       p.stderr.decode(errors="replace")))
        return
    with open(os.path.join(out, "results.ndjson"), "rb") as f:
        rows = ndjson(f.read(), "results.ndjson")
    for r in rows:
        r.pop("attribution", None)
    validate(rows, json.load(open(CHECK_SCHEMA)), "results.ndjson")
    with open(os.path.join(out, "stats.json"), "rb") as f:
        stats = ndjson(f.read().replace(b"\n", b" "), "stats.json")
    if stats:
        validate(stats, json.load(open(STATS_SCHEMA)), "stats.json")

    shown = [SPF_HTML, DMARC_HTML]
    for fname in os.listdir(out):
        path = os.path.join(out, fname)
        with open(path, encoding="utf-8") as f:
            doc = f.read()
        if fname.endswith(".html"):
            audit_html(doc, fname, shown)
        elif fname.endswith(".csv"):
            audit_csv(doc, fname, [SPF_HTML, DMARC_HTML])
    for fmt in ("html", "md", "csv", "json"):
        for lang in ("en", "ja"):
            what = "report --format %s --lang %s" % (fmt, lang)
            r = subprocess.run([args.hygiene, "report", "--db", db,
                                "--month", "2026-11", "--format", fmt,
                                "--lang", lang], capture_output=True,
                               timeout=60)
            if r.returncode != 0:
                fail("%s exited %d: %s" % (what, r.returncode, r.stderr))
                continue
            try:
                doc = r.stdout.decode("utf-8")
            except UnicodeDecodeError as e:
                fail("%s is not UTF-8: %s" % (what, e))
                continue
            if fmt == "html":
                audit_html(doc, what, shown + [
                    ISP_NAME_JA if lang == "ja" else ISP_NAME])
            elif fmt == "md":
                audit_md(doc, what)
            elif fmt == "csv":
                audit_csv(doc, what, [SPF_HTML, DMARC_HTML, "'" + ISP_NAME])
            else:
                try:
                    json.loads(doc)
                except ValueError as e:
                    fail("%s does not parse: %s" % (what, e))
    print("survey outputs and 8 reports audited")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--rss-limit-mb", type=int, default=200)
    args = ap.parse_args()
    env = world_env(args.world)
    names = sorted(json.load(open(EXPECT))["domains"])
    tmp = tempfile.mkdtemp(prefix="hy-hostile-")
    part_check(args, env, names, tmp)
    part_sts_exit(args, env)
    part_survey(args, env, names, tmp)
    subprocess.run(["rm", "-rf", tmp])
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
