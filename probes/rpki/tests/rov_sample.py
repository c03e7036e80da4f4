#!/usr/bin/env python3
"""The benchmark's generator on a tiny sample (5,000 prefixes x 12 peers):
hygiene's ROV table must match what the generator built (manifest.json:
routes per ISP feed, invalid routes exported, the status each ISP was
given by construction, the distinct invalid routes), and Debian's bgpdump,
when installed, must count the same routes.

usage: rov_sample.py HYGIENE HYGIENE_ROV_GEN WORKDIR
"""
import json
import os
import shutil
import subprocess
import sys


def main():
    hygiene, gen, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    subprocess.run([gen, "-p", "5000", "-n", "12", work], check=True,
                   stdout=subprocess.DEVNULL)
    man = json.load(open(os.path.join(work, "manifest.json")))
    rib = os.path.join(work, "rib.mrt.gz")
    routes = os.path.join(work, "routes.txt")
    # Only --paths matters here; an empty route table is refused, so one
    # route of a private ASN that no ISP of the sample holds.
    open(routes, "w").write("192.0.2.0/24\t4200000000\n")
    p = subprocess.run([hygiene, "rpki", "--json", "--vrps",
                        os.path.join(work, "vrps.json"), "--routes", routes,
                        "--isps", os.path.join(work, "isps.json"), "--at",
                        "2025-01-01T00:00:00Z", "--paths", rib],
                       capture_output=True, text=True, timeout=120)
    fails = []
    if p.returncode != 0:
        print(p.stderr)
        return 1
    doc = json.loads(p.stdout)
    src = doc["path_source"]
    if src["routes"] != man["routes"]:
        fails.append("routes %d != %d" % (src["routes"], man["routes"]))
    if src["invalid_routes"] != man["invalid_routes"]:
        fails.append("invalid routes %d != %d" % (src["invalid_routes"],
                                                  man["invalid_routes"]))
    for isp in doc["isps"]:
        want, rov = man["isps"][isp["id"]], isp["rov"]
        got = {k: rov[k] for k in want}
        print("%s: %s" % (isp["id"], got))
        if got != want:
            fails.append("%s: %s != %s" % (isp["id"], got, want))
        if rov["invalid_in_view"] != man["invalid_routes"]:
            fails.append("%s: invalid_in_view %d" % (isp["id"],
                                                     rov["invalid_in_view"]))
    if shutil.which("bgpdump"):
        b = subprocess.run(["bgpdump", "-m", rib], capture_output=True,
                           timeout=120)
        n = b.stdout.count(b"\n")
        print("bgpdump -m: %d lines" % n)
        if n != man["routes"]:
            fails.append("bgpdump counts %d routes" % n)
    for f in fails:
        print("FAIL " + f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
