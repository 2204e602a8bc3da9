"""cot_viewer/run/: one prompt streamed, applied and saved on a thread; consumed blocking or
async. The loopback server's real wire formats, a real SQLite file in a temp dir."""

from __future__ import annotations

import asyncio
import time

import pytest
from loopback import STALL, Reply, deepseek_chunks, error_reply, sse_events, stream_reply

from cot_viewer.run import coalesce, start_run
from cot_viewer.store.history import History, NotFound
from cot_viewer.stream.endpoint import Endpoint, StreamOptions
from cot_viewer.stream.events import AnswerDelta, Finish, ReasoningDelta, StreamEnd
from cot_viewer.transcript import Transcript

REASONING = "First, the chance of no six in one roll is 5/6. " * 20
ANSWER = "The chance is 1 - (5/6)^4 ≈ 0.518."


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("COT_VIEWER_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _tr(server, prompt="Four rolls, at least one six?", model="deepseek-reasoner") -> Transcript:
    return Transcript(prompt=prompt, messages=[{"role": "user", "content": prompt}], provider="custom",
                      base_url=server.base_url, model=model or "")


def _run(server, history=None, model="deepseek-reasoner", **opts):
    return start_run(Endpoint("custom", server.base_url, model), _tr(server, model=model), history=history,
                     options=StreamOptions(**opts))


def _wait(predicate, timeout=20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_blocking_batches_give_every_event_in_order_and_the_run_saves(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER), delay=0.002))
    with History.open() as history:
        run = _run(server, history)
        events = [e for batch in run.batches() for e in batch]
        run.close()
        tr = run.transcript
        assert run.done and run.saved and run.save_error is None and run.saved_id == tr.id
        assert "".join(e.text for e in events if type(e) is ReasoningDelta) == REASONING == tr.reasoning
        assert "".join(e.text for e in events if type(e) is AnswerDelta) == ANSWER == tr.answer
        assert type(events[-1]) is StreamEnd and tr.status == "complete"
        assert [e.t for e in events] == sorted(e.t for e in events)
        saved = history.get(tr.id)
        assert saved.status == "complete" and saved.reasoning == REASONING and saved.answer == ANSWER


async def test_async_batches_wake_the_loop_and_match_the_transcript(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER), delay=0.002))
    run = _run(server)
    text = []
    async for batch in run.abatches():
        for e, n in coalesce(batch):
            if type(e) is ReasoningDelta:
                text.append(e.text)
    await run.aclose()
    assert "".join(text) == run.transcript.reasoning == REASONING
    assert run.saved_id is None and not run.saved  # no history given: nothing saved


async def test_stop_mid_stream_keeps_what_arrived_and_saves_it_interrupted(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING * 30, ANSWER), delay=0.01))
    with History.open() as history:
        run = _run(server, history)
        got = []
        async for batch in run.abatches():
            got += batch
            if len(run.transcript.reasoning) > 200:
                run.stop()
                run.stop()  # twice: harmless
        await run.aclose()
        tr = run.transcript
        assert tr.status == "interrupted" and tr.error_kind == "cancelled"
        assert 200 < len(tr.reasoning) < len(REASONING * 30)
        assert "".join(e.text for e in got if type(e) is ReasoningDelta) == tr.reasoning  # every applied event handed over
        saved = history.get(tr.id)
        assert saved.status == "interrupted" and saved.reasoning == tr.reasoning


def _row(history, tid: str) -> str:
    try:
        return history.get(tid).reasoning
    except NotFound:
        return ""


def test_the_clock_saves_while_the_server_is_silent_and_stop_does_not_wait_for_it(server, home):
    events = sse_events(deepseek_chunks(REASONING, ANSWER), done=False)
    head = b"".join(e for e in events if b'"content":null,"reasoning_content":"' in e)
    server.enqueue(Reply(body=[head, STALL]))
    with History.open() as history:
        run = _run(server, history)
        _wait(lambda: _row(history, run.transcript.id) == REASONING)  # saved by the clock, no bytes coming
        t = time.monotonic()
        run.close()  # the stream thread is stuck in a read: the final save does not wait for it
        assert time.monotonic() - t < 5
        assert history.get(run.transcript.id).status == "interrupted"


def test_a_dropped_connection_keeps_what_arrived(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER), drop_after=40))
    with History.open() as history:
        run = _run(server, history)
        for _ in run.batches():
            pass
        run.close()
        tr = run.transcript
        assert tr.status == "interrupted" and tr.error_kind == "connection" and tr.reasoning
        assert history.get(tr.id).reasoning == tr.reasoning


def test_an_http_error_is_a_kind_and_leaves_no_row(server, home):
    server.enqueue(error_reply(401, "Authentication Fails, Your api key is invalid"))
    with History.open() as history:
        run = _run(server, history)
        list(run.batches())
        run.close()
        assert run.transcript.error_kind == "auth" and run.saved_id is None
        assert history.count() == 0


def test_a_history_that_fails_is_the_save_error_and_the_stream_goes_on(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    history = History.open()
    history.close()  # every write now fails
    run = _run(server, history)
    list(run.batches())
    run.close()
    assert run.transcript.status == "complete" and run.transcript.answer == ANSWER
    assert run.save_error and not run.saved


async def test_two_runs_at_once_in_one_event_loop(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING * 5, ANSWER), delay=0.003))
    server.enqueue(stream_reply(deepseek_chunks("other " * 300, "second"), delay=0.003))
    with History.open() as history:
        a, b = _run(server, history), _run(server, history)
        seen = {id(a): [], id(b): []}

        async def consume(run) -> None:
            async for batch in run.abatches():
                seen[id(run)] += batch

        await asyncio.wait_for(asyncio.gather(consume(a), consume(b)), 60)
        await a.aclose()
        await b.aclose()
        texts = sorted(r.transcript.reasoning for r in (a, b))
        assert texts == sorted([REASONING * 5, "other " * 300])
        for run in (a, b):
            assert "".join(e.text for e in seen[id(run)] if type(e) is ReasoningDelta) == run.transcript.reasoning
            assert history.get(run.transcript.id).reasoning == run.transcript.reasoning
        assert a.transcript.id != b.transcript.id


def test_a_local_server_is_asked_for_its_model(server, home):
    server.models = ["qwen3-local", "other"]
    server.enqueue(stream_reply(deepseek_chunks("r", "a")))
    run = _run(server, model=None)
    list(run.batches())
    run.close()
    assert server.requests[-1].json["model"] == "qwen3-local"
    assert run.endpoint.model == run.transcript.model == "qwen3-local"


def test_coalesce_joins_runs_of_choice_zero_deltas_and_keeps_the_order():
    from cot_viewer.stream.events import Reclassify

    batch = [ReasoningDelta(0.1, "a"), ReasoningDelta(0.2, "b"), ReasoningDelta(0.25, "x", index=1),
             ReasoningDelta(0.3, "c"), AnswerDelta(0.4, "p", provisional=True), AnswerDelta(0.5, "d"),
             AnswerDelta(0.6, "e"), Reclassify(0.7), Finish(0.75, "stop"), StreamEnd(0.8, True)]
    assert coalesce(batch) == [
        (ReasoningDelta(0.2, "ab"), 2),
        (ReasoningDelta(0.25, "x", index=1), 1),  # another choice: never joined
        (ReasoningDelta(0.3, "c"), 1),
        (AnswerDelta(0.4, "p", provisional=True), 1),  # provisional: kept as it is
        (AnswerDelta(0.6, "de"), 2),
        (Reclassify(0.7), 1), (Finish(0.75, "stop"), 1), (StreamEnd(0.8, True), 1),
    ]
