#!/usr/bin/env python3
"""End-to-end tests of the RPKI data sources against local stand-ins
(issues 10 and 12): the RTR sync's own deadline and an RTR cache that
answers with an Error Report PDU; VRP files in the rpki-client,
Routinator and stayrtr formats, fresh, stale and pinned with --at;
RIPEstat over an HTTPS stand-in (ripestat_standin.py) and through a
CONNECT proxy.

usage: data_sources.py HYGIENE_BINARY PORT_BASE WORKDIR

Ports used: PORT_BASE .. PORT_BASE+9 (the world's base + 50 .. + 59).
"""
import json
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
from ripestat_standin import (RipeStandin, ConnectProxy,  # noqa: E402
                              expected_prefixes)

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


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def vrp_file(workdir, name, fmt, built, expires=None):
    """The test VRPs (data/vrps.json) in a real generator's format, built
    at time built (None: no build time); expires: {prefix: unix time}."""
    roas = json.load(open(os.path.join(DATA, "vrps.json")))["roas"]
    expires = expires or {}
    out = []
    for r in roas:
        r = dict(r)
        r.pop("ta", None)
        exp = expires.get(r["prefix"], None if built is None else
                          built + 7 * 86400)
        if fmt == "rpki-client":
            r["asn"] = int(str(r["asn"]).upper().lstrip("AS"))
            r["ta"] = "apnic"
            if exp is not None:
                r["expires"] = exp
        elif fmt == "routinator":
            r["asn"] = "AS%s" % str(r["asn"]).upper().lstrip("AS")
            r["ta"] = "apnic"
        elif fmt == "routinator-jsonext":
            r["asn"] = "AS%s" % str(r["asn"]).upper().lstrip("AS")
            r["source"] = [{"type": "roa", "uri": "rsync://x/%d.roa" %
                            len(out), "tal": "apnic",
                            "validity": {"notBefore": iso(0),
                                         "notAfter": iso(exp or 2**31)},
                            "chainValidity": {
                                "notBefore": iso(0),
                                "notAfter": iso(exp or 2**31)},
                            "stale": iso(2**31)}]
        elif fmt == "stayrtr" and exp is not None:
            r["expires"] = exp
        out.append(r)
    if built is None:
        meta = {}
    elif fmt == "rpki-client":
        meta = {"buildmachine": "rpki.example.jp", "buildtime": iso(built),
                "elapsedtime": 312, "usertime": 100, "systemtime": 20,
                "roas": 7, "vrps": 7, "uniquevrps": 7}
    elif fmt.startswith("routinator"):
        meta = {"generated": built, "generatedTime": iso(built)}
    else:
        meta = {"vrps": len(out), "buildtime": iso(built),
                "generated": built, "serial": 17, "sessionid": 4711}
    path = os.path.join(workdir, name)
    json.dump({"metadata": meta, "roas": out}, open(path, "w"), indent=1)
    return path


