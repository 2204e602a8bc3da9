"""The loopback server itself, exercised with plain httpx."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import loopback as L
from loopback import DROP, RESET, STALL, LoopbackServer, Reply

TESTS_DIR = Path(__file__).resolve().parent


def parse_sse(text: str) -> list:
    """Minimal SSE reader for these tests: data payloads (JSON-decoded unless [DONE])."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for block in text.split("\n\n"):
        data = [ln[5:].lstrip(" ") if ln.startswith("data:") else None for ln in block.split("\n")]
        data = [d for d in data if d is not None]
        if not data:
            continue
        payload = "\n".join(data)
        out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out


def post(server: LoopbackServer, body: dict | None = None, **kw) -> httpx.Response:
    return httpx.post(server.base_url + "/chat/completions", json=body or {"stream": True}, **kw)


# -- serving -------------------------------------------------------------------------


def test_stream_arrives_intact(server):
    chunks = L.deepseek_chunks("Let me think. Hmm, 2+2.", "It is 4.")
    body = L.sse(chunks)
    server.enqueue(L.stream_reply(chunks))
    r = post(server)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/event-stream"
    assert r.headers["transfer-encoding"] == "chunked"
    assert r.content == body
    events = parse_sse(r.text)
    assert events[-1] == "[DONE]"
    assert events[:-1] == chunks


def test_parts_and_delays_arrive_as_separate_reads(server):
    data = L.sse(L.deepseek_chunks("é日本語🙂 reasoning", "ansŵer"))
    parts = L.split_utf8_midchar(data)
    assert len(parts) > 5
    assert b"".join(parts) == data
    server.enqueue(Reply(body=L.with_delays(parts, 0.01)))
    with httpx.stream("POST", server.url, json={}) as r:
        reads = list(r.iter_raw())
    assert b"".join(reads) == data
    assert len(reads) > 1  # the delays forced separate reads


def test_drop_is_an_incomplete_chunked_read(server):
    body = L.sse(L.deepseek_chunks("reasoning that never ends", "", finish_reason=None), done=False)
    server.enqueue(Reply(body=[body, DROP]))
    got = b""
    with pytest.raises(httpx.RemoteProtocolError):
        with httpx.stream("POST", server.url, json={}) as r:
            for b in r.iter_raw():
                got += b
    assert got == body
    server.requests[-1].done.wait(2)
    assert server.requests[-1].outcome == "dropped"


def test_drop_after_and_reset(server):
    chunks = L.vllm_chunks("abcdefgh" * 4, "answer")
    server.enqueue(L.stream_reply(chunks, drop_after=3), Reply(body=[b"data: {}\n\n", RESET]))
    with pytest.raises(httpx.RemoteProtocolError):
        with httpx.stream("POST", server.url, json={}) as r:
            b"".join(r.iter_raw())
    with pytest.raises(httpx.HTTPError):
        with httpx.stream("POST", server.url, json={}) as r:
            b"".join(r.iter_raw())
    server.wait_for_requests(2)
    server.requests[1].done.wait(2)
    assert server.requests[1].outcome == "reset"


def test_drop_after_delivers_exactly_n_events(server):
    chunks = L.vllm_chunks("abcdefgh" * 4, "answer")
    server.enqueue(L.stream_reply(chunks, drop_after=3, delay=0.001))
    got = b""
    with pytest.raises(httpx.RemoteProtocolError):
        with httpx.stream("POST", server.url, json={}) as r:
            for b in r.iter_raw():
                got += b
    assert parse_sse(got.decode()) == chunks[:3]


def test_unchunked_stream_closes_connection(server):
    data = L.sse(L.ollama_chunks("think", "answer"), done=False)
    server.enqueue(Reply(body=[data], chunked=False))
    r = post(server)
    assert r.headers["connection"] == "close"
    assert "content-length" not in r.headers and "transfer-encoding" not in r.headers
    assert r.content == data


def test_status_and_retry_after(server):
    server.enqueue(L.error_reply(429, retry_after=7), L.error_reply(402))
    r = post(server)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "7"
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"]["type"] == "rate_limit_error"
    r = post(server)
    assert r.status_code == 402
    assert r.json() == {"error": {"message": "Insufficient Balance", "type": "unknown_error",
                                  "param": None, "code": "invalid_request_error"}}


