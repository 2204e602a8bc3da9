"""Ask / conversation: the live stream in two panes, a status line, a follow-up box."""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState

from cot_viewer.run import coalesce
from cot_viewer.tui.screens.base import PaneScreen
from cot_viewer.tui.session import AskSession
from cot_viewer.tui.widgets.status_bar import request_status
from cot_viewer.tui.widgets.transcript_view import TranscriptView


class AskScreen(PaneScreen):
    # DEFAULT_CSS, not CSS_PATH: Textual loads a screen's CSS_PATH only when it is pushed,
    # never for the app's first screen (which every command but the home screen's pushes use)
    DEFAULT_CSS = """
    AskScreen #followup { height: 3; border: round $panel-lighten-2; }
    AskScreen #followup:focus { border: round $accent; }
    """
    BINDINGS = [
        Binding("escape", "stop", "Stop"),
        Binding("escape", "back", "Back"),
        Binding("ctrl+c", "stop_or_quit", "Stop", show=False, priority=True),
        Binding("left_square_bracket", "turn(-1)", "Earlier turn", show=False),
        Binding("right_square_bracket", "turn(1)", "Later turn", show=False),
        Binding("i", "focus_prompt", "Follow-up"),
    ]

    def check_action(self, action: str, parameters) -> bool | None:
        # Esc says what it does: Stop while the model answers, Back (to the history) after
        if action == "stop":
            return self.generating
        if action == "back":
            return not self.generating and (self.closable or isinstance(self.focused, Input))
        return super().check_action(action, parameters)
    PALETTE = [
        *PaneScreen.PALETTE,
        ("Stop generation", "Stop the stream and keep what arrived", "stop"),
        ("Earlier turn", "Show the previous turn of this conversation", "turn(-1)"),
        ("Later turn", "Show the next turn of this conversation", "turn(1)"),
        ("Follow-up", "Ask a follow-up question in this conversation", "focus_prompt"),
    ]

    def __init__(self, session: AskSession, *, closable: bool = False) -> None:
        super().__init__()
        self.session = session
        self.closable = closable  # pushed from the home screen: Esc when idle goes back
        self.viewing = len(session.turns) - 1
        self._worker: Worker | None = None

    def compose(self) -> ComposeResult:
        yield TranscriptView(clock=self.app.clock)
        yield Input(placeholder="Follow-up question — Enter sends (earlier turns go along, their reasoning does not)", id="followup")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#followup", Input).cursor_blink = self.app.cursor_blink
        self.view.monologue.focus()
        for line in self.session.notices:  # what the provider could not take, and the like
            self.notify(line, severity="warning")
        if self.session.turns:
            self.call_later(self._start)

    def _start(self) -> None:
        self._worker = self.generate(self.session.last)

    @property
    def generating(self) -> bool:
        w = self._worker
        return w is not None and w.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def _label(self, index: int) -> str:
        n = len(self.session.turns)
        return f"[{index + 1}/{n}]" if n > 1 else "›"

    # -- the stream ----------------------------------------------------------------------------
    @work(exclusive=True, group="generation")
    async def generate(self, tr) -> None:
        """Show the Run that streams ``tr`` (cot_viewer/run/: it applies, saves, and hands
        the events over; this only shows them)."""
        s, view = self.session, self.view
        run = s.run_for(tr)
        view.clock = run.elapsed  # the events' clock: seconds since the request
        await self._begin(tr)
        try:
            try:
                await self._show(run)
            except asyncio.CancelledError:  # Escape: stop, show what arrived until the final save
                run.stop()
                await self._show(run)
                raise
        finally:
            s.adopt(run)
            await self._ended(tr, run)

    async def _begin(self, tr) -> None:
        self.viewing = len(self.session.turns) - 1
        await self.view.begin(tr.provider or "", tr.model or "")
        self.view.info.settings, self.view.info.cost = request_status(tr)
        self.refresh_bindings()
        self.view.set_prompt(tr.prompt, self._label(self.viewing))

    async def _show(self, run) -> None:
        view, tr = self.view, run.transcript
        feed = view.feed
        async for batch in run.abatches():
            for e, n in coalesce(batch):
                feed(e, n)
            if view.info.saved_id is None and run.saved_id:
                view.info.saved_id = run.saved_id
            if tr.model and view.info.model != tr.model:  # a local server named its model
                view.info.model = tr.model
                view.info.settings, view.info.cost = request_status(tr)

    async def _ended(self, tr, run) -> None:
        """Saving and the final view, whichever way the stream went."""
        s, view = self.session, self.view
        error = s.store_error or run.save_error
        view.info.saved_id = run.saved_id if run.saved else None
        if error:
            view.info.note = f"not saved: {error}"
        # The stream is over: the final view (a large answer's last render, the status) is
        # finished even if Esc cancels this worker meanwhile; it stayed "answering" otherwise.
        ending = asyncio.ensure_future(view.end(tr))
        ending.add_done_callback(lambda f: f.cancelled() or f.exception())  # (the app may be closing)
        try:
            await asyncio.shield(ending)
            if tr.status == "truncated":
                from cot_viewer.outcome import truncation_message

                view.show_error(truncation_message(tr, s.max_tokens))
        except Exception:  # noqa: BLE001 - the app may be closing
            pass

    async def stop_and_wait(self) -> None:
        if self.generating:
            w = self._worker
            w.cancel()
            try:
                await w.wait()
            except Exception:  # noqa: BLE001 - WorkerCancelled / WorkerFailed
                pass

    async def note_target(self):
        if self.generating:
            self.notify("Notes can be added once the answer is complete.", severity="warning")
            return None
        s = self.session
        if not s.turns or s.history is None or not self.view.info.saved_id:
            self.notify("This transcript is not saved in the history, so it cannot take notes.", severity="warning")
            return None
        return s.history, s.turns[self.viewing].id

    # -- actions -------------------------------------------------------------------------------
    async def action_stop(self) -> None:
        if self.generating:
            await self.stop_and_wait()
        elif isinstance(self.focused, Input):
            self.view.monologue.focus()
        elif self.closable:
            self.dismiss()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "generation":
            self.refresh_bindings()  # Esc: Stop while generating, Back after

    async def action_back(self) -> None:
        await self.action_stop()

    async def action_stop_or_quit(self) -> None:
        if self.generating:
            await self.stop_and_wait()
        elif selected := self.get_selected_text():  # text dragged over in a pane: copy it
            self.app.copy_to_clipboard(selected)
            self.notify(f"Copied {len(selected):,} characters to the clipboard.")
        else:
            await self.app.action_quit()

    def action_focus_prompt(self) -> None:
        self.query_one("#followup", Input).focus()

    async def action_turn(self, step: int) -> None:
        turns = self.session.turns
        if self.generating or not turns:
            return
        i = max(0, min(len(turns) - 1, self.viewing + step))
        if i != self.viewing:
            self.viewing = i
            await self.view.load(turns[i], label=self._label(i))

    @on(Input.Submitted, "#followup")
    async def follow_up(self, event: Input.Submitted) -> None:
        prompt = event.value.strip()
        if not prompt:
            return
        if self.generating:
            self.notify("The model is still answering — Esc stops it.", severity="warning")
            return
        s = self.session
        from cot_viewer.thinking import SettingsError, split_inline_flags
        from cot_viewer.transcript import Transcript

        try:
            override, prompt = split_inline_flags(prompt)
        except SettingsError as exc:
            self.notify(str(exc), severity="error")
            return
        if not prompt.strip():
            self.notify("Type the question after the flags, e.g. --effort low why?", severity="warning")
            return
        event.input.value = ""
        if s.request is not None:
            # the settings in use stay unless this follow-up names new ones
            if not override.empty:
                s.request = s.request.with_settings(override)
                s.endpoint = s.request.endpoint
                for line in s.request.new_notices(s.last.settings):
                    self.notify(line, severity="warning")
        elif not override.empty:
            self.notify("Thinking settings cannot be changed here; ask with `cot-viewer ask --effort …`.", severity="warning")
        last = s.last
        tr = Transcript(
            prompt=prompt, messages=s.follow_up_messages(prompt), provider=last.provider,
            base_url=last.base_url, model=s.endpoint.model or last.model or "",
            conversation_id=last.conversation_id, parent_id=last.id,
        )
        if s.request is not None:
            s.request.stamp(tr)
        s.turns.append(tr)
        self.view.monologue.focus()
        self._worker = self.generate(tr)
