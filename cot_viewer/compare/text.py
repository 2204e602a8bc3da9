"""The comparison as plain text for a terminal or a pipe: the table, then both answers."""

from __future__ import annotations

from cot_viewer.compare.table import Comparison
from cot_viewer.safe import terminal_safe
from cot_viewer.transcript import Transcript

__all__ = ["render_text"]

CELL = 34  # characters of a value column before it is cut


def _cell(text: str, n: int = CELL) -> str:
    one = " ".join(terminal_safe(text).split())
    return one if len(one) <= n else one[: n - 1] + "…"


def render_text(c: Comparison, a: Transcript, b: Transcript) -> str:
    rows = c.rows()
    w = max(len(r.measure) for r in rows)
    lines = [f"{'':<{w}}  {'A':<{CELL}}  B"]
    lines += [f"{r.measure:<{w}}  {_cell(r.a):<{CELL}}  {_cell(r.b)}" for r in rows]
    for name, tr in (("A", a), ("B", b)):
        lines += ["", f"== Answer {name} ({_cell(tr.id, 40)} · {_cell(tr.model or '-', 40)})", "",
                  terminal_safe(tr.answer).rstrip() or "(no answer)"]
    return "\n".join(lines) + "\n"
