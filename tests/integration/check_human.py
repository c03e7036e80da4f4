#!/usr/bin/env python3
"""The human output of `hygiene check` against the running test world:

  reasons    every verdict says why (insecure, none and absent too), and
             every section of --json carries a `reason`
  n/a        MTA-STS and TLS-RPT of a domain without MX are "not
             applicable", not shown as a failure
  plus-all   SPF +all is shown as the problem it is (text and colour)
  errors     error strings are right ("HTTP status 404", not "No error")
  order      results come in input order (text and --json), even when the
             first domain is the slowest
  width      lines wrap at the terminal width, 80 columns when unknown,
             East Asian wide characters counting two; NO_COLOR and pipes
             get no escape sequences

    check_human.py --hygiene PATH --world DIR
"""

import argparse
import fcntl
import json
import os
import pty
import re
import shlex
import struct
import subprocess
import sys
import tempfile
import termios
import unicodedata
from collections import Counter

FAILURES = []
SGR = re.compile(r"\x1b\[[0-9;]*m")
RED, GREEN = "\x1b[31m", "\x1b[32m"
LABELS = ("DNSSEC", "SPF", "DMARC", "MTA-STS", "TLS-RPT")


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        FAILURES.append(name)


def world_env(d):
    env = {}
    with open(os.path.join(d, "world.env")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    return env


class Hygiene:
    def __init__(self, path, world):
        self.path = path
        self.env = world_env(world)

    def argv(self, args, timeout=5):
        e = self.env
        return [self.path, "check", "--timeout", str(timeout),
                "--resolver", e["HY_RESOLVER"],
                "--trust-anchor", e["HY_TRUST_ANCHOR"],
                "--ca-file", e["HY_CA_FILE"],
                "--https-port", e["HY_HTTPS_PORT"]] + args

    def run(self, args, columns=None, timeout=5, no_color=False):
        """Output through a pipe (not a terminal)."""
        env = dict(os.environ)
        env.pop("COLUMNS", None)
        env.pop("NO_COLOR", None)
        if columns is not None:
            env["COLUMNS"] = str(columns)
        if no_color:
            env["NO_COLOR"] = "1"
        p = subprocess.run(self.argv(args, timeout), capture_output=True,
                           env=env, timeout=240)
        return p.stdout.decode("utf-8"), p.returncode

    def run_tty(self, args, cols, env_extra=None, timeout=3):
        """Output to a pseudo-terminal cols columns wide."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ,
                    struct.pack("HHHH", 50, cols, 0, 0))
        env = dict(os.environ)
        env.pop("NO_COLOR", None)
        env.update(env_extra or {})
        p = subprocess.Popen(self.argv(args, timeout), stdout=slave,
                             stderr=subprocess.DEVNULL, env=env)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        p.wait(timeout=240)
        os.close(master)
        return out.decode("utf-8").replace("\r\n", "\n")


def width(line):
    """Display columns, as a terminal shows the line."""
    w = 0
    for ch in SGR.sub("", line):
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def blocks(text):
    """{domain: [lines]} of a human output (domains split by blank
    lines, the first line naming the domain)."""
    out = {}
    for block in SGR.sub("", text).strip("\n").split("\n\n"):
        lines = block.split("\n")
        out[lines[0].split(" ")[0]] = lines
    return out


def verdict(lines, label):
    """The verdict line of a section (unwrapped output)."""
    for ln in lines:
        if re.match(r"  %s +\S" % re.escape(label), ln):
            return ln[len(label) + 2:].strip()
    return None


def findings_after(lines, label):
    """Finding lines under a section's verdict."""
    out, inside = [], False
    for ln in lines:
        m = re.match(r"  (\S+)", ln)
        if m:
            inside = m.group(1) == label
            continue
        if inside and re.match(r" {11}(info|warning|error) \S+: ", ln):
            out.append(ln.strip())
    return out


def test_reasons(h):
    doms = ["unsigned.jp", "rpki.jp", "insecure-no-ds.jp",
            "insecure-unknown-ds-alg.jp", "nsec3-heavy.jp", "secure13.jp",
            "spf.jp", "sts-enforce.jp", "sts-testing.jp", "sts-404.jp",
            "dmarc-org.co.jp", "dmarc-invalid.jp", "bogus-expired.jp",
            "unreachable.jp", "nullmx.jp", "nomail-protected.jp",
            "plusall.spf.jp", "nospf.spf.jp"]
    text, _ = h.run(doms, columns=1000, timeout=3)
    got = blocks(text)
    for d in doms:
        lines = got.get(d)
        if lines is None:
            check("reasons: %s is in the output" % d, False, text[-300:])
            continue
        for label in LABELS:
            v = verdict(lines, label)
            why = v is not None and (": " in v or
                                     findings_after(lines, label))
            check("reasons: %s %s says why" % (d, label), bool(why),
                  "verdict %r, no reason and no finding" % v)
    u = got.get("unsigned.jp", [])
    for label, status, words in [
            ("DNSSEC", "insecure", "no DS record"),
            ("SPF", "none", "no SPF record"),
            ("DMARC", "absent", "no DMARC record"),
            ("MTA-STS", "absent", "_mta-sts.unsigned.jp"),
            ("TLS-RPT", "absent", "_smtp._tls.unsigned.jp")]:
        v = verdict(u, label) or ""
        check("reasons: unsigned.jp %s %s names the cause" % (label, status),
              v.startswith(status + ": ") and words in v, repr(v))
    v = verdict(got.get("rpki.jp", []), "DNSSEC") or ""
    check("reasons: an unsigned delegation names the parent's proof",
          v.startswith("insecure: ") and "jp" in v and "DS" in v, repr(v))
    text, _ = h.run(["--json"] + doms, timeout=3)
    for line in text.splitlines():
        o = json.loads(line)
        for sec in ("dnssec", "spf", "dmarc", "mta_sts", "tls_rpt"):
            s = o.get(sec)
            if not isinstance(s, dict):
                continue
            if sec == "spf" and s["status"] == "valid":
                continue        # its `all` says it
            check("reasons: --json %s %s has a reason" % (o["domain"], sec),
                  isinstance(s.get("reason"), str) and s["reason"] != "",
                  json.dumps(s.get("reason")))


def test_not_applicable(h):
    doms = ["ds-sha1.jp", "nullmx.jp", "unsigned.jp"]
    text, _ = h.run(doms, columns=1000)
    got = blocks(text)
    for d in ("ds-sha1.jp", "nullmx.jp"):
        for label in ("MTA-STS", "TLS-RPT"):
            v = verdict(got.get(d, []), label) or ""
            check("n/a: %s (no MX) %s is not applicable" % (d, label),
                  v.startswith("not applicable"), repr(v))
    for label in ("MTA-STS", "TLS-RPT"):
        v = verdict(got.get("unsigned.jp", []), label) or ""
        check("n/a: unsigned.jp (has MX) %s stays absent" % label,
              v.startswith("absent"), repr(v))
    tty = h.run_tty(doms, 200)
    for line in tty.splitlines():
        plain = SGR.sub("", line)
        if re.match(r"  (MTA-STS|TLS-RPT) +not applicable", plain):
            check("n/a: not red on a terminal: %s" % plain.strip(),
                  RED not in line, repr(line))


def test_plus_all(h):
    text, _ = h.run(["plusall.spf.jp", "spf.jp"], columns=1000)
    got = blocks(text)
    v = verdict(got.get("plusall.spf.jp", []), "SPF") or ""
    check("plus-all: the SPF verdict names +all", "+all" in v, repr(v))
    tty = h.run_tty(["plusall.spf.jp", "spf.jp"], 200)
    spf = {}
    dom = None
    for line in tty.splitlines():
        plain = SGR.sub("", line)
        if plain and not plain.startswith(" "):
            dom = plain.split(" ")[0]
        if plain.startswith("  SPF "):
            spf[dom] = line
    line = spf.get("plusall.spf.jp", "")
    check("plus-all: red on a terminal", RED in line and GREEN not in line,
          repr(line))
    check("plus-all: -all stays green", GREEN in spf.get("spf.jp", ""),
          repr(spf.get("spf.jp")))


def test_error_strings(h):
    text, _ = h.run(["sts-404.jp", "sts-badcert.jp"], columns=1000)
    got = blocks(text)
    s404 = "\n".join(got.get("sts-404.jp", []))
    check("errors: a 404 says HTTP status 404", "HTTP status 404" in s404,
          s404)
    check("errors: a 404 is not 'No error'", "No error" not in s404, s404)
    cert = "\n".join(got.get("sts-badcert.jp", []))
    check("errors: a certificate failure names the certificate",
          "certificate" in cert, cert)
    check("errors: no HTTP status without an HTTP answer",
          "HTTP status 0" not in cert, cert)


def test_order(h):
    # unreachable.jp is the slowest (it waits for the deadline), so in
    # completion order it would come last.
    doms = ["unreachable.jp", "secure13.jp", "spf.jp", "unsigned.jp",
            "xn--wgv71a119e.jp", "ds-sha1.jp", "bogus-expired.jp"]
    text, _ = h.run(doms, timeout=2)
    order = list(blocks(text))
    check("order: text follows the input", order == doms, repr(order))
    text, _ = h.run(["--json"] + doms, timeout=2)
    order = [json.loads(x)["domain"] for x in text.splitlines()]
    check("order: --json follows the input", order == doms, repr(order))
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
        f.write("\n".join(doms[3:]) + "\n")
        f.flush()
        text, _ = h.run(["--json", doms[0], doms[1], "--file", f.name,
                         doms[2]], timeout=2)
    order = [json.loads(x)["domain"] for x in text.splitlines()]
    want = [doms[0], doms[1], doms[2]] + doms[3:]
    check("order: command line, then --file", order == want, repr(order))


def test_width(h):
    doms = h.env["HY_DOMAINS"].split() + ["plusall.spf.jp", "spf.jp",
                                          "overflow.spf.jp"]
    wide, _ = h.run(doms, columns=1000, timeout=3)
    again, _ = h.run(doms, columns=1000, timeout=3)
    # What could not be measured varies between runs (SERVFAIL or
    # timeout): compare the domains measured in full, the same twice.
    stable = {d: b for d, b in blocks(wide).items()
              if blocks(again).get(d) == b and not re.search(
                  r"temperror|indeterminate|could not be measured|^  error ",
                  "\n".join(b), re.M)}
    check("width: most domains are measured the same twice",
          len(stable) > len(doms) // 2, "%d of %d" % (len(stable),
                                                      len(doms)))
    for cols, text, how in [
            (80, h.run(doms, timeout=3)[0], "a pipe, no COLUMNS"),
            (50, h.run(doms, columns=50, timeout=3)[0], "COLUMNS=50"),
            (60, h.run_tty(doms, 60, {"COLUMNS": "200"}),
             "a 60-column terminal")]:
        over = [ln for ln in text.splitlines() if width(ln) > cols]
        check("width: %s: no line over %d columns" % (how, cols), not over,
              "%d lines, such as %r" % (len(over), over[:3]))
        # Characters, not their order: findings within a section may come
        # in a different order from one run to the next.
        lost = []
        for d, b in blocks(text).items():
            if d in stable and Counter("".join("\n".join(b).split())) != \
                    Counter("".join("\n".join(stable[d]).split())):
                lost.append(d)
        check("width: %s: wrapping loses nothing" % how, not lost,
              "the text of %s differs from the unwrapped text" % lost)
    text = h.run_tty(doms, 80, {"NO_COLOR": "1"})
    check("width: NO_COLOR writes no escape sequence", "\x1b" not in text,
          repr(text[:200]))
    text, _ = h.run(doms, timeout=3)
    check("width: a pipe gets no escape sequence", "\x1b" not in text,
          repr(text[:200]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    h = Hygiene(a.hygiene, a.world)
    tests = [test_reasons, test_not_applicable, test_plus_all,
             test_error_strings, test_order, test_width]
    for t in tests:
        if not a.only or t.__name__[5:] in a.only:
            t(h)
    if FAILURES:
        print("\n%d check(s) failed" % len(FAILURES))
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