@pytest.mark.parametrize("status", [400, 401, 402, 404, 422, 429, 500, 503])
def test_error_reply_defaults(server, status):
    server.enqueue(L.error_reply(status))
    r = post(server)
    assert r.status_code == status
    err = r.json()["error"]
    assert err["message"] and "type" in err and err["param"] is None and "code" in err


def test_queued_replies_in_order_then_default_then_500(server):
    for i in range(3):
        server.enqueue(L.json_reply({"n": i}))
    assert server.pending() == 3
    assert [post(server).json()["n"] for _ in range(3)] == [0, 1, 2]
    r = post(server)
    assert r.status_code == 500 and "no reply queued" in r.json()["error"]["message"]
    server.default = L.json_reply({"n": "default"})
    assert post(server).json() == {"n": "default"}
    assert post(server).json() == {"n": "default"}


def test_requests_recorded_with_body_and_no_v1_path(server):
    server.default = L.stream_reply(L.deepseek_chunks("r", "a"))
    body = {"model": "deepseek-reasoner", "stream": True,
            "messages": [{"role": "user", "content": "hi ✓"}]}
    httpx.post(server.root_url + "/chat/completions", json=body,
               headers={"Authorization": "Bearer sk-test"})
    post(server, {"x": 1})
    assert len(server.requests) == 2
    req = server.requests[0]
    assert (req.method, req.path) == ("POST", "/chat/completions")
    assert req.body == body
    assert req.headers["authorization"] == "Bearer sk-test"
    assert server.requests[1].path == "/v1/chat/completions"
    assert len(server.completions) == 2


def test_models(server):
    server.models = ["m1", "m2"]
    for url in (server.base_url + "/models", server.root_url + "/models"):
        r = httpx.get(url)
        assert r.status_code == 200
        assert r.json()["object"] == "list"
        assert [(m["id"], m["object"]) for m in r.json()["data"]] == [("m1", "model"), ("m2", "model")]
    server.models = L.error_reply(401)
    assert httpx.get(server.base_url + "/models").status_code == 401
    assert httpx.get(server.root_url + "/nope").status_code == 404


def test_stall_times_out_client_and_does_not_hang_stop():
    s = LoopbackServer().start()
    s.enqueue(Reply(body=[b": keep-alive\n\n", STALL]))
    with pytest.raises(httpx.ReadTimeout):
        with httpx.stream("POST", s.url, json={}, timeout=httpx.Timeout(5, read=0.3)) as r:
            for _ in r.iter_raw():
                pass
    # The client went away: the handler notices.
    assert s.requests[0].done.wait(2)
    assert s.requests[0].outcome == "client_gone"
    # A stall with the client still connected must not block stop().
    s.enqueue(Reply(body=[STALL]))
    client = httpx.Client(timeout=10)
    errors = []

    def reader():
        try:
            with client.stream("POST", s.url, json={}) as r:
                for _ in r.iter_raw():
                    pass
        except httpx.HTTPError as e:
            errors.append(e)

    t = threading.Thread(target=reader)
    t.start()
    s.wait_for_requests(2)
    time.sleep(0.1)
    t0 = time.monotonic()
    s.stop()
    assert time.monotonic() - t0 < 3
    t.join(5)
    assert not t.is_alive()
    assert errors  # the stalled stream ended as an incomplete read
    client.close()


def test_delay_before_headers(server):
    server.enqueue(Reply(delay=STALL))
    with pytest.raises(httpx.ReadTimeout):
        post(server, timeout=httpx.Timeout(5, read=0.2))


def test_big_stream_served(server):
    reasoning = L.synthetic_reasoning(60_000)
    chunks = L.deepseek_chunks(reasoning, "Done")
    assert len(chunks) == 1 + 60_000 + 1 + 1  # role chunk, reasoning, answer, finish
    body = L.sse(chunks)
    server.enqueue(L.stream_reply(chunks))
    n = 0
    with httpx.stream("POST", server.url, json={}) as r:
        for b in r.iter_raw():
            n += len(b)
    assert n == len(body)
    assert server.requests[0].done.wait(2)
    assert server.requests[0].outcome == "complete"


# -- builders ------------------------------------------------------------------------


