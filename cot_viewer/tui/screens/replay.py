"""Replay: a saved transcript re-streamed with its original timing (also "open" from history).

Pacing is a position on the transcript's own clock, advanced by ``speed`` × real time each
tick while not paused; every event whose ``t`` has been reached is fed to the same view the
live ask uses. Jumping to the end shows the whole transcript at once (no event replay).
"""

from __future__ import annotations

import asyncio

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, ProgressBar

from cot_viewer.tui.screens.base import PaneScreen
from cot_viewer.tui.widgets.transcript_view import TranscriptView

SPEEDS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
TICK = 0.02


class ReplayScreen(PaneScreen):
    CSS_PATH = "replay.tcss"
    BINDINGS = [
        Binding("space", "pause", "Pause/resume"),
        Binding("plus,equals_sign", "speed(1)", "Faster"),
        Binding("minus", "speed(-1)", "Slower"),
        Binding("e", "jump_end", "End"),
        Binding("r", "restart", "Replay"),
        Binding("escape", "back", "Back", show=False),
    ]
    PALETTE = [
        *PaneScreen.PALETTE,
        ("Pause or resume", "Pause or resume the replay", "pause"),
        ("Jump to the end", "Show the whole transcript", "jump_end"),
        ("Replay from the start", "Re-stream with the original timing", "restart"),
    ]

    def __init__(self, tr, speed: float = 1.0, *, opened: bool = False, closable: bool = False) -> None:
        super().__init__()
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

    def _extra(self) -> str:
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
        if self._worker is not None and self._worker.is_running:
            self._jump = True
        else:
            await self.show_whole(at_end=True)

    def action_restart(self) -> None:
        self.opened = False
        self.paused = False
        self._worker = self.play()

    def action_back(self) -> None:
        if self.closable:
            self.dismiss()
