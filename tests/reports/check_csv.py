#!/usr/bin/env python3
"""The survey's CSV tables read back with Python's csv module.

Every file holds one table: a BOM, one header row (the first), the same
number of fields on every line, no blank line, no second header. Text
cells that start like a formula (= + - @ tab CR) carry a leading
apostrophe; a bare number may be negative. `hygiene report --format csv
--table NAME` prints the same table as the survey wrote.

    check_csv.py --dir REPORT_SAMPLE --hygiene build/hygiene
"""
import argparse
import csv
import io
import subprocess
import sys

TABLES = {
    # file: (--table name, first header fields, data rows in the fixture)
    "stats.csv": ("isps", ["month", "compare_month", "isp_id"], 7),
    "domains.csv": ("domains", ["domain", "domain_unicode", "input"], 7),
    "rpki.csv": ("rpki", ["isp_id", "name", "name_ja"], 3),
    "findings.csv": ("findings", ["domain", "isp_id", "section"], 5),
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def check_table(name, raw, first, nrows):
    check(raw.startswith(b"\xef\xbb\xbf"), f"{name}: no UTF-8 BOM")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    check([] not in rows, f"{name}: a blank line (a second table?)")
    check(len(rows) >= 1, f"{name}: empty")
    header = rows[0]
    check(header[:len(first)] == first, f"{name}: header starts {header[:3]}")
    check(len(set(header)) == len(header), f"{name}: repeated column names")
    for i, r in enumerate(rows[1:], 2):
        check(len(r) == len(header),
              f"{name} line {i}: {len(r)} fields, header has {len(header)}")
        check(r != header, f"{name} line {i}: a second header row")
        for c in r:
            if c.startswith(FORMULA_START):
                check(is_number(c), f"{name} line {i}: formula start {c!r}")
    if nrows is not None:
        check(len(rows) - 1 == nrows,
              f"{name}: {len(rows) - 1} data rows, expected {nrows}")
    return header, rows[1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--hygiene", required=True)
    args = ap.parse_args()
    tables = {}
    for name, (table, first, nrows) in TABLES.items():
        raw = open(f"{args.dir}/{name}", "rb").read()
        tables[name] = check_table(name, raw, first, nrows)
        out = subprocess.run(
            [args.hygiene, "report", "--db", f"{args.dir}/history.sqlite",
             "--month", "2026-12", "--compare", "2026-11", "--format",
             "csv", "--table", table],
            capture_output=True, check=True).stdout
        check(out == raw, f"report --table {table} differs from {name}")

    bad = subprocess.run(
        [args.hygiene, "report", "--db", f"{args.dir}/history.sqlite",
         "--month", "2026-12", "--format", "html", "--table", "domains"],
        capture_output=True)
    check(bad.returncode == 2 and b"--table goes with --format csv" in
          bad.stderr, "--table without --format csv is a usage error")

    # What the tables say about the fixture.
    header, rows = tables["stats.csv"]
    col = {h: i for i, h in enumerate(header)}
    alpha = [r for r in rows if r[col["isp_id"]] == "alpha"
             and r[col["scope"]] == "own"][0]
    check(alpha[col["dnssec_secure_pct"]] == "100.00", "alpha DNSSEC rate")
    check(alpha[col["dnssec_secure_n"]] == "2", "alpha DNSSEC n")
    check(alpha[col["dnssec_secure_delta_pts"]] == "50.00", "alpha change")
    gamma = [r for r in rows if r[col["isp_id"]] == "gamma"
             and r[col["scope"]] == "own"][0]
    check(gamma[col["dnssec_secure_pct"]] == "", "gamma n/a is empty, not 0")
    header, rows = tables["domains.csv"]
    col = {h: i for i, h in enumerate(header)}
    hostile = [r for r in rows if r[col["domain"]] == "b1.example.jp"][0]
    check(hostile[col["dmarc_record"]].startswith("'=HYPERLINK("),
          "the hostile DMARC record is neutralised")
    check("\u202e" not in hostile[col["dmarc_record"]], "bidi override kept")
    bad = [r for r in rows if r[col["input"]] == "bad..name"]
    check(len(bad) == 1 and bad[0][col["measurement"]] == "invalid_input",
          "the invalid name is a row of its own")
    header, rows = tables["rpki.csv"]
    col = {h: i for i, h in enumerate(header)}
    beta = [r for r in rows if r[0] == "beta"][0]
    check(beta[col["rov_status"]] == "filtering", "beta's ROV status")
    check(beta[col["routes_to_fix"]] == "1", "beta's routes to fix")
    header, rows = tables["findings.csv"]
    col = {h: i for i, h in enumerate(header)}
    nx = [r for r in rows if r[col["code"]] == "nxdomain"]
    check(len(nx) == 1 and nx[0][col["rfc"]] == "RFC 1035 §4.1.1",
          "the nxdomain error row with its RFC from the catalogue")
    check(all(r[col["remediation"]] for r in rows),
          "a finding without the catalogue's remediation")
    check(any(r[col["code"]] == "signature-expired" and
              r[col["section"]] == "dnssec" for r in rows),
          "b1's expired signature")

    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
