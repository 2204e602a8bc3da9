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

from cot_viewer.tui.keys import FIRST
from cot_viewer.tui.widgets.transcript_view import one_line

from cot_viewer.export import FORMATS

#: the export dialog's key per format: the first letter of its name not taken yet
EXPORT_KEYS: dict[str, str] = {}
for _fmt in FORMATS:
    EXPORT_KEYS[_fmt] = next(c for c in _fmt + "0123456789" if c not in EXPORT_KEYS.values())
del _fmt


#: the list's columns after the prompt, most wanted first: (key, heading, width)
COLUMNS = (("when", "when", 16), ("status", "status", 11), ("model", "model", 18), ("id", "id", 12),
           ("thought", "thought", 7), ("chars", "chars r/a", 13))
PROMPT_MIN = 30  # cells the prompt column keeps before another column is added
CELL_PADDING = 2  # a DataTable cell's padding
SCROLLBAR = 2


def columns_for(width: int) -> list[tuple[str, str, int]]:
    """The prompt first, sized to what is left, then the columns that fit beside it."""
    room = width - SCROLLBAR - CELL_PADDING
    chosen = []
    for key, label, w in COLUMNS:
        if room - (w + CELL_PADDING) >= PROMPT_MIN:
            chosen.append((key, label, w))
            room -= w + CELL_PADDING
    return [("prompt", "prompt", max(PROMPT_MIN, room)), *chosen]


def _when(ts: float) -> str:
    from cot_viewer.timestamps import local_text

    return local_text(ts)


