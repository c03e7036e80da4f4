#!/usr/bin/env python3
"""The report's charts and tables, read from the HTML the survey wrote.

Distribution charts: one per technology, each with a title, a legend, one
100% stacked bar per ISP plus one for all of them, n beside every bar,
value labels inside their segments, a hatched "n/a" bar where there is
nothing to count (gamma), never drawn like 0% (beta's DNSSEC secure is 0
of 1); RPKI counts routes on a chart of its own. Trend charts: one per
technology over the calendar months of the history (September, a gap in
October, November, December), a hollow marker where n < 30, value labels.
Tables: changes in percentage points with a marker for small n. Layout
and language: no break-all, the Japanese font stack, Japanese headings
and verdicts in report-ja.html.

    check_charts.py --dir REPORT_SAMPLE
"""
import argparse
import re
import sys
import xml.etree.ElementTree as ET

NS = {"s": "http://www.w3.org/2000/svg"}
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def svgs(html):
    out = []
    for m in re.finditer(r"<svg .*?</svg>", html, re.S):
        out.append(ET.fromstring(m.group(0)))
    return out


def cls(e):
    return (e.get("class") or "").split()


def texts(svg, name):
    return [t for t in svg.iter("{%s}text" % NS["s"]) if name in cls(t)]


def all_text(e):
    return "".join(e.itertext())


def check_dist(svg, lang, label):
    title = svg.find("s:title", NS)
    check(title is not None and title.text, f"{label}: no <title>")
    shown = texts(svg, "title")
    check(shown and all_text(shown[0]).strip(), f"{label}: no visible title")
    names = [all_text(t) for t in texts(svg, "bar-label")]
    ns = [all_text(t) for t in texts(svg, "n")]
    check(len(ns) == 4 and all(re.fullmatch(r"n=\d+", n) for n in ns),
          f"{label}: n per bar {ns}")
    legend = svg.findall("s:g[@class='legend']", NS)
    check(len(legend) >= 4, f"{label}: {len(legend)} legend items")
    # the legend sits above the bars
    ys = [float(t.get("y")) for t in texts(svg, "n")]
    leg_y = [float(g.find("s:text", NS).get("y")) for g in legend]
    check(max(leg_y) < min(ys) - 10, f"{label}: legend over the bars")
    # stacked to 100%: every measured bar has the same total width
    rows = {}
    for r in svg.iter("{%s}rect" % NS["s"]):
        if "seg" in cls(r):
            rows.setdefault(r.get("y"), []).append(r)
    widths = [sum(float(r.get("width")) for r in segs)
              for segs in rows.values()]
    check(widths and max(widths) - min(widths) < 0.1,
          f"{label}: bars of different length {widths}")
    # value labels inside their segment
    for t in texts(svg, "val"):
        x = float(t.get("x"))
        inside = [r for segs in rows.values() for r in segs
                  if float(r.get("x")) <= x <= float(r.get("x")) +
                  float(r.get("width")) and abs(float(r.get("y")) + 11 -
                                                float(t.get("y"))) < 1]
        check(len(inside) == 1, f"{label}: label {all_text(t)} off its bar")
    # gamma (nothing to count) is hatched n/a
    na = svg.findall("s:g[@class='na']", NS)
    check(len(na) >= 1, f"{label}: no n/a bar")
    for g in na:
        fill = g.find("s:rect", NS).get("fill")
        check(fill.startswith("url(#hatch-"), f"{label}: n/a fill {fill}")
        pid = fill[5:-1]
        check(svg.find(f".//s:pattern[@id='{pid}']", NS) is not None,
              f"{label}: pattern {pid} not in this svg")
        check(("n/a" if lang == "en" else "該当なし") in all_text(g),
              f"{label}: n/a bar says {all_text(g)!r}")
    return names, ns, rows, na


