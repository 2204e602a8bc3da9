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


R1_ANSWER = (
    "The chance is \\(1 - \\left(\\frac{5}{6}\\right)^4\\), so about half.\n"
    "\\[\n\\sum_{k=1}^{4} \\binom{4}{k} \\approx 0.518\n\\]\n"
    "Keep `\\(code\\)` as it is. Use the <details> tag & friends."
)


def _pane_lines(app) -> list[str]:
    return [ln.strip(" │╭╮╰╯─") for ln in screen_text(app).splitlines()]


async def test_maths_is_readable_and_display_maths_has_its_own_line():
    app = _PaneApp()
    async with app.run_test(size=(100, 20)):
        pane = app.query_one(AnswerPane)
        await pane.set_text(R1_ANSWER)
        await wait_until(lambda: "so about half" in screen_text(app), what="answer shown")
        lines = _pane_lines(app)
        text = "\n".join(lines)
        assert "1 - (5/6)⁴, so about half" in text, text  # not "( 1 - … )" run into the prose
        assert "∑ₖ₌₁⁴ C(4, k) ≈ 0.518" in lines, text  # a line of its own
        assert "\\(code\\)" in text  # code is never touched
        assert "<details> tag & friends" in text  # shown, not dropped as HTML


async def test_streamed_maths_split_anywhere_renders_like_the_whole():
    app = _PaneApp()
    async with app.run_test(size=(100, 20)):
        pane = app.query_one(AnswerPane)
        for i in range(0, len(R1_ANSWER), 3):
            await pane.append(R1_ANSWER[i:i + 3])
        await pane.finish()
        await wait_until(lambda: "<details> tag & friends" in screen_text(app), what="streamed")
        streamed = _pane_lines(app)
        await pane.set_text(R1_ANSWER)
        await wait_until(lambda: _pane_lines(app) == streamed, what="same as whole")
        assert pane.text == R1_ANSWER
