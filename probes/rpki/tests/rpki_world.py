#!/usr/bin/env python3
"""End-to-end tests of `hygiene rpki` against real stayrtr instances on
loopback, a never-answering RTR listener, a closed port and a local HTTPS
server with recorded RIPEstat answers.

usage: rpki_world.py HYGIENE_BINARY PORT_BASE WORKDIR

Ports used: PORT_BASE .. PORT_BASE+9. The expected per-ISP numbers are
data/expected.json (worked out by hand in data/EXPECTED.md).
"""
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SCHEMA = json.load(open(os.path.join(ROOT, "schema", "rpki.schema.json")))

failures = []
# data/vrps.json was built 2026-11-01: pin the validation time it covers.
AT = "2026-11-01T12:00:00Z"
VRPS = ["--vrps", os.path.join(DATA, "vrps.json"), "--at", AT]
# data/ripestat.json holds RIPEstat answers for the RIS dump of
# 2026-11-21T08:00: ask for that day; the VRP file's age is not the point.
RIPE_VRPS = ["--vrps", os.path.join(DATA, "vrps.json"), "--vrps-max-age",
             "0", "--at", "2026-11-21T12:00:00Z"]


def check(cond, what):
    if cond:
        print("ok   " + what)
    else:
        print("FAIL " + what)
        failures.append(what)


