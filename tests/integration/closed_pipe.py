#!/usr/bin/env python3
"""SIGPIPE never kills hygiene: a peer or reader that goes away makes a
write fail with EPIPE, which is handled where it happens.

    closed_pipe.py --hygiene PATH --world DIR

c-ares writes TCP queries with writev(2) and rtrlib sends without
MSG_NOSIGNAL, so a resolver or RTR cache closing a connection at the
wrong moment killed a whole survey (seen as "survey exited -13" under
load). The deterministic stand-in here is standard output: `check
--json` into a pipe nobody reads must end with exit 1 and a message,
not die by the signal.
"""
import argparse
import os
import shlex
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    args = ap.parse_args()
    env = {}
    with open(os.path.join(args.world, "world.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    r, w = os.pipe()
    os.close(r)
    p = subprocess.run(
        [args.hygiene, "check", "--json", "--timeout", "5",
         "--resolver", env["HY_RESOLVER"],
         "--trust-anchor", env["HY_TRUST_ANCHOR"], "secure13.jp",
         "unsigned.jp"], stdout=w, stderr=subprocess.PIPE, text=True,
        timeout=120)
    os.close(w)
    ok = p.returncode == 1 and "cannot write the results" in p.stderr
    print("%s: exit %d, stderr %r" % ("ok" if ok else "FAIL",
                                      p.returncode, p.stderr.strip()))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
