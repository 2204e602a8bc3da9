"""One handout for a compared pair: both traces (with their outlines and metrics) and the
lined-up table, in Markdown or HTML.

The documents are made by ``cot_viewer.export.render`` exactly as ``history export`` makes
them for two transcripts (with the outline sections unless ``outline=False``); the comparison table (three columns: measure, run A, run B, which the
two-column ``Section`` cannot hold) is put after the document's heading. Its cells are
escaped like all model text: ``export.markdown.disarm`` (Markdown) and ``export.html.esc``
(HTML, under the page's Content-Security-Policy).
"""

from __future__ import annotations

from cot_viewer.compare.table import Comparison, compare
from cot_viewer.transcript import Transcript

__all__ = ["FORMATS", "render_pair", "table_html", "table_markdown"]

FORMATS = ("md", "html")


def _who(c: Comparison, which: str) -> str:
    r = c.a if which == "a" else c.b
    return f"{which.upper()}: {r.model or r.provider or '?'} ({r.id})"


def table_markdown(c: Comparison) -> str:
    from cot_viewer.export.markdown import disarm

    def cell(text: str) -> str:
        return disarm(" ".join(text.split())).replace("|", "\\|")

    out = ["## Comparison of the two runs", "",
           f"| | {cell(_who(c, 'a'))} | {cell(_who(c, 'b'))} |", "|---|---|---|"]
    out += [f"| {cell(r.measure)} | {cell(r.a)} | {cell(r.b)} |" for r in c.rows()]
    return "\n".join(out) + "\n"


def table_html(c: Comparison) -> str:
    from cot_viewer.export.html import esc

    head = f"<tr><th></th><th>{esc(_who(c, 'a'))}</th><th>{esc(_who(c, 'b'))}</th></tr>"
    body = "".join(f"<tr><th>{esc(r.measure)}</th><td>{esc(r.a)}</td><td>{esc(r.b)}</td></tr>" for r in c.rows())
    return (f'<section class="comparison"><h2>Comparison of the two runs</h2>'
            f'<table class="comparison">{head}{body}</table></section>')


def render_pair(a: Transcript, b: Transcript, fmt: str, comparison: Comparison | None = None, *,
                outline: bool = True) -> str:
    """The handout of the pair (``fmt``: "md" or "html"); ``outline``: with each trace's
    step outline, metrics and teacher's notes, as ``history export`` writes them."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown handout format {fmt!r} (md or html)")
    from cot_viewer.export import render

    c = comparison or compare(a, b)
    doc = render([a, b], fmt, outline=outline)
    if fmt == "md":
        head, sep, rest = doc.partition("\n\n")  # the document's title, then the transcripts
        return head + sep + table_markdown(c) + "\n" + rest
    mark = "</nav>" if "</nav>" in doc else "<body>\n"
    return doc.replace(mark, mark + "\n" + table_html(c), 1)
