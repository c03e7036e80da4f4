#!/usr/bin/env python3
"""A fault-injecting DNS proxy for the test world.

It sits between hygiene and the world's unbound, over UDP and TCP on one
port, and spoils a share of the answers in one chosen way:

    faultproxy.py --listen 127.0.0.1:PORT --upstream 127.0.0.1:PORT \\
        --fault KIND --rate 0.1 --seed 1 [--match REGEX] [--stats FILE]

KIND is one of

    none      forward everything untouched (the fault-free baseline)
    drop      never answer
    delay     answer DELAY_MS late (--delay-ms, default 2500: longer than
              one try of hygiene's resolver client, so it asks again)
    tc        over UDP, an empty answer with the TC bit (over TCP: no
              fault, the client did the right thing)
    servfail  SERVFAIL, with the query's OPT echoed
    refused   REFUSED, with the query's OPT echoed
    formerr   FORMERR without OPT: what an old server that does not know
              EDNS0 says (RFC 6891 §7)
    garbage   the query's header and question, then random octets
    wrong-id  the real answer with another message ID
    mismatch  the real answer to another question (the type changed)

Whether a query is spoiled depends only on the seed, the question (name,
type, class, CD and DO bits, transport) and how often that question was
asked before (so a retry gets a fresh draw), never on timing or arrival
order: the same seed spoils the same queries in every run. --match limits
the faults to questions whose "name/TYPE" (lower case, no trailing dot,
e.g. "secure13.jp/DNSKEY") matches the regular expression; --max N
stops after N faults.

On SIGTERM or SIGINT it writes its counters as one JSON object to
--stats (or standard output) and exits.
"""

import argparse
import asyncio
import hashlib
import json
import random
import re
import signal
import struct
import sys

KINDS = ("none", "drop", "delay", "tc", "servfail", "refused", "formerr",
         "garbage", "wrong-id", "mismatch")
TYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX",
         16: "TXT", 28: "AAAA", 33: "SRV", 43: "DS", 46: "RRSIG",
         47: "NSEC", 48: "DNSKEY", 50: "NSEC3", 51: "NSEC3PARAM",
         52: "TLSA"}


def parse_question(msg):
    """(qname lower, qtype, qclass, end offset of the question), or None."""
    if len(msg) < 12 or struct.unpack("!H", msg[4:6])[0] != 1:
        return None
    i, labels = 12, []
    while True:
        if i >= len(msg):
            return None
        n = msg[i]
        if n == 0:
            i += 1
            break
        if n & 0xC0 or i + 1 + n > len(msg):
            return None
        labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    if i + 4 > len(msg):
        return None
    qtype, qclass = struct.unpack("!HH", msg[i:i + 4])
    return ".".join(labels).lower(), qtype, qclass, i + 4


def find_opt(msg, qend):
    """The OPT RR of a query (hygiene's, and most clients', is the only
    additional record and the last thing in the message), or b""."""
    if struct.unpack("!H", msg[10:12])[0] == 0 or len(msg) < qend + 11:
        return b""
    opt = msg[-11:]
    if opt[0] != 0 or struct.unpack("!H", opt[1:3])[0] != 41:
        return b""
    return opt


