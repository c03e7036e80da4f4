#!/usr/bin/env python3
"""End-to-end tests of the RPKI data sources against local stand-ins
(issues 10 and 12): the RTR sync's own deadline and an RTR cache that
answers with an Error Report PDU.

usage: data_sources.py HYGIENE_BINARY PORT_BASE WORKDIR

Ports used: PORT_BASE .. PORT_BASE+9 (the world's base + 50 .. + 59).
"""
import os
import pty
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rpki_world as rw  # noqa: E402  (check, run, data paths)
from rtr_standin import RtrStandin, many_vrps  # noqa: E402

DATA = rw.DATA
ISPS = os.path.join(DATA, "isps.json")
ROUTES = os.path.join(DATA, "routes.txt")
check = rw.check


def rpki(hygiene, *args, timeout=60):
    """rw.run, with a hang reported as exit -9 after timeout seconds."""
    try:
        return rw.run(hygiene, *args, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return -9, "", "hung for %d s: %s" % (timeout, e.stderr or ""), \
            float(timeout)


def test_error_pdu(hygiene, port):
    """Issue 10 item 9: an Error Report PDU ends the wait at once, exit 1,
    with the cache's own text; `check` and `survey` stop the same way."""
    for code, name, text in ((2, "No Data Available",
                              "cache is still warming up"),
                             (1, "Internal Error", "database unavailable")):
        srv = RtrStandin(port, error=(code, text))
        try:
            rc, out, err, took = rpki(hygiene, "--rtr",
                                      "127.0.0.1:%d" % port, "--routes",
                                      ROUTES, "--isps", ISPS, "--json",
                                      "--timeout", "5")
        finally:
            srv.close()
        label = "error PDU code %d" % code
        check(rc == 1 and out == "", "%s: exit 1, nothing on stdout (%d)" %
              (label, rc))
        check(took < 3, "%s: the wait ends at once (%.1f s)" % (label, took))
        check(name in err and text in err,
              "%s: the cache's error and text in the message (%s)" %
              (label, err.strip()[-200:]))
    srv = RtrStandin(port, error=(2, "no data here either"))
    try:
        t0 = time.time()
        p = subprocess.run([hygiene, "check", "--rtr", "127.0.0.1:%d" % port,
                            "--resolver", "127.0.0.1:%d" % (port + 9),
                            "--timeout", "5", "example.jp"],
                           capture_output=True, text=True, timeout=60)
        took = time.time() - t0
        check(p.returncode == 1 and took < 3 and
              "no data here either" in p.stderr,
              "error PDU: check --rtr stops at once with exit 1 (%d, %.1f s, "
              "%s)" % (p.returncode, took, p.stderr.strip()[-160:]))
        out = os.path.join(rw_workdir, "survey-errpdu", "2026-11")
        t0 = time.time()
        p = subprocess.run([hygiene, "survey", "--isps", ISPS, "--out", out,
                            "--month", "2026-11", "--routes", ROUTES,
                            "--rtr", "127.0.0.1:%d" % port, "--resolver",
                            "127.0.0.1:%d" % (port + 9), "--timeout", "5"],
                           capture_output=True, text=True, timeout=60)
        took = time.time() - t0
        check(p.returncode == 1 and took < 3 and
              "no data here either" in p.stderr,
              "error PDU: survey stops at once with exit 1 (%d, %.1f s, %s)" %
              (p.returncode, took, p.stderr.strip()[-160:]))
    finally:
        srv.close()


def test_rtr_deadline(hygiene, port):
    """Issue 12: the RTR sync has its own deadline (--rtr-timeout, default
    minutes), apart from the per-domain --timeout; progress only on a
    terminal."""
    vrps = many_vrps(3000)
    srv = RtrStandin(port, vrps=vrps, duration=2.5)
    try:
        rc, out, err, took = rpki(hygiene, "--rtr", "127.0.0.1:%d" % port,
                                  "--routes", ROUTES, "--isps", ISPS,
                                  "--json", "--timeout", "1")
        check(rc == 0, "slow cache: a 2.5 s sync passes under --timeout 1 "
              "(%d, %s)" % (rc, err.strip()[-160:]))
        if rc == 0:
            import json
            check(json.loads(out)["vrp_source"]["vrps"] == 3000,
                  "slow cache: every VRP synced")
        check("\r" not in err and "VRPs received" not in err,
              "slow cache: no progress line when stderr is not a terminal")
        rc, out, err, took = rpki(hygiene, "--rtr", "127.0.0.1:%d" % port,
                                  "--routes", ROUTES, "--isps", ISPS,
                                  "--rtr-timeout", "1")
        check(rc == 1 and 0.8 < took < 2.5 and "within 1 s" in err,
              "slow cache: --rtr-timeout 1 gives up after 1 s (%d, %.1f s, "
              "%s)" % (rc, took, err.strip()[-160:]))
        master, slave = pty.openpty()
        p = subprocess.Popen([hygiene, "rpki", "--rtr",
                              "127.0.0.1:%d" % port, "--routes", ROUTES,
                              "--isps", ISPS], stdout=subprocess.DEVNULL,
                             stderr=slave)
        os.close(slave)
        tty = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            tty += chunk
        p.wait(timeout=30)
        os.close(master)
        tty = tty.decode(errors="replace")
        check(p.returncode == 0 and "VRPs received" in tty and "\r" in tty,
              "slow cache: progress on a terminal (%r)" % tty[-160:])
    finally:
        srv.close()


def main():
    global rw_workdir
    hygiene, base, workdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    rw_workdir = workdir
    test_error_pdu(hygiene, base)
    test_rtr_deadline(hygiene, base + 1)
    print("%d failure(s)" % len(rw.failures))
    return 1 if rw.failures else 0


if __name__ == "__main__":
    sys.exit(main())
