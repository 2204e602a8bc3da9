"""The outline's feed: the analysis of the text shown, into the outline and the label tints.

``TranscriptView`` owns one ``OutlineFeed`` and tells it what happens to the text: a stream
begins (``begin``), its reasoning grows (``stream``, once per flush, the coalesced text),
the flush ticks (``tick``), the stream ends (``end``), or a finished transcript is shown
whole (``show``).  The feed analyses only while somebody wants it (the outline shown, the
label colours on, or the step-through): ``wake()`` after any of these changes.

While a stream is shown the text goes to a :class:`~cot_viewer.analysis.live.LiveAnalysis`
(a worker thread: the event loop never analyses); ``tick`` takes its news at most every
``OUTLINE_INTERVAL`` (``OUTLINE_BUSY_INTERVAL`` while the view skips ticks, above ~4,000
tokens/s) and appends only the new steps — frozen steps never change, the open paragraph's
provisional steps are replaced.  At the end the panes are final at once; the final analysis
lands when the worker has it (``ensure_analysis()`` waits for it) and until then the
outline's head says *live, provisional*.  A finished transcript is analysed in a thread
after its first screen.
"""

from __future__ import annotations

import asyncio
import time

from cot_viewer.tui.widgets.outline import LabelPalette, OutlineList, OutlinePanel
from cot_viewer.tui.widgets.stream_pane import StreamPane

OUTLINE_INTERVAL = 0.25  # s: the outline catches up with the analysis at most this often
OUTLINE_BUSY_INTERVAL = 1.0  # s: ... while the view skips ticks (very high token rates)
WHOLE_ANALYSIS_DELAY = 0.3  # s after opening a finished transcript before it is analysed
FLOOD_CHARS = 800  # reasoning characters in one flush (~4,000 tokens/s) above which the analysis waits
FLOOD_QUIET = 0.5  # s without such a flush: the flood is over, the analysis catches up


