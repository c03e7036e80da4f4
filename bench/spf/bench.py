#!/usr/bin/env python3
"""SPF evaluation throughput: hygiene's check_host() (hygiene-spfbench, the
evaluator on the async DNS engine) against libspf2's `spfquery -f`, on the
same domains and client IPs, through the same unbound, in the same run.

    bench/spf/bench.py [--build DIR] [--domains N] [--rounds R]
                       [--concurrency C]

spfquery resolves through the system resolver (port 53 from
/etc/resolv.conf) and cannot be pointed at a high port, so the script
re-runs itself in private network and mount namespaces (unshare -nm; root
needed): there NSD (port 5300) serves the generated zone and unbound
listens on 127.0.0.1:53 with a stub-zone to it, and /etc/resolv.conf is
bind-mounted to point at that unbound. Nothing is visible outside the
namespaces; nothing leaves the machine.

Each domain gets one of six policy shapes (ip4/ip6, a shared include
chain, a/mx plus an own include, redirect, exists with %{i}, mx/a of other
names) and three client IPs (one that matches, one that does not, one
IPv6). Two conditions, each over several rounds, both tools over the same
input in every round, medians compared:
  hot   after a warm-up pass unbound answers everything from its cache
        (the worst case for a concurrent client: every round trip is a
        few microseconds, so a sequential client loses little);
  cold  unbound is restarted before each tool's run, so it recurses to NSD
        for every name, as in a survey of domains nobody asked for lately.
Both tools cache answers in-process for the length of the run. The results
of the two tools are compared line by line.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
ZONE = "spfbench.test"


def gen_zone(n):
    z = ["$TTL 3600",
         "@ IN SOA ns.%s. hm.%s. 1 3600 600 86400 3600" % (ZONE, ZONE),
         "@ NS ns", "ns A 127.0.0.1",
         '_spf.mailhost TXT "v=spf1 ip4:198.51.100.0/24 '
         'include:_spf2.mailhost.%s ~all"' % ZONE,
         '_spf2.mailhost TXT "v=spf1 ip4:203.0.113.0/25 ip6:2001:db8:1::/48 '
         '?all"']
    lines = []
    for i in range(n):
        d = "d%d" % i
        fq = "%s.%s" % (d, ZONE)
        shape = i % 6
        own = "10.%d.%d.7" % (i >> 8 & 255, i & 255)
        if shape == 0:
            rec, good = "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all", \
                "192.0.2.%d" % (i % 250 + 1)
        elif shape == 1:
            rec, good = "v=spf1 include:_spf.mailhost.%s -all" % ZONE, \
                "203.0.113.%d" % (i % 120 + 1)
        elif shape == 2:
            rec = "v=spf1 a mx include:_s.%s -all" % fq
            z.append('_s.%s TXT "v=spf1 ip4:10.%d.%d.0/24 -all"'
                     % (d, i >> 8 & 255, i & 255))
            z.append("%s A 192.0.2.%d" % (d, i % 250 + 1))
            z.append("%s MX 10 mx.%s" % (d, d))
            z.append("mx.%s A 198.18.%d.%d" % (d, i >> 8 & 255, i & 255))
            good = own
        elif shape == 3:
            rec, good = "v=spf1 redirect=_spf.mailhost.%s" % ZONE, \
                "198.51.100.%d" % (i % 250 + 1)
        elif shape == 4:
            rec = "v=spf1 exists:%%{i}._e.%s ~all" % fq
            good = "192.0.2.%d" % (i % 250 + 1)
            z.append("%s._e.%s A 127.0.0.2" % (good, d))
        else:
            rec = "v=spf1 mx:mx.%s a:www.%s ?all" % (fq, fq)
            z.append("mx.%s MX 10 www.%s" % (d, d))
            z.append("www.%s A 198.18.%d.%d" % (d, i >> 8 & 255, i & 255))
            good = "198.18.%d.%d" % (i >> 8 & 255, i & 255)
        z.append('%s TXT "%s"' % (d, rec))
        for ip in (good, "192.0.2.%d" % (255 - i % 3) if shape != 0
                   else "203.0.113.250", "2001:db8:1::%x" % (i + 1)):
            lines.append("%s postmaster@%s mail.%s" % (ip, fq, fq))
    return "\n".join(z) + "\n", "\n".join(lines) + "\n"


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def start_unbound(d):
    p = subprocess.Popen(["unbound", "-d", "-c",
                          os.path.join(d, "unbound.conf")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if subprocess.run(["drill", "-Q", "ns." + ZONE, "@127.0.0.1"],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0:
            break
        time.sleep(0.05)
    # That probe cached ns.ZONE and the zone's delegation: nothing more.
    return p


def stop(p):
    p.terminate()
    p.wait()


def start_dns(d):
    write(os.path.join(d, "nsd.conf"), """server:
  ip-address: 127.0.0.1@5300
  zonesdir: "%(d)s"
  pidfile: "%(d)s/nsd.pid"
  database: ""
  xfrdfile: "%(d)s/xfrd.state"
  zonelistfile: "%(d)s/zone.list"
  username: ""
  rrl-ratelimit: 0
  verbosity: 0
remote-control:
  control-enable: no
zone:
  name: %(z)s
  zonefile: %(z)s.zone
