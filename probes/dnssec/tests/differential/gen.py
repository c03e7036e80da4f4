"""Genuinely signed zones for the differential campaign.

Keys are made in-process (python3-cryptography) and written in ldns's key
file format; every zone is signed by ldns-signzone, an independent signer.
A zone may also have variants: other versions of its data signed with the
same keys (an older record set, a parent from before a DS was added),
which the scripted server hands out as replays. Single RRsets can be
re-signed with other validity windows through dnspython.
"""

import base64
import hashlib
import os
import struct
import subprocess
import time

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

TTL = 3600
SOA_MINIMUM = 60
ALG_NAMES = {5: "RSASHA1", 7: "RSASHA1-NSEC3-SHA1", 8: "RSASHA256",
             10: "RSASHA512", 13: "ECDSAP256SHA256", 14: "ECDSAP384SHA384",
             15: "ED25519", 16: "ED448"}
RSA_ALGS = (5, 7, 8, 10)
# RSA key generation costs ~0.1 s a key; zones share a small pool (a key
# is bound to its zone by the owner name in every digest and signature).
_RSA_POOL = {}


class GenError(Exception):
    pass


def ldns_time(ts):
    # ldns-signzone reads seconds since the epoch modulo 2^32 (RFC 4034
    # §3.1.5 serial time), so dates past 2106 work too.
    return str(int(ts))


