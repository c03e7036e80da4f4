#!/usr/bin/env python3
"""The local test world: a private DNSSEC hierarchy on NSD, a validating
unbound, stayrtr, nginx with a local CA, and two "silent" listeners, all on
127.0.0.1 high ports.

    world.py up DIR [--port-base N] [--bulk-signed N] [--bulk-names M]
    world.py down DIR
    world.py selftest DIR

See README.md in this directory for the zone-file options, the port layout
and the files written to DIR.
"""

import argparse
import base64
import concurrent.futures
import datetime
import hashlib
import json
import os
import random
import re
import selectors
import shlex
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ZONES_SRC = os.path.join(HERE, "zones")
HTTPS_SRC = os.path.join(HERE, "https")
VRPS_SRC = os.path.join(HERE, "vrps.json")

DEFAULT_PORT_BASE = 15300
# Offsets from the port base. Keep in sync with README.md.
PORTS = {
    "nsd": 0,           # authoritative DNS, UDP+TCP
    "unbound": 1,       # validating resolver, UDP+TCP
    "rtr": 2,           # stayrtr RTR
    "rtr_metrics": 3,   # stayrtr HTTP metrics
    "https": 4,         # nginx TLS
    "blackhole": 5,     # DNS listener that never answers, UDP+TCP
    "rtr_silent": 6,    # RTR listener that accepts and never sends
}
DAEMONS = ("nsd", "unbound", "stayrtr", "nginx", "sink", "odd-https")
# Subdirectories and files of DIR that `up` owns and may delete.
GENERATED = ("conf", "keys", "zones", "run", "logs", "ca", "nginx",
             "unbound", "nsd", "rtr", "root-anchor.key", "world.env",
             "world.json", "bulk-zones.txt", "bulk-names.txt")

ALGORITHMS = {
    # number: (ldns-keygen name, default bits or None)
    5: ("RSASHA1", 2048),
    7: ("RSASHA1-NSEC3-SHA1", 2048),
    8: ("RSASHA256", 2048),
    10: ("RSASHA512", 2048),
    13: ("ECDSAP256SHA256", None),
    14: ("ECDSAP384SHA384", None),
    15: ("ED25519", None),
    16: ("ED448", None),
}
DS_MODES = ("yes", "no", "mismatch", "unknown-alg", "sha1")
OPTION_DEFAULTS = {
    "sign": "none", "rsabits": None, "nsec": "nsec", "iterations": "0",
    "salt": "-", "optout": "no", "ds": "yes", "expire": None,
    "inception": None, "server": "nsd", "domain": "yes",
}
DEFAULT_TTL = 3600
SOA_MINIMUM = 60
# Bulk (benchmark) zones keep negative answers an hour, as real zones
# commonly do (RFC 2308 §5 suggests one to three hours): with 60 s, the
# answers a warm-up put into the resolver's cache expire while a 50,000-
# domain survey runs, and the benchmark would measure NSD, not the cache.
BULK_SOA_MINIMUM = 3600
UNKNOWN_DS_ALG = 253


class WorldError(Exception):
    pass


# ---------------------------------------------------------------------------
# Names and DNS wire helpers

def fqdn(name):
    name = name.strip().lower()
    return name if name.endswith(".") else name + "."


def absolute(owner, origin):
    """Zone-file owner (relative, '@' or absolute) to a lower-case FQDN."""
    if owner == "@":
        return origin
    if owner.endswith("."):
        return owner.lower()
    return owner.lower() + ("." if origin == "." else "." + origin)


def is_subdomain(name, zone):
    return zone == "." or name == zone or name.endswith("." + zone)


def name_wire(name):
    out = b""
    name = fqdn(name)
    for label in ([] if name == "." else name.split(".")[:-1]):
        raw = label.encode("ascii")
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def key_tag(rdata):
    acc = 0
    for i, b in enumerate(rdata):
        acc += b if i & 1 else b << 8
    return (acc + (acc >> 16)) & 0xFFFF


def parse_time(value, now):
    """YYYYMMDD[hhmmss] (UTC) or a signed duration such as -2d, +1h, 30m."""
    if re.fullmatch(r"\d{8}(\d{6})?", value):
        fmt = "%Y%m%d%H%M%S" if len(value) == 14 else "%Y%m%d"
        dt = datetime.datetime.strptime(value, fmt)
        return int(dt.replace(tzinfo=datetime.timezone.utc).timestamp())
    m = re.fullmatch(r"([+-]?)(\d+)([smhdw]?)", value)
    if not m:
        raise WorldError("bad time %r (want YYYYMMDD[hhmmss] or ±N[smhdw])"
                         % value)
    unit = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    secs = int(m.group(2)) * unit[m.group(3)]
    return now - secs if m.group(1) == "-" else now + secs


def ldns_time(ts):
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(ts))


# ---------------------------------------------------------------------------
# Zone sources

class Zone:
    """One zone of the world: its origin, options, body and, once built,
    its keys and the DS records for its parent."""

    def __init__(self, origin, opts, body, records, tampers, source):
        self.origin = origin
        self.opts = opts
        self.body = body            # text appended verbatim
        self.records = records      # [(owner_fqdn, type, rdata_text)]
        # [(owner_fqdn, type, new_rdata)]; rdata None: strip its RRSIGs
        self.tampers = tampers
        self.source = source
        self.parent = None
        self.children = []
        self.ksk = self.zsk = None  # dicts from make_key()
        self.ds = []                # DS rdata texts for the parent

    @property
    def alg(self):
        return None if self.opts["sign"] == "none" else int(self.opts["sign"])

    def apex_ns(self):
        ns = [r for o, t, r in self.records if o == self.origin and t == "NS"]
        return [absolute(n.split()[0], self.origin) for n in ns]

    def has_own_ns(self):
        return bool(self.apex_ns())

    def ns_names(self):
        return self.apex_ns() or [absolute("ns1", self.origin)]

    def addresses(self, name):
        return [(t, r) for o, t, r in self.records
                if o == name and t in ("A", "AAAA")]


def origin_from_filename(fname):
    base = fname[:-len(".zone")]
    if base in ("root", "", "."):
        return "."
    return fqdn(base)


def bomb_lines(kind, tail, origin, source):
    """(owner, TXT rdata) for `bomb=OWNER STRINGS LENGTH [FIRST]` (one TXT RR
    of STRINGS character-strings: FIRST, then LENGTH bytes of "a" each) or
    `bombrrs=OWNER COUNT PREFIX` (COUNT TXT RRs "PREFIX0", "PREFIX1", ...):
    records too big to write by hand."""
    parts = tail.split(None, 3 if kind == "bomb" else 2)
    try:
        owner, count = absolute(parts[0], origin), int(parts[1])
        if kind == "bomb":
            length = int(parts[2])
            first = parts[3] if len(parts) > 3 else None
        else:
            prefix = parts[2]
    except (IndexError, ValueError):
        raise WorldError("%s: want bomb=OWNER STRINGS LENGTH [FIRST] or "
                         "bombrrs=OWNER COUNT PREFIX" % source)
    if kind == "bombrrs":
        return [(owner, '"%s%d"' % (prefix, i)) for i in range(count)]
    strings = ['"%s"' % ("a" * length)] * count
    if first is not None and count:
        strings[0] = '"%s"' % first
    return [(owner, " ".join(strings))]


