"""Every key that works on the screen underneath, with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

_NAMES = {"question_mark": "?", "escape": "Esc", "space": "Space", "plus": "+", "minus": "-",
          "left_square_bracket": "[", "right_square_bracket": "]", "slash": "/", "enter": "Enter",
          "tab": "Tab", "end": "End", "home": "Home", "delete": "Del"}


def key_name(key: str) -> str:
    return "+".join(_NAMES.get(k, k.capitalize() if len(k) > 1 else k) for k in key.split("+"))


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 64; max-height: 80%; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def __init__(self, bindings) -> None:
        super().__init__()
        rows: dict[str, list[str]] = {}
        for key, active in bindings.items():
            b = active.binding
            desc = b.description or b.action.replace("_", " ")
            if b.system or key in ("ctrl+p",):
                continue
            rows.setdefault(desc, []).append(key_name(key))
        self._rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll() as v:
            v.border_title = "Keys"
            parts: list = []
            for desc, keys in self._rows.items():
                parts += [(f"{' / '.join(keys):>16}", "bold $text-accent"), f"  {desc}\n"]
            parts += [(f"{'Ctrl+P':>16}", "bold $text-accent"), "  command palette (themes, every action)\n"]
            parts += [(f"{'Tab':>16}", "bold $text-accent"), "  move focus between panes and the input\n"]
            yield Static(Content.assemble(*parts))

    def action_dismiss(self) -> None:
        self.dismiss(None)
