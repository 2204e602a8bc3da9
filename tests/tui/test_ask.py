"""The ask / conversation screen against the loopback server (real HTTP, real client)."""

from __future__ import annotations

import re

from tui_helpers import ANSWER, REASONING, screen_text, wait_until
from loopback import deepseek_chunks, error_reply, inline_think_chunks, stream_reply

from cot_viewer.exit_codes import exit_code
from cot_viewer.store.history import History
from cot_viewer.stream.client import Endpoint, StreamOptions
from cot_viewer.transcript import Transcript
from cot_viewer.tui.app import CotViewerApp
from cot_viewer.tui.screens.ask import AskScreen
from cot_viewer.tui.session import AskSession


def _session(server, history=None, prompt="Four rolls, at least one six?", **opts) -> AskSession:
    tr = Transcript(prompt=prompt, messages=[{"role": "user", "content": prompt}], provider="custom",
                    base_url=server.base_url, model="deepseek-reasoner")
    options = StreamOptions(**opts)
    return AskSession(endpoint=Endpoint("custom", server.base_url, "deepseek-reasoner"), options=options,
                      history=history, turns=[tr])


def _app(session) -> CotViewerApp:
    return CotViewerApp(lambda: AskScreen(session), cursor_blink=False)


async def test_streams_into_two_panes_and_saves(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER), delay=0.004))
    history = History.open()
    s = _session(server, history)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "thinking", what="thinking")
        await wait_until(lambda: "The model is thinking" in screen_text(app), what="thinking placeholder")
        await wait_until(lambda: s.last.status == "complete" and view.info.phase == "done", what="done")
        assert view.monologue.text == REASONING
        assert view.answer.text == ANSWER
        status = view.status.text
        assert "done" in status and s.last.id in status and "custom · deepseek-reasoner" in status
        assert "thought" in status and "tok/s" in status
        mono, ans = view.monologue.region, view.answer.region
        assert mono.x < ans.x and mono.y == ans.y  # side by side
        await wait_until(lambda: "0.518" in screen_text(app), what="answer on screen")
        assert "Monologue" in screen_text(app)
    saved = history.get(s.last.id)
    assert saved.status == "complete" and saved.reasoning == REASONING and saved.answer == ANSWER
    history.close()


async def test_escape_stops_and_keeps_the_partial_transcript(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING * 20, ANSWER), delay=0.01))
    history = History.open()
    s = _session(server, history)
    app = _app(s)
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.info.reasoning_tokens > 10, what="some reasoning")
        await pilot.press("escape")
        await wait_until(lambda: view.info.phase == "interrupted", what="interrupted")
        await wait_until(lambda: "stopped — partial transcript kept" in screen_text(app), what="stopped message")
        shown = view.monologue.text
    tr = s.last
    assert tr.status == "interrupted" and tr.error_kind == "cancelled"
    assert exit_code(tr) == 130
    saved = history.get(tr.id)
    assert saved.status == "interrupted" and saved.reasoning == tr.reasoning
    assert shown == tr.reasoning and 0 < len(tr.reasoning) < len(REASONING * 20)
    history.close()


async def test_ctrl_c_stops_generation_and_q_quits(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING * 20, ANSWER), delay=0.01))
    s = _session(server)
    app = _app(s)
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.info.reasoning_tokens > 5)
        await pilot.press("ctrl+c")
        await wait_until(lambda: view.info.phase == "interrupted")
        await pilot.press("q")
        await wait_until(lambda: app.return_code is not None or not app.is_running, what="exit")


async def test_core_errors_show_in_the_app(server, home):
    server.enqueue(error_reply(402))
    s = _session(server)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "error", what="error phase")
        await wait_until(lambda: "insufficient balance" in screen_text(app), what="error message")
    assert exit_code(s.last) == 4