def parse_options(line, opts, tampers, origin, source, extra):
    rest = line.split("@world", 1)[1]
    # tamper=, strip=, bomb= and bombrrs= take the rest of the line.
    m = re.search(r"(?:^|\s)(tamper|strip|bomb|bombrrs)=", rest)
    tail = None
    if m:
        rest, tail = rest[:m.start()], rest[m.end():].strip().strip("'\"")
    for tok in shlex.split(rest):
        if "=" not in tok:
            raise WorldError("%s: option %r is not KEY=VALUE" % (source, tok))
        key, val = tok.split("=", 1)
        if key not in OPTION_DEFAULTS:
            raise WorldError("%s: unknown option %r" % (source, key))
        opts[key] = val
    if m and m.group(1) in ("bomb", "bombrrs"):
        extra.extend(bomb_lines(m.group(1), tail, origin, source))
    elif m and m.group(1) == "tamper":
        parts = tail.split(None, 2)
        if len(parts) != 3:
            raise WorldError("%s: tamper wants OWNER TYPE RDATA" % source)
        tampers.append((absolute(parts[0], origin), parts[1].upper(),
                        parts[2]))
    elif m:
        parts = tail.split()
        if len(parts) != 2:
            raise WorldError("%s: strip wants OWNER TYPE" % source)
        tampers.append((absolute(parts[0], origin), parts[1].upper(), None))


def strip_comment(line):
    out, quoted, escaped = [], False, False
    for ch in line:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            break
        out.append(ch)
    return "".join(out)


def parse_records(text, origin, source):
    """A small reader for the records of a zone body: enough to know the
    owners and types (apex NS, host addresses, tamper targets). The body
    itself goes to the zone file verbatim, so the real parser is NSD's."""
    records, owner, pending = [], origin, ""
    for raw in text.splitlines():
        line = strip_comment(raw)
        if pending:
            line = pending + " " + line.strip()
            pending = ""
        if line.count("(") > line.count(")"):
            pending = line
            continue
        if not line.strip():
            continue
        line = line.replace("(", " ").replace(")", " ")
        if line.startswith("$"):
            if line.split()[0].upper() == "$ORIGIN":
                raise WorldError("%s: $ORIGIN is not supported in zone "
                                 "bodies; use absolute names" % source)
            continue
        toks = line.split()
        if not line[0].isspace():
            owner = absolute(toks.pop(0), origin)
        while toks and (toks[0].isdigit() or toks[0].upper() in ("IN", "CH")):
            toks.pop(0)
        if not toks:
            raise WorldError("%s: cannot read %r" % (source, raw))
        records.append((owner, toks[0].upper(), " ".join(toks[1:])))
    return records


def load_zone(path):
    fname = os.path.basename(path)
    origin = origin_from_filename(fname)
    opts = dict(OPTION_DEFAULTS)
    tampers, extra = [], []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for line in text.splitlines():
        if line.lstrip().startswith(";") and "@world" in line:
            parse_options(line, opts, tampers, origin, path, extra)
    check_options(opts, path)
    records = parse_records(text, origin, path)
    if extra:
        # Appended after parsing: strip_comment() over a 180 KB line is slow.
        text += "\n; ---- bomb= and bombrrs= ----\n" + "".join(
            "%s TXT %s\n" % r for r in extra)
        records += [(o, "TXT", r) for o, r in extra]
    for o, t, _ in tampers:
        if not any(ro == o and rt == t for ro, rt, _ in records):
            raise WorldError("%s: tamper/strip target %s %s is not in the zone"
                             % (path, o, t))
    return Zone(origin, opts, text, records, tampers, path)


def check_options(opts, where):
    def bad(key, want):
        raise WorldError("%s: %s=%s, want %s" % (where, key, opts[key], want))
    if opts["sign"] != "none" and (not opts["sign"].isdigit() or
                                   int(opts["sign"]) not in ALGORITHMS):
        bad("sign", "none or one of %s" % sorted(ALGORITHMS))
    if opts["rsabits"] is not None and not opts["rsabits"].isdigit():
        bad("rsabits", "a number of bits")
    if opts["nsec"] not in ("nsec", "nsec3"):
        bad("nsec", "nsec|nsec3")
    if not opts["iterations"].isdigit():
        bad("iterations", "a number")
    if opts["salt"] != "-" and not re.fullmatch(r"[0-9a-fA-F]+", opts["salt"]):
        bad("salt", "hex or -")
    if opts["optout"] not in ("yes", "no"):
        bad("optout", "yes|no")
    if any(m not in DS_MODES for m in opts["ds"].split(",")):
        bad("ds", "|".join(DS_MODES) + " (comma-separated)")
    if opts["server"] not in ("nsd", "blackhole", "lame"):
        bad("server", "nsd|blackhole|lame")
    if opts["domain"] not in ("yes", "no"):
        bad("domain", "yes|no")
    for key in ("expire", "inception"):
        if opts[key] is not None:
            parse_time(opts[key], 0)


def load_zones():
    zones = {}
    paths = sorted(os.path.join(top, f) for top, _, files in
                   os.walk(ZONES_SRC) for f in files if f.endswith(".zone"))
    for path in paths:
        z = load_zone(path)
        if z.origin in zones:
            raise WorldError("zone %s defined twice: %s and %s" % (
                z.origin, zones[z.origin].source, path))
        zones[z.origin] = z
    if "." not in zones:
        raise WorldError("no root zone (zones/root.zone)")
    return zones


def link_zones(zones):
    for z in zones.values():
        if z.origin == ".":
            continue
        parents = [p for p in zones if p != z.origin and
                   is_subdomain(z.origin, p)]
        z.parent = zones[max(parents, key=len)]
        z.parent.children.append(z)


# ---------------------------------------------------------------------------
# Bulk zones for benchmarks

def bulk_zones(zones, n_signed, n_names):
    """Adds bench.jp (signed), N signed children z1..zN.bench.jp and
    names.bench.jp with h1..hM. Returns (zone names, host names)."""
    if "jp." not in zones:
        raise WorldError("bulk zones need zones/jp.zone")
    def mk(origin, sign, body):
        opts = dict(OPTION_DEFAULTS, sign=sign, domain="no")
        recs = parse_records(body, origin, origin)
        return Zone(origin, opts, body, recs, [], "<bulk>")
    zones["bench.jp."] = mk("bench.jp.", "13", "")
    zone_names = []
    for i in range(1, n_signed + 1):
        origin = "z%d.bench.jp." % i
        body = ("@ MX 10 mx\nmx A 127.0.0.1\n"
                "@ TXT \"v=spf1 ip4:127.0.0.1 -all\"\n")
        zones[origin] = mk(origin, "13", body)
        zone_names.append(origin[:-1])
    host_names = []
    if n_names:
        lines = []
        for i in range(1, n_names + 1):
            lines.append("h%d A 10.%d.%d.%d\n" % (i, (i >> 16) & 255,
                                                   (i >> 8) & 255, i & 255))
            host_names.append("h%d.names.bench.jp" % i)
        body = "".join(lines)
        # Only the owners matter to the generator; skip parsing M lines.
        z = Zone("names.bench.jp.", dict(OPTION_DEFAULTS, domain="no"),
                 body, [], [], "<bulk>")
        zones["names.bench.jp."] = z
    return zone_names, host_names


# ---------------------------------------------------------------------------
# Keys, DS, signing

def run(cmd, cwd=None, check=True):
    p = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if check and p.returncode != 0:
        raise WorldError("%s failed (%d): %s" % (" ".join(cmd), p.returncode,
                                                 p.stderr.strip()))
    return p


