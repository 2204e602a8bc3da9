"""A hostile server (issue 13, item 13): lines that never end, huge bodies, trickles and
endless keep-alives. The real client against the real loopback server, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc

import pytest
from loopback import STALL, Reply, deepseek_chunks, error_reply, sse, sse_events, stream_reply

from cot_viewer.stream.client import Endpoint, StreamClient, StreamOptions
from cot_viewer.stream.events import StreamError
from cot_viewer.stream.sse import MAX_EVENT_BYTES, SSEParser
from cot_viewer.transcript import Transcript

REASONING = "Let me think about this carefully."


def run(server, reply, **options):
    server.enqueue(reply)
    tr = Transcript(prompt="q", messages=[{"role": "user", "content": "q"}])
    events = list(StreamClient(Endpoint("custom", server.base_url, "m"), StreamOptions(backoff=0.01, **options)).stream(tr.messages))
    for e in events:
        tr.apply(e)
    return tr, events


def test_a_long_line_in_small_reads_parses_in_linear_time():
    # quadratic joining copies ~n²/2 bytes: 8 MiB in 1 KiB reads would be ~32 GB of copying
    line = b"data: " + b"x" * (8 * 2**20) + b"\n\n"
    p = SSEParser()
    start = time.monotonic()
    out = []
    for i in range(0, len(line), 1024):
        out += p.feed(line[i:i + 1024])
    assert time.monotonic() - start < 10
    assert len(out) == 1 and len(out[0][1]) == 8 * 2**20


def test_a_line_that_never_ends_is_cut_off_and_what_came_before_kept(server):
    head = b"".join(sse_events(deepseek_chunks(REASONING, "x"), done=False)[:-2])
    endless = [b'data: {"choices": "', *(b"y" * 2**20 for _ in range(MAX_EVENT_BYTES // 2**20 + 4))]
    tr, events = run(server, Reply(body=[head, *endless]))
    assert tr.reasoning == REASONING
    assert tr.error_kind == "stream" and "MiB" in tr.error and tr.status == "error"


def test_a_huge_error_body_is_not_read_whole(server):
    body = json.dumps({"error": {"message": "overloaded", "pad": "z" * (40 * 2**20)}}).encode()
    reply = Reply(status=400, body=[body], chunked=False, content_length=True, content_type="application/json")
    tracemalloc.start()
    try:
        tr, _ = run(server, reply)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert tr.error_kind == "bad_request" and "HTTP 400" in tr.error
    assert peak < 8 * 2**20, peak


def test_a_huge_json_body_is_refused(server):
    body = b'{"choices":[{"index":0,"message":{"content":"' + b"a" * (40 * 2**20) + b'"}}]}'
    tr, _ = run(server, Reply(body=[body], chunked=False, content_length=True, content_type="application/json"))
    assert tr.error_kind == "stream" and "MiB" in tr.error


@pytest.mark.parametrize("reply", [
    pytest.param(lambda: Reply(body=[b"".join(sse_events(deepseek_chunks(REASONING, "x"), done=False)[:-2]),
                                     *[0.1, b": keep-alive\n\n"] * 2000]), id="endless-keep-alives"),
    pytest.param(lambda: stream_reply(deepseek_chunks(REASONING * 50, "x"), events_per_write=1, delay=0.05), id="trickle"),
])
def test_deadline_ends_a_response_that_never_ends(server, tmp_path, reply):
    server.enqueue(reply())
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["COT_VIEWER_HOME"] = str(tmp_path)
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "cot_viewer", "ask", "--base-url", server.base_url, "--model", "m",
                        "--json", "--deadline", "1.5", "q"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 8, r.stderr
    assert time.monotonic() - start < 60
    doc = json.loads(r.stdout)
    assert "--deadline" in doc["error"] and doc["reasoning"].startswith(REASONING) and doc["saved"]


def test_deadline_counts_retries(server):
    server.enqueue(error_reply(503, retry_after=1), error_reply(503, retry_after=1), error_reply(503, retry_after=1))
    tr, events = run(server, error_reply(503, retry_after=1), deadline=0.5, max_retries=5)
    assert tr.error_kind == "connection" and "--deadline" in tr.error
    assert sum(isinstance(e, StreamError) for e in events) == 1


def test_stall_without_deadline_still_ends_on_idle_timeout(server):
    tr, _ = run(server, Reply(body=[sse(deepseek_chunks(REASONING, "x"), done=False)[:200], STALL]), idle_timeout=0.5)
    assert tr.status == "interrupted"
