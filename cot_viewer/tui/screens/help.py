"""Every key that works on the screen underneath, with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

#: Textual's own keys, described once at the end (Tab) or replaced by ours (y copies)
GENERIC_ACTIONS = {"focus_next", "focus_previous", "copy_text"}


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 64; max-height: 80%; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def __init__(self, bindings, key_display=None) -> None:
        """``bindings``: the screen's active bindings; ``key_display(binding)``: how a key is
        written (the app's ``get_key_display``). The screen's and the app's keys come first;
        the focused widget's scrolling keys are summed up in one line at the end."""
        super().__init__()
        from textual.screen import Screen
        from textual.app import App

        show = key_display or (lambda b: b.key)
        ours: dict[str, list[str]] = {}
        scrolling: list[str] = []
        others: dict[str, list[str]] = {}
        for key, active in bindings.items():
            b = active.binding
            if b.system or key in ("ctrl+p",) or b.action.rpartition(".")[2] in GENERIC_ACTIONS:
                continue
            name = show(Binding(key, b.action, b.description, key_display=b.key_display))
            desc = b.description or b.action.replace("_", " ")
            if isinstance(active.node, (Screen, App)):
                ours.setdefault(desc, []).append(name)
            elif b.action.startswith("scroll_") or b.action.startswith("page_") or b.action.startswith("cursor_"):
                if name not in scrolling:
                    scrolling.append(name)
            else:
                others.setdefault(desc, []).append(name)
        rows = dict(ours)
        for desc, keys in others.items():
            rows.setdefault(desc, keys)
        self._rows = rows
        self._scrolling = scrolling

    def compose(self) -> ComposeResult:
        with VerticalScroll() as v:
            v.border_title = "Keys"
            parts: list = []
            for desc, keys in self._rows.items():
                parts += [(f"{' / '.join(keys):>16}", "bold $text-accent"), f"  {desc}\n"]
            parts += [(f"{'Ctrl+P':>16}", "bold $text-accent"), "  command palette (themes, every action)\n"]
            parts += [(f"{'Tab':>16}", "bold $text-accent"), "  move focus between panes and the input\n"]
            if self._scrolling:
                parts += [(f"{'':>16}", ""), ("  scrolling in the focused pane: " + " ".join(self._scrolling), "$text-muted")]
            yield Static(Content.assemble(*parts))

    def action_dismiss(self) -> None:
        self.dismiss(None)
