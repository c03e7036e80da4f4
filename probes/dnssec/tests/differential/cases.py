"""The cases of the differential campaign.

Every case gets its own parent zone P = cNNN.t. and child zone
Z = z.cNNN.t. (plus, for some, zones below Z), all genuinely signed (gen.py),
and a domain D checked by hygiene and asked of unbound: Z itself or a name
in it. Rules (muts.py) make the scripted server misbehave for that case's
names only. `want` is what the case is built to produce; the campaign
checks it too, so a broken generator cannot pass as agreement.

A case that documents a deliberate difference names the verdicts of each
side and the RFC text that decides (`differ`).
"""

import copy
import time

import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

import gen

import muts as m
from gen import ZoneSpec
from server import Rule

TLD = "t."
DAY = 86400

# Z's data: an apex TXT (SPF) and _dmarc TXT, no MX at the apex (a NODATA
# proof), and names for denial cases: a host, wildcards, an empty
# non-terminal, an alias and a DNAME.
Z_RECORDS = [
    ("@", "TXT", '"v=spf1 -all"'),
    ("_dmarc", "TXT", '"v=DMARC1; p=reject"'),
    ("www", "A", "127.0.0.1"),
    ("*.wild", "TXT", '"v=spf1 -all"'),
    ("*.wild", "A", "127.0.0.2"),
    ("x.ent", "A", "127.0.0.3"),
    ("*.w", "TXT", '"wildcard below w"'),
    ("x.w", "A", "127.0.0.4"),
    ("alias", "CNAME", "www"),
    ("dn", "DNAME", "tgt"),
    ("x.tgt", "TXT", '"reached through the DNAME"'),
]

PROFILES = {
    # name: (algorithm, nsec3 parameters or None)
    "e13": (13, None),
    "r8n3": (8, (0, "", False)),
    "d15n3s": (15, (5, "ab12", False)),
    "e14": (14, None),
    "d16n3": (16, (0, "", False)),
    "r10": (10, None),
    "r5": (5, None),
    "r7n3": (7, (0, "", False)),
}


class Case:
    def __init__(self, name, want, rules=(), d="", z=None, p=None, kids=(),
                 differ=None, fast=False, at=None, checks=()):
        self.name = name
        self.want = want
        self.rule_makers = list(rules)
        self.d = d
        self.zopts = dict(z or {})
        self.popts = dict(p or {})
        self.kid_specs = list(kids)     # [(label, opts)]
        self.differ = differ            # (hygiene, unbound, why)
        self.fast = fast
        self.checks = list(checks)      # fn(case, section) -> error or None
        self.zones = []
        self.rules = []

    def setup(self, index, now, profile):
        self.index = index
        self.now = now
        self.P = "c%03d.%s" % (index, TLD)
        self.Z = "z." + self.P
        self.D = (self.d + "." if self.d else "") + self.Z
        alg, n3 = PROFILES[profile]
        popts = dict(alg=alg, nsec3=n3)
        popts.update(self.popts)
        variants_p = popts.pop("variants", {})
        zopts = dict(alg=alg, nsec3=n3, records=Z_RECORDS)
        zopts.update(self.zopts)
        if "_window" in zopts:
            inc, exp = zopts.pop("_window")
            zopts.update(inception=now + inc, expiration=now + exp)
        variants_z = zopts.pop("variants", {})
        self.p = ZoneSpec(self.P, **popts)
        self.z = ZoneSpec(self.Z, **zopts)
        for tag, v in variants_p.items():
            self.p.add_variant(tag, **v(self))
        for tag, v in variants_z.items():
            self.z.add_variant(tag, **v(self))
        self.kids = {}
        for label, opts in self.kid_specs:
            o = dict(alg=alg, nsec3=n3,
                     records=[("@", "TXT", '"%s"' % label)])
            o.update(opts)
            self.kids[label] = ZoneSpec(label + "." + self.Z, **o)
        self.zones = [self.p, self.z] + list(self.kids.values())
        return self.zones

    def make_rules(self):
        self.rules = [mk(self) for mk in self.rule_makers]
        return self.rules

    def n(self, rel):
        """A name relative to Z ("@" for Z itself)."""
        return self.Z if rel == "@" else rel + "." + self.Z


# ---- rule shorthands ---------------------------------------------------

def on(qname, qtype, fn, face=None):
    """A rule maker: qname is relative to Z ("@", "www"), or "{P}"/"{D}"
    for the parent zone and the domain."""
    def mk(c):
        name = {"{P}": c.P, "{D}": c.D, "{dmarc}": "_dmarc." + c.D}.get(
            qname) or c.n(qname)
        return Rule(name, qtype, fn(c) if callable(fn) and
                    getattr(fn, "wants_case", False) else fn, face)
    return mk


def per_case(fn):
    """Mark fn(case) -> mutation as built per case."""
    fn.wants_case = True
    return fn


# ---- genuine records picked per case -------------------------------------

def origin(zone):
    """The zone's name from a store key ("zone" or "zone@variant")."""
    return zone.split("@")[0]


def uses_nsec3(store, zone):
    return store.rrset(zone, origin(zone), "NSEC3PARAM") is not None


def soa(store, zone):
    return m.with_sigs(store, zone, origin(zone), "SOA")