def test_vrp_files(hygiene, workdir):
    """Issue 12: VRP files are read with their metadata (rpki-client,
    Routinator, stayrtr); data older than --vrps-max-age (default 24 h)
    is refused unless --at pins a time the data covers; VRPs expired at
    that time are dropped, as stayrtr does."""
    now = int(time.time())
    base = ["--routes", ROUTES, "--isps", ISPS, "--json", "--detail"]
    for fmt in ("rpki-client", "routinator", "routinator-jsonext",
                "stayrtr"):
        path = vrp_file(workdir, "fresh-%s.json" % fmt, fmt, now - 3600)
        rc, out, err, _ = rpki(hygiene, "--vrps", path, *base)
        src = json.loads(out)["vrp_source"] if rc == 0 else {}
        check(rc == 0 and src.get("format") ==
              fmt.replace("-jsonext", "") and
              src.get("build_time") == iso(now - 3600) and
              src.get("vrps") == 7 and src.get("expired") == 0,
              "VRP file %s, an hour old: accepted, metadata read (%d, %s, "
              "%s)" % (fmt, rc, src, err.strip()[-160:]))
        if rc == 0:
            rw.valid_schema(json.loads(out), "VRP file " + fmt)
        path = vrp_file(workdir, "stale-%s.json" % fmt, fmt, now - 30 * 3600)
        rc, out, err, _ = rpki(hygiene, "--vrps", path, *base)
        check(rc == 1 and out == "" and "older than" in err and
              "--vrps-max-age" in err and "--at" in err,
              "VRP file %s, 30 h old: refused with exit 1 (%d, %s)" %
              (fmt, rc, err.strip()[-200:]))
    stale = os.path.join(workdir, "stale-rpki-client.json")
    rc, out, err, _ = rpki(hygiene, "--vrps", stale, "--vrps-max-age", "48",
                           *base)
    check(rc == 0, "stale: --vrps-max-age 48 accepts 30 h old data (%d, %s)"
          % (rc, err.strip()[-160:]))
    rc, out, err, _ = rpki(hygiene, "--vrps", stale, "--at",
                           iso(now - 29 * 3600), *base)
    check(rc == 0, "stale: --at an hour after the build is covered (%d, %s)"
          % (rc, err.strip()[-160:]))
    rc, out, err, _ = rpki(hygiene, "--vrps", stale, "--at",
                           iso(now - 31 * 3600), *base)
    check(rc == 1 and "--at" in err,
          "stale: --at before the build is not covered (%d, %s)" %
          (rc, err.strip()[-160:]))
    rc, out, err, _ = rpki(hygiene, "--vrps", stale, "--at",
                           iso(now - 3 * 3600), *base)
    check(rc == 1 and "older than" in err,
          "stale: --at 27 h after the build is not covered (%d, %s)" %
          (rc, err.strip()[-160:]))
    future = vrp_file(workdir, "future.json", "stayrtr", now + 3 * 3600)
    rc, out, err, _ = rpki(hygiene, "--vrps", future, *base)
    check(rc == 1 and "after" in err,
          "a build time 3 h ahead of now is refused (%d, %s)" %
          (rc, err.strip()[-160:]))
    nometa = vrp_file(workdir, "no-build-time.json", "stayrtr", None)
    rc, out, err, _ = rpki(hygiene, "--vrps", nometa, *base)
    check(rc == 1 and "build time" in err and "--vrps-max-age 0" in err,
          "a file without a build time is refused (%d, %s)" %
          (rc, err.strip()[-160:]))
    rc, out, err, _ = rpki(hygiene, "--vrps", nometa, "--vrps-max-age", "0",
                           *base)
    check(rc == 0, "--vrps-max-age 0 accepts any age (%d)" % rc)
    # 192.0.2.0/24 AS64500's VRP expires 2 h after the build: at --at
    # build+1h the route from AS64500 is valid (and the one from AS64501
    # invalid), at build+3h both are not-found (stayrtr drops expired VRPs
    # the same way).
    built = now - 10 * 3600
    for fmt in ("rpki-client", "stayrtr", "routinator-jsonext"):
        path = vrp_file(workdir, "expiring-%s.json" % fmt, fmt, built,
                        {"192.0.2.0/24": built + 2 * 3600})
        states = []
        for at in (built + 3600, built + 3 * 3600):
            rc, out, err, _ = rpki(hygiene, "--vrps", path, "--at", iso(at),
                                   *base)
            if rc != 0:
                states.append((rc, err.strip()[-120:]))
                continue
            doc = json.loads(out)
            isp = [i for i in doc["isps"] if i["id"] == "isp-a"][0]
            st = [r["state"] for r in isp["routes_detail"]
                  if r["prefix"] == "192.0.2.0/24"]
            states.append((st, doc["vrp_source"]["expired"]))
        check(states == [(["valid", "invalid"], 0),
                         (["not-found", "not-found"], 1)],
              "%s: a VRP past its expiry at --at is dropped and counted "
              "(%s)" % (fmt, states))


RIPE_ASNS = list(range(64500, 64512))