def make_key(z, ksk, keydir):
    name, bits = ALGORITHMS[z.alg]
    if z.opts["rsabits"] and bits:
        bits = int(z.opts["rsabits"])
    cmd = ["ldns-keygen", "-a", name]
    if bits:
        cmd += ["-b", str(bits)]
    if ksk:
        cmd.append("-k")
    cmd.append(z.origin)
    base = run(cmd, cwd=keydir).stdout.strip()
    path = os.path.join(keydir, base)
    with open(path + ".key") as f:
        toks = strip_comment(f.read()).split()
    i = toks.index("DNSKEY")
    flags, proto, alg = int(toks[i + 1]), int(toks[i + 2]), int(toks[i + 3])
    pub = base64.b64decode("".join(toks[i + 4:]))
    rdata = struct.pack("!HBB", flags, proto, alg) + pub
    text = "%s %d IN DNSKEY %d %d %d %s" % (
        z.origin, DEFAULT_TTL, flags, proto, alg,
        base64.b64encode(pub).decode())
    return {"path": path, "tag": key_tag(rdata), "alg": alg, "rdata": rdata,
            "text": text}


def make_key_p256(z, ksk, keydir):
    """An ECDSAP256SHA256 key made in-process, in ldns's file format. The
    bulk zones use it: thousands of ldns-keygen processes cost more than
    their signing. Returns None when python3-cryptography is missing."""
    try:
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:
        return None
    priv = ec.generate_private_key(ec.SECP256R1())
    nums = priv.private_numbers()
    d = nums.private_value.to_bytes(32, "big")
    pub = (nums.public_numbers.x.to_bytes(32, "big") +
           nums.public_numbers.y.to_bytes(32, "big"))
    flags = 257 if ksk else 256
    rdata = struct.pack("!HBB", flags, 3, 13) + pub
    tag = key_tag(rdata)
    b64 = base64.b64encode(pub).decode()
    path = os.path.join(keydir, "K%s+013+%05d" % (z.origin, tag))
    with open(path + ".private", "w") as f:
        f.write("Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\n"
                "PrivateKey: %s\n" % base64.b64encode(d).decode())
    text = "%s %d IN DNSKEY %d 3 13 %s" % (z.origin, DEFAULT_TTL, flags, b64)
    with open(path + ".key", "w") as f:
        f.write(text + "\n")
    return {"path": path, "tag": tag, "alg": 13, "rdata": rdata,
            "text": text}


def make_ds(z):
    """DS rdata for the parent. An unsigned zone has no key to hash: only
    `mismatch` and `unknown-alg` give it a DS (one for a key that does not
    exist, as when a zone is unsigned and its DS left behind)."""
    owner = name_wire(z.origin)
    k = z.ksk or {"tag": 4242, "alg": 13, "rdata": b"no such key"}
    out = []
    for mode in z.opts["ds"].split(","):
        if not z.ksk and mode not in ("mismatch", "unknown-alg"):
            continue
        if mode == "yes":
            out.append("%d %d 2 %s" % (k["tag"], k["alg"], hashlib.sha256(
                owner + k["rdata"]).hexdigest()))
        elif mode == "sha1":
            out.append("%d %d 1 %s" % (k["tag"], k["alg"], hashlib.sha1(
                owner + k["rdata"]).hexdigest()))
        elif mode == "mismatch":
            out.append("%d %d 2 %s" % (k["tag"], k["alg"], hashlib.sha256(
                b"no key has this digest" + owner).hexdigest()))
        elif mode == "unknown-alg":
            out.append("%d %d 2 %s" % (k["tag"], UNKNOWN_DS_ALG,
                                       hashlib.sha256(owner + k["rdata"])
                                       .hexdigest()))
    return out


def zone_filename(origin):
    return "root.zone" if origin == "." else origin[:-1] + ".zone"


def unsigned_text(z, serial):
    o = z.origin
    ns = z.ns_names()
    lines = ["$ORIGIN %s" % o, "$TTL %d" % DEFAULT_TTL,
             "%s %d IN SOA %s hostmaster.%s %d 3600 600 86400 %d" % (
                 o, DEFAULT_TTL, ns[0], "" if o == "." else o, serial,
                 BULK_SOA_MINIMUM if z.source == "<bulk>" else SOA_MINIMUM)]
    if not z.has_own_ns():
        lines.append("%s IN NS %s" % (o, ns[0]))
        lines.append("%s IN A 127.0.0.1" % ns[0])
    for c in z.children:
        for n in c.ns_names():
            lines.append("%s IN NS %s" % (c.origin, n))
            if not is_subdomain(n, c.origin):
                continue
            glue = c.addresses(n) if c.has_own_ns() else [("A", "127.0.0.1")]
            for t, r in glue:
                lines.append("%s IN %s %s" % (n, t, r))
        for ds in c.ds:
            lines.append("%s IN DS %s" % (c.origin, ds))
    lines.append("; ---- body of %s ----" % os.path.relpath(z.source, HERE)
                 if z.source != "<bulk>" else "; ---- bulk body ----")
    return "\n".join(lines) + "\n" + z.body + "\n"


def sign_cmd(z, unsigned, signed, now):
    o = z.opts
    cmd = ["ldns-signzone", "-o", z.origin, "-f", signed]
    if o["nsec"] == "nsec3":
        cmd += ["-n", "-t", o["iterations"]]
        if o["salt"] != "-":
            cmd += ["-s", o["salt"]]
        if o["optout"] == "yes":
            cmd.append("-p")
    exp = parse_time(o["expire"], now) if o["expire"] else None
    inc = parse_time(o["inception"], now) if o["inception"] else None
    if exp is not None and inc is None:
        inc = min(now, exp) - 30 * 86400
    if inc is not None and exp is None:
        exp = max(now, inc) + 30 * 86400
    if exp is not None:
        cmd += ["-e", ldns_time(exp), "-i", ldns_time(inc)]
    return cmd + [unsigned, z.ksk["path"], z.zsk["path"]]


def apply_tampers(z, signed):
    """After signing: tamper changes one record's rdata and keeps its
    RRSIG; strip deletes the RRSIGs that cover an RRset."""
    with open(signed) as f:
        lines = f.read().splitlines()
    for owner, rtype, rdata in z.tampers:
        hits = []
        for i, line in enumerate(lines):
            f = line.split("\t")
            if len(f) < 5 or f[0].lower() != owner:
                continue
            if rdata is not None and f[3] == rtype:
                lines[i] = "\t".join(f[:4] + [rdata])
                hits.append(i)
                break
            if rdata is None and f[3] == "RRSIG" and \
                    f[4].split()[0] == rtype:
                hits.append(i)
        if not hits:
            raise WorldError("%s: tamper/strip target %s %s not in the "
                             "signed zone" % (z.source, owner, rtype))
        if rdata is None:
            lines = [l for i, l in enumerate(lines) if i not in hits]
    with open(signed, "w") as f:
        f.write("\n".join(lines) + "\n")


