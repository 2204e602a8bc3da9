"""The real stream client against the real loopback server, in every provider's format."""

from __future__ import annotations

import pytest
from loopback import (
    Reply,
    azure_prefilter_chunk,
    deepseek_chunks,
    deepseek_completion,
    error_chunk,
    error_reply,
    groq_chunks,
    inline_think_chunks,
    json_reply,
    llamacpp_chunks,
    ollama_chunks,
    openrouter_chunks,
    qwen3_no_thinking_chunks,
    sse,
    split_utf8_midchar,
    stream_reply,
    vllm_chunks,
    with_delays,
)

from cot_viewer.stream.client import Endpoint, StreamClient, StreamOptions, retry_after
from cot_viewer.stream.events import Retrying, StreamEnd, StreamError, StreamWarning
from cot_viewer.transcript import Transcript

REASONING = "Okay, so the user asks for 6 × 7.\n\nWait, let me check: 6 × 7 = 42. Yes."
ANSWER = "The answer is **42**."


def endpoint(server, key: str | None = "sk-test-key-123", model: str | None = "test-model") -> Endpoint:
    return Endpoint("custom", server.base_url, model, key, "TEST_KEY")


def collect(server, *, options: StreamOptions | None = None, key: str | None = "sk-test-key-123"):
    tr = Transcript(prompt="q", messages=[{"role": "user", "content": "q"}])
    events = list(StreamClient(endpoint(server, key), options or StreamOptions(backoff=0.01)).stream(tr.messages))
    for e in events:
        tr.apply(e)
    return tr, events


@pytest.mark.parametrize(
    "chunks",
    [
        pytest.param(deepseek_chunks(REASONING, ANSWER), id="deepseek"),
        pytest.param(vllm_chunks(REASONING, ANSWER, field="reasoning"), id="vllm-reasoning"),
        pytest.param(vllm_chunks(REASONING, ANSWER, field="reasoning_content"), id="vllm-reasoning_content"),
        pytest.param(vllm_chunks(REASONING, ANSWER, field="both", boundary_delta=True), id="vllm-both"),
        pytest.param(openrouter_chunks(REASONING, ANSWER), id="openrouter"),
        pytest.param(ollama_chunks(REASONING, ANSWER), id="ollama"),
        pytest.param(llamacpp_chunks(REASONING, ANSWER), id="llamacpp"),
        pytest.param(groq_chunks(REASONING, ANSWER, reasoning_format="parsed"), id="groq-parsed"),
        pytest.param(groq_chunks(REASONING, ANSWER, reasoning_format="raw"), id="groq-raw"),
        pytest.param(inline_think_chunks(REASONING, ANSWER), id="inline"),
        pytest.param(inline_think_chunks(REASONING, ANSWER, open_tag=False), id="inline-forced-open"),
        pytest.param(inline_think_chunks(REASONING, ANSWER, tags_as_tokens=False, token_chars=1), id="inline-1char"),
        pytest.param([azure_prefilter_chunk(), *inline_think_chunks(REASONING, ANSWER)], id="azure-prefilter"),
    ],
)
def test_every_provider_format_separates_the_same(server, chunks):
    server.enqueue(stream_reply(chunks))
    tr, events = collect(server)
    assert tr.reasoning == REASONING
    assert tr.answer == ANSWER
    assert tr.status == "complete"
    assert isinstance(events[-1], StreamEnd) and events[-1].done


def test_request_shape_and_auth(server):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    collect(server)
    req = server.last_request
    assert req.headers["authorization"] == "Bearer sk-test-key-123"
    assert req.body["stream"] is True and req.body["model"] == "test-model"
    assert req.body["messages"] == [{"role": "user", "content": "q"}]


def test_no_key_sends_no_authorization(server):
    server.enqueue(stream_reply(ollama_chunks(REASONING, ANSWER)))
    tr, _ = collect(server, key=None)
    assert "authorization" not in server.last_request.headers
    assert tr.status == "complete"


