"""The stream relay child (cot_viewer/stream/relay.py) feeding the ask screen: the way
`cot-viewer ask` runs in a terminal. Real child processes, the loopback server, a real SQLite
file in a temp dir."""

from __future__ import annotations

import fcntl
import os
import signal
import threading

import pytest
from loopback import deepseek_chunks, error_reply, stream_reply
from tui_helpers import ANSWER, REASONING, wait_until

from cot_viewer.store.history import History
from cot_viewer.stream.endpoint import Endpoint, StreamOptions
from cot_viewer.stream.events import AnswerDelta, ReasoningDelta, Reclassify, StreamEnd
from cot_viewer.stream.relay import Relay, expand, merge, write_all
from cot_viewer.transcript import Transcript
from cot_viewer.tui.app import CotViewerApp
from cot_viewer.tui.screens.ask import AskScreen
from cot_viewer.tui.session import AskSession

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the relay runs on POSIX only (elsewhere: in-process)")


def _relayed(server, history, prompt="Four rolls, at least one six?", **opts):
    tr = Transcript(prompt=prompt, messages=[{"role": "user", "content": prompt}], provider="custom",
                    base_url=server.base_url, model="deepseek-reasoner")
    endpoint = Endpoint("custom", server.base_url, "deepseek-reasoner", api_key="sk-relay-secret")
    options = StreamOptions(**opts)
    relay = Relay.start(endpoint, options, tr, save=history is not None)
    assert relay is not None
    session = AskSession(endpoint=endpoint, options=options, history=history, turns=[tr], relay=relay)
    return session, relay


def _app(session) -> CotViewerApp:
    return CotViewerApp(lambda: AskScreen(session), cursor_blink=False)


async def test_relayed_stream_fills_both_panes_and_the_child_saves_it(server, home):
    chunks = deepseek_chunks(REASONING, ANSWER)
    server.enqueue(stream_reply(chunks, delay=0.002))
    history = History.open()
    s, relay = _relayed(server, history)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: s.last.status == "complete" and view.info.phase == "done", what="done")
        assert view.monologue.text == REASONING
        assert view.answer.text == ANSWER
        tr = s.last
        # the parent's transcript is the child's final one: text, timeline, timing, tokens
        assert tr.reasoning == REASONING and tr.answer == ANSWER and len(tr.timeline) > 2
        assert view.info.reasoning_tokens == tr.reasoning_tokens > 1
        assert view.info.answer_tokens == tr.answer_tokens > 1
        assert tr.id in view.status.text
        assert s.recorders == [relay] and relay.saved and relay.error is None
    saved = history.get(s.last.id)
    assert saved.status == "complete" and saved.reasoning == REASONING and saved.answer == ANSWER
    assert len(saved.timeline) == len(s.last.timeline)
    history.close()
    db = home / "history.db"
    assert db.exists() and b"sk-relay-secret" not in db.read_bytes()  # the key went to the child only
    assert relay.proc.wait(5) == 0


async def test_escape_stops_the_child_and_keeps_what_arrived(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING * 30, ANSWER), delay=0.01))
    history = History.open()
    s, relay = _relayed(server, history)
    app = _app(s)
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.screen.view
        await wait_until(lambda: len(view.monologue.text) > 200, what="some reasoning")
        await pilot.press("escape")
        await wait_until(lambda: view.info.phase == "interrupted", what="interrupted")
        tr = s.last
        assert tr.status == "interrupted" and tr.error_kind == "cancelled"
        assert 200 < len(tr.reasoning) < len(REASONING * 30)
    saved = history.get(s.last.id)
    assert saved.status == "interrupted" and saved.reasoning == s.last.reasoning
    history.close()
    assert relay.proc.wait(5) == 0


async def test_an_http_error_reaches_the_screen_through_the_child(server, home):
    server.enqueue(error_reply(401, "Authentication Fails, Your api key is invalid"))
    history = History.open()
    s, relay = _relayed(server, history)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "error", what="error")
        assert s.last.error_kind == "auth"
        assert "key" in app.screen.query_one("#error-line").render().plain.lower()
    assert history.count() == 0  # nothing arrived: a failed request leaves no empty row
    history.close()


async def test_a_child_that_dies_ends_the_stream_as_interrupted_with_a_message(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING * 30, ANSWER), delay=0.01))
    history = History.open()
    s, relay = _relayed(server, history)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: len(view.monologue.text) > 200, what="some reasoning")
        os.kill(relay.proc.pid, signal.SIGKILL)
        await wait_until(lambda: view.info.phase == "interrupted", what="interrupted")
        assert "stream process ended unexpectedly" in (s.last.error or "")
        assert "unexpectedly" in app.screen.query_one("#error-line").render().plain
    # what the child saved before it died (every half second) is in the history
    assert REASONING.startswith(history.get(s.last.id).reasoning[:500])
    history.close()


async def test_the_live_outline_over_a_relayed_stream_equals_analyze(server, home):
    """The relay streams; the view's live analysis builds the outline from what the relay
    sends."""
    server.enqueue(stream_reply(deepseek_chunks(REASONING * 3, ANSWER), delay=0.002))
    history = History.open()
    s, relay = _relayed(server, history)
    app = _app(s)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "done" and view.analysis is not None, what="final analysis")
        from cot_viewer.analysis import analyze

        tr = s.last
        want = analyze(tr.reasoning, tr.answer, tr.reasoning_char_times() or None, prompt=tr.prompt)
        assert view.analysis.to_dict() == want.to_dict()  # seconds per phase included
    history.close()


def test_merge_joins_runs_of_choice_zero_deltas_and_keeps_the_order():
    items: list = []
    merge(items, [ReasoningDelta(0.1, "a"), ReasoningDelta(0.2, "b"), ReasoningDelta(0.25, "x", index=1)])
    merge(items, [ReasoningDelta(0.3, "c"), AnswerDelta(0.4, "p", provisional=True), AnswerDelta(0.5, "d"),
                  AnswerDelta(0.6, "e"), Reclassify(0.7), StreamEnd(0.8, True)])
    got = [expand(i) for i in items]
    assert got[0] == (ReasoningDelta(0.2, "ab"), 2)
    assert got[1] == (ReasoningDelta(0.25, "x", index=1), 1)  # another choice: never merged
    assert got[2] == (ReasoningDelta(0.3, "c"), 1)
    assert got[3] == (AnswerDelta(0.4, "p", provisional=True), 1)  # provisional: kept as it is
    assert got[4] == (AnswerDelta(0.6, "de"), 2)
    assert got[5:] == [(Reclassify(0.7), 1), (StreamEnd(0.8, True), 1)]


def test_write_all_finishes_on_a_non_blocking_pipe():
    r, w = os.pipe()
    fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
    data = os.urandom(1_000_000)  # far more than a pipe holds
    got = bytearray()

    def read() -> None:
        while len(got) < len(data):
            got.extend(os.read(r, 1 << 16))

    t = threading.Thread(target=read)
    t.start()
    write_all(w, data)
    t.join(10)
    os.close(r)
    os.close(w)
    assert bytes(got) == data