def build_zones(zones, d, jobs):
    keys_dir = os.path.join(d, "keys")
    zones_dir = os.path.join(d, "zones")
    os.makedirs(keys_dir)
    os.makedirs(zones_dir)
    signed = [z for z in zones.values() if z.alg]
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        def keys(z):
            kd = os.path.join(keys_dir, zone_filename(z.origin)[:-5])
            os.makedirs(kd)
            if z.source == "<bulk>" and z.alg == 13:
                z.ksk = make_key_p256(z, True, kd)
                z.zsk = make_key_p256(z, False, kd)
            if not z.ksk or not z.zsk:
                z.ksk = make_key(z, True, kd)
                z.zsk = make_key(z, False, kd)
            z.ds = make_ds(z)
        list(ex.map(keys, signed))
        for z in zones.values():
            if not z.alg:
                z.ds = make_ds(z)
        serial = int(time.time())
        now = int(time.time())

        def write_and_sign(z):
            base = os.path.join(zones_dir, zone_filename(z.origin))
            unsigned = base + ".unsigned" if z.alg else base
            with open(unsigned, "w") as f:
                f.write(unsigned_text(z, serial))
            if z.alg:
                run(sign_cmd(z, unsigned, base, now))
                if z.tampers:
                    apply_tampers(z, base)
        list(ex.map(write_and_sign, zones.values()))
    root = zones["."]
    if not root.alg:
        raise WorldError("the root zone must be signed (sign=...)")
    anchor = os.path.join(d, "root-anchor.key")
    with open(anchor, "w") as f:
        f.write(root.ksk["text"] + "\n")
    return anchor


# ---------------------------------------------------------------------------
# HTTPS hosts and the local CA

def read_marker(h, marker):
    path = os.path.join(HTTPS_SRC, h, marker)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return f.read().strip()


def https_hosts(zones):
    """host -> certificate kind, and host -> behaviour of the hosts the
    stand-in server answers for (`.world-serve`)."""
    if not os.path.isdir(HTTPS_SRC):
        return {}, {}
    hosts, served = {}, {}
    for h in sorted(os.listdir(HTTPS_SRC)):
        if not os.path.isdir(os.path.join(HTTPS_SRC, h)):
            continue
        if h != h.lower():
            raise WorldError("https/%s: host directories are lower case" % h)
        serve = read_marker(h, SERVE_MARKER)
        if serve is not None:
            if serve not in SERVE_KINDS and not re.fullmatch(
                    r"status-[1-5]\d\d", serve):
                raise WorldError("https/%s/%s: want one of %s or "
                                 "status-NNN" % (h, SERVE_MARKER,
                                                 ", ".join(SERVE_KINDS)))
            served[h] = serve
        addr = ODD_ADDR if serve is not None else "127.0.0.1"
        name = fqdn(h)
        owner = [z for z in zones if is_subdomain(name, z)]
        z = zones[max(owner, key=len)]
        if ("A", addr) not in z.addresses(name):
            raise WorldError("https/%s: add '%s A %s' to %s" % (
                h, name, addr, os.path.relpath(z.source, HERE)))
        hosts[h] = "valid"
        marker = os.path.join(HTTPS_SRC, h, CERT_MARKER)
        if os.path.exists(marker):
            with open(marker) as f:
                hosts[h] = f.read().strip()
            if hosts[h] not in CERT_KINDS:
                raise WorldError("https/%s/%s: want one of %s" % (
                    h, CERT_MARKER, ", ".join(CERT_KINDS)))
    return hosts, served


# Hosts with a `.world-serve` file are answered by a stand-in HTTPS server
# (run_odd_https) on ODD_ADDR, at the same port as nginx: things nginx
# will not do. Nothing listens on REFUSE_ADDR, so a connection there is
# refused.
SERVE_MARKER = ".world-serve"
SERVE_KINDS = ("endless", "drip", "huge", "truncated", "redirect",
               "garbage", "close", "tls-abort")
ODD_ADDR = "127.0.0.3"
REFUSE_ADDR = "127.0.0.2"


CERT_MARKER = ".world-cert"
# valid: from the shared certificate (signed by the world CA, every valid
# host in its SAN list). The others get a certificate of their own.
CERT_KINDS = ("valid", "expired", "not-yet-valid", "wrong-name",
              "untrusted", "self-signed")


