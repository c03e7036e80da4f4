#!/usr/bin/env python3
"""Finds every finding and error code the sources emit.

    scan_codes.py [--root DIR] [--json]

Reads the C files under src/ and probes/ (not their tests) and prints one
line per emitted (section, code, severities) with where it is emitted;
severities are empty ("?") where the source does not say them (a variable,
or two codes and two severities in one call). check_catalog.py compares
the result with the findings catalogue; the rules below say how a call
site is read.
"""

import argparse
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

# Functions and macros that emit a code, with the index of the code
# argument, the index of the severity argument (or a fixed severity), and
# the files where the name means this emitter (None: everywhere).
EMITTERS = [
    # name, code arg, severity arg or fixed severity, files
    ("hy_findings_add", 1, 2, None),
    ("hy_check_error", 1, "error", None),
    ("ERR", 1, "error", ["probes/mta_sts/sts_parse.c"]),
    ("FIND", 1, 2, ["probes/mta_sts/mta_sts_probe.c"]),
    ("note", 1, 2, ["probes/dmarc/dmarc_parse.c"]),
    ("BAD", 1, "error", ["probes/dmarc/dmarc_parse.c"]),
    ("finding", 1, 2, ["probes/spf/spf_eval.c"]),
]

# Call sites whose code argument is not a string literal: wrappers that
# pass their own `code` parameter on, and copies of findings already
# emitted elsewhere. Each is (file, argument text). Any other non-literal
# code argument fails the scan: a new wrapper must be added to EMITTERS
# (so its callers are read) and its forwarding call here.
PASS_THROUGH = {
    ("probes/mta_sts/sts_parse.c", "code"),
    ("probes/mta_sts/mta_sts_probe.c", "code"),
    ("probes/dmarc/dmarc_parse.c", "code"),
    ("probes/dmarc/dmarc_parse.c", "(code)"),
    ("probes/spf/spf_eval.c", "code"),
    ("probes/dnssec/dnssec_walk.c", "w->findings.v[i].code"),
    ("probes/dnssec/dnssec_walk.c", "f->code"),
}

# Code arguments that call a function returning codes: every string
# literal that function returns is emitted.
CODE_FUNCTIONS = {
    "hy_name_error_code": "src/name.c",
}

# The JSON section a finding lands in, by file and enclosing function
# (first match wins). hy_check_error() always writes `errors`.
SECTIONS = [
    ("probes/dnssec/", ".*", "dnssec"),
    ("probes/spf/", ".*", "spf"),
    ("src/cmd_spf.c", ".*", "spf"),
    ("probes/dmarc/", ".*", "dmarc"),
    ("probes/mta_sts/tls_rpt_probe.c", ".*", "tls_rpt"),
    ("probes/mta_sts/sts_parse.c", "tlsrpt", "tls_rpt"),
    ("probes/mta_sts/", ".*", "mta_sts"),
    ("probes/mail/", ".*", "mail"),
]

SEVERITIES = {"HY_SEV_INFO": "info", "HY_SEV_WARNING": "warning",
              "HY_SEV_ERROR": "error"}
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
FUNC_DEF = re.compile(r"^([A-Za-z_]\w*)\(", re.M)


class ScanError(Exception):
    pass


