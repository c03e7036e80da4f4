"""An HTTPS RIPEstat stand-in for tests: the announced-prefixes data call
as RIPEstat documents it (https://stat.ripe.net/docs/02.data-api/
announced-prefixes.html), with RIS dumps every 8 hours: query_endtime is
the last dump at or before endtime, and each prefix has the timelines
when it was seen. It records what a polite client must send (sourceapp,
User-Agent, the window), counts concurrent requests, and can be told to
answer 429 with Retry-After, 5xx, or too slowly, per ASN and attempt.

And a small HTTP CONNECT proxy (RFC 9110 section 9.3.6) that records the
targets it was asked for and maps host names only it knows to loopback.
"""
import http.server
import ipaddress
import json
import os
import select
import socket
import socketserver
import ssl
import subprocess
import threading
import time
import urllib.parse

DUMP = 8 * 3600


def ris_time(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))


def answer(asn, start, end):
    """A documented-shape answer: per ASN 64500+i, a /16 seen until the
    last dump (counted), a /24 withdrawn two dumps before it (not
    counted) and a /48 seen again since the dump before (counted)."""
    last = end - end % DUMP
    first = start - start % DUMP
    i = asn - 64500
    prefixes = [
        {"prefix": "10.%d.0.0/16" % i,
         "timelines": [{"starttime": ris_time(first),
                        "endtime": ris_time(last)}]},
        {"prefix": "10.%d.1.0/24" % i,
         "timelines": [{"starttime": ris_time(first),
                        "endtime": ris_time(last - 2 * DUMP)}]},
        {"prefix": "2001:db8:%x::/48" % i,
         "timelines": [{"starttime": ris_time(first),
                        "endtime": ris_time(first + DUMP)},
                       {"starttime": ris_time(last - DUMP),
                        "endtime": ris_time(last)}]},
    ]
    return {"messages": [["info", "Results exclude routes with very low "
                          "visibility (less than 10 RIS full-feed peers "
                          "seeing)."]],
            "see_also": [], "version": "1.2",
            "data_call_name": "announced-prefixes",
            "data_call_status": "supported", "cached": False,
            "status": "ok", "status_code": 200,
            "data": {"prefixes": prefixes,
                     "query_starttime": ris_time(first),
                     "query_endtime": ris_time(last),
                     "resource": str(asn),
                     "latest_time": ris_time(last),
                     "earliest_time": "2000-08-01T00:00:00"}}


def expected_prefixes(asn):
    """The prefixes of answer() announced at the last dump, as hygiene
    writes them."""
    i = asn - 64500
    return {"10.%d.0.0/16" % i,
            str(ipaddress.ip_network("2001:db8:%x::/48" % i))}


class RipeState:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self, faults=None, hold=0.2):
        with self.lock:
            self.hold = hold        # seconds each answer is held
            self.requests = []      # (time, asn, query dict, user agent)
            self.inflight = 0
            self.max_inflight = 0
            self.attempts = {}
            # asn -> [fault of attempt 1, 2, ...]: "429" (Retry-After: 2),
            # "503", "503-ra0" (Retry-After: 0), "slow" (3.5 s), None
            self.faults = faults or {}


class _RipeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        st = self.server.state
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        asn = int(q.get("resource", "AS0").upper().lstrip("AS") or 0)
        with st.lock:
            st.inflight += 1
            st.max_inflight = max(st.max_inflight, st.inflight)
            n = st.attempts.get(asn, 0)
            st.attempts[asn] = n + 1
            st.requests.append((time.time(), asn, q,
                                self.headers.get("User-Agent", "")))
            plan = st.faults.get(asn, [])
            fault = plan[n] if n < len(plan) else None
        self.done = False
        try:
            # Held so that requests overlap; a slow answer is held until
            # the client gives up (it then no longer counts as in flight).
            self._hold(3.5 if fault == "slow" else st.hold)
            if url.path != "/data/announced-prefixes/data.json":
                return self._send(404, b"not found")
            if "sourceapp" not in q:
                return self._send(403, b"sourceapp missing")
            if fault == "429":
                return self._send(429, b"slow down", {"Retry-After": "2"})
            if fault == "503":
                return self._send(503, b"busy")
            if fault == "503-ra0":
                return self._send(503, b"busy", {"Retry-After": "0"})
            body = json.dumps(answer(asn, int(q["starttime"]),
                                     int(q["endtime"]))).encode()
            self._send(200, body, {"Content-Type": "application/json"})
        finally:
            self._finish()

    def _hold(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            r, _, _ = select.select([self.connection], [], [],
                                    min(0.05, max(0, end - time.time())))
            if r:               # the client closed the connection
                self._finish()
                return

    def _finish(self):
        """The request stops counting once it is answered or abandoned
        (before the answer is sent, so a client that starts its next
        request on receipt is never counted twice)."""
        st = self.server.state
        with st.lock:
            if not self.done:
                st.inflight -= 1
                self.done = True

    def _send(self, code, body, headers=None):
        self._finish()
        try:
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, *a):
        pass


def make_cert(workdir, names):
    key = os.path.join(workdir, "ripe.key")
    crt = os.path.join(workdir, "ripe.crt")
    san = ",".join(("IP:" if n[0].isdigit() else "DNS:") + n for n in names)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", key, "-out", crt, "-days", "2",
                    "-subj", "/CN=%s" % names[0], "-addext",
                    "subjectAltName=" + san],
                   check=True, capture_output=True)
    return key, crt


class RipeStandin:
    def __init__(self, port, workdir, names=("127.0.0.1",)):
        self.key, self.crt = make_cert(workdir, list(names))
        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                                   _RipeHandler)
        self.srv.daemon_threads = True
        self.srv.state = self.state = RipeState()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.crt, self.key)
        self.srv.socket = ctx.wrap_socket(self.srv.socket, server_side=True)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


class _ProxyHandler(socketserver.BaseRequestHandler):
    def handle(self):
        c = self.request
        buf = b""
        while b"\r\n\r\n" not in buf:
            part = c.recv(4096)
            if not part:
                return
            buf += part
        line = buf.split(b"\r\n", 1)[0].decode(errors="replace")
        method, target = line.split(" ")[:2]
        px = self.server.proxy
        px.requests.append((method, target))
        if method != "CONNECT":
            c.sendall(b"HTTP/1.1 405 Method Not Allowed\r\n"
                      b"Content-Length: 0\r\n\r\n")
            return
        host, port = target.rsplit(":", 1)
        host = px.hosts.get(host, host)
        try:
            up = socket.create_connection((host, int(port)), 5)
        except OSError:
            c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0"
                      b"\r\n\r\n")
            return
        c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        socks = [c, up]
        try:
            while True:
                r, _, _ = select.select(socks, [], [], 30)
                if not r:
                    return
                for s in r:
                    data = s.recv(65536)
                    if not data:
                        return
                    (up if s is c else c).sendall(data)
        except OSError:
            pass
        finally:
            up.close()


class _ProxyServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class ConnectProxy:
    """CONNECT-only proxy; hosts maps names only the proxy can resolve."""

    def __init__(self, port, hosts=None):
        self.requests = []
        self.hosts = dict(hosts or {})
        self.srv = _ProxyServer(("127.0.0.1", port), _ProxyHandler)
        self.srv.proxy = self
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()
