"""Compare: two saved runs side by side, replayed on one clock with their original timing.

Each column is the same :class:`TranscriptView` the replay screen uses (monologue, answer
below or beside it as the width allows, status line), fed from
``cot_viewer.replay.timeline_events`` at one position on a shared clock, so a class sees
which run commits earlier, where each doubts and where each checks. Above each view, the
run's phases (from ``cot_viewer.compare``); selecting one (Enter or a click) scrolls that
monologue to it and the other to its counterpart — definition ↔ definition, bloom ↔ bloom,
cycle n ↔ cycle n, final ↔ final — or says the other run has none. ``c`` shows the lined-up
table. Below ``SINGLE_BELOW`` columns one run is shown at a time and ``w`` switches.
"""

from __future__ import annotations

import asyncio

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from cot_viewer.analysis.vocabulary import phase_name
from cot_viewer.tui.keys import FIRST
from cot_viewer.tui.screens.replay import SPEEDS, TICK, ReplayScreen
from cot_viewer.tui.widgets.transcript_view import TranscriptView

#: the replay screen's own keys for the clock: pause, speed, end, start again
CLOCK_ACTIONS = ("pause", "speed(1)", "speed(-1)", "jump_end", "restart")
SINGLE_BELOW = 120  # columns: narrower than this, one run at a time (w switches)
SIDES = ("a", "b")


def phase_line(ph) -> Text:
    n = ph.last_step - ph.first_step + 1
    secs = f" · {ph.seconds:.1f} s" if ph.seconds is not None else ""
    return Text(f"{phase_name(ph.kind, ph.number)} · {n} step{'s' if n != 1 else ''}{secs}")


def table_renderable(rows) -> Table:
    """The lined-up table as a Rich table of plain ``Text`` cells (model text is never markup)."""
    t = Table(show_edge=False, expand=True, pad_edge=False)
    t.add_column("", style="bold", no_wrap=True)
    t.add_column("A", overflow="fold")
    t.add_column("B", overflow="fold")
    for r in rows:
        t.add_row(Text(r.measure), Text(r.a), Text(r.b))
    return t


