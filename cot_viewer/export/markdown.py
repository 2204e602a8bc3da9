"""A transcript as a Markdown handout: prompt, collapsible reasoning, answer, stats, notes.

``render(transcripts)`` is pure (text in, text out). The answer is kept as the Markdown the
model wrote; raw HTML tags in any model text are shown, not interpreted (``<`` before a tag
becomes ``&lt;`` outside code, with a CommonMark parser deciding what is code: see
:func:`disarm`), so a handout cannot carry a live ``<script>`` or close the ``<details>``
block early. ``sections`` adds blocks after the answer (see sections.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cot_viewer.export.sections import Section, SectionHook, note_label, reasoning_summary, short, stats, when
from cot_viewer.safe import terminal_safe
from cot_viewer.transcript import Transcript

# a "<" that would open a tag, comment, declaration or autolink
_OPENER = re.compile(r"<(?=[A-Za-z/!?])")
_MARK0 = 0xF0000  # supplementary private use area A: one marker character per "<"
_MARKS = 0xFFFE


def disarm(text: str) -> str:
    """Neutralise raw HTML in Markdown text: every ``<`` that could open a tag becomes
    ``&lt;`` unless it is inside code (a fence, an indented block or a code span).

    What is code is decided by a CommonMark parser (markdown-it-py), not by guessing: each
    ``<`` is replaced by a distinct marker, the text parsed, and the markers found in code
    tokens are the ``<`` kept. The result is parsed again; should it still hold raw HTML
    (container edge cases), every ``<`` is escaped, code included.
    """
    text = terminal_safe(text)
    spots = [m.start() for m in _OPENER.finditer(text)]
    if not spots:
        return text
    keep: set[int] = set()
    if len(spots) <= _MARKS and not any(_MARK0 <= ord(c) < _MARK0 + _MARKS for c in text):
        masked = _splice(text, spots, [chr(_MARK0 + i) for i in range(len(spots))])
        keep = {ord(c) - _MARK0 for c in _code_text(masked) if _MARK0 <= ord(c) < _MARK0 + _MARKS}
    out = _splice(text, spots, ["<" if i in keep else "&lt;" for i in range(len(spots))])
    if keep and _has_html(out):
        out = _splice(text, spots, ["&lt;"] * len(spots))
    return out


def _splice(text: str, spots: list[int], pieces: list[str]) -> str:
    out, prev = [], 0
    for pos, piece in zip(spots, pieces):
        out += [text[prev:pos], piece]
        prev = pos + 1
    out.append(text[prev:])
    return "".join(out)


def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def _code_text(text: str) -> str:
    """The text of every code token (fences, indented blocks, code spans) of ``text``."""
    parts = []
    for tok in _parser().parse(text):
        if tok.type in ("fence", "code_block"):
            parts.append(tok.content)
        elif tok.type == "inline":
            parts += [c.content for c in tok.children or () if c.type == "code_inline"]
    return "".join(parts)


def _has_html(text: str) -> bool:
    for tok in _parser().parse(text):
        if tok.type == "html_block":
            return True
        if tok.type == "inline" and any(c.type == "html_inline" for c in tok.children or ()):
            return True
    return False


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
        out += [f"- {_cell(str(line))}" for line in sec.lines] + [""]
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
