"""The two panes (monologue | answer), the prompt line, the error line and the status bar,
plus the one consumer of events shared by the live ask and the replay.

Events are applied as they come (cheap: counters and list appends); the panes are fed by a
timer every ``FLUSH_INTERVAL`` seconds with whatever accumulated, so thousands of tokens a
second cost ~20 pane updates a second and keys stay responsive.  The outline beside the
monologue is fed by ``outline_feed.OutlineFeed`` from the same flush (the coalesced
reasoning text, not every token).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from cot_viewer.safe import terminal_safe
from cot_viewer.tui import session
from cot_viewer.stream.events import (
    AnswerDelta,
    Event,
    ReasoningDelta,
    Reclassify,
    Retrying,
    StreamError,
    StreamWarning,
)
from cot_viewer.tui.widgets.answer_pane import AnswerPane
from cot_viewer.tui.widgets.outline import LabelPalette, OutlineList, OutlinePanel
from cot_viewer.tui.widgets.outline_feed import OutlineFeed
from cot_viewer.tui.widgets.status_bar import StatusBar, StatusInfo, request_status
from cot_viewer.tui.widgets.stream_pane import StreamPane

FLUSH_INTERVAL = 0.05
BUSY_CHUNKS = 200  # chunks in one tick above which the next ticks are skipped
BUSY_SKIP = 2  # how many
STACK_BELOW = 100  # columns: narrower than this, the panes stack
OUTLINE_MIN_WIDTH = session.OUTLINE_MIN_WIDTH  # columns: the outline is shown by default from here on

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
    TranscriptView.no-monologue #monologue, TranscriptView.no-reasoning #monologue { display: none; }
    TranscriptView.no-reasoning #outline { display: none; }
    TranscriptView.no-outline #outline { display: none; }
    TranscriptView.stacked #outline { width: 1fr; }
    TranscriptView > #error-line { height: auto; padding: 0 1; color: $text-error; display: none; }
    TranscriptView > #error-line.shown { display: block; }
    """

    def __init__(self, *, clock: Callable[[], float], id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock  # seconds on the events' time base (since the request started)
        self.info = StatusInfo()
        self.outline_wanted: bool | None = None  # None: shown from OUTLINE_MIN_WIDTH columns on
        self.outline_feed: OutlineFeed | None = None  # (once mounted)
        self._prompt = ""  # the question shown above the panes (the analysis labels restatements of it Read)
        self._keep_monologue = False  # the reader asked for the monologue pane of an answer without reasoning
        self._reset_counts()

    def _reset_counts(self) -> None:
        self._pend_r: list[str] = []
        self._an_fed = 0  # characters of the pending reasoning already given to the analysis
        self._skip_tick = 0
        self._pend_a: list[str] = []
        self._clear_answer = False
        self.first_reason_t: float | None = None
        self.first_answer_t: float | None = None
        self.first_token_t: float | None = None
        self.live = False
        self.info.phase = "waiting"
        self.info.reasoning_tokens = self.info.answer_tokens = 0
        self.info.unit = "chunks"  # counted as they arrive; the server's usage says tokens at the end
        self.info.thinking_s = self.info.tokens_per_s = None
        self.info.note = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="prompt-line")
        with Horizontal(id="panes"):
            yield OutlinePanel(id="outline")
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
        self.outline_feed = OutlineFeed(self, self.outline, self.monologue)
        self.outline_feed.prompt = self._prompt
        self._theme_changed()
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self._layout_for(self.app.size.width)

    def on_unmount(self) -> None:
        if self.outline_feed is not None:
            self.outline_feed.close()

    def on_resize(self) -> None:
        self._layout_for(self.size.width)

    def _layout_for(self, width: int) -> None:
        self.set_class(width < STACK_BELOW, "stacked")
        if self.outline_wanted is None:
            self.set_class(width < OUTLINE_MIN_WIDTH, "no-outline")
        self._outline_changed()

    def _outline_changed(self) -> None:
        feed = self.outline_feed
        if feed is not None:
            feed.outline_shown = self.outline_visible
            feed.wake()

    def _theme_changed(self) -> None:
        self.outline_feed.set_palette(LabelPalette.for_app(self.app))

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

    @property
    def outline(self) -> OutlinePanel:
        return self.query_one("#outline", OutlinePanel)

    @property
    def outline_list(self) -> OutlineList:
        return self.query_one("#outline-list", OutlineList)

    @property
    def analysis(self):
        """The final analysis of the finished transcript shown (None until it has landed)."""
        return self.outline_feed.analysis if self.outline_feed is not None else None

    @property
    def monologue_shown(self) -> bool:
        return not (self.has_class("no-monologue") or self.has_class("no-reasoning"))

    def toggle_monologue(self) -> None:
        """``t``: hide or show the monologue pane (also the one collapsed for a model that
        sent no reasoning)."""
        if self.has_class("no-reasoning"):
            self._keep_monologue = True
            self.remove_class("no-reasoning")
            self.remove_class("no-monologue")
        else:
            self.toggle_class("no-monologue")

    def _collapse_without_reasoning(self, collapse: bool) -> None:
        """An answer without reasoning (a non-reasoning model) gets the whole width instead of
        an empty monologue pane saying it waits."""
        collapse = collapse and not self._keep_monologue
        if collapse != self.has_class("no-reasoning"):
            self.set_class(collapse, "no-reasoning")
            if self.is_attached:
                self.screen.refresh_bindings()  # the footer's t: Show / Hide monologue

    @property
    def outline_visible(self) -> bool:
        return not self.has_class("no-outline")

    def toggle_outline(self) -> None:
        self.outline_wanted = not self.outline_visible
        self.set_class(not self.outline_wanted, "no-outline")
        if not self.outline_wanted and self.screen.focused is self.outline_list:
            self.monologue.focus()
        self._outline_changed()

    def set_prompt(self, text: str, label: str = "") -> None:
        self._prompt = text
        if self.outline_feed is not None:
            self.outline_feed.set_prompt(text)  # sentences restating it are labelled Read
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
        self._keep_monologue = False
        self._collapse_without_reasoning(False)
        self.outline_feed.begin(self._prompt)
        self.monologue.anchor()
        await self.answer.clear()
        self.answer.follow(True)
        self.answer.set_placeholder(WAITING_PLACEHOLDER)
        self._timer.resume()
        self.refresh_status()

    def feed(self, e: Event, n: int = 1) -> None:
        """Apply one event (cheap); the panes catch up on the next flush. ``n``: how many
        tokens a delta holds (`cot_viewer.run.coalesce` joins runs of deltas). The
        counts and first times are read from the events once; the transcript, which the
        caller builds from the same events, gives the final ones (``end``)."""
        cls = type(e)
        if cls is ReasoningDelta:
            if e.index:
                return
            self._pend_r.append(e.text)
            self.info.reasoning_tokens += n
            if self.first_reason_t is None:
                self.first_reason_t = e.t
            self._first_token(e.t)
            if self.info.phase in ("waiting", "retrying"):
                self.info.phase = "thinking"
        elif cls is AnswerDelta:
            if e.index:
                return
            self._pend_a.append(e.text)
            self.info.answer_tokens += n
            self._first_token(e.t)
            if not e.provisional and self.first_answer_t is None:
                self.first_answer_t = e.t
            if self.info.phase in ("waiting", "thinking", "retrying"):
                self.info.phase = "answering"
        elif cls is Reclassify:
            if e.index:
                return
            # what looked like the answer was reasoning: the answer pane's text (and what
            # is pending for it) moves to the monologue
            moved = ("" if self._clear_answer else self.answer.text) + "".join(self._pend_a)
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

    def _first_token(self, t: float) -> None:
        if self.first_token_t is None:
            self.first_token_t = t
            self.info.note = ""

    async def flush(self) -> None:
        # Above ~4,000 tokens/s nobody reads along: draw one tick in three (about 7 frames a
        # second) and spend the time on the stream instead. Keys are handled between ticks.
        feed = self.outline_feed
        if self._skip_tick:
            self._skip_tick -= 1
            if self._pend_r:  # the analysis keeps up meanwhile
                text = "".join(self._pend_r)
                self._pend_r[:] = [text]
                feed.stream(text[self._an_fed:])
                self._an_fed = len(text)
            return
        self._skip_tick = BUSY_SKIP if len(self._pend_r) + len(self._pend_a) > BUSY_CHUNKS else 0
        if self._pend_r:
            text = "".join(self._pend_r)
            self._pend_r.clear()
            if self.has_class("no-reasoning"):
                self._collapse_without_reasoning(False)
            self.monologue.append(text)
            feed.stream(text[self._an_fed:])
            self._an_fed = 0
        if self._clear_answer:
            self._clear_answer = False
            await self.answer.clear()
        if self._pend_a:
            text = "".join(self._pend_a)
            self._pend_a.clear()
            if self.first_reason_t is None and not len(self.monologue):
                self._collapse_without_reasoning(True)
            self.answer.set_placeholder("")
            await self.answer.append(text)
        elif self.info.phase == "thinking" and not self.answer.text:
            self.answer.set_placeholder(THINKING_PLACEHOLDER)
        feed.tick(busy=bool(self._skip_tick))
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
        """The stream is over: final flush, final status from the transcript. The panes are
        final at once; the outline completes when its analysis lands."""
        self._timer.pause()
        self._skip_tick = 0
        await self.flush()
        self.outline_feed.end(tr)  # (the analysis finishes on its thread while the answer pane renders)
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
        details = (tr.usage or {}).get("completion_tokens_details")
        info.unit = "tok" if isinstance(details, dict) and isinstance(details.get("reasoning_tokens"), int) else "chunks"
        n = info.reasoning_tokens + info.answer_tokens
        span = None
        if timing.ttft is not None and len(tr.timeline):
            span = tr.timeline.t[-1] - timing.ttft
        info.tokens_per_s = n / span if span and span > 0.2 else None
        info.note = ""
        info.settings, info.cost = request_status(tr)
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
        self._collapse_without_reasoning(not tr.reasoning and bool(tr.answer))
        mono.set_text(tr.reasoning)
        self.outline_feed.show(tr)
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

    # -- the outline's messages ----------------------------------------------------------------
    def on_outline_list_selected(self, msg: OutlineList.Selected) -> None:
        msg.stop()
        self.outline_feed.selected(msg.step, msg.phase)

    def on_outline_list_moved(self, msg: OutlineList.Moved) -> None:
        msg.stop()
        self.outline.show_detail(self.monologue.slice)
