"""unbound as the oracle of the differential campaign.

unbound validates each case from the scripted server's auth face, with
the private root as its trust anchor. Per question its answer maps to:

  secure         NOERROR/NXDOMAIN with AD
  insecure       NOERROR/NXDOMAIN without AD
  bogus          SERVFAIL, while the same question and every DNSKEY and
                 DS query along the name's ancestors still get an answer
                 with records in it with CD=1: the data arrives and fails
                 validation. unbound
                 then also attaches a DNSSEC extended error (RFC 8914
                 codes 6-12), which is checked.
  indeterminate  SERVFAIL that also stays SERVFAIL (or no answer) with
                 CD=1 for the question or one of those DNSKEY/DS
                 queries: something could not be fetched. (unbound says
                 SERVFAIL with "DNSKEY missing" both when a zone has no
                 DNSKEY RRset and when it could not get one; the CD=1
                 queries tell the two apart.)

The domain verdict combines SOA, TXT and MX of the domain, and the TXT at
_dmarc only when it is bogus, in the order bogus > indeterminate >
insecure > secure: the rule hygiene's README states for its verdict.
"""

import os

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode

DNSSEC_EDE = set(range(6, 13))
RANK = {"secure": 0, "insecure": 1, "indeterminate": 2, "bogus": 3}


def unbound_conf(d, port, anchor, stubs, auth_port, override_date=None):
    ud = os.path.join(d, "unbound")
    os.makedirs(ud, exist_ok=True)
    out = ["server:",
           "  interface: 127.0.0.1",
           "  port: %d" % port,
           "  do-ip6: no",
           "  do-daemonize: no",
           "  username: \"\"",
           "  chroot: \"\"",
           "  directory: \"%s\"" % ud,
           "  pidfile: \"%s\"" % os.path.join(ud, "unbound.pid"),
           "  logfile: \"%s\"" % os.path.join(d, "logs", "unbound.log"),
           "  use-syslog: no",
           "  verbosity: %d" % int(os.environ.get("HY_DIFF_UNBOUND_VERBOSITY", "1")),
           "  val-log-level: 2",
           "  log-servfail: yes",
           "  ede: yes",
           "  num-threads: 1",
           "  num-queries-per-thread: 4096",
           "  outgoing-range: 8192",
           "  access-control: 127.0.0.0/8 allow",
           "  do-not-query-localhost: no",
           "  module-config: \"validator iterator\"",
           "  trust-anchor-file: \"%s\"" % anchor,
           # One question at a time, as asked: no minimised queries, no
           # answers synthesised from NSEC records of other questions, no
           # prefetch; each case's names are asked once.
           "  qname-minimisation: no",
           "  aggressive-nsec: no",
           "  prefetch: no",
           # unbound's defaults, written out: the clock-skew allowance
           # hygiene mirrors (probes/dnssec/README.md), algorithm
           # downgrade protection off (RFC 6840 §5.11).
           "  val-sig-skew-min: 3600",
           "  val-sig-skew-max: 86400",
           "  harden-algo-downgrade: no",
           "  infra-host-ttl: 60",
           "remote-control:",
           "  control-enable: no"]
    if override_date is not None:
        out.insert(-2, "  val-override-date: %d" % override_date)
    for z in stubs:
        out += ["stub-zone:", "  name: \"%s\"" % z,
                "  stub-addr: 127.0.0.1@%d" % auth_port]
    return "\n".join(out) + "\n"


def query(port, name, qtype, cd=False, timeout=30):
    """(rcode, ad, ede codes, records in answer + authority) or None when
    nothing came back."""
    q = dns.message.make_query(name, qtype, want_dnssec=True, payload=1232)
    if cd:
        q.flags |= dns.flags.CD
    try:
        r = dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout)
        if r.flags & dns.flags.TC:
            r = dns.query.tcp(q, "127.0.0.1", port=port, timeout=timeout)
    except (dns.exception.DNSException, OSError):
        return None
    ede = [o.code for o in r.options if isinstance(o, dns.edns.EDEOption)]
    return (r.rcode(), bool(r.flags & dns.flags.AD), ede,
            len(r.answer) + len(r.authority))


def ancestors(name):
    n = dns.name.from_text(name)
    out = []
    while True:
        out.append(n.to_text())
        if n == dns.name.root:
            return out
        n = n.parent()


def fetchable(port, name, qtype):
    """True if, with CD=1, the question and the DNSKEY and DS of every
    ancestor get an answer (what a validator needs to judge it). The
    DNSKEY and DS answers must hold records: an empty NOERROR there means
    the zone's servers did not serve it (a lame delegation), while an
    empty answer to the question itself may be what an attacker left."""
    qs = [(name, qtype, False)]
    for a in ancestors(name):
        qs.append((a, "DNSKEY", True))
        if a != ".":
            qs.append((a, "DS", False))
    for n, t, full in qs:
        r = query(port, n, t, cd=True)
        if r is None or r[0] not in (dns.rcode.NOERROR,
                                     dns.rcode.NXDOMAIN) or \
                (full and r[3] == 0):
            return False
    return True


def slot_verdict(port, name, qtype):
    """(verdict, detail) for one question."""
    r = query(port, name, qtype)
    if r is None:
        return "indeterminate", "no answer"
    rcode, ad, ede, _ = r
    if rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return ("secure" if ad else "insecure"), dns.rcode.to_text(rcode)
    if rcode != dns.rcode.SERVFAIL:
        return "indeterminate", dns.rcode.to_text(rcode)
    if not fetchable(port, name, qtype):
        return "indeterminate", "SERVFAIL, not fetchable (EDE %s)" % ede
    if not DNSSEC_EDE.intersection(ede):
        return "unclear", "SERVFAIL without a DNSSEC EDE (%s)" % ede
    return "bogus", "SERVFAIL EDE %s" % ",".join(map(str, ede))


def domain_verdict(slots):
    """slots: {"SOA": v, "TXT": v, "MX": v, "DMARC": v}."""
    acc = "secure"
    for k, v in slots.items():
        if k == "DMARC" and v != "bogus":
            continue
        if v == "unclear":
            return "unclear"
        if RANK[v] > RANK[acc]:
            acc = v
    return acc


def verdict(port, domain):
    slots = {}
    details = {}
    for key, name, t in (("SOA", domain, "SOA"), ("TXT", domain, "TXT"),
                         ("MX", domain, "MX"),
                         ("DMARC", "_dmarc." + domain, "TXT")):
        slots[key], details[key] = slot_verdict(port, name, t)
    return domain_verdict(slots), slots, details