def make_host_cert(ca, host, kind):
    """A leaf certificate that is wrong in the way `kind` says, made with
    python3-cryptography (openssl x509 -req cannot set a past start date)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(cn):
        return x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "hygiene test world"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    key = ec.generate_private_key(ec.SECP256R1())
    with open(os.path.join(ca, "ca.key"), "rb") as f:
        signer = serialization.load_pem_private_key(f.read(), None)
    issuer = name("hygiene world CA")
    if kind == "untrusted":
        signer = ec.generate_private_key(ec.SECP256R1())
        issuer = name("hygiene untrusted CA")
    elif kind == "self-signed":
        signer, issuer = key, name(host)
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    start, end = now - day, now + 825 * day
    if kind == "expired":
        start, end = now - 60 * day, now - 30 * day
    elif kind == "not-yet-valid":
        start, end = now + 30 * day, now + 60 * day
    san = "wrong-name.invalid" if kind == "wrong-name" else host
    cert = (x509.CertificateBuilder()
            .subject_name(name(san)).issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                           critical=True)
            .sign(signer, hashes.SHA256()))
    base = os.path.join(ca, "host-" + host)
    with open(base + ".crt", "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(base + ".key", "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return base


def make_ca(d, hosts):
    ca = os.path.join(d, "ca")
    os.makedirs(ca)
    p = lambda n: os.path.join(ca, n)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    run(["openssl", "req", "-x509", "-nodes", "-days", "3650"] + ec +
        ["-keyout", p("ca.key"), "-out", p("ca.crt"),
         "-subj", "/O=hygiene test world/CN=hygiene world CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    shared = [h for h, kind in hosts.items() if kind == "valid"]
    san = ",".join("DNS:" + h for h in shared + ["localhost"])
    with open(p("server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=%s,IP:127.0.0.1\n" % san)
    run(["openssl", "req", "-new", "-nodes"] + ec +
        ["-keyout", p("server.key"), "-out", p("server.csr"),
         "-subj", "/O=hygiene test world/CN=%s" % (shared + ["localhost"])[0]])
    run(["openssl", "x509", "-req", "-in", p("server.csr"), "-CA", p("ca.crt"),
         "-CAkey", p("ca.key"), "-CAcreateserial", "-days", "825",
         "-extfile", p("server.ext"), "-out", p("server.crt")])
    for h, kind in hosts.items():
        if kind != "valid":
            make_host_cert(ca, h, kind)
    return p("ca.crt")


# ---------------------------------------------------------------------------
# Daemon configuration

def nsd_conf(d, zones, port):
    ds = os.path.join(d, "nsd")
    os.makedirs(ds)
    out = ["server:",
           "  ip-address: 127.0.0.1@%d" % port,
           "  do-ip6: no",
           "  server-count: 1",
           "  username: \"\"",
           "  chroot: \"\"",
           "  database: \"\"",
           "  zonesdir: \"%s\"" % os.path.join(d, "zones"),
           "  zonelistfile: \"%s\"" % os.path.join(ds, "zone.list"),
           "  xfrdfile: \"%s\"" % os.path.join(ds, "xfrd.state"),
           "  xfrdir: \"%s\"" % ds,
           "  pidfile: \"%s\"" % os.path.join(ds, "nsd.pid"),
           "  logfile: \"%s\"" % os.path.join(d, "logs", "nsd.log"),
           "  verbosity: 1",
           "  tcp-count: 1000",
           "  zonefiles-write: 0",
           # Every query comes from 127.0.0.1: rate limiting would drop
           # answers under any burst.
           "  rrl-ratelimit: 0",
           "  rrl-whitelist-ratelimit: 0",
           "remote-control:",
           "  control-enable: no"]
    for z in sorted(zones.values(), key=lambda z: z.origin):
        if z.opts["server"] == "lame":
            continue    # delegated, but NSD does not serve it
        out += ["zone:", "  name: \"%s\"" % z.origin,
                "  zonefile: \"%s\"" % zone_filename(z.origin)]
    return "\n".join(out) + "\n"


def unbound_conf(d, zones, ports, anchor):
    ud = os.path.join(d, "unbound")
    os.makedirs(ud)
    bulk = any(z.source == "<bulk>" for z in zones.values())
    out = ["server:",
           "  interface: 127.0.0.1"] + (
           ["  interface: ::1"] if have_ipv6_loopback() else []) + [
           "  port: %d" % ports["unbound"],
           # Listening on ::1 needs do-ip6; queries still go to the
           # 127.0.0.1 stub addresses only.
           "  do-ip6: %s" % ("yes" if have_ipv6_loopback() else "no"),
           "  do-daemonize: no",
           "  username: \"\"",
           "  chroot: \"\"",
           "  directory: \"%s\"" % ud,
           "  pidfile: \"%s\"" % os.path.join(ud, "unbound.pid"),
           "  logfile: \"%s\"" % os.path.join(d, "logs", "unbound.log"),
           "  use-syslog: no",
           "  verbosity: 1",
           "  val-log-level: 2",
           "  log-servfail: yes",
           "  num-threads: 1",
           "  num-queries-per-thread: 4096",
           "  outgoing-range: 8192",
           # A 50,000-domain benchmark's answers (715k messages with their
           # RRSIGs) overflow 128m/256m; a survey then walks its list in
           # order and an LRU cache that cannot hold the whole list misses
           # on every query. unbound allocates as entries arrive.
           "  msg-cache-size: %s" % ("1g" if bulk else "128m"),
           "  rrset-cache-size: %s" % ("2g" if bulk else "256m"),
           "  access-control: 127.0.0.0/8 allow",
           # Glue carries no port: the world's servers are reached through
           # one stub-zone per zone, on 127.0.0.1.
           "  do-not-query-localhost: no",
           "  module-config: \"validator iterator\"",
           "  trust-anchor-file: \"%s\"" % anchor,
           "  harden-dnssec-stripped: yes",
           # Signatures that expired or start in the future must fail
           # now, not only after the default skew of up to a day.
           "  val-sig-skew-min: 60",
           "  val-sig-skew-max: 300",
           # Tests want short negative caching; a benchmark world keeps
           # its bulk zones' hour-long negative answers (BULK_SOA_MINIMUM).
           "  cache-max-negative-ttl: %d" % (
               BULK_SOA_MINIMUM if bulk else 60),
           "  infra-host-ttl: 60",
           "remote-control:",
           "  control-enable: no"]
    for z in sorted(zones.values(), key=lambda z: z.origin):
        port = ports["blackhole" if z.opts["server"] == "blackhole"
                     else "nsd"]
        out += ["stub-zone:", "  name: \"%s\"" % z.origin,
                "  stub-addr: 127.0.0.1@%d" % port]
    return "\n".join(out) + "\n"


def have_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def nginx_conf(d, hosts, served, port):
    nd = os.path.join(d, "nginx")
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        os.makedirs(os.path.join(nd, sub))
    ca = os.path.join(d, "ca")
    out = ["worker_processes 1;", "daemon off;",
           "pid \"%s\";" % os.path.join(nd, "nginx.pid"),
           "error_log \"%s\" info;" % os.path.join(d, "logs",
                                                  "nginx-error.log"),
           "events { worker_connections 1024; }",
           "http {",
           "  types { text/plain txt; application/json json; "
           "text/html html; }",
           "  default_type application/octet-stream;",
           "  access_log \"%s\";" % os.path.join(d, "logs",
                                               "nginx-access.log"),
           "  ssl_certificate \"%s\";" % os.path.join(ca, "server.crt"),
           "  ssl_certificate_key \"%s\";" % os.path.join(ca, "server.key"),
           "  ssl_protocols TLSv1.2 TLSv1.3;",
           "  server_tokens off;",
           "  autoindex off;"]
    if os.geteuid() == 0:
        out.insert(0, "user root root;")
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        key = "client_body" if sub == "body" else sub
        out.append("  %s_temp_path \"%s\";" % (key, os.path.join(nd, sub)))
    out.append("  server { listen 127.0.0.1:%d ssl default_server; "
               "server_name _; return 404; }" % port)
    for h, kind in hosts.items():
        if h in served:
            continue
        cert = ""
        if kind != "valid":
            base = os.path.join(ca, "host-" + h)
            cert = ("ssl_certificate \"%s.crt\"; ssl_certificate_key "
                    "\"%s.key\"; " % (base, base))
        out.append("  server { listen 127.0.0.1:%d ssl; server_name %s; %s"
                   "root \"%s\"; location / { try_files $uri =404; } "
                   "location = /%s { return 404; } }"
                   % (port, h, cert, os.path.join(HTTPS_SRC, h), CERT_MARKER))
    out.append("}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# Processes

def pidfile(d, name):
    return os.path.join(d, "run", name + ".pid")


def proc_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None


def ours(pid, d):
    """True when pid is alive and was started for world directory d (its
    command line names a path inside d)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv = f.read().decode(errors="replace").split("\0")
    except OSError:
        return False
    # nginx rewrites its title into one string: split that too.
    words = [w for a in argv for w in a.split()]
    d = d.rstrip("/")
    return any(w == d or w.startswith(d + "/") for w in words)


