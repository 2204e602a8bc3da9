"""What the Markdown and HTML exports share: the stats of a transcript, and the seam for
extra sections.

Extra sections (the analysis' outline and metrics, for instance) are plain data — a title,
lines of text, rows of a two-column table — handed to a renderer through its ``sections``
argument, a function ``(transcript) -> iterable of Section``. The renderer escapes them
like any model text, so a section can never inject markup into a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cot_viewer.pricing import format_cost
from cot_viewer.thinking import describe
from cot_viewer.transcript import Transcript


@dataclass(frozen=True)
class StepLine:
    """A step of the outline in a section's ``lines``: its text is ``str(step)``; the HTML
    page also colours it by its label."""

    number: int  # 1-based, as in ``cot-viewer analyze``
    label: str
    text: str
    band: str = "General"

    @property
    def head(self) -> str:
        return f"Step {self.number} — "

    @property
    def tail(self) -> str:
        band = f" (in a {self.band} paragraph)" if self.band != "General" else ""
        return f"{band}: {self.text}"

    def __str__(self) -> str:
        return f"{self.head}{self.label}{self.tail}"


@dataclass(frozen=True)
class Section:
    """An extra block after the answer: ``lines`` become a list, ``rows`` a table."""

    title: str
    lines: tuple[str | StepLine, ...] = ()
    rows: tuple[tuple[str, str], ...] = ()


SectionHook = Callable[[Transcript], Iterable[Section]]


def when(ts: float) -> str:
    from cot_viewer.timestamps import utc_text

    return utc_text(ts, "%Y-%m-%d %H:%M UTC")


def seconds(v: float | None) -> str | None:
    return None if v is None else f"{v:.1f} s"


def short(text: str, n: int = 80) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"


def reasoning_summary(tr: Transcript) -> str:
    """"12.3 s · 1,234 tokens" — what the collapsed reasoning shows."""
    bits = []
    t = tr.timing.thinking_s
    if t is not None:
        bits.append(f"{t:.1f} s")
    if tr.reasoning:
        bits.append(f"{tr.reasoning_tokens:,} tokens")
        bits.append(f"{tr.reasoning_len:,} characters")
    return " · ".join(bits)


def stats(tr: Transcript) -> list[tuple[str, str]]:
    """Name/value rows: model, times, tokens, status."""
    t = tr.timing
    usage = tr.usage or {}
    details = usage.get("completion_tokens_details")
    counted = "" if isinstance(details, dict) and isinstance(details.get("reasoning_tokens"), int) else " (chunks)"
    rows: list[tuple[str, str | None]] = [
        ("Model", tr.model or None),
        ("Provider", tr.provider),
        ("Endpoint", tr.base_url),
        ("Created", when(tr.created)),
        ("Status", tr.status + (f" (finish reason: {tr.finish_reason})" if tr.finish_reason else "")),
        ("Time to first token", seconds(t.ttft)),
        ("Thinking time", seconds(t.thinking_s)),
        ("Answer time", seconds(t.answer_s)),
        ("Total time", seconds(t.total_s)),
        ("Reasoning tokens", f"{tr.reasoning_tokens:,}{counted}" if tr.reasoning or tr.usage else None),
        ("Answer tokens", f"{tr.answer_tokens:,}{counted}" if tr.answer or tr.usage else None),
        ("Prompt tokens", f"{usage['prompt_tokens']:,}" if isinstance(usage.get("prompt_tokens"), int) else None),
        ("Reasoning / answer characters", f"{tr.reasoning_len:,} / {tr.answer_len:,}"),
        ("Thinking settings", describe(tr.settings) or None),
        ("Thinking notes", "; ".join((tr.settings or {}).get("notices") or []) or None),
        ("Cost", format_cost(tr.cost) or None),
        ("Error", tr.error),
        ("Transcript id", tr.id),
    ]
    if tr.example:
        rows.insert(0, ("Example", "hand-written example, not a live model"))
    return [(k, v) for k, v in rows if v]


def note_label(note: dict, tr: Transcript) -> tuple[str, str | None]:
    """Where a note points ("reasoning step 3", "reasoning 120–180") and the text it covers."""
    part = note.get("part") or "reasoning"
    start, end, step = note.get("start"), note.get("end"), note.get("step")
    bits = []
    if step is not None:
        bits.append(f"{part} step {int(step) + 1}")  # stored 0-based, shown as numbered in the outline
    if start is not None and end is not None:
        bits.append(f"{part} characters {start}–{end}")
        src = tr.reasoning if part == "reasoning" else tr.answer
        return ", ".join(bits), src[start:end]
    return (", ".join(bits) or "whole transcript"), None
