#!/usr/bin/env python3
"""`hygiene survey` and `hygiene report` when something goes wrong (issue 10).

    survey_faults.py --hygiene PATH --world DIR [--only CASE ...]

The world's domains are surveyed with the demonstration ISP list
(tests/world/demo-isps.json) and routes (demo-routes.txt), once cleanly
as the reference. A small DNS proxy in front of the world's unbound (UDP
and TCP, port base + 83) injects the faults:

  invalid    a list with `bad..x.jp` and `ex ample.jp` among the world's
             domains: both are reported as invalid input, every other
             domain is measured as in the reference, exit 3
  refused    the resolver answers REFUSED to everything: the survey stops
             at once (exit 1, says REFUSED) and stores nothing; --resume
             through the working resolver then gives the reference stats
  dies       a list of the world's domains and 800 names that do not
             exist: the resolver stops after 5000 queries (its port
             closes), the survey stops (exit 1); what it stored before
             equals the clean run's, so no domain is stored as "not
             measured" for the outage; --resume then gives the clean
             run's stats
  mxfail     next month the MX query of example.co.jp gets SERVFAIL:
             the domain is incomplete, and still counted (as incomplete)
             in the hosted figures of world-c, whose AS originates its
             second MX (127.0.0.2)
  remeasure  after that month, `--remeasure` through the working resolver
             measures the incomplete domains again: example.co.jp is
             measured, the stats say how many were re-measured, and the
             rest equal the reference
  report     `report --db` with a mistyped path: exit 1, a clear message,
             and no file created
  nsorder    the NS answer of a null-MX domain (nullmx.jp) arrives after
             its MX answer: its name server's address is still looked
             up (found while testing "dies": the proxy's threads reorder
             answers, and the domain lost its hosting ISP)
"""

import argparse
import json
import os
import shlex
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
ISPS = os.path.join(ROOT, "tests", "world", "demo-isps.json")
ROUTES = os.path.join(ROOT, "tests", "world", "demo-routes.txt")
PROXY_OFFSET = 83
CASES = ("invalid", "refused", "dies", "mxfail", "remeasure", "report",
         "nsorder")
FAILURES = []


def world_env(d):
    env = {}
    with open(os.path.join(d, "world.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    with open(os.path.join(d, "world.json")) as f:
        env["port_base"] = json.load(f)["port_base"]
    return env


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name +
          ("" if cond else ": " + detail))
    if not cond:
        FAILURES.append(name)
    return cond


# ---- the proxy ----

def question(pkt):
    """(qname, qtype, end of the question) of a DNS message."""
    i, labels = 12, []
    while i < len(pkt) and pkt[i]:
        labels.append(pkt[i + 1:i + 1 + pkt[i]].decode("ascii", "replace"))
        i += 1 + pkt[i]
    qtype = struct.unpack("!H", pkt[i + 1:i + 3])[0]
    return ".".join(labels).lower(), qtype, i + 5


def reply(query, rcode):
    """An answer without records: the question, QR, RD copied, RA."""
    _, _, end = question(query)
    flags = 0x8000 | (query[2] & 0x01) << 8 | 0x80 | rcode
    return query[:2] + struct.pack("!HHHHH", flags, 1, 0, 0, 0) + \
        query[12:end]


class Proxy:
    """Forwards to upstream, except: mode "refuse" answers REFUSED to
    everything; servfail holds (qname, qtype) pairs answered SERVFAIL,
    delay those forwarded half a second late; die_after N closes both
    ports after N queries."""

    def __init__(self, port, upstream):
        host, _, uport = upstream.rpartition(":")
        self.upstream = (host, int(uport))
        self.port = port
        self.mode = "pass"
        self.servfail = set()
        self.delay = set()
        self.die_after = None
        self.queries = 0
        self.alive = True
        self.lock = threading.Lock()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.udp.bind(("127.0.0.1", port))
        self.udp.settimeout(0.2)
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", port))
        self.tcp.listen(64)
        self.tcp.settimeout(0.2)
        for fn in (self.serve_udp, self.serve_tcp):
            threading.Thread(target=fn, daemon=True).start()

    def close(self):
        self.alive = False
        self.udp.close()
        self.tcp.close()

    def decide(self, query):
        """The canned answer, b"" to forward, or None: dead."""
        with self.lock:
            self.queries += 1
            if self.die_after is not None and self.queries > self.die_after:
                if self.alive:
                    self.close()
                return None
        if self.mode == "refuse":
            return reply(query, 5)
        qname, qtype, _ = question(query)
        if (qname, qtype) in self.servfail:
            return reply(query, 2)
        if (qname, qtype) in self.delay:
            time.sleep(0.5)
        return b""

    def udp_one(self, query, peer):
        answer = self.decide(query)
        if answer is None:
            return
        if answer == b"":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(5)
            try:
                s.sendto(query, self.upstream)
                answer = s.recv(65535)
            except OSError:
                return
            finally:
                s.close()
        try:
            self.udp.sendto(answer, peer)
        except OSError:
            pass

    def serve_udp(self):
        while self.alive:
            try:
                query, peer = self.udp.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(query) >= 17:
                threading.Thread(target=self.udp_one, args=(query, peer),
                                 daemon=True).start()

    @staticmethod
    def read_msg(conn):
        head = b""
        while len(head) < 2:
            chunk = conn.recv(2 - len(head))
            if not chunk:
                return None
            head += chunk
        n = struct.unpack("!H", head)[0]
        body = b""
        while len(body) < n:
            chunk = conn.recv(n - len(body))
            if not chunk:
                return None
            body += chunk
        return body

    def tcp_one(self, conn):
        conn.settimeout(10)
        try:
            while self.alive:
                query = self.read_msg(conn)
                if query is None or len(query) < 17:
                    return
                answer = self.decide(query)
                if answer is None:
                    return
                if answer == b"":
                    with socket.create_connection(self.upstream, 5) as up:
                        up.sendall(struct.pack("!H", len(query)) + query)
                        answer = self.read_msg(up)
                    if answer is None:
                        return
                conn.sendall(struct.pack("!H", len(answer)) + answer)
        except OSError:
            pass
        finally:
            conn.close()

    def serve_tcp(self):
        while self.alive:
            try:
                conn, _ = self.tcp.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self.tcp_one, args=(conn,),
                             daemon=True).start()