def stop_pids(pids):
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        except PermissionError:
            os.kill(pid, signal.SIGTERM)
    deadline = time.time() + 5
    while time.time() < deadline:
        pids = [p for p in pids if proc_cmdline(p) is not None and
                not zombie(p)]
        if not pids:
            return
        time.sleep(0.05)
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def stale_pids(d):
    """Daemons of this world dir whose pid files are gone (a world dir
    deleted under a running world, or a killed `up`). Only processes we
    start are candidates: session leaders whose command line names d."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        if pid == os.getpid() or not ours(pid, d):
            continue
        try:
            if os.getsid(pid) != pid:
                continue
        except OSError:
            continue
        found.append(pid)
    return found


def world_down(d):
    d = os.path.abspath(d)
    pids = []
    for name in DAEMONS:
        pf = pidfile(d, name)
        try:
            with open(pf) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            continue
        if ours(pid, d):
            pids.append(pid)
        os.unlink(pf)
    pids += [p for p in stale_pids(d) if p not in pids]
    stop_pids(pids)
    return pids


def spawn(d, name, cmd):
    log = open(os.path.join(d, "logs", name + ".out"), "ab")
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                         stderr=subprocess.STDOUT, start_new_session=True,
                         close_fds=True)
    log.close()
    with open(pidfile(d, name), "w") as f:
        f.write("%d\n" % p.pid)
    return p


def port_free(port):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def wait_ports_free(ports):
    deadline = time.time() + 5
    busy = list(ports.items())
    while busy and time.time() < deadline:
        busy = [(n, p) for n, p in busy if not port_free(p)]
        if busy:
            time.sleep(0.1)
    if busy:
        raise WorldError("ports in use by another program: %s; choose "
                         "another --port-base" % ", ".join(
                             "%s=%d" % b for b in busy))


# ---------------------------------------------------------------------------
# Readiness probes

def dns_query(port, name, qtype, rd=True, timeout=1.0):
    """One UDP query with DO set. Returns (rcode, flags) or None."""
    qid = random.randrange(65536)
    pkt = struct.pack("!HHHHHH", qid, 0x0100 if rd else 0, 1, 0, 0, 1)
    pkt += name_wire(name) + struct.pack("!HH", qtype, 1)
    pkt += b"\0" + struct.pack("!HHIH", 41, 1232, 0x8000, 0)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(pkt, ("127.0.0.1", port))
        end = time.time() + timeout
        while time.time() < end:
            data = s.recv(65535)
            if len(data) >= 12 and struct.unpack("!H", data[:2])[0] == qid:
                flags = struct.unpack("!H", data[2:4])[0]
                return flags & 0xF, flags
    except OSError:
        return None
    finally:
        s.close()
    return None


AD = 0x0020
AA = 0x0400
T_SOA, T_DNSKEY = 6, 48


def rtr_synced(port, timeout=1.0):
    """Sends an RTR v1 Reset Query; True once the cache answers with End
    of Data (it has loaded its VRPs)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout) as s:
            s.sendall(struct.pack("!BBHI", 1, 2, 0, 8))
            buf = b""
            end = time.time() + timeout
            while time.time() < end:
                while len(buf) >= 8:
                    ver, typ, _, length = struct.unpack("!BBHI", buf[:8])
                    if typ == 7:
                        return True
                    if typ == 10 or length < 8:
                        return False
                    if len(buf) < length:
                        break
                    buf = buf[length:]
                chunk = s.recv(65536)
                if not chunk:
                    return False
                buf += chunk
    except OSError:
        return False
    return False


def https_ready(port, ca, host, addr="127.0.0.1"):
    ctx = ssl.create_default_context(cafile=ca)
    try:
        with socket.create_connection((addr, port), 1) as raw:
            with ctx.wrap_socket(raw, server_hostname=host) as s:
                s.sendall(("GET / HTTP/1.1\r\nHost: %s\r\nConnection: "
                           "close\r\n\r\n" % host).encode())
                return s.recv(64).startswith(b"HTTP/1.1")
    except (OSError, ssl.SSLError):
        return False


def tcp_open(port, addr="127.0.0.1"):
    try:
        socket.create_connection((addr, port), 1).close()
        return True
    except OSError:
        return False


def wait_ready(d, procs, checks, timeout=30):
    pending = dict(checks)
    deadline = time.time() + timeout
    while pending and time.time() < deadline:
        for name, p in procs.items():
            if p.poll() is not None:
                raise WorldError("%s exited with %d; see %s" % (
                    name, p.returncode, os.path.join(d, "logs")))
        for name in list(pending):
            if pending[name]():
                del pending[name]
        if pending:
            time.sleep(0.05)
    if pending:
        raise WorldError("not ready after %ds: %s; see %s" % (
            timeout, ", ".join(pending), os.path.join(d, "logs")))


# ---------------------------------------------------------------------------
# The silent listeners

def run_sink(dns_port, rtr_port):
    """Reads DNS queries (UDP and TCP) and RTR connections and never
    answers. Runs until SIGTERM."""
    sel = selectors.DefaultSelector()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", dns_port))
    sel.register(udp, selectors.EVENT_READ, "udp")
    for port in (dns_port, rtr_port):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind(("127.0.0.1", port))
        t.listen(128)
        sel.register(t, selectors.EVENT_READ, "listen")
    conns = 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        for key, _ in sel.select():
            sock = key.fileobj
            if key.data == "udp":
                sock.recv(65535)
            elif key.data == "listen":
                c, _ = sock.accept()
                if conns >= 1000:
                    c.close()
                    continue
                conns += 1
                sel.register(c, selectors.EVENT_READ, "conn")
            else:
                try:
                    data = sock.recv(65535)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(sock)
                    sock.close()
                    conns -= 1


# ---------------------------------------------------------------------------
# The stand-in HTTPS server

def odd_https_conf(d, hosts, served):
    ca = os.path.join(d, "ca")
    certs = {h: os.path.join(ca, "host-" + h) for h in served
             if hosts[h] != "valid"}
    return {"addr": ODD_ADDR, "served": served, "certs": certs,
            "shared": os.path.join(ca, "server")}


def tls_handshake_ok(port, ca, host):
    ctx = ssl.create_default_context(cafile=ca)
    try:
        with socket.create_connection((ODD_ADDR, port), 1) as raw:
            with ctx.wrap_socket(raw, server_hostname=host):
                return True
    except (OSError, ssl.SSLError):
        return False


ODD_POLICY = (b"version: STSv1\r\nmode: enforce\r\nmx: mx.example.jp\r\n"
              b"max_age: 86400\r\n")


def odd_headers(status, extra=()):
    reason = {200: "OK", 301: "Moved Permanently"}.get(status, "Status")
    lines = ["HTTP/1.1 %d %s" % (status, reason), "Connection: close"]
    return ("\r\n".join(lines + list(extra)) + "\r\n\r\n").encode()


def odd_serve(s, kind):
    """Answer one request the way `kind` says. Sending stops when the
    client goes away (OSError) or after two minutes."""
    end = time.time() + 120
    text = ["Content-Type: text/plain"]
    if kind == "endless":
        s.sendall(odd_headers(200, text + ["Transfer-Encoding: chunked"]))
        chunk = b"# " + b"x" * 4000 + b"\r\n"
        while time.time() < end:
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    elif kind == "drip":
        s.sendall(odd_headers(200, text + ["Content-Length: 1000"]))
        for i in range(1000):
            if time.time() > end:
                break
            s.sendall(ODD_POLICY[i % len(ODD_POLICY):][:1])
            time.sleep(0.5)
    elif kind == "huge":
        body = ODD_POLICY + b"# " + b"x" * (1 << 20) + b"\r\n"
        s.sendall(odd_headers(200, text + ["Content-Length: %d" % len(body)]))
        s.sendall(body)
    elif kind == "truncated":
        s.sendall(odd_headers(200, text + ["Content-Length: %d" % (
            len(ODD_POLICY) * 4)]) + ODD_POLICY)
    elif kind == "redirect":
        s.sendall(odd_headers(301, [
            "Location: https://mta-sts.sts-enforce.jp/.well-known/"
            "mta-sts.txt", "Content-Length: 0"]))
    elif kind == "garbage":
        s.sendall(b"\x00\xff\x16\x03 not HTTP at all\r\n\r\n")
    elif kind.startswith("status-"):
        body = b"status " + kind[7:].encode() + b"\r\n"
        s.sendall(odd_headers(int(kind[7:]), text + [
            "Content-Length: %d" % len(body)]) + body)
    # "close": nothing at all


def odd_client(ctx, served, raw):
    raw.settimeout(30)
    try:
        with ctx.wrap_socket(raw, server_side=True) as s:
            req = b""
            while b"\r\n\r\n" not in req and len(req) < 16384:
                chunk = s.recv(4096)
                if not chunk:
                    return
                req += chunk
            m = re.search(rb"(?im)^host:\s*([^\s:]+)", req)
            host = m.group(1).decode("ascii", "replace").lower() if m else ""
            odd_serve(s, served.get(host, "status-404"))
    except (OSError, ssl.SSLError, ValueError):
        pass
    finally:
        raw.close()


