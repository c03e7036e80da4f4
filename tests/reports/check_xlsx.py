#!/usr/bin/env python3
"""stats.xlsx and the remediation workbooks read back with openpyxl.

stats.xlsx (the survey's, Japanese) has one worksheet per table; each
has one frozen header row in Japanese, set column widths and typed
cells: counts are numbers, rates are fractions with a percent format,
changes are numbers with a "pt" format, and a rate with nothing to count
is the text 該当なし, never 0. `hygiene report --format xlsx` writes the
same workbook (to --output, or to standard output); a remediation
workbook (`report --sheet ID --format xlsx`, sheets/ID.xlsx) has a
Japanese and an English worksheet.

    check_xlsx.py --dir REPORT_SAMPLE --hygiene build/hygiene
"""
import argparse
import io
import os
import re
import subprocess
import sys
import tempfile

try:
    import openpyxl
except ImportError:
    # Debian's python3-openpyxl is on /usr/bin/python3's path; another
    # python3 first on PATH (pyenv, a venv) may not have it.
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") \
            and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

failures = []
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


SHEETS = ["自社ドメイン", "ホスティング先ドメイン", "RPKI・ROV", "ドメイン別結果",
          "検出事項", "データの出所"]


def header(ws):
    return [c.value for c in ws[1]]


def row_of(ws, col, value):
    for r in ws.iter_rows(min_row=2):
        if r[col].value == value:
            return r
    return None


def check_stats(wb, label):
    check(wb.sheetnames == SHEETS, f"{label}: worksheets {wb.sheetnames}")
    for name in SHEETS:
        ws = wb[name]
        check(ws.freeze_panes in ("A2", "B2", "C2"),
              f"{label} {name}: header row not frozen ({ws.freeze_panes})")
        h = header(ws)
        check(all(isinstance(v, str) and v for v in h),
              f"{label} {name}: empty header cell")
        check(sum(1 for v in h if CJK.search(v)) >= len(h) // 2,
              f"{label} {name}: headers not in Japanese: {h}")
        for i in range(1, len(h) + 1):
            letter = openpyxl.utils.get_column_letter(i)
            dim = ws.column_dimensions.get(letter)
            check(dim is not None and dim.width and dim.width > 0,
                  f"{label} {name}: column {letter} has no width")
    ws = wb["自社ドメイン"]
    h = header(ws)
    rate = h.index("DNSSEC署名・検証成功")
    alpha = row_of(ws, 0, "alpha")
    check(alpha is not None, f"{label}: no alpha row")
    check(alpha[rate].value == 1.0 and alpha[rate].data_type == "n",
          f"{label}: alpha's DNSSEC rate {alpha[rate].value!r}")
    check("%" in alpha[rate].number_format,
          f"{label}: rate format {alpha[rate].number_format}")
    n = alpha[rate + 1]
    check(n.value == 2 and isinstance(n.value, (int, float)),
          f"{label}: alpha's DNSSEC n {n.value!r}")
    delta = alpha[rate + 2]
    check(abs(delta.value - 50.0) < 1e-9 and "pt" in delta.number_format,
          f"{label}: alpha's change {delta.value!r} {delta.number_format}")
    check(isinstance(alpha[2].value, (int, float)) and alpha[2].value == 2,
          f"{label}: domain count typed")
    gamma = row_of(ws, 0, "gamma")
    check(gamma[rate].value == "該当なし",
          f"{label}: gamma's n/a rate is {gamma[rate].value!r}")
    total = [r for r in ws.iter_rows(min_row=2) if r[1].value ==
             "全事業者の自社ドメイン"]
    check(len(total) == 1, f"{label}: no total row")
    ws = wb["ドメイン別結果"]
    check(ws.max_row == 8, f"{label}: {ws.max_row - 1} domain rows")
    b1 = row_of(ws, 0, "b1.example.jp")
    check(b1 is not None and b1[6].value == "検証失敗",
          f"{label}: b1's DNSSEC verdict in Japanese")
    rec = b1[15].value
    check(rec.startswith("=HYPERLINK(") and b1[15].data_type == "s",
          f"{label}: the hostile record is a string cell: {b1[15].data_type}")
    check("\u202e" not in rec, f"{label}: bidi override in a cell")
    ws = wb["RPKI・ROV"]
    beta = row_of(ws, 0, "beta")
    check(beta[14].value == "破棄している", f"{label}: beta's ROV status")
    ws = wb["検出事項"]
    nx = row_of(ws, 4, "nxdomain")
    check(nx is not None and nx[5].value.startswith("ドメインが存在しない") and
          nx[6].value.startswith("綴りを確認") and nx[7].value ==
          "RFC 1035 §4.1.1", f"{label}: the catalogue's words for nxdomain")


