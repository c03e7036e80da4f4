#!/usr/bin/env python3
"""Terminal escape sequences and bytes that are not text, in input names and
in DNS data, must never reach the terminal raw nor break the JSON.

A hand-written DNS server on loopback (the port base + 70; real daemons
serve names and TXT like these only reluctantly) answers for esc.test
with ESC, CSI (C1 0x9b, raw and as UTF-8), OSC, BEL, DEL, NUL, newlines
and bytes that are not UTF-8 in: an MX host name, an SPF record (at
bad.esc.test) and the SPF explanation, the DMARC record's report URIs,
the MTA-STS id and the TLS-RPT rua. `hygiene check`, `check --json` and `hygiene spf`
are run over it, plus input names that carry escape sequences.

Every byte written to stdout and stderr must be UTF-8 text without a
control character other than newline (no C0 but LF, no DEL, no C1), and
the data must still be shown, as \\xHH, not dropped.

    term_escapes.py --hygiene PATH --port PORT
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

DOMAIN = "esc.test"
ESC = b"\x1b[31mred\x1b[0m"
OSC = b"\x1b]0;pwned\x07"
CSI8 = b"\x9b2J"               # C1 CSI, raw: not UTF-8 either
CSIU = b"\xc2\x9b" + b"2J"      # C1 CSI encoded as UTF-8
MXNAME = b"mx" + b"\x1b" + b"[1m." + DOMAIN.encode()
NSNAME = b"n\xff\xc2\x9b\x7f." + DOMAIN.encode()    # not UTF-8, C1, DEL

FAILS = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " +
                                                   str(detail)[:400]))
    if not cond:
        FAILS.append(name)


def wire_name(name):
    if isinstance(name, str):
        name = name.encode()
    out = b""
    for label in name.rstrip(b".").split(b"."):
        out += bytes([len(label)]) + label
    return out + b"\0"


def txt(*strings):
    return b"".join(bytes([len(s)]) + s for s in strings)


def a(ip="127.0.0.1"):
    return (1, socket.inet_aton(ip))


ZONE = {
    (DOMAIN.encode(), 2): [(2, wire_name("ns." + DOMAIN)),
                           (2, wire_name(NSNAME))],
    (b"ns." + DOMAIN.encode(), 1): [a()],
    (DOMAIN.encode(), 15): [(15, b"\x00\x0a" + wire_name(MXNAME))],
    (MXNAME.lower(), 1): [a()],
    (DOMAIN.encode(), 16): [(16, txt(b"v=spf1 exp=exp.esc.test -all"))],
    (b"bad." + DOMAIN.encode(), 16): [(16, txt(b"v=spf1 include:in" + ESC +
                                               b".esc.test -all"))],
    (b"exp." + DOMAIN.encode(), 16): [(16, txt(b"denied " + OSC + CSI8 +
                                               b" \x7f\x00 " + CSIU))],
    (b"_dmarc." + DOMAIN.encode(), 16): [(16, txt(
        b"v=DMARC1; p=reject; rua=mailto:r@" + ESC + b".test,mailto:"
        b"\xff\xfe@x.test; ruf=mailto:" + CSIU + b"@x.test"))],
    (b"_mta-sts." + DOMAIN.encode(), 16): [(16, txt(b"v=STSv1; id=" + OSC))],
    (b"_smtp._tls." + DOMAIN.encode(), 16): [(16, txt(
        b"v=TLSRPTv1; rua=mailto:" + CSI8 + b"@x.test,mailto:a\nb@" + ESC +
        b".test"))],
    # The run's trust-anchor check asks for the root's keys first.
    (b"", 48): fake_root.DNSKEY_RRS,
}


def parse_question(pkt):
    i, labels = 12, []
    while pkt[i]:
        labels.append(pkt[i + 1:i + 1 + pkt[i]])
        i += 1 + pkt[i]
    qtype = struct.unpack("!H", pkt[i + 1:i + 3])[0]
    return b".".join(labels).lower(), qtype, pkt[12:i + 5]


def serve(sock):
    while True:
        try:
            pkt, peer = sock.recvfrom(4096)
        except OSError:
            return
        if len(pkt) < 17:
            continue
        qname, qtype, question = parse_question(pkt)
        known = any(n == qname for n, _ in ZONE)
        rrs = ZONE.get((qname, qtype), [])
        answers = b"".join(b"\xc0\x0c" + struct.pack("!HHIH", t, 1, 60,
                                                     len(rd)) + rd
                           for t, rd in rrs)
        # QR AA RD RA; NXDOMAIN for names the zone does not have.
        flags = 0x8580 if known or qname == DOMAIN.encode() else 0x8583
        # The query's OPT RR (hygiene's is its last 11 octets) is echoed
        # with its DO bit, as a validating resolver does (RFC 3225 §3).
        opt = pkt[-11:] if struct.unpack("!H", pkt[10:12])[0] else b""
        head = pkt[:2] + struct.pack("!HHHHH", flags, 1, len(rrs), 0,
                                     1 if opt else 0)
        sock.sendto(head + question + answers + opt, peer)


def clean(label, data):
    """data (bytes) is UTF-8 text whose only control character is LF."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        check(label + ": UTF-8 text", False, "%s in %r" % (e, data[:300]))
        return ""
    bad = sorted({"U+%04X" % ord(c) for c in text
                  if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f})
    check(label + ": no control characters", not bad,
          "%s in %r" % (bad, text[:400]))
    return text


def strings(v):
    if isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
    elif isinstance(v, str):
        yield v


