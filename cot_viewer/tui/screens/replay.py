"""Replay: a saved transcript re-streamed with its original timing (also "open" from history).

Pacing is a position on the transcript's own clock, advanced by ``speed`` × real time each
tick while not paused; every event whose ``t`` has been reached is fed to the same view the
live ask uses. Jumping to the end shows the whole transcript at once (no event replay).

Step-through (``s``), for teaching: the monologue is revealed one analysis step per key press
(``n``/→; ``N``/shift+→ to the next phase; ``p``/← back), the current step highlighted and its
label in a banner, the outline limited to what has been revealed, and the answer hidden until
the last step (or ``a``). Notes (``m``) go to the history: the screen's own, or one opened on
demand; a transcript replayed from a file is imported first if the teacher agrees.
"""

from __future__ import annotations

import asyncio

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from rich.text import Text
from textual.widgets import Footer, ProgressBar, Static

from cot_viewer.tui.screens.base import PaneScreen
from cot_viewer.analysis.vocabulary import phase_name
from cot_viewer.tui.widgets.transcript_view import TranscriptView

SPEEDS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
TICK = 0.02
ANSWER_HIDDEN = "answer hidden — press a to reveal"
STEP_ACTIONS = {"step", "phase_step", "reveal_answer"}


class ReplayScreen(PaneScreen):
    # DEFAULT_CSS, not CSS_PATH: Textual loads a screen's CSS_PATH only when it is pushed,
    # never for the app's first screen (which every command but the home screen's pushes use)
    DEFAULT_CSS = """
    ReplayScreen #progress { height: 1; padding: 0 1; }
    ReplayScreen #progress Bar { width: 1fr; }
    ReplayScreen #banner { height: 1; padding: 0 1; background: $panel; display: none; }
    """
    BINDINGS = [
        Binding("space", "pause", "Pause"),
        Binding("plus,equals_sign", "speed(1)", "Faster", show=False),
        Binding("minus", "speed(-1)", "Slower", show=False),
        Binding("e", "jump_end", "End"),
        Binding("r", "restart", "Replay", show=False),
        Binding("s", "step_mode", "Step-through"),
        Binding("n,right", "step(1)", "Next step"),
        Binding("N,shift+right", "phase_step(1)", "Next phase"),
        Binding("p,left", "step(-1)", "Back"),
        Binding("P,shift+left", "phase_step(-1)", "Phase back", show=False),
        Binding("a", "reveal_answer", "Answer"),
        Binding("escape", "back", "Back", show=False),
    ]
    PALETTE = [
        *PaneScreen.PALETTE,
        ("Pause or resume", "Pause or resume the replay", "pause"),
        ("Jump to the end", "Show the whole transcript", "jump_end"),
        ("Replay from the start", "Re-stream with the original timing", "restart"),
        ("Step-through", "Reveal the reasoning one step at a time (for a class to predict the next move)", "step_mode"),
        ("Next step", "Step-through: reveal the next step", "step(1)"),
        ("Next phase", "Step-through: reveal up to the next phase", "phase_step(1)"),
        ("Previous step", "Step-through: go back one step", "step(-1)"),
        ("Reveal the answer", "Step-through: show the answer before the end", "reveal_answer"),
    ]

    def __init__(self, tr, speed: float = 1.0, *, opened: bool = False, closable: bool = False,
                 history=None) -> None:
        super().__init__()
        self.history = history  # for notes; None: opened on demand (and closed with the screen)
        self._own_history = None
        self.stepping = False
        self.step_k = 0  # steps revealed
        self.answer_revealed = False
        self.tr = tr
        self.speed = speed if speed > 0 else 1.0
        self.instant = speed <= 0
        self.opened = opened  # opened from the history: show it whole, `r` replays
        self.closable = closable
        self.paused = False
        self.pos = 0.0
        self.total = max(tr.timing.total_s or 0.0, tr.timeline.t[-1] if len(tr.timeline) else 0.0)
        self._jump = False
        self._worker = None

    def compose(self) -> ComposeResult:
        yield Static("", id="banner")
        yield TranscriptView(clock=lambda: self.pos)
        yield ProgressBar(total=self.total or 1.0, show_eta=False, id="progress")
        yield Footer()

    def on_mount(self) -> None:
        self.view.monologue.focus()
        self.call_after_refresh(self._start)

    async def _start(self) -> None:
        if self.opened or self.instant:
            await self.show_whole(at_end=self.instant)
        else:
            self._worker = self.play()

    def on_unmount(self) -> None:
        if self._own_history is not None:
            self._own_history.close()
            self._own_history = None

    def check_action(self, action: str, parameters) -> bool | None:
        if action in STEP_ACTIONS:
            return self.stepping
        if action in ("pause", "speed") and self.stepping:
            return False
        return super().check_action(action, parameters)

    def _extra(self) -> str:
        if self.stepping:
            n = len(self.view.outline_list.steps)
            return f"step-through {self.step_k}/{n}"
        state = "paused" if self.paused else "replay"
        return f"{state} {self.speed:g}× · {self.pos:.1f}/{self.total:.1f} s"

    async def show_whole(self, *, at_end: bool) -> None:
        self.pos = self.total
        view = self.view
        await view.load(self.tr, at_end=at_end)
        view.info.extra = "" if self.opened else self._extra()
        view.refresh_status()
        self.query_one(ProgressBar).update(progress=self.total or 1.0)

    @work(exclusive=True, group="replay")
    async def play(self) -> None:
        from cot_viewer.replay import timeline_events

        tr = self.tr
        view = self.view
        bar = self.query_one(ProgressBar)
        self.pos = 0.0
        self._jump = False
        await view.begin(tr.provider or "", tr.model or "")
        view.info.saved_id = tr.id
        view.set_prompt(tr.prompt)
        events = list(timeline_events(tr))
        clock = self.app.clock
        last = clock()
        i, n = 0, len(events)
        while i < n and not self._jump:
            now = clock()
            if not self.paused:
                self.pos = min(self.total, self.pos + (now - last) * self.speed)
            last = now
            while i < n and events[i].t <= self.pos:
                view.feed(events[i])
                i += 1
            view.info.extra = self._extra()
            bar.update(progress=self.pos)
            if i < n:
                await asyncio.sleep(TICK)
        if self._jump:
            await self.show_whole(at_end=True)
            return
        await view.end(tr)
        view.info.extra = self._extra()
        view.refresh_status()
        bar.update(progress=self.total or 1.0)

    # -- actions -------------------------------------------------------------------------------
    def action_pause(self) -> None:
        self.paused = not self.paused
        self.view.info.extra = self._extra()
        self.view.refresh_status()

    def action_speed(self, step: int) -> None:
        i = min(range(len(SPEEDS)), key=lambda k: abs(SPEEDS[k] - self.speed))
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, i + step))]
        self.view.info.extra = self._extra()
        self.view.refresh_status()

    async def action_jump_end(self) -> None:
        if self.stepping:
            await self._reveal(len(self.view.outline_list.steps))
            return
        if self._worker is not None and self._worker.is_running:
            self._jump = True
        else:
            await self.show_whole(at_end=True)

    async def action_restart(self) -> None:
        if self.stepping:
            await self._leave_steps()
        self.opened = False
        self.paused = False
        self._worker = self.play()

    def action_back(self) -> None:
        if self.closable:
            self.dismiss()

    # -- step-through ----------------------------------------------------------------------------
    async def _halt_playback(self) -> None:
        w = self._worker
        if w is not None and w.is_running:
            w.cancel()
            try:
                await w.wait()
            except Exception:  # noqa: BLE001 - WorkerCancelled
                pass
        self._worker = None

    async def action_step_mode(self) -> None:
        if self.stepping:
            await self._leave_steps()
            return
        await self._halt_playback()
        view = self.view
        feed = view.outline_feed
        feed.stepping = True
        await view.load(self.tr)
        analysis = await feed.ensure_analysis()
        if analysis is None or not analysis.steps:
            feed.stepping = False
            self.notify("This transcript has no reasoning to step through.", severity="warning")
            return
        self.stepping = True
        self.answer_revealed = False
        self.step_k = 0
        view.monologue.set_text("")
        view.monologue.anchor()
        await self._reveal(1)
        self.query_one("#banner", Static).display = True
        self.refresh_bindings()

    async def _leave_steps(self) -> None:
        view = self.view
        self.stepping = view.outline_feed.stepping = False
        self.query_one("#banner", Static).display = False
        view.outline_list.set_limit(None)
        view.monologue.clear_highlight()
        await self.show_whole(at_end=False)
        self.refresh_bindings()

    async def _reveal(self, k: int) -> None:
        view = self.view
        lst = view.outline_list
        steps = lst.steps
        n = len(steps)
        k = max(1, min(n, k))
        step = steps[k - 1]
        mono = view.monologue
        text = self.tr.reasoning
        shown = len(mono)
        end = len(text) if k == n else step.end  # the last step shows the rest too
        if end >= shown:
            mono.append(text[shown:end])
        else:
            mono.set_text(text[:end])
        mono.highlight(step.start, step.end)
        mono.anchor()
        self.step_k = k
        lst.set_limit(k)
        lst.move_to_step(k - 1)
        view.outline_feed.refresh()
        ans = view.answer
        if k == n or self.answer_revealed:
            if ans.text != self.tr.answer:
                ans.set_placeholder("")
                await ans.set_text(self.tr.answer)
        elif ans.text:
            await ans.set_text("")
            ans.set_placeholder(ANSWER_HIDDEN)
        else:
            ans.set_placeholder(ANSWER_HIDDEN)
        self._show_banner(step, k, n)
        view.info.extra = self._extra()
        view.refresh_status()

    def _show_banner(self, step, k: int, n: int) -> None:
        view = self.view
        t = Text()
        t.append(f" Step {k} of {n} ", "bold")
        t.append(f" {step.label} ", view.outline_feed.palette.banner.get(step.label, "reverse"))
        k_ph = view.outline_list.phase_of_step(k - 1)
        if k_ph is not None:
            ph = view.outline_list.phases[k_ph]
            t.append(f"  {phase_name(ph.kind, ph.number)}")
        t.append("   n next · N next phase · p back · a answer · s leave", "dim")
        self.query_one("#banner", Static).update(t)

    async def action_step(self, d: int) -> None:
        if self.stepping:
            await self._reveal(self.step_k + d)

    async def action_phase_step(self, d: int) -> None:
        if not self.stepping:
            return
        lst = self.view.outline_list
        phases, steps = lst.phases, lst.steps
        cur = self.step_k - 1
        k_ph = next((i for i in range(len(phases) - 1, -1, -1) if phases[i].first_step <= cur), 0)
        if d > 0:
            target = phases[k_ph + 1].first_step + 1 if k_ph + 1 < len(phases) else len(steps)
        elif phases and phases[k_ph].first_step == cur and k_ph > 0:
            target = phases[k_ph - 1].first_step + 1
        else:
            target = (phases[k_ph].first_step + 1) if phases else 1
        await self._reveal(target)

    async def action_reveal_answer(self) -> None:
        if self.stepping:
            self.answer_revealed = not self.answer_revealed
            await self._reveal(self.step_k)

    # -- notes -------------------------------------------------------------------------------------
    def note_step(self) -> int | None:
        if self.stepping:
            return self.step_k - 1
        return super().note_step()

    async def note_target(self):
        from cot_viewer.store.history import NotFound

        history = self.history
        if history is None:
            try:
                from cot_viewer.store.history import History

                history = self._own_history = self.history = History.open()
            except Exception as exc:  # noqa: BLE001 - no history: say why
                self.notify(f"Notes need the history, which could not be opened: {exc}", severity="error")
                return None
        try:
            return history, history.resolve_id(self.tr.id)
        except NotFound:
            pass
        from cot_viewer.tui.screens.note import ImportForNotesScreen

        def done(yes: bool | None) -> None:
            if not yes:
                self.notify("Notes need the transcript imported into the history.", severity="warning")
                return
            try:
                history.import_transcripts([self.tr])
            except Exception as exc:  # noqa: BLE001
                self.notify(f"Could not import the transcript: {exc}", severity="error")
                return
            self.notify(f"Imported {self.tr.id} into the history.")
            self.call_later(self.action_note)

        self.app.push_screen(ImportForNotesScreen(), done)
        return None