# ---- survey runs ----

class World:
    def __init__(self, args):
        self.hygiene = args.hygiene
        self.env = world_env(args.world)
        self.tmp = tempfile.mkdtemp(prefix="hy-survey-faults-")
        self.domains = self.env["HY_DOMAINS"].split()
        self.proxy_addr = "127.0.0.1:%d" % (self.env["port_base"] +
                                            PROXY_OFFSET)

    def list_file(self, name, extra=()):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write("\n".join(self.domains + list(extra)) + "\n")
        return path

    def survey(self, out, month, domains, resolver=None, extra=(),
               timeout=300):
        cmd = [self.hygiene, "survey", "--isps", ISPS, "--domains", domains,
               "--out", os.path.join(self.tmp, out, month),
               "--month", month,
               "--resolver", resolver or self.env["HY_RESOLVER"],
               "--trust-anchor", self.env["HY_TRUST_ANCHOR"],
               "--ca-file", self.env["HY_CA_FILE"],
               "--https-port", self.env["HY_HTTPS_PORT"],
               "--rtr", self.env["HY_RTR"], "--routes", ROUTES,
               "--timeout", "6", "--concurrency", "64", *extra]
        t0 = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout)
        p.elapsed = time.monotonic() - t0
        return p

    def stats(self, out, month):
        with open(os.path.join(self.tmp, out, month, "stats.json")) as f:
            return json.load(f)

    def results(self, out, month):
        rows = {}
        with open(os.path.join(self.tmp, out, month,
                               "results.ndjson")) as f:
            for line in f:
                o = json.loads(line)
                rows[o["domain"] or o["input"]] = o
        return rows

    def stored_states(self, out, month):
        """domain -> measurement of the results stored in the history."""
        db = sqlite3.connect(os.path.join(self.tmp, out,
                                          "hygiene-history.sqlite"))
        try:
            return dict(db.execute(
                "SELECT domain, json_extract(json, '$.measurement') "
                "FROM results WHERE month=?", (month,)).fetchall())
        finally:
            db.close()

    def stored(self, out, month):
        db = sqlite3.connect(os.path.join(self.tmp, out,
                                          "hygiene-history.sqlite"))
        try:
            return db.execute("SELECT count(*) FROM results WHERE month=?",
                              (month,)).fetchone()[0]
        finally:
            db.close()


def without(stats, *keys):
    s = dict(stats)
    for k in keys:
        s.pop(k, None)
    return s


def hosted(stats, isp):
    return next(i["hosted"] for i in stats["isps"] if i["id"] == isp)