def denial_match(store, zone, name):
    """The zone's NSEC or NSEC3 record for name itself."""
    if uses_nsec3(store, zone):
        return m.with_sigs(store, zone, m.nsec3_for(store, zone, name, False),
                           "NSEC3")
    return m.with_sigs(store, zone, name, "NSEC")


def denial_cover(store, zone, name):
    """The zone's NSEC or NSEC3 record that covers name."""
    if uses_nsec3(store, zone):
        return m.with_sigs(store, zone, m.nsec3_for(store, zone, name, True),
                           "NSEC3")
    return m.with_sigs(store, zone, m.nsec_for(store, zone, name), "NSEC")


def denial_elsewhere(store, zone, name):
    """A genuine NSEC or NSEC3 record of the zone that neither matches
    nor covers name."""
    if uses_nsec3(store, zone):
        h = m.nsec3_hash(store, zone, name)
        for owner, rds in store.names(zone, "NSEC3"):
            own = owner.labels[0].decode().lower()
            nxt = m._b32hex(rds[0].next)
            inside = (own < h < nxt) if own < nxt else (h > own or h < nxt)
            if own != h and not inside:
                return m.with_sigs(store, zone, owner, "NSEC3")
    else:
        n = dns.name.from_text(name)
        for owner, rds in store.names(zone, "NSEC"):
            nxt = rds[0].next
            inside = (owner < n < nxt) if owner < nxt else \
                (n > owner or n < nxt)
            if owner != n and not inside:
                return m.with_sigs(store, zone, owner, "NSEC")
    raise KeyError("every record of %s covers %s" % (zone, name))


def nxdomain_proof(store, zone, ce, qname):
    """What a name error proof for qname with closest encloser ce looks
    like when built from zone's genuine records (RFC 4035 §3.1.3.2, RFC
    5155 §7.2.2). With ce at a delegation or DNAME this is the forgery
    RFC 4035 §5.4 and RFC 6840 §4.1 tell validators to reject."""
    wc = "*." + ce
    out = soa(store, zone)
    if uses_nsec3(store, zone):
        nc = ".".join(qname.split(".")[-(len(ce.split(".")) + 1):])
        recs = denial_match(store, zone, ce) + \
            denial_cover(store, zone, nc) + denial_cover(store, zone, wc)
    else:
        recs = denial_cover(store, zone, qname) + \
            denial_cover(store, zone, wc)
    seen = set()
    for r in recs:
        k = (r.name, r.rdtype, r.covers)
        if k not in seen:
            seen.add(k)
            out.append(r)
    return out


def negative(rc, records):
    """Replace the answer by a negative one: records(ctx) -> RRsets."""
    def f(msg, ctx):
        msg.answer = []
        msg.authority = records(ctx)
        msg.additional = []
        msg.set_rcode(rc)
        return msg
    return m._named(f, "negative")


def expanded(zone, wildcard, rdtype, owner):
    """A wildcard's RRset and RRSIGs as if expanded to owner."""
    def rrsets(ctx):
        out = []
        for r in m.with_sigs(ctx.store, zone, wildcard, rdtype):
            x = dns.rrset.RRset(dns.name.from_text(owner), r.rdclass,
                                r.rdtype, r.covers)
            x.update(r)
            x.ttl = r.ttl
            out.append(x)
        return out
    return rrsets


def resign(zone_attr, key_index, owner_fn, rdtype, inception, expiration):
    """Replace the RRSIGs over an RRset with one made by a key of the
    case's zone (zone_attr "p" or "z") with another validity window."""
    @per_case
    def mk(c):
        zone = getattr(c, zone_attr)
        key = zone.keys[key_index]

        def f(msg, ctx):
            t = dns.rdatatype.from_text(rdtype)
            owner = dns.name.from_text(owner_fn(c))
            for sec in ("answer", "authority"):
                rrs = getattr(msg, sec)
                target = [r for r in rrs if r.rdtype == t and r.name == owner]
                if not target:
                    continue
                new = [r for r in rrs if not (r.rdtype == m.RRSIG and
                                              r.covers == t and
                                              r.name == owner)]
                new.append(gen.resign(target[0], key, zone.origin,
                                      inception(c), expiration(c)))
                setattr(msg, sec, new)
            return msg
        return m._named(f, "resign")
    return mk


def expires_at(when):
    """A check: signature_expires_at must be when(case)."""
    def chk(c, sec):
        want = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when(c)))
        got = sec.get("signature_expires_at")
        return None if got == want else \
            "signature_expires_at %s, want %s" % (got, want)
    return chk


def has_issue(code, count=None):
    def chk(c, sec):
        n = sum(1 for i in sec.get("issues", []) if i["code"] == code)
        if (count is None and n == 0) or (count is not None and n != count):
            return "issue %s seen %d times" % (code, n)
        return None
    return chk


def rrset_status(label, want):
    """A check: the reported status of the TXT RRset at label.D."""
    def chk(c, sec):
        name = label + "." + c.D.rstrip(".")
        got = [r["status"] for r in sec.get("rrsets", [])
               if r["name"] == name]
        return None if got == [want] else \
            "rrset %s status %s, want %s" % (name, got, want)
    return chk