def check_sheet(wb, label):
    check(wb.sheetnames == ["改善項目", "Remediation"],
          f"{label}: worksheets {wb.sheetnames}")
    for name in wb.sheetnames:
        text = [c.value for r in wb[name].iter_rows() for c in r
                if isinstance(c.value, str)]
        check(any("203.0.113.0/25 maxLength 25 AS64500" == t for t in text),
              f"{label} {name}: the ROA to create")
        check(any(t.startswith("RFC 8461") for t in text),
              f"{label} {name}: an RFC cell")
    ja = [c.value for r in wb["改善項目"].iter_rows() for c in r
          if isinstance(c.value, str)]
    check(any("作成すべきROA" in t for t in ja), f"{label}: Japanese titles")
    nums = [c.value for r in wb["Remediation"].iter_rows() for c in r
            if isinstance(c.value, (int, float))]
    check(3 in nums, f"{label}: the loose ROA's allowed prefixes typed")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--hygiene", required=True)
    args = ap.parse_args()
    db = f"{args.dir}/history.sqlite"
    check_stats(openpyxl.load_workbook(f"{args.dir}/stats.xlsx"),
                "survey stats.xlsx")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.xlsx")
        subprocess.run([args.hygiene, "report", "--db", db, "--month",
                        "2026-12", "--compare", "2026-11", "--format", "xlsx",
                        "--lang", "ja", "--output", out], check=True)
        check_stats(openpyxl.load_workbook(out), "report --output")
        piped = subprocess.run(
            [args.hygiene, "report", "--db", db, "--month", "2026-12",
             "--compare", "2026-11", "--format", "xlsx", "--lang", "ja"],
            capture_output=True, check=True).stdout
        check_stats(openpyxl.load_workbook(io.BytesIO(piped)),
                    "report to stdout")
        check(piped == open(out, "rb").read(),
              "the same history gives the same workbook")
        en = subprocess.run(
            [args.hygiene, "report", "--db", db, "--month", "2026-12",
             "--format", "xlsx", "--lang", "en"],
            capture_output=True, check=True).stdout
        wb = openpyxl.load_workbook(io.BytesIO(en))
        check(wb.sheetnames[0] == "Own domains", "English worksheet names")
        check_sheet(openpyxl.load_workbook(f"{args.dir}/sheets/alpha.xlsx"),
                    "survey sheets/alpha.xlsx")
        sheet = subprocess.run(
            [args.hygiene, "report", "--db", db, "--month", "2026-12",
             "--sheet", "alpha", "--format", "xlsx"],
            capture_output=True, check=True).stdout
        check_sheet(openpyxl.load_workbook(io.BytesIO(sheet)),
                    "report --sheet alpha")
        bad = subprocess.run(
            [args.hygiene, "report", "--db", db, "--month", "2026-12",
             "--sheet", "nosuch", "--format", "xlsx", "--output", out],
            capture_output=True)
        check(bad.returncode == 1 and b"no ISP 'nosuch'" in bad.stderr,
              f"unknown ISP: {bad.returncode} {bad.stderr!r}")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
