"""``batch report``: the summaries as one self-contained HTML page (inline SVG charts, inline
CSS, no scripts, nothing fetched) and the same tables in Markdown."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from cot_viewer.batch import svg
from cot_viewer.batch.rows import POSITION_BINS
from cot_viewer.batch.summary import Summary, Table, summarise

_CSS = """body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}figure{margin:1em 0 2em}figcaption{color:#555;font-size:13px}"""
VERIFY_BINS = [f"{b / 10:.1f}" for b in range(10)]  # summary.verify_hist: tenths of verify share
CYCLE_BINS = [str(b) for b in range(10)] + ["10+"]  # summary.cycle_hist: 0…9, 10+ cycles


def _cell(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.3f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def _md(text: str) -> str:
    """Text from the data, safe in Markdown: no HTML, no table-breaking pipes or newlines."""
    return escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def markdown_table(t: Table) -> str:
    def md(v: Any) -> str:
        return _md(_cell(v))

    lines = [f"### {_md(t.title)}", "", "| " + " | ".join(md(c) for c in t.columns) + " |", "|" + "---|" * len(t.columns)]
    lines += ["| " + " | ".join(md(v) for v in row) + " |" for row in t.rows]
    if not t.rows:
        lines.append("| " + " | ".join("–" for _ in t.columns) + " |")
    return "\n".join(lines) + "\n"


def html_table(t: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in t.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>" for row in t.rows)
    return f"<h3>{escape(t.title)}</h3>\n<table><tr>{head}</tr>{body}</table>\n"


def charts(s: Summary) -> list[tuple[str, str]]:
    """(caption, svg) for every chart."""
    bins = [f"{100 * b // POSITION_BINS}–{100 * (b + 1) // POSITION_BINS}%" for b in range(POSITION_BINS)]
    shares = {lab: [s.label_share[g][i] for g in s.label_share] for i, lab in enumerate(s.labels)}

    def normalised(hist: dict[str, list[int]]) -> dict[str, list[float]]:
        return {k: [c / (sum(v) or 1) for c in v] for k, v in hist.items()}

    out = []
    for subset, position in s.position.items():
        mix = {lab: [position[b][i] for b in range(POSITION_BINS)] for i, lab in enumerate(s.labels)}
        out.append((f"Label mix by position in the trace, {subset} (share of steps in each tenth of the reasoning)",
                    svg.stacked_bars(f"label mix by position, {subset}", bins, mix)))
        out.append((f"What follows what, {subset}: transitions between consecutive steps' labels, by row",
                    svg.heatmap(f"transitions, {subset}", s.labels, s.transitions[subset])))
    out.append(("Label share by group (mean share of step characters)", svg.stacked_bars("label share by group", list(s.label_share), shares)))
    for split in s.verify_hist:
        out.append((f"Verify share: share of traces per tenth, by {split}", svg.grouped_bars("verify share", VERIFY_BINS, normalised(s.verify_hist[split]))))
        out.append((f"Reconstruction cycles per trace: share of traces, by {split}", svg.grouped_bars("cycles", CYCLE_BINS, normalised(s.cycle_hist[split]))))
    return out


def render(s: Summary, title: str) -> tuple[str, str]:
    """(HTML, Markdown) of a summary."""
    html = [f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title><style>{_CSS}</style></head><body>",
            f"<h1>{escape(title)}</h1>"]
    html += [html_table(t) for t in s.tables]
    html.append("<h2>Charts</h2>")
    html += [f"<figure>{chart}<figcaption>{escape(caption)}</figcaption></figure>" for caption, chart in charts(s)]
    html.append("</body></html>\n")
    md = [f"# {title}\n"] + [markdown_table(t) for t in s.tables]
    for subset, position in s.position.items():
        md.append(markdown_table(Table(f"Label mix by position, {subset} (steps per tenth of the reasoning)", ["position", *s.labels],
                                       [[f"{100 * b // POSITION_BINS}%", *position[b]] for b in range(POSITION_BINS)])))
        md.append(markdown_table(Table(f"Transitions, {subset} (row: step, column: next step)", ["from \\ to", *s.labels],
                                       [[lab, *s.transitions[subset][i]] for i, lab in enumerate(s.labels)])))
    for split in s.verify_hist:
        for title, hist, bins in (("Verify share", s.verify_hist[split], VERIFY_BINS),
                                  ("Reconstruction cycles", s.cycle_hist[split], CYCLE_BINS)):
            md.append(markdown_table(Table(f"{title}: traces per bin, by {split}", ["bin", *hist],
                                           [[b, *(hist[k][i] for k in hist)] for i, b in enumerate(bins)])))
    return "\n".join(html), "\n".join(md)


def write_report(directory: str | Path, html_path: str | Path, md_path: str | Path | None = None) -> Path:
    """Write the HTML report and its Markdown tables; return the Markdown file's path."""
    s = summarise(directory)
    html, md = render(s, f"Reasoning traces in {Path(directory).name}")
    html_path = Path(html_path)
    md_path = Path(md_path) if md_path else html_path.with_suffix(".md")
    html_path.write_text(html, encoding="utf-8")
    md_path.write_text(md, encoding="utf-8")
    return md_path
