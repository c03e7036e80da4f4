#!/usr/bin/env python3
"""Runs `hygiene check --json` against the running test world over the
domains of tests/world/expect.json (and tests/world/expect.d/*.json) and
checks each domain's output object against its expected subset. Every
output line must also validate against schema/check.schema.json, and each
of its findings and errors must be in the findings catalogue (`hygiene
explain --json`) with its section and severity.

    check_world.py --hygiene PATH --world DIR [--only DOMAIN ...]
                   [--expect FILE ...] [--arg=ARG ...]

--expect replaces the default expectation files (e.g. for a run with an
option that changes results); --arg adds an argument to `hygiene check`.

Matching rules (documented in tests/world/README.md):
  object   every expected key must be present and match; other keys are
           ignored; keys starting with "$comment" are ignored
  list     [] means the actual list is empty; otherwise each expected item
           must match a different actual item, in any order
  scalar   equal (true/false never equal 1/0)
  operators, as an object whose keys all start with "$":
           {"$absent": true}      the key is missing
           {"$len": N}            list or string of length N
           {"$exactly": [...]}    lists of equal length, items matched
                                  one to one in any order
           {"$contains": "text"}  a string containing text
           {"$none": {...}}       a list where no item matches {...}
           {"$one_of": [a, b]}    matches a or b
"""

import argparse
import datetime
import glob
import json
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
WORLD_SRC = os.path.join(ROOT, "tests", "world")
SCHEMA = os.path.join(ROOT, "schema", "check.schema.json")
OPERATORS = {"$absent", "$len", "$exactly", "$contains", "$none", "$one_of"}


def is_operator(exp):
    return (isinstance(exp, dict) and exp and
            all(k.startswith("$") and not k.startswith("$comment")
                for k in exp))


def same_scalar(exp, act):
    if isinstance(exp, bool) or isinstance(act, bool):
        return type(exp) is type(act) and exp == act
    return exp == act


def match(exp, act, path, diffs):
    """Appends (path, message) pairs to diffs; returns True on a match."""
    start = len(diffs)
    if is_operator(exp):
        match_operator(exp, act, path, diffs)
    elif isinstance(exp, dict):
        if not isinstance(act, dict):
            diffs.append((path, "want an object, got %s" % dump(act)))
        else:
            for k, v in exp.items():
                if k.startswith("$comment"):
                    continue
                if is_operator(v) and "$absent" in v:
                    if k in act:
                        diffs.append((path + "." + k, "want no such key, got "
                                      + dump(act[k])))
                    continue
                if k not in act:
                    diffs.append((path + "." + k, "missing; want " + dump(v)))
                    continue
                match(v, act[k], path + "." + k, diffs)
    elif isinstance(exp, list):
        if not isinstance(act, list):
            diffs.append((path, "want a list, got %s" % dump(act)))
        elif not exp and act:
            diffs.append((path, "want [], got %s" % dump(act)))
        else:
            match_items(exp, act, path, diffs)
    elif not same_scalar(exp, act):
        diffs.append((path, "want %s, got %s" % (dump(exp), dump(act))))
    return len(diffs) == start


def match_operator(exp, act, path, diffs):
    unknown = set(exp) - OPERATORS
    if unknown:
        diffs.append((path, "unknown operator(s) in expect: %s"
                      % ", ".join(sorted(unknown))))
        return
    if "$len" in exp:
        if not isinstance(act, (list, str)) or len(act) != exp["$len"]:
            diffs.append((path, "want length %d, got %s"
                          % (exp["$len"], dump(act))))
    if "$exactly" in exp:
        want = exp["$exactly"]
        if not isinstance(act, list) or len(act) != len(want):
            diffs.append((path, "want exactly %d items %s, got %s"
                          % (len(want), dump(want), dump(act))))
        else:
            match_items(want, act, path, diffs)
    if "$contains" in exp:
        if not isinstance(act, str) or exp["$contains"] not in act:
            diffs.append((path, "want a string containing %s, got %s"
                          % (dump(exp["$contains"]), dump(act))))
    if "$none" in exp:
        if not isinstance(act, list):
            diffs.append((path, "want a list, got %s" % dump(act)))
        else:
            for i, item in enumerate(act):
                if match(exp["$none"], item, path, []):
                    diffs.append(("%s[%d]" % (path, i), "must not match %s"
                                  % dump(exp["$none"])))
    if "$one_of" in exp:
        if not any(match(e, act, path, []) for e in exp["$one_of"]):
            diffs.append((path, "want one of %s, got %s"
                          % (dump(exp["$one_of"]), dump(act))))


