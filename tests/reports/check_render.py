#!/usr/bin/env python3
"""The reports as a browser lays them out: headless Chromium (Debian's
chromium package), with the real fonts.

1. Print to PDF (A4): the page count is in range, the pages are A4, and
   the text (pdftotext, poppler-utils) holds the expected headings and
   numbers, for report.html, report-ja.html and a remediation sheet.
2. Layout, measured in the page (a copy with a probe script; the report
   itself forbids scripts): at the printable width of A4 (703 CSS px)
   nothing is wider than the page; in every chart no two legend items
   overlap, every value label fits inside its segment, ISP names end
   before their bars, trend labels never overlap; no verdict cell
   (td.v) and no word kept whole (a hyphenated name, "-all") is broken
   over two lines.

Chromium runs with --headless --no-sandbox --disable-gpu
--disable-background-networking --disable-component-update --disable-sync
--no-first-run and a fresh --user-data-dir.

    check_render.py --dir REPORT_SAMPLE
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []
A4_WIDTH_PX = 703       # 210 mm - 2 x 12 mm margins at 96 px/inch

PROBE = r"""
<script>
(function () {
  var res = {legend: [], labels: [], names: [], trend: [], wide: [],
             broken: [], counted: {legend: 0, labels: 0, trend: 0, v: 0}};
  function box(e) { return e.getBoundingClientRect(); }
  function meet(a, b) {
    return a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
      a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  }
  function txt(e) { return e.textContent; }
  document.querySelectorAll('svg.chart').forEach(function (svg, i) {
    var leg = Array.prototype.slice.call(svg.querySelectorAll('g.legend'));
    var title = svg.querySelector('text.title');
    leg.forEach(function (a, j) {
      res.counted.legend++;
      if (title && meet(box(a), box(title)))
        res.legend.push([i, txt(a), 'title']);
      leg.slice(j + 1).forEach(function (b) {
        if (meet(box(a), box(b))) res.legend.push([i, txt(a), txt(b)]);
      });
    });
    var segs = Array.prototype.slice.call(
      svg.querySelectorAll('rect.seg, g.na rect'));
    svg.querySelectorAll('text.val').forEach(function (t) {
      var b = box(t);
      if (svg.classList.contains('trend')) {
        res.counted.trend++;
        svg.querySelectorAll('text.val, g.legend, text.month')
          .forEach(function (u) {
            if (u !== t && meet(b, box(u)))
              res.trend.push([i, txt(t), txt(u)]);
          });
        return;
      }
      res.counted.labels++;
      var cx = (b.left + b.right) / 2, cy = (b.top + b.bottom) / 2;
      var host = segs.filter(function (s) {
        var r = box(s);
        return r.left <= cx && cx <= r.right && r.top <= cy && cy <= r.bottom;
      });
      if (host.length !== 1) { res.labels.push([i, txt(t), 'no segment']); return; }
      var r = box(host[0]);
      if (b.left < r.left - 0.5 || b.right > r.right + 0.5)
        res.labels.push([i, txt(t), b.width, r.width]);
    });
    svg.querySelectorAll('text.bar-label').forEach(function (t) {
      var b = box(t);
      segs.forEach(function (s) {
        if (meet(b, box(s))) res.names.push([i, txt(t)]);
      });
    });
  });
  document.querySelectorAll('table, svg, figure, h1, h2, p, dl')
    .forEach(function (e) {
      if (box(e).right > window.innerWidth + 1)
        res.wide.push([e.tagName, (e.className && e.className.baseVal !==
          undefined ? e.className.baseVal : e.className) || '',
          Math.round(box(e).right)]);
    });
  document.querySelectorAll('td.v, .nw').forEach(function (td) {
    res.counted.v++;
    var rg = document.createRange();
    rg.selectNodeContents(td);
    var tops = {};
    Array.prototype.forEach.call(rg.getClientRects(), function (r) {
      tops[Math.round(r.top)] = 1;
    });
    if (Object.keys(tops).length > 1) res.broken.push(td.textContent);
  });
  var pre = document.createElement('pre');
  pre.id = 'hy-probe';
  pre.textContent = JSON.stringify(res);
  document.body.appendChild(pre);
})();
</script>
"""


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def chromium(args, profile, timeout=120):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        sys.exit("chromium is not installed (scripts/bootstrap.sh)")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run", "--user-data-dir=" + profile]
    return subprocess.run(cmd + args, capture_output=True, timeout=timeout)


def pdf(path, tmp, name):
    out = os.path.join(tmp, name + ".pdf")
    r = chromium(["--no-pdf-header-footer", "--print-to-pdf=" + out,
                  "file://" + os.path.abspath(path)],
                 os.path.join(tmp, "profile-" + name))
    check(os.path.exists(out), f"{path}: no PDF ({r.stderr[-300:]!r})")
    info = subprocess.run(["pdfinfo", out], capture_output=True,
                          text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    check(abs(float(size.group(1)) - 595.3) < 2 and
          abs(float(size.group(2)) - 841.9) < 2, f"{path}: not A4: {size[0]}")
    text = subprocess.run(["pdftotext", "-layout", out, "-"],
                          capture_output=True, text=True, check=True).stdout
    return pages, re.sub(r"[ \t]+", " ", text)


def print_rules(html):
    """The inside of the report's own @media print block."""
    start = html.index("@media print{") + len("@media print{")
    depth, i = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(html[i], 0)
        i += 1
    return html[start:i - 1]


