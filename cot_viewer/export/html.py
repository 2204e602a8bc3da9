"""A transcript as one self-contained HTML page: reasoning and answer side by side.

No scripts, no external assets: the CSS is inline and the collapsible reasoning is a
``<details>`` element. Every piece of model (and user) text goes through :func:`esc`, except
the answer, whose Markdown and maths are rendered by :mod:`answer_html` (raw HTML off, MathML
through a whitelist); outline steps are coloured by label. The page carries a Content-Security-Policy that forbids scripts anyway. ``render`` is pure;
``sections`` adds blocks after the answer (see sections.py).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from cot_viewer.analysis.vocabulary import LABEL_COLOURS
from cot_viewer.export.answer_html import answer_html
from cot_viewer.export.sections import Section, SectionHook, StepLine, note_label, reasoning_summary, short, stats, when
from cot_viewer.safe import terminal_safe
from cot_viewer.transcript import Transcript

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
:root { --fg: #1d1d1f; --dim: #5f6368; --bg: #ffffff; --panel: #f6f7f9; --line: #dadce0; --accent: #3b5bdb; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8eaed; --dim: #9aa0a6; --bg: #16181c; --panel: #1f2227; --line: #3c4043; --accent: #8ea2ff; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 1.5rem; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 0 0 .25rem; }
h3 { font-size: 1rem; margin: 0 0 .5rem; color: var(--dim); text-transform: uppercase; letter-spacing: .04em; }
.meta { color: var(--dim); margin: 0 0 1rem; }
article { border-top: 1px solid var(--line); padding-top: 1.25rem; margin-top: 1.5rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.prompt .text { background: var(--panel); border-left: 3px solid var(--accent); padding: .6rem .9rem; }
.panes { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.25rem; margin: 1.25rem 0; align-items: start; }
@media (max-width: 900px) { .panes { grid-template-columns: minmax(0, 1fr); } }
.reasoning { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; }
.reasoning .text { color: var(--dim); font-size: .93em; max-height: 80vh; overflow-y: auto; margin-top: .5rem; }
summary { cursor: pointer; font-weight: 600; }
summary .sub { font-weight: normal; color: var(--dim); }
.answer { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; }
.error { color: #c5221f; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
td, th { text-align: left; padding: .2rem .8rem .2rem 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--dim); font-weight: normal; }
blockquote { margin: .25rem 0; padding-left: .8rem; border-left: 3px solid var(--line); color: var(--dim); }
nav ol { padding-left: 1.5rem; }
a { color: var(--accent); }
footer { color: var(--dim); font-size: .85em; margin-top: 2rem; }
@media print { .reasoning .text { max-height: none; overflow: visible; } }
.answer .md { overflow-wrap: anywhere; }
.answer .md > :first-child { margin-top: 0; }
.answer .md pre { background: var(--panel); padding: .5rem .7rem; border-radius: 4px; overflow-x: auto; }
.answer .md code { font-size: .92em; }
.display-math { margin: .6rem 0; overflow-x: auto; }
li.step { list-style: none; border-left: 4px solid var(--line); padding-left: .5rem; margin: .15rem 0 .15rem -1.2rem; }
.label { font-weight: 600; }
""" + "".join(
    f".label-{name} {{ color: {rgb}; }}\nli.step-{name} {{ border-left-color: {rgb}; }}\n" for name, (rgb, _) in LABEL_COLOURS.items()
)

def esc(text: object) -> str:
    """Model text → HTML text: control characters dropped, & < > " ' escaped."""
    return html.escape(terminal_safe(str(text)), quote=True)


def _table(rows: Sequence[tuple[str, str]], cls: str = "stats") -> str:
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<table class="{cls}">{body}</table>'


def _line(line: str | StepLine) -> str:
    """A section's line; an outline step gets its label's colour."""
    if not isinstance(line, StepLine):
        return f"<li>{esc(line)}</li>"
    label = line.label if line.label in LABEL_COLOURS else "unknown"
    return (f'<li class="step step-{label}">{esc(line.head)}<span class="label label-{label}">{esc(line.label)}</span>'
            f"{esc(line.tail)}</li>")


