"""The two panes (monologue | answer), the prompt line, the error line and the status bar,
plus the one consumer of events shared by the live ask and the replay.

Events are applied as they come (cheap: counters and list appends); the panes are fed by a
timer every ``FLUSH_INTERVAL`` seconds with whatever accumulated, so thousands of tokens a
second cost ~20 pane updates a second and keys stay responsive.

The outline (issue #5) is fed from the same flush: the coalesced reasoning text goes to the
app's analysis child process (``tui/analysis_proxy.py``: an ``IncrementalAnalyzer`` on another
core; in-process if the child cannot run), only while the outline, the label colours or the
step-through need it, and the outline polls ``steps_since`` at most every ``OUTLINE_INTERVAL``
(every ``OUTLINE_BUSY_INTERVAL`` above ~4,000 tokens/s). Provisional phases and metrics come
from the child when paragraphs have closed (at most once per 20× the snapshot's cost); after
the stream the final snapshot has ``char_times`` (seconds per phase). A finished transcript
is analysed in a thread after its first screen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from cot_viewer.safe import terminal_safe
from cot_viewer.tui import session
from cot_viewer.tui.analysis_proxy import analysis_module, proxy_for
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
from cot_viewer.tui.widgets.outline import LabelPalette, OutlineList, OutlinePanel
from cot_viewer.tui.widgets.status_bar import StatusBar, StatusInfo, request_status
from cot_viewer.tui.widgets.stream_pane import StreamPane

FLUSH_INTERVAL = 0.05
BUSY_CHUNKS = 200  # chunks in one tick above which the next ticks are skipped
BUSY_SKIP = 2  # how many
STACK_BELOW = 100  # columns: narrower than this, the panes stack
OUTLINE_MIN_WIDTH = session.OUTLINE_MIN_WIDTH  # columns: the outline is shown by default from here on
OUTLINE_INTERVAL = 0.25  # s: the outline catches up with the analyser at most this often
OUTLINE_BUSY_INTERVAL = 1.0  # s: ... while the flush skips ticks (very high token rates)
WHOLE_ANALYSIS_DELAY = 0.3  # s after opening a finished transcript before it is analysed
SNAPSHOT_COST_SHARE = 20  # phases/metrics snapshot at most once per 20× its own cost

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
        self.labels_on = False
        self.stepping = False  # step-through (the replay screen drives it)
        self.notes: dict[int, list[str]] = {}
        self.prompt = ""  # the question shown above the panes (the analysis labels restatements of it Read)
        self.analysis = None  # the final Analysis of the finished transcript shown
        self.metrics = None
        self._tr = None  # the finished transcript shown (for a whole analysis)
        self._gen = 0  # bumps on begin/load: a late analysis of older text is dropped
        self._analyzer = None  # AnalysisProxy while streaming (when wanted)
        self._proxy_s0 = 0.0
        self._session = 0  # our session on the proxy (another view may take the child over)
        self._frozen = 0  # steps the outline holds that can no longer change
        self._polled = self._snap_frozen = -1
        self._next_poll = self._next_snap = 0.0
        self.analysis_s = 0.0  # seconds spent inside the analyser (feeding, polling, snapshots)
        self._landing: asyncio.Future | None = None  # the final live analysis, once the stream ended
        self._analysis_module = None  # cot_viewer.analysis, imported in a thread (~60 ms of regexes)
        self._keep_monologue = False  # the reader asked for the monologue pane of an answer without reasoning
        self._reset_counts()

    def _reset_counts(self) -> None:
        self._pend_r: list[str] = []
        self._an_fed = 0  # characters of the pending reasoning already given to the analysis
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
        lst = self.outline_list
        lst.notes = self.notes
        lst.text_of = self.monologue.slice
        self._theme_changed()
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self._layout_for(self.app.size.width)
        if self._analysis_wanted():
            self._warm_up()

    def _warm_up(self) -> None:
        if self.live:  # a stream: the child imports the analyser in parallel (not for a finished
            proxy_for(self.app).start()  # transcript: it would compete with its first paint)
        if self._analysis_module is None:
            self.run_worker(self._import_analysis, thread=True, group="analysis-import", exclusive=True)

    def _import_analysis(self):
        """Off the event loop: the request and the first tokens are not held up by it."""
        module = self._analysis_module = analysis_module()
        return module

    async def on_unmount(self) -> None:
        if not self.app._running:  # the app is closing: end its analysis child
            proxy = getattr(self.app, "_cot_analysis_proxy", None)
            if proxy is not None:
                await proxy.aclose()

    def on_resize(self) -> None:
        self._layout_for(self.size.width)

    def _layout_for(self, width: int) -> None:
        self.set_class(width < STACK_BELOW, "stacked")
        if self.outline_wanted is None:
            self.set_class(width < OUTLINE_MIN_WIDTH, "no-outline")
        self._wake_analysis()

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

    def set_prompt(self, text: str, label: str = "") -> None:
        self.prompt = text  # also given to the analysis: sentences restating it are Read
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
        self._reset_analysis(None)
        if self._analysis_wanted():
            self._start_live_analysis()
        self.monologue.anchor()
        await self.answer.clear()
        self.answer.follow(True)
        self.answer.set_placeholder(WAITING_PLACEHOLDER)
        self._timer.resume()
        self.refresh_status()

    def feed(self, e: Event, n: int = 1) -> None:
        """Apply one event (cheap); the panes catch up on the next flush. ``n``: how many
        tokens a delta holds (a stream relayed from another process merges them)."""
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
            self._answer_text.append(e.text)
            self.info.answer_tokens += n
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
            if self._analyzer is not None and self._pend_r:  # the analysis child keeps up
                text = "".join(self._pend_r)
                self._pend_r[:] = [text]
                self._feed_analysis(text[self._an_fed:])
                self._an_fed = len(text)
            return
        self._skip_tick = BUSY_SKIP if len(self._pend_r) + len(self._pend_a) > BUSY_CHUNKS else 0
        if self._pend_r:
            text = "".join(self._pend_r)
            self._pend_r.clear()
            if self.has_class("no-reasoning"):
                self._collapse_without_reasoning(False)
            self.monologue.append(text)
            if self._analyzer is not None:
                self._feed_analysis(text[self._an_fed:])
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
        elif self.info.phase == "thinking" and not self._answer_text:
            self.answer.set_placeholder(THINKING_PLACEHOLDER)
        if self._analyzer is not None:
            self._poll_analysis()
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
        a = self._analyzer
        closing = None
        if a is not None and a.session == self._session:
            # the child finishes the analysis while the answer pane finishes here
            self._analyzer = None
            gen = self._gen
            closing = asyncio.ensure_future(a.close_and_snapshot(tr.answer, timeline=tr.timeline))
        try:
            await self.answer.finish()
        except BaseException:
            if closing is not None:
                closing.cancel()
            raise
        self.live = False
        self._tr = tr
        self.set_notes(getattr(tr, "notes", None) or [])
        if closing is not None:
            # the panes are final now; the outline completes when the child's analysis lands
            # (ensure_analysis() waits for it)
            self._landing = asyncio.ensure_future(self._land_analysis(a, closing, gen))
            self._show_outline_chrome()
        elif self._analysis_wanted():  # the child was taken over by another view
            self._analyzer = None
            self.call_after_refresh(self._analyse_whole)
        self.set_final(tr)

    async def _land_analysis(self, a, closing, gen: int) -> None:
        try:
            final = await closing
        except Exception:  # noqa: BLE001 - the in-process fallback failed too: the outline stays as it is
            final = None
        self.analysis_s += a.analysis_s - self._proxy_s0  # this process's share only
        if not self.is_mounted or gen != self._gen or not self.query("#outline-list"):  # closed, or another text shown
            return
        if final is not None and self.analysis is None:
            self._finish_analysis(final)
        else:
            self.call_later(self._show_outline_chrome)  # (no longer "live")

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
        self._reset_analysis(tr)
        self.set_notes(getattr(tr, "notes", None) or [])
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
        if self._analysis_wanted():
            # after the first screen: the thread would compete with painting it for the GIL
            self.call_after_refresh(lambda: self.set_timer(WHOLE_ANALYSIS_DELAY, self._analyse_whole))

    # -- the analysis and the outline ----------------------------------------------------------
    def _analysis_wanted(self) -> bool:
        return self.outline_visible or self.labels_on or self.stepping

    def _reset_analysis(self, tr) -> None:
        if tr is not None and tr is self._tr and self.analysis is not None:
            # the same finished transcript again (leaving the step-through): keep its analysis
            self.outline_list.set_limit(None)
            self._apply_labels()
            self._show_outline_chrome()
            return
        self._gen += 1
        self._tr = tr
        self._analyzer = None
        self._landing = None  # (an older text's: dropped when it lands)
        self.analysis = self.metrics = None
        self._frozen = 0
        self._polled = -1
        self._snap_frozen = -1
        self._next_poll = self._next_snap = 0.0
        lst = self.outline_list
        lst.clear()
        lst.follow = tr is None  # a live stream is followed; a finished transcript opens at the top
        self.monologue.set_labels([])
        self._show_outline_chrome()

    def _start_live_analysis(self) -> None:
        self._warm_up()
        proxy = proxy_for(self.app)
        self._session = proxy.reset(self.prompt)
        self._analyzer = proxy
        self._proxy_s0 = proxy.analysis_s
        self._an_fed = 0  # the pending text is not in the monologue yet: it goes at the next tick
        if len(self.monologue):  # switched on mid-stream: catch up once
            self._feed_analysis(self.monologue.text)
            self._poll_analysis(force=True)

    def _feed_analysis(self, text: str) -> None:
        a = self._analyzer
        if a.session != self._session:  # another view took the child over: analyse at the end
            self._analyzer = None
            return
        a.feed(text)  # a write to the child's pipe

    def _wake_analysis(self) -> None:
        """The outline, the labels or the step-through want the analysis: start it if needed."""
        if not self.is_mounted or not self._analysis_wanted():
            return
        if self.live:
            if self._analyzer is None:
                self._start_live_analysis()
        elif self.analysis is None and self._tr is not None:
            self._analyse_whole()

    def _poll_analysis(self, *, force: bool = False) -> None:
        a = self._analyzer
        now = time.monotonic()
        if a is None or (not force and (now < self._next_poll or a.version == self._polled)):
            return
        self._polled = a.version
        self._next_poll = now + (OUTLINE_BUSY_INTERVAL if self._skip_tick else OUTLINE_INTERVAL)
        lst = self.outline_list
        new = a.steps_since(self._frozen)
        lst.set_steps_from(self._frozen, new)
        self._frozen = a.frozen_steps
        # phases and metrics: not while the flush skips ticks (nobody reads along at those
        # rates; the final snapshot comes at the end); the child (or, in-process, the proxy)
        # takes them at most once per 20× their cost
        got = a.take_phases(force=force) if (force or not self._skip_tick) else None
        if got is not None:
            lst.set_phases(got[0])
            self.metrics = got[1]
        self._apply_labels()
        self._show_outline_chrome()

    def _analyse_whole(self) -> None:
        if self.analysis is not None or self._tr is None or self.live or self._landing_pending():
            return
        self.run_worker(self.ensure_analysis(), group="analysis", exclusive=True)

    def _landing_pending(self) -> bool:
        return self._landing is not None and not self._landing.done()

    async def ensure_analysis(self):
        """The analysis of the finished transcript shown (computed in a thread if needed)."""
        if self._landing_pending():  # the live analysis of this transcript is landing
            try:
                await asyncio.shield(self._landing)
            except Exception:  # noqa: BLE001 - analysed here instead
                pass
        if self.analysis is None and self._tr is not None and not self.live:
            tr, gen = self._tr, self._gen

            def run():
                return self._import_analysis().analyze(
                    tr.reasoning, tr.answer, tr.reasoning_char_times() or None, prompt=tr.prompt or None
                )

            result = await asyncio.to_thread(run)
            # (the view may have closed meanwhile: Esc back to the history while analysing)
            if gen == self._gen and self.analysis is None and self.query("#outline-list"):
                self._finish_analysis(result)
        return self.analysis

    def _finish_analysis(self, analysis) -> None:
        self.analysis = analysis
        self.metrics = analysis.metrics
        self.outline_list.set_analysis(analysis.steps, analysis.phases)
        self._apply_labels()
        self._show_outline_chrome()

    def _apply_labels(self) -> None:
        mono = self.monologue
        if not self.labels_on:
            if mono._overlays:
                mono.set_labels([])
            return
        lst = self.outline_list
        span = self.palette.span
        mono.set_labels([(s.start, s.end, span[s.label]) for s in lst.steps[: lst.shown]])

    def _show_outline_chrome(self) -> None:
        panel = self.outline
        panel.show_head(self.metrics, live=self._analyzer is not None or (self.analysis is None and self._landing_pending()),
                        stepping=self.stepping)
        panel.show_detail(self.monologue.slice)

    def _theme_changed(self) -> None:
        self.palette = LabelPalette.for_app(self.app)
        lst = self.outline_list
        lst.palette = self.palette
        lst._strips.clear()
        lst.refresh()
        self._apply_labels()
        self._show_outline_chrome()

    def toggle_outline(self) -> None:
        self.outline_wanted = not self.outline_visible
        self.set_class(not self.outline_wanted, "no-outline")
        if not self.outline_wanted and self.screen.focused is self.outline_list:
            self.monologue.focus()
        self._wake_analysis()

    def toggle_labels(self) -> None:
        self.labels_on = not self.labels_on
        self._apply_labels()
        self._wake_analysis()

    def set_notes(self, notes) -> None:
        """Notes as exported (``{"step": i, "text": …}``); only notes on a step are shown."""
        self.notes.clear()
        for n in notes:
            step = n.get("step") if isinstance(n, dict) else getattr(n, "step", None)
            text = n.get("text") if isinstance(n, dict) else getattr(n, "text", "")
            if step is not None:
                self.notes.setdefault(int(step), []).append(str(text or ""))
        self.outline_list._strips.clear()
        self.outline_list.refresh()
        self._show_outline_chrome()

    def add_note(self, step: int, text: str) -> None:
        self.notes.setdefault(step, []).append(text)
        self.outline_list._strips.clear()
        self.outline_list.refresh()
        self._show_outline_chrome()

    def selected_step(self) -> int | None:
        """The step the outline's cursor is on (None without an analysis)."""
        lst = self.outline_list
        return lst.cursor_step() if lst.shown else None

    def go_to_step(self, i: int, *, move_cursor: bool = True) -> None:
        """Scroll the monologue to step ``i`` and highlight it."""
        lst = self.outline_list
        if not 0 <= i < len(lst.steps):
            return
        step = lst.steps[i]
        mono = self.monologue
        mono.scroll_to_offset(step.start)
        mono.highlight(step.start, step.end)
        if move_cursor:
            lst.move_to_step(i)

    def on_outline_list_selected(self, msg: OutlineList.Selected) -> None:
        msg.stop()
        lst = self.outline_list
        if msg.step is not None:
            self.go_to_step(msg.step, move_cursor=False)
        elif msg.phase is not None and msg.phase < len(lst.phases):
            self.go_to_step(lst.phases[msg.phase].first_step, move_cursor=False)
        self._show_outline_chrome()

    def on_outline_list_moved(self, msg: OutlineList.Moved) -> None:
        msg.stop()
        self.outline.show_detail(self.monologue.slice)