def run(args):
    return subprocess.run(args, capture_output=True, timeout=120)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", args.port))
    threading.Thread(target=serve, args=(sock,), daemon=True).start()
    base = [args.hygiene, "check", "--resolver", "127.0.0.1:%d" % args.port,
            "--timeout", "4", "--trust-anchor",
            fake_root.anchor_file(tempfile.mkdtemp())]
    names = [DOMAIN, "bad." + DOMAIN, "\x1b[2Jevil.jp", "\x1b]0;title\x07x.jp",
             "a\x7fb.jp", "\u009b2Jc.jp", "new\nline.jp"]

    # Readable output.
    p = run(base + names)
    check("readable: exit 3 (invalid names among the inputs)",
          p.returncode == 3, "exit %d: %r" % (p.returncode, p.stderr[:300]))
    out = clean("readable stdout", p.stdout)
    clean("readable stderr", p.stderr)
    for want in ("mx\\027[1m.esc.test", "\\x1b[2Jevil.jp",
                 "\\x1b]0;title\\x07x.jp", "a\\x7fb.jp", "\\xc2\\x9b2Jc.jp",
                 "new\\x0aline.jp"):
        check("readable shows %r" % want, want in out, out[:2000])

    # The same names from --file: stderr names each line, escaped; and a
    # file name with an escape sequence in a message.
    lst = tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False)
    lst.write("\n".join(n for n in names if "\n" not in n).encode() + b"\n")
    lst.close()
    try:
        p = run(base + ["--file", lst.name])
    finally:
        os.unlink(lst.name)
    clean("--file stdout", p.stdout)
    err = clean("--file stderr", p.stderr)
    check("--file: stderr names the line, escaped",
          "line 3: invalid input: \\x1b[2Jevil.jp" in err, err)
    p = run(base + ["--file", "/nonexistent/\x1b[31mlist\x9b.txt"])
    err = clean("missing file stderr", p.stderr)
    check("missing file: named, escaped", p.returncode == 1 and
          "/nonexistent/\\x1b[31mlist\\xc2\\x9b.txt" in err, err)

    # JSON: every line parses, every string is free of C1 and of C0 once
    # decoded, and the data is there as \xHH.
    p = run(base + ["--json"] + names)
    check("json: exit 3", p.returncode == 3,
          "exit %d: %r" % (p.returncode, p.stderr[:300]))
    clean("json stdout", p.stdout)
    clean("json stderr", p.stderr)
    objs = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        try:
            objs.append(json.loads(line))
        except ValueError as e:
            check("json: line parses", False, "%s: %r" % (e, line[:200]))
    check("json: one object per input", len(objs) == len(names), len(objs))
    for o in objs:
        bad = [s for s in strings(o) if any(
            ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in s)]
        check("json %s: no control characters in strings" % (
            o.get("domain") or o.get("input")), not bad, bad[:3])
    dom = [o for o in objs if o.get("domain") == DOMAIN]
    if dom:
        o = dom[0]
        text = json.dumps(o)
        check("json: no out-of-memory", "out-of-memory" not in text, text)
        check("json: MX host shown", o["mx"] and o["mx"][0]["host"] ==
              "mx\\027[1m.esc.test", o["mx"])
        check("json: NS host shown", o["ns"] and sorted(
            n["name"] for n in o["ns"]) == ["n\\255\\194\\155\\127.esc.test",
                                            "ns.esc.test"], o["ns"])
        check("json: DMARC record shown escaped", "\\x1b[31m" in (
            (o["dmarc"] or {}).get("record") or ""), o["dmarc"])
        check("json: TLS-RPT record shown escaped", "\\x9b" in (
            (o["tls_rpt"] or {}).get("record") or ""), o["tls_rpt"])
    else:
        check("json: a result for %s" % DOMAIN, False, p.stdout[:300])
    bad = [o for o in objs if o.get("domain") == "bad." + DOMAIN]
    check("json: SPF record shown escaped", bad and "\\x1b[31m" in (
        (bad[0]["spf"] or {}).get("record") or ""), bad and bad[0]["spf"])

    # `hygiene spf`: the explanation a fail fetches, and a record with an
    # escape sequence; --sender and --helo carrying them too (the JSON
    # shows them).
    # (An explanation with control characters is not a valid macro-string:
    # the default one is used, RFC 7208 §6.2.)
    for fmt, dom, want in (([], DOMAIN, "explanation: SPF check_host()"),
                           (["--json"], DOMAIN, "u\\x1b[5m@esc.test"),
                           ([], "bad." + DOMAIN, "\\x1b[31m"),
                           (["--json"], "bad." + DOMAIN, "\\x1b[31m")):
        p = run([args.hygiene, "spf", dom, "--ip", "192.0.2.1",
                 "--resolver", "127.0.0.1:%d" % args.port,
                 "--timeout", "4", "--sender", "u\x1b[5m@esc.test",
                 "--helo", "h\x9b.esc.test"] + fmt)
        label = "spf %s%s" % (dom, " --json" if fmt else "")
        check(label + ": a result (exit 0 or 3)", p.returncode in (0, 3),
              "exit %d: %r" % (p.returncode, p.stderr[:300]))
        text = clean(label + " stdout", p.stdout)
        clean(label + " stderr", p.stderr)
        if fmt:
            try:
                text = "\n".join(strings(json.loads(text)))
            except ValueError as e:
                check(label + ": JSON parses", False, e)
        check(label + ": shows the data escaped", want in text, text)
    sock.close()
    print("%d failed" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