def _b64(n, size=None):
    raw = n.to_bytes(size or (n.bit_length() + 7) // 8, "big")
    return base64.b64encode(raw).decode()


def _rsa_key(bits, slot):
    pool = _RSA_POOL.setdefault(bits, [])
    while len(pool) <= slot:
        pool.append(rsa.generate_private_key(65537, bits))
    return pool[slot]


class Key:
    """A DNSSEC key pair for one zone."""

    _rsa_next = {}

    def __init__(self, origin, alg, flags, bits=None):
        self.origin = origin
        self.alg = alg
        self.flags = flags
        if alg in RSA_ALGS:
            bits = bits or 2048
            slot = Key._rsa_next.get(bits, 0)
            Key._rsa_next[bits] = (slot + 1) % 8
            self.priv = _rsa_key(bits, slot)
        elif alg == 13:
            self.priv = ec.generate_private_key(ec.SECP256R1())
        elif alg == 14:
            self.priv = ec.generate_private_key(ec.SECP384R1())
        elif alg == 15:
            self.priv = ed25519.Ed25519PrivateKey.generate()
        elif alg == 16:
            self.priv = ed448.Ed448PrivateKey.generate()
        else:
            raise GenError("no key generation for algorithm %d" % alg)
        self.dnskey = dns.dnssec.make_dnskey(self.priv.public_key(), alg,
                                             flags)
        self.tag = dns.dnssec.key_id(self.dnskey)
        self.base = None

    def with_flags(self, flags):
        """The same key material published with other flags (REVOKE,
        no Zone Key bit): a different DNSKEY record and key tag."""
        k = object.__new__(Key)
        k.__dict__.update(self.__dict__)
        k.flags = flags
        k.dnskey = dns.rdata.from_text("IN", "DNSKEY", "%d 3 %d %s" % (
            flags, self.alg, base64.b64encode(self.dnskey.key).decode()))
        k.tag = dns.dnssec.key_id(k.dnskey)
        k.base = None
        return k

    def text(self):
        return "%s %d IN DNSKEY %s" % (self.origin, TTL, self.dnskey.to_text())

    def _private_text(self):
        p = self.priv
        lines = ["Private-key-format: v1.2",
                 "Algorithm: %d (%s)" % (self.alg, ALG_NAMES[self.alg])]
        if self.alg in RSA_ALGS:
            n = p.private_numbers()
            pub = n.public_numbers
            lines += ["Modulus: " + _b64(pub.n),
                      "PublicExponent: " + _b64(pub.e),
                      "PrivateExponent: " + _b64(n.d),
                      "Prime1: " + _b64(n.p), "Prime2: " + _b64(n.q),
                      "Exponent1: " + _b64(n.dmp1),
                      "Exponent2: " + _b64(n.dmq1),
                      "Coefficient: " + _b64(n.iqmp)]
        elif self.alg in (13, 14):
            size = 32 if self.alg == 13 else 48
            lines.append("PrivateKey: " + _b64(p.private_numbers()
                                               .private_value, size))
        else:
            from cryptography.hazmat.primitives import serialization
            raw = p.private_bytes(serialization.Encoding.Raw,
                                  serialization.PrivateFormat.Raw,
                                  serialization.NoEncryption())
            lines.append("PrivateKey: " + base64.b64encode(raw).decode())
        return "\n".join(lines) + "\n"

    def write(self, keydir):
        base = os.path.join(keydir, "K%s+%03d+%05d" % (self.origin, self.alg,
                                                       self.tag))
        with open(base + ".private", "w") as f:
            f.write(self._private_text())
        with open(base + ".key", "w") as f:
            f.write(self.text() + "\n")
        self.base = base
        return base


def ds_rdata(origin, key, digest):
    """DS rdata text for key with digest type 1, 2 or 4."""
    wire = dns.name.from_text(origin).canonicalize().to_wire() + \
        key.dnskey.to_digestable()
    h = {1: hashlib.sha1, 2: hashlib.sha256, 4: hashlib.sha384}[digest]
    return "%d %d %d %s" % (key.tag, key.alg, digest,
                            h(wire).hexdigest().upper())


class ZoneSpec:
    """One zone: keys, denial method, validity, records.

    records: (owner, type, rdata) with owners relative to the origin ("@"
    for the apex) or absolute. ds: how the parent's DS RRset is made, a
    list of (kind, arg): ("key", digest) for each signing KSK,
    ("mismatch", digest), ("alg", n) for a DS naming an algorithm with
    the KSK's digest, ("digest", n) an unknown digest type, ("text",
    rdata). No list: no DS.
    """

    def __init__(self, origin, alg=13, nsec3=None, keys=None, records=(),
                 ds=(("key", 2),), inception=None, expiration=None,
                 publish=(), ns_extra=()):
        self.origin = origin
        self.alg = alg                  # None: unsigned
        self.nsec3 = nsec3              # None or (iterations, salt, optout)
        # [(alg, flags, bits)] signing keys; default a KSK and a ZSK.
        self.key_specs = keys if keys is not None else (
            [] if alg is None else [(alg, 257, None), (alg, 256, None)])
        self.publish_specs = list(publish)  # published, never signing
        self.records = list(records)
        self.ds_spec = list(ds) if ds else []
        self.inception = inception
        self.expiration = expiration
        self.children = []
        self.parent = None
        self.keys = []
        self.published = []
        self.ds = []
        self.variants = {}              # tag -> dict(records=..., keys=...)
        self.signed_path = None
        self.variant_paths = {}

    def add_variant(self, tag, records=None, drop_children=(), no_ds=(),
                    keys=None, inception=None, expiration=None):
        """Another signed version of this zone (for replays): other
        records, children not delegated or delegated without DS."""
        self.variants[tag] = dict(records=records,
                                  drop_children=set(drop_children),
                                  no_ds=set(no_ds),
                                  keys=keys, inception=inception,
                                  expiration=expiration)

    def make_keys(self):
        self.keys = [Key(self.origin, a, f, b) for a, f, b in self.key_specs]
        self.published = [Key(self.origin, a, f, b)
                          for a, f, b in self.publish_specs]

    def ksks(self):
        return [k for k in self.keys if k.flags & 1] or self.keys

    def make_ds(self):
        out = []
        ksks = self.ksks()
        for kind, arg in self.ds_spec:
            if kind == "key":
                out += [ds_rdata(self.origin, k, arg) for k in ksks]
            elif kind == "key-as":      # the KSK as published with flags
                out += [ds_rdata(self.origin, k.with_flags(arg), 2)
                        for k in ksks]
            elif kind == "key-of":      # a published-only key
                out += [ds_rdata(self.origin, k, 2) for k in self.published
                        if k.alg == arg]
            elif kind == "mismatch":
                k = ksks[0] if ksks else None
                tag, alg = (k.tag, k.alg) if k else (4242, 13)
                out.append("%d %d %d %s" % (tag, alg, arg, hashlib.sha256(
                    b"no key has this digest" + self.origin.encode())
                    .hexdigest().upper()[:{1: 40, 2: 64, 4: 96}[arg]]))
            elif kind == "alg":
                k = ksks[0]
                d = ds_rdata(self.origin, k, 2).split()
                out.append(" ".join([d[0], str(arg)] + d[2:]))
            elif kind == "digest":
                k = ksks[0]
                out.append("%d %d %d %s" % (k.tag, k.alg, arg,
                                            "AB" * 32))
            elif kind == "text":
                out.append(arg)
            else:
                raise GenError("unknown DS kind %r" % kind)
        self.ds = out

    # ---- zone text -------------------------------------------------------

    def abs_owner(self, owner):
        if owner == "@":
            return self.origin
        if owner.endswith("."):
            return owner
        return owner + ("." if self.origin == "." else "." + self.origin)

    def ns_name(self):
        return "ns1." + ("" if self.origin == "." else self.origin)

    def text(self, serial, records=None, drop_children=(), no_ds=()):
        o = self.origin
        lines = ["$TTL %d" % TTL,
                 "%s %d IN SOA %s hostmaster.%s %d 3600 600 86400 %d" % (
                     o, TTL, self.ns_name(), "" if o == "." else o, serial,
                     SOA_MINIMUM),
                 "%s IN NS %s" % (o, self.ns_name()),
                 "%s IN A 127.0.0.1" % self.ns_name()]
        for c in self.children:
            if c.origin in drop_children:
                continue
            lines.append("%s IN NS %s" % (c.origin, c.ns_name()))
            lines.append("%s IN A 127.0.0.1" % c.ns_name())
            for ds in ([] if c.origin in no_ds else c.ds):
                lines.append("%s IN DS %s" % (c.origin, ds))
        for k in self.published:
            lines.append(k.text())
        for owner, t, rdata in (self.records if records is None
                                else records):
            lines.append("%s IN %s %s" % (self.abs_owner(owner), t, rdata))
        return "\n".join(lines) + "\n"

    def sign_cmd(self, unsigned, signed, keys, inception, expiration):
        cmd = ["ldns-signzone", "-o", self.origin, "-f", signed]
        if self.nsec3 is not None:
            it, salt, optout = self.nsec3
            cmd += ["-n", "-t", str(it)]
            if salt:
                cmd += ["-s", salt]
            if optout:
                cmd.append("-p")
        cmd += ["-i", ldns_time(inception), "-e", ldns_time(expiration)]
        return cmd + [unsigned] + [k.base for k in keys]


def link(zones):
    """Set parent/children from the names (longest proper suffix)."""
    byname = {z.origin: z for z in zones}
    for z in zones:
        if z.origin == ".":
            continue
        labels = z.origin.split(".")
        for i in range(1, len(labels)):
            cand = ".".join(labels[i:]) or "."
            if cand in byname:
                z.parent = byname[cand]
                z.parent.children.append(z)
                break
        if z.parent is None:
            raise GenError("%s has no parent zone" % z.origin)


def _run(cmd):
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise GenError("%s: %s" % (" ".join(cmd[:6]), p.stderr.strip()))


def zone_file(origin):
    return "root" if origin == "." else origin[:-1]


def build(zones, d, now, jobs=2):
    """Keys, DS records, zone files and signatures for zones (children
    before parents need their DS, so keys come first)."""
    import concurrent.futures
    keydir = os.path.join(d, "keys")
    zdir = os.path.join(d, "zones")
    vdir = os.path.join(d, "variants")
    for x in (keydir, zdir, vdir):
        os.makedirs(x, exist_ok=True)
    for z in zones:
        z.make_keys()
        for k in z.keys + z.published:
            k.write(keydir)
    for z in zones:
        z.make_ds()
    serial = int(now) & 0x7FFFFFFF

    def sign_one(z):
        base = os.path.join(zdir, zone_file(z.origin))
        with open(base + ".unsigned", "w") as f:
            f.write(z.text(serial))
        inc = z.inception if z.inception is not None else now - 86400
        exp = z.expiration if z.expiration is not None else now + 30 * 86400
        if z.alg is None:
            os.replace(base + ".unsigned", base + ".zone")
        else:
            _run(z.sign_cmd(base + ".unsigned", base + ".zone", z.keys, inc,
                            exp))
        z.signed_path = base + ".zone"
        for tag, v in z.variants.items():
            vb = os.path.join(vdir, "%s@%s" % (zone_file(z.origin), tag))
            with open(vb + ".unsigned", "w") as f:
                f.write(z.text(serial - 1, v["records"], v["drop_children"],
                               v["no_ds"]))
            keys = v["keys"](z) if v["keys"] else z.keys
            for k in keys:
                if k.base is None:
                    k.write(keydir)
            _run(z.sign_cmd(vb + ".unsigned", vb + ".zone", keys,
                            v["inception"] if v["inception"] is not None
                            else inc,
                            v["expiration"] if v["expiration"] is not None
                            else exp))
            z.variant_paths[tag] = vb + ".zone"

    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        list(ex.map(sign_one, zones))


def load(path, origin):
    return dns.zone.from_file(path, origin=origin, relativize=False,
                              check_origin=False)


def resign(rrset, key, signer, inception, expiration):
    """An RRSIG RRset over rrset by key, with the given window."""
    sig = dns.dnssec.sign(rrset, key.priv, dns.name.from_text(signer),
                          key.dnskey, inception=int(inception) & 0xFFFFFFFF,
                          expiration=int(expiration) & 0xFFFFFFFF)
    return dns.rrset.from_rdata(rrset.name, rrset.ttl, sig)