async def test_dropped_connection_keeps_partial(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER), drop_after=40))
    history = History.open()
    s = _session(server, history)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "interrupted", what="interrupted")
        await wait_until(lambda: "dropped" in screen_text(app) and "partial transcript kept" in screen_text(app), what="drop message")
        assert view.monologue.text == s.last.reasoning != ""
    assert history.get(s.last.id).reasoning == s.last.reasoning
    history.close()


async def test_retrying_shows_in_the_status_line(server, home):
    server.enqueue(error_reply(503, retry_after=1))
    server.enqueue(stream_reply(deepseek_chunks("thinking", "ok")))
    s = _session(server, max_retries=1)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: "retrying in" in view.status.text, what="retrying note")
        await wait_until(lambda: view.info.phase == "done", what="done after retry")


async def test_reclassify_moves_provisional_answer_to_the_monologue(server, home):
    reasoning = "First I think. Then [more] thinking."
    server.enqueue(stream_reply(inline_think_chunks(reasoning, "The answer.", open_tag=False), delay=0.01))
    s = _session(server)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "done", what="done")
        assert view.monologue.text.strip() == reasoning
        assert view.answer.text.strip() == "The answer."
        assert s.last.answer.strip() == "The answer."


async def test_model_text_is_never_markup_or_escapes(server, home):
    reasoning = "[bold]x[/] [/] [0] \x1b[31mred\x1b[0m [link=http://e]y[/link]"
    answer = "Answer [/] and [bold]z[/bold] \x1b]0;pwned\x07 done"
    server.enqueue(stream_reply(deepseek_chunks(reasoning, answer)))
    s = _session(server, prompt="[/] prompt [bold]")
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "done", what="done")
        await wait_until(lambda: "Answer [/] and" in screen_text(app), what="answer on screen")
        text = screen_text(app)
        assert "[bold]x[/] [/] [0] ␛[31mred␛[0m" in text
        assert "[/] prompt [bold]" in text
        assert "Answer [/] and [bold]z[/bold]" in text
        assert "\x1b" not in text and "pwned" not in text  # the OSC sequence is removed whole
        assert re.search(r"Answer \[/\] and \[bold\]z\[/bold\] +done", text)


async def test_follow_up_sends_earlier_answers_not_reasoning(server, home):
    server.enqueue(stream_reply(deepseek_chunks("secret reasoning one", "first answer")))
    server.enqueue(stream_reply(deepseek_chunks("reasoning two", "second answer")))
    history = History.open()
    s = _session(server, history, prompt="q1")
    app = _app(s)
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "done")
        await pilot.press("i")
        await pilot.press(*"q2")
        await pilot.press("enter")
        await wait_until(lambda: len(s.turns) == 2 and s.last.status == "complete" and view.info.phase == "done", what="second turn")
        assert view.answer.text == "second answer"
        body = server.requests[-1].json
        assert body["messages"] == [
            {"role": "user", "content": "q1"},
            {"role": "assistant", "content": "first answer"},
            {"role": "user", "content": "q2"},
        ]
        assert "secret" not in str(body)
        await pilot.press("escape")  # leave the input
        await pilot.press("left_square_bracket")
        await wait_until(lambda: view.answer.text == "first answer", what="earlier turn shown")
        await wait_until(lambda: "[1/2]" in screen_text(app), what="turn label")
    first, second = s.turns
    assert second.conversation_id == first.conversation_id and second.parent_id == first.id
    assert [t.id for t in history.conversation(first.conversation_id)] == [first.id, second.id]
    history.close()