def test_token_split():
    assert L.token_split("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert L.token_split("", 4) == []
    assert L.token_split("日本語", 1) == ["日", "本", "語"]


def test_sse_framing_variants():
    c = [{"a": 1}, {"b": "x\ny"}]
    assert L.sse(c) == b'data: {"a":1}\n\ndata: {"b":"x\\ny"}\n\ndata: [DONE]\n\n'
    assert L.sse(c, done=False, crlf=True) == b'data: {"a":1}\r\n\r\ndata: {"b":"x\\ny"}\r\n\r\n'
    assert L.sse(c, cr=True, done=False).count(b"\r\r") == 2
    assert L.sse(c, comments_every=1, done=False).count(b": keep-alive\n\n") == 2
    assert L.sse(c, leading_comments=2, comment=": OPENROUTER PROCESSING").startswith(
        b": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata:")
    assert L.sse(c, final_blank=False).endswith(b"data: [DONE]\n")
    ml = L.sse([{"a": 1, "b": [2]}], multiline=True, done=False)
    assert ml.count(b"data: ") > 2 and parse_sse(ml.decode()) == [{"a": 1, "b": [2]}]
    raw = L.sse(["{not json", b": raw comment\n\n"], done=False)
    assert raw == b"data: {not json\n\n: raw comment\n\n"
    parts = L.sse(c, split=1)
    assert all(len(p) == 1 for p in parts) and b"".join(parts) == L.sse(c)
    assert b"".join(L.sse(c, split=[3, 10])) == L.sse(c)
    assert b"".join(L.sse(c, split="random")) == L.sse(c)


def test_split_utf8_midchar_cuts_inside_characters():
    data = "aé日🙂b".encode()
    parts = L.split_utf8_midchar(data)
    assert b"".join(parts) == data
    assert len(parts) == 4  # one cut inside each of the three multibyte characters
    for p in parts[:-1]:
        with pytest.raises(UnicodeDecodeError):
            p.decode("utf-8")


def test_deepseek_shape():
    ch = L.deepseek_chunks("abcdefgh", "ijkl", finish_reason="length")
    assert ch[0]["choices"][0]["delta"] == {"role": "assistant", "content": None, "reasoning_content": ""}
    assert ch[1]["choices"][0]["delta"] == {"content": None, "reasoning_content": "abcd"}
    assert ch[3]["choices"][0]["delta"] == {"content": "ijkl", "reasoning_content": None}
    last = ch[-1]
    assert last["choices"][0]["finish_reason"] == "length"
    assert last["usage"]["completion_tokens_details"]["reasoning_tokens"] == 2
    assert all("usage" not in c for c in ch[:-1])
    # tokens may be given as a list
    ch = L.deepseek_chunks(["<", "think", ">"], [], usage=False)
    assert [c["choices"][0]["delta"]["reasoning_content"] for c in ch[1:4]] == ["<", "think", ">"]
    assert "usage" not in ch[-1]


def test_vllm_fields_boundary_and_usage_chunk():
    both = L.vllm_chunks("abcd", "efgh", field="both")
    assert both[1]["choices"][0]["delta"] == {"reasoning": "abcd", "reasoning_content": "abcd"}
    assert both[-1]["choices"] == [] and "usage" in both[-1]
    b = L.vllm_chunks("abcdefgh", "ijklmnop", field="reasoning_content", boundary_delta=True)
    deltas = [c["choices"][0]["delta"] for c in b if c["choices"]]
    assert {"reasoning_content": "efgh", "content": "ijkl"} in deltas
    assert L.vllm_chunks("ab", "cd", usage_chunk=False)[-1]["choices"]


def test_other_providers_shapes():
    o = L.openrouter_chunks("abcd", "efgh")
    d = o[0]["choices"][0]["delta"]
    assert d["reasoning"] == "abcd" and d["reasoning_details"][0] == {
        "type": "reasoning.text", "text": "abcd", "format": "unknown", "index": 0}
    assert o[-1]["choices"] == []
    ol = L.ollama_chunks("abcd", "efgh")
    assert all(c["choices"][0]["delta"]["role"] == "assistant" for c in ol if c["choices"])
    assert ol[0]["choices"][0]["delta"] == {"role": "assistant", "content": "", "reasoning": "abcd"}

    def content(chunks):
        return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])

    assert content(L.inline_think_chunks("why", "because")) == "<think>\nwhy\n</think>\n\nbecause"
    assert content(L.inline_think_chunks("why", "because", open_tag=False)) == "why\n</think>\n\nbecause"
    assert content(L.inline_think_chunks("why", "x", newline_after=False)) == "<think>\nwhy\n</think>x"
    assert content(L.inline_think_chunks("why", "x", close_tag=False)) == "<think>\nwhy"
    split = L.inline_think_chunks("w", "a", tags_as_tokens=False, token_chars=1)
    assert [c["choices"][0]["delta"]["content"] for c in split[1:8]] == list("<think>")
    assert content(L.qwen3_no_thinking_chunks("Hi")) == "<think>\n\n</think>\n\nHi"
    g = L.groq_chunks("abcd", "ef")
    assert g[1]["choices"][0]["delta"] == {"reasoning": "abcd"} and "usage" in g[-1]["x_groq"]
    assert "<think>" in content(L.groq_chunks("abcd", "ef", reasoning_format="raw"))
    az = L.azure_prefilter_chunk()
    assert az["choices"] == [] and az["prompt_filter_results"]
    e = L.error_chunk("Upstream failed", 502)
    assert e["error"] == {"code": 502, "message": "Upstream failed"}
    assert e["choices"][0] == {"index": 0, "delta": {"content": ""}, "finish_reason": "error",
                               "native_finish_reason": "error"}
    m = L.multi_choice_chunks()
    idx = [c["choices"][0]["index"] for c in m if c["choices"]]
    assert idx[:4] == [0, 1, 0, 1] and set(idx) == {0, 1}
    t = L.tool_call_chunks("hmm", "f", '{"a": 1}')
    assert t[-1]["choices"][0]["finish_reason"] == "tool_calls"
    args = "".join(c["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"]
                   for c in t if "tool_calls" in c["choices"][0]["delta"])
    assert args == '{"a": 1}'