""" % {"d": d, "z": ZONE})
    write(os.path.join(d, "unbound.conf"), """server:
  interface: 127.0.0.1
  port: 53
  do-not-query-localhost: no
  username: ""
  chroot: ""
  directory: "%(d)s"
  pidfile: "%(d)s/unbound.pid"
  use-syslog: no
  num-threads: 1
  module-config: "iterator"
  access-control: 127.0.0.0/8 allow
  msg-cache-size: 64m
  rrset-cache-size: 128m
  qname-minimisation: no
  local-zone: "test." nodefault
  verbosity: 0
remote-control:
  control-enable: no
stub-zone:
  name: "%(z)s"
  stub-addr: 127.0.0.1@5300
""" % {"d": d, "z": ZONE})
    nsd = subprocess.Popen(["nsd", "-d", "-c", os.path.join(d, "nsd.conf")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return nsd


def spfquery_results(out):
    """spfquery -f prints, per input line, the result and three comment
    lines; the result line is the first of each group of four."""
    lines = out.splitlines()
    return [lines[i].strip() for i in range(0, len(lines), 4)]


def run_spfquery(inp):
    t0 = time.monotonic()
    p = subprocess.run(["spfquery", "-f", inp], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return time.monotonic() - t0, spfquery_results(p.stdout)


def run_hygiene(exe, conc, inp, out):
    t0 = time.monotonic()
    wrap = os.environ.get("HY_BENCH_WRAP", "").split()
    p = subprocess.run(wrap + [exe, "127.0.0.1:53", str(conc), inp, out],
                       stdout=subprocess.PIPE, text=True, check=True)
    wall = time.monotonic() - t0
    return wall, json.loads(p.stdout)


def measure(a, d, exe, inp, n, cold):
    """Alternating rounds; returns the figures and the last results."""
    hout = os.path.join(d, "hygiene.out")
    unb = start_unbound(d)
    try:
        if not cold:
            run_spfquery(inp)
            run_hygiene(exe, a.concurrency, inp, hout)
        sq_t, hy_t, hy_wall, last = [], [], [], None
        for _ in range(a.rounds):
            if cold:
                stop(unb)
                unb = start_unbound(d)
            t, sq_res = run_spfquery(inp)
            sq_t.append(t)
            if cold:
                stop(unb)
                unb = start_unbound(d)
            wall, stats = run_hygiene(exe, a.concurrency, inp, hout)
            hy_t.append(stats["seconds"])
            hy_wall.append(wall)
            last = stats
    finally:
        stop(unb)
    with open(hout) as f:
        hy_res = [x.strip() for x in f]
    sq_med, hy_med = statistics.median(sq_t), statistics.median(hy_t)
    hy_wall_med = statistics.median(hy_wall)
    fig = {
        "spfquery_seconds": [round(x, 3) for x in sq_t],
        "hygiene_seconds": [round(x, 4) for x in hy_t],
        "hygiene_process_seconds": [round(x, 4) for x in hy_wall],
        "spfquery_per_second": round(n / sq_med, 1),
        "hygiene_per_second": round(n / hy_med, 1),
        "ratio": round(sq_med / hy_med, 1),
        "ratio_process_wall": round(sq_med / hy_wall_med, 1),
        "hygiene_dns": {k: last[k] for k in ("dns_requests", "dns_sent",
                                             "cache_hits", "coalesced")},
        "hygiene_results": {k: last[k] for k in
                            ("pass", "fail", "softfail", "neutral",
                             "none", "permerror", "temperror")},
    }
    return fig, hy_res, sq_res


def inner(a):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    d = tempfile.mkdtemp(prefix="hygiene-spfbench.")
    nsd = None
    try:
        zone, queries = gen_zone(a.domains)
        write(os.path.join(d, ZONE + ".zone"), zone)
        inp = os.path.join(d, "queries.txt")
        write(inp, queries)
        write(os.path.join(d, "resolv.conf"), "nameserver 127.0.0.1\n")
        subprocess.run(["mount", "--bind", os.path.join(d, "resolv.conf"),
                        "/etc/resolv.conf"], check=True)
        nsd = start_dns(d)
        exe = os.path.join(a.build, "bench", "hygiene-spfbench")
        qlines = queries.splitlines()
        n = len(qlines)
        report = {"domains": a.domains, "evaluations": n,
                  "rounds": a.rounds, "concurrency": a.concurrency}
        diff = []
        for cond in ("hot", "cold"):
            fig, hy_res, sq_res = measure(a, d, exe, inp, n, cond == "cold")
            agree = sum(1 for x, y in zip(hy_res, sq_res) if x == y)
            fig["results_agree"] = "%d/%d" % (agree, n)
            diff += [(cond, q, x, y) for q, x, y in
                     zip(qlines, hy_res, sq_res) if x != y]
            report[cond] = fig
        print(json.dumps(report, indent=2))
        for cond, q, x, y in diff[:10]:
            print("differs (%s): %s: hygiene %s, spfquery %s"
                  % (cond, q, x, y))
        return 0
    finally:
        if nsd is not None:
            stop(nsd)
        subprocess.run(["umount", "/etc/resolv.conf"],
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--domains", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=100)
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.inner:
        return inner(a)
    if shutil.which("spfquery") is None:
        print("bench: spfquery is missing (Debian package spfquery)",
              file=sys.stderr)
        return 1
    a.build = os.path.abspath(a.build)
    cmd = ["unshare", "--net", "--mount", "--fork", sys.executable,
           os.path.abspath(__file__), "--inner", "--build", a.build,
           "--domains", str(a.domains), "--rounds", str(a.rounds),
           "--concurrency", str(a.concurrency)]
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