def strip_comments(text):
    """Comments become spaces (offsets and line numbers stay)."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:[^"\\\n]|\\.)*"',
                  lambda m: m.group(0) if m.group(0).startswith('"')
                  else blank(m), text, flags=re.S)


def call_args(text, start):
    """The top-level arguments of the call whose '(' is at start, and the
    offset after its ')'."""
    depth, i, args, cur = 0, start, [], start + 1
    while i < len(text):
        c = text[i]
        if c == '"':
            m = re.compile(r'"(?:[^"\\]|\\.)*"').match(text, i)
            i = m.end()
            continue
        if c == "'":
            m = re.compile(r"'(?:[^'\\]|\\.)*'").match(text, i)
            i = m.end()
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(text[cur:i].strip())
                return args, i + 1
        elif c == "," and depth == 1:
            args.append(text[cur:i].strip())
            cur = i + 1
        i += 1
    raise ScanError("unbalanced call at offset %d" % start)


def section_of(rel, func):
    for prefix, fre, sec in SECTIONS:
        if rel.startswith(prefix) and re.search(fre, func or ""):
            return sec
    return None


def function_returns(root, name, rel):
    """String literals a function returns (e.g. hy_name_error_code)."""
    text = strip_comments(open(os.path.join(root, rel),
                               encoding="utf-8").read())
    m = re.search(r"^%s\(" % re.escape(name), text, re.M)
    if m is None:
        raise ScanError("%s: no definition of %s()" % (rel, name))
    body = text[m.end():]
    end = re.search(r"^}", body, re.M)
    body = body[:end.start()]
    return [s for s in re.findall(r'return\s+"([^"]*)"', body) if s != "ok"]


def scan_file(root, rel, out):
    text = strip_comments(open(os.path.join(root, rel),
                               encoding="utf-8").read())
    defs = [(m.start(), m.group(1)) for m in FUNC_DEF.finditer(text)]
    for name, ci, si, files in EMITTERS:
        if files is not None and rel not in files:
            continue
        for m in re.finditer(r"\b%s\s*\(" % re.escape(name), text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            if m.start() == line_start:
                continue        # the definition or a prototype
            if text[line_start:m.start()].lstrip().startswith("#define"):
                continue
            args, _ = call_args(text, m.end() - 1)
            lineno = text.count("\n", 0, m.start()) + 1
            where = "%s:%d" % (rel, lineno)
            func = None
            for off, fn in defs:
                if off < m.start():
                    func = fn
            sec = "errors" if name == "hy_check_error" else \
                section_of(rel, func)
            if sec is None:
                raise ScanError(
                    "%s: %s() here writes a finding, but %s is not mapped to "
                    "a JSON section: add it to SECTIONS in %s"
                    % (where, name, rel, os.path.relpath(__file__, root)))
            code_arg = args[ci]
            if isinstance(si, str):
                sevs = {si}
            else:
                sevs = {SEVERITIES[s] for s in
                        re.findall(r"HY_SEV_[A-Z]+", args[si])}
            codes = STRING.findall(code_arg)
            fm = re.match(r"(\w+)\(", code_arg)
            if fm and fm.group(1) in CODE_FUNCTIONS:
                codes = function_returns(root, fm.group(1),
                                         CODE_FUNCTIONS[fm.group(1)])
            elif not codes:
                if (rel, code_arg) in PASS_THROUGH:
                    continue
                raise ScanError(
                    "%s: %s() gets the code from `%s`, which this scan "
                    "cannot read. If it is a new wrapper, add the wrapper to "
                    "EMITTERS and this call to PASS_THROUGH in %s; else "
                    "pass the code as a string literal."
                    % (where, name, code_arg,
                       os.path.relpath(__file__, root)))
            if len(codes) > 1 and len(sevs) > 1:
                sevs = set()    # which goes with which is not written here
            for code in codes:
                out.append({"section": sec, "code": code,
                            "severities": sorted(sevs), "where": where})


def scan(root):
    out = []
    files = sorted(glob.glob(os.path.join(root, "src", "*.c")) +
                   glob.glob(os.path.join(root, "probes", "*", "*.c")))
    for path in files:
        scan_file(root, os.path.relpath(path, root), out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=ROOT)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    try:
        found = scan(a.root)
    except ScanError as e:
        print("scan_codes: %s" % e, file=sys.stderr)
        return 1
    if a.json:
        json.dump(found, sys.stdout, indent=1)
        print()
    else:
        for f in found:
            print("%-8s %-28s %-14s %s" % (f["section"], f["code"],
                                           "/".join(f["severities"]) or "?",
                                           f["where"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