def test_usage_on_last_choice_chunk_and_in_separate_chunk(server):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    tr, _ = collect(server)
    assert tr.usage and tr.usage["completion_tokens_details"]["reasoning_tokens"] > 0
    server.enqueue(stream_reply(vllm_chunks(REASONING, ANSWER, usage_chunk=True)))
    tr, _ = collect(server)
    assert tr.usage and tr.usage["completion_tokens"] > 0


def test_qwen3_thinking_off_has_no_reasoning(server):
    server.enqueue(stream_reply(qwen3_no_thinking_chunks(ANSWER)))
    tr, _ = collect(server)
    assert (tr.reasoning, tr.answer) == ("", ANSWER)


def test_keepalives_crlf_and_split_utf8(server):
    text = "é😀 naïve — 中文"
    body = sse(deepseek_chunks(text, text), crlf=True, comments_every=2, leading_comments=3)
    server.enqueue(Reply(body=with_delays(split_utf8_midchar(body), 0.005)))
    tr, _ = collect(server)
    assert (tr.reasoning, tr.answer, tr.status) == (text, text, "complete")


def test_malformed_line_is_skipped_with_a_warning(server):
    chunks = deepseek_chunks(REASONING, ANSWER)
    chunks.insert(3, "{not json")
    server.enqueue(stream_reply(chunks))
    tr, events = collect(server)
    assert tr.reasoning == REASONING and tr.answer == ANSWER
    assert any(isinstance(e, StreamWarning) and "malformed" in e.message for e in events)
    assert tr.status == "complete"


def test_error_inside_200_stream_keeps_what_arrived(server):
    chunks = openrouter_chunks(REASONING, ANSWER)
    cut = len(chunks) // 3
    server.enqueue(stream_reply([*chunks[:cut], error_chunk("Upstream provider overloaded")]))
    tr, events = collect(server)
    assert tr.status == "error" and "Upstream provider overloaded" in tr.error
    assert REASONING.startswith(tr.reasoning) and tr.reasoning
    assert [type(e) for e in events[-2:]] == [StreamError, StreamEnd]


def test_dropped_connection_is_interrupted_never_complete(server):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER), drop_after=8))
    tr, _ = collect(server)
    assert tr.status == "interrupted"
    assert "dropped" in tr.error
    assert tr.reasoning and REASONING.startswith(tr.reasoning)


def test_stream_without_done_or_finish_is_interrupted(server):
    chunks = [c for c in deepseek_chunks(REASONING, ANSWER) if not any(ch.get("finish_reason") for ch in c.get("choices", []))]
    server.enqueue(Reply(body=[sse(chunks, done=False)], chunked=False))
    tr, _ = collect(server)
    assert tr.status == "interrupted" and tr.answer == ANSWER


def test_finish_length_in_reasoning_is_truncated(server):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, "", finish_reason="length")))
    tr, _ = collect(server)
    assert (tr.status, tr.finish_reason, tr.answer) == ("truncated", "length", "")
    assert tr.reasoning == REASONING


@pytest.mark.parametrize(
    "status,kind,words",
    [(401, "auth", "check TEST_KEY"), (402, "balance", "top up"), (404, "bad_request", "cot-viewer models"), (400, "bad_request", "rejected"), (422, "bad_request", "rejected")],
)
def test_http_errors_are_one_actionable_line(server, status, kind, words):
    server.enqueue(error_reply(status))
    tr, events = collect(server)
    err = next(e for e in events if isinstance(e, StreamError))
    assert err.kind == kind and words in err.message and "\n" not in err.message
    assert "sk-test-key-123" not in err.message
    assert len(server.completions) == 1  # not retried
    assert tr.status == "error"


def test_429_and_5xx_retried_honouring_retry_after(server):
    server.enqueue(error_reply(429, retry_after=0.2), error_reply(503), stream_reply(deepseek_chunks(REASONING, ANSWER)))
    tr, events = collect(server)
    retries = [e for e in events if isinstance(e, Retrying)]
    assert [r.status for r in retries] == [429, 503]
    assert retries[0].wait == pytest.approx(0.2)
    assert tr.status == "complete" and len(server.completions) == 3