def case_invalid(w, ref):
    path = w.list_file("invalid.txt", ["bad..x.jp", "ex ample.jp"])
    p = w.survey("invalid", "2026-11", path)
    if not check("invalid names: exit 3", p.returncode == 3,
                 "exit %d: %s" % (p.returncode, p.stderr)):
        return
    rows = w.results("invalid", "2026-11")
    check("invalid names reported as invalid input",
          rows["bad..x.jp"]["measurement"] == "invalid_input" and
          rows["ex ample.jp"]["measurement"] == "invalid_input" and
          rows["bad..x.jp"]["errors"][0]["code"].startswith("name-"),
          json.dumps([rows.get("bad..x.jp"), rows.get("ex ample.jp")]))
    refrows = w.results("ref", "2026-11")
    changed = [d for d in refrows
               if rows[d]["measurement"] != refrows[d]["measurement"]]
    check("every other domain measured as in the reference", not changed,
          str(changed))
    t = w.stats("invalid", "2026-11")["totals"]
    check("stats: 2 invalid input, the rest as in the reference",
          t["invalid_input"] == 2 and
          without(t, "domains", "invalid_input") ==
          without(ref["totals"], "domains", "invalid_input"), str(t))


def case_refused(w, ref, proxy):
    proxy.mode = "refuse"
    path = w.list_file("all.txt")
    p = w.survey("refused", "2026-11", path, resolver=w.proxy_addr)
    proxy.mode = "pass"
    check("REFUSED to everything: exit 1, says REFUSED",
          p.returncode == 1 and "REFUSED" in p.stderr,
          "exit %d: %s %s" % (p.returncode, p.stdout, p.stderr))
    check("REFUSED to everything: stops at once (%.1f s)" % p.elapsed,
          p.elapsed < 15)
    check("REFUSED to everything: nothing stored",
          w.stored("refused", "2026-11") == 0)
    r = w.survey("refused", "2026-11", path, extra=["--resume"])
    check("REFUSED: --resume through the working resolver completes "
          "the month as the reference",
          r.returncode == 3 and w.stats("refused", "2026-11") == ref,
          "exit %d: %s" % (r.returncode, r.stderr))


def case_dies(w, proxy_port):
    # Enough names for several commits before the resolver dies.
    path = w.list_file("big.txt", ["nx%04d.unsigned.jp" % i
                                   for i in range(800)])
    p = w.survey("bigref", "2026-11", path)
    if not check("clean run of the long list", p.returncode == 3,
                 p.stderr):
        return
    ref = w.stats("bigref", "2026-11")
    refrows = w.results("bigref", "2026-11")
    proxy = Proxy(proxy_port, w.env["HY_RESOLVER"])
    proxy.die_after = 5000
    try:
        p = w.survey("dies", "2026-11", path, resolver=w.proxy_addr)
    finally:
        if proxy.alive:
            proxy.close()
    check("resolver dies mid-run: exit 1 with the reason",
          p.returncode == 1 and "gives no usable answer" in p.stderr and
          "--resume" in p.stderr,
          "exit %d: %s %s" % (p.returncode, p.stdout, p.stderr))
    kept = w.stored_states("dies", "2026-11")
    wrong = {d: m for d, m in kept.items()
             if m != refrows[d].get("measurement")}
    check("resolver dies mid-run: %d of %d stored, each as in the clean "
          "run" % (len(kept), len(refrows)),
          0 < len(kept) < len(refrows) and not wrong, str(wrong))
    r = w.survey("dies", "2026-11", path, extra=["--resume"])
    check("resolver died: --resume completes the month as the clean run",
          r.returncode == 3 and w.stats("dies", "2026-11") == ref,
          "exit %d: %s\n%s" % (r.returncode, r.stderr, json.dumps(
              w.stats("dies", "2026-11")["totals"]) if r.returncode in
              (0, 3) else ""))


def case_mxfail(w, proxy):
    """October cleanly, November with example.co.jp's MX SERVFAIL."""
    path = w.list_file("all.txt")
    p = w.survey("hist", "2026-10", path)
    if not check("October survey", p.returncode == 3, p.stderr):
        return None
    proxy.servfail = {("example.co.jp", 15)}
    p = w.survey("hist", "2026-11", path, resolver=w.proxy_addr)
    proxy.servfail = set()
    if not check("November survey with an MX SERVFAIL", p.returncode == 3,
                 p.stderr):
        return None
    octo, nov = w.stats("hist", "2026-10"), w.stats("hist", "2026-11")
    a, b = hosted(octo, "world-c"), hosted(nov, "world-c")
    check("MX SERVFAIL: still in world-c's hosted figures, as incomplete",
          b["domains"] == a["domains"] and
          b["incomplete"] == a["incomplete"] + 1,
          "October %s, November %s" % (
              {k: a[k] for k in ("domains", "incomplete")},
              {k: b[k] for k in ("domains", "incomplete")}))
    rows = w.results("hist", "2026-11")
    ex = rows["example.co.jp"]
    check("MX SERVFAIL: example.co.jp incomplete, mx not measured",
          ex.get("measurement") == "incomplete" and ex["mx"] is None,
          json.dumps({k: ex.get(k) for k in ("mx", "errors")}))
    check("MX SERVFAIL: attributed to world-c from its October result",
          "world-c" in ex["attribution"]["hosted_by"] and
          ex["attribution"].get("earlier", {}).get("month") == "2026-10",
          json.dumps(ex["attribution"]))
    return octo


