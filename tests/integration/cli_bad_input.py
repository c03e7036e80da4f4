#!/usr/bin/env python3
"""Bad input to `hygiene check`: each case must end with a clear message and
the documented exit status, quickly, and lose nothing else.

    cli_bad_input.py --hygiene PATH --world DIR
"""

import argparse
import gzip
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
FAILURES = []
PASSES = []


def world_env(d):
    env = {}
    with open(os.path.join(d, "world.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = " ".join(shlex.split(v))
    return env


def run(args, timeout=60):
    t0 = time.monotonic()
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - t0


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        FAILURES.append(name)
    else:
        PASSES.append(name)


def free_udp_port():
    # A port nobody answers on: bind, note it, close.
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def runb(args, timeout=120, stdin=None):
    """run() with bytes: the output may hold anything."""
    return subprocess.run(args, capture_output=True, timeout=timeout,
                          input=stdin)


def tmpfile(data, suffix=".txt"):
    with tempfile.NamedTemporaryFile("wb", suffix=suffix, delete=False) as f:
        f.write(data)
    return f.name


def survey_args(a, env, isps, out, extra=()):
    world = os.path.join(ROOT, "tests", "world")
    return [a.hygiene, "survey", "--isps", isps, "--out", out,
            "--month", "2026-01", "--resolver", env["HY_RESOLVER"],
            "--trust-anchor", env["HY_TRUST_ANCHOR"],
            "--vrps", os.path.join(world, "vrps.json"),
            "--vrps-max-age", "0",      # fixed test data, built 2026-01-01
            "--routes", os.path.join(world, "demo-routes.txt"),
            "--timeout", "5", *extra]


def write_isps(d, domains=("secure13.jp",)):
    path = os.path.join(d, "isps.json")
    with open(path, "w") as f:
        json.dump({"isps": [{"id": "w1", "name": "World One",
                             "name_ja": "ワールド1", "asns": [64500],
                             "domains": list(domains)}]}, f)
    return path


def not_utf8_list(a, env, base):
    """Issue 10 item 2: one line that is not UTF-8 (a list saved from
    Japanese Excel as Shift_JIS) is reported as invalid input with its
    line number; every other domain is still checked; exit 3."""
    sjis = "日本.jp".encode("shift_jis")
    lst = b"example.co.jp\r\n" + sjis + b"\r\nsecure13.jp\r\n"
    path = tmpfile(lst)
    try:
        p = runb(base + ["--json", "--file", path])
        h = runb(base + ["--file", path])
    finally:
        os.unlink(path)
    err = p.stderr.decode("utf-8", "replace")
    check("not UTF-8: check exits 3", p.returncode == 3,
          "exit %d: %s" % (p.returncode, err))
    try:
        objs = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines()]
    except ValueError as e:
        objs = []
        check("not UTF-8: every JSON line parses", False, repr(e))
    measured = sorted(o["domain"] for o in objs if o["domain"])
    check("not UTF-8: the other domains are checked",
          measured == ["example.co.jp", "secure13.jp"], repr(measured))
    bad = [o for o in objs if o["domain"] is None]
    want = "".join(chr(b) if 0x20 <= b < 0x7f else "\\x%02x" % b
                   for b in sjis)
    check("not UTF-8: the line is invalid input, its bytes as \\xHH",
          len(bad) == 1 and bad[0].get("input") == want and
          bad[0]["errors"][0]["code"] == "name-not-utf8", repr(bad))
    check("not UTF-8: stderr names the file's line",
          "line 2" in err and "UTF-8" in err and "out of memory" not in err,
          err)
    check("not UTF-8: readable output exits 3, shows both domains, no "
          "raw bytes", h.returncode == 3 and b"secure13.jp" in h.stdout and
          b"example.co.jp" in h.stdout and sjis not in h.stdout + h.stderr,
          repr(h))

    # The survey: the same list as --domains finishes, records the line
    # as invalid input and names it, even though the invalid entry
    # finishes before any answer arrives (issue 10 item 1).
    d = tempfile.mkdtemp(prefix="hy-cli-survey-")
    lst_path = os.path.join(d, "domains.txt")
    with open(lst_path, "wb") as f:
        f.write(lst)
    out = os.path.join(d, "2026-01")
    p = runb(survey_args(a, env, write_isps(d), out,
                         ["--domains", lst_path]))
    err = p.stderr.decode("utf-8", "replace")
    check("not UTF-8: survey exits 3", p.returncode == 3,
          "exit %d: %s" % (p.returncode, err))
    rows = []
    try:
        with open(os.path.join(out, "results.ndjson"), encoding="utf-8") as f:
            rows = [json.loads(l) for l in f]
    except (OSError, ValueError) as e:
        check("not UTF-8: survey results parse", False, repr(e))
    got = sorted(r["domain"] or r.get("input") for r in rows)
    check("not UTF-8: survey measured every domain, the line as input",
          got == sorted(["example.co.jp", "secure13.jp", want]), repr(got))
    check("not UTF-8: survey names the line", "line 2" in err and
          "invalid input" in err and sjis not in p.stderr, err)
    # A resumed run does not wedge on it either.
    p = runb(survey_args(a, env, write_isps(d), out,
                         ["--domains", lst_path, "--resume"]))
    check("not UTF-8: survey --resume exits 3", p.returncode == 3,
          "exit %d: %s" % (p.returncode, p.stderr))


def not_text_files(a, env, base):
    """Issue 10: an input file that is truncated or corrupt stops the run
    with exit 1 and a clear message, before anything is measured."""
    d = tempfile.mkdtemp(prefix="hy-cli-files-")
    lst = b"secure13.jp\nexample.co.jp\n"
    cases = [
        ("gzip list", gzip.compress(lst), "gzip"),
        ("UTF-16 list", "\ufeffsecure13.jp\r\n".encode("utf-16-le"),
         "UTF-16"),
        ("binary list", bytes(range(256)) * 4, "NUL"),
        ("xlsx list", b"PK\x03\x04\x14\x00\x06\x00" + b"\0" * 100, "ZIP"),
    ]
    for label, data, why in cases:
        path = tmpfile(data)
        try:
            p = runb(base + ["--json", "--file", path])
        finally:
            os.unlink(path)
        err = p.stderr.decode("utf-8", "replace")
        check(label + ": exit 1, nothing measured", p.returncode == 1 and
              p.stdout == b"", "exit %d, stdout %r" % (p.returncode,
                                                       p.stdout[:80]))
        check(label + ": says why", why in err and path in err and
              all(c >= 0x20 or c == 0x0a for c in p.stderr), err)
    # A NUL-filled tail (a crash while the list was written): stops at
    # the line, exit 1.
    path = tmpfile(b"secure13.jp\n" * 1000 + b"\0" * 5000)
    try:
        p = runb(base + ["--json", "--file", path])
    finally:
        os.unlink(path)
    err = p.stderr.decode("utf-8", "replace")
    check("corrupt tail: exit 1 naming the line",
          p.returncode == 1 and "line 1001" in err and "NUL" in err, err)

    # The ISP list: cut short at many points, compressed, not JSON.
    isps = os.path.join(ROOT, "datasets", "jp-isps.json")
    with open(isps, "rb") as f:
        full = f.read()
    body = full.rstrip()
    bad_cuts = []
    for cut in sorted({1, 2, 10, 100, len(body) // 3, len(body) // 2,
                       len(body) - 10, len(body) - 1}):
        path = tmpfile(full[:cut], ".json")
        try:
            p = runb([a.hygiene, "datasets", "check", path])
        finally:
            os.unlink(path)
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode != 1 or "truncated" not in err:
            bad_cuts.append((cut, p.returncode, err))
    check("truncated ISP list: exit 1, says truncated", not bad_cuts,
          repr(bad_cuts[:3]))
    for label, data, why in (("gzip ISP list", gzip.compress(full), "gzip"),
                             ("empty ISP list", b"", "empty"),
                             ("binary ISP list", bytes(range(256)), "NUL")):
        path = tmpfile(data, ".json")
        try:
            p = runb(survey_args(a, env, path, os.path.join(d, "o")))
        finally:
            os.unlink(path)
        err = p.stderr.decode("utf-8", "replace")
        check(label + ": survey exits 1 saying why", p.returncode == 1 and
              why in err and all(c >= 0x20 or c == 0x0a for c in p.stderr),
              "exit %d: %r" % (p.returncode, err))


def option_values(a, env, base):
    """Issue 10 item 14: every option value is checked; a bad one is a
    usage error (exit 2) naming the option, never silently another
    value."""
    hy = a.hygiene
    ok_file = os.path.join(ROOT, "datasets", "jp-isps.json")
    bad = [
        ("--resolver", "127.0.0.1:99999"), ("--resolver", "[::1"),
        ("--resolver", "garbage"), ("--resolver", "127.0.0.1:0"),
        ("--resolver", "127.0.0.1:"), ("--resolver", "127.0.0.1:+53"),
        ("--resolver", "1.2.3"), ("--resolver", "[::1]:53x"),
        ("--resolver", "[127.0.0.1]:53"), ("--resolver", "::1:99999x"),
        ("--resolver", "localhost:53"), ("--resolver", "[::1]53"),
        ("--resolver", "[fe80::1%lo]:53"), ("--resolver", ""),
        ("--at", "2026-02-30T00:00:00Z"), ("--at", "2026-13-01T00:00:00Z"),
        ("--at", "2026-02-28T24:00:00Z"), ("--at", "2026-02-28T23:60:00Z"),
        ("--at", "2025-02-29T00:00:00Z"), ("--at", "2026-2-8T00:00:00Z"),
        ("--at", "2026-02-28T00:00:00+25:00"),
        ("--at", "2026-02-28T00:00:00+09:60"),
        ("--at", "2026-02-28T00:00:00"), ("--at", "99999999999999999999"),
        ("--at", "253402300800"),
        ("--at", "1e9"), ("--at", " 2026-02-28T00:00:00Z"), ("--at", ""),
        ("--at", "2016-12-31T23:59:60Z"), ("--at", "-5"),
        ("--at", "2026-02-28T00:00:00.Z"),
        ("--timeout", " 5"), ("--timeout", "5s"), ("--timeout", "0"),
        ("--timeout", "-1"), ("--concurrency", "99999999999999999999"),
        ("--qps", "+5"), ("--https-port", "65536"),
        ("--rtr", "rtr.example:99999"), ("--rtr", "rtr.example"),
        ("--rtr", "[::1:323"), ("--rtr", ":323"),
        ("--ripestat-url", "stat.ripe.net"), ("--ripestat-url", ""),
        ("--asn-service", ""),
    ]
    for opt, val in bad:
        p, _ = run(base + [opt, val, "x.jp"])
        check("%s %r: exit 2 naming the option" % (opt, val),
              p.returncode == 2 and opt in p.stderr and "--help" in p.stderr,
              "exit %d: %s" % (p.returncode, p.stderr))
    good = [
        ("--resolver", "127.0.0.1"), ("--resolver", "127.0.0.1:53"),
        ("--resolver", "[::1]"), ("--resolver", "[::1]:5353"),
        ("--resolver", "::1"),
        ("--at", "2024-02-29T12:00:00Z"), ("--at", "2026-11-22T05:00:00z"),
        ("--at", "2026-11-22t05:00:00.123+09:00"), ("--at", "1700000000"),
        ("--at", "253402300799"),
        ("--at", "2016-12-31T23:59:59-00:00"),
        ("--rtr", "rtr.example.net:323"), ("--rtr", "[2001:db8::1]:8282"),
        ("--rtr", "192.0.2.1:8282"),
        ("--ripestat-url", "https://stat.ripe.net"),
        ("--ripestat-url", "http://127.0.0.1:8080/x"),
    ]
    for opt, val in good:
        p, _ = run([hy, "datasets", opt, val, "check", ok_file])
        check("%s %r accepted" % (opt, val), p.returncode == 0,
              "exit %d: %s" % (p.returncode, p.stderr))
    # The resolver's port is the one given (the world's resolver answers).
    p, _ = run([hy, "check", "--json", "--timeout", "5", "--resolver",
                env["HY_RESOLVER"], "--trust-anchor", env["HY_TRUST_ANCHOR"],
                "secure13.jp"])
    check("--resolver HOST:PORT reaches that port",
          p.returncode == 0 and '"resolver":"%s"' % env["HY_RESOLVER"]
          in p.stdout, repr(p))


def empty_and_stdin(a, env, base):
    """An empty list is an error (exit 1); '-' reads standard input for
    --file, --domains, --isps and datasets check, at most once."""
    for label, data in (("empty list", b""), ("comments only",
                                             b"# none\n\n  \r\n")):
        path = tmpfile(data)
        try:
            p = runb(base + ["--file", path])
        finally:
            os.unlink(path)
        err = p.stderr.decode("utf-8", "replace")
        check(label + ": check exits 1 saying so", p.returncode == 1 and
              "no domain names" in err and p.stdout == b"",
              "exit %d: %s" % (p.returncode, err))
    p = runb(base + ["--json", "--file", "-"], stdin=b"secure13.jp\n")
    check("check --file - reads standard input", p.returncode == 0 and
          b'"domain":"secure13.jp"' in p.stdout, repr(p))
    p = runb(base + ["--json", "-"], stdin=b"secure13.jp\n")
    check("check - reads standard input", p.returncode == 0 and
          b'"domain":"secure13.jp"' in p.stdout, repr(p))
    p = runb(base + ["--file", "-", "-"], stdin=b"secure13.jp\n")
    check("check --file - and '-': exit 2", p.returncode == 2, repr(p))
    p = runb([a.hygiene, "report", "--db", "x.db", "--month", "2026-01",
              "extra"])
    check("report: an unexpected argument is named", p.returncode == 2 and
          b"'extra'" in p.stderr, repr(p))
    p = runb(base + ["--file", "-"], stdin=b"")
    check("check --file - with nothing on standard input exits 1",
          p.returncode == 1 and b"standard input" in p.stderr, repr(p))

    d = tempfile.mkdtemp(prefix="hy-cli-stdin-")
    isps = write_isps(d)
    with open(isps, "rb") as f:
        isps_bytes = f.read()
    out = os.path.join(d, "2026-01")
    p = runb(survey_args(a, env, "-", out, ["--domains", "-"]))
    check("survey: --isps - and --domains - together: exit 2",
          p.returncode == 2 and b"standard input" in p.stderr, repr(p))
    empty = os.path.join(d, "empty.txt")
    open(empty, "w").close()
    p = runb(survey_args(a, env, isps, out, ["--domains", empty]))
    check("survey: empty --domains exits 1 saying so", p.returncode == 1 and
          b"no domain names" in p.stderr, repr(p))
    p = runb(survey_args(a, env, "-", out, ["--domains", empty]),
             stdin=isps_bytes)
    check("survey: empty --domains exits 1 (--isps -)",
          p.returncode == 1 and b"no domain names" in p.stderr, repr(p))
    p = runb(survey_args(a, env, isps, out, ["--domains", "-"]),
             stdin=b"example.co.jp\n")
    rows = []
    if os.path.exists(os.path.join(out, "results.ndjson")):
        with open(os.path.join(out, "results.ndjson")) as f:
            rows = sorted(json.loads(l)["domain"] for l in f)
    check("survey --domains - reads standard input",
          p.returncode in (0, 3) and rows == ["example.co.jp", "secure13.jp"],
          "%r %r" % (p, rows))
    p = runb([a.hygiene, "datasets", "check", "-"], stdin=isps_bytes)
    check("datasets check - reads standard input", p.returncode == 0 and
          b"valid: 1 ISPs" in p.stdout, repr(p))


def datasets_repeats(a):
    """Issue 12: `datasets check` names every ASN listed under two ISPs
    (or twice in one) and every domain listed twice, however typed (case,
    trailing dot, U-label for an A-label), in one run; exit 1."""
    lst = {"isps": [
        {"id": "a", "name": "A", "name_ja": "A", "asns": [7, 8, "AS7"],
         "domains": ["x.jp", "X.JP.", "日本語.jp"]},
        {"id": "b", "name": "B", "name_ja": "B", "asns": ["as8"],
         "domains": ["xn--wgv71a119e.jp", "y.jp", "Y.jp"]}]}
    path = tmpfile(json.dumps(lst, ensure_ascii=False).encode(), ".json")
    try:
        p = runb([a.hygiene, "datasets", "check", path])
    finally:
        os.unlink(path)
    err = p.stderr.decode("utf-8", "replace")
    lines = [l for l in err.splitlines() if ": error: " in l]
    want = ['isps[0].asns[2]: AS7 is listed twice (also asns[0])',
            'isps[1].asns[0]: AS8 is also listed for "a" (isps[0])',
            'isps[0].domains[1]: "X.JP." (x.jp) is also listed at '
            'isps[0].domains[0]',
            'isps[1].domains[0]: "xn--wgv71a119e.jp" is also listed at '
            'isps[0].domains[2]',
            'isps[1].domains[2]: "Y.jp" (y.jp) is also listed at '
            'isps[1].domains[1]']
    check("datasets check: exit 1, nothing called valid",
          p.returncode == 1 and b"valid" not in p.stdout, repr(p))
    check("datasets check: every repeat is named, each once",
          len(lines) == len(want) and
          all(sum(w in l and path in l for l in lines) == 1 for w in want),
          err)
    check("datasets check: the count of problems", "%s: 5 problems" % path
          in err, err)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    a = ap.parse_args()
    env = world_env(a.world)
    hy = a.hygiene
    base = [hy, "check", "--resolver", env["HY_RESOLVER"], "--timeout", "5",
            "--trust-anchor", env["HY_TRUST_ANCHOR"]]

    # Unknown option and missing arguments: usage on stderr, exit 2.
    p, _ = run([hy, "check", "--no-such-option", "example.jp"])
    check("unknown option exits 2", p.returncode == 2, repr(p))
    check("unknown option names the option",
          "--no-such-option" in p.stderr and "--help" in p.stderr, p.stderr)
    # A short option inside a group ("-bad.jp": -b) is named as such, not
    # as whatever argument came before it.
    p, _ = run([hy, "check", "example.jp", "-bad.jp"])
    check("unknown short option exits 2", p.returncode == 2, repr(p))
    check("unknown short option names the option",
          "'-b'" in p.stderr and "example.jp" not in p.stderr, p.stderr)
    p, _ = run([hy, "check"])
    check("no domain exits 2", p.returncode == 2, repr(p))
    p, _ = run([hy, "frobnicate"])
    check("unknown command exits 2", p.returncode == 2, repr(p))
    p, _ = run(base + ["--timeout", "abc", "x.jp"])
    check("bad number exits 2", p.returncode == 2 and "--timeout" in p.stderr,
          repr(p))
    p, _ = run([hy, "check", "--help"])
    check("--help exits 0 and documents exit codes",
          p.returncode == 0 and "Exit status" in p.stdout, repr(p))

    # A resolver that never answers (the world's blackhole) and one whose
    # port is closed: a clear error well within the deadline, exit 1.
    for label, addr in (("silent resolver", env["HY_BLACKHOLE"]),
                        ("closed port", "127.0.0.1:%d" % free_udp_port())):
        p, took = run([hy, "check", "--resolver", addr, "--timeout", "2",
                       "example.co.jp"])
        check(label + ": exit 1", p.returncode == 1, repr(p))
        check(label + ": clear message",
              "no answer from the resolver" in p.stderr, p.stderr)
        check(label + ": within the deadline", took < 2 + 3, "took %.1fs" % took)

    # A list with a BOM, CRLF line ends, blank lines, comments, duplicates
    # and one invalid name: every valid domain is checked once, the invalid
    # one is reported, nothing else is lost.
    with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False) as f:
        f.write(b"\xef\xbb\xbfexample.co.jp\r\n\r\n# comment\r\n"
                + "日本語.jp\r\n".encode() + b"EXAMPLE.CO.JP\r\n"
                + b"bad..name\r\n  secure13.jp  \r\n")
        path = f.name
    try:
        p, _ = run(base + ["--json", "--file", path])
    finally:
        os.unlink(path)
    objs = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    doms = sorted(o["domain"] or o.get("input") for o in objs)
    check("list: each entry once",
          doms == ["bad..name", "example.co.jp", "secure13.jp",
                   "xn--wgv71a119e.jp"], repr(doms))
    bad = [o for o in objs if o["domain"] is None]
    check("list: invalid name has a clear error",
          bad and bad[0]["errors"][0]["code"] == "name-empty-label", repr(bad))
    check("list: exit 3 (one input not measured)", p.returncode == 3, repr(p))
    check("list: duplicate reported", "duplicate" in p.stderr, p.stderr)

    # Names that are too long or have bad characters.
    p, _ = run(base + ["--json", "a" * 64 + ".jp", "abcdefghi." * 26 + "jp",
                       "under score!.jp", "secure13.jp"])
    codes = sorted(o["errors"][0]["code"] for o in map(json.loads,
                   p.stdout.splitlines()) if o["domain"] is None)
    check("invalid names each get their own error",
          codes == ["name-bad-character", "name-label-too-long",
                    "name-too-long"], repr(codes))
    check("the valid name among them is still checked",
          '"domain":"secure13.jp"' in p.stdout, p.stdout)

    # A file that does not exist: exit 1 with the reason.
    p, _ = run(base + ["--file", "/nonexistent/list.txt"])
    check("missing list file exits 1", p.returncode == 1 and
          "/nonexistent/list.txt" in p.stderr, repr(p))

    not_utf8_list(a, env, base)
    not_text_files(a, env, base)
    option_values(a, env, base)
    empty_and_stdin(a, env, base)
    datasets_repeats(a)

    print("%d passed, %d failed" % (len(PASSES), len(FAILURES)))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
