#!/usr/bin/env python3
"""`hygiene check` (and `hygiene survey`) over the world's domains through
the fault-injecting proxy (tests/world/faultproxy.py), compared with a
fault-free run through the same proxy.

    fault_campaign.py --hygiene PATH --world DIR [--commands check,survey]
        [--kinds K,K] [--rates 0.1,0.5] [--seed N] [--jobs N]
        [--port-offset N] [--table FILE] [--keep]

For every fault kind and rate, each domain's verdicts (every probe's:
DNSSEC with its chain and RRsets, SPF, DMARC, MTA-STS, TLS-RPT, the mail
summary, NS and MX with their addresses and RPKI states) are compared
with the fault-free run's. A verdict may stay the same, or degrade to
"not measured" (temperror, indeterminate, null); a *different* verdict is
wrong. The run fails when any verdict is wrong, when a degraded domain
does not say so (no `errors` entry and no incomplete status), or when
`check` over the domains the fault-free run measured completely does not
exit 3 exactly when some verdict degraded.

--table FILE replaces the table between the markers
`<!-- fault-table:begin -->` and `<!-- fault-table:end -->` in FILE.
The proxies listen on the world's port base + --port-offset (default
20), + 1, ... one per job.
"""

import argparse
import concurrent.futures
import ctypes
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PROXY = os.path.join(ROOT, "tests", "world", "faultproxy.py")
DEMO_ISPS = os.path.join(ROOT, "tests", "world", "demo-isps.json")
DEMO_ROUTES = os.path.join(ROOT, "tests", "world", "demo-routes.txt")
KINDS = ("drop", "delay", "tc", "servfail", "refused", "formerr",
         "garbage", "wrong-id", "mismatch")
UNMEASURED = (None, "temperror", "indeterminate")
# A survey domain's attribution counts as not measured when the line
# shows the domain incomplete.