def ripe_isps(workdir):
    """Three ISPs of four ASNs each: twelve requests, more than the
    eight RIPEstat allows in flight."""
    path = os.path.join(workdir, "ripe-isps.json")
    json.dump({"isps": [{"id": "isp-%d" % k, "name": "ISP %d" % k,
                         "name_ja": "ISP %d" % k, "domains": [],
                         "asns": RIPE_ASNS[4 * k:4 * k + 4]}
                        for k in range(3)]}, open(path, "w"))
    return path


def ripe_vrps(workdir, at):
    """A fresh VRP file at time at: AS64500 may originate 10.0.0.0/16."""
    path = os.path.join(workdir, "ripe-vrps.json")
    json.dump({"metadata": {"buildtime": iso(at - 3600)},
               "roas": [{"prefix": "10.0.0.0/16", "maxLength": 16,
                         "asn": 64500}]}, open(path, "w"))
    return path


def detail_prefixes(doc):
    return {(r["origin_asn"], r["prefix"]) for i in doc["isps"]
            for r in i["routes_detail"]}


def want_prefixes(asns=RIPE_ASNS):
    return {(a, p) for a in asns for p in expected_prefixes(a)}


def test_ripestat(hygiene, port, workdir):
    """Issue 12: RIPEstat with its documented etiquette. A fixed window
    (--at, or the survey month's end) and only prefixes its timelines
    show at that time; at most 8 requests in flight; sourceapp and the
    contact in the User-Agent; 429 with Retry-After, 5xx and timeouts
    retried with back-off; raw answers kept in the survey directory."""
    ripe = RipeStandin(port, workdir)
    url = "https://127.0.0.1:%d" % port
    isps = ripe_isps(workdir)
    at = int(time.time()) - 86400
    vrps = ripe_vrps(workdir, at)
    base = ["--vrps", vrps, "--routes", "ripestat", "--ripestat-url", url,
            "--ca-file", ripe.crt, "--isps", isps, "--at", iso(at),
            "--json", "--detail", "--timeout", "2"]
    try:
        # Answers held 1.5 s: twelve requests would all overlap.
        ripe.state.reset({64501: ["429"], 64502: ["503"], 64503: ["slow"]},
                         hold=1.5)
        rc, out, err, took = rpki(hygiene, *base, "--contact",
                                  "ops@example.jp")
        st = ripe.state
        check(rc == 0, "ripestat: exit 0 through 429, 503 and a timeout "
              "(%d, %s)" % (rc, err.strip()[-200:]))
        check(st.max_inflight == 8,
              "ripestat: at most 8 requests in flight (%d)" %
              st.max_inflight)
        qs = [q for _, _, q, _ in st.requests]
        check(all(q.get("endtime") == str(at) for q in qs) and
              all(int(q["starttime"]) < at for q in qs),
              "ripestat: the window ends at --at (%s)" %
              sorted({q.get("endtime") for q in qs}))
        check(all("ops@example.jp" in q.get("sourceapp", "") for q in qs),
              "ripestat: sourceapp carries the contact (%s)" %
              sorted({q.get("sourceapp") for q in qs}))
        check(all("ops@example.jp" in ua and "hygiene/" in ua
                  for _, _, _, ua in st.requests),
              "ripestat: User-Agent names the tool and the contact (%s)" %
              sorted({ua for _, _, _, ua in st.requests}))
        times = {}
        for t, asn, _, _ in st.requests:
            times.setdefault(asn, []).append(t)
        check(len(times.get(64501, [])) == 2 and
              times[64501][1] - times[64501][0] >= 1.9,
              "ripestat: 429 retried after its Retry-After of 2 s (%s)" %
              times.get(64501))
        check(len(times.get(64502, [])) == 2 and
              times[64502][1] - times[64502][0] >= 0.9,
              "ripestat: 503 retried after a back-off (%s)" %
              times.get(64502))
        check(len(times.get(64503, [])) == 2,
              "ripestat: a timed-out request is retried (%s)" %
              times.get(64503))
        if rc == 0:
            doc = json.loads(out)
            rw.valid_schema(doc, "ripestat")
            got = detail_prefixes(doc)
            check(got == want_prefixes(),
                  "ripestat: exactly the prefixes announced at --at, by "
                  "timelines (%d of %d; extra %s, missing %s)" %
                  (len(got), len(want_prefixes()),
                   sorted(got - want_prefixes())[:3],
                   sorted(want_prefixes() - got)[:3]))
            src = doc["route_source"]
            check(src.get("at") == iso(at) and src.get("data_time") ==
                  iso(at - at % (8 * 3600)),
                  "ripestat: route_source names the window and the RIS "
                  "dump used (%s)" % src)

        ripe.state.reset()
        rc, out, err, _ = rpki(hygiene, *base, "--ripestat-sourceapp",
                               "ministry-survey")
        check(rc == 0 and {q.get("sourceapp") for _, _, q, _ in
                           ripe.state.requests} == {"ministry-survey"},
              "ripestat: --ripestat-sourceapp is sent as given")
        ripe.state.reset()
        rc, out, err, _ = rpki(hygiene, *base)
        check(rc == 0 and {q.get("sourceapp") for _, _, q, _ in
                           ripe.state.requests} == {"hygiene"},
              "ripestat: sourceapp 'hygiene' by default")

        ripe.state.reset({64504: ["503-ra0"] * 20})
        rc, out, err, _ = rpki(hygiene, *base)
        check(rc == 1 and out == "" and "AS64504" in err and "503" in err
              and "attempts" in err and
              ripe.state.attempts.get(64504) == 5,
              "ripestat: a request that keeps failing fails the run after "
              "5 attempts (%d, %s)" % (rc, err.strip()[-160:]))

        test_ripestat_survey(hygiene, ripe, url, isps, workdir)
    finally:
        ripe.close()


