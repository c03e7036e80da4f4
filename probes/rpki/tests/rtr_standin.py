"""A small RPKI-to-Router cache (RFC 8210, versions 0 and 1) for tests:
it answers a Reset Query with prefix PDUs, slowly if asked to, or with an
Error Report PDU carrying a text, as a cache does while it has no data yet
(RFC 8210 section 12, code 2 "No Data Available").

    srv = RtrStandin(port, vrps=[("10.0.0.0", 8, 8, 64500)], duration=3.0)
    srv = RtrStandin(port, error=(2, "cache is still warming up"))
    ...
    srv.close()
"""
import socket
import socketserver
import struct
import threading
import time

RESET_QUERY, CACHE_RESPONSE, IPV4_PREFIX, END_OF_DATA, ERROR_REPORT = \
    2, 3, 4, 7, 10
SESSION = 4711


def error_pdu(version, code, text, enc=b""):
    """Error Report PDU: header, encapsulated PDU, error text."""
    t = text.encode()
    length = 8 + 4 + len(enc) + 4 + len(t)
    return (struct.pack("!BBHI", version, ERROR_REPORT, code, length) +
            struct.pack("!I", len(enc)) + enc + struct.pack("!I", len(t)) +
            t)


def prefix_pdu(version, addr, plen, maxlen, asn):
    return (struct.pack("!BBHI", version, IPV4_PREFIX, 0, 20) +
            struct.pack("!BBBB", 1, plen, maxlen, 0) +
            socket.inet_aton(addr) + struct.pack("!I", asn))


def end_pdu(version, serial):
    if version == 0:
        return struct.pack("!BBHII", 0, END_OF_DATA, SESSION, 12, serial)
    return struct.pack("!BBHIIIII", version, END_OF_DATA, SESSION, 24,
                       serial, 3600, 600, 7200)


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            self._handle()
        except OSError:
            pass        # the client went away: normal after an error

    def _handle(self):
        srv = self.server.standin
        sock = self.request
        while True:
            hdr = self._read(sock, 8)
            if hdr is None:
                return
            version, ptype, _, length = struct.unpack("!BBHI", hdr)
            if length > 8 and self._read(sock, length - 8) is None:
                return
            srv.queries.append((version, ptype))
            if ptype != RESET_QUERY:
                continue
            if srv.error is not None:
                code, text = srv.error
                sock.sendall(error_pdu(version, code, text, hdr))
                if srv.close_after_error:
                    return
                continue
            self._serve(sock, version, srv)

    def _serve(self, sock, version, srv):
        sock.sendall(struct.pack("!BBHI", version, CACHE_RESPONSE, SESSION,
                                 8))
        n = len(srv.vrps)
        chunks = max(1, int(srv.duration / 0.1))
        step = max(1, (n + chunks - 1) // chunks)
        for i in range(0, n, step):
            sock.sendall(b"".join(prefix_pdu(version, *v)
                                  for v in srv.vrps[i:i + step]))
            if srv.duration:
                time.sleep(srv.duration / chunks)
        sock.sendall(end_pdu(version, 1))

    @staticmethod
    def _read(sock, n):
        buf = b""
        while len(buf) < n:
            try:
                part = sock.recv(n - len(buf))
            except OSError:
                return None
            if not part:
                return None
            buf += part
        return buf


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class RtrStandin:
    def __init__(self, port, vrps=(), duration=0.0, error=None,
                 close_after_error=True):
        self.vrps = list(vrps)
        self.duration = duration
        self.error = error
        self.close_after_error = close_after_error
        self.queries = []
        self.srv = _Server(("127.0.0.1", port), _Handler)
        self.srv.standin = self
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def many_vrps(n, asn=64500):
    """n distinct IPv4 /24 VRPs."""
    return [("%d.%d.%d.0" % (1 + i // 65536, (i // 256) % 256, i % 256),
             24, 24, asn + i % 100) for i in range(n)]