class OutlineFeed:
    """The analysis of the shown text → the outline panel and the monologue's label tints."""

    def __init__(self, host, panel: OutlinePanel, monologue: StreamPane) -> None:
        """``host``: the widget whose timers and workers the feed uses (the view)."""
        self.host = host
        self.panel = panel
        self.list: OutlineList = panel.list
        self.monologue = monologue
        self.outline_shown = True  # the view says whether the outline is visible
        self.labels_on = False
        self.stepping = False  # step-through (the replay screen drives it)
        self.notes: dict[int, list[str]] = {}
        self.list.notes = self.notes
        self.list.text_of = monologue.slice
        self.prompt = ""  # the question (the analysis labels restatements of it Read)
        self.analysis = None  # the final Analysis of the finished transcript shown
        self.metrics = None
        self.palette = LabelPalette(False)
        self._tr = None  # the finished transcript shown
        self._gen = 0  # bumps with every new text: a late analysis of older text is dropped
        self._live = None  # LiveAnalysis while a stream is shown (when wanted)
        self._streaming = False
        self._fed = False  # the live analysis has text (a new prompt then no longer restarts it)
        self._held = False  # the live analysis waits: text floods in
        self._flood_until = 0.0  # (monotonic) the flood counts as over from then on
        self._landing: asyncio.Task | None = None  # the final live analysis, once the stream ended
        self._next_poll = 0.0
        self.worker_s = 0.0  # CPU seconds the analysis threads spent on the texts shown

    @property
    def wanted(self) -> bool:
        return self.outline_shown or self.labels_on or self.stepping

    # -- what happens to the text --------------------------------------------------------------
    def begin(self, prompt: str) -> None:
        """A stream begins (its text arrives through ``stream``)."""
        self.prompt = prompt
        self._reset(None)
        self._streaming = True
        if self.wanted:
            self._start_live()

    def set_prompt(self, prompt: str) -> None:
        """The question of the text shown (set just after ``begin`` by the ask screen)."""
        self.prompt = prompt
        if self._live is not None and not self._fed:  # nothing analysed yet: with the prompt
            self._live.cancel()
            self._start_live()

    def stream(self, text: str) -> None:
        """More reasoning (the coalesced text of a flush). While text floods in (more than
        ``FLOOD_CHARS`` a flush: nobody reads along) the analysis waits, so that the panes
        have the interpreter to themselves; it catches up when the flood ends, or at the end."""
        live = self._live
        if live is None:
            return
        if len(text) > FLOOD_CHARS:
            self._flood_until = time.monotonic() + FLOOD_QUIET
            if not self._held:
                self._held = True
                live.hold()
        if text:
            live.feed(text)
            self._fed = True

    def tick(self, *, busy: bool = False, force: bool = False) -> None:
        """Take the analysis' news into the outline (at most every ``OUTLINE_INTERVAL``)."""
        live = self._live
        now = time.monotonic()
        if live is not None and self._held and now >= self._flood_until:  # the flood is over
            self._held = False
            live.hold(False)
        if live is None or (not force and now < self._next_poll):
            return
        self._next_poll = now + (OUTLINE_BUSY_INTERVAL if busy else OUTLINE_INTERVAL)
        update = live.poll()
        if update is None:
            return
        self.list.set_steps_from(update.first, update.steps)
        if update.phases is not None:
            self.list.set_phases(update.phases)
            self.metrics = update.metrics
        self.refresh()

    async def settle(self, timeout: float = 30.0) -> None:
        """Wait until the live analysis has caught up with the text fed, and show it (for
        tests and benchmarks: what the outline shows mid-stream is then deterministic)."""
        live = self._live
        if live is None:
            return
        live.hold(False)
        self._held = False
        live.want_phases()
        deadline = time.monotonic() + timeout
        while not live.caught_up and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        self.tick(force=True)

    def end(self, tr) -> None:
        """The stream is over: the final analysis lands when the worker has it."""
        self._streaming = False
        self._tr = tr
        live, self._live = self._live, None
        if live is not None:
            self.tick(force=True)
            self._landing = asyncio.ensure_future(self._land(live, tr, self._gen))
        elif self.wanted:
            self.host.call_after_refresh(self._analyse_whole)
        self.set_notes(tr.notes)

    def show(self, tr) -> None:
        """A finished transcript shown whole."""
        self._streaming = False
        self.set_notes(tr.notes)
        if tr is self._tr and self.analysis is not None:
            # the same transcript again (leaving the step-through): keep its analysis
            self.list.set_limit(None)
            self.refresh()
            return
        self._reset(tr)
        if self.wanted:  # after the first screen: the thread would compete with painting it
            self.host.call_after_refresh(lambda: self.host.set_timer(WHOLE_ANALYSIS_DELAY, self._analyse_whole))

    def wake(self) -> None:
        """The outline, the labels or the step-through may want the analysis now."""
        if not self.wanted:
            return
        if self._streaming:
            if self._live is None:
                self._start_live()
        elif self.analysis is None and self._tr is not None:
            self._analyse_whole()

    def close(self) -> None:
        """The view goes away: the worker stops."""
        if self._live is not None:
            self._live.cancel()
            self._live = None
        self._gen += 1

    # -- the analysis ----------------------------------------------------------------------------
    def _reset(self, tr) -> None:
        self.close()
        self._tr = tr
        self._landing = None  # (an older text's: dropped when it lands)
        self.analysis = self.metrics = None
        self._next_poll = 0.0
        self.list.clear()
        self.list.follow = tr is None  # a stream is followed; a finished transcript opens at the top
        self.monologue.set_labels([])
        self.refresh()

    def _start_live(self) -> None:
        from cot_viewer.analysis.live import LiveAnalysis

        self._live = LiveAnalysis(self.prompt)
        self._held = False
        self._fed = bool(len(self.monologue))
        if self._fed:  # switched on mid-stream: catch up once
            self._live.feed(self.monologue.text)
        self.refresh()

    async def _land(self, live, tr, gen: int) -> None:
        try:
            final = await asyncio.to_thread(lambda: live.finish(tr.answer, tr.reasoning_char_times() or None))
        except Exception:  # noqa: BLE001 - the analyser failed: the outline stays as it is
            final = None
        self.worker_s += live.cpu_s
        if gen != self._gen or not self._attached():  # another text shown, or closed
            return
        self._landing = None  # (landed: the outline is no longer live)
        if final is not None and self.analysis is None:
            self._set_analysis(final)
        else:
            self.refresh()  # (no longer "live")

    def _attached(self) -> bool:
        """The outline is still on screen (a view closing removes its children first)."""
        return self.host.is_mounted and bool(self.panel.query("#outline-list"))

    def _landing_pending(self) -> bool:
        return self._landing is not None and not self._landing.done()

    def _analyse_whole(self) -> None:
        if self.analysis is not None or self._tr is None or self._streaming or self._landing_pending():
            return
        self.host.run_worker(self.ensure_analysis(), group="analysis", exclusive=True)

    async def ensure_analysis(self):
        """The analysis of the finished transcript shown (computed in a thread if needed)."""
        if self._landing_pending():  # the live analysis of this transcript is landing
            try:
                await asyncio.shield(self._landing)
            except Exception:  # noqa: BLE001 - analysed here instead
                pass
        if self.analysis is None and self._tr is not None and not self._streaming:
            tr, gen = self._tr, self._gen

            def run():
                from cot_viewer.analysis import analyze_transcript

                t0 = time.thread_time()
                result = analyze_transcript(tr)
                return result, time.thread_time() - t0

            result, cpu = await asyncio.to_thread(run)
            self.worker_s += cpu
            # (the view may have closed meanwhile: Esc back to the history while analysing)
            if gen == self._gen and self.analysis is None and self._attached():
                self._set_analysis(result)
        return self.analysis

    def _set_analysis(self, analysis) -> None:
        self.analysis = analysis
        self.metrics = analysis.metrics
        self.list.set_analysis(analysis.steps, analysis.phases)
        self.refresh()

    # -- what is shown ---------------------------------------------------------------------------
    @property
    def live(self) -> bool:
        """The outline shows a live, provisional analysis."""
        return self._live is not None or (self.analysis is None and self._landing_pending())

    def refresh(self) -> None:
        """The label tints and the outline's head and detail lines, after any change."""
        mono = self.monologue
        if not self.labels_on:
            if mono.has_labels:
                mono.set_labels([])
        else:
            lst = self.list
            span = self.palette.span
            mono.set_labels([(s.start, s.end, span[s.label]) for s in lst.steps[: lst.shown]])
        self.panel.show_head(self.metrics, live=self.live, stepping=self.stepping)
        self.panel.show_detail(mono.slice)

    def set_palette(self, palette: LabelPalette) -> None:
        self.palette = palette
        self.list.palette = palette
        self.list.redraw()
        self.refresh()

    def toggle_labels(self) -> None:
        self.labels_on = not self.labels_on
        self.refresh()
        self.wake()

    def set_notes(self, notes) -> None:
        """Notes as exported (``{"step": i, "text": …}``); only notes on a step are shown."""
        self.notes.clear()
        for n in notes:
            step = n.get("step") if isinstance(n, dict) else getattr(n, "step", None)
            text = n.get("text") if isinstance(n, dict) else getattr(n, "text", "")
            if step is not None:
                self.notes.setdefault(int(step), []).append(str(text or ""))
        self.list.redraw()
        self.refresh()

    def add_note(self, step: int, text: str) -> None:
        self.notes.setdefault(step, []).append(text)
        self.list.redraw()
        self.refresh()

    def selected_step(self) -> int | None:
        """The step the outline's cursor is on (None without steps)."""
        lst = self.list
        return lst.cursor_step() if lst.shown else None

    def go_to_step(self, i: int, *, move_cursor: bool = True) -> None:
        """Scroll the monologue to step ``i`` and highlight it."""
        lst = self.list
        if not 0 <= i < len(lst.steps):
            return
        step = lst.steps[i]
        self.monologue.scroll_to_offset(step.start)
        self.monologue.highlight(step.start, step.end)
        if move_cursor:
            lst.move_to_step(i)

    def selected(self, step: int | None, phase: int | None) -> None:
        """Enter or a click in the outline: go to the step (or the phase's first step)."""
        lst = self.list
        if step is not None:
            self.go_to_step(step, move_cursor=False)
        elif phase is not None and phase < len(lst.phases):
            self.go_to_step(lst.phases[phase].first_step, move_cursor=False)
        self.refresh()
