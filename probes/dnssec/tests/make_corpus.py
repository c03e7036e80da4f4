#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_dnssec_walk from a running test world:
for each domain, the resolver's real CD=1 answers to every question the
walk asks (root DNSKEY first: its keys become the fuzz run's anchors;
the domain's SOA second: it names the domain walked).

    make_corpus.py WORLD_DIR OUT_DIR DOMAIN...
"""

import os
import random
import socket
import struct
import sys


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(addr, port, name, qtype):
    qid = random.randrange(65536)
    # RD and CD set; EDNS0 with DO.
    msg = struct.pack("!HHHHHH", qid, 0x0110, 1, 0, 0, 1)
    msg += wire_name(name) + struct.pack("!HH", qtype, 1)
    msg += b"\0" + struct.pack("!HHIH", 41, 1232, 0x8000, 0)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        s.sendto(msg, (addr, port))
        data = s.recv(65535)
    if data[2] & 0x02:  # truncated: TCP
        with socket.create_connection((addr, port), 3) as s:
            s.sendall(struct.pack("!H", len(msg)) + msg)
            ln = struct.unpack("!H", s.recv(2))[0]
            data = b""
            while len(data) < ln:
                data += s.recv(ln - len(data))
    return b"\0\0" + data[2:]


def main():
    world, out, domains = sys.argv[1], sys.argv[2], sys.argv[3:]
    env = dict(l.strip().split("=", 1) for l in open(
        os.path.join(world, "world.env")) if "=" in l)
    addr, port = env["HY_RESOLVER"].rsplit(":", 1)
    port = int(port)
    T = {"SOA": 6, "MX": 15, "TXT": 16, "DS": 43, "DNSKEY": 48,
         "NSEC3PARAM": 51}
    os.makedirs(out, exist_ok=True)
    for d in domains:
        qs = [(".", "DNSKEY"), (d, "SOA"), (d, "TXT"), (d, "MX"),
              ("_dmarc." + d, "TXT")]
        labels = d.split(".")
        for i in range(len(labels)):
            z = ".".join(labels[i:])
            qs += [(z, "DS"), (z, "DNSKEY"), (z, "NSEC3PARAM"), (z, "SOA")]
        blob = b""
        for name, t in qs:
            w = query(addr, port, name, T[t])
            blob += struct.pack("!H", len(w)) + w
        with open(os.path.join(out, d.replace(".", "_") + ".bin"), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main()