def junk_sig(r):
    """An extra RRSIG beside each real one, its signature bytes flipped."""
    if r.rdtype != m.RRSIG:
        return [r]
    bad = [rd.replace(signature=bytes(b ^ 0x5A for b in rd.signature))
           for rd in r]
    x = dns.rrset.from_rdata_list(r.name, r.ttl, list(r) + bad)
    return [x]


def upper_owner(r):
    x = dns.rrset.RRset(dns.name.from_text(r.name.to_text().upper()),
                        r.rdclass, r.rdtype, r.covers)
    x.update(r)
    x.ttl = r.ttl
    return [x]


def raise_ttl(r):
    r = r.copy() if hasattr(r, "copy") else r
    r.ttl = 86400 * 7
    return [r]


# ---- the catalogue ------------------------------------------------------

CORE = ("e13", "r8n3", "d15n3s", "e14", "d16n3")
ALL = tuple(PROFILES)
NOW = lambda c: c.now          # noqa: E731


def rel(c, label):
    return c.n(label)


def apex_cases():
    """A check of Z itself: SOA and TXT answers, MX NODATA, _dmarc TXT,
    and the chain: DS at P, DNSKEY at Z."""
    A = []

    def case(*a, profiles=CORE, **k):
        A.append((Case(*a, **k), profiles))

    case("baseline", "secure", profiles=ALL, fast=True,
         checks=[expires_at(lambda c: c.now + 30 * DAY)])
    # -- signatures stripped, data changed (RFC 4035 §5.3)
    case("strip-sig-soa", "bogus",
         [on("@", "SOA", m.strip_sigs(covers="SOA"))], fast=True)
    case("strip-sig-txt", "bogus",
         [on("@", "TXT", m.strip_sigs(covers="TXT"))])
    case("strip-sig-dmarc", "bogus",
         [on("_dmarc", "TXT", m.strip_sigs(covers="TXT"))], fast=True)
    case("strip-sig-mx-denial", "bogus",
         [on("@", "MX", m.chain(m.strip_sigs(covers="NSEC"),
                                m.strip_sigs(covers="NSEC3")))], fast=True)
    case("drop-mx-denial", "bogus",
         [on("@", "MX", m.chain(m.drop("NSEC"), m.drop("NSEC3")))])
    case("drop-mx-soa", "secure", [on("@", "MX", m.drop("SOA"))])
    case("strip-sig-mx-soa", "bogus",
         [on("@", "MX", m.strip_sigs(covers="SOA"))])
    case("txt-tamper", "bogus",
         [on("@", "TXT", per_case(lambda c: m.tamper(c.Z, "TXT",
                                                     '"v=spf1 +all"')))])
    case("txt-extra-rr", "bogus",
         [on("@", "TXT", per_case(lambda c: m.add_rr(c.Z, "TXT",
                                                      '"v=spf1 +all"')))])
    case("txt-junk-rrsig", "secure", [on("@", "TXT", m.map_rrsets(junk_sig))])
    case("txt-sig-of-soa", "bogus",
         [on("@", "TXT", per_case(lambda c: m.chain(
             m.strip_sigs(covers="TXT"),
             m.add("answer", c.Z, c.Z, "RRSIG", sigs=False,
                   covers="SOA"))))],
         profiles=("e13",))
    case("txt-ttl-raised", "secure",
         [on("@", "TXT", m.map_rrsets(raise_ttl))], profiles=("e13",))
    case("txt-owner-upper", "secure",
         [on("@", "TXT", m.map_rrsets(upper_owner))], profiles=("e13",))
    case("txt-misplaced", "bogus",
         [on("@", "TXT", per_case(lambda c: m.chain(
             m.empty(), m.add("answer", c.Z, "_dmarc." + c.Z, "TXT"))))])
    case("txt-replay-old", "secure",
         [on("@", "TXT", per_case(lambda c: m.chain(
             m.empty(), m.add("answer", c.Z + "@old", c.Z, "TXT"))))],
         z=dict(variants={"old": lambda c: dict(records=[
             ("@", "TXT", '"v=spf1 +all"')] + Z_RECORDS[1:])}))
    # The parent signed a TXT at z.cNNN.t. before delegating it; replayed
    # now, its signer is P although the RRset belongs to Z's zone.
    case("txt-signed-by-parent", "secure",
         [on("@", "TXT", per_case(lambda c: m.chain(
             m.empty(), m.add("answer", c.P + "@predeleg", c.Z, "TXT"))))],
         p=dict(variants={"predeleg": lambda c: dict(
             records=[(c.Z, "TXT", '"v=spf1 +all"')],
             drop_children={c.Z})}),
         differ=("bogus", "secure",
                 "RFC 4035 §5.3.1: the RRSIG's Signer's Name MUST be the "
                 "zone that contains the RRset. z.cNNN.t. is its own zone "
                 "(a signed delegation), so the parent's signature does "
                 "not count; unbound validates with the signer's keys "
                 "without checking for a zone cut between signer and "
                 "owner"))
    # -- the negative answers a check of Z relies on
    case("mx-nodata-rcode-nxdomain", "secure",
         [on("@", "MX", m.rcode(dns.rcode.NXDOMAIN))], profiles=("e13",))
    case("txt-nodata-forged", "bogus",
         [on("@", "TXT", per_case(lambda c: negative(
             dns.rcode.NOERROR, lambda ctx: soa(ctx.store, c.Z) +
             denial_match(ctx.store, c.Z, c.Z))))])
    case("txt-nxdomain-forged", "bogus",
         [on("@", "TXT", per_case(lambda c: m.answer_of(
             "nx." + c.Z, "TXT")))])
    case("mx-nodata-wrong-name", "bogus",
         [on("@", "MX", per_case(lambda c: negative(
             dns.rcode.NOERROR, lambda ctx: soa(ctx.store, c.Z) +
             denial_match(ctx.store, c.Z, "www." + c.Z))))])
    # RFC 4035 §5.4 / RFC 6840 §4.1: the parent's record at a delegation
    # proves nothing about the child's data.
    case("soa-parent-side", "bogus",
         [on("@", "SOA", per_case(lambda c: negative(
             dns.rcode.NOERROR, lambda ctx: soa(ctx.store, c.P) +
             denial_match(ctx.store, c.P, c.Z))))], fast=True)
    case("mx-parent-side", "bogus",
         [on("@", "MX", per_case(lambda c: negative(
             dns.rcode.NOERROR, lambda ctx: soa(ctx.store, c.P) +
             denial_match(ctx.store, c.P, c.Z))))])
    case("txt-parent-side-all", "bogus",
         [on(q, t, per_case(lambda c: negative(
             dns.rcode.NOERROR, lambda ctx: soa(ctx.store, c.P) +
             denial_match(ctx.store, c.P, c.Z))))
          for q, t in (("@", "SOA"), ("@", "TXT"), ("@", "MX"))])
    # -- the DNSKEY RRset (RFC 4035 §5.2)
    case("strip-sig-dnskey", "bogus",
         [on("@", "DNSKEY", m.strip_sigs(covers="DNSKEY"))], fast=True)
    case("dnskey-signed-by-zsk-only", "bogus",
         [on("@", "DNSKEY", resign("z", 1, lambda c: c.Z, "DNSKEY",
                                    lambda c: c.now - DAY,
                                    lambda c: c.now + 30 * DAY))],
         checks=[has_issue("dnskey-not-signed-by-ds-key")], fast=True)
    # An empty answer (not even an SOA) is no answer from the zone's
    # servers, as from a lame delegation; the zone's own NODATA is one.
    case("dnskey-emptied", "indeterminate",
         [on("@", "DNSKEY", m.empty())], profiles=("e13", "r8n3"))
    case("dnskey-denied", "bogus",
         [on("@", "DNSKEY", per_case(lambda c: negative(
             dns.rcode.NOERROR, lambda ctx: soa(ctx.store, c.Z))))],
         profiles=("e13", "r8n3"))
    case("dnskey-extra-key", "bogus",
         [on("@", "DNSKEY", per_case(lambda c: m.add_rr(
             c.Z, "DNSKEY", "256 3 13 " + "QUFB" * 22 + "QUE=")))],
         profiles=("e13",))
    case("dnskey-without-zsk", "bogus",
         [on("@", "DNSKEY", per_case(lambda c: m.remove_rr(
             c.Z, "DNSKEY", lambda rd: rd.flags == 256)))])
    case("dnskey-replay-old", "bogus",
         [on("@", "DNSKEY", per_case(lambda c: m.chain(
             m.empty(), m.add("answer", c.Z + "@oldzsk", c.Z, "DNSKEY"))))],
         z=dict(variants={"oldzsk": lambda c: dict(
             keys=lambda z: [z.keys[0], gen.Key(z.origin, z.alg, 256)])}))
    # -- the DS RRset at the parent (RFC 4035 §5.2)
    case("strip-sig-ds", "bogus",
         [on("@", "DS", m.strip_sigs(covers="DS"))], fast=True)
    case("strip-ds", "bogus", [on("@", "DS", m.empty())], fast=True)
    case("ds-denied-by-parent-record", "bogus",
         [on("@", "DS", per_case(lambda c: negative(
             dns.rcode.NOERROR, lambda ctx: soa(ctx.store, c.P) +
             denial_match(ctx.store, c.P, c.Z))))])
    case("ds-denied-by-child-apex", "bogus",
         [on("@", "DS", per_case(lambda c: negative(
             dns.rcode.NOERROR, lambda ctx: soa(ctx.store, c.Z) +
             denial_match(ctx.store, c.Z, c.Z))))])
    # A genuine proof from before the DS was added, replayed within its
    # validity: indistinguishable from the truth (RFC 4033 §4).
    case("ds-denial-replayed", "insecure",
         [on("@", "DS", per_case(lambda c: negative(
             dns.rcode.NOERROR, lambda ctx: soa(ctx.store, c.P + "@nods") +
             denial_match(ctx.store, c.P + "@nods", c.Z))))],
         p=dict(variants={"nods": lambda c: dict(no_ds={c.Z})}),
         fast=True)
    # -- DS digests and algorithms
    case("ds-sha1", "secure", z=dict(ds=[("key", 1)]), profiles=("e13",))
    case("ds-sha384", "secure", z=dict(ds=[("key", 4)]), profiles=("e13",))
    case("ds-unknown-digest", "insecure", z=dict(ds=[("digest", 200)]),
         profiles=("e13",))
    case("ds-unknown-alg", "insecure", z=dict(ds=[("alg", 253)]),
         profiles=("e13",), fast=True)
    case("ds-mismatch", "bogus", z=dict(ds=[("mismatch", 2)]),
         profiles=("e13", "r8n3"))
    case("ds-mismatch-and-good", "secure",
         z=dict(ds=[("mismatch", 2), ("key", 2)]), profiles=("e13",))
    case("ds-sha1-good-sha256-bad", "secure",
         z=dict(ds=[("mismatch", 2), ("key", 1)]), profiles=("e13",))
    case("ksk-revoked", "bogus",
         z=dict(keys=[(13, 385, None), (13, 256, None)],
                ds=[("key-as", 257)]), profiles=("e13",))
    case("ksk-no-zone-bit", "bogus",
         z=dict(keys=[(13, 1, None), (13, 256, None)]), profiles=("e13",))
    case("csk", "secure", z=dict(keys=[(13, 257, None)]),
         profiles=("e13", "d15n3s"))
    # -- algorithms (RFC 6840 §5.11; item: half-done rollovers)
    case("ksk-and-zsk-algorithms-differ", "secure",
         z=dict(keys=[(13, 257, None), (8, 256, None)]), profiles=("e13",),
         checks=[has_issue("algorithm-rollover-incomplete")])
    case("ds-for-missing-algorithm", "secure",
         z=dict(ds=[("key", 2), ("text", "4711 8 2 " + "5A" * 32)]),
         profiles=("e13",),
         checks=[has_issue("algorithm-rollover-incomplete")])
    case("rollover-published-not-signing", "secure",
         z=dict(publish=[(8, 257, None)], ds=[("key", 2), ("key-of", 8)]),
         profiles=("e13",),
         checks=[has_issue("algorithm-rollover-incomplete")], fast=True)
    case("rsa-1024", "secure",
         z=dict(keys=[(8, 257, 1024), (8, 256, 1024)]), profiles=("r8n3",),
         checks=[has_issue("rsa-key-short", 1)])
    case("unknown-algorithm-key-published", "secure",
         z=dict(records=Z_RECORDS + [("@", "DNSKEY",
                                      "257 3 253 AQIDBAUGBwgJCgsMDQ4P")]),
         profiles=("e13",))
    # -- unsigned and islands (RFC 4035 §5.2)
    case("unsigned-proven", "insecure", z=dict(alg=None), fast=True)
    case("unsigned-with-ds", "bogus", z=dict(alg=None, ds=[("mismatch", 2)]),
         profiles=("e13",))
    case("signed-without-ds", "insecure", z=dict(ds=None),
         checks=[has_issue("no-ds-at-parent")])
    case("parent-optout-unsigned", "insecure", z=dict(alg=None),
         p=dict(nsec3=(0, "", True)), profiles=("e13", "r8n3"))
    case("parent-nsec3-iterations-200", "insecure", z=dict(alg=None),
         p=dict(nsec3=(200, "", False)), profiles=("e13",))
    case("zone-nsec3-iterations-200", "insecure",
         z=dict(nsec3=(200, "", False)), profiles=("e13",))
    case("mx-present", "secure",
         z=dict(records=Z_RECORDS + [("@", "MX", "10 www")]),
         profiles=("e13", "r8n3"))
    case("mx-present-strip-sig", "bogus",
         [on("@", "MX", m.strip_sigs(covers="MX"))],
         z=dict(records=Z_RECORDS + [("@", "MX", "10 www")]),
         profiles=("e13",))
    # -- could not measure (RFC 4035 §4.3 indeterminate)
    case("fail-dnskey", "indeterminate", [on("@", "DNSKEY", m.fail())],
         fast=True)
    case("fail-ds", "indeterminate", [on("@", "DS", m.fail())])
    case("fail-parent-dnskey", "indeterminate",
         [on("{P}", "DNSKEY", m.fail())], profiles=("e13",))
    case("fail-txt", "indeterminate", [on("@", "TXT", m.fail())],
         profiles=("e13",))
    case("fail-dmarc", "secure", [on("_dmarc", "TXT", m.fail())],
         profiles=("e13",))
    case("parent-ds-stripped", "bogus",
         [on("{P}", "DS", m.strip_sigs(covers="DS"))], profiles=("e13",))
    return A


