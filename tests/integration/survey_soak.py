#!/usr/bin/env python3
"""Kill-and-resume soak test of `hygiene survey` against the test world.

    survey_soak.py --hygiene PATH --world DIR [--kills N] [--extra M]
                   [--seed S] [--qps Q]

One month is surveyed without interruption (the reference). Then the
same month is surveyed into a new history and killed with SIGKILL at
random moments, each run after the first continuing with --resume, until
a last --resume finishes it; when a run finishes before its kill, the
next round starts a new history, until N kills have landed mid-run. In
every round the final stats.json must equal the reference's, and
results.ndjson the reference's as a set of lines (without checked_at;
lists compared as multisets; a domain that could not be measured keeps
only that fact, since which of its queries failed first depends on the
resolver's state): nothing lost, nothing counted twice. The history must
hold exactly one result per target.

The domains are the world's, a few invalid names, and M names that do
not exist under world zones (NXDOMAIN: cheap, deterministic, and enough
of them that results are committed several times per run). --qps paces
the runs so the kills land while domains are in flight.

ctest runs a short soak (integration-survey-soak); the long one is

    python3 tests/integration/survey_soak.py --hygiene build/hygiene \\
        --world build/world --kills 60 --extra 6000

with the world up (tests/world/README.md). It prints the figures: kills
that landed mid-run, domains lost, domains counted twice.
"""

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import survey_world  # noqa: E402  (world_env, comparable)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
ISPS = os.path.join(ROOT, "tests", "world", "demo-isps.json")
ROUTES = os.path.join(ROOT, "tests", "world", "demo-routes.txt")
ZONES = ("unsigned.jp", "secure13.jp", "secure8-nsec3.jp", "example.co.jp")
INVALID = ("bad..x.jp", "ex ample.jp", "-dash-.jp")
MONTH = "2026-11"
TIMEOUT = 6
# The least a run that still measures anything takes: start-up, and the
# world's unreachable domains, which wait for the per-domain deadline.
RUN_FLOOR = TIMEOUT + 2


def survey_cmd(args, env, out, resume):
    return [args.hygiene, "survey", "--isps", ISPS,
            "--domains", args.domains_file, "--out",
            os.path.join(out, MONTH), "--month", MONTH,
            "--resolver", env["HY_RESOLVER"],
            "--trust-anchor", env["HY_TRUST_ANCHOR"],
            "--ca-file", env["HY_CA_FILE"],
            "--https-port", env["HY_HTTPS_PORT"],
            "--rtr", env["HY_RTR"], "--routes", ROUTES,
            "--timeout", str(TIMEOUT), "--concurrency", "64",
            "--qps", str(args.qps)] + (["--resume"] if resume else [])


def as_set(out):
    """The comparable lines of results.ndjson, as a multiset (sorted
    list), and the domains in the file in order."""
    path = os.path.join(out, MONTH, "results.ndjson")
    rows = survey_world.comparable(path, loose=True)
    with open(path, encoding="utf-8") as f:
        names = [(lambda o: o["domain"] or o["input"])(json.loads(line))
                 for line in f]
    return sorted(json.dumps(r, sort_keys=True) for r in rows), names


def history(out):
    db = sqlite3.connect(os.path.join(out, "hygiene-history.sqlite"))
    try:
        return db.execute(
            "SELECT (SELECT count(*) FROM targets WHERE month=?1), "
            "(SELECT count(*) FROM results WHERE month=?1), "
            "(SELECT count(DISTINCT domain) FROM results WHERE month=?1)",
            (MONTH,)).fetchone()
    finally:
        db.close()


