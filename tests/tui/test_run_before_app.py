"""`cot-viewer ask` in a terminal: the Run is started before the app (before Textual is even
imported) and the ask screen shows it. The loopback server, a real SQLite file in a temp dir."""

from __future__ import annotations

import time

import pytest
from loopback import deepseek_chunks, error_reply, stream_reply
from tui_helpers import ANSWER, REASONING, wait_until

from cot_viewer.run import start_run
from cot_viewer.store.history import History
from cot_viewer.stream.endpoint import Endpoint, StreamOptions
from cot_viewer.transcript import Transcript
from cot_viewer.tui.app import CotViewerApp
from cot_viewer.tui.screens.ask import AskScreen
from cot_viewer.tui.session import AskSession


def _started(server, history, prompt="Four rolls, at least one six?", **opts):
    tr = Transcript(prompt=prompt, messages=[{"role": "user", "content": prompt}], provider="custom",
                    base_url=server.base_url, model="deepseek-reasoner")
    endpoint = Endpoint("custom", server.base_url, "deepseek-reasoner", api_key="sk-run-secret")
    options = StreamOptions(**opts)
    run = start_run(endpoint, tr, history=history, options=options)
    session = AskSession(endpoint=endpoint, options=options, history=history, turns=[tr], pending=run)
    return session, run


def _app(session) -> CotViewerApp:
    return CotViewerApp(lambda: AskScreen(session), cursor_blink=False)


async def test_the_request_goes_out_before_the_app_and_fills_both_panes(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER), delay=0.002))
    history = History.open()
    s, run = _started(server, history)
    deadline = time.monotonic() + 10
    while not server.requests:  # no app yet: the request is already at the server
        assert time.monotonic() < deadline, "the request did not go out before the app"
        time.sleep(0.005)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: s.last.status == "complete" and view.info.phase == "done", what="done")
        assert view.monologue.text == REASONING
        assert view.answer.text == ANSWER
        tr = s.last
        assert view.info.reasoning_tokens == tr.reasoning_tokens > 1
        assert view.info.answer_tokens == tr.answer_tokens > 1
        assert tr.id in view.status.text
        assert s.runs == [run] and run.saved and run.save_error is None
    saved = history.get(s.last.id)
    assert saved.status == "complete" and saved.reasoning == REASONING and saved.answer == ANSWER
    assert len(saved.timeline) == len(s.last.timeline)
    history.close()
    db = home / "history.db"
    assert db.exists() and b"sk-run-secret" not in db.read_bytes()


async def test_escape_stops_the_started_run_and_saves_it_interrupted(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING * 30, ANSWER), delay=0.01))
    history = History.open()
    s, run = _started(server, history)
    app = _app(s)
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.screen.view
        await wait_until(lambda: len(view.monologue.text) > 200, what="some reasoning")
        await pilot.press("escape")
        await wait_until(lambda: view.info.phase == "interrupted", what="interrupted")
        tr = s.last
        assert tr.status == "interrupted" and tr.error_kind == "cancelled"
        assert 200 < len(tr.reasoning) < len(REASONING * 30)
        assert view.monologue.text == tr.reasoning  # everything that arrived is shown
    saved = history.get(s.last.id)
    assert saved.status == "interrupted" and saved.reasoning == s.last.reasoning
    history.close()


@pytest.mark.parametrize("reply,phase,kind", [
    (error_reply(401, "Authentication Fails, Your api key is invalid"), "error", "auth"),
    (stream_reply(deepseek_chunks(REASONING * 3, ANSWER), drop_after=60, delay=0.002), "interrupted", "connection"),
], ids=["http-error", "dropped"])
async def test_a_failed_stream_ends_on_screen_and_keeps_what_arrived(server, home, reply, phase, kind):
    server.enqueue(reply)
    history = History.open()
    s, run = _started(server, history)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == phase, what=phase)
        assert s.last.error_kind == kind and app.screen.query_one("#error-line").render().plain.strip()
        assert view.monologue.text == s.last.reasoning
    if s.last.reasoning:
        assert history.get(s.last.id).reasoning == s.last.reasoning
    else:
        assert history.count() == 0  # nothing arrived: a failed request leaves no empty row
    history.close()


async def test_an_app_that_never_shows_the_run_still_saves_it(server, home):
    """The app failed to start: closing the session stops the run and waits for its save."""
    server.enqueue(stream_reply(deepseek_chunks(REASONING * 30, ANSWER), delay=0.01))
    history = History.open()
    s, run = _started(server, history)
    await wait_until(lambda: len(run.transcript.reasoning) > 200, what="some reasoning")
    s.close_all()
    assert run.done and s.last.status == "interrupted"
    assert history.get(s.last.id).reasoning == s.last.reasoning
    history.close()


async def test_the_live_outline_over_a_run_started_before_the_app_equals_analyze(server, home):
    """The run streams; the view's live analysis builds the outline from what the screen
    shows."""
    server.enqueue(stream_reply(deepseek_chunks(REASONING * 3, ANSWER), delay=0.002))
    history = History.open()
    s, run = _started(server, history)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "done" and view.analysis is not None, what="final analysis")
        from cot_viewer.analysis import analyze

        tr = s.last
        want = analyze(tr.reasoning, tr.answer, tr.reasoning_char_times() or None, prompt=tr.prompt)
        assert view.analysis.to_dict() == want.to_dict()  # seconds per phase included
    history.close()


