"""Keys shared by every screen that shows the two panes."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from cot_viewer.tui.widgets.transcript_view import TranscriptView


class PaneScreen(Screen):
    BINDINGS = [
        Binding("f", "maximize_pane", "Maximise"),
        Binding("t", "toggle_monologue", "Monologue"),
    ]
    PALETTE = [
        ("Maximise pane", "Maximise the focused pane (again to restore)", "maximize_pane"),
        ("Toggle monologue", "Hide or show the monologue pane", "toggle_monologue"),
    ]

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    def action_maximize_pane(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        view = self.view
        focused = self.focused
        pane = focused if focused in (view.monologue, view.answer) else None
        if pane is None:
            pane = view.answer if view.has_class("no-monologue") else view.monologue
        self.maximize(pane, container=False)

    def action_toggle_monologue(self) -> None:
        view = self.view
        if self.maximized is not None:
            self.minimize()
        view.toggle_class("no-monologue")
        if view.has_class("no-monologue") and self.focused is view.monologue:
            view.answer.focus()