class Proxy:
    def __init__(self, args):
        self.args = args
        self.match = re.compile(args.match) if args.match else None
        self.seen = {}          # question key -> times asked
        self.stats = {"fault": args.fault, "rate": args.rate,
                      "seed": args.seed, "queries": 0, "faults": 0,
                      "udp": 0, "tcp": 0, "upstream_errors": 0}
        self.pending = {}       # upstream ID -> (future)
        self.next_id = 0
        self.udp_up = None
        self.udp_down = None

    # ---- the decision ------------------------------------------------
    def decide(self, msg, tcp):
        """The fault for this query ("none" when it goes through)."""
        q = parse_question(msg)
        self.stats["queries"] += 1
        self.stats["tcp" if tcp else "udp"] += 1
        if q is None or self.args.fault == "none":
            return "none", q
        name, qtype, qclass, qend = q
        label = "%s/%s" % (name or ".", TYPES.get(qtype, str(qtype)))
        if self.match and not self.match.search(label):
            return "none", q
        if self.args.max is not None and \
                self.stats["faults"] >= self.args.max:
            return "none", q
        flags = struct.unpack("!H", msg[2:4])[0]
        opt = find_opt(msg, qend)
        do = bool(opt) and bool(struct.unpack("!H", opt[7:9])[0] & 0x8000)
        key = "%s|%d|%d|%d|%d|%d" % (name, qtype, qclass, flags & 0x10,
                                     do, tcp)
        n = self.seen.get(key, 0)
        self.seen[key] = n + 1
        h = hashlib.sha256(("%d|%s|%d" % (self.args.seed, key, n))
                           .encode()).digest()
        draw = struct.unpack("!Q", h[:8])[0] / 2.0 ** 64
        if draw >= self.args.rate:
            return "none", q
        if self.args.fault == "tc" and tcp:
            return "none", q
        self.stats["faults"] += 1
        return self.args.fault, q

    # ---- building spoiled answers -------------------------------------
    def error_answer(self, msg, q, rcode, with_opt):
        qend = q[3]
        flags = struct.unpack("!H", msg[2:4])[0]
        # QR, opcode and RD from the query, RA set.
        flags = 0x8000 | (flags & 0x7900) | 0x0080 | rcode
        opt = find_opt(msg, qend) if with_opt else b""
        if opt:
            # Echo the UDP size and the DO bit only.
            opt = b"\0" + struct.pack("!HHBBHH", 41, 1232, 0, 0,
                                      struct.unpack("!H", opt[7:9])[0]
                                      & 0x8000, 0)
        return msg[:2] + struct.pack("!HHHHH", flags, 1, 0, 0,
                                     1 if opt else 0) + \
            msg[12:qend] + opt

    def garbage(self, msg, q):
        rnd = random.Random(hashlib.sha256(msg).digest())
        qend = q[3] if q else 12
        flags = 0x8180
        head = msg[:2] + struct.pack("!HHHHH", flags, 1 if q else 0,
                                     rnd.randint(1, 5), 0, 0)
        return head + msg[12:qend] + bytes(
            rnd.randrange(256) for _ in range(rnd.randint(1, 300)))

    def spoil_answer(self, fault, answer):
        if fault == "wrong-id":
            qid = struct.unpack("!H", answer[:2])[0]
            return struct.pack("!H", qid ^ 0x5A5A) + answer[2:]
        if fault == "mismatch":
            q = parse_question(answer)
            if q is None:
                return answer
            qend = q[3]
            qtype = q[1]
            other = 28 if qtype == 1 else 1
            return answer[:qend - 4] + struct.pack("!H", other) + \
                answer[qend - 2:]
        return answer

    def immediate(self, fault, msg, q):
        """An answer made here without asking upstream, None to ask
        upstream, b"" to stay silent."""
        if fault == "drop":
            return b""
        if q is None:
            return None
        if fault == "servfail":
            return self.error_answer(msg, q, 2, True)
        if fault == "refused":
            return self.error_answer(msg, q, 5, True)
        if fault == "formerr":
            return self.error_answer(msg, q, 1, False)
        if fault == "garbage":
            return self.garbage(msg, q)
        if fault == "tc":
            return msg[:2] + struct.pack(
                "!HHHHH", 0x8000 | (struct.unpack("!H", msg[2:4])[0]
                                    & 0x0110) | 0x0280, 1, 0, 0, 0) + \
                msg[12:q[3]]
        return None

    async def answer(self, msg, tcp):
        """The (possibly spoiled) answer to msg, b"" for none."""
        fault, q = self.decide(msg, tcp)
        made = self.immediate(fault, msg, q)
        if made is not None:
            return made
        answer = await (self.ask_tcp(msg) if tcp else self.ask_udp(msg))
        if not answer:
            return b""
        if fault == "delay":
            await asyncio.sleep(self.args.delay_ms / 1000.0)
        return self.spoil_answer(fault, answer)

    # ---- upstream ----------------------------------------------------
    async def ask_udp(self, msg):
        loop = asyncio.get_running_loop()
        for _ in range(65536):
            uid = self.next_id
            self.next_id = (self.next_id + 1) & 0xFFFF
            if uid not in self.pending:
                break
        fut = loop.create_future()
        self.pending[uid] = fut
        self.udp_up.sendto(struct.pack("!H", uid) + msg[2:])
        try:
            answer = await asyncio.wait_for(fut, 10)
        except asyncio.TimeoutError:
            self.stats["upstream_errors"] += 1
            return b""
        finally:
            self.pending.pop(uid, None)
        return msg[:2] + answer[2:]

    def upstream_datagram(self, data):
        if len(data) < 12:
            return
        fut = self.pending.get(struct.unpack("!H", data[:2])[0])
        if fut is not None and not fut.done():
            fut.set_result(data)

    async def ask_tcp(self, msg):
        host, port = self.args.upstream
        try:
            r, w = await asyncio.wait_for(
                asyncio.open_connection(host, port), 10)
            w.write(struct.pack("!H", len(msg)) + msg)
            await w.drain()
            n = struct.unpack("!H", await asyncio.wait_for(
                r.readexactly(2), 10))[0]
            answer = await asyncio.wait_for(r.readexactly(n), 10)
            w.close()
            return answer
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            self.stats["upstream_errors"] += 1
            return b""

    # ---- clients -----------------------------------------------------
    async def serve_udp(self, data, peer):
        answer = await self.answer(data, False)
        if answer:
            self.udp_down.sendto(answer, peer)

    async def serve_tcp(self, reader, writer):
        try:
            while True:
                n = struct.unpack("!H", await reader.readexactly(2))[0]
                msg = await reader.readexactly(n)
                asyncio.ensure_future(self.reply_tcp(msg, writer))
        except (OSError, asyncio.IncompleteReadError):
            pass

    async def reply_tcp(self, msg, writer):
        answer = await self.answer(msg, True)
        if answer and not writer.is_closing():
            writer.write(struct.pack("!H", len(answer)) + answer)


