#!/usr/bin/env python3
"""The DNSSEC differential campaign: hygiene's verdicts against unbound's.

    campaign.py --hygiene PATH --dir DIR --port-base N [--set fast|full]
                [--only NAME...] [--keep] [--verbose]

Builds a private signed tree (gen.py) with one parent and child zone per
case (cases.py), serves it through NSD and the scripted server
(server.py), lets unbound validate every case's domain (oracle.py) and
runs `hygiene check --json` on the same domains through the server's
resolver face. Every case's verdicts must agree (or differ exactly as the
case documents, with its RFC citation) and match what the case is built
to produce. Exit 0 when all agree, 1 otherwise. Ports: base+90 NSD,
+91 auth face, +92 resolver face, +93 unbound.

Requires ldns-signzone (ldnsutils), nsd, unbound, python3-dnspython and
python3-cryptography.
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import dns.flags            # noqa: E402
import dns.message          # noqa: E402
import dns.name             # noqa: E402
import dns.query            # noqa: E402

import cases as C           # noqa: E402
import gen                  # noqa: E402
import oracle               # noqa: E402
import server as S          # noqa: E402

OFFSETS = {"nsd": 90, "auth": 91, "resolver": 92, "unbound": 93}


class Daemons:
    def __init__(self, d):
        self.d = d
        self.procs = []

    def spawn(self, name, cmd):
        log = open(os.path.join(self.d, "logs", name + ".out"), "w")
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                             stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []


def wait_dns(port, name, qtype, want_ad=False, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        q = dns.message.make_query(name, qtype, want_dnssec=True)
        try:
            r = dns.query.udp(q, "127.0.0.1", port=port, timeout=1)
            if r.rcode() == 0 and (not want_ad or r.flags & dns.flags.AD):
                return True
        except Exception:
            pass
        time.sleep(0.1)
    return False


def nsd_conf(d, port, zones):
    nd = os.path.join(d, "nsd")
    os.makedirs(nd, exist_ok=True)
    out = ["server:", "  ip-address: 127.0.0.1@%d" % port, "  do-ip6: no",
           "  server-count: 1", "  username: \"\"", "  chroot: \"\"",
           "  database: \"\"",
           "  zonelistfile: \"%s\"" % os.path.join(nd, "zone.list"),
           "  xfrdfile: \"%s\"" % os.path.join(nd, "xfrd.state"),
           "  xfrdir: \"%s\"" % nd,
           "  pidfile: \"%s\"" % os.path.join(nd, "nsd.pid"),
           "  logfile: \"%s\"" % os.path.join(d, "logs", "nsd.log"),
           "  verbosity: 1", "  tcp-count: 1000", "  zonefiles-write: 0",
           "  rrl-ratelimit: 0", "  rrl-whitelist-ratelimit: 0",
           "remote-control:", "  control-enable: no"]
    for z in zones:
        out += ["zone:", "  name: \"%s\"" % z.origin,
                "  zonefile: \"%s\"" % z.signed_path]
    return "\n".join(out) + "\n"


def build_tree(d, case_list, now, wrap=False):
    """Root, TLD and every case's zones, signed. Returns (zones, anchor)."""
    win = {}
    if wrap:
        win = dict(inception=now - 20 * C.DAY, expiration=now + 40 * C.DAY)
    root = gen.ZoneSpec(".", alg=13, records=[], **win)
    tld = gen.ZoneSpec(C.TLD, alg=13, records=[], **win)
    zones = [root, tld]
    for i, (c, prof) in enumerate(case_list, 1):
        zones += c.setup(i, now, prof)
    gen.link(zones)
    gen.build(zones, d, now)
    anchor = os.path.join(d, "root-anchor.key")
    with open(anchor, "w") as f:
        f.write(root.ksks()[0].text() + "\n")
    return zones, anchor


def run_hygiene(a, d, domains, resolver_port, anchor, at):
    path = os.path.join(d, "domains.txt")
    with open(path, "w") as f:
        f.write("\n".join(domains) + "\n")
    cmd = [a.hygiene, "check", "--json", "--timeout", "30",
           "--resolver", "127.0.0.1:%d" % resolver_port,
           "--trust-anchor", anchor, "--file", path]
    if at is not None:
        cmd += ["--at", str(at)]
    t0 = time.time()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=600)
    p.took = time.time() - t0
    out = {}
    for line in p.stdout.splitlines():
        if line.strip():
            o = json.loads(line)
            out[o.get("domain", "").rstrip(".")] = o
    return out, p


def judge(c, hy, ub):
    """(ok, hygiene verdict, explanation)"""
    sec = (hy or {}).get("dnssec") or {}
    hv = sec.get("status", "missing")
    uv = ub[0]
    problems = []
    if c.differ:
        want_h, want_u, _ = c.differ
        if hv != want_h or uv != want_u:
            problems.append("documented difference %s/%s not seen" %
                            (want_h, want_u))
    elif hv != uv:
        problems.append("disagree")
    if uv != c.want and not (c.differ and uv == c.differ[1]):
        problems.append("unbound is not %s as built" % c.want)
    for chk in c.checks:
        err = chk(c, sec)
        if err:
            problems.append(err)
    return not problems, hv, "; ".join(problems)