def run_odd_https(d, port):
    """The stand-in HTTPS server: one thread per connection, each host
    answered as its `.world-serve` says. Runs until SIGTERM."""
    import threading
    with open(os.path.join(d, "conf", "odd-https.json")) as f:
        conf = json.load(f)
    served = conf["served"]

    def context(base):
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        c.load_cert_chain(base + ".crt", base + ".key")
        return c
    ctx = context(conf["shared"])
    own = {h: context(b) for h, b in conf["certs"].items()}

    def sni(sock, name, _ctx):
        if served.get(name) == "tls-abort":
            return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
        if name in own:
            sock.context = own[name]
        return None
    ctx.sni_callback = sni
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((conf["addr"], port))
    lsock.listen(128)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        raw, _ = lsock.accept()
        threading.Thread(target=odd_client, args=(ctx, served, raw),
                         daemon=True).start()


# ---------------------------------------------------------------------------
# up / down / selftest

def clean_dir(d):
    for name in GENERATED:
        p = os.path.join(d, name)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        elif os.path.lexists(p):
            os.unlink(p)


def world_up(d, port_base, bulk_signed=0, bulk_names=0):
    t0 = time.time()
    d = os.path.abspath(d)
    os.makedirs(d, exist_ok=True)
    world_down(d)
    clean_dir(d)
    for sub in ("conf", "run", "logs"):
        os.makedirs(os.path.join(d, sub))
    ports = {k: port_base + v for k, v in PORTS.items()}
    wait_ports_free(ports)

    zones = load_zones()
    bulk_zone_names, bulk_host_names = [], []
    if bulk_signed or bulk_names:
        bulk_zone_names, bulk_host_names = bulk_zones(zones, bulk_signed,
                                                      bulk_names)
    link_zones(zones)
    hosts, served = https_hosts(zones)
    jobs = max(2, os.cpu_count() or 2)
    anchor = build_zones(zones, d, jobs)
    t_zones = time.time()
    ca = make_ca(d, hosts)
    rtr_dir = os.path.join(d, "rtr")
    os.makedirs(rtr_dir)
    vrps = os.path.join(rtr_dir, "vrps.json")
    shutil.copyfile(VRPS_SRC, vrps)

    conf = lambda n: os.path.join(d, "conf", n)
    with open(conf("nsd.conf"), "w") as f:
        f.write(nsd_conf(d, zones, ports["nsd"]))
    with open(conf("unbound.conf"), "w") as f:
        f.write(unbound_conf(d, zones, ports, anchor))
    with open(conf("nginx.conf"), "w") as f:
        f.write(nginx_conf(d, hosts, served, ports["https"]))
    with open(conf("odd-https.json"), "w") as f:
        json.dump(odd_https_conf(d, hosts, served), f, indent=2)

    start_daemons(d, ports, hosts, ca, vrps)
    t_ready = time.time()
    info = write_outputs(d, port_base, ports, zones, hosts, ca, anchor)
    info["https_served"] = served   # host -> stand-in behaviour
    info["timings"] = {"zones_s": round(t_zones - t0, 2),
                       "total_s": round(t_ready - t0, 2)}
    if bulk_signed or bulk_names:
        info["bulk"] = {"signed_zones": len(bulk_zone_names),
                        "names": len(bulk_host_names)}
        with open(os.path.join(d, "bulk-zones.txt"), "w") as f:
            f.write("".join(n + "\n" for n in bulk_zone_names))
        with open(os.path.join(d, "bulk-names.txt"), "w") as f:
            f.write("".join(n + "\n" for n in bulk_host_names))
    with open(os.path.join(d, "world.json"), "w") as f:
        json.dump(info, f, indent=2, sort_keys=True)
        f.write("\n")
    return info


def start_daemons(d, ports, hosts, ca, vrps):
    """Starts every daemon and waits until each answers; on any failure
    stops them all again."""
    conf = lambda n: os.path.join(d, "conf", n)
    procs = {}
    try:
        procs["nsd"] = spawn(d, "nsd", ["nsd", "-d", "-c", conf("nsd.conf")])
        procs["stayrtr"] = spawn(d, "stayrtr", [
            "stayrtr", "-bind", "127.0.0.1:%d" % ports["rtr"],
            "-cache", vrps, "-checktime=false",
            "-metrics.addr", "127.0.0.1:%d" % ports["rtr_metrics"],
            "-refresh", "30", "-log.verbose=false"])
        procs["nginx"] = spawn(d, "nginx", [
            "nginx", "-p", os.path.join(d, "nginx"), "-c",
            conf("nginx.conf"), "-e",
            os.path.join(d, "logs", "nginx-error.log")])
        procs["sink"] = spawn(d, "sink", [
            sys.executable, os.path.abspath(__file__), "_sink", d,
            str(ports["blackhole"]), str(ports["rtr_silent"])])
        procs["odd-https"] = spawn(d, "odd-https", [
            sys.executable, os.path.abspath(__file__), "_odd_https", d,
            str(ports["https"])])
        wait_ready(d, procs, {
            "nsd": lambda: dns_query(ports["nsd"], ".", T_SOA, rd=False,
                                     timeout=0.2) is not None})
        procs["unbound"] = spawn(d, "unbound", [
            "unbound", "-d", "-c", conf("unbound.conf")])
        host = ([h for h, k in hosts.items() if k == "valid"] or
                ["localhost"])[0]
        wait_ready(d, procs, {
            "unbound": lambda: resolver_validates(ports["unbound"]),
            "stayrtr": lambda: rtr_synced(ports["rtr"]),
            "nginx": lambda: https_ready(ports["https"], ca, host),
            "sink": lambda: tcp_open(ports["blackhole"]) and
            tcp_open(ports["rtr_silent"]),
            "odd-https": lambda: tcp_open(ports["https"], ODD_ADDR),
        })
    except BaseException:
        world_down(d)
        raise


def write_outputs(d, port_base, ports, zones, hosts, ca, anchor):
    """Writes world.env and returns the world.json contents."""
    domains = [z.origin[:-1] for z in sorted(
        zones.values(), key=lambda z: z.origin.split(".")[::-1])
        if z.origin != "." and z.opts["domain"] == "yes"]
    env = {
        "HY_WORLD_DIR": d,
        "HY_RESOLVER": "127.0.0.1:%d" % ports["unbound"],
        # The same unbound over IPv6, or "" when ::1 is unavailable.
        "HY_RESOLVER6": ("[::1]:%d" % ports["unbound"]
                         if have_ipv6_loopback() else ""),
        "HY_AUTH": "127.0.0.1:%d" % ports["nsd"],
        "HY_RTR": "127.0.0.1:%d" % ports["rtr"],
        "HY_RTR_SILENT": "127.0.0.1:%d" % ports["rtr_silent"],
        "HY_BLACKHOLE": "127.0.0.1:%d" % ports["blackhole"],
        "HY_HTTPS_PORT": str(ports["https"]),
        "HY_CA_FILE": ca,
        "HY_TRUST_ANCHOR": anchor,
        "HY_DOMAINS": " ".join(domains),
    }
    with open(os.path.join(d, "world.env"), "w") as f:
        for k, v in env.items():
            f.write("%s=%s\n" % (k, shlex.quote(v)))
    info = dict(env)
    info["port_base"] = port_base
    info["ports"] = ports
    info["domains"] = domains
    info["https_hosts"] = hosts     # host -> certificate kind
    info["zones"] = {z.origin: zone_info(z) for z in zones.values()
                     if z.source != "<bulk>"}
    return info