def export_path(tr, fmt: str, directory: Path | None = None) -> Path:
    directory = directory or Path.cwd()
    base = f"cot-viewer-{tr.id}"
    path = directory / f"{base}.{FORMATS[fmt].suffix}"
    n = 1
    while path.exists():
        path = directory / f"{base}-{n}.{FORMATS[fmt].suffix}"
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
    BINDINGS = [*(Binding(key, f"pick('{fmt}')", FORMATS[fmt].title) for fmt, key in EXPORT_KEYS.items()),
                Binding("escape", "pick('')", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Export to a file in the current directory as:")
            with Horizontal():
                for fmt, key in EXPORT_KEYS.items():
                    yield Button(f"{FORMATS[fmt].title} ({key})", id=fmt)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_pick(self, fmt: str) -> None:
        self.dismiss(fmt or None)


class QuestionScreen(ModalScreen[str | None]):
    """A new question. Says where it will go; a question that cannot be sent (no key, a bad
    config) stays in the box with the reason, instead of being thrown away."""

    DEFAULT_CSS = """
    QuestionScreen { align: center middle; }
    QuestionScreen > Vertical { width: 80%; max-width: 100; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    QuestionScreen #where { color: $text-muted; }
    QuestionScreen #problem { color: $text-error; display: none; }
    QuestionScreen #problem.shown { display: block; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, where: str, check=None) -> None:
        """``where``: the endpoint it goes to; ``check()``: why it cannot be sent now, or None."""
        super().__init__()
        self.where = where
        self.check = check or (lambda: None)

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            v.border_title = "New question"
            yield Input(placeholder="Ask anything — Enter sends", id="question")
            yield Static(Content(self.where), id="where")
            yield Static("Start with --effort LEVEL, --think, --no-think, --thinking-budget N or --param K=V "
                         "to set thinking.", id="flags-hint")
            yield Static("", id="problem")

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = self.app.cursor_blink
        self._show_problem(self.check())

    def _show_problem(self, problem: str | None) -> None:
        line = self.query_one("#problem", Static)
        line.update(Content("⚠ " + problem) if problem else Content(""))
        line.set_class(bool(problem), "shown")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        prompt = event.value.strip()
        if not prompt:
            return
        problem = self.check()
        if problem:  # keep the question; say why it cannot go
            self._show_problem(problem)
            return
        self.dismiss(prompt)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HomeScreen(Screen):
    # DEFAULT_CSS, not CSS_PATH: Textual loads a screen's CSS_PATH only when it is pushed,
    # never for the app's first screen (which every command but the home screen's pushes use)
    DEFAULT_CSS = """
    HomeScreen #title { height: 1; padding: 0 1; background: $panel; }
    HomeScreen #search { height: 3; border: round $panel-lighten-2; }
    HomeScreen #search:focus { border: round $accent; }
    HomeScreen #list { height: 1fr; width: 1fr; }
    HomeScreen #empty { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        *FIRST,
        Binding("enter", "open", "Open", show=False),
        Binding("o", "open", "Open"),
        Binding("n", "new", "New question"),
        Binding("slash", "search", "Search"),
        Binding("r", "replay", "Replay"),
        Binding("d,delete", "delete", "Delete"),
        Binding("x", "export", "Export"),
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
        self.styles.overflow_y = "hidden"  # the list scrolls, never the screen (title and search stay)
        self.query_one("#search", Input).cursor_blink = self.app.cursor_blink
        table = self.query_one(DataTable)
        self._set_columns(self.app.size.width)
        self.reload()
        table.focus()
        self.warmed = False
        self._warm_up()

    def on_resize(self, event) -> None:
        if self._set_columns(event.size.width):
            self.reload()

    def _set_columns(self, width: int) -> bool:
        """Prompt first, then what fits: the prompt keeps at least PROMPT_MIN cells. Returns
        whether the columns changed."""
        keys = columns_for(width)
        if keys == getattr(self, "_columns", None):
            return False
        self._columns = keys
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key, label, w in keys:
            table.add_column(label, width=w, key=key)
        return True

    @work(thread=True, group="warm-up")
    def _warm_up(self) -> None:
        """Import what opening a transcript needs while the reader looks at the list."""
        import importlib

        for name in ("cot_viewer.tui.screens.replay", "cot_viewer.tui.screens.ask", "cot_viewer.replay",
                     "pygments.lexers.python", "cot_viewer.stream.client"):
            try:
                importlib.import_module(name)
            except ImportError:
                pass
        from textual.widgets import Markdown, ProgressBar  # noqa: F401 - Textual loads its widgets on first use
        self.warmed = True

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload()

    # -- data ----------------------------------------------------------------------------------
    def reload(self) -> None:
        table = self.query_one(DataTable)
        empty = self.query_one("#empty", Static)
        keep_id, keep_row = self.selected_id(), table.cursor_row  # the cursor stays where it was
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
        order = [key for key, _, _ in self._columns]
        for key, cells in rows:
            table.add_row(*(cells[c] for c in order), key=key)
        if rows:
            ids = [key for key, _ in rows]
            row = ids.index(keep_id) if keep_id in ids else min(max(keep_row, 0), len(ids) - 1)
            table.move_cursor(row=row, animate=False)
            empty.update("")
        elif q:
            empty.update(Content(f"Nothing matches {q!r}."))
        else:
            empty.update(Content("No transcripts yet. Press n to ask a question (or run `cot-viewer demo`)."))

    @staticmethod
    def _summary_row(s):
        think = f"{s.thinking_s:.1f} s" if s.thinking_s is not None else "-"
        return s.id, {"prompt": Text(one_line(s.prompt, 200)), "when": Text(_when(s.created)),
                      "model": Text(one_line(s.model or "-", 40)), "status": Text(s.status), "thought": Text(think),
                      "chars": Text(f"{s.reasoning_len:,}/{s.answer_len:,}"), "id": Text(s.id)}

    @staticmethod
    def _hit_row(h):
        snippet = one_line(getattr(h, "snippet", "") or "", 80)
        where = getattr(h, "where", "")
        return h.id, {"prompt": Text(f"{one_line(h.prompt, 40)} — {snippet}"), "when": Text(_when(h.created)),
                      "model": Text(one_line(h.model or "-", 40)), "status": Text(h.status), "thought": Text("-"),
                      "chars": Text(one_line(str(where or ""), 15)), "id": Text(h.id)}

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
        if tid is None or self.history is None:
            return
        busy = self.history.live_writers([tid])
        if busy:
            self.notify(f"{tid} is still streaming (process {busy[tid]}): stop it first.", severity="warning")
            return
        table = self.query_one(DataTable)
        row = {key: table.get_cell(tid, key) for key, _, _ in self._columns}
        prompt = one_line(str(row.get("prompt", "")), 160)
        about = " · ".join(str(row[k]) for k in ("when", "model", "status") if k in row)

        def done(yes: bool | None) -> None:
            if yes:
                self.history.delete([tid])
                self.notify(f"Deleted {tid}.")
                self.reload()

        self.app.push_screen(ConfirmScreen(f"Delete this transcript? This cannot be undone.\n\n“{prompt}”\n{tid}"
                                           + (f" · {about}" if about else "")), done)

    def action_export(self) -> None:
        tr = self._get()
        if tr is None:
            return

        def done(fmt: str | None) -> None:
            if not fmt:
                return
            try:
                from cot_viewer.export import render  # the same file as `history export`, outline included

                text = render(tr, fmt)
                path = export_path(tr, fmt)
                from cot_viewer.paths import write_private_file

                write_private_file(path, text)
            except (RuntimeError, OSError, ValueError) as exc:
                self.notify(one_line(str(exc), 200), severity="error")
                return
            self.notify(f"Wrote {path.name}")

        self.app.push_screen(ExportScreen(), done)

    def _endpoint(self):
        """``(endpoint, None)`` or ``(None, why not)``: what `cot-viewer ask` without flags uses."""
        from cot_viewer.request import RequestError, endpoint_for, resolve_endpoint_config

        try:
            return endpoint_for(resolve_endpoint_config()[0]), None
        except RequestError as exc:
            return None, exc.message

    def action_new(self) -> None:
        endpoint, problem = self._endpoint()
        if endpoint is not None:
            model = endpoint.model or "the first model the server lists"
            where = f"Goes to {endpoint.provider} · {model} at {endpoint.public_url}"
        else:
            where = "The endpoint comes from the environment and the config file (as `cot-viewer ask` without flags)."

        def check() -> str | None:
            return self._endpoint()[1]  # again: the reader may have fixed it meanwhile

        def done(prompt: str | None) -> None:
            if prompt:
                self.start_question(prompt)

        self.app.push_screen(QuestionScreen(where, check if problem else None), done)

    def start_question(self, prompt: str) -> None:
        from cot_viewer.request import RequestError, resolve_request
        from cot_viewer.stream.endpoint import StreamOptions
        from cot_viewer.thinking import SettingsError, split_inline_flags
        from cot_viewer.transcript import Transcript
        from cot_viewer.tui.screens.ask import AskScreen
        from cot_viewer.tui.session import AskSession

        try:
            override, prompt = split_inline_flags(prompt)
            if not prompt.strip():
                raise SettingsError("type the question after the flags, e.g. --effort low why?")
            request = resolve_request().with_settings(override)
        except (SettingsError, RequestError) as exc:
            self.notify(str(exc), title="Cannot ask", severity="error", timeout=12)
            return
        endpoint = request.endpoint
        tr = Transcript(prompt=prompt, messages=[{"role": "user", "content": prompt}], provider=endpoint.provider,
                        base_url=endpoint.public_url, model=endpoint.model or "")
        request.stamp(tr)
        session = AskSession(endpoint=endpoint, options=StreamOptions(), history=self.history,
                             store_error=self.store_error, turns=[tr], request=request,
                             notices=request.plan.notices)
        self.app.push_screen(AskScreen(session, closable=True))

    # -- compare two runs: m marks, c compares ----------------------------------------------------
    BINDINGS = [*BINDINGS, Binding("m", "mark", "Mark", show=False), Binding("c", "compare", "Compare", show=False)]
    PALETTE = [*PALETTE, ("Mark for comparison", "Mark the selected transcript (two marked: c compares them)", "mark"),
               ("Compare marked", "The two marked runs side by side, on one clock", "compare")]
    marked: tuple[str, ...] = ()  # ids marked with m, oldest first (at most two)

    def action_mark(self) -> None:
        tid = self.selected_id()
        if tid is None:
            self.notify("Nothing selected.", severity="warning")
            return
        self.marked = tuple(x for x in self.marked if x != tid) if tid in self.marked else (*self.marked, tid)[-2:]
        title = self.query_one("#title", Static)
        if self.marked:
            title.update(Content.assemble(("cot-viewer", "bold $text-accent"),
                                          f"  marked {', '.join(self.marked)} — c compares"
                                          + (" them" if len(self.marked) == 2 else " it with the selected one")))
        else:
            title.update(Content.assemble(("cot-viewer", "bold $text-accent"), "  history — Enter opens, n asks a new question"))

    def action_compare(self) -> None:
        ids = list(self.marked)
        selected = self.selected_id()
        if len(ids) == 1 and selected is not None and selected != ids[0]:
            ids.append(selected)
        if len(ids) != 2 or self.history is None:
            self.notify("Mark two transcripts with m (or mark one and select the other), then press c.", severity="warning")
            return
        try:
            a, b = (self.history.get(i) for i in ids)
        except Exception as exc:  # noqa: BLE001 - deleted meanwhile, or a store error
            self.notify(one_line(str(exc), 200), severity="error")
            return
        from cot_viewer.tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(a, b, 1.0, closable=True))