def run_pass(a, d, case_list, now, wrap=False):
    ports = {k: a.port_base + v for k, v in OFFSETS.items()}
    os.makedirs(os.path.join(d, "logs"), exist_ok=True)
    t0 = time.time()
    zones, anchor = build_tree(d, case_list, now, wrap)
    rules, case_of_p = {}, {}
    for c, _ in case_list:
        rules[c.P] = c.make_rules()
        case_of_p[dns.name.from_text(c.P)] = c.P

    def case_of(qname):
        n = qname
        while len(n.labels) > 1:
            if n in case_of_p:
                return case_of_p[n]
            n = n.parent()
        return None

    t_gen = time.time() - t0
    dm = Daemons(d)
    srv = None
    try:
        with open(os.path.join(d, "nsd.conf"), "w") as f:
            f.write(nsd_conf(d, ports["nsd"], zones))
        dm.spawn("nsd", ["nsd", "-d", "-c", os.path.join(d, "nsd.conf")])
        if not wait_dns(ports["nsd"], ".", "SOA"):
            raise RuntimeError("NSD did not start; see %s/logs" % d)
        srv = S.Server(S.Store(zones), ports["nsd"], ports["auth"],
                       ports["resolver"], rules, case_of)
        srv.start()
        with open(os.path.join(d, "unbound.conf"), "w") as f:
            f.write(oracle.unbound_conf(
                d, ports["unbound"], anchor, [z.origin for z in zones],
                ports["auth"], override_date=(now & 0xFFFFFFFF) if wrap
                else None))
        dm.spawn("unbound", ["unbound", "-d", "-c",
                             os.path.join(d, "unbound.conf")])
        if not wait_dns(ports["unbound"], ".", "DNSKEY", want_ad=True):
            raise RuntimeError("unbound does not validate the root; see "
                               "%s/logs" % d)
        t1 = time.time()
        with concurrent.futures.ThreadPoolExecutor(16) as ex:
            fut_h = ex.submit(run_hygiene, a, d, [c.D.rstrip(".")
                                                  for c, _ in case_list],
                              ports["resolver"], anchor, now if wrap
                              else None)
            def timed(cp):
                t = time.time()
                v = oracle.verdict(ports["unbound"], cp[0].D)
                return v + (time.time() - t,)
            ub = list(ex.map(timed, case_list))
            hy, proc = fut_h.result()
        t_run = time.time() - t1
    finally:
        if srv is not None:
            srv.stop()
        dm.stop()
    results = []
    for (c, prof), u in zip(case_list, ub):
        h = hy.get(c.D.rstrip("."))
        ok, hv, why = judge(c, h, u)
        results.append(dict(case=c.name, profile=prof, domain=c.D, ok=ok,
                            hygiene=hv, unbound=u[0], slots=u[1],
                            detail=u[2], oracle_s=round(u[3], 2),
                            why=why, differ=c.differ and c.differ[2],
                            issues=[i["code"] for i in ((h or {}).get(
                                "dnssec") or {}).get("issues", [])]))
    return results, dict(generate=t_gen, run=t_run, hygiene_s=proc.took,
                         hygiene_rc=proc.returncode,
                         hygiene_stderr=proc.stderr[-2000:],
                         server_errors=[x for x in srv.log
                                        if x[3].startswith("error")])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-base", type=int, required=True)
    ap.add_argument("--set", choices=("fast", "full"), default="full")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--keep", action="store_true",
                    help="keep DIR (zones, configs, logs) afterwards")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    a.hygiene = os.path.abspath(a.hygiene)
    if os.path.exists(a.dir):
        shutil.rmtree(a.dir)
    os.makedirs(a.dir)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    t0 = time.time()
    ok = True
    report = []
    for pname, (case_list, wrap, now) in C.passes(a.set).items():
        if a.only:
            case_list = [(c, p) for c, p in case_list if
                         c.name in a.only or "%s/%s" % (p, c.name) in a.only]
        if not case_list:
            continue
        pd = os.path.join(a.dir, pname)
        os.makedirs(pd)
        res, info = run_pass(a, pd, case_list, now, wrap)
        report.append(dict(pass_=pname, results=res, info=info))
        for r in res:
            if a.verbose or not r["ok"]:
                print("%-4s %-8s %-34s hygiene %-13s unbound %-13s %s%s" % (
                    "ok" if r["ok"] else "FAIL", r["profile"], r["case"],
                    r["hygiene"], r["unbound"], r["why"],
                    "" if r["ok"] else "  [%s] %s" % (
                        ",".join(r["issues"]), r["detail"])))
        n = len(res)
        good = sum(r["ok"] for r in res)
        differ = sum(1 for r in res if r["differ"] and r["ok"])
        if a.verbose:
            slow = sorted(res, key=lambda r: -r["oracle_s"])[:5]
            print("hygiene %.1f s; slowest oracle cases: %s" % (
                info["hygiene_s"], ", ".join("%s/%s %.1fs" % (
                    r["profile"], r["case"], r["oracle_s"]) for r in slow)))
        print("pass %s: %d cases, %d agree, %d as documented differences, "
              "%d failures; generation %.1f s, checks %.1f s" % (
                  pname, n, good - differ, differ, n - good,
                  info["generate"], info["run"]))
        if info["server_errors"]:
            print("scripted server errors: %s" % info["server_errors"][:5])
            ok = False
        if info["hygiene_rc"] not in (0, 3):
            print("hygiene exited %d: %s" % (info["hygiene_rc"],
                                             info["hygiene_stderr"]))
        ok = ok and good == n
    with open(os.path.join(a.dir, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    print("campaign %s: %s in %.1f s" % (a.set, "all agree" if ok else
                                         "FAILED", time.time() - t0))
    if ok and not a.keep:
        shutil.rmtree(a.dir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