def test_synthetic_reasoning():
    text = L.synthetic_reasoning(1000)
    assert len(text) == 4000 and len(L.token_split(text, 4)) == 1000
    assert "Wait," in text and "Hmm," in text and "$" in text and "\n\n" in text
    assert L.synthetic_reasoning(1000) == text


# -- CLI -----------------------------------------------------------------------------


def _start_cli(*args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, str(TESTS_DIR / "loopback.py"), "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("http://127.0.0.1:") and line.endswith("/v1\n"), (line, proc.stderr.read() if proc.poll() is not None else "")
    return proc, line.strip()


def test_cli_serves_every_request_and_exits_on_sigterm(tmp_path):
    (tmp_path / "r.txt").write_text("Let me see. Wait, 日本 $x^2$.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Answer: 42.", encoding="utf-8")
    proc, url = _start_cli("--format", "deepseek", "--reasoning-file", str(tmp_path / "r.txt"),
                           "--answer-file", str(tmp_path / "a.txt"), "--tokens", "3", "--repeat")
    try:
        for _ in range(2):
            r = httpx.post(url + "/chat/completions", json={"stream": True}, timeout=10)
            events = parse_sse(r.text)
            assert events[-1] == "[DONE]"
            reasoning = "".join(e["choices"][0]["delta"].get("reasoning_content") or ""
                                for e in events[:-1])
            answer = "".join(e["choices"][0]["delta"].get("content") or "" for e in events[:-1])
            assert reasoning == "Let me see. Wait, 日本 $x^2$." and answer == "Answer: 42."
        assert httpx.get(url + "/models").status_code == 200
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert out == ""  # exactly one line was printed


def test_cli_synthetic_big_stream():
    proc, url = _start_cli("--synthetic-reasoning-tokens", "60000", "--format", "vllm-both")
    try:
        with httpx.stream("POST", url + "/chat/completions", json={}, timeout=30) as r:
            data = b"".join(r.iter_raw())
        assert data.endswith(b"data: [DONE]\n\n")
        assert data.count(b"\n\ndata: ") > 60_000
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_client_cancel_mid_stream_is_noticed(server):
    chunks = L.deepseek_chunks("slow " * 200, "never")
    server.enqueue(L.stream_reply(chunks, delay=0.5))
    with httpx.stream("POST", server.url, json={}) as r:
        first = next(r.iter_raw())
    assert first.startswith(b"data: ")
    req = server.requests[0]
    assert req.done.wait(2)  # noticed during the 0.5 s pause, not at the end of the stream
    assert req.outcome == "client_gone"