class Datagrams(asyncio.DatagramProtocol):
    def __init__(self, fn):
        self.fn = fn

    def datagram_received(self, data, addr):
        self.fn(data, addr)


def hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


async def run(args):
    loop = asyncio.get_running_loop()
    p = Proxy(args)
    host, port = args.listen
    p.udp_down, _ = await loop.create_datagram_endpoint(
        lambda: Datagrams(lambda d, a: asyncio.ensure_future(
            p.serve_udp(d, a))), local_addr=(host, port))
    p.udp_up, _ = await loop.create_datagram_endpoint(
        lambda: Datagrams(lambda d, a: p.upstream_datagram(d)),
        remote_addr=args.upstream)
    server = await asyncio.start_server(p.serve_tcp, host, port,
                                        reuse_address=True)
    done = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: done.done() or
                                done.set_result(None))
    if args.ready:
        with open(args.ready, "w") as f:
            f.write("%d\n" % port)
    await done
    server.close()
    out = json.dumps(p.stats, sort_keys=True) + "\n"
    if args.stats:
        with open(args.stats, "w") as f:
            f.write(out)
    else:
        sys.stdout.write(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", type=hostport, required=True)
    ap.add_argument("--upstream", type=hostport, required=True)
    ap.add_argument("--fault", choices=KINDS, default="none")
    ap.add_argument("--rate", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--delay-ms", type=int, default=2500)
    ap.add_argument("--match", default=None)
    ap.add_argument("--max", type=int, default=None)
    ap.add_argument("--stats", default=None)
    ap.add_argument("--ready", default=None,
                    help="file written once the proxy listens")
    args = ap.parse_args()
    if not 0.0 <= args.rate <= 1.0:
        ap.error("--rate must be between 0 and 1")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