def below_cases():
    """Checks of names inside Z: denial of existence, wildcards, empty
    non-terminals, aliases, and names at or below delegations."""
    A = []

    def case(*a, profiles=CORE, **k):
        A.append((Case(*a, **k), profiles))

    def nx(c, ce, qname, zone=None):
        """rule: name error for qname from zone's records, ce claimed."""
        return per_case(lambda c2: negative(dns.rcode.NXDOMAIN,
                                            lambda ctx: nxdomain_proof(
                                                ctx.store, zone or c2.Z,
                                                ce(c2), qname(c2))))

    case("www", "secure", d="www", fast=True)
    case("www-strip-sig-denial", "bogus", d="www",
         rules=[on("www", "TXT", m.chain(m.strip_sigs(covers="NSEC"),
                                         m.strip_sigs(covers="NSEC3")))])
    case("www-soa-drop-denial", "bogus", d="www",
         rules=[on("www", "SOA", m.chain(m.drop("NSEC"), m.drop("NSEC3")))])
    case("nx", "secure", d="nx", fast=True)
    # Parts of a name error proof missing. With NSEC the order is fixed
    # (the wildcard *.Z sorts first); NSEC3 hashes fall anywhere, so there
    # the closest encloser's record is left out, which no cover replaces.
    case("nx-only-qname-cover", "bogus", d="nx",
         rules=[on("nx", "TXT", per_case(lambda c: negative(
             dns.rcode.NXDOMAIN, lambda ctx: soa(ctx.store, c.Z) +
             denial_cover(ctx.store, c.Z, "nx." + c.Z))))],
         profiles=("e13", "e14"))
    case("nx-only-wildcard-cover", "bogus", d="nx",
         rules=[on("nx", "MX", per_case(lambda c: negative(
             dns.rcode.NXDOMAIN, lambda ctx: soa(ctx.store, c.Z) +
             denial_cover(ctx.store, c.Z, "*." + c.Z))))],
         profiles=("e13", "e14"))
    case("nx-no-closest-encloser", "bogus", d="nx",
         rules=[on("nx", "TXT", per_case(lambda c: m.drop_nsec3_of(
             c.Z, c.Z)))],
         profiles=("r8n3", "d15n3s", "d16n3"))
    # RFC 4035 §5.4, RFC 6840 §4.1: an NSEC at a delegation or DNAME
    # above the name cannot prove that the name does not exist; RFC 5155
    # §8.3: nor can an NSEC3 closest encloser at a delegation.
    case("nx-from-parent-delegation", "bogus", d="nx",
         rules=[on("nx", t, per_case(lambda c: negative(
             dns.rcode.NXDOMAIN, lambda ctx: nxdomain_proof(
                 ctx.store, c.P, c.Z, "nx." + c.Z))))
                for t in ("SOA", "TXT", "MX")], fast=True)
    case("below-secure-delegation", "secure", d="x.sec",
         kids=[("sec", dict(records=[("x", "TXT", '"below sec"')]))])
    case("nx-below-secure-delegation", "bogus", d="x.sec",
         kids=[("sec", {})],
         rules=[on("x.sec", t, per_case(lambda c: negative(
             dns.rcode.NXDOMAIN, lambda ctx: nxdomain_proof(
                 ctx.store, c.Z, "sec." + c.Z, "x.sec." + c.Z))))
                for t in ("SOA", "TXT", "MX")], fast=True)
    case("below-insecure-delegation", "insecure", d="x.ins",
         kids=[("ins", dict(alg=None, records=[("x", "TXT", '"x"')]))])
    case("nx-below-insecure-delegation", "insecure", d="x.ins",
         kids=[("ins", dict(alg=None))],
         rules=[on("x.ins", t, per_case(lambda c: negative(
             dns.rcode.NXDOMAIN, lambda ctx: nxdomain_proof(
                 ctx.store, c.Z, "ins." + c.Z, "x.ins." + c.Z))))
                for t in ("SOA", "TXT", "MX")])
    case("insecure-delegation-apex", "insecure", d="ins",
         kids=[("ins", dict(alg=None))])
    case("insecure-delegation-parent-side", "insecure", d="ins",
         kids=[("ins", dict(alg=None))],
         rules=[on("ins", t, per_case(lambda c: negative(
             dns.rcode.NOERROR, lambda ctx: soa(ctx.store, c.Z) +
             denial_match(ctx.store, c.Z, "ins." + c.Z))))
                for t in ("SOA", "TXT", "MX")])
    case("secure-delegation-parent-side", "bogus", d="sec",
         kids=[("sec", {})],
         rules=[on("sec", t, per_case(lambda c: negative(
             dns.rcode.NOERROR, lambda ctx: soa(ctx.store, c.Z) +
             denial_match(ctx.store, c.Z, "sec." + c.Z))))
                for t in ("SOA", "TXT", "MX")], fast=True)
    case("nx-below-dname", "bogus", d="x.dn",
         rules=[on("x.dn", t, per_case(lambda c: negative(
             dns.rcode.NXDOMAIN, lambda ctx: nxdomain_proof(
                 ctx.store, c.Z, "dn." + c.Z, "x.dn." + c.Z))))
                for t in ("SOA", "TXT", "MX")], fast=True)
    case("dname", "secure", d="x.dn", profiles=("e13", "r8n3"))
    # -- wildcards (RFC 4035 §5.3.4, RFC 5155 §8.8)
    case("wildcard", "secure", d="a.wild", fast=True)
    case("wildcard-no-proof", "bogus", d="a.wild",
         rules=[on("a.wild", "TXT", m.chain(m.drop("NSEC"), m.drop("NSEC3")))])
    # (With NSEC the wildcard's own record also covers the name: a full
    # proof; with NSEC3 the closest encloser proof is missing.)
    case("wildcard-nodata-no-proof", "bogus", d="a.wild",
         profiles=("r8n3", "d15n3s", "d16n3"),
         rules=[on("a.wild", "MX", per_case(lambda c: negative(
             dns.rcode.NOERROR, lambda ctx: soa(ctx.store, c.Z) +
             denial_match(ctx.store, c.Z, "*.wild." + c.Z))))])
    # The closest encloser of q.x.w is x.w, which exists: *.w does not
    # apply there, although an NSEC covers q.x.w (RFC 4035 §5.3.4).
    case("wildcard-wrong-closest-encloser", "bogus", d="q.x.w",
         rules=[on("q.x.w", "TXT", per_case(lambda c: m.chain(
             m.empty(), m.add_rrsets("answer", expanded(
                 c.Z, "*.w." + c.Z, "TXT", "q.x.w." + c.Z)),
             m.add_rrsets("authority", lambda ctx: denial_cover(
                 ctx.store, c.Z, "q.x.w." + c.Z)))))], fast=True)
    case("wildcard-proof-from-elsewhere", "bogus", d="a.wild",
         rules=[on("a.wild", "TXT", per_case(lambda c: m.chain(
             m.drop("NSEC"), m.drop("NSEC3"),
             m.add_rrsets("authority", lambda ctx: denial_elsewhere(
                 ctx.store, c.Z, "a.wild." + c.Z)))))])
    # -- empty non-terminals and aliases
    case("empty-non-terminal", "secure", d="ent")
    case("empty-non-terminal-no-proof", "bogus", d="ent",
         rules=[on("ent", "TXT", m.chain(m.drop("NSEC"), m.drop("NSEC3")))])
    case("alias", "secure", d="alias", profiles=("e13", "r8n3"))
    # unbound asks for the alias's target itself when the answer lacks
    # it: the target's proof is stripped from every answer.
    case("alias-target-denial-stripped", "bogus", d="alias",
         rules=[on(q, "TXT", m.chain(m.drop("NSEC"), m.drop("NSEC3")))
                for q in ("alias", "www")],
         profiles=("e13", "r8n3"))
    case("alias-sig-stripped", "bogus", d="alias",
         rules=[on("alias", None, m.strip_sigs(covers="CNAME"))],
         profiles=("e13",))
    case("nx-optout-zone", "insecure", d="nx",
         z=dict(nsec3=(0, "", True)), profiles=("e13",))
    # The SOA answer names a zone that does not exist: the parent's
    # records prove that www is no delegation (RFC 4035 §5.2).
    case("soa-names-no-zone", "bogus", d="www",
         rules=[on("www", "SOA", per_case(lambda c: m.chain(
             m.empty(), m.add_rrsets("authority", lambda ctx: [
                 dns.rrset.from_text("www." + c.Z, 60, "IN", "SOA",
                                     "ns.www.%s h.www.%s 1 2 3 4 60" %
                                     (c.Z, c.Z))]))))],
         profiles=("e13", "r8n3"))
    # The _dmarc name delegated to a zone of its own, signed or not.
    no_dmarc = [r for r in Z_RECORDS if r[0] != "_dmarc"]
    dmarc = [("@", "TXT", '"v=DMARC1; p=none"')]
    case("dmarc-delegated-unsigned", "secure", z=dict(records=no_dmarc),
         kids=[("_dmarc", dict(alg=None, records=dmarc))],
         profiles=("e13", "r8n3"),
         checks=[rrset_status("_dmarc", "insecure")])
    case("dmarc-delegated-signed", "secure", z=dict(records=no_dmarc),
         kids=[("_dmarc", dict(records=dmarc))], profiles=("e13", "r8n3"),
         checks=[rrset_status("_dmarc", "secure")])
    case("dmarc-delegated-signed-stripped", "bogus",
         z=dict(records=no_dmarc), kids=[("_dmarc", dict(records=dmarc))],
         rules=[on("_dmarc", "TXT", m.strip_sigs(covers="TXT"))],
         profiles=("e13", "r8n3"))
    prov = [("dmarc", "TXT", '"v=DMARC1; p=none"')]
    via_cname = no_dmarc + [("_dmarc", "CNAME", "dmarc.prov")]
    case("dmarc-cname-signed-zone", "secure", z=dict(records=via_cname),
         kids=[("prov", dict(records=prov))], profiles=("e13", "r8n3"),
         checks=[rrset_status("_dmarc", "secure")])
    case("dmarc-cname-unsigned-zone", "secure", z=dict(records=via_cname),
         kids=[("prov", dict(alg=None, records=prov))],
         profiles=("e13", "r8n3"),
         checks=[rrset_status("_dmarc", "insecure")])
    case("dmarc-cname-target-stripped", "bogus", z=dict(records=via_cname),
         kids=[("prov", dict(records=prov))],
         rules=[on(q, "TXT", m.strip_sigs(covers="TXT"))
                for q in ("_dmarc", "dmarc.prov")],
         profiles=("e13", "r8n3"))
    # Aliases into another zone, and a loop.
    alias2 = Z_RECORDS + [("alias2", "CNAME", "x.sec")]
    case("alias-other-zone", "secure", d="alias2", z=dict(records=alias2),
         kids=[("sec", dict(records=[("x", "TXT", '"x"')]))],
         profiles=("e13", "r8n3"))
    case("alias-other-zone-stripped", "bogus", d="alias2",
         z=dict(records=alias2),
         kids=[("sec", dict(records=[("x", "TXT", '"x"')]))],
         rules=[on(q, "TXT", m.strip_sigs(covers="TXT"))
                for q in ("alias2", "x.sec")], profiles=("e13", "r8n3"))
    case("alias-loop", "indeterminate", d="loop1",
         z=dict(records=Z_RECORDS + [("loop1", "CNAME", "loop2"),
                                     ("loop2", "CNAME", "loop1")]),
         profiles=("e13",))
    # DNAME (RFC 6672 §5.3.1): the DNAME is signed, the CNAME made from
    # it is not.
    case("dname-sig-stripped", "bogus", d="x.dn",
         rules=[on("x.dn", None, m.strip_sigs(covers="DNAME"))],
         profiles=("e13", "r8n3"))
    case("dname-target-stripped", "bogus", d="x.dn",
         rules=[on(q, "TXT", m.strip_sigs(covers="TXT"))
                for q in ("x.dn", "x.tgt")], profiles=("e13", "r8n3"))
    return A


