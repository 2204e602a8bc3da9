"""Home: the history with full-text search; open, replay, delete, export, ask anew."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Static

from cot_viewer.tui.widgets.transcript_view import one_line

EXPORT_EXT = {"md": "md", "html": "html", "json": "json"}


def _when(ts: float) -> str:
    from cot_viewer.timestamps import local_text

    return local_text(ts)


def render_export(tr, fmt: str) -> str:
    """The history engineer's renderers; Markdown and HTML only once they exist."""
    if fmt == "json":
        from cot_viewer.export.transcript_json import dumps

        return dumps([tr])
    import importlib

    try:
        module = importlib.import_module(f"cot_viewer.export.{'markdown' if fmt == 'md' else 'html'}")
    except ImportError:
        raise RuntimeError(f"{fmt} export is not available in this version yet") from None
    try:
        return module.render(tr)
    except (TypeError, AttributeError):
        return module.render([tr])


def export_path(tr, fmt: str, directory: Path | None = None) -> Path:
    directory = directory or Path.cwd()
    base = f"cot-viewer-{tr.id}"
    path = directory / f"{base}.{EXPORT_EXT[fmt]}"
    n = 1
    while path.exists():
        path = directory / f"{base}-{n}.{EXPORT_EXT[fmt]}"
        n += 1
    return path


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 60; height: auto; border: round $error; background: $surface; padding: 1 2; }
    ConfirmScreen Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 2; }
    """
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.message))
            with Horizontal():
                yield Button("Delete (y)", variant="error", id="yes")
                yield Button("Keep (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ExportScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical { width: 60; height: auto; border: round $accent; background: $surface; padding: 1 2; }
    ExportScreen Horizontal { height: auto; margin-top: 1; }
    ExportScreen Button { margin-right: 2; }
    """
    BINDINGS = [Binding("m", "pick('md')", "Markdown"), Binding("h", "pick('html')", "HTML"),
                Binding("j", "pick('json')", "JSON"), Binding("escape", "pick('')", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Export to a file in the current directory as:")
            with Horizontal():
                yield Button("Markdown (m)", id="md")
                yield Button("HTML (h)", id="html")
                yield Button("JSON (j)", id="json")

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_pick(self, fmt: str) -> None:
        self.dismiss(fmt or None)


class QuestionScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    QuestionScreen { align: center middle; }
    QuestionScreen > Vertical { width: 80%; max-width: 100; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    QuestionScreen Static { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            v.border_title = "New question"
            yield Input(placeholder="Ask anything — Enter sends", id="question")
            yield Static("The endpoint comes from the environment and the config file (as `cot-viewer ask` without flags). "
                         "Start with --effort LEVEL, --think, --no-think, --thinking-budget N or --param K=V to set thinking.")

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = self.app.cursor_blink

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HomeScreen(Screen):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("o", "open", "Open"),
        Binding("r", "replay", "Replay"),
        Binding("n", "new", "New question"),
        Binding("d,delete", "delete", "Delete"),
        Binding("x", "export", "Export"),
        Binding("slash", "search", "Search"),
        Binding("escape", "clear_search", "Clear", show=False),
    ]
    PALETTE = [
        ("Open transcript", "Show the selected transcript in two panes", "open"),
        ("Replay transcript", "Re-stream the selected transcript with its timing", "replay"),
        ("New question", "Ask the model something new", "new"),
        ("Delete transcript", "Delete the selected transcript (asks first)", "delete"),
        ("Export transcript", "Write the selected transcript as Markdown, HTML or JSON", "export"),
        ("Search history", "Full-text search over prompts, reasoning and answers", "search"),
    ]

    def __init__(self, history, store_error: str | None = None, args: argparse.Namespace | None = None) -> None:
        super().__init__()
        self.history = history
        self.store_error = store_error
        self.args = args
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("cot-viewer", "bold $text-accent"), "  history — Enter opens, n asks a new question"), id="title")
        yield Input(placeholder="Search reasoning and answers (/)", id="search")
        yield DataTable(id="list", cursor_type="row", zebra_stripes=True)
        yield Static("", id="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#search", Input).cursor_blink = self.app.cursor_blink
        table = self.query_one(DataTable)
        for label, width in (("id", 12), ("when", 16), ("model", 20), ("status", 11), ("thought", 7), ("chars r/a", 15), ("prompt", None)):
            table.add_column(label, width=width)
        self.reload()
        table.focus()
        self.warmed = False
        self._warm_up()

    @work(thread=True, group="warm-up")
    def _warm_up(self) -> None:
        """Import what opening a transcript needs while the reader looks at the list."""
        import importlib

        for name in ("cot_viewer.tui.screens.replay", "cot_viewer.tui.screens.ask", "cot_viewer.replay",
                     "textual.widgets._markdown", "textual.widgets._progress_bar", "pygments.lexers.python",
                     "cot_viewer.stream.client"):
            try:
                importlib.import_module(name)
            except ImportError:
                pass
        self.warmed = True

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload()

    # -- data ----------------------------------------------------------------------------------
    def reload(self) -> None:
        table = self.query_one(DataTable)
        empty = self.query_one("#empty", Static)
        table.clear()
        if self.history is None:
            empty.update(Content(f"The history could not be opened: {self.store_error or 'unknown error'}"))
            return
        q = self.query_text
        try:
            if q and hasattr(self.history, "search"):
                rows = [self._hit_row(h) for h in self.history.search(q)]
            else:
                items = self.history.list(limit=500)
                if q:
                    low = q.lower()
                    items = [s for s in items if low in s.prompt.lower()]
                rows = [self._summary_row(s) for s in items]
        except Exception as exc:  # noqa: BLE001 - a bad query (FTS syntax) or a store error
            empty.update(Content(f"Search failed: {one_line(str(exc), 200)}"))
            return
        for key, cells in rows:
            table.add_row(*cells, key=key)
        if rows:
            empty.update("")
        elif q:
            empty.update(Content(f"Nothing matches {q!r}."))
        else:
            empty.update(Content("No transcripts yet. Press n to ask a question (or run `cot-viewer demo`)."))

    @staticmethod
    def _summary_row(s):
        think = f"{s.thinking_s:.1f} s" if s.thinking_s is not None else "-"
        return s.id, (Text(s.id), Text(_when(s.created)), Text(one_line(s.model or "-", 20)), Text(s.status), Text(think),
                      Text(f"{s.reasoning_len:,}/{s.answer_len:,}"), Text(one_line(s.prompt, 90)))

    @staticmethod
    def _hit_row(h):
        snippet = one_line(getattr(h, "snippet", "") or "", 80)
        where = getattr(h, "where", "")
        return h.id, (Text(h.id), Text(_when(h.created)), Text(one_line(h.model or "-", 20)), Text(h.status), Text("-"),
                      Text(one_line(str(where or ""), 15)), Text(f"{one_line(h.prompt, 40)} — {snippet}"))

    def selected_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return key.value

    def _get(self):
        tid = self.selected_id()
        if tid is None or self.history is None:
            self.notify("Nothing selected.", severity="warning")
            return None
        try:
            return self.history.get(tid)
        except Exception as exc:  # noqa: BLE001
            self.notify(one_line(str(exc), 200), severity="error")
            return None

    # -- search --------------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self._debounced_reload()

    @work(exclusive=True, group="search")
    async def _debounced_reload(self) -> None:
        import asyncio

        await asyncio.sleep(0.2)
        self.reload()

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.reload()
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        self.query_one(DataTable).focus()

    # -- actions -------------------------------------------------------------------------------
    def action_open(self) -> None:
        tr = self._get()
        if tr is not None:
            from cot_viewer.tui.screens.replay import ReplayScreen

            self.app.push_screen(ReplayScreen(tr, opened=True, closable=True, history=self.history))

    def action_replay(self) -> None:
        tr = self._get()
        if tr is not None:
            from cot_viewer.tui.screens.replay import ReplayScreen

            self.app.push_screen(ReplayScreen(tr, 1.0, closable=True, history=self.history))

    def action_delete(self) -> None:
        tid = self.selected_id()
        if tid is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.history.delete([tid])
                self.notify(f"Deleted {tid}.")
                self.reload()

        self.app.push_screen(ConfirmScreen(f"Delete transcript {tid}? This cannot be undone."), done)

    def action_export(self) -> None:
        tr = self._get()
        if tr is None:
            return

        def done(fmt: str | None) -> None:
            if not fmt:
                return
            try:
                text = render_export(tr, fmt)
                path = export_path(tr, fmt)
                from cot_viewer.paths import write_private_file

                write_private_file(path, text)
            except (RuntimeError, OSError, ValueError) as exc:
                self.notify(one_line(str(exc), 200), severity="error")
                return
            self.notify(f"Wrote {path.name}")

        self.app.push_screen(ExportScreen(), done)

    def action_new(self) -> None:
        def done(prompt: str | None) -> None:
            if prompt:
                self.start_question(prompt)

        self.app.push_screen(QuestionScreen(), done)

    def start_question(self, prompt: str) -> None:
        from cot_viewer.cli import CliError
        from cot_viewer.commands.common import resolve_request, stream_options
        from cot_viewer.thinking import SettingsError, split_inline_flags
        from cot_viewer.transcript import Transcript
        from cot_viewer.tui.screens.ask import AskScreen
        from cot_viewer.tui.session import AskSession

        args = default_ask_args(self.args)
        try:
            override, prompt = split_inline_flags(prompt)
            if not prompt.strip():
                raise SettingsError("type the question after the flags, e.g. --effort low why?")
            request = resolve_request(args).with_settings(override)
        except SettingsError as exc:
            self.notify(str(exc), title="Cannot ask", severity="error", timeout=12)
            return
        except CliError as exc:
            self.notify(exc.message, title="Cannot ask", severity="error", timeout=12)
            return
        endpoint = request.endpoint
        tr = Transcript(prompt=prompt, messages=[{"role": "user", "content": prompt}], provider=endpoint.provider,
                        base_url=endpoint.public_url, model=endpoint.model or "")
        request.stamp(tr)
        session = AskSession(endpoint=endpoint, options=stream_options(args), history=self.history,
                             store_error=self.store_error, turns=[tr], request=request,
                             notices=request.plan.notices)
        self.app.push_screen(AskScreen(session, closable=True))


def default_ask_args(args: argparse.Namespace | None = None) -> argparse.Namespace:
    """The flags of `cot-viewer ask` with nothing given (endpoint from env and config)."""
    base = dict(provider=None, base_url=None, model=None, api_key_env=None, idle_timeout=300.0, retries=3)
    for k in base:
        v = getattr(args, k, None) if args is not None else None
        if v is not None:
            base[k] = v
    return argparse.Namespace(**base)
