"""Small modals for annotations: write a note on a step; import a transcript to annotate it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cot_viewer.tui.widgets.outline import snippet


class NoteScreen(ModalScreen[str | None]):
    """One line of text for step ``step``; Enter saves, Esc cancels."""

    DEFAULT_CSS = """
    NoteScreen { align: center middle; }
    NoteScreen > Vertical { width: 80%; max-width: 100; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    NoteScreen #note-about { color: $text-muted; height: auto; max-height: 3; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, step: int, label: str, text: str) -> None:
        super().__init__()
        self.step, self.label, self.text = step, label, text

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            v.border_title = f"Note on step {self.step + 1}"
            about = Text()
            about.append(f"{self.label}: ", "bold")
            about.append(snippet(self.text, 200))
            yield Static(about, id="note-about")
            yield Input(placeholder="Your note — Enter saves it in the history, Esc cancels", id="note-text")

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = self.app.cursor_blink
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ImportForNotesScreen(ModalScreen[bool]):
    """Notes live in the history: offer to import a transcript replayed from a file."""

    DEFAULT_CSS = """
    ImportForNotesScreen { align: center middle; }
    ImportForNotesScreen > Vertical { width: 64; height: auto; border: round $accent; background: $surface; padding: 1 2; }
    """
    BINDINGS = [Binding("y", "answer(True)", "Import"), Binding("n,escape", "answer(False)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("This transcript is not in the history (it was replayed from a file), "
                              "and notes are saved there.\n\nImport it into the history now? "
                              "y imports it, n or Esc cancels."))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