def check_report(path, lang):
    html = open(path, encoding="utf-8").read()
    charts = svgs(html)
    dist = [s for s in charts if "dist" in cls(s)]
    trend = [s for s in charts if "trend" in cls(s)]
    check(len(dist) == 5, f"{path}: {len(dist)} distribution charts")
    check(len(trend) == 5, f"{path}: {len(trend)} trend charts")
    for i, svg in enumerate(dist):
        names, ns, rows, na = check_dist(svg, lang, f"{path} chart {i}")
    # DNSSEC: gamma n/a, beta 0% secure but measured (bogus): not n/a
    names, ns, rows, na = check_dist(dist[0], lang, f"{path} DNSSEC")
    check(ns == ["n=3", "n=2", "n=1", "n=0"], f"{path}: DNSSEC n {ns}")
    check(len(na) == 1, f"{path}: only gamma is n/a in DNSSEC")
    beta_y = float(texts(dist[0], "n")[2].get("y")) - 11
    beta = [r for y, segs in rows.items() if abs(float(y) - beta_y) < 1.5
            for r in segs]
    check(beta and all(r.get("fill") != "#1b7837" for r in beta),
          f"{path}: beta's 0% secure drawn as a bar without secure")
    # RPKI: routes, on a chart of its own
    rp = dist[4]
    check([all_text(t) for t in texts(rp, "n")] == ["n=11", "n=8", "n=3",
                                                     "n=0"],
          f"{path}: RPKI n {[all_text(t) for t in texts(rp, 'n')]}")
    check(("routes" if lang == "en" else "経路") in rp.find("s:title",
                                                             NS).text,
          f"{path}: the RPKI chart says it counts routes")
    for svg in dist[:4]:
        check(("routes" if lang == "en" else "経路数") not in
              svg.find("s:title", NS).text,
              f"{path}: routes on a domain chart")

    for i, svg in enumerate(trend):
        label = f"{path} trend {i}"
        months = [all_text(t) for t in texts(svg, "month")]
        check(months == ["2026-09", "2026-10", "2026-11", "2026-12"],
              f"{label}: months {months}")
        lines = svg.findall("s:path[@class='line']", NS)
        check(len(lines) == (1 if i == 4 else 2), f"{label}: {len(lines)} "
              "series")
        for p in lines:
            check(p.get("d").count("M") == 2 and p.get("d").count("L") == 1,
                  f"{label}: no gap for October: {p.get('d')}")
        pts = [c for c in svg.iter("{%s}circle" % NS["s"])
               if "pt" in cls(c)]
        check(len(pts) == 3 * len(lines), f"{label}: {len(pts)} points")
        check(all("small" in cls(c) and c.get("fill") == "#fff"
                  for c in pts), f"{label}: small n not hollow")
        check(len(texts(svg, "val")) == len(pts), f"{label}: value labels")
        check(svg.find("s:title", NS) is not None, f"{label}: no title")

    # tables: changes in pt with the small-n marker, never a bare ±
    pt = "Change (pt)" if lang == "en" else "増減（pt）"
    check(pt in html, f"{path}: no '{pt}' header")
    check("<th>±</th>" not in html, f"{path}: a bare ± header")
    check('<span class="mark">†</span>' in html, f"{path}: no small-n mark")
    check("break-all" not in html, f"{path}: word-break: break-all")
    for font in ('"Yu Gothic"', '"Hiragino Sans"', "Meiryo",
                 '"Noto Sans CJK JP"'):
        check(font in html, f"{path}: font stack lacks {font}")
    check("@media print" in html and "size:A4" in html,
          f"{path}: no A4 print rules")
    if lang == "ja":
        heads = re.findall(r"<h[12][^>]*>(.*?)</h[12]>", html, re.S)
        check(heads and all(CJK.search(h) for h in heads),
              f"{path}: headings not in Japanese: "
              f"{[h for h in heads if not CJK.search(h)]}")
        cells = re.findall(r'<td class="v">(.*?)</td>', html)
        english = {"secure", "insecure", "bogus", "valid", "permerror",
                   "temperror", "absent", "none", "not measured",
                   "measured", "incomplete", "nxdomain", "n/a"}
        check(cells and not english & set(cells),
              f"{path}: English verdicts {english & set(cells)}")
        check("SPF 有効" not in html, f"{path}: the ambiguous 「SPF 有効」")
        check("ネットワーク衛生調査" not in html, f"{path}: the literal title")


def check_long_trend(path):
    """30 monthly surveys, none in 2025-08: the last 24 calendar months."""
    html = open(path, encoding="utf-8").read()
    trend = [s for s in svgs(html) if "trend" in cls(s)]
    check(len(trend) == 5, f"{path}: {len(trend)} trend charts")
    want = ["%04d-%02d" % (2025 + k // 12, k % 12 + 1) for k in range(24)]
    for i, svg in enumerate(trend):
        label = f"{path} trend {i}"
        months = texts(svg, "month")
        check([all_text(t) for t in months] == want,
              f"{label}: months {[all_text(t) for t in months][:3]}...")
        check(all("rotate(" in (t.get("transform") or "") for t in months),
              f"{label}: 24 month labels not turned")
        for p in svg.findall("s:path[@class='line']", NS):
            check(p.get("d").count("M") == 2,
                  f"{label}: no gap for 2025-08")
        pts = [c for c in svg.iter("{%s}circle" % NS["s"])
               if "pt" in cls(c)]
        lines = svg.findall("s:path[@class='line']", NS)
        check(len(pts) == 23 * len(lines), f"{label}: {len(pts)} points")
    # the DNSSEC rate of all domains climbs: 15% in 2025-01 (6 of 40)
    vals = [all_text(t) for t in texts(trend[0], "val")]
    check("15" in vals and "71" in vals, f"{path}: DNSSEC labels {vals}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--hygiene", help="unused: the HTML is already written")
    args = ap.parse_args()
    check_report(f"{args.dir}/report.html", "en")
    check_report(f"{args.dir}/report-ja.html", "ja")
    check_long_trend(f"{args.dir}/trend-24.html")
    check_long_trend(f"{args.dir}/trend-24-ja.html")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