def test_ripestat_survey(hygiene, ripe, url, isps, workdir):
    """The survey asks for the month's end, keeps the raw answers in its
    directory, and --resume reads them instead of asking again."""
    out = os.path.join(workdir, "ripe-survey", "2026-10")
    month_end = 1793491199          # 2026-10-31T23:59:59Z
    vrps = ripe_vrps(workdir, month_end)
    args = [hygiene, "survey", "--isps", isps, "--out", out, "--month",
            "2026-10", "--vrps", vrps, "--vrps-max-age", "0",
            "--ripestat-url", url, "--ca-file", ripe.crt, "--resolver",
            "127.0.0.1:9", "--timeout", "2"]
    ripe.state.reset()
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    qs = [q for _, _, q, _ in ripe.state.requests]
    check(p.returncode == 0, "ripestat survey: exit 0 (%s)" %
          p.stderr.strip()[-200:])
    check(qs and all(q.get("endtime") == str(month_end) for q in qs),
          "ripestat survey: the window ends at the month's end (%s)" %
          sorted({q.get("endtime") for q in qs}))
    saved = os.path.join(out, "ripestat-20261031T235959Z")
    files = sorted(os.listdir(saved)) if os.path.isdir(saved) else []
    check(files == sorted("AS%d.json" % a for a in RIPE_ASNS),
          "ripestat survey: every raw answer saved under %s (%s)" %
          (saved, files[:3]))
    stats = json.load(open(os.path.join(out, "stats.json"))) \
        if p.returncode == 0 else {"isps": []}
    first = {i["id"]: i["rpki"]["routes"] for i in stats["isps"]}
    ripe.state.reset()
    p = subprocess.run(args + ["--resume"], capture_output=True, text=True,
                       timeout=120)
    check(p.returncode == 0 and ripe.state.requests == [],
          "ripestat survey: --resume reads the saved answers, no request "
          "(%d, %d requests, %s)" % (p.returncode,
                                     len(ripe.state.requests),
                                     p.stderr.strip()[-160:]))
    if p.returncode == 0:
        stats = json.load(open(os.path.join(out, "stats.json")))
        check({i["id"]: i["rpki"]["routes"] for i in stats["isps"]} ==
              first, "ripestat survey: the same figures from the saved "
              "answers")
    # The running month's window ends now; resumed later, the survey
    # keeps the time of the answers it saved instead of asking again.
    month = time.strftime("%Y-%m", time.gmtime())
    out = os.path.join(workdir, "ripe-survey", month)
    args[args.index("--out") + 1] = out
    args[args.index("--month") + 1] = month
    args[args.index("--vrps") + 1] = ripe_vrps(workdir, int(time.time()))
    ripe.state.reset()
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    ends = {q.get("endtime") for _, _, q, _ in ripe.state.requests}
    time.sleep(1.1)
    ripe.state.reset()
    p2 = subprocess.run(args + ["--resume"], capture_output=True, text=True,
                        timeout=120)
    check(p.returncode == 0 and len(ends) == 1 and p2.returncode == 0 and
          ripe.state.requests == [],
          "ripestat survey: the running month, resumed a second later, "
          "reads the answers of its first run (%d %d, %s, %d requests)" %
          (p.returncode, p2.returncode, ends, len(ripe.state.requests)))