def resolver_validates(port):
    r = dns_query(port, ".", T_DNSKEY, timeout=0.5)
    if r is None:
        return False
    if r[0] != 0 or not r[1] & AD:
        raise WorldError("unbound does not validate the root DNSKEY "
                         "(rcode %d, AD %s)" % (r[0], bool(r[1] & AD)))
    return True


def zone_info(z):
    info = {"file": os.path.relpath(z.source, HERE),
            "parent": z.parent.origin if z.parent else None,
            "options": {k: v for k, v in z.opts.items() if v is not None},
            "ns": z.ns_names(),
            "ds": z.ds}
    if z.tampers:
        info["tamper"] = [" ".join(t) for t in z.tampers if t[2] is not None]
        info["strip"] = [" ".join(t[:2]) for t in z.tampers if t[2] is None]
    if z.alg:
        info["ksk_tag"] = z.ksk["tag"]
        info["zsk_tag"] = z.zsk["tag"]
        info["algorithm"] = z.alg
    return info


def expected_status(info, origin, memo):
    """What a validator should say about a zone's SOA, derived from the
    options: secure, insecure, bogus or unreachable."""
    if origin in memo:
        return memo[origin]
    z = info["zones"][origin]
    o = z["options"]
    parent = z["parent"]
    up = "secure" if parent is None else expected_status(info, parent, memo)
    now = time.time()
    if o["server"] in ("blackhole", "lame"):
        st = "unreachable"
    elif up in ("bogus", "unreachable"):
        st = "bogus" if up == "bogus" else "unreachable"
    elif up == "insecure":
        st = "insecure"
    elif o["sign"] == "none":
        if parent is None:
            st = "bogus"
        elif "mismatch" in o["ds"].split(","):
            st = "bogus"        # a DS, but no DNSKEY to match it
        else:
            st = "insecure"
    else:
        modes = set(o["ds"].split(","))
        if parent is None or modes & {"yes", "sha1"}:
            st = "secure"
        elif "mismatch" in modes:
            st = "bogus"
        else:
            st = "insecure"
        if st == "secure" and (
                ("expire" in o and parse_time(o["expire"], now) < now) or
                ("inception" in o and
                 parse_time(o["inception"], now) > now)):
            st = "bogus"
    memo[origin] = st
    return st


def selftest(d):
    """Asks NSD and unbound about every zone and compares with what its
    options imply. Prints one line per zone; returns the failure count."""
    with open(os.path.join(d, "world.json")) as f:
        info = json.load(f)
    ports = info["ports"]
    memo, failures = {}, 0
    for origin in sorted(info["zones"], key=lambda o: o.split(".")[::-1]):
        z = info["zones"][origin]
        want = expected_status(info, origin, memo)
        auth = dns_query(ports["nsd"], origin, T_SOA, rd=False)
        if z["options"]["server"] == "lame":
            # Not authoritative: the parent's referral (or REFUSED).
            auth_ok = auth is not None and not auth[1] & AA
        else:
            auth_ok = auth is not None and auth[0] == 0 and auth[1] & AA
        r = dns_query(ports["unbound"], origin, T_SOA, timeout=3)
        if r is None:
            got = "unreachable"
        elif r[0] == 2:
            got = "servfail"
        elif r[0] == 0:
            got = "secure" if r[1] & AD else "insecure"
        else:
            got = "rcode%d" % r[0]
        ok = {"secure": ("secure",), "insecure": ("insecure",),
              "bogus": ("servfail",),
              "unreachable": ("servfail", "unreachable")}[want]
        if z["options"]["sign"] in ("5", "7"):
            # Whether SHA-1 signatures validate depends on the crypto
            # library's policy: both outcomes are legitimate.
            ok = ok + ("insecure",) if want == "secure" else ok
        good = got in ok and (auth_ok or
                              z["options"]["server"] == "blackhole")
        print("%-4s %-28s want %-11s got %-11s nsd %s" % (
            "ok" if good else "FAIL", origin, want, got,
            "no answer" if auth is None else "rcode %d%s" % (
                auth[0], " AA" if auth[1] & AA else "")))
        failures += not good
        for t in z.get("tamper", []) + z.get("strip", []):
            owner, rtype = t.split()[:2]
            qtype = {"A": 1, "NS": 2, "MX": 15, "TXT": 16, "AAAA": 28}.get(
                rtype)
            if qtype is None or want != "secure":
                continue
            r = dns_query(ports["unbound"], owner, qtype, timeout=3)
            good = r is not None and r[0] == 2
            print("%-4s %-28s altered %s must be bogus: %s" % (
                "ok" if good else "FAIL", owner, rtype,
                "servfail" if good else r))
            failures += not good
    served = info.get("https_served", {})
    for host, kind in sorted(info["https_hosts"].items()):
        if host in served:
            continue
        ok = https_ready(ports["https"], info["HY_CA_FILE"], host)
        good = ok == (kind == "valid")
        print("%-4s https://%s certificate %s: TLS handshake %s" % (
            "ok" if good else "FAIL", host, kind,
            "verifies" if ok else "fails"))
        failures += not good
    for host, kind in sorted(served.items()):
        ok = tls_handshake_ok(ports["https"], info["HY_CA_FILE"], host)
        good = ok == (kind != "tls-abort" and
                      info["https_hosts"][host] == "valid")
        print("%-4s https://%s stand-in %s: TLS handshake %s" % (
            "ok" if good else "FAIL", host, kind,
            "verifies" if ok else "fails"))
        failures += not good
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="generate DIR and start the world")
    up.add_argument("dir")
    up.add_argument("--port-base", type=int, default=DEFAULT_PORT_BASE)
    up.add_argument("--bulk-signed", type=int, default=0, metavar="N",
                    help="add N signed zones under bench.jp")
    up.add_argument("--bulk-names", type=int, default=0, metavar="M",
                    help="add names.bench.jp with M A records")
    dn = sub.add_parser("down", help="stop the world of DIR")
    dn.add_argument("dir")
    st = sub.add_parser("selftest", help="check a running world's answers")
    st.add_argument("dir")
    oh = sub.add_parser("_odd_https")
    oh.add_argument("dir")
    oh.add_argument("port", type=int)
    sk = sub.add_parser("_sink")
    sk.add_argument("dir")
    sk.add_argument("dns_port", type=int)
    sk.add_argument("rtr_port", type=int)
    a = ap.parse_args()
    try:
        if a.cmd == "up":
            if not 1024 <= a.port_base <= 65535 - len(PORTS):
                raise WorldError("--port-base out of range")
            info = world_up(a.dir, a.port_base, a.bulk_signed, a.bulk_names)
            print("world up in %.2fs (zones %.2fs): %s" % (
                info["timings"]["total_s"], info["timings"]["zones_s"],
                os.path.join(info["HY_WORLD_DIR"], "world.env")))
        elif a.cmd == "down":
            pids = world_down(a.dir)
            print("world down (%d processes stopped)" % len(pids))
        elif a.cmd == "selftest":
            return 1 if selftest(os.path.abspath(a.dir)) else 0
        elif a.cmd == "_sink":
            run_sink(a.dns_port, a.rtr_port)
        elif a.cmd == "_odd_https":
            run_odd_https(a.dir, a.port)
    except WorldError as e:
        print("world: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
