"""The Textual app: one class, a screen factory, bindings, theme and command palette.

Imported only when a terminal UI is wanted (``cot-viewer`` with no arguments in a terminal,
``ask``/``replay``/``demo`` in a terminal): the plain paths never import Textual.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from cot_viewer import ui_state

ANSI_THEME = "textual-ansi"
TEXTUAL_COMMANDS_WE_REPLACE = {"Keys", "Maximize", "Minimize"}


class CotViewerApp(App):
    TITLE = "cot-viewer"
    CSS = """
    Screen { background: $background; }
    Footer { height: 1; }
    """
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark,f1", "help", "Help"),
    ]

    def __init__(
        self,
        screen_factory: Callable[[], Screen],
        *,
        clock: Callable[[], float] = time.monotonic,
        theme: str | None = None,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self._screen_factory = screen_factory
        self.clock = clock
        self.cursor_blink = cursor_blink
        self._terminating = False
        self.remember_theme = theme is None  # a theme given by the caller (tests) is not saved
        wanted = theme or os.environ.get("COT_VIEWER_THEME") or ui_state.load().get("theme") or ""
        if isinstance(wanted, str) and wanted in self.available_themes:
            self.theme = wanted

    def on_mount(self) -> None:
        if not self.is_headless:
            self._watch_signals()
        if self.remember_theme:
            self.watch(self, "theme", self._theme_chosen, init=False)

    def _theme_chosen(self, name: str) -> None:
        """The next run starts with the theme chosen now (palette, or the ANSI toggle)."""
        ui_state.remember("theme", name)

    def _watch_signals(self) -> None:
        """SIGTERM and SIGHUP quit like ``q`` (streams stopped and saved, the terminal left as
        it was found: main screen, no mouse reporting); the default action killed the process
        with the terminal still in the alternate screen."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if sig is None:
                continue
            try:
                loop.add_signal_handler(sig, self._terminated)
            except (NotImplementedError, RuntimeError, ValueError):  # not on this platform
                pass

    def _terminated(self) -> None:
        if self._terminating:  # a second signal: leave now
            self.exit()
            return
        self._terminating = True
        self.call_later(self.action_quit)

    def get_default_screen(self) -> Screen:
        return self._screen_factory()

    def run(self, *args, **kwargs):
        # Everything imported and built so far lives until exit: move it out of the cyclic
        # GC's reach, so that collections while tens of thousands of tokens stream in do not
        # walk Textual's object graph again and again.
        import gc

        gc.freeze()
        return super().run(*args, **kwargs)

    # -- actions ---------------------------------------------------------------------------
    async def action_quit(self) -> None:
        for screen in reversed(self.screen_stack):
            stop = getattr(screen, "stop_and_wait", None)
            if stop is not None:
                await stop()
        self.exit()

    def action_help(self) -> None:
        from cot_viewer.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen.active_bindings, self.get_key_display))

    def action_ansi_theme(self) -> None:
        self.theme = ANSI_THEME if self.theme != ANSI_THEME else "textual-dark"

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's "Keys" and "Maximize"/"Minimize" repeat our Help and "Maximise pane"
        for command in super().get_system_commands(screen):
            if command.title not in TEXTUAL_COMMANDS_WE_REPLACE:
                yield command
        yield SystemCommand("Terminal colours", "Use (or leave) the theme built from the terminal's own ANSI colours", self.action_ansi_theme)
        yield SystemCommand("Help", "Every key of this screen", self.action_help)
        for title, help_, action in getattr(screen, "PALETTE", ()):
            yield SystemCommand(title, help_, _runner(screen, action))


def _runner(screen: Screen, action: str):
    async def run() -> None:
        await screen.run_action(action)

    return run
