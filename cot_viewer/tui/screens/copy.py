"""Copy the reasoning, the answer or the selected step: to the clipboard, or to a file.

The clipboard is the terminal's, through OSC 52 (Textual's ``copy_to_clipboard``; most
terminals, tmux with ``set-clipboard on``; not macOS Terminal), so a file is offered too.
"""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from cot_viewer.safe import terminal_safe

PARTS = {"r": "reasoning", "a": "answer", "s": "step"}
KEYS = (("r", "Reasoning"), ("a", "Answer"), ("s", "Selected step"))  # as the footer names them


class CopyScreen(ModalScreen[tuple[str, bool] | None]):
    """Which part, and where: ``(part, to_file)``."""

    DEFAULT_CSS = """
    CopyScreen { align: center middle; }
    CopyScreen > Vertical { width: 64; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    """
    BINDINGS = [
        # a part's letter copies it to the clipboard; with Shift, to a file
        *(Binding(key, f"pick('{key}', False)", what) for key, what in KEYS),
        *(Binding(key.upper(), f"pick('{key}', True)", f"{what} to a file", show=False) for key, what in KEYS),
        Binding("escape,y,q", "cancel", "Cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            v.border_title = "Copy"
            yield Static(Content.assemble(
                ("r", "bold $text-accent"), " reasoning   ", ("a", "bold $text-accent"), " answer   ",
                ("s", "bold $text-accent"), " selected step   → the clipboard\n",
                ("R A S", "bold $text-accent"), " (with Shift)                       → a file here\n",
                ("Esc", "bold $text-accent"), " cancel",
            ))

    def action_pick(self, key: str, to_file: bool) -> None:
        self.dismiss((PARTS[key], to_file))

    def action_cancel(self) -> None:
        self.dismiss(None)


def write_copy(text: str, transcript_id: str, part: str, directory: Path | None = None) -> Path:
    """``text`` in a new file ``cot-viewer-<id>-<part>.md`` (or ``-1``, ``-2``…), mode 0600."""
    directory = directory or Path.cwd()
    safe_id = "".join(c if c.isalnum() or c in "-_" else "_" for c in transcript_id)[:40] or "unsaved"
    n = 0
    while True:
        path = directory / f"cot-viewer-{safe_id}-{part}{f'-{n}' if n else ''}.md"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            n += 1
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(terminal_safe(text))
        return path
