"""Keys every screen shows first in its footer: at 80 columns the footer has room for about
eight, and the app's own bindings come last (after the screen's), so ``q`` and ``?`` fell off."""

from __future__ import annotations

from textual.binding import Binding

FIRST = [
    Binding("question_mark,f1", "app.help", "Help"),
    Binding("q", "app.quit", "Quit"),
]