def probe(path, tmp, name, charts=True, verdicts=True):
    html = open(path, encoding="utf-8").read()
    # the report forbids scripts: the copy drops that rule; it is laid
    # out with its own print rules, as on paper
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "",
                  html)
    html = html.replace("</head>", "<style>" + print_rules(html) +
                        "</style></head>")
    html = html.replace("</body>", PROBE + "</body>")
    copy = os.path.join(tmp, name + "-probe.html")
    open(copy, "w", encoding="utf-8").write(html)
    r = chromium(["--window-size=%d,1200" % A4_WIDTH_PX, "--dump-dom",
                  "file://" + copy], os.path.join(tmp, "profile-p-" + name))
    m = re.search(r'<pre id="hy-probe">(.*?)</pre>', r.stdout.decode())
    check(m is not None, f"{path}: the probe did not run")
    if m is None:
        return
    res = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&")
                     .replace("&lt;", "<").replace("&gt;", ">"))
    c = res["counted"]
    check((not charts or (c["legend"] >= 20 and c["labels"] >= 10 and
                          c["trend"] >= 10)) and (not verdicts or c["v"] >= 10),
          f"{path}: the probe measured too little: {c}")
    for k, what in (("legend", "legend items overlap"),
                    ("labels", "a value label does not fit its segment"),
                    ("names", "an ISP name runs into its bar"),
                    ("trend", "trend labels overlap"),
                    ("wide", f"wider than A4 ({A4_WIDTH_PX}px)"),
                    ("broken", "a verdict or word broken over two lines")):
        check(not res[k], f"{path}: {what}: {res[k][:5]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--hygiene", help="unused: the HTML is already written")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pages, text = pdf(f"{args.dir}/report-ja.html", tmp, "ja")
        check(3 <= pages <= 12, f"report-ja.html: {pages} pages")
        for s in ("国内ISPにおけるDNSSEC・送信ドメイン認証・RPKIの導入状況",
                  "調査月: 2026年12月", "調査の概要", "技術別の導入状況",
                  "推移", "事業者別の導入率", "経路情報の正当性検証（ROV）",
                  "自社ドメインの詳細", "注記", "データの出所",
                  "DNSSEC署名・検証成功", "66.7%", "45.5%", "n=11",
                  "+50.0", "アルファネット", "該当なし", "増減（pt）"):
            check(s in text, f"report-ja.html PDF lacks {s!r}")
        pages, text = pdf(f"{args.dir}/report.html", tmp, "en")
        check(3 <= pages <= 12, f"report.html: {pages} pages")
        for s in ("Summary", "Deployment by technology",
                  "Trend over the months", "Adoption by ISP",
                  "Own domains in detail", "Notes",
                  "Where the numbers come from", "Alpha Net", "66.7%",
                  "37.5%", "n=8", "Change (pt)", "2026-09"):
            check(s in text, f"report.html PDF lacks {s!r}")
        pages, text = pdf(f"{args.dir}/sheets/alpha.ja.html", tmp, "sheet")
        check(1 <= pages <= 5, f"sheets/alpha.ja.html: {pages} pages")
        for s in ("作成すべきROA", "203.0.113.0/25", "maxLength 25",
                  "RPKIでInvalidとなる経路", "maxLengthが緩いROA",
                  "自社ドメインの改善項目", "RFC 8461"):
            check(s in text, f"sheets/alpha.ja.html PDF lacks {s!r}")
        probe(f"{args.dir}/report-ja.html", tmp, "ja")
        probe(f"{args.dir}/report.html", tmp, "en")
        probe(f"{args.dir}/trend-24.html", tmp, "t24", verdicts=False)
        probe(f"{args.dir}/trend-24-ja.html", tmp, "t24-ja", verdicts=False)
        probe(f"{args.dir}/sheets/alpha.ja.html", tmp, "sheet", False, False)
        probe(f"{args.dir}/sheets/beta.en.html", tmp, "sheet-en", False,
              False)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