def match_items(exp, act, path, diffs):
    """Each expected item to a different actual item (bipartite matching:
    lists here are short)."""
    fits = [[j for j, a in enumerate(act) if match(e, a, path, [])]
            for e in exp]
    owner = {}

    def assign(i, seen):
        for j in fits[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or assign(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i, e in enumerate(exp):
        if not assign(i, set()):
            diffs.append(("%s[]" % path, "no %sitem matches %s; actual: %s"
                          % ("other " if fits[i] else "", dump(e),
                             dump(act))))


def dump(v):
    s = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return s if len(s) <= 400 else s[:400] + "..."


def load_expect(files=None):
    if not files:
        files = [os.path.join(WORLD_SRC, "expect.json")]
        files += sorted(glob.glob(os.path.join(WORLD_SRC, "expect.d",
                                               "*.json")))
    expect = {}
    for path in files:
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for dom, want in data.get("domains", {}).items():
            expect[dom] = merge(expect.get(dom, {}), want, path, dom)
    return expect


def merge(a, b, path, where):
    out = dict(a)
    for k, v in b.items():
        if k in out and isinstance(out[k], dict) and isinstance(v, dict) \
                and not is_operator(v):
            out[k] = merge(out[k], v, path, where + "." + k)
        elif k in out and out[k] != v:
            raise SystemExit("%s: %s.%s conflicts with an earlier "
                             "expectation" % (path, where, k))
        else:
            out[k] = v
    return out


def format_checker(jsonschema):
    """The draft's checker, plus an RFC 3339 date-time check of our own:
    Debian's jsonschema checks date-time only when the optional
    rfc3339-validator module is installed, and silently passes otherwise."""
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER

    @checker.checks("date-time", raises=ValueError)
    def date_time(value):
        if not isinstance(value, str):
            return True
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?"
                            r"(Z|[+-]\d\d:\d\d)", value):
            raise ValueError("not RFC 3339")
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    return checker


def read_env(world):
    env = {}
    with open(os.path.join(world, "world.env")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    return env


SECTIONS = ("dnssec", "spf", "dmarc", "mta_sts", "tls_rpt", "mail")


def load_catalogue(hygiene):
    """{(section, code): severities} from `hygiene explain --json`."""
    p = subprocess.run([hygiene, "explain", "--json"], capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise SystemExit("check_world: hygiene explain --json failed: %s"
                         % p.stderr)
    return {(r["section"], r["code"]): set(r["severities"])
            for r in json.loads(p.stdout)}


def uncatalogued(obj, catalogue):
    """Findings and errors of an output object whose (section, code,
    severity) the findings catalogue does not list."""
    out = []
    for sec in SECTIONS:
        s = obj.get(sec)
        for f in (s.get("issues", []) if isinstance(s, dict) else []):
            if f.get("severity") not in catalogue.get((sec, f.get("code")),
                                                      ()):
                out.append("%s/%s (%s)" % (sec, f.get("code"),
                                           f.get("severity")))
    for e in obj.get("errors", []):
        if "error" not in catalogue.get(("errors", e.get("code")), ()):
            out.append("errors/%s" % e.get("code"))
    return out


def output_key(obj):
    """The input a line answers: invalid names carry `input`."""
    return [obj.get("input"), obj.get("domain"), obj.get("domain_unicode")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--schema", default=SCHEMA)
    ap.add_argument("--timeout", default="5",
                    help="hygiene --timeout (per-domain deadline, seconds)")
    ap.add_argument("--run-timeout", type=int, default=240,
                    help="limit for the whole hygiene run (seconds)")
    ap.add_argument("--only", nargs="*", metavar="DOMAIN")
    ap.add_argument("--expect", action="append", metavar="FILE")
    ap.add_argument("--arg", action="append", default=[],
                    help="extra hygiene check argument (write --arg=--opt)")
    a = ap.parse_args()

    try:
        import jsonschema
    except ImportError:
        print("check_world: python3-jsonschema is missing "
              "(scripts/bootstrap.sh installs it)", file=sys.stderr)
        return 1
    if not os.path.exists(a.schema):
        print("check_world: no schema at %s" % a.schema, file=sys.stderr)
        return 1
    with open(a.schema) as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=format_checker(jsonschema))

    try:
        env = read_env(a.world)
    except OSError as e:
        print("check_world: no running world (%s); start one with "
              "tests/world/world.py up DIR" % e, file=sys.stderr)
        return 1
    catalogue = load_catalogue(a.hygiene)
    expect = load_expect(a.expect)
    if a.only:
        missing = [d for d in a.only if d not in expect]
        if missing:
            print("check_world: not in expect.json: %s" % " ".join(missing),
                  file=sys.stderr)
            return 2
        expect = {d: expect[d] for d in a.only}
    domains = list(expect)
    world_domains = set(env["HY_DOMAINS"].split())
    cmd = [a.hygiene, "check", "--json", "--timeout", a.timeout,
           "--resolver", env["HY_RESOLVER"],
           "--trust-anchor", env["HY_TRUST_ANCHOR"],
           "--ca-file", env["HY_CA_FILE"],
           "--https-port", env["HY_HTTPS_PORT"],
           "--rtr", env["HY_RTR"]] + a.arg + domains
    print("$ " + " ".join(shlex.quote(c) for c in cmd))
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=a.run_timeout)
    except subprocess.TimeoutExpired as e:
        print("FAIL: hygiene did not finish within %d s (its --timeout is "
              "%s s per domain)\nstdout so far:\n%s" % (
                  a.run_timeout, a.timeout, e.stdout or ""))
        return 1
    failures = []
    if p.returncode not in (0, 3):
        failures.append("hygiene exited with %d (want 0 or 3)" % p.returncode)

    got = {}
    for n, line in enumerate(p.stdout.splitlines(), 1):
        try:
            obj = json.loads(line)
        except ValueError as e:
            failures.append("output line %d is not JSON (%s): %s"
                            % (n, e, line[:200]))
            continue
        for err in validator.iter_errors(obj):
            failures.append("output line %d (%s) breaks the schema at %s: %s"
                            % (n, obj.get("domain"),
                               "/".join(str(x) for x in err.absolute_path)
                               or "(top)", err.message))
        for c in uncatalogued(obj, catalogue):
            failures.append("output line %d (%s) emits %s, which the "
                            "findings catalogue lacks: add it to the table "
                            "in src/catalog.c and run python3 "
                            "scripts/catalog_update.py build/hygiene"
                            % (n, obj.get("domain"), c))
        keys = [k for k in output_key(obj) if k in expect]
        if not keys:
            failures.append("output line %d answers no requested domain: %s"
                            % (n, line[:200]))
            continue
        if keys[0] in got:
            failures.append("two output lines for %s" % keys[0])
        got[keys[0]] = obj

    passed = 0
    for dom in domains:
        if dom not in got:
            failures.append("%s: no output line" % dom)
            continue
        diffs = []
        match(expect[dom], got[dom], "", diffs)
        if diffs:
            lines = ["%s: output differs from expect:" % dom]
            lines += ["    %s: %s" % (path or "(top)", msg)
                      for path, msg in diffs]
            lines.append("    actual: %s" % json.dumps(
                got[dom], ensure_ascii=False, sort_keys=True))
            failures.append("\n".join(lines))
        else:
            passed += 1

    unexpected = sorted(world_domains - set(d for d in got)
                        - set(o.get("domain") for o in got.values()))
    if unexpected and not a.only and not a.expect:
        print("note: world domains without expectations: %s"
              % " ".join(unexpected))
    print("%d of %d domains match their expectations (hygiene exit %d)"
          % (passed, len(domains), p.returncode))
    if failures:
        print("\nFAILURES:")
        for f in failures:
            print("  " + f)
        if p.stderr.strip():
            print("\nhygiene stderr:\n" + p.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
