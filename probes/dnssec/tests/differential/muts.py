"""Mutations the scripted server applies to NSD's genuine answers.

Each returns fn(msg, ctx) for a server.Rule. Names are absolute. Records
that are added come from the signed zones or their variants (ctx.store),
so they carry genuine signatures, only in the wrong place or time.
"""

import base64

import dns.dnssec
import dns.name
import dns.rcode
import dns.rdata
import dns.rdatatype
import dns.rrset

SECTIONS = ("answer", "authority", "additional")
RRSIG = dns.rdatatype.RRSIG


def _t(x):
    return dns.rdatatype.from_text(x) if isinstance(x, str) else x


def _n(x):
    return dns.name.from_text(x) if isinstance(x, str) else x


def _named(fn, name):
    fn.__name__ = name
    return fn


def _filter(msg, sections, keep):
    for s in sections:
        setattr(msg, s, [r for r in getattr(msg, s) if keep(s, r)])


def strip_sigs(covers=None, owner=None, tag=None, sections=SECTIONS):
    """Remove RRSIGs (covering covers, at owner, made by key tag)."""
    def f(msg, ctx):
        for s in sections:
            out = []
            for r in getattr(msg, s):
                if r.rdtype == RRSIG and (covers is None or
                                          r.covers == _t(covers)) and \
                        (owner is None or r.name == _n(owner)):
                    if tag is None:
                        continue
                    kept = [rd for rd in r if rd.key_tag != tag]
                    if not kept:
                        continue
                    r = dns.rrset.from_rdata_list(r.name, r.ttl, kept)
                out.append(r)
            setattr(msg, s, out)
        return msg
    return _named(f, "strip_sigs")


def drop(rdtype, owner=None, sections=SECTIONS):
    """Remove RRsets of rdtype (and the RRSIGs over them)."""
    t = _t(rdtype)

    def f(msg, ctx):
        _filter(msg, sections, lambda s, r: not (
            (r.rdtype == t or (r.rdtype == RRSIG and r.covers == t)) and
            (owner is None or r.name == _n(owner))))
        return msg
    return _named(f, "drop")


def add(section, zone, owner, rdtype, sigs=True, covers=None):
    """Add the genuine RRset (and its RRSIGs) of zone (or a variant,
    "zone@tag") at owner."""
    def f(msg, ctx):
        rr = ctx.store.rrset(zone, owner, rdtype,
                             covers or dns.rdatatype.NONE)
        if rr is None:
            raise KeyError("%s %s not in %s" % (owner, rdtype, zone))
        getattr(msg, section).append(rr)
        s = ctx.store.rrset(zone, owner, "RRSIG", rdtype)
        if sigs and s is not None:
            getattr(msg, section).append(s)
        return msg
    return _named(f, "add")


def add_rrsets(section, rrsets):
    """Add RRsets computed at rule time: rrsets(ctx) -> [RRset]."""
    def f(msg, ctx):
        getattr(msg, section).extend(rrsets(ctx))
        return msg
    return _named(f, "add_rrsets")


def answer_of(qname, qtype):
    """Replace every section with NSD's answer to another question (the
    rcode too), keeping the question asked."""
    def f(msg, ctx):
        other = ctx.ask(qname, qtype)
        msg.answer = other.answer
        msg.authority = other.authority
        msg.additional = other.additional
        msg.set_rcode(other.rcode())
        return msg
    return _named(f, "answer_of")


def empty(rcode=dns.rcode.NOERROR, keep_authority=()):
    """Clear the answer and authority sections, keeping authority RRsets
    of the given types."""
    ts = [_t(x) for x in keep_authority]

    def f(msg, ctx):
        msg.answer = []
        msg.authority = [r for r in msg.authority
                         if r.rdtype in ts or (r.rdtype == RRSIG and
                                               r.covers in ts)]
        msg.additional = []
        msg.set_rcode(rcode)
        return msg
    return _named(f, "empty")


def rcode(rc):
    def f(msg, ctx):
        msg.set_rcode(rc)
        return msg
    return _named(f, "rcode")