def case_remeasure(w, octo):
    path = w.list_file("all.txt")
    before = w.stats("hist", "2026-11")["totals"]
    p = w.survey("hist", "2026-11", path, extra=["--remeasure"])
    if not check("--remeasure: runs", p.returncode == 3,
                 "exit %d: %s" % (p.returncode, p.stderr)):
        return
    nov = w.stats("hist", "2026-11")
    ex = w.results("hist", "2026-11")["example.co.jp"]
    check("--remeasure: example.co.jp measured now",
          ex["measurement"] == "measured" and
          "world-c" in ex["attribution"]["mx_hosted_by"],
          json.dumps(ex["attribution"]))
    check("--remeasure: the stats say how many were measured again",
          nov["remeasured"] == {"domains": before["incomplete"],
                                "measured": 1} and
          "%d incomplete measured again" % before["incomplete"] in p.stdout,
          "%s / %s" % (nov["remeasured"], p.stdout))
    check("--remeasure: the month equals a clean one",
          without(nov, "month", "remeasured") ==
          without(octo, "month", "remeasured"),
          json.dumps(nov["totals"]))
    p = w.survey("hist", "2026-11", path)
    check("a finished month without --resume names --remeasure",
          p.returncode == 1 and "--remeasure" in p.stderr, p.stderr)


def case_report(w):
    typo = os.path.join(w.tmp, "hygeine-history.sqlite")
    p = subprocess.run([w.hygiene, "report", "--db", typo, "--month",
                        "2026-11"], capture_output=True, text=True,
                       timeout=60)
    check("report --db with a mistyped path: exit 1 and why",
          p.returncode == 1 and typo in p.stderr and
          "No such file" in p.stderr,
          "exit %d: %s" % (p.returncode, p.stderr))
    check("report --db with a mistyped path: nothing created",
          not os.path.exists(typo))
    notdb = os.path.join(w.tmp, "all.txt")
    w.list_file("all.txt")
    p = subprocess.run([w.hygiene, "report", "--db", notdb, "--month",
                        "2026-11"], capture_output=True, text=True,
                       timeout=60)
    check("report --db naming a file that is no history: exit 1",
          p.returncode == 1 and "not a hygiene history" in p.stderr,
          p.stderr)


def case_nsorder(w, proxy):
    proxy.delay = {("nullmx.jp", 2)}
    p = subprocess.run([w.hygiene, "check", "--json", "--resolver",
                        w.proxy_addr, "--trust-anchor",
                        w.env["HY_TRUST_ANCHOR"], "--timeout", "6",
                        "nullmx.jp"], capture_output=True, text=True,
                       timeout=60)
    proxy.delay = set()
    o = json.loads(p.stdout) if p.stdout.startswith("{") else {}
    ns = o.get("ns") or []
    check("null MX answered before NS: the NS address is looked up",
          o.get("null_mx") is True and len(ns) == 1 and
          ns[0]["addresses"] == [{"ip": "127.0.0.1"}],
          "exit %d: %s %s" % (p.returncode, json.dumps(ns), p.stderr))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--only", nargs="*", choices=CASES, default=CASES)
    args = ap.parse_args()
    w = World(args)
    port = w.env["port_base"] + PROXY_OFFSET
    ref = None
    if set(args.only) & {"invalid", "refused"}:
        p = w.survey("ref", "2026-11", w.list_file("all.txt"))
        if p.returncode != 3:
            print("FAIL reference survey: exit %d: %s" % (p.returncode,
                                                        p.stderr))
            return 1
        ref = w.stats("ref", "2026-11")
    if "invalid" in args.only:
        case_invalid(w, ref)
    if "dies" in args.only:
        case_dies(w, port)
    proxy = Proxy(port, w.env["HY_RESOLVER"])
    try:
        if "refused" in args.only:
            case_refused(w, ref, proxy)
        octo = None
        if set(args.only) & {"mxfail", "remeasure"}:
            octo = case_mxfail(w, proxy)
        if "remeasure" in args.only and octo is not None:
            case_remeasure(w, octo)
        if "nsorder" in args.only:
            case_nsorder(w, proxy)
    finally:
        proxy.close()
    if "report" in args.only:
        case_report(w)
    if FAILURES:
        print("FAILED: %s (files in %s)" % (", ".join(FAILURES), w.tmp))
        return 1
    subprocess.run(["rm", "-rf", w.tmp])
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
