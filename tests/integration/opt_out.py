#!/usr/bin/env python3
"""`--exclude FILE`: names whose owners opted out are never measured.

    opt_out.py --hygiene PATH --world DIR --port PORT

1. `check` against a DNS server of this script (loopback, the port base
   + 75) that answers every query with NOERROR and no data and records
   each query name: no query ever asks about an excluded name or a name
   below it, while the other names are measured. Rules: a plain name
   covers itself and everything below; "*.name" only what is below;
   case, a trailing dot and U-label/A-label do not matter. Each left-out
   name is named on stderr with its rule.
2. A bad opt-out list (a line that is no name, a public suffix, a file
   that is not text) stops the run before anything is measured: exit 1,
   no query sent. --exclude and the list cannot both be standard input.
3. `survey` over the world: excluded ISP and --domains names are not in
   results.ndjson nor in stats.json's counts; a month measured before the
   owner opted out loses the name on --resume --exclude.
"""

import argparse
import json
import os
import shlex
import socket
import struct
import subprocess
import sys
import tempfile
import threading

import fake_root

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
FAILS = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " +
                                                   str(detail)[:600]))
    if not cond:
        FAILS.append(name)


def world_env(d):
    env = {}
    with open(os.path.join(d, "world.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    return env


class Recorder:
    """A UDP DNS server that answers NOERROR/NODATA and records qnames."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.names = []
        self.lock = threading.Lock()
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                q, addr = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            if len(q) < 12:
                continue
            labels, i = [], 12
            while i < len(q) and q[i] != 0:
                labels.append(q[i + 1:i + 1 + q[i]])
                i += 1 + q[i]
            end = i + 5             # the root label, QTYPE, QCLASS
            name = b".".join(labels).decode("ascii", "replace").lower()
            with self.lock:
                self.names.append(name)
            flags = 0x8000 | (q[2] & 0x01) << 8 | 0x0080   # QR, RD, RA
            # The run's trust-anchor check asks for the root's keys.
            rrs = fake_root.DNSKEY_RRS if name == "" and \
                q[end - 4:end - 2] == b"\x00\x30" else []
            ans = b"".join(b"\xc0\x0c" + struct.pack(">HHIH", t, 1, 60,
                                                     len(rd)) + rd
                           for t, rd in rrs)
            # The query's OPT RR is echoed with its DO bit, as a
            # validating resolver does (RFC 3225 §3).
            opt = q[end:] if struct.unpack(">H", q[10:12])[0] else b""
            hdr = q[:2] + struct.pack(">HHHHH", flags, 1, len(rrs), 0,
                                      1 if opt else 0)
            self.sock.sendto(hdr + q[12:end] + ans + opt, addr)

    def take(self):
        with self.lock:
            names, self.names = self.names, []
        return names

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def under(name, dom):
    return name == dom or name.endswith("." + dom)


def tmp(data, suffix=".txt"):
    with tempfile.NamedTemporaryFile("wb", suffix=suffix, delete=False) as f:
        f.write(data)
    return f.name


def run(args, stdin=None, timeout=120):
    return subprocess.run(args, capture_output=True, timeout=timeout,
                          input=stdin)


def check_part(a, rec):
    base = [a.hygiene, "check", "--json", "--timeout", "5",
            "--resolver", "127.0.0.1:%d" % a.port, "--trust-anchor",
            fake_root.anchor_file(tempfile.mkdtemp())]
    rules = tmp("# owners who asked to be left out\r\n"
                "Opted-Out.TEST.\r\n"
                "*.shop.test\r\n"
                "日本語.test\r\n".encode())
    names = ["kept.test", "opted-out.test", "mail.opted-out.test",
             "shop.test", "www.shop.test", "xn--wgv71a119e.test",
             "notopted-out.test"]
    rec.take()
    p = run(base + ["--exclude", rules] + names)
    asked = rec.take()
    err = p.stderr.decode("utf-8", "replace")
    rows = [json.loads(l) for l in p.stdout.decode().splitlines() if l]
    measured = sorted(r["domain"] for r in rows)
    check("check: the other names are measured",
          measured == ["kept.test", "notopted-out.test", "shop.test"],
          repr(measured))
    for dom in ("opted-out.test", "www.shop.test", "xn--wgv71a119e.test"):
        check("check: no query for %s or below it" % dom,
              not [n for n in asked if under(n, dom)],
              [n for n in asked if under(n, dom)])
    check("check: the measured names were queried",
          any(under(n, "kept.test") for n in asked) and
          any(under(n, "shop.test") and not under(n, "www.shop.test")
              for n in asked), repr(sorted(set(asked))))
    check("check: stderr names each left-out name and its rule",
          "mail.opted-out.test: not measured: its owner opted out" in err
          and "line 2: Opted-Out.TEST." in err and
          "www.shop.test: not measured" in err and "line 3: *.shop.test"
          in err and "xn--wgv71a119e.test: not measured" in err and
          "left out 4 names listed in " + rules in err, err)
    check("check: leaving names out is not a failure",
          p.returncode in (0, 3), "exit %d" % p.returncode)

    # The same rules for a --file list, and for a list on standard input.
    lst = tmp(b"kept.test\nOPTED-OUT.test\nwww.shop.test\n")
    p = run(base + ["--exclude", rules, "--file", lst])
    rows = [json.loads(l) for l in p.stdout.decode().splitlines() if l]
    check("check --file: listed opt-outs left out",
          [r["domain"] for r in rows] == ["kept.test"] and
          b"left out 2 names" in p.stderr, repr((rows, p.stderr)))
    p = run(base + ["--exclude", "-", "kept.test", "opted-out.test"],
            stdin=b"opted-out.test\n")
    rows = [json.loads(l) for l in p.stdout.decode().splitlines() if l]
    check("check --exclude - reads standard input",
          [r["domain"] for r in rows] == ["kept.test"], repr(p))
    p = run(base + ["--exclude", "-", "--file", "-"], stdin=b"x.test\n")
    check("check: --exclude - and --file - together: exit 2",
          p.returncode == 2 and b"standard input" in p.stderr, repr(p))
    os.unlink(lst)

    # An empty list: nobody opted out.
    empty = tmp(b"# none yet\n")
    p = run(base + ["--exclude", empty, "kept.test"])
    check("check: an empty opt-out list is valid",
          p.returncode in (0, 3) and b"kept.test" in p.stdout and
          b"left out" not in p.stderr, repr(p))
    os.unlink(empty)

    # A bad list: nothing is measured, no query is sent.
    for label, data, why in (
            ("a line that is no name", b"ok.test\nbad..test\n",
             "line 2: \"bad..test\" is not a rule"),
            ("a public suffix", b"ok.test\nco.jp\n",
             "line 2: \"co.jp\" is a public suffix"),
            ("a wildcard on a public suffix", b"*.jp\n", "public suffix"),
            ("a wildcard inside", b"a.*.test\n", "is not a rule"),
            ("a gzip file", b"\x1f\x8b\x08\x00\x00", "gzip"),
            ("a NUL past the first block", b"ok.test\n" * 600 + b"\0\n",
             "NUL")):
        path = tmp(data)
        rec.take()
        p = run(base + ["--exclude", path, "kept.test"])
        err = p.stderr.decode("utf-8", "replace")
        check("bad list, %s: exit 1, nothing measured" % label,
              p.returncode == 1 and p.stdout == b"" and not rec.take(),
              "exit %d: %s" % (p.returncode, err))
        check("bad list, %s: says why" % label,
              "--exclude" in err and why in err, err)
        os.unlink(path)
    p = run(base + ["--exclude", "/nonexistent/optout.txt", "kept.test"])
    check("a missing opt-out list: exit 1 naming it", p.returncode == 1 and
          b"/nonexistent/optout.txt" in p.stderr, repr(p))
    os.unlink(rules)


def survey_cmd(a, env, isps, domains, out, month, extra=()):
    return [a.hygiene, "survey", "--isps", isps, "--domains", domains,
            "--out", out, "--month", month,
            "--resolver", env["HY_RESOLVER"],
            "--trust-anchor", env["HY_TRUST_ANCHOR"],
            "--vrps", os.path.join(ROOT, "tests", "world", "vrps.json"),
            "--vrps-max-age", "0",      # fixed test data, built 2026-01-01
            "--routes", os.path.join(ROOT, "tests", "world",
                                     "demo-routes.txt"),
            "--timeout", "5", *extra]


def results(out):
    try:
        with open(os.path.join(out, "results.ndjson")) as f:
            return sorted(json.loads(l)["domain"] for l in f)
    except (OSError, ValueError):
        return None


def stats_json(out):
    try:
        with open(os.path.join(out, "stats.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def survey_part(a, env):
    d = tempfile.mkdtemp(prefix="hy-optout-")
    isps = os.path.join(d, "isps.json")
    with open(isps, "w") as f:
        json.dump({"isps": [{"id": "w1", "name": "World One",
                             "name_ja": "ワールド1", "asns": [64500],
                             "domains": ["secure13.jp", "example.co.jp"]}]},
                  f)
    domains = os.path.join(d, "domains.txt")
    with open(domains, "w") as f:
        f.write("unsigned.jp\nspf.jp\nxn--wgv71a119e.jp\n"
                "www.secure13.jp\n")
    rules = os.path.join(d, "optout.txt")
    with open(rules, "w") as f:
        f.write("EXAMPLE.CO.JP.\n日本語.jp\n*.secure13.jp\n")
    kept = ["secure13.jp", "spf.jp", "unsigned.jp"]
    all_names = sorted(kept + ["example.co.jp", "xn--wgv71a119e.jp",
                               "www.secure13.jp"])

    out = os.path.join(d, "2026-01")
    p = run(survey_cmd(a, env, isps, domains, out, "2026-01",
                       ["--exclude", rules]), timeout=300)
    err = p.stderr.decode("utf-8", "replace")
    check("survey: opted-out names are not measured",
          results(out) == kept, repr((results(out), err)))
    check("survey: says how many were left out",
          "left out 3 names listed in " + rules in err, err)
    st = stats_json(out)
    check("survey: stats.json counts only the measured names (the ISP "
          "keeps secure13.jp of its two)",
          st is not None and st["totals"]["domains"] == 3 and
          st["isps"][0]["domains"] == 1, repr(st)[:400])

    # Measured first, opted out later: --resume drops the names and
    # rewrites the month's files without them.
    out2 = os.path.join(d, "2026-02")
    p = run(survey_cmd(a, env, isps, domains, out2, "2026-02"), timeout=300)
    check("survey without --exclude measures every name",
          results(out2) == all_names, repr((results(out2), p.stderr)))
    p = run(survey_cmd(a, env, isps, domains, out2, "2026-02",
                       ["--resume", "--exclude", rules]), timeout=300)
    check("survey --resume --exclude removes names measured before",
          results(out2) == kept, repr((results(out2), p.stderr)))
    check("survey --resume --exclude: exit status of the rest",
          p.returncode in (0, 3), repr(p))

    # A bad list: nothing planned, nothing written.
    bad = os.path.join(d, "bad.txt")
    with open(bad, "w") as f:
        f.write("ok.jp\njp\n")
    out3 = os.path.join(d, "2026-03")
    p = run(survey_cmd(a, env, isps, domains, out3, "2026-03",
                       ["--exclude", bad]), timeout=300)
    check("survey with a bad opt-out list: exit 1, no results",
          p.returncode == 1 and results(out3) is None and
          b"public suffix" in p.stderr, repr(p))
    p = run(survey_cmd(a, env, isps, "-", out3, "2026-03",
                       ["--exclude", "-"]), stdin=b"x.jp\n")
    check("survey: --domains - and --exclude - together: exit 2",
          p.returncode == 2 and b"standard input" in p.stderr, repr(p))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--port", type=int, required=True)
    a = ap.parse_args()
    rec = Recorder(a.port)
    try:
        check_part(a, rec)
    finally:
        rec.close()
    survey_part(a, world_env(a.world))
    print("%d failed" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