class TableScreen(ModalScreen[None]):
    """The lined-up table of both runs (``c``; Esc or ``c`` closes it)."""

    DEFAULT_CSS = """
    TableScreen { align: center middle; }
    TableScreen > VerticalScroll { width: 96%; max-width: 140; height: 90%; border: round $accent; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,c", "close", "Close")]

    def __init__(self, rows) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(table_renderable(self.rows), id="compare-table")

    def action_close(self) -> None:
        self.dismiss(None)


class CompareScreen(Screen):
    DEFAULT_CSS = """
    CompareScreen #clock { height: 1; padding: 0 1; background: $panel; }
    CompareScreen #columns { height: 1fr; }
    CompareScreen .column { width: 1fr; height: 1fr; }
    CompareScreen .phases { height: auto; max-height: 6; border: round $panel-lighten-2; border-title-color: $text-muted; }
    CompareScreen .phases:focus { border: round $accent; }
    CompareScreen.single .column.inactive { display: none; }
    CompareScreen.single .phases { max-height: 4; }
    """
    BINDINGS = [
        *FIRST,
        *(b for b in ReplayScreen.BINDINGS if b.action in CLOCK_ACTIONS),
        Binding("w", "switch", "Other run"),
        Binding("p", "phases", "Phases"),
        Binding("c", "table", "Table"),
        Binding("escape", "back", "Back", show=False),
    ]
    PALETTE = [
        ("Pause or resume", "Pause or resume both runs", "pause"),
        ("Jump to the end", "Show both runs whole", "jump_end"),
        ("Replay from the start", "Re-stream both runs on one clock", "restart"),
        ("Switch run", "Show the other run (one at a time on narrow screens)", "switch"),
        ("Comparison table", "The figures of both runs lined up", "table"),
        ("Phases", "Go to a phase of a run; the other run follows to its counterpart", "phases"),
    ]

    def __init__(self, a, b, speed: float = 1.0, *, closable: bool = False) -> None:
        super().__init__()
        self.trs = {"a": a, "b": b}
        self.speed = speed if speed > 0 else 1.0
        self.instant = speed <= 0
        self.closable = closable
        self.paused = False
        self.pos = 0.0
        self.total = max(self._total(a), self._total(b))
        self.active = "a"  # the run shown when only one fits
        self.comparison = None  # cot_viewer.compare.Comparison, computed in a thread
        self.ended = {"a": False, "b": False}
        self._jump = False
        self._worker = None
        self.playing = False

    @staticmethod
    def _total(tr) -> float:
        return max(tr.timing.total_s or 0.0, tr.timeline.t[-1] if len(tr.timeline) else 0.0)

    def compose(self) -> ComposeResult:
        yield Static("", id="clock")
        with Horizontal(id="columns"):
            for k in SIDES:
                with Vertical(classes="column", id=f"col-{k}"):
                    phases = OptionList(id=f"phases-{k}", classes="phases")
                    phases.border_title = f"Phases of {k.upper()}"
                    yield phases
                    yield TranscriptView(clock=lambda: self.pos, id=f"view-{k}")
        yield Footer()

    def view(self, k: str) -> TranscriptView:
        return self.query_one(f"#view-{k}", TranscriptView)

    def phases_list(self, k: str) -> OptionList:
        return self.query_one(f"#phases-{k}", OptionList)

    def on_mount(self) -> None:
        self._layout_for(self.app.size.width)
        self.view("a").monologue.focus()
        if all(tr.status != "streaming" for tr in self.trs.values()):  # (live runs: once both have ended)
            self._analyse()
        self.call_after_refresh(self._start)

    def on_resize(self, event) -> None:
        self._layout_for(event.size.width)

    def _layout_for(self, width: int) -> None:
        single = width < SINGLE_BELOW
        self.set_class(single, "single")
        for k in SIDES:
            self.query_one(f"#col-{k}").set_class(k != self.active, "inactive")

    async def _start(self) -> None:
        if self.instant:
            await self.show_whole()
        else:
            self._worker = self.play()

    # -- the analysis: table and phases --------------------------------------------------------
    @work(thread=True, exclusive=True, group="compare-analysis")
    def _analyse(self) -> None:
        from cot_viewer.compare import compare

        c = compare(self.trs["a"], self.trs["b"])
        self.app.call_from_thread(self._show_analysis, c)

    def _show_analysis(self, c) -> None:
        self.comparison = c
        for k, analysis in zip(SIDES, c.analyses):
            lst = self.phases_list(k)
            lst.clear_options()
            lst.add_options([Option(phase_line(ph), id=str(ph.index)) for ph in analysis.phases])
            if not analysis.phases:
                lst.add_option(Option(Text("(no reasoning)"), disabled=True))
        self._show_clock()

    @on(OptionList.OptionSelected, ".phases")
    def phase_selected(self, event: OptionList.OptionSelected) -> None:
        k = event.option_list.id.rsplit("-", 1)[1]
        if self.comparison is None or event.option.id is None:
            return
        self.go_to_phase(k, int(event.option.id))

    def go_to_phase(self, k: str, index: int) -> None:
        """Scroll run ``k`` to its phase ``index`` and the other run to the counterpart."""
        from cot_viewer.compare import counterpart

        c = self.comparison
        ph = c.analyses[SIDES.index(k)].phases[index]
        self._scroll_to(k, ph)
        other = "b" if k == "a" else "a"
        twin = counterpart(c.phases, k, index)
        if twin is None:
            self.notify(f"Run {other.upper()} has no {phase_name(ph.kind, ph.number)}.", severity="warning")
            self.view(other).monologue.clear_highlight()
            return
        self._scroll_to(other, twin)
        self.phases_list(other).highlighted = twin.index

    def _scroll_to(self, k: str, ph) -> None:
        mono = self.view(k).monologue
        mono.highlight(ph.start, ph.end)
        mono.scroll_to_offset(ph.start, center=False)

    # -- the clock -------------------------------------------------------------------------------
    def _clock_text(self) -> tuple[str, str]:
        """The top line's first part, and what each status line adds."""
        state = "paused" if self.paused else "compare"
        return f"{state} {self.speed:g}× · {self.pos:.1f}/{self.total:.1f} s", f"{state} {self.pos:.1f} s"

    def _show_clock(self) -> None:
        first, extra = self._clock_text()
        bits = [first]
        if self.has_class("single"):
            bits.append(f"showing {self.active.upper()} (w: the other)")
        c = self.comparison
        if c is not None and c.answers_agree is not None:
            bits.append("answers agree" if c.answers_agree else "answers differ")
        self.query_one("#clock", Static).update(Text(" · ".join(bits)))
        for k in SIDES:
            view = self.view(k)
            view.info.extra = f"{k.upper()} · {extra}"
            view.refresh_status()

    async def show_whole(self) -> None:
        self.pos = self.total
        for k in SIDES:
            await self.view(k).load(self.trs[k], label=f"{k.upper()} ›", at_end=True)
            self.ended[k] = True
        self._show_clock()

    @work(exclusive=True, group="compare")
    async def play(self) -> None:
        from cot_viewer.replay import timeline_events

        self.pos = 0.0
        self._jump = False
        events, index = {}, {}
        for k in SIDES:
            tr, view = self.trs[k], self.view(k)
            await view.begin(tr.provider or "", tr.model or "")
            view.info.saved_id = tr.id
            view.set_prompt(tr.prompt, f"{k.upper()} ›")
            events[k], index[k] = list(timeline_events(tr)), 0
            self.ended[k] = False
        clock = self.app.clock
        last = clock()
        self.playing = True  # from here on the clock moves both runs
        while not self._jump and not all(self.ended.values()):
            now = clock()
            if not self.paused:
                self.pos = min(self.total, self.pos + (now - last) * self.speed)
            last = now
            for k in SIDES:
                evs, view = events[k], self.view(k)
                while index[k] < len(evs) and evs[index[k]].t <= self.pos:
                    view.feed(evs[index[k]])
                    index[k] += 1
                if index[k] == len(evs) and not self.ended[k]:
                    self.ended[k] = True
                    await view.end(self.trs[k])
            self._show_clock()
            if not all(self.ended.values()):
                await asyncio.sleep(TICK)
        self.playing = False
        if self._jump:
            await self.show_whole()
            return
        self._show_clock()

    # -- actions -------------------------------------------------------------------------------
    def action_pause(self) -> None:
        self.paused = not self.paused
        self._show_clock()

    def action_speed(self, step: int) -> None:
        i = min(range(len(SPEEDS)), key=lambda j: abs(SPEEDS[j] - self.speed))
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, i + step))]
        self._show_clock()

    async def action_jump_end(self) -> None:
        if self._worker is not None and self._worker.is_running:
            self._jump = True
        else:
            await self.show_whole()

    def action_restart(self) -> None:
        self.paused = False
        self._worker = self.play()

    def action_switch(self) -> None:
        self.active = "b" if self.active == "a" else "a"
        self._layout_for(self.app.size.width)
        self.view(self.active).monologue.focus()
        self._show_clock()

    def action_phases(self) -> None:
        """Focus the phases of the run shown (A when both are): ↑/↓ and Enter go to one."""
        self.phases_list(self.active).focus()

    def action_table(self) -> None:
        if self.comparison is None:
            self.notify("The comparison is still being computed.", severity="warning")
            return
        self.app.push_screen(TableScreen(self.comparison.rows()))

    def action_back(self) -> None:
        if self.closable:
            self.dismiss()


