"""The scripted server of the differential campaign.

It stands in front of NSD, which serves every genuinely signed zone, and
answers on two ports:

  auth face      what unbound's stub zones point at: an authoritative
                 server (a broken or hostile one where a case says so);
  resolver face  what hygiene's --resolver points at: the answer a
                 resolver with CD=1 would hand out (RA set, AA clear).

Each question is answered by NSD and then run through the rules of the
case whose zone holds the name. A rule can strip, add, replay and
misplace genuinely signed records taken from any zone or zone variant,
change the rcode, or fail the query (REFUSED to unbound, which then has
no server left; SERVFAIL from the resolver face, as a resolver that gave
up would). Both faces apply the same rules to the same data, so hygiene
and unbound judge the same answers.
"""

import socket
import socketserver
import struct
import threading

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset

import gen

AUTH, RESOLVER = "auth", "resolver"


class Store:
    """Genuine signed data: each served zone and each variant, loaded on
    first use."""

    def __init__(self, zones):
        self._paths = {}
        for z in zones:
            if z.signed_path:
                self._paths[z.origin] = (z.signed_path, z.origin)
            for tag, p in z.variant_paths.items():
                self._paths["%s@%s" % (z.origin, tag)] = (p, z.origin)
        self._loaded = {}
        self._lock = threading.Lock()

    def zone(self, key):
        with self._lock:
            if key not in self._loaded:
                path, origin = self._paths[key]
                self._loaded[key] = gen.load(path, origin)
            return self._loaded[key]

    def rrset(self, key, owner, rdtype, covers=dns.rdatatype.NONE):
        z = self.zone(key)
        if isinstance(owner, str):
            owner = dns.name.from_text(owner)
        node = z.get_node(owner)
        if node is None:
            return None
        rds = node.get_rdataset(z.rdclass, dns.rdatatype.from_text(rdtype)
                                if isinstance(rdtype, str) else rdtype,
                                covers if not isinstance(covers, str) else
                                dns.rdatatype.from_text(covers))
        if rds is None:
            return None
        rr = dns.rrset.RRset(owner, rds.rdclass,
                             rds.rdtype, rds.covers)
        rr.update(rds)
        return rr

    def names(self, key, rdtype):
        """(owner, rdataset) of every rdataset of rdtype in the zone."""
        z = self.zone(key)
        t = dns.rdatatype.from_text(rdtype)
        return [(n, rds) for n, rds in z.iterate_rdatasets(t)]


class Ctx:
    def __init__(self, server, face, query):
        self.server = server
        self.store = server.store
        self.face = face
        self.query = query

    def ask(self, qname, qtype):
        """NSD's genuine answer to another question."""
        return self.server.nsd(qname, qtype)


class Rule:
    """fn(msg, ctx) -> message, or "fail" / "drop"."""

    def __init__(self, qname, qtype, fn, face=None):
        self.qname = dns.name.from_text(qname)
        self.qtype = (dns.rdatatype.from_text(qtype) if isinstance(qtype, str)
                      else qtype)
        self.fn = fn
        self.face = face

    def matches(self, qname, qtype, face):
        return (qname == self.qname and
                (self.qtype is None or self.qtype == qtype) and
                (self.face is None or self.face == face))


class Server:
    def __init__(self, store, nsd_port, auth_port, resolver_port, rules,
                 case_of):
        self.store = store
        self.nsd_port = nsd_port
        self.rules = rules          # case key -> [Rule]
        self.case_of = case_of      # qname (dns.name) -> case key or None
        self.log = []               # (face, qname, qtype, what)
        self._servers = []
        self._threads = []
        for face, port in ((AUTH, auth_port), (RESOLVER, resolver_port)):
            for kind in (_UDP, _TCP):
                srv = kind(("127.0.0.1", port), _Handler)
                srv.daemon_threads = True
                srv.app = self
                srv.face = face
                self._servers.append(srv)

    def start(self):
        for s in self._servers:
            t = threading.Thread(target=s.serve_forever, daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self):
        for s in self._servers:
            s.shutdown()
            s.server_close()

    def nsd(self, qname, qtype):
        q = dns.message.make_query(qname, qtype, want_dnssec=True,
                                   payload=65000)
        q.flags &= ~dns.flags.RD
        return dns.query.tcp(q, "127.0.0.1", port=self.nsd_port, timeout=5)

    def answer(self, face, query):
        """The reply to query on face, or None for no reply."""
        q = query.question[0]
        qname = q.name.canonicalize()
        resp = self.nsd(qname, q.rdtype)
        case = self.case_of(qname)
        for r in self.rules.get(case, ()):
            if not r.matches(qname, q.rdtype, face):
                continue
            out = r.fn(resp, Ctx(self, face, query))
            self.log.append((face, qname.to_text(), q.rdtype,
                             getattr(r.fn, "__name__", "rule")))
            if out == "drop":
                return None
            if out == "fail":
                resp = dns.message.make_response(query)
                resp.set_rcode(dns.rcode.REFUSED if face == AUTH
                               else dns.rcode.SERVFAIL)
                break
            resp = out
        return self._finish(face, query, resp)

    @staticmethod
    def _finish(face, query, resp):
        resp.id = query.id
        resp.question = list(query.question)    # the asker's 0x20 case
        resp.flags |= dns.flags.QR
        resp.flags &= ~(dns.flags.AD | dns.flags.TC)
        if query.flags & dns.flags.CD:
            resp.flags |= dns.flags.CD
        else:
            resp.flags &= ~dns.flags.CD
        resp.flags &= ~dns.flags.RD
        resp.flags |= query.flags & dns.flags.RD
        if face == RESOLVER:
            resp.flags &= ~dns.flags.AA
            resp.flags |= dns.flags.RA
        else:
            resp.flags &= ~dns.flags.RA
        if query.edns >= 0:
            resp.use_edns(0, query.ednsflags & dns.flags.DO, 1232)
        else:
            resp.use_edns(False)
        return resp


def _wire(query, resp, limit):
    try:
        return resp.to_wire(max_size=limit)
    except dns.exception.TooBig:
        tc = dns.message.make_response(query)
        tc.flags |= dns.flags.TC
        return tc.to_wire()


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        srv = self.server
        if not isinstance(srv, _TCP):
            self._one(self.request[0])
            return
        while True:         # clients may send several queries per stream
            raw = self._read_tcp()
            if raw is None or not self._one(raw):
                return

    def _one(self, raw):
        srv = self.server
        try:
            query = dns.message.from_wire(raw)
            if len(query.question) != 1:
                return False
            resp = srv.app.answer(srv.face, query)
            if resp is None:
                return True
            if isinstance(srv, _TCP):
                w = _wire(query, resp, 65535)
                self.request.sendall(struct.pack("!H", len(w)) + w)
            else:
                limit = max(512, query.payload) if query.edns >= 0 else 512
                self.request[1].sendto(_wire(query, resp, min(limit, 4096)),
                                       self.client_address)
        except Exception as e:          # a broken case must not kill us
            srv.app.log.append((srv.face, "?", 0, "error: %r" % e))
            return False
        return True

    def _read_tcp(self):
        hdr = self._recv(2)
        if hdr is None:
            return None
        return self._recv(struct.unpack("!H", hdr)[0])

    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.request.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf


class _UDP(socketserver.ThreadingUDPServer):
    allow_reuse_address = True


class _TCP(socketserver.ThreadingTCPServer):
    allow_reuse_address = True

    def server_bind(self):
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        super().server_bind()