def wait_port(port, timeout=10.0, host="127.0.0.1"):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection((host, port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def start_stayrtr(vrps, port, workdir, name, host="127.0.0.1"):
    log = open(os.path.join(workdir, name + ".log"), "w")
    bind = "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)
    p = subprocess.Popen(
        ["stayrtr", "-bind", bind,
         "-metrics.addr", "127.0.0.1:%d" % (port + 1),
         "-cache", vrps, "-checktime=false", "-refresh", "3600"],
        stdout=log, stderr=subprocess.STDOUT)
    if not wait_port(port, host=host):
        p.kill()
        raise SystemExit("stayrtr on port %d did not start" % port)
    return p


def silent_listener(port):
    """Accepts RTR connections and never answers."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(8)
    held = []

    def loop():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            held.append(c)
    threading.Thread(target=loop, daemon=True).start()
    return srv


def run(hygiene, *args, timeout=30):
    t0 = time.time()
    p = subprocess.run([hygiene, "rpki"] + list(args), capture_output=True,
                       text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr, time.time() - t0


def origin_key(o):
    return tuple(o) if isinstance(o, list) else o


def valid_schema(doc, label):
    try:
        jsonschema.validate(doc, SCHEMA)
        check(True, label + ": output valid against schema/rpki.schema.json")
    except jsonschema.ValidationError as e:
        check(False, "%s: schema: %s at %s" % (label, e.message,
                                               list(e.absolute_path)))


def check_counts(doc, label):
    valid_schema(doc, label)
    exp = json.load(open(os.path.join(DATA, "expected.json")))
    got = {i["id"]: i for i in doc["isps"]}
    check(sorted(got) == sorted(exp["isps"]), label + ": ISP ids")
    for isp, e in exp["isps"].items():
        g = got.get(isp)
        if g is None:
            continue
        check(g["routes"] == e["routes"],
              "%s: %s routes %s == %s" % (label, isp, g["routes"],
                                          e["routes"]))
        check(list(g["routes"]) and set(g["routes"]) ==
              {"valid", "invalid", "not-found", "invalid-asn",
               "invalid-length"}, label + ": exactly the five route keys")
        for fam in ("ipv4_24s", "ipv6_48s"):
            check(g["address_space"][fam] == e[fam],
                  "%s: %s %s %s" % (label, isp, fam,
                                    g["address_space"][fam]))
        check(abs(g["roa_coverage"] - e["roa_coverage"]) < 1e-12,
              "%s: %s roa_coverage" % (label, isp))
        check(g["vrps"] == e["vrps"], "%s: %s vrps" % (label, isp))
        check(g["loose_roas"]["count"] == e["loose"],
              "%s: %s loose ROAs %d" % (label, isp,
                                        g["loose_roas"]["count"]))
    want = {(d[0], d[1], origin_key(d[2])): (d[3], d[4])
            for d in exp["detail"]}
    have = {}
    for isp in doc["isps"]:
        for r in isp.get("routes_detail", []):
            o = r.get("origin_asn", r.get("origin_as_set"))
            have[(isp["id"], r["prefix"], origin_key(o))] = (
                r["state"], r["reason_code"])
    check(have == want, label + ": every route's state and reason code")


def test_rtr(hygiene, port):
    isps = os.path.join(DATA, "isps.json")
    routes = os.path.join(DATA, "routes.txt")
    rc, out, err, _ = run(hygiene, "--rtr", "127.0.0.1:%d" % port,
                          "--routes", routes, "--isps", isps, "--json",
                          "--detail", "--timeout", "5")
    check(rc == 0, "rtr: exit 0 (got %d: %s)" % (rc, err.strip()))
    if rc != 0:
        return
    doc = json.loads(out)
    src = doc["vrp_source"]
    check(src["type"] == "rtr" and src["host"] == "127.0.0.1:%d" % port
          and src["vrps"] == 7 and "serial" in src,
          "rtr: source names host, serial and VRP count")
    check_counts(doc, "rtr")
    rc, out, err, _ = run(hygiene, "--rtr", "127.0.0.1:%d" % port,
                          "--routes", routes, "--isps", isps, "--timeout",
                          "5")
    check(rc == 0 and "isp-a" in out and "ROA-cover" in out,
          "rtr: human-readable table")
    check("RTR Socket" not in out and "TCP Transport" not in out and
          "RTR Socket" not in err, "rtr: no rtrlib debug output")


def test_rtr_v6(hygiene, port):
    rc, out, err, _ = run(hygiene, "--rtr", "[::1]:%d" % port, "--routes",
                          os.path.join(DATA, "routes.txt"), "--isps",
                          os.path.join(DATA, "isps.json"), "--json",
                          "--timeout", "5")
    check(rc == 0 and json.loads(out)["vrp_source"]["vrps"] == 7,
          "rtr over IPv6 transport ([::1]:%d)" % port)


def test_file(hygiene):
    rc, out, err, _ = run(hygiene, *VRPS,
                          "--routes", os.path.join(DATA, "routes.txt"),
                          "--isps", os.path.join(DATA, "isps.json"),
                          "--json", "--detail")
    check(rc == 0, "file: exit 0")
    if rc != 0:
        return
    doc = json.loads(out)
    check(doc["vrp_source"] == {"type": "file",
                                "file": os.path.join(DATA, "vrps.json"),
                                "format": "stayrtr",
                                "build_time": "2026-11-01T00:00:00Z",
                                "vrps": 7, "expired": 0},
          "file: source names file, format and build time")
    check_counts(doc, "file")


def test_fail_closed(hygiene, label, hostport, words):
    rc, out, err, took = run(hygiene, "--rtr", hostport, "--routes",
                             os.path.join(DATA, "routes.txt"), "--isps",
                             os.path.join(DATA, "isps.json"), "--json",
                             "--rtr-timeout", "2")
    check(rc == 1, "%s: exit 1 (got %d)" % (label, rc))
    check(out == "", "%s: nothing on stdout" % label)
    check(took < 4.5, "%s: gave up within the deadline (%.1f s)" %
          (label, took))
    check(any(w in err for w in words),
          "%s: clear error (%s)" % (label, err.strip()))


def test_malformed(hygiene, workdir):
    path = os.path.join(workdir, "bad-routes.txt")
    with open(path, "w") as f:
        f.write("192.0.2.0/24\t64500\nnot a route\n192.0.2.0/33\t1\n")
    rc, out, err, _ = run(hygiene, *VRPS,
                          "--routes", path, "--isps",
                          os.path.join(DATA, "isps.json"), "--json")
    check(rc == 3, "malformed: exit 3 (got %d)" % rc)
    check("line 2:" in err and "line 3:" in err,
          "malformed: line numbers on stderr")
    doc = json.loads(out)
    valid_schema(doc, "malformed")
    rs = doc["route_source"]
    check(rs["malformed"] == 2 and [m["line"] for m in
                                    rs["malformed_lines"]] == [2, 3],
          "malformed: counted in JSON")
    isp_a = [i for i in doc["isps"] if i["id"] == "isp-a"][0]
    check(isp_a["routes"]["valid"] == 1, "malformed: good line still used")


def test_truncated(hygiene, workdir):
    """Issue 10 item 11: a cut copy of the routes or VRP file is exit 1
    with a clear message, never a shorter table (every cut point of the
    gzip file; mid-line cuts of the plain one; cuts of the VRP JSON)."""
    import gzip
    isps = os.path.join(DATA, "isps.json")
    vrps = os.path.join(DATA, "vrps.json")
    plain = open(os.path.join(DATA, "routes.txt"), "rb").read()
    gz = gzip.compress(plain, 9)
    path = os.path.join(workdir, "cut-routes.txt.gz")
    bad = []
    for cut in range(len(gz)):
        open(path, "wb").write(gz[:cut])
        rc, out, err, _ = run(hygiene, "--vrps", vrps, "--routes", path,
                              "--isps", isps, "--json", "--at",
                              "2026-11-01T12:00:00Z")
        if rc != 1 or out != "" or path not in err or not any(
                w in err for w in ("truncated", "corrupt", "no routes")):
            bad.append((cut, rc, err.strip()[-160:]))
    check(not bad, "truncated: every cut of a %d-byte gzip routes file is "
          "exit 1 with a message (%s)" % (len(gz), bad[:3]))
    path = os.path.join(workdir, "cut-routes.txt")
    cuts = [c for c in range(1, len(plain)) if plain[c - 1] != ord("\n")]
    bad = []
    for cut in cuts[::7]:
        open(path, "wb").write(plain[:cut])
        rc, out, err, _ = run(hygiene, "--vrps", vrps, "--routes", path,
                              "--isps", isps, "--at", "2026-11-01T12:00:00Z")
        if rc != 1 or out != "" or "truncated" not in err:
            bad.append((cut, rc, err.strip()[-160:]))
    check(not bad, "truncated: mid-line cuts of the plain routes file are "
          "exit 1 (%s)" % bad[:3])
    doc = open(vrps, "rb").read()
    path = os.path.join(workdir, "cut-vrps.json")
    bad = []
    for cut in range(0, len(doc.rstrip()), 11):
        open(path, "wb").write(doc[:cut])
        rc, out, err, _ = run(hygiene, "--vrps", path, "--routes",
                              os.path.join(DATA, "routes.txt"), "--isps",
                              isps, "--at", "2026-11-01T12:00:00Z")
        if rc != 1 or out != "" or path not in err:
            bad.append((cut, rc, err.strip()[-160:]))
    check(not bad, "truncated: cuts of the VRP file are exit 1 (%s)" %
          bad[:3])


def test_empty_file(hygiene, workdir):
    path = os.path.join(workdir, "empty.json")
    rc, out, err, _ = run(hygiene, "--vrps", path, "--at", AT, "--routes",
                          os.path.join(DATA, "routes.txt"), "--isps",
                          os.path.join(DATA, "isps.json"))
    check(rc == 1 and out == "" and "no VRPs" in err,
          "VRP file without VRPs: exit 1, nothing reported")


def test_usage(hygiene):
    rc, _, _, _ = run(hygiene, "--rtr", "127.0.0.1:1", "--vrps", "x",
                      "--routes", "r", "--isps", "i")
    check(rc == 2, "usage: --rtr with --vrps is exit 2")
    rc, _, _, _ = run(hygiene, "--vrps", "x", "--routes", "r")
    check(rc == 2, "usage: missing --isps is exit 2")
    rc, _, err, _ = run(hygiene, "--rtr", "localhost", "--routes", "r",
                        "--isps", "i")
    check(rc == 2 and "HOST:PORT" in err, "usage: --rtr without a port")


class RipeHandler(http.server.BaseHTTPRequestHandler):
    answers = {}

    def do_GET(self):
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
            self.path).query))
        body = self.answers.get(q.get("resource"))
        if body is None:
            # Not retryable (a 5xx would be retried with back-off).
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


def make_cert(workdir):
    key = os.path.join(workdir, "ripe.key")
    crt = os.path.join(workdir, "ripe.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", key, "-out", crt, "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return key, crt


def test_survey_ripestat(hygiene, port, workdir, url, crt, want):
    """The survey's per-ISP figures from the same RIPEstat answers equal
    `hygiene rpki`'s, with --routes ripestat and by default. The ISPs list
    no domains, so no DNS is needed."""
    for n, routes in enumerate((["--routes", "ripestat"], [])):
        what = "survey %s" % (" ".join(routes) or "(default routes)")
        out = os.path.join(workdir, "survey%d" % n, "2026-11")
        p = subprocess.run([hygiene, "survey", "--isps",
                            os.path.join(DATA, "isps.json"), "--out", out,
                            "--month", "2026-11", *RIPE_VRPS, *routes,
                            "--ripestat-url", url, "--ca-file", crt,
                            "--resolver", "127.0.0.1:%d" % (port + 1),
                            "--timeout", "5"],
                           capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, "%s: exit 0 (%s)" % (what,
                                                      p.stderr.strip()[-200:]))
        if p.returncode != 0:
            continue
        stats = json.load(open(os.path.join(out, "stats.json")))
        got = {i["id"]: i["rpki"]["routes"] for i in stats["isps"]}
        check(got == want, "%s: per-ISP routes as `hygiene rpki` counts "
              "them (%s)" % (what, got))


def test_ripestat(hygiene, port, workdir):
    rec = json.load(open(os.path.join(DATA, "ripestat.json")))
    RipeHandler.answers = rec
    key, crt = make_cert(workdir)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), RipeHandler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "https://127.0.0.1:%d" % port
    args = [*RIPE_VRPS, "--routes",
            "ripestat", "--ripestat-url", url, "--ca-file", crt,
            "--json", "--detail"]
    rc, out, err, _ = run(hygiene, *args, "--isps",
                          os.path.join(DATA, "isps.json"))
    check(rc == 0, "ripestat: exit 0 (%s)" % err.strip())
    if rc == 0:
        doc = json.loads(out)
        valid_schema(doc, "ripestat")
        got = {i["id"]: i["routes"] for i in doc["isps"]}
        check(got["isp-a"] == {"valid": 2, "invalid": 2, "not-found": 0,
                               "invalid-asn": 1, "invalid-length": 1},
              "ripestat: isp-a counts %s" % got["isp-a"])
        check(got["isp-b"]["valid"] == 1 and got["isp-c"]["valid"] == 1,
              "ripestat: isp-b and isp-c")
        check(doc["route_source"]["type"] == "ripestat",
              "ripestat: source named")
    if rc == 0:
        test_survey_ripestat(hygiene, port, workdir, url, crt, got)
    RipeHandler.answers = {k: v for k, v in rec.items() if k != "AS64502"}
    rc, out, err, _ = run(hygiene, *args, "--isps",
                          os.path.join(DATA, "isps.json"))
    check(rc == 1 and "AS64502" in err and "404" in err,
          "ripestat: a failed request fails the run (%s)" % err.strip())
    rc, out, err, _ = run(hygiene, *RIPE_VRPS,
                          "--routes", "ripestat", "--ripestat-url", url,
                          "--isps", os.path.join(DATA, "isps.json"))
    check(rc == 1, "ripestat: unknown CA is refused")
    # A host name goes through the DNS engine; here the resolver is down.
    rc, out, err, took = run(hygiene, *RIPE_VRPS, "--routes",
                             "ripestat", "--ripestat-url",
                             "https://stat.ripe.net", "--resolver",
                             "127.0.0.1:%d" % (port + 1), "--timeout", "2",
                             "--isps", os.path.join(DATA, "isps.json"))
    check(rc == 1 and out == "" and "cannot resolve the API host stat.ripe.net" in err and
          took < 6, "ripestat: unresolvable API host fails within the "
          "deadline (%d, %.1f s, %s)" % (rc, took, err.strip()[-120:]))
    srv.shutdown()


def main():
    hygiene, base, workdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    empty = os.path.join(workdir, "empty.json")
    with open(empty, "w") as f:
        json.dump({"metadata": {"buildtime": "2026-11-01T00:00:00Z"},
                   "roas": []}, f)
    procs = []
    try:
        procs.append(start_stayrtr(os.path.join(DATA, "vrps.json"), base,
                                   workdir, "stayrtr"))
        procs.append(start_stayrtr(empty, base + 2, workdir,
                                   "stayrtr-empty"))
        procs.append(start_stayrtr(os.path.join(DATA, "vrps.json"),
                                   base + 8, workdir, "stayrtr-v6",
                                   host="::1"))
        silent = silent_listener(base + 4)
        test_rtr(hygiene, base)
        test_rtr_v6(hygiene, base + 8)
        test_file(hygiene)
        test_fail_closed(hygiene, "cache down", "127.0.0.1:%d" % (base + 5),
                         ["cannot connect"])
        test_fail_closed(hygiene, "cache never syncs",
                         "127.0.0.1:%d" % (base + 4),
                         ["did not complete a sync"])
        test_fail_closed(hygiene, "cache without data",
                         "127.0.0.1:%d" % (base + 2),
                         ["sent no VRPs", "no data"])
        test_malformed(hygiene, workdir)
        test_empty_file(hygiene, workdir)
        test_truncated(hygiene, workdir)
        test_usage(hygiene)
        test_ripestat(hygiene, base + 6, workdir)
        silent.close()
    finally:
        for p in procs:
            p.terminate()
            p.wait()
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
