#!/usr/bin/env python3
"""Draws the cost-growth chart from criterion's JSON (Python stdlib only).

    cargo bench -p intertype-runtime --bench growth
    python3 scripts/chart.py [--criterion target/criterion] [--out docs/growth.svg]
    python3 scripts/chart.py --self-test    # on made-up results (CI)

Reads target/criterion/growth/<path>/<size>/new/{benchmark,estimates}.json
(the time per call criterion reports for each path at each string size), writes a log-log
SVG (size against time per call, one line per path) and prints the table
in Markdown, with each path's ratio to raw wasmtime, for docs/performance.md.
The x axis is logarithmic, so the 0 B point is drawn one step left of 5 B,
with its own tick.
"""

import argparse
import json
import math
import os
import sys
from xml.sax.saxutils import escape

PATHS = {
    "a_raw_wasmtime": ("raw wasmtime (hand-written glue)", "#555555"),
    "b_intertype_typed": ("intertype typed", "#1f77b4"),
    "c_intertype_dynamic": ("intertype dynamic", "#2ca02c"),
    "d_component_typed": ("component model (typed)", "#d62728"),
}
SIZE_LABELS = {"0B": 0, "5B": 5, "1KiB": 1 << 10, "64KiB": 64 << 10, "1MiB": 1 << 20, "16MiB": 16 << 20}


def pretty(size_label):
    """`64KiB` as `64 KiB`."""
    i = next(i for i, c in enumerate(size_label) if not c.isdigit())
    return f"{size_label[:i]} {size_label[i:]}"


def load(root):
    """{path: {size_label: ns per call}} for the `growth` group."""
    group = os.path.join(root, "growth")
    if not os.path.isdir(group):
        sys.exit(f"{group}: no results; run `cargo bench -p intertype-runtime --bench growth` first")
    data = {}
    for path in sorted(os.listdir(group)):
        for size in sorted(os.listdir(os.path.join(group, path))):
            new = os.path.join(group, path, size, "new")
            try:
                with open(os.path.join(new, "benchmark.json")) as f:
                    bench = json.load(f)
                with open(os.path.join(new, "estimates.json")) as f:
                    est = json.load(f)
            except FileNotFoundError:
                continue
            label = bench.get("value_str") or size
            # The estimate criterion prints: the slope of its linear
            # sampling, else the mean.
            point = (est.get("slope") or est["mean"])["point_estimate"]
            data.setdefault(bench["function_id"], {})[label] = point
    return data


def human_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def svg(data):
    width, height = 760, 460
    left, right, top, bottom = 80, 230, 40, 60
    sizes = [s for s in SIZE_LABELS if any(s in d for d in data.values())]
    # 0 B sits one decade left of 5 B on the log axis.
    xs = {s: math.log10(SIZE_LABELS[s]) if SIZE_LABELS[s] else math.log10(5) - 1 for s in sizes}
    times = [t for d in data.values() for t in d.values()]
    y_lo = math.floor(math.log10(min(times)))
    y_hi = math.ceil(math.log10(max(times)))
    x_lo, x_hi = min(xs.values()), max(xs.values())
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x):
        return left + (x - x_lo) / (x_hi - x_lo) * plot_w

    def py(ns):
        return top + (y_hi - math.log10(ns)) / (y_hi - y_lo) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">'
        "greet(string) -&gt; string: time per call against string size (log-log)</text>",
    ]
    for e in range(y_lo, y_hi + 1):
        y = py(10 ** e)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(human_time(10 ** e))}</text>')
    for s in sizes:
        x = px(xs[s])
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle">{escape(pretty(s))}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>')
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 18}" text-anchor="middle">string size</text>')
    out.append(
        f'<text x="18" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 18 {top + plot_h / 2})">time per call</text>'
    )
    legend_y = top + 10
    for path, points in sorted(data.items()):
        name, color = PATHS.get(path, (path, "#9467bd"))
        pts = [(px(xs[s]), py(points[s])) for s in sizes if s in points]
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        out.append(f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y in pts:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
        lx = left + plot_w + 16
        out.append(f'<line x1="{lx}" y1="{legend_y}" x2="{lx + 22}" y2="{legend_y}" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{lx + 28}" y="{legend_y + 4}">{escape(name)}</text>')
        legend_y += 20
    out.append("</svg>")
    return "\n".join(out) + "\n"


def table(data):
    sizes = [s for s in SIZE_LABELS if any(s in d for d in data.values())]
    raw = data.get("a_raw_wasmtime", {})
    rows = ["| path | " + " | ".join(pretty(s) for s in sizes) + " |",
            "|---|" + "---|" * len(sizes)]
    for path, points in sorted(data.items()):
        cells = []
        for s in sizes:
            if s not in points:
                cells.append("")
                continue
            cell = human_time(points[s])
            if path != "a_raw_wasmtime" and s in raw:
                cell += f" ({points[s] / raw[s]:.2f}×)"
            cells.append(cell)
        rows.append(f"| {PATHS.get(path, (path,))[0]} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def self_test():
    """Draws made-up results in a temporary folder and checks the chart and
    the table (CI runs this: benchmarks are compiled there, not run)."""
    import tempfile
    import xml.dom.minidom

    with tempfile.TemporaryDirectory() as tmp:
        for k, path in enumerate(PATHS):
            for size, n in SIZE_LABELS.items():
                new = os.path.join(tmp, "growth", path, size, "new")
                os.makedirs(new)
                with open(os.path.join(new, "benchmark.json"), "w") as f:
                    json.dump({"function_id": path, "value_str": size}, f)
                with open(os.path.join(new, "estimates.json"), "w") as f:
                    ns = 200 * (k + 1) + n / 4
                    json.dump({"mean": {"point_estimate": ns}, "slope": None}, f)
        data = load(tmp)
    assert sorted(data) == sorted(PATHS), data
    doc = xml.dom.minidom.parseString(svg(data))
    lines = doc.getElementsByTagName("polyline")
    assert len(lines) == len(PATHS), len(lines)
    assert all(len(l.getAttribute("points").split()) == len(SIZE_LABELS) for l in lines)
    rows = table(data).splitlines()
    assert len(rows) == 2 + len(PATHS), rows
    # 0 B: typed is 400 ns against raw's 200 ns.
    assert "400 ns (2.00×)" in rows[3], rows[3]
    print("chart.py self-test: ok")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--criterion", default=os.path.join(root, "target", "criterion"))
    ap.add_argument("--out", default=os.path.join(root, "docs", "growth.svg"))
    ap.add_argument("--self-test", action="store_true", help="check the script on made-up results")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    data = load(args.criterion)
    with open(args.out, "w") as f:
        f.write(svg(data))
    print(f"wrote {args.out}\n")
    print(table(data))


if __name__ == "__main__":
    main()