def tamper(owner, rdtype, text, section="answer"):
    """Replace the rdata of the RRset, keeping its RRSIGs."""
    t = _t(rdtype)

    def f(msg, ctx):
        out = []
        for r in getattr(msg, section):
            if r.rdtype == t and r.name == _n(owner):
                r = dns.rrset.from_text(r.name, r.ttl, "IN", rdtype, text)
            out.append(r)
        setattr(msg, section, out)
        return msg
    return _named(f, "tamper")


def add_rr(owner, rdtype, text, section="answer"):
    """Add one record to an RRset that is already signed."""
    t = _t(rdtype)

    def f(msg, ctx):
        for r in getattr(msg, section):
            if r.rdtype == t and r.name == _n(owner):
                r.add(dns.rdata.from_text("IN", rdtype, text))
        return msg
    return _named(f, "add_rr")


def remove_rr(owner, rdtype, pred, section="answer"):
    """Remove the records of an RRset for which pred(rdata) holds."""
    t = _t(rdtype)

    def f(msg, ctx):
        out = []
        for r in getattr(msg, section):
            if r.rdtype == t and r.name == _n(owner):
                kept = [rd for rd in r if not pred(rd)]
                r = dns.rrset.from_rdata_list(r.name, r.ttl, kept)
            out.append(r)
        setattr(msg, section, out)
        return msg
    return _named(f, "remove_rr")


def map_rrsets(fn, sections=SECTIONS):
    """Replace each RRset r by fn(r) (a list)."""
    def f(msg, ctx):
        for s in sections:
            out = []
            for r in getattr(msg, s):
                out.extend(fn(r))
            setattr(msg, s, out)
        return msg
    return _named(f, "map_rrsets")


def fail():
    def f(msg, ctx):
        return "fail"
    return _named(f, "fail")


def chain(*fns):
    def f(msg, ctx):
        for g in fns:
            msg = g(msg, ctx)
            if isinstance(msg, str):
                return msg
        return msg
    return _named(f, "+".join(g.__name__ for g in fns))


# ---- denial records picked by name --------------------------------------

def _b32hex(raw):
    std = base64.b32encode(raw).decode()
    return std.translate(str.maketrans(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
        "0123456789ABCDEFGHIJKLMNOPQRSTUV")).lower()


def nsec3_hash(store, zone, name):
    params = store.rrset(zone, zone.split("@")[0], "NSEC3PARAM")[0]
    return dns.dnssec.nsec3_hash(name, params.salt, params.iterations,
                                 params.algorithm).lower()


def nsec3_for(store, zone, name, cover):
    """The NSEC3 RRset (with RRSIGs) that matches (cover False) or covers
    (cover True) the hash of name."""
    h = nsec3_hash(store, zone, name)
    for owner, rds in store.names(zone, "NSEC3"):
        own = owner.labels[0].decode().lower()
        nxt = _b32hex(rds[0].next)
        if not cover and own == h:
            return owner
        if cover and ((own < h < nxt) or (nxt <= own and
                                          (h > own or h < nxt))):
            return owner
    raise KeyError("no NSEC3 %s %s in %s" % ("covering" if cover else
                                              "matching", name, zone))


def nsec_for(store, zone, name):
    """The owner of the NSEC that matches or covers name."""
    n = _n(name)
    best = None
    for owner, rds in store.names(zone, "NSEC"):
        if owner == n:
            return owner
        if owner < n and (best is None or owner > best):
            best = owner
    if best is None:        # before the first: the last one wraps
        best = max(o for o, _ in store.names(zone, "NSEC"))
    return best


def drop_nsec3_of(zone, name):
    """Remove the NSEC3 record (and its RRSIG) that matches name."""
    def f(msg, ctx):
        h = nsec3_hash(ctx.store, zone, name)
        msg.authority = [r for r in msg.authority
                         if r.name.labels[0].decode().lower() != h]
        return msg
    return _named(f, "drop_nsec3_of")


def with_sigs(store, zone, owner, rdtype):
    rr = store.rrset(zone, owner, rdtype)
    if rr is None:
        raise KeyError("%s %s not in %s" % (owner, rdtype, zone))
    sig = store.rrset(zone, owner, "RRSIG", rdtype)
    return [rr] + ([sig] if sig is not None else [])
