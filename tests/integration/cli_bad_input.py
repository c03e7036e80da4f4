#!/usr/bin/env python3
"""Bad input to `hygiene check`: each case must end with a clear message and
the documented exit status, quickly, and lose nothing else.

    cli_bad_input.py --hygiene PATH --world DIR
"""

import argparse
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    a = ap.parse_args()
    env = world_env(a.world)
    hy = a.hygiene
    base = [hy, "check", "--resolver", env["HY_RESOLVER"], "--timeout", "5"]

    # Unknown option and missing arguments: usage on stderr, exit 2.
    p, _ = run([hy, "check", "--no-such-option", "example.jp"])
    check("unknown option exits 2", p.returncode == 2, repr(p))
    check("unknown option names the option",
          "--no-such-option" in p.stderr and "--help" in p.stderr, p.stderr)
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

    print("%d passed, %d failed" % (len(PASSES), len(FAILURES)))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