def clock_cases():
    """Validity windows (RFC 4034 §3.1.5) with unbound's clock-skew
    allowance: a tenth of the signature's validity period, at least an
    hour and at most a day (val-sig-skew-min/max)."""
    A = []

    def case(*a, profiles=("e13", "r8n3"), **k):
        A.append((Case(*a, **k), profiles))

    H = 3600
    for name, want, inc, exp, fast in (
            ("expired", "bogus", -40 * DAY, -2 * DAY, True),
            ("not-yet-valid", "bogus", 2 * DAY, 30 * DAY, True),
            ("expired-within-skew", "secure", -30 * DAY, -30 * 60, True),
            ("not-yet-within-skew", "secure", 30 * 60, 30 * DAY, False),
            ("short-window-within-skew", "secure", -10 * H, -50 * 60, False),
            ("short-window-past-skew", "bogus", -10 * H, -75 * 60, False),
            ("five-day-window-past-skew", "bogus", -5 * DAY - 13 * H,
             -13 * H, False),
            ("five-day-window-within-skew", "secure", -5 * DAY - 11 * H,
             -11 * H, False)):
        case(name, want, fast=fast,
             z=dict(_window=(inc, exp)))
    case("inception-after-expiration", "bogus",
         [on("@", "TXT", resign("z", 1, lambda c: c.Z, "TXT",
                                lambda c: c.now + 600,
                                lambda c: c.now - 600))],
         profiles=("e13",))
    # signature_expires_at: the earliest expiry along the chain, DS
    # RRSIGs included (issue 11 item 4).
    for name, zone_attr, key, owner, t, days in (
            ("ds-sig-expires-soon", "p", 1, lambda c: c.Z, "DS", 2),
            ("dnskey-sig-expires-soon", "z", 0, lambda c: c.Z, "DNSKEY", 3),
            ("parent-dnskey-sig-expires-soon", "p", 0, lambda c: c.P,
             "DNSKEY", 4),
            ("txt-sig-expires-soon", "z", 1, lambda c: c.Z, "TXT", 5)):
        qname = "{P}" if t == "DNSKEY" and zone_attr == "p" else "@"
        case(name, "secure",
             [on(qname, t, resign(zone_attr, key, owner, t,
                                  lambda c: c.now - DAY,
                                  lambda c, d=days: c.now + d * DAY))],
             checks=[expires_at(lambda c, d=days: c.now + d * DAY),
                     has_issue("signature-expires-soon")],
             fast=name == "ds-sig-expires-soon")
    case("ds-sig-expired", "bogus",
         [on("@", "DS", resign("p", 1, lambda c: c.Z, "DS",
                               lambda c: c.now - 30 * DAY,
                               lambda c: c.now - 2 * DAY))])
    return A