async def test_narrow_terminal_stacks_and_resizing_reflows(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    s = _session(server)
    app = _app(s)
    async with app.run_test(size=(90, 40)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "done")
        await pilot.pause()
        assert view.has_class("stacked")
        assert view.monologue.region.y < view.answer.region.y and view.monologue.region.x == view.answer.region.x
        await pilot.resize_terminal(160, 40)
        await wait_until(lambda: not view.has_class("stacked") and view.monologue.region.x < view.answer.region.x, what="side by side")


async def test_hide_monologue_and_maximise(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    s = _session(server)
    app = _app(s)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.screen
        view = screen.view
        await wait_until(lambda: view.info.phase == "done")
        await pilot.press("t")
        await wait_until(lambda: not view.monologue.display or view.monologue.region.width == 0)
        assert view.answer.region.width > 120 - view.outline.region.width  # the outline shows from 140 columns
        await pilot.press("t")
        await pilot.press("f")
        await wait_until(lambda: screen.maximized is view.answer, what="maximised")  # focus moved there on hide
        assert view.answer.region.width > 150
        await pilot.press("f")
        await wait_until(lambda: screen.maximized is None)
        await pilot.press("question_mark")
        await wait_until(lambda: "Maximise" in screen_text(app) and "Keys" in screen_text(app), what="help")


async def test_in_process_stream_saves_by_the_clock_while_the_server_is_silent(server, home):
    from loopback import STALL, Reply, sse_events

    events = sse_events(deepseek_chunks(REASONING, ANSWER), done=False)
    head = b"".join(e for e in events if b'"content":null,"reasoning_content":"' in e)
    server.enqueue(Reply(body=[head, STALL]))
    history = History.open()
    s = _session(server, history)
    app = _app(s)
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.monologue.text == REASONING, what="reasoning shown")

        def saved() -> str:
            try:
                with History.open() as h:
                    return h.get(s.last.id).reasoning
            except Exception:  # noqa: BLE001 - not written yet
                return ""

        await wait_until(lambda: saved() == REASONING, timeout=20, what="reasoning saved while the server is silent")
        await pilot.press("escape")
        await wait_until(lambda: s.last.status == "interrupted", what="stopped")
    history.close()


async def test_escape_while_the_answer_renders_still_ends_done(server, home, monkeypatch):
    """Issue #13 item 14: Escape during the final render of a large answer cancelled the view's
    ending half-way, and the status said "answering" for ever."""
    import asyncio

    from cot_viewer.tui.widgets.answer_pane import AnswerPane

    rendering = asyncio.Event()
    slow_finish = AnswerPane.finish

    async def finish(self):
        rendering.set()
        await asyncio.sleep(0.5)  # a large answer's full render
        await slow_finish(self)

    monkeypatch.setattr(AnswerPane, "finish", finish)
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    s = _session(server)
    app = _app(s)
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.screen.view
        await wait_until(rendering.is_set, timeout=30, what="the final render")
        await pilot.press("escape")
        await wait_until(lambda: view.info.phase == "done", timeout=30, what="done")
        assert view.answer.text == ANSWER


async def test_a_model_without_reasoning_gets_the_whole_width(server, home):
    """Issue #13 item 25: a non-reasoning model left an empty monologue pane, half the screen,
    saying "Waiting for the model…"."""
    server.enqueue(stream_reply(deepseek_chunks("", ANSWER, model="deepseek-chat"), delay=0.004))
    s = _session(server)
    app = _app(s)
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "done", timeout=30, what="done")
        await pilot.pause()
        assert not view.monologue_shown and view.answer.region.width > 140
        assert "Waiting for the model" not in screen_text(app)
        await pilot.press("t")  # the reader can still open it
        await wait_until(lambda: view.monologue_shown and view.monologue.region.width > 0)


async def test_counts_say_chunks_until_the_server_reports_tokens(server, home):
    """Issue #13 item 25: the live counts are chunks, not tokens, until the usage arrives."""
    server.enqueue(stream_reply(deepseek_chunks(REASONING * 3, ANSWER), delay=0.01))
    s = _session(server)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "thinking" and view.info.reasoning_tokens > 3, timeout=30, what="thinking")
        assert "chunks" in view.status.text and " tok" not in view.status.text
        await wait_until(lambda: view.info.phase == "done", timeout=60, what="done")
        assert " tok" in view.status.text and "chunks" not in view.status.text