class LiveCompareScreen(CompareScreen):
    """``ask --compare``: two :class:`cot_viewer.run.Run` objects streaming at once, each into
    its column on its own request's clock (both started together). Esc stops both and keeps
    what arrived; one failing does not stop the other. Once both have ended, the phases and
    the table are filled in as for saved runs."""

    BINDINGS = [Binding("escape", "back", "Stop")]

    def __init__(self, runs: dict, *, closable: bool = False) -> None:
        super().__init__(runs["a"].transcript, runs["b"].transcript, closable=closable)
        self.runs = runs

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("pause", "speed", "jump_end", "restart"):  # a live stream has no replay clock
            return False
        if action == "back":  # Esc: stop while streaming (Back when opened from elsewhere)
            return self.streaming or self.closable
        return True

    @property
    def streaming(self) -> bool:
        return not all(self.ended.values())

    async def _start(self) -> None:
        self._show_clock()
        for k in SIDES:
            self.run_worker(self._show_run(k), group=f"live-{k}", exit_on_error=False)

    async def _show_run(self, k: str) -> None:
        from cot_viewer.run import coalesce
        from cot_viewer.tui.widgets.status_bar import request_status

        run, view = self.runs[k], self.view(k)
        tr = run.transcript
        view.clock = run.elapsed
        try:
            await view.begin(tr.provider or "", tr.model or "")
            view.set_prompt(tr.prompt, f"{k.upper()} ›")
            view.info.settings, view.info.cost = request_status(tr)
            async for batch in run.abatches():
                for e, n in coalesce(batch):
                    view.feed(e, n)
                if view.info.saved_id is None and run.saved_id:
                    view.info.saved_id = run.saved_id
                if tr.model and view.info.model != tr.model:  # a local server named its model
                    view.info.model = tr.model
        finally:
            view.info.saved_id = run.saved_id if run.saved else None
            if run.save_error:
                view.info.note = f"not saved: {run.save_error}"
            try:
                await view.end(tr)
            finally:
                self.ended[k] = True
                self._show_clock()
                if not self.streaming:
                    self.refresh_bindings()
                    self._analyse()

    def _clock_text(self) -> tuple[str, str]:
        if self.streaming:
            return "live: both runs streaming (Esc stops both)", "live"
        return "both runs ended", "ended"

    async def stop_and_wait(self) -> None:
        """Stop both runs (what arrived is kept and saved) and wait for their final saves."""
        for run in self.runs.values():
            run.stop()
        for run in self.runs.values():
            await run.aclose()

    async def action_back(self) -> None:
        if self.streaming:
            await self.stop_and_wait()
        elif self.closable:
            self.dismiss()