def test_proxy(hygiene, port, workdir):
    """Issue 12: data sources honour https_proxy (a CONNECT proxy; the API
    host is resolved by the proxy, not by our resolver) and no_proxy."""
    ripe = RipeStandin(port, workdir, names=("stat.ripe.test",))
    proxy = ConnectProxy(port + 1, hosts={"stat.ripe.test": "127.0.0.1"})
    at = int(time.time()) - 86400
    url = "https://stat.ripe.test:%d" % port
    args = [hygiene, "rpki", "--vrps", ripe_vrps(workdir, at), "--routes",
            "ripestat", "--ripestat-url", url, "--ca-file", ripe.crt,
            "--isps", ripe_isps(workdir), "--at", iso(at), "--json",
            "--detail", "--timeout", "2", "--resolver",
            "127.0.0.1:%d" % (port + 2)]
    clean = {k: v for k, v in os.environ.items()
             if k.lower() not in ("https_proxy", "http_proxy", "all_proxy",
                                  "no_proxy")}
    try:
        for var in ("https_proxy", "HTTPS_PROXY", "all_proxy"):
            proxy.requests.clear()
            ripe.state.reset()
            env = dict(clean, **{var: "http://127.0.0.1:%d" % (port + 1)})
            p = subprocess.run(args, capture_output=True, text=True,
                               timeout=60, env=env)
            got = detail_prefixes(json.loads(p.stdout)) \
                if p.returncode == 0 else set()
            check(p.returncode == 0 and got == want_prefixes() and
                  set(proxy.requests) == {("CONNECT", "stat.ripe.test:%d" %
                                           port)} and
                  len(proxy.requests) >= 1,
                  "proxy: %s set, every request goes through the CONNECT "
                  "proxy (%d, %d CONNECTs, %s)" %
                  (var, p.returncode, len(proxy.requests),
                   p.stderr.strip()[-160:]))
        proxy.requests.clear()
        for name, env in (("no proxy set", clean),
                          ("no_proxy names the host",
                           dict(clean, https_proxy="http://127.0.0.1:%d" %
                                (port + 1), no_proxy="example.jp,"
                                ".ripe.test"))):
            p = subprocess.run(args, capture_output=True, text=True,
                               timeout=60, env=env)
            check(p.returncode == 1 and proxy.requests == [] and
                  "stat.ripe.test" in p.stderr,
                  "proxy: %s: no CONNECT, the host must resolve here "
                  "(%d, %s)" % (name, p.returncode,
                                p.stderr.strip()[-120:]))
    finally:
        proxy.close()
        ripe.close()


def main():
    global rw_workdir
    hygiene, base, workdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    rw_workdir = workdir
    test_error_pdu(hygiene, base)
    test_rtr_deadline(hygiene, base + 1)
    test_vrp_files(hygiene, workdir)
    test_ripestat(hygiene, base + 2, workdir)
    test_proxy(hygiene, base + 3, workdir)
    print("%d failure(s)" % len(rw.failures))
    return 1 if rw.failures else 0


if __name__ == "__main__":
    sys.exit(main())