def test_retries_are_bounded(server):
    server.enqueue(*[error_reply(500) for _ in range(5)])
    tr, events = collect(server, options=StreamOptions(max_retries=2, backoff=0.01))
    assert len([e for e in events if isinstance(e, Retrying)]) == 2
    assert len(server.completions) == 3
    assert tr.error_kind == "server" and "retry later" in tr.error


def test_long_retry_after_is_not_waited(server):
    server.enqueue(error_reply(429, retry_after=3600))
    tr, events = collect(server)
    assert not any(isinstance(e, Retrying) for e in events)
    assert tr.error_kind == "rate_limit" and "3600" in tr.error


def test_never_retried_once_tokens_arrived(server):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER), drop_after=5), stream_reply(deepseek_chunks(REASONING, ANSWER)))
    tr, events = collect(server)
    assert len(server.completions) == 1 and tr.status == "interrupted"


def test_idle_timeout_ends_stream_as_interrupted(server):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER), stall_after=4))
    tr, _ = collect(server, options=StreamOptions(idle_timeout=0.5))
    assert tr.status == "interrupted" and "no data" in tr.error
    assert tr.reasoning


def test_keepalives_reset_the_idle_timer(server):
    ka = b": keep-alive\n\n"
    body = [ka, 0.3, ka, 0.3, ka, 0.3, sse(deepseek_chunks(REASONING, ANSWER))]
    server.enqueue(Reply(body=body))
    tr, _ = collect(server, options=StreamOptions(idle_timeout=0.6))
    assert tr.status == "complete"


def test_server_down_is_a_connection_error():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    ep = Endpoint("custom", f"http://127.0.0.1:{port}/v1", "m")
    events = list(StreamClient(ep).stream([{"role": "user", "content": "q"}]))
    err = next(e for e in events if isinstance(e, StreamError))
    assert err.kind == "connection" and "is the server running" in err.message


def test_non_streaming_json_answer_is_accepted(server):
    server.enqueue(json_reply(deepseek_completion(REASONING, ANSWER)))
    tr, _ = collect(server)
    assert (tr.reasoning, tr.answer, tr.status) == (REASONING, ANSWER, "complete")


def test_timeline_records_every_chunk_with_time(server):
    chunks = deepseek_chunks(REASONING, ANSWER, token_chars=4)
    server.enqueue(stream_reply(chunks, delay=0.002))
    tr, _ = collect(server)
    assert len(tr.timeline) == len([c for c in chunks if any((ch.get("delta") or {}).get("content") or (ch.get("delta") or {}).get("reasoning_content") for ch in c["choices"])])
    times = list(tr.timeline.t)
    assert times == sorted(times) and times[-1] > times[0]
    assert "".join(text for _, k, text in tr.chunks() if k == "r") == REASONING


def test_retry_after_parsing():
    assert retry_after("3") == 3.0
    assert retry_after(" 1.5 ") == 1.5
    assert retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past


def test_html_page_at_the_url_is_a_clear_error(server):
    server.enqueue(Reply(body=[b"<html><body>Welcome to nginx</body></html>"], content_type="text/html", chunked=False, content_length=True))
    tr, events = collect(server)
    err = next(e for e in events if isinstance(e, StreamError))
    assert err.kind == "stream" and "check the base URL" in err.message
    assert tr.status == "error"


def test_redirect_on_plain_http_is_reported_not_followed(server):
    server.enqueue(Reply(status=301, headers={"Location": "https://example.invalid/v1/chat/completions"}, body=[b""], chunked=False, content_length=True))
    tr, events = collect(server)
    err = next(e for e in events if isinstance(e, StreamError))
    assert err.kind == "bad_request" and "redirected to https://example.invalid" in err.message
    assert len(server.completions) == 1
