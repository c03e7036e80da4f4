#!/usr/bin/env python3
"""`hygiene check` against a DNS server that sends hostile answers.

NSD and unbound refuse to serve these, so a small UDP server here writes
the packets by hand: A, AAAA and MX with empty rdata (ldns keeps such an
RR with no rdata field), truncated DNSKEY, DS and RRSIG rdata, and TXT
records holding bytes that are not UTF-8.
hygiene must neither crash nor lose the domain's result: the empty
addresses are skipped and the TXT bytes are shown escaped.
"""
import argparse
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading

import fake_root

DOMAIN = "hostile.test"


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def txt_rdata(*strings):
    return b"".join(bytes([len(s)]) + s for s in strings)


# (qname, qtype) -> list of (type, rdata)
ZONE = {
    (DOMAIN, 2): [(2, wire_name("ns." + DOMAIN))],
    ("ns." + DOMAIN, 1): [(1, b"")],
    ("ns." + DOMAIN, 28): [(28, b"")],
    (DOMAIN, 16): [(16, txt_rdata(b"v=spf1 -all \xff\xfe"))],
    (DOMAIN, 15): [(15, b"")],
    ("mta-sts." + DOMAIN, 1): [(1, b"")],
    ("_mta-sts." + DOMAIN, 16): [(16, txt_rdata(b"v=STSv1; id=1"))],
    (DOMAIN, 48): [(48, b"\x01\x01")],
    (DOMAIN, 43): [(43, b"\x00\x01")],
    (DOMAIN, 46): [(46, b"\x00\x30\x08")],
    ("_dmarc." + DOMAIN, 16): [(16, txt_rdata(b"v=DMARC1; p=reject")),
                               (16, txt_rdata(b"v=DMARC1; p=none \xc3"))],
    # The run's trust-anchor check asks for the root's keys first.
    ("", 48): fake_root.DNSKEY_RRS,
}


def parse_question(pkt):
    i, labels = 12, []
    while pkt[i]:
        labels.append(pkt[i + 1:i + 1 + pkt[i]].decode("ascii", "replace"))
        i += 1 + pkt[i]
    qtype = struct.unpack("!H", pkt[i + 1:i + 3])[0]
    return ".".join(labels).lower(), qtype, pkt[12:i + 5]


def serve(sock):
    while True:
        try:
            pkt, peer = sock.recvfrom(4096)
        except OSError:
            return
        if len(pkt) < 17:
            continue
        qname, qtype, question = parse_question(pkt)
        answers = b""
        rrs = ZONE.get((qname, qtype), [])
        for rtype, rdata in rrs:
            answers += b"\xc0\x0c" + struct.pack("!HHIH", rtype, 1, 60,
                                                 len(rdata)) + rdata
        # QR AA RD RA, NOERROR; the names exist, so no data is NODATA.
        # The query's OPT RR (hygiene's is its last 11 octets) is echoed
        # with its DO bit, as a validating resolver does (RFC 3225 §3).
        opt = pkt[-11:] if struct.unpack("!H", pkt[10:12])[0] else b""
        head = pkt[:2] + struct.pack("!HHHHH", 0x8580, 1, len(rrs), 0,
                                     1 if opt else 0)
        sock.sendto(head + question + answers + opt, peer)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    args = ap.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    threading.Thread(target=serve, args=(sock,), daemon=True).start()
    p = subprocess.run([args.hygiene, "check", "--json", "--resolver",
                        "127.0.0.1:%d" % port, "--timeout", "3",
                        "--trust-anchor",
                        fake_root.anchor_file(tempfile.mkdtemp()), DOMAIN],
                       capture_output=True, timeout=60)
    fails = []
    if p.returncode not in (0, 3):
        fails.append("exit %d, stderr: %s" % (p.returncode,
                                             p.stderr.decode(errors="replace")))
    try:
        o = json.loads(p.stdout)
    except ValueError:
        o = None
        fails.append("no JSON result: %r" % p.stdout[:200])
    if o is not None:
        import jsonschema
        schema = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "..", "schema", "check.schema.json")
        with open(schema) as f:
            v = jsonschema.Draft202012Validator(json.load(f))
        for e in v.iter_errors(o):
            fails.append("schema: %s" % e.message[:200])
        if o["ns"] != [{"name": "ns." + DOMAIN, "addresses": []}]:
            fails.append("ns: %r" % o["ns"])
        spf = o["spf"] or {}
        if spf.get("status") != "permerror" or \
                spf.get("record") != "v=spf1 -all \\xff\\xfe":
            fails.append("spf: %r" % spf)
        dmarc = o["dmarc"] or {}
        if dmarc.get("status") != "invalid" or not any(
                i["code"] == "multiple-records" for i in dmarc["issues"]):
            fails.append("dmarc: %r" % dmarc)
    sock.close()
    for f in fails:
        print("FAIL", f)
    if fails:
        return 1
    print("ok: hostile answers give a result, no crash")
    return 0


if __name__ == "__main__":
    sys.exit(main())