def soak_round(args, env, out, full, total, rng, kills):
    """One survey killed until it is done or kills have landed; each run
    after the first continues with --resume. The kill moment is drawn
    over the first half of the time the remaining domains should take
    (the whole list took full seconds; no run takes less than
    RUN_FLOOR), so most kills land mid-run, from the start-up and
    planning to the last commit. Returns (kills landed, runs)."""
    landed = runs = 0
    while landed < kills:
        runs += 1
        db = os.path.join(out, "hygiene-history.sqlite")
        stored = history(out)[1] if os.path.exists(db) else 0
        remaining = max(full * (total - stored) / total, RUN_FLOOR)
        delay = rng.uniform(0.02, 0.5) * remaining
        proc = subprocess.Popen(survey_cmd(args, env, out, runs > 1),
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            landed += 1
        rc = proc.wait()
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        t, r, _ = history(out) if os.path.exists(db) else (0, 0, 0)
        print("run %d: %s at %.2fs; %d of %d results stored" % (
            runs, "killed" if rc == -signal.SIGKILL else "exited %d" % rc,
            delay, r, t), flush=True)
        if rc not in (-signal.SIGKILL, 3):
            raise SystemExit("FAIL run %d exited %d: %s" % (runs, rc, err))
        if rc == 3:
            break  # finished before the kill: the next round starts
    return landed, runs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hygiene", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--kills", type=int, default=5,
                    help="kills that must land while the survey runs")
    ap.add_argument("--extra", type=int, default=1000,
                    help="names that do not exist, added to the list")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--qps", type=int, default=2000)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    env = survey_world.world_env(args.world)
    tmp = tempfile.mkdtemp(prefix="hy-survey-soak-")
    args.domains_file = os.path.join(tmp, "domains.txt")
    names = env["HY_DOMAINS"].split() + list(INVALID) + [
        "soak%05d.%s" % (i, ZONES[i % len(ZONES)])
        for i in range(args.extra)]
    with open(args.domains_file, "w") as f:
        f.write("\n".join(names) + "\n")
    print("seed %d, %d domains" % (seed, len(names)))

    # The reference, after a warm-up run so both meet the same resolver
    # cache state (the first run after `world up` is slower).
    subprocess.run(survey_cmd(args, env, os.path.join(tmp, "warm"), False),
                   capture_output=True, timeout=900)
    t0 = time.monotonic()
    ref = subprocess.run(survey_cmd(args, env, os.path.join(tmp, "ref"),
                                    False),
                         capture_output=True, text=True, timeout=900)
    full = time.monotonic() - t0
    if ref.returncode != 3:
        print("FAIL reference run: exit %d: %s" % (ref.returncode,
                                                  ref.stderr))
        return 1
    print(ref.stdout.strip())
    ref_stats = json.load(open(os.path.join(tmp, "ref", MONTH,
                                            "stats.json")))
    ref_set, ref_names = as_set(os.path.join(tmp, "ref"))

    landed = runs = rounds = lost = twice = differ = 0
    fails = []
    while landed < args.kills:
        rounds += 1
        out = os.path.join(tmp, "soak%d" % rounds)
        k, n = soak_round(args, env, out, full, len(names), rng,
                          args.kills - landed)
        landed += k
        runs += n
        final = subprocess.run(survey_cmd(args, env, out, True),
                               capture_output=True, text=True, timeout=900)
        print(final.stdout.strip())
        if final.returncode != ref.returncode:
            fails.append("round %d: final run exited %d: %s" % (
                rounds, final.returncode, final.stderr))
            break
        got_set, got_names = as_set(out)
        got_stats = json.load(open(os.path.join(out, MONTH,
                                                "stats.json")))
        targets, results, distinct = history(out)
        missing = sorted(set(ref_names) - set(got_names))
        lost += len(missing) + targets - results
        twice += len(got_names) - len(set(got_names)) + results - distinct
        differ += len(set(ref_set) ^ set(got_set))
        if got_stats != ref_stats:
            fails.append("round %d: stats.json differs from the "
                         "reference" % rounds)
        if missing or targets != results:
            fails.append("round %d: lost %s; %d targets, %d results" % (
                rounds, missing[:10], targets, results))
    print("soak: %d kills landed mid-run in %d rounds (%d runs), %d "
          "lost, %d counted twice, %d result lines differ" % (
              landed, rounds, runs, lost, twice, differ))
    if twice:
        fails.append("%d counted twice" % twice)
    if differ:
        fails.append("results.ndjson differs from the reference as a set")
    for f in fails:
        print("FAIL", f)
    if fails:
        print("files in %s (seed %d)" % (tmp, seed))
        return 1
    subprocess.run(["rm", "-rf", tmp])
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
