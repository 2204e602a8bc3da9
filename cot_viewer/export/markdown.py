"""A transcript as a Markdown handout: prompt, collapsible reasoning, answer, stats, notes.

``render(transcripts)`` is pure (text in, text out). The answer is kept as the Markdown the
model wrote; raw HTML tags in any model text are shown, not interpreted (``<`` before a tag
becomes ``&lt;`` outside code), so a handout cannot carry a live ``<script>`` or close the
``<details>`` block early. ``sections`` adds blocks after the answer (see sections.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cot_viewer.export.sections import Section, SectionHook, note_label, reasoning_summary, short, stats, when
from cot_viewer.safe import terminal_safe
from cot_viewer.transcript import Transcript

# a code span (kept as is) or a "<" that would open a tag, comment or declaration
_INLINE = re.compile(r"(`+)[\s\S]*?\1|<(?=[A-Za-z/!?])")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def disarm(text: str) -> str:
    """Neutralise raw HTML in Markdown text, leaving code fences and code spans alone."""
    out: list[str] = []
    fence: str | None = None
    for line in terminal_safe(text).split("\n"):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            continue
        out.append(_INLINE.sub(lambda mm: mm.group(0) if mm.group(1) else "&lt;", line))
    return "\n".join(out)


def _quote(text: str) -> str:
    return "\n".join(("> " + line) if line else ">" for line in disarm(text).split("\n"))


def _cell(text: str) -> str:
    return disarm(" ".join(text.split())).replace("|", "\\|")


def _table(rows: Sequence[tuple[str, str]]) -> list[str]:
    out = ["| | |", "|---|---|"]
    out += [f"| {_cell(k)} | {_cell(v)} |" for k, v in rows]
    return out


def _section(sec: Section, h: str) -> list[str]:
    out = [f"{h} {_cell(sec.title)}", ""]
    if sec.lines:
        out += [f"- {_cell(line)}" for line in sec.lines] + [""]
    if sec.rows:
        out += _table(sec.rows) + [""]
    return out


def _one(tr: Transcript, level: int, sections: SectionHook | None) -> list[str]:
    h1, h2 = "#" * level, "#" * (level + 1)
    meta = " · ".join(x for x in (tr.model, tr.provider, when(tr.created), tr.status) if x)
    out = [f"{h1} {_cell(short(tr.prompt) or '(no prompt)')}", "", f"*{_cell(meta)}*", ""]
    if tr.example:
        out += ["*Hand-written example, not the output of a live model.*", ""]
    out += [f"{h2} Prompt", "", _quote(tr.prompt), ""]
    if tr.reasoning:
        summary = reasoning_summary(tr)
        out += [
            "<details>",
            f"<summary>Reasoning{' — ' + summary if summary else ''}</summary>",
            "",
            _quote(tr.reasoning),
            "",
            "</details>",
            "",
        ]
    out += [f"{h2} Answer", "", disarm(tr.answer).strip("\n") or "*(no answer)*", ""]
    if tr.error:
        out += [f"> **{_cell(tr.status)}:** {_cell(tr.error)}", ""]
    out += [f"{h2} Stats", ""] + _table(stats(tr)) + [""]
    if tr.notes:
        out += [f"{h2} Notes", ""]
        for n in tr.notes:
            where, covered = note_label(n, tr)
            quoted = f" — “{_cell(short(covered, 120))}”" if covered else ""
            out.append(f"- *{where}*{quoted}: {_cell(n.get('text') or '')}")
        out.append("")
    if sections is not None:
        for sec in sections(tr):
            out += _section(sec, h2)
    return out


def render(transcripts: Sequence[Transcript] | Transcript, *, sections: SectionHook | None = None) -> str:
    """One Markdown document for one or several transcripts (a single one may be given bare)."""
    if isinstance(transcripts, Transcript):
        transcripts = [transcripts]
    if len(transcripts) == 1:
        return "\n".join(_one(transcripts[0], 1, sections)).rstrip("\n") + "\n"
    out = [f"# cot-viewer transcripts ({len(transcripts)})", ""]
    for i, tr in enumerate(transcripts):
        if i:
            out += ["---", ""]
        out += _one(tr, 2, sections)
    return "\n".join(out).rstrip("\n") + "\n"
