#!/usr/bin/env python3
"""Write a hand-made collector view (data/rov/view.txt) as an MRT dump and
as `bgpdump -m` text, for the ROV enforcement tests and the benchmark's
small sample.

usage: rov_view.py VIEW OUTDIR

Writes OUTDIR/view.mrt (TABLE_DUMP_V2, RFC 6396), view.mrt.gz,
view.mrt.bz2, view.bgpdump (the lines `bgpdump -m view.mrt` prints) and
view.bgpdump.gz. The MRT encoder here follows the RFCs on its own; it
shares no code with hygiene's reader.
"""
import bz2
import gzip
import ipaddress
import os
import struct
import sys


def parse_view(path):
    dump_time, peers, groups, routes, order = None, [], {}, {}, []
    for raw in open(path, encoding="utf-8"):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        if words[0] == "dump":
            dump_time = int(words[1])
        elif words[0] == "peer":
            peers.append((words[1], words[2], int(words[3])))
        elif words[0] == "group":
            groups[words[1]] = words[2:]
        else:
            left, path_text = line.split(" : ", 1)
            lw = left.split()
            prefix, names = lw[0], []
            for w in lw[1:]:
                names.extend(groups.get(w, [w]))
            if prefix not in routes:
                routes[prefix] = {}
                order.append(prefix)
            for n in names:
                routes[prefix][n] = path_text.strip()
    return dump_time, peers, routes, order


def segments(peer_as, text):
    """[(type, [asn...])]: 1 AS_SET, 2 AS_SEQUENCE; the peer's AS first."""
    segs = []
    for tok in text.replace("{", " {").split():
        if tok.startswith("{"):
            segs.append((1, [int(x) for x in tok.strip("{}").split(",")]))
        elif segs and segs[-1][0] == 2:
            segs[-1][1].append(int(tok))
        else:
            segs.append((2, [int(tok)]))
    if not segs or segs[0][0] != 2 or segs[0][1][0] != peer_as:
        if segs and segs[0][0] == 2:
            segs[0][1].insert(0, peer_as)
        else:
            segs.insert(0, (2, [peer_as]))
    return segs


def path_text(segs):
    out = []
    for t, asns in segs:
        if t == 2:
            out.append(" ".join(str(a) for a in asns))
        else:
            out.append("{" + ",".join(str(a) for a in asns) + "}")
    return " ".join(out)


def attr(flags, code, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def entry_attrs(peer_ip, prefix, segs):
    aspath = b"".join(struct.pack("!BB", t, len(a)) +
                      b"".join(struct.pack("!I", x) for x in a)
                      for t, a in segs)
    out = attr(0x40, 1, b"\x00")                  # ORIGIN IGP
    out += attr(0x40, 2, aspath)                  # AS_PATH, 4-byte ASNs
    if prefix.version == 4:
        out += attr(0x40, 3, peer_ip.packed)      # NEXT_HOP
    else:                                         # MP_REACH_NLRI, abbreviated
        out += attr(0x80, 14, bytes([16]) + peer_ip.packed)  # (RFC 6396 4.3.4)
    return out


def mrt(ts, subtype, body):
    return struct.pack("!IHHI", ts, 13, subtype, len(body)) + body


def write(view, outdir):
    ts, peers, routes, order = parse_view(view)
    index = {name: i for i, (name, _, _) in enumerate(peers)}
    out = bytearray()
    body = struct.pack("!IH", 0xC0000201, 4) + b"test" + \
        struct.pack("!H", len(peers))
    for i, (name, ip, asn) in enumerate(peers):
        a = ipaddress.ip_address(ip)
        body += struct.pack("!BI", (1 if a.version == 6 else 0) | 2,
                            0x0A000001 + i) + a.packed + struct.pack("!I", asn)
    out += mrt(ts, 1, body)
    lines = []
    for seq, p in enumerate(order):
        net = ipaddress.ip_network(p)
        plen = net.prefixlen
        entries = sorted(routes[p].items(), key=lambda kv: index[kv[0]])
        body = struct.pack("!IB", seq, plen) + \
            net.network_address.packed[:(plen + 7) // 8] + \
            struct.pack("!H", len(entries))
        for name, text in entries:
            _, ip, asn = peers[index[name]]
            pip = ipaddress.ip_address(ip)
            segs = segments(asn, text)
            a = entry_attrs(pip, net, segs)
            body += struct.pack("!HIH", index[name], ts, len(a)) + a
            lines.append("TABLE_DUMP2|%d|B|%s|%d|%s|%s|IGP|%s|0|0||NAG||" %
                         (ts, ip, asn, p, path_text(segs), ip))
        out += mrt(ts, 4 if net.version == 6 else 2, body)
    os.makedirs(outdir, exist_ok=True)
    raw = bytes(out)
    text = ("\n".join(lines) + "\n").encode()
    for name, data in (("view.mrt", raw), ("view.bgpdump", text)):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        with gzip.open(os.path.join(outdir, name + ".gz"), "wb") as f:
            f.write(data)
    with bz2.open(os.path.join(outdir, "view.mrt.bz2"), "wb") as f:
        f.write(raw)
    return len(lines)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print("%d routes" % write(sys.argv[1], sys.argv[2]))
