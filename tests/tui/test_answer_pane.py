"""The answer pane: Markdown streamed in, maths and tags shown readably, writers serialised."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from tui_helpers import make_transcript, screen_text, wait_until

from cot_viewer.stream.events import AnswerDelta, ReasoningDelta
from cot_viewer.tui.widgets.answer_pane import AnswerPane
from cot_viewer.tui.widgets.transcript_view import TranscriptView


class _PaneApp(App):
    def compose(self) -> ComposeResult:
        yield AnswerPane(id="answer")


class _ViewApp(App):
    def compose(self) -> ComposeResult:
        yield TranscriptView(clock=lambda: 0.0)


async def test_finish_while_a_write_starts_the_stream_is_not_a_cancellation():
    """A stream created by one writer and stopped by another before the loop ran its task."""
    app = _PaneApp()
    async with app.run_test(size=(80, 20)):
        pane = app.query_one(AnswerPane)
        await asyncio.gather(pane.append("hi there"), pane.finish())
        await wait_until(lambda: "hi there" in screen_text(app), what="answer shown")


async def test_the_view_ends_while_a_timer_tick_writes_the_answer():
    """The flaky `test_new_question_streams_from_home`: the end of a stream landing during the
    flush timer's tick left the status at "answering" (the worker was cancelled)."""
    app = _ViewApp()
    tr = make_transcript("hmm", "hi there", token_chars=100)
    async with app.run_test(size=(120, 30)):
        view = app.query_one(TranscriptView)
        await view.begin("custom", "local-model")
        view.feed(ReasoningDelta(0.1, "hmm"))
        view.feed(AnswerDelta(0.2, "hi there"))
        await asyncio.gather(view.flush(), view.end(tr))
        assert view.info.phase == "done"
        await wait_until(lambda: "hi there" in screen_text(app), what="answer shown")
