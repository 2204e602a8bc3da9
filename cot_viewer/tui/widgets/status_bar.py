"""One line: provider and model · phase · thinking settings · thinking time · tokens · tokens/s · cost · saved id."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widget import Widget

from cot_viewer.safe import terminal_safe

PHASE_STYLE = {
    "waiting": "$text-muted",
    "thinking": "$text-accent",
    "answering": "$text-success",
    "done": "$text-success",
    "truncated": "$text-warning",
    "interrupted": "$text-warning",
    "error": "$text-error",
    "paused": "$text-warning",
    "retrying": "$text-warning",
}


@dataclass
class StatusInfo:
    provider: str = ""
    model: str = ""
    phase: str = "waiting"
    thinking_s: float | None = None
    reasoning_tokens: int = 0
    answer_tokens: int = 0
    tokens_per_s: float | None = None
    saved_id: str | None = None
    note: str = ""
    extra: str = ""
    settings: str = ""  # thinking controls sent ("effort max · thinking on")
    cost: str = ""  # "~0.0012 USD (estimate)"
    unit: str = "chunks"  # what the counts count: "chunks" while streaming, "tok" once usage says


def request_status(tr) -> tuple[str, str]:
    """(thinking settings, cost) of a transcript, as the status line shows them."""
    from cot_viewer.pricing import format_cost
    from cot_viewer.thinking import describe

    return describe(tr.settings), format_cost(tr.cost)


def _n(v: int) -> str:
    return f"{v:,}"


def render_status(s: StatusInfo) -> Content:
    sep = (" │ ", "$text-muted")
    parts: list = []
    # provider, model (from /v1/models or an import) and notes (server errors) are of outside origin
    who = terminal_safe(" · ".join(x for x in (s.provider, s.model) if x))
    if who:
        parts += [(who, "bold"), sep]
    parts.append((s.phase, f"bold {PHASE_STYLE.get(s.phase, '')}".strip()))
    if s.extra:
        parts += [sep, terminal_safe(s.extra)]
    if s.settings:
        parts += [sep, (terminal_safe(s.settings), "$text-muted")]
    if s.thinking_s is not None:
        parts += [sep, f"thought {s.thinking_s:.1f} s"]
    parts += [sep, f"reasoning {_n(s.reasoning_tokens)} · answer {_n(s.answer_tokens)} {s.unit}"]
    if s.tokens_per_s is not None:
        parts += [sep, f"{s.tokens_per_s:.0f} {s.unit}/s"]
    if s.cost:
        parts += [sep, s.cost]
    if s.saved_id:
        parts += [sep, ("saved ", "$text-muted"), (terminal_safe(s.saved_id), "bold")]
    if s.note:
        parts += [sep, (terminal_safe(s.note), "$text-warning")]
    return Content.assemble(*parts)


class StatusBar(Widget):
    """A fixed one-line bar; updates repaint it without a screen layout (a Static would)."""

    DEFAULT_CSS = """
    StatusBar { height: 1; padding: 0 1; background: $panel; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._content = Content("")

    def render(self) -> Content:
        return self._content

    @property
    def text(self) -> str:
        return self._content.plain

    def show(self, info: StatusInfo) -> None:
        content = render_status(info)
        if content.plain != self._content.plain:
            self._content = content
            self.refresh()
