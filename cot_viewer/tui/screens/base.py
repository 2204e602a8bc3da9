"""Keys shared by every screen that shows the two panes (and the outline)."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from cot_viewer.tui.keys import FIRST
from cot_viewer.tui.widgets.transcript_view import TranscriptView

#: toggles show what they will do: a pair of bindings per key, one hidden by check_action
TOGGLES = {
    "hide_monologue": ("toggle_monologue", lambda v: v.monologue_shown),
    "show_monologue": ("toggle_monologue", lambda v: not v.monologue_shown),
    "hide_outline": ("toggle_outline", lambda v: v.outline_visible),
    "show_outline": ("toggle_outline", lambda v: not v.outline_visible),
    "labels_off": ("toggle_labels", lambda v: v.outline_feed.labels_on),
    "labels_on": ("toggle_labels", lambda v: not v.outline_feed.labels_on),
}


class PaneScreen(Screen):
    BINDINGS = [
        *FIRST,
        Binding("y", "copy", "Copy"),
        Binding("t", "toggle('hide_monologue')", "Hide monologue"),
        Binding("t", "toggle('show_monologue')", "Show monologue"),
        Binding("o", "toggle('hide_outline')", "Hide outline", show=False),
        Binding("o", "toggle('show_outline')", "Show outline", show=False),
        Binding("l", "toggle('labels_on')", "Label colours on", show=False),
        Binding("l", "toggle('labels_off')", "Label colours off", show=False),
        Binding("f", "maximize_pane", "Maximise pane", show=False),
        Binding("m", "note", "Note on the step", show=False),
    ]
    PALETTE = [
        ("Maximise pane", "Maximise the focused pane (again to restore)", "maximize_pane"),
        ("Toggle monologue", "Hide or show the monologue pane", "toggle_monologue"),
        ("Toggle outline", "Hide or show the outline: phases and steps, coloured by label", "toggle_outline"),
        ("Toggle label colours", "Colour the monologue's steps by their label", "toggle_labels"),
        ("Add a note", "Attach a note to the selected step (saved in the history)", "note"),
        ("Copy the answer", "To the clipboard (OSC 52)", "copy_part('answer')"),
        ("Copy the reasoning", "To the clipboard (OSC 52)", "copy_part('reasoning')"),
        ("Copy the selected step", "The outline's selected step, to the clipboard (OSC 52)", "copy_part('step')"),
    ]

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "toggle":  # of a key's two bindings, only the one that applies is shown
            try:
                return TOGGLES[parameters[0]][1](self.view)
            except Exception:  # noqa: BLE001 - not composed yet
                return False
        return True

    async def action_toggle(self, which: str) -> None:
        await self.run_action(TOGGLES[which][0])

    def action_maximize_pane(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        view = self.view
        focused = self.focused
        pane = focused if focused in (view.monologue, view.answer) else None
        if pane is None:
            pane = view.answer if not view.monologue_shown else view.monologue
        self.maximize(pane, container=False)

    def action_toggle_monologue(self) -> None:
        view = self.view
        if self.maximized is not None:
            self.minimize()
        view.toggle_monologue()
        if not view.monologue_shown and self.focused is view.monologue:
            view.answer.focus()
        self.refresh_bindings()  # the footer says what t does now

    def action_toggle_outline(self) -> None:
        if self.maximized is not None:
            self.minimize()
        self.view.toggle_outline()
        self.refresh_bindings()

    def action_toggle_labels(self) -> None:
        self.view.outline_feed.toggle_labels()
        self.refresh_bindings()

    # -- copying -------------------------------------------------------------------------------
    def shown_transcript_id(self) -> str:
        """The id of the transcript shown (file names of copies)."""
        return self.view.info.saved_id or "unsaved"

    def action_copy(self) -> None:
        from cot_viewer.tui.screens.copy import CopyScreen

        def done(choice) -> None:
            if choice is not None:
                self.copy_part(*choice)

        self.app.push_screen(CopyScreen(), done)

    def action_copy_part(self, part: str) -> None:
        self.copy_part(part)

    def copy_part(self, part: str, to_file: bool = False) -> None:
        view = self.view
        if part == "answer":
            text = view.answer.text
        elif part == "reasoning":
            text = view.monologue.text
        else:
            step = view.outline_feed.selected_step()
            if step is None:
                msg = "Select a step in the outline first" + ("." if view.outline_visible else " (o shows it).")
                self.notify(msg, severity="warning")
                return
            s = view.outline_list.steps[step]
            text = view.monologue.slice(s.start, s.end)
            part = f"step-{step + 1}"
        if not text:
            self.notify(f"The {part} is empty: nothing copied.", severity="warning")
            return
        if to_file:
            from cot_viewer.tui.screens.copy import write_copy

            try:
                path = write_copy(text, self.shown_transcript_id(), part)
            except OSError as exc:
                self.notify(f"Not written: {exc}", severity="error")
                return
            self.notify(f"Wrote the {part} to {path.name}.")
            return
        from cot_viewer.safe import terminal_safe

        self.app.copy_to_clipboard(terminal_safe(text))
        self.notify(f"Copied the {part} ({len(text):,} characters) to the clipboard.")

    # -- notes ---------------------------------------------------------------------------------
    def note_step(self) -> int | None:
        """The step a note goes on: the outline's selected step (the replay overrides)."""
        return self.view.outline_feed.selected_step()

    async def note_target(self):
        """``(history, transcript id)`` to save a note in, or None (after saying why)."""
        return None

    async def action_note(self) -> None:
        view = self.view
        step = self.note_step()
        if step is None:
            msg = "Select a step in the outline first" + ("." if view.outline_visible else " (o shows it).")
            self.notify(msg, severity="warning")
            return
        target = await self.note_target()
        if target is None:
            return
        history, tid = target
        s = view.outline_list.steps[step]

        def done(text: str | None) -> None:
            if not text:
                return
            try:
                history.add_note(tid, text, step=step)
            except Exception as exc:  # noqa: BLE001 - a store error: say so, keep the app
                self.notify(f"The note was not saved: {exc}", severity="error")
                return
            view.outline_feed.add_note(step, text)
            self.notify(f"Note saved on step {step + 1}.")

        from cot_viewer.tui.screens.note import NoteScreen

        self.app.push_screen(NoteScreen(step, s.label, view.monologue.slice(s.start, s.end)), done)
