"""Small inline SVG charts for the report: stacked bars, grouped bars, a heat map.

Four chart types in plain SVG keep the report one self-contained file with no script and
no plotting dependency (matplotlib would add ~40 MB with numpy for these). Every text is
escaped: group names and answers come from the data.
"""

from __future__ import annotations

from html import escape

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
_W, _H, _LEFT, _BOTTOM, _TOP = 640, 260, 56, 56, 16


def _frame(title: str, height: int, body: list[str], legend: list[tuple[str, str]]) -> str:
    width = _W + 160
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
           f"<title>{escape(title)}</title>"]
    out += body
    for i, (name, color) in enumerate(legend):
        y = _TOP + 14 * i
        out.append(f'<rect x="{_W + 12}" y="{y}" width="10" height="10" fill="{color}"/><text x="{_W + 26}" y="{y + 9}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _axes(categories: list[str], top: float, fmt: str) -> tuple[list[str], float]:
    plot_h = _H - _TOP - _BOTTOM
    body = [f'<line x1="{_LEFT}" y1="{_H - _BOTTOM}" x2="{_W}" y2="{_H - _BOTTOM}" stroke="#333"/>']
    for k in range(5):
        v = top * k / 4
        y = _H - _BOTTOM - plot_h * k / 4
        body.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_W}" y2="{y:.1f}" stroke="#ddd"/><text x="{_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{fmt.format(v)}</text>')
    step = (_W - _LEFT) / max(1, len(categories))
    for i, c in enumerate(categories):
        x = _LEFT + step * (i + 0.5)
        body.append(f'<text x="{x:.1f}" y="{_H - _BOTTOM + 14}" text-anchor="end" transform="rotate(-30 {x:.1f} {_H - _BOTTOM + 14})">{escape(c)}</text>')
    return body, step


def stacked_bars(title: str, categories: list[str], series: dict[str, list[float]]) -> str:
    """One bar per category, its parts the series' values (shares: bars add up to 1)."""
    body, step = _axes(categories, 1.0, "{:.0%}")
    plot_h = _H - _TOP - _BOTTOM
    names = list(series)
    for i in range(len(categories)):
        total = sum(series[n][i] for n in names) or 1
        y = _H - _BOTTOM
        for j, n in enumerate(names):
            h = plot_h * series[n][i] / total
            y -= h
            body.append(f'<rect x="{_LEFT + step * i + step * 0.1:.1f}" y="{y:.1f}" width="{step * 0.8:.1f}" height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(n)}: {series[n][i] / total:.1%}</title></rect>')
    return _frame(title, _H, body, [(n, PALETTE[j % len(PALETTE)]) for j, n in enumerate(names)])


def grouped_bars(title: str, categories: list[str], series: dict[str, list[float]], fmt: str = "{:.0%}") -> str:
    """Side-by-side bars per category, one per series."""
    top = max([v for vals in series.values() for v in vals] + [1e-9])
    body, step = _axes(categories, top, fmt)
    plot_h = _H - _TOP - _BOTTOM
    names = list(series)
    width = step * 0.8 / max(1, len(names))
    for j, n in enumerate(names):
        for i, v in enumerate(series[n]):
            h = plot_h * v / top
            x = _LEFT + step * i + step * 0.1 + width * j
            body.append(f'<rect x="{x:.1f}" y="{_H - _BOTTOM - h:.1f}" width="{width:.1f}" height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(n)}, {escape(categories[i])}: {fmt.format(v)}</title></rect>')
    return _frame(title, _H, body, [(n, PALETTE[j % len(PALETTE)]) for j, n in enumerate(names)])


def heatmap(title: str, labels: list[str], matrix: list[list[int]]) -> str:
    """Row-normalised shares (what follows each label), darker is more; counts in the cells."""
    n = len(labels)
    cell = 56
    left, top = 80, 40
    body = [f'<text x="{left + n * cell / 2}" y="14" text-anchor="middle">next step →</text>']
    for j, lab in enumerate(labels):
        body.append(f'<text x="{left + cell * (j + 0.5)}" y="{top - 6}" text-anchor="middle">{escape(lab)}</text>')
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        body.append(f'<text x="{left - 6}" y="{top + cell * (i + 0.5) + 4}" text-anchor="end">{escape(labels[i])}</text>')
        for j, count in enumerate(row):
            share = count / total
            shade = int(255 - 200 * share)
            color = "#fff" if share > 0.5 else "#000"
            body.append(f'<rect x="{left + cell * j}" y="{top + cell * i}" width="{cell}" height="{cell}" fill="rgb({shade},{shade},255)" stroke="#fff"><title>{escape(labels[i])} → {escape(labels[j])}: {count} ({share:.0%})</title></rect>'
                        f'<text x="{left + cell * (j + 0.5)}" y="{top + cell * (i + 0.5) + 4}" text-anchor="middle" fill="{color}">{share:.0%}</text>')
    height = top + cell * n + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{left + cell * n + 10}" height="{height}" font-family="sans-serif" font-size="11">',
           f"<title>{escape(title)}</title>", *body, "</svg>"]
    return "\n".join(out)
