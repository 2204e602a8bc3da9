"""The two panes (monologue | answer), the prompt line, the error line and the status bar,
plus the one consumer of events shared by the live ask and the replay.

Events are applied as they come (cheap: counters and list appends); the panes are fed by a
timer every ``FLUSH_INTERVAL`` seconds with whatever accumulated, so thousands of tokens a
second cost ~20 pane updates a second and keys stay responsive.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from cot_viewer.safe import terminal_safe
from cot_viewer.stream.events import (
    AnswerDelta,
    Event,
    ReasoningDelta,
    Reclassify,
    Retrying,
    StreamEnd,
    StreamError,
    StreamWarning,
    Usage,
)
from cot_viewer.tui.widgets.answer_pane import AnswerPane
from cot_viewer.tui.widgets.status_bar import StatusBar, StatusInfo
from cot_viewer.tui.widgets.stream_pane import StreamPane

FLUSH_INTERVAL = 0.05
BUSY_CHUNKS = 200  # chunks in one tick above which the next ticks are skipped
BUSY_SKIP = 2  # how many
STACK_BELOW = 100  # columns: narrower than this, the panes stack

THINKING_PLACEHOLDER = "The model is thinking… the answer will appear here."
WAITING_PLACEHOLDER = "Waiting for the model…"

FINAL_PHASE = {
    "complete": "done",
    "truncated": "truncated",
    "interrupted": "interrupted",
    "error": "error",
    "streaming": "interrupted",
}


def one_line(text: str, n: int = 300) -> str:
    one = " ".join(terminal_safe(text).split())
    return one if len(one) <= n else one[: n - 1] + "…"


class TranscriptView(Vertical):
    DEFAULT_CSS = """
    TranscriptView { height: 1fr; }
    TranscriptView > #prompt-line { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    TranscriptView > #panes { height: 1fr; }
    TranscriptView #monologue, TranscriptView #answer {
        width: 1fr; height: 1fr; border: round $panel-lighten-2; border-title-color: $text-muted;
    }
    TranscriptView #monologue:focus-within, TranscriptView #answer:focus-within { border: round $accent; border-title-color: $text; }
    TranscriptView #monologue { color: $text-muted; }
    TranscriptView.stacked > #panes { layout: vertical; }
    TranscriptView.no-monologue #monologue { display: none; }
    TranscriptView > #error-line { height: auto; padding: 0 1; color: $text-error; display: none; }
    TranscriptView > #error-line.shown { display: block; }
    """

    def __init__(self, *, clock: Callable[[], float], id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock  # seconds on the events' time base (since the request started)
        self.info = StatusInfo()
        self._reset_counts()

    def _reset_counts(self) -> None:
        self._pend_r: list[str] = []
        self._skip_tick = 0
        self._pend_a: list[str] = []
        self._answer_text: list[str] = []  # answer shown so far (for Reclassify)
        self._clear_answer = False
        self.first_reason_t: float | None = None
        self.first_answer_t: float | None = None
        self.first_token_t: float | None = None
        self.last_t: float | None = None
        self.live = False
        self.info.phase = "waiting"
        self.info.reasoning_tokens = self.info.answer_tokens = 0
        self.info.thinking_s = self.info.tokens_per_s = None
        self.info.note = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="prompt-line")
        with Horizontal(id="panes"):
            mono = StreamPane(id="monologue", placeholder=WAITING_PLACEHOLDER)
            mono.border_title = "Monologue"
            yield mono
            ans = AnswerPane(id="answer")
            ans.border_title = "Answer"
            yield ans
        yield Static("", id="error-line")
        yield StatusBar(id="status")

    def on_mount(self) -> None:
        self.monologue.anchor()
        self._timer = self.set_interval(FLUSH_INTERVAL, self.flush, pause=True)
        self._layout_for(self.app.size.width)

    def on_resize(self) -> None:
        self._layout_for(self.size.width)

    def _layout_for(self, width: int) -> None:
        self.set_class(width < STACK_BELOW, "stacked")

    # -- parts ---------------------------------------------------------------------------------
    @property
    def monologue(self) -> StreamPane:
        return self.query_one("#monologue", StreamPane)

    @property
    def answer(self) -> AnswerPane:
        return self.query_one("#answer", AnswerPane)

    @property
    def status(self) -> StatusBar:
        return self.query_one("#status", StatusBar)

    def set_prompt(self, text: str, label: str = "") -> None:
        prefix = (label + " ", "$text-accent") if label else ("› ", "$text-accent")
        self.query_one("#prompt-line", Static).update(Content.assemble(prefix, one_line(text)))

    def show_error(self, message: str | None) -> None:
        line = self.query_one("#error-line", Static)
        line.update(Content("⚠ " + one_line(message)) if message else Content(""))
        line.set_class(bool(message), "shown")

    # -- live streaming ------------------------------------------------------------------------
    async def begin(self, provider: str, model: str) -> None:
        """Clear the panes for a new stream and start the flush timer."""
        self._reset_counts()
        self.info.provider, self.info.model = provider, model
        self.info.saved_id = None
        self.live = True
        self.show_error(None)
        self.monologue.clear()
        self.monologue.placeholder = WAITING_PLACEHOLDER
        self.monologue.anchor()
        await self.answer.clear()
        self.answer.follow(True)
        self.answer.set_placeholder(WAITING_PLACEHOLDER)
        self._timer.resume()
        self.refresh_status()

    def feed(self, e: Event) -> None:
        """Apply one event (cheap); the panes catch up on the next flush."""
        cls = type(e)
        if cls is ReasoningDelta:
            if e.index:
                return
            self._pend_r.append(e.text)
            self.info.reasoning_tokens += 1
            if self.first_reason_t is None:
                self.first_reason_t = e.t
            self._first_token(e.t)
            if self.info.phase in ("waiting", "retrying"):
                self.info.phase = "thinking"
        elif cls is AnswerDelta:
            if e.index:
                return
            self._pend_a.append(e.text)
            self._answer_text.append(e.text)
            self.info.answer_tokens += 1
            self._first_token(e.t)
            if not e.provisional and self.first_answer_t is None:
                self.first_answer_t = e.t
            if self.info.phase in ("waiting", "thinking", "retrying"):
                self.info.phase = "answering"
        elif cls is Reclassify:
            if e.index:
                return
            moved = "".join(self._answer_text)
            self._answer_text.clear()
            self._pend_a.clear()
            self._clear_answer = True
            self._pend_r.append(moved)
            self.info.reasoning_tokens += self.info.answer_tokens
            self.info.answer_tokens = 0
            self.first_answer_t = None
            if self.first_reason_t is None:
                self.first_reason_t = self.first_token_t
            self.info.phase = "thinking"
        elif cls is Retrying:
            self.info.phase = "retrying"
            self.info.note = f"{one_line(e.message, 80)} — retrying in {e.wait:.0f} s (attempt {e.attempt})"
        elif cls is StreamWarning:
            self.info.note = "warning: " + one_line(e.message, 80)
        elif cls is StreamError:
            self.show_error(e.message)
        elif cls is Usage:
            pass
        elif cls is StreamEnd:
            pass
        self.last_t = getattr(e, "t", self.last_t)

    def _first_token(self, t: float) -> None:
        if self.first_token_t is None:
            self.first_token_t = t
            self.info.note = ""

    async def flush(self) -> None:
        # Above ~4,000 tokens/s nobody reads along: draw one tick in three (about 7 frames a
        # second) and spend the time on the stream instead. Keys are handled between ticks.
        if self._skip_tick:
            self._skip_tick -= 1
            return
        self._skip_tick = BUSY_SKIP if len(self._pend_r) + len(self._pend_a) > BUSY_CHUNKS else 0
        if self._pend_r:
            text = "".join(self._pend_r)
            self._pend_r.clear()
            self.monologue.append(text)
        if self._clear_answer:
            self._clear_answer = False
            await self.answer.clear()
        if self._pend_a:
            text = "".join(self._pend_a)
            self._pend_a.clear()
            self.answer.set_placeholder("")
            await self.answer.append(text)
        elif self.info.phase == "thinking" and not self._answer_text:
            self.answer.set_placeholder(THINKING_PLACEHOLDER)
        self.refresh_status()

    def refresh_status(self) -> None:
        info = self.info
        if self.live:
            now = self.clock()
            if self.first_reason_t is not None:
                end = self.first_answer_t if self.first_answer_t is not None else now
                info.thinking_s = max(0.0, end - self.first_reason_t)
            if self.first_token_t is not None:
                dt = now - self.first_token_t
                n = info.reasoning_tokens + info.answer_tokens
                info.tokens_per_s = n / dt if dt > 0.2 else None
        self.status.show(info)

    async def end(self, tr) -> None:
        """The stream is over: final flush, final status from the transcript."""
        self._timer.pause()
        self._skip_tick = 0
        await self.flush()
        await self.answer.finish()
        self.live = False
        self.set_final(tr)

    def set_final(self, tr) -> None:
        info = self.info
        info.phase = FINAL_PHASE.get(tr.status, tr.status)
        timing = tr.timing
        info.thinking_s = timing.thinking_s
        info.reasoning_tokens = tr.reasoning_tokens
        info.answer_tokens = tr.answer_tokens
        n = info.reasoning_tokens + info.answer_tokens
        span = None
        if timing.ttft is not None and len(tr.timeline):
            span = tr.timeline.t[-1] - timing.ttft
        info.tokens_per_s = n / span if span and span > 0.2 else None
        info.note = ""
        if not tr.answer:
            self.answer.set_placeholder("(no answer)" if tr.reasoning else "(nothing arrived)")
        if not tr.reasoning:
            self.monologue.placeholder = "(no reasoning)"
            self.monologue.refresh()
        if tr.error and tr.error_kind != "cancelled":
            self.show_error(tr.error + (" — partial transcript kept" if (tr.reasoning or tr.answer) else ""))
        elif tr.error_kind == "cancelled":
            self.show_error("stopped — partial transcript kept")
        elif tr.status == "truncated":
            self.show_error("the answer was cut at the token limit")
        self.refresh_status()

    # -- a finished transcript at once ---------------------------------------------------------
    async def load(self, tr, *, label: str = "", at_end: bool = False) -> None:
        """Show a saved transcript whole: from the top (opening it) or at the end (a jump)."""
        self._timer.pause()
        self._reset_counts()
        self.info.provider = tr.provider or ""
        self.info.model = tr.model or ""
        self.info.saved_id = tr.id
        self.set_prompt(tr.prompt, label)
        self.show_error(None)
        mono, ans = self.monologue, self.answer
        mono.set_text(tr.reasoning)
        ans.set_placeholder("")
        await ans.set_text(tr.answer)
        if at_end:
            mono.anchor()
            ans.follow(True)
        else:
            mono.anchor(False)
            ans.follow(False)
            mono.scroll_to(y=0, animate=False, immediate=True)
            ans.scroll_to(y=0, animate=False, immediate=True)
        self.set_final(tr)