def _section(sec: Section) -> str:
    parts = [f'<section class="extra"><h3>{esc(sec.title)}</h3>']
    if sec.lines:
        parts.append("<ul>" + "".join(_line(line) for line in sec.lines) + "</ul>")
    if sec.rows:
        parts.append(_table(sec.rows, "extra"))
    parts.append("</section>")
    return "".join(parts)


def _anchor(tr: Transcript) -> str:
    return "t-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in tr.id)


def _one(tr: Transcript, heading: str, sections: SectionHook | None) -> str:
    meta = " · ".join(x for x in (tr.model, tr.provider, when(tr.created), tr.status) if x)
    out = [f'<article id="{esc(_anchor(tr))}">',
           f"<{heading}>{esc(short(tr.prompt, 120) or '(no prompt)')}</{heading}>",
           f'<p class="meta">{esc(meta)}</p>']
    if tr.example:
        out.append('<p class="meta"><em>Hand-written example, not the output of a live model.</em></p>')
    out.append(f'<section class="prompt"><h3>Prompt</h3><div class="text">{esc(tr.prompt)}</div></section>')
    summary = reasoning_summary(tr)
    reasoning = (
        f'<details open><summary>Reasoning <span class="sub">{esc(summary)}</span></summary>'
        f'<div class="text">{esc(tr.reasoning)}</div></details>'
        if tr.reasoning else '<h3>Reasoning</h3><p class="meta">(none)</p>'
    )
    answer = (f'<div class="md">{answer_html(tr.answer)}</div>' if tr.answer
              else '<div class="text"><span class="meta">(no answer)</span></div>')
    out.append(
        '<div class="panes">'
        f'<section class="reasoning">{reasoning}</section>'
        f'<section class="answer"><h3>Answer</h3>{answer}</section>'
        "</div>"
    )
    if tr.error:
        out.append(f'<p class="error"><strong>{esc(tr.status)}:</strong> {esc(tr.error)}</p>')
    out.append("<h3>Stats</h3>" + _table(stats(tr)))
    if tr.notes:
        items = []
        for n in tr.notes:
            where, covered = note_label(n, tr)
            quote = f"<blockquote>{esc(short(covered, 300))}</blockquote>" if covered else ""
            items.append(f"<li><em>{esc(where)}</em>{quote}<div>{esc(n.get('text') or '')}</div></li>")
        out.append('<section class="notes"><h3>Notes</h3><ul>' + "".join(items) + "</ul></section>")
    if sections is not None:
        out.extend(_section(sec) for sec in sections(tr))
    out.append("</article>")
    return "\n".join(out)


def render(
    transcripts: Sequence[Transcript] | Transcript, *, sections: SectionHook | None = None,
    exported: float | None = None,
) -> str:
    """One HTML page for one or several transcripts (a single one may be given bare).
    ``exported``: the date in the footer (defaults to the newest transcript's, so that the
    same input gives the same page)."""
    if isinstance(transcripts, Transcript):
        transcripts = [transcripts]
    several = len(transcripts) != 1
    title = f"cot-viewer: {len(transcripts)} transcripts" if several else f"cot-viewer: {short(transcripts[0].prompt, 60)}"
    ts = exported if exported is not None else max((t.created for t in transcripts), default=0.0)
    head = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="cot-viewer">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    )
    body = []
    if several:
        body.append(f"<header><h1>{esc(title)}</h1></header>")
        body.append("<nav><ol>" + "".join(
            f'<li><a href="#{esc(_anchor(t))}">{esc(short(t.prompt, 100) or t.id)}</a></li>' for t in transcripts
        ) + "</ol></nav>")
    for tr in transcripts:
        body.append(_one(tr, "h2" if several else "h1", sections))
    from cot_viewer.timestamps import utc_text

    stamp = utc_text(ts, "%Y-%m-%d") if ts else ""
    body.append(f"<footer>Exported by cot-viewer{' · ' + esc(stamp) if stamp else ''}.</footer>")
    return head + "\n".join(body) + "\n</body>\n</html>\n"