def world(d):
    env = {}
    with open(os.path.join(d, "world.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    with open(os.path.join(d, "world.json")) as f:
        env["port_base"] = json.load(f)["port_base"]
    return env


# ---- verdicts --------------------------------------------------------------

def addresses(hosts, key):
    """{host: {ip: rpki state}} for an ns or mx list, None if not
    measured."""
    if hosts is None:
        return None
    out = {}
    for h in hosts:
        addrs = h.get("addresses")
        out[str(h.get(key))] = None if addrs is None else {
            a["ip"]: a.get("rpki") for a in addrs}
    return out


def canon(v):
    """A comparable form of a value: lists as sorted sets (the order of
    DNSKEYs, rua URIs or MX patterns is no verdict)."""
    if isinstance(v, list):
        return json.dumps(sorted(json.dumps(x, sort_keys=True) for x in v))
    if isinstance(v, dict):
        return json.dumps(v, sort_keys=True)
    return v


def verdicts(obj):
    """{probe: (main verdict, {detail: value})} of one domain's line."""
    v = {}
    dn = obj.get("dnssec") or {}
    det = {k: canon(dn.get(k)) for k in (
        "zone", "ds", "dnskeys", "algorithms", "nsec3", "denial",
        "signature_expires_at")}
    for c in dn.get("chain") or []:
        det["chain " + c["zone"]] = c.get("status")
    for r in dn.get("rrsets") or []:
        det["rrset %s/%s" % (r["name"], r["type"])] = \
            (r.get("status"), r.get("present"))
    v["dnssec"] = (dn.get("status"), det)
    spf = obj.get("spf") or {}
    v["spf"] = (spf.get("status"), {"all": spf.get("all"),
                                    "record": spf.get("record")})
    dm = obj.get("dmarc") or {}
    v["dmarc"] = (dm.get("status"), {
        "policy": dm.get("policy"), "found_at": dm.get("found_at"),
        "org_domain": dm.get("org_domain"),
        "subdomain_policy": dm.get("subdomain_policy"),
        **{"destination " + x.get("uri", ""): x.get("authorization")
           for x in dm.get("external_destinations") or []}})
    sts = obj.get("mta_sts") or {}
    pol = sts.get("policy") or {}
    v["mta_sts"] = (sts.get("status"), {
        "id": sts.get("id"), "mode": pol.get("mode"),
        "mx": canon(pol.get("mx")), "max_age": pol.get("max_age")})
    rpt = obj.get("tls_rpt") or {}
    v["tls_rpt"] = (rpt.get("status"), {"rua": canon(rpt.get("rua"))})
    mail = obj.get("mail") or {}
    v["mail"] = (mail.get("no_mail_domain"), {
        k: mail.get(k) for k in ("null_mx", "spf_rejects_all",
                                 "dmarc_reject")})
    for p, key in (("ns", "name"), ("mx", "host")):
        hosts = addresses(obj.get(p), key)
        det = {}
        for h, addrs in (hosts or {}).items():
            det["host " + h] = None if addrs is None else sorted(addrs)
            for ip, state in (addrs or {}).items():
                det["rpki %s %s" % (h, ip)] = state
        if p == "mx":
            det["null_mx"] = obj.get("null_mx")
            for h in obj.get("mx") or []:
                det["preference " + h["host"]] = h.get("preference")
        v[p] = (None if hosts is None else "measured", det)
    if "attribution" in obj:
        # The survey's: which ISPs own and host the domain. A domain the
        # survey could not measure completely is left out of the ISP
        # rates, so a changed attribution then counts as degraded.
        att = obj["attribution"] or {}
        v["attribution"] = ("incomplete" if says_incomplete(obj) else
                            "measured", {k: canon(x)
                                         for k, x in att.items()})
    return v


def unmeasured(key, value):
    """Is this detail value "not measured"? An RPKI state of "unknown"
    is a verdict (no route covers the address); only null is not."""
    if isinstance(value, tuple):        # an RRset: (status, present)
        return value[0] in UNMEASURED
    if key.startswith("rpki ") or key.startswith("host "):
        return value is None
    return value in UNMEASURED or value == "unknown"


def compare(base, got):
    """'same', 'degraded' or 'wrong', and the reasons."""
    bmain, bdet = base
    gmain, gdet = got
    if bmain == gmain and bdet == gdet:
        return "same", []
    if gmain in UNMEASURED + ("incomplete",):
        # Not measured: the details under it are no claims.
        return "degraded", ["%s -> %s" % (bmain, gmain)]
    if bmain != gmain:
        return "wrong", ["%s -> %s" % (bmain, gmain)]
    why, state = [], "degraded"
    for k in sorted(set(bdet) | set(gdet)):
        b, g = bdet.get(k), gdet.get(k)
        if b == g:
            continue
        why.append("%s: %s -> %s" % (k, json.dumps(b), json.dumps(g)))
        if not unmeasured(k, g) or unmeasured(k, b):
            state = "wrong"
    return state, why


def says_incomplete(obj):
    """What `check` counts as not fully measured (hy_check_incomplete)."""
    if obj.get("errors"):
        return True
    return any(isinstance(s, dict) and s.get("status") in UNMEASURED[1:]
               for s in obj.values())


def load(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                out[obj.get("domain") or obj.get("input")] = obj
    return out


# ---- running ---------------------------------------------------------------

def die_with_parent():
    """In a child: be killed when the campaign dies (ctest's timeout kills
    only the campaign), so no proxy keeps its port and no hygiene runs
    on."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Proxy:
    def __init__(self, env, port, fault, rate, seed, tmp, extra=()):
        self.stats = os.path.join(tmp, "proxy-%d.json" % port)
        ready = os.path.join(tmp, "ready-%d" % port)
        if os.path.exists(ready):
            os.unlink(ready)
        self.addr = "127.0.0.1:%d" % port
        self.proc = subprocess.Popen(
            [sys.executable, PROXY, "--listen", self.addr,
             "--upstream", env["HY_RESOLVER"], "--fault", fault,
             "--rate", str(rate), "--seed", str(seed),
             "--stats", self.stats, "--ready", ready, *extra],
            preexec_fn=die_with_parent)
        for _ in range(100):
            if os.path.exists(ready) or self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if not os.path.exists(ready):
            self.proc.kill()
            raise SystemExit("fault proxy did not start on " + self.addr)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)
        with open(self.stats) as f:
            return json.load(f)


# No run may take this long: every domain has a 5 s deadline.
RUN_LIMIT = 180


class Hang(Exception):
    pass


def run_limited(cmd, stdout, cwd=None):
    """Exit status and standard error of cmd; a run past RUN_LIMIT is a
    hang: its stacks (gdb, when installed) go to stderr and Hang is
    raised."""
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE,
                         cwd=cwd, text=True, preexec_fn=die_with_parent)
    try:
        _, err = p.communicate(timeout=RUN_LIMIT)
    except subprocess.TimeoutExpired:
        if shutil.which("gdb"):
            subprocess.run(["gdb", "-p", str(p.pid), "-batch", "-ex",
                            "thread apply all bt"], stdout=sys.stderr,
                           stderr=subprocess.DEVNULL, timeout=60)
        p.kill()
        p.communicate()
        raise Hang("%s did not finish within %d s" % (" ".join(cmd[:2]),
                                                       RUN_LIMIT))
    sys.stderr.write(err)
    return p.returncode, err


def run_check(args, env, resolver, domains, out):
    cmd = [args.hygiene, "check", "--json", "--timeout", "5",
           "--resolver", resolver, "--trust-anchor", env["HY_TRUST_ANCHOR"],
           "--ca-file", env["HY_CA_FILE"], "--https-port",
           env["HY_HTTPS_PORT"], "--rtr", env["HY_RTR"]] + domains
    with open(out, "w") as f:
        return run_limited(cmd, f)[0]


def run_survey(args, env, resolver, domains, top):
    """Each survey in its own directory: the history database lives
    beside --out and refuses a month it already holds."""
    os.makedirs(top)
    out = os.path.join(top, "out")
    lst = os.path.join(top, "domains.txt")
    with open(lst, "w") as f:
        f.write("\n".join(domains) + "\n")
    cmd = [args.hygiene, "survey", "--isps", DEMO_ISPS, "--domains", lst,
           "--out", out, "--month", "2026-01", "--resolver", resolver,
           "--trust-anchor", env["HY_TRUST_ANCHOR"],
           "--ca-file", env["HY_CA_FILE"],
           "--https-port", env["HY_HTTPS_PORT"], "--rtr", env["HY_RTR"],
           "--routes", DEMO_ROUTES, "--timeout", "5"]
    rc, err = run_limited(cmd, subprocess.DEVNULL, cwd=top)
    # A survey that takes the resolver for dead (a run of failed queries,
    # and failed checks for names that cannot exist) stops with exit 1
    # and asks to be resumed; at 50% faults that happens. Resume it as an
    # operator would, through the same faults.
    for _ in range(10):
        if rc != 1 or "--resume" not in err:
            break
        rc, err = run_limited(cmd + ["--resume"], subprocess.DEVNULL,
                              cwd=top)
    results = os.path.join(out, "results.ndjson")
    if not os.path.exists(results):
        raise SystemExit("survey wrote no results (exit %d)" % rc)
    return rc, results


def proxied(args, env, slot, fault, rate, tmp, fn):
    """fn(resolver) through a proxy of its own; (fn's result, counters).

    A run that hangs before any query reached the proxy hung outside the
    DNS path (seen once in about 200 runs: in the RTR sync that precedes
    the checks, which probes/rpki owns). It is reported loudly, with its
    stacks, and run once more; a second hang, or any hang after DNS
    traffic, fails the campaign."""
    port = env["port_base"] + args.port_offset + slot
    for attempt in (1, 2):
        proxy = Proxy(env, port, fault, rate, args.seed, tmp)
        try:
            result = fn(proxy.addr)
        except Hang:
            stats = proxy.stop()
            if stats["queries"] > 0 or attempt == 2:
                raise
            sys.stderr.write("WARNING: hygiene hung before its first DNS "
                             "query (stacks above); running it again\n")
            continue
        except BaseException:
            proxy.stop()
            raise
        return result, proxy.stop()
    raise AssertionError("not reached")


def one_run(args, env, slot, cmd, fault, rate, domains, tmp):
    """Results file, exit status and proxy counters of one run."""
    name = "%s-%s-%s" % (cmd, fault, rate)

    def go(resolver):
        if cmd == "check":
            out = os.path.join(tmp, name + ".ndjson")
            return out, run_check(args, env, resolver, domains, out)
        top = os.path.join(tmp, name)
        shutil.rmtree(top, ignore_errors=True)
        rc, out = run_survey(args, env, resolver, domains, top)
        return out, rc

    (out, rc), stats = proxied(args, env, slot, fault, rate, tmp, go)
    return out, rc, stats


def evaluate(base, got, rc=None):
    """Counts and problems of one faulted run against the baseline; with
    rc, the exit status of a run over domains the baseline measured
    completely must be 3 exactly when some verdict degraded."""
    counts = {"same": 0, "degraded": 0, "wrong": 0}
    problems = []
    any_degraded = False
    for dom, bobj in sorted(base.items()):
        gobj = got.get(dom)
        if gobj is None:
            problems.append("%s: missing from the output" % dom)
            continue
        bv, gv = verdicts(bobj), verdicts(gobj)
        dom_degraded = False
        for probe in sorted(bv):
            state, why = compare(bv[probe], gv[probe])
            counts[state] += 1
            if state == "wrong":
                problems.append("%s %s wrong: %s" % (dom, probe,
                                                     "; ".join(why)))
            if state == "degraded":
                dom_degraded = True
        if dom_degraded and not says_incomplete(gobj):
            problems.append("%s: a verdict degraded but the line shows no "
                            "error and no incomplete status" % dom)
        if not dom_degraded and says_incomplete(gobj) and \
                not says_incomplete(bobj):
            problems.append("%s: the line shows something not measured "
                            "(%s) but every verdict is the same" % (
                                dom, json.dumps(gobj.get("errors"))))
        any_degraded = any_degraded or dom_degraded
    if rc is not None:
        want = 3 if any_degraded else 0
        if rc != want:
            problems.append("exit status %d, want %d" % (rc, want))
    return counts, problems


def table(rows):
    out = ["| command | fault | rate | faults injected | same | degraded "
           "| wrong |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append("| %s | %s | %d%% | %d of %d | %d | %d | %d |" % (
            r["cmd"], r["fault"], round(r["rate"] * 100), r["faults"],
            r["queries"], r["same"], r["degraded"], r["wrong"]))
    return "\n".join(out) + "\n"


def write_table(path, text, command):
    begin, end = "<!-- fault-table:begin -->", "<!-- fault-table:end -->"
    with open(path, encoding="utf-8") as f:
        doc = f.read()
    if begin not in doc or end not in doc:
        raise SystemExit("%s has no fault-table markers" % path)
    head, _, rest = doc.partition(begin)
    _, _, tail = rest.partition(end)
    body = "\n<!-- generated by: %s -->\n\n%s\n" % (command, text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + begin + body + end + tail)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--rates", default="0.1,0.5")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--commands", default="check",
                    help="check, survey or check,survey")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--port-offset", type=int, default=20)
    ap.add_argument("--table", default=None)
    ap.add_argument("--keep", action="store_true",
                    help="keep the outputs (their directory is printed)")
    args = ap.parse_args()
    args.hygiene = os.path.abspath(args.hygiene)
    env = world(args.world)
    domains = env["HY_DOMAINS"].split()
    kinds = args.kinds.split(",")
    rates = [float(r) for r in args.rates.split(",")]
    for k in kinds:
        if k not in KINDS:
            raise SystemExit("unknown fault kind " + k)
    tmp = tempfile.mkdtemp(prefix="hy-faults-")
    cmds = args.commands.split(",")
    if not cmds or any(c not in ("check", "survey") for c in cmds):
        raise SystemExit("--commands takes check and/or survey")

    base = {}
    for cmd in cmds:
        out, rc, _ = one_run(args, env, 0, cmd, "none", 0.0, domains, tmp)
        base[cmd] = load(out)
    complete = {d for d, o in base[cmds[0]].items()
                if not says_incomplete(o)}

    jobs = [(cmd, k, r) for cmd in cmds for k in kinds for r in rates]
    rows, failed = [], False

    def work(i, job):
        try:
            return work_one(i, job)
        except Hang as e:
            return dict(cmd=job[0], fault=job[1], rate=job[2], faults=-1,
                        queries=0, same=0, degraded=0, wrong=0), [str(e)]

    def work_one(i, job):
        cmd, k, r = job
        slot = i % max(1, args.jobs)
        out, rc, stats = one_run(args, env, slot, cmd, k, r, domains, tmp)
        got = load(out)
        counts, problems = evaluate(base[cmd], got)
        # The exit status, on the completely measured domains alone.
        if cmd == "check" and complete:
            sub = os.path.join(tmp, "complete-%s-%s.ndjson" % (k, r))
            rc2, _ = proxied(args, env, slot, k, r, tmp, lambda res:
                             run_check(args, env, res, sorted(complete),
                                       sub))
            sub_base = {d: base[cmd][d] for d in complete}
            _, p2 = evaluate(sub_base, load(sub), rc2)
            problems += ["(complete domains) " + p for p in p2]
        return dict(cmd=cmd, fault=k, rate=r, faults=stats["faults"],
                    queries=stats["queries"], **counts), problems

    # Slots: job i uses proxy port base+50+(i mod jobs); runs with the
    # same slot never overlap because each worker handles its own slot.
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as ex:
        futs = [ex.submit(lambda s: [work(i, jobs[i]) for i in
                                     range(s, len(jobs), args.jobs)], s)
                for s in range(max(1, args.jobs))]
        results = [x for f in futs for x in f.result()]
    order = {j: i for i, j in enumerate(jobs)}
    results.sort(key=lambda x: order[(x[0]["cmd"], x[0]["fault"],
                                      x[0]["rate"])])
    for row, problems in results:
        rows.append(row)
        for p in problems:
            failed = True
            print("FAIL %s %s %s: %s" % (row["cmd"], row["fault"],
                                         row["rate"], p))
        if row["faults"] == 0:
            failed = True
            print("FAIL %s %s %s: the proxy injected no fault" % (
                row["cmd"], row["fault"], row["rate"]))
    text = table(rows)
    sys.stdout.write(text)
    if args.table:
        write_table(args.table, text, "fault_campaign.py --commands %s "
                    "--kinds %s --rates %s --seed %d" % (
                        args.commands, args.kinds, args.rates, args.seed))
    if args.keep:
        print("outputs in", tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
