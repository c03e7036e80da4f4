#!/usr/bin/env python3
"""Synthetic but realistically shaped inputs for bench/rpki/run.sh.

    gen.py ROUTES.gz VRPS_2019.json OUTDIR [--vrps N]

Writes OUTDIR/vrps.json (stayrtr format) and OUTDIR/isps.json.

VRPs: the 5,000 real 2019 VRPs, plus VRPs derived from the routing table
the way real ROAs relate to announcements (deterministic, seed 2015):
most cover a route exactly with its origin; some allow more-specifics
(maxLength up to +4); 1% name another AS (the route becomes
invalid-asn) and 1% cover the route with a shorter prefix (more-specific
announcements become invalid-length), roughly the invalid share seen in
practice; the routes left when N VRPs (default 420,000) are made stay
not-found. More invalids arise, as in reality, where an aggregate's VRP
covers a customer's more-specific with another origin.

ISPs: every origin AS of the table, in groups of 50, so the run validates
the whole table; the first ISPs are four Japanese ones (IIJ, NTT
Communications, KDDI, SoftBank) with their ASNs of that date.
"""
import gzip
import ipaddress
import json
import random
import sys


def main():
    routes_path, sample_path, out = sys.argv[1:4]
    want = 420000
    if "--vrps" in sys.argv:
        want = int(sys.argv[sys.argv.index("--vrps") + 1])
    rnd = random.Random(2015)
    routes = []
    with gzip.open(routes_path, "rt") as f:
        for line in f:
            if line.startswith(";") or not line.strip():
                continue
            pfx, asn = line.split()
            routes.append((pfx, asn))
    sample = json.load(open(sample_path))
    roas = []
    for v in sample:
        asn = str(v["asn"])
        roas.append({"prefix": v["prefix"], "maxLength": v["maxLength"],
                     "asn": asn if asn.startswith("AS") else "AS" + asn,
                     "ta": "sample-2019"})
    order = list(range(len(routes)))
    rnd.shuffle(order)
    for i in order:
        if len(roas) >= want:
            break
        pfx, asn = routes[i]
        if "_" in asn or "," in asn:
            asn = asn.replace(",", "_").split("_")[0]
        net = ipaddress.ip_network(pfx)
        bits = net.max_prefixlen
        r = rnd.random()
        if r < 0.98:
            maxlen = net.prefixlen
            if rnd.random() < 0.15:
                maxlen = min(bits, net.prefixlen + rnd.choice((1, 2, 4)))
            roas.append({"prefix": pfx, "maxLength": maxlen,
                         "asn": "AS" + asn, "ta": "synthetic"})
        elif r < 0.99:
            other = str(rnd.randrange(1, 400000))
            roas.append({"prefix": pfx, "maxLength": net.prefixlen,
                         "asn": "AS" + other, "ta": "synthetic"})
        elif net.prefixlen > 8 and (net.version == 4 or net.prefixlen > 19):
            sup = net.supernet(prefixlen_diff=1)
            roas.append({"prefix": str(sup), "maxLength": sup.prefixlen,
                         "asn": "AS" + asn, "ta": "synthetic"})
        # else: no VRP, the route stays not-found
    json.dump({"metadata": {"buildtime": "2015-11-01T06:00:00Z",
                            "comment": "synthetic bench VRPs"},
               "roas": roas}, open(out + "/vrps.json", "w"))
    jp = [("iij", "IIJ", [2497]), ("ntt", "NTT Communications", [4713]),
          ("kddi", "KDDI", [2516]), ("softbank", "SoftBank", [17676])]
    used = {a for _, _, asns in jp for a in asns}
    asns = set()
    for _, asn in routes:
        for a in asn.replace(",", "_").split("_"):
            asns.add(int(a))
    rest = sorted(a for a in asns - used if 0 < a <= 4294967295)
    isps = [{"id": i, "name": n, "name_ja": n, "asns": a, "domains": []}
            for i, n, a in jp]
    for k in range(0, len(rest), 50):
        isps.append({"id": "bench-%05d" % (k // 50),
                     "name": "bench group %d" % (k // 50),
                     "name_ja": "bench group %d" % (k // 50),
                     "asns": rest[k:k + 50], "domains": []})
    json.dump({"isps": isps}, open(out + "/isps.json", "w"))
    print("%d routes, %d VRPs, %d ISPs, %d ASNs" %
          (len(routes), len(roas), len(isps), len(asns)))


if __name__ == "__main__":
    main()