def wrap_cases():
    """Near 2^32 seconds (2106-02-07): RRSIG times are serial numbers
    (RFC 4034 §3.1.5, RFC 1982); the pass runs hygiene with --at and
    unbound with val-override-date at a time just past the wrap."""
    A = []

    def case(*a, profiles=("e13",), **k):
        A.append((Case(*a, **k), profiles))

    case("wrap-baseline", "secure", fast=True,
         checks=[expires_at(lambda c: c.now + 30 * DAY)])
    case("wrap-expired", "bogus", z=dict(_window=(-30 * DAY, -2 * DAY)),
         fast=True)
    case("wrap-not-yet-valid", "bogus", z=dict(_window=(2 * DAY, 20 * DAY)))
    case("wrap-expired-within-skew", "secure",
         z=dict(_window=(-20 * DAY, -30 * 60)))
    case("wrap-window-across", "secure",
         z=dict(_window=(-10 * DAY, 10 * DAY)))
    return A


def expand(families, kind):
    out = []
    for fam in families:
        for c, profiles in fam():
            if kind == "fast":
                if not c.fast:
                    continue
                profiles = [profiles[0]] + [p for p in profiles[1:2]
                                            if p == "r8n3"]
            for p in profiles:
                out.append((copy.copy(c), p))
    return out


# Just past 2^32 seconds: 2106-02-12.
WRAP_NOW = (1 << 32) + 5 * DAY


def passes(kind):
    """{pass name: (cases, wrap, now)}"""
    now = int(time.time())
    return {
        "now": (expand((apex_cases, below_cases, clock_cases), kind), False,
                now),
        "wrap": (expand((wrap_cases,), kind), True, WRAP_NOW),
    }
