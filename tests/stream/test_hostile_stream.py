"""Hostile streams through the real client and the real loopback server (issue 13, items 6
and 7): split or lone UTF-16 surrogates and chunks of the wrong shape keep the transcript."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from loopback import HOSTILE, hostile_chunks, stream_reply

from cot_viewer.stream.client import Endpoint, StreamClient, StreamOptions
from cot_viewer.stream.events import StreamWarning
from cot_viewer.transcript import Transcript


def run(server, chunks):
    server.enqueue(stream_reply(chunks))
    tr = Transcript(prompt="q", messages=[{"role": "user", "content": "q"}])
    events = list(StreamClient(Endpoint("custom", server.base_url, "m"), StreamOptions()).stream(tr.messages))
    for e in events:
        tr.apply(e)
    return tr, events


def test_surrogate_pair_split_across_events_is_joined(server):
    tr, _ = run(server, hostile_chunks("split-surrogate"))
    assert tr.status == "complete"
    assert tr.answer == "smile \U0001F600 doneThe answer is 4."
    tr.answer.encode("utf-8")  # writable anywhere


def test_lone_surrogates_are_replaced_and_the_text_kept(server):
    tr, _ = run(server, hostile_chunks("lone-surrogate"))
    assert tr.status == "complete"
    assert tr.answer.startswith("bad \ufffd half")
    (tr.reasoning + tr.answer).encode("utf-8")


def _raw(delta: str, finish: str = "null") -> str:
    return '{"choices":[{"index":0,"delta":%s,"finish_reason":%s}]}' % (delta, finish)


def test_high_surrogate_still_waiting_when_the_stream_ends_becomes_a_replacement(server):
    # the connection closes after the first half of an emoji: no pair, no finish, no [DONE]
    tr, _ = run(server, [_raw('{"reasoning_content":"hmm"}'), _raw('{"content":"end \\ud83d"}'), b"data: [DONE]\n\n"])
    assert tr.reasoning == "hmm"
    assert tr.answer == "end \ufffd"


def test_high_surrogate_then_the_choice_finishes(server):
    tr, _ = run(server, [_raw('{"content":"end \\ud83d"}'), _raw("{}", '"stop"'), b"data: [DONE]\n\n"])
    assert tr.status == "complete" and tr.answer == "end \ufffd"


def test_text_after_an_unpaired_high_surrogate_keeps_its_place(server):
    # the next event holds no surrogate escape: it must not overtake the held half
    tr, _ = run(server, [_raw('{"content":"a\\ud83d"}'), _raw('{"content":"b"}'), _raw('{"content":"c\\ud83d\\ude00"}'),
                         _raw("{}", '"stop"'), b"data: [DONE]\n\n"])
    assert tr.answer == "a\ufffdbc\U0001F600"


def test_reasoning_half_released_when_the_answer_starts(server):
    # DeepSeek sends the other field as null: the held half belongs to the reasoning
    tr, _ = run(server, [_raw('{"reasoning_content":"r\\ud83d","content":null}'),
                         _raw('{"reasoning_content":null,"content":"answer"}'), _raw("{}", '"stop"'), b"data: [DONE]\n\n"])
    assert tr.reasoning == "r\ufffd" and tr.answer == "answer"


@pytest.mark.parametrize("name", [n for n in HOSTILE if "surrogate" not in n])
def test_wrong_shaped_chunks_are_skipped_with_a_warning(server, name):
    tr, events = run(server, hostile_chunks(name))
    assert tr.reasoning == "Let me think." and tr.answer == "The answer is 4."
    assert tr.status == "complete" and tr.error is None
    assert any(isinstance(e, StreamWarning) and "skipped" in e.message for e in events)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_cli_keeps_the_transcript(server, tmp_path, name):
    server.enqueue(stream_reply(hostile_chunks(name)))
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["COT_VIEWER_HOME"] = str(tmp_path)
    r = subprocess.run([sys.executable, "-m", "cot_viewer", "ask", "--base-url", server.base_url, "--model", "m",
                        "--json", "q"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["answer"].endswith("The answer is 4.") and doc["status"] == "complete"
    listed = subprocess.run([sys.executable, "-m", "cot_viewer", "history", "show", doc["id"], "--json"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert json.loads(listed.stdout)["answer"] == doc["answer"]


def test_error_message_with_a_lone_surrogate(server, tmp_path):
    from loopback import Reply

    body = b'{"error": {"message": "bad \\ud800 request", "type": "x"}}'
    server.enqueue(Reply(status=400, body=[body], chunked=False, content_length=True, content_type="application/json"),
                   Reply(body=[b'data: {"error": {"message": "mid \\udfff stream"}}\n\n']))
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["COT_VIEWER_HOME"] = str(tmp_path)
    for code in (7, 9):
        r = subprocess.run([sys.executable, "-m", "cot_viewer", "ask", "--base-url", server.base_url, "--model", "m",
                            "--json", "q"], capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == code, r.stderr
        assert "\ufffd" in json.loads(r.stdout)["error"]


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity, as every other JSON reader does."""
    def refuse(word):
        raise ValueError(f"{word} is not JSON")
    return json.loads(text, parse_constant=refuse)


def cli(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["COT_VIEWER_HOME"] = str(tmp_path)
    return subprocess.run([sys.executable, "-m", "cot_viewer", *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize("usage", [
    '{"prompt_tokens":NaN,"completion_tokens":Infinity,"total_tokens":1e400,"cost":-Infinity}',
    '{"prompt_tokens":10,"completion_tokens":5,"completion_tokens_details":5,"prompt_tokens_details":"x"}',
])
def test_usage_the_json_parser_accepts_but_json_cannot_carry(server, tmp_path, usage):
    chunks = [_raw('{"reasoning_content":"r"}'), _raw('{"content":"a"}'),
              '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":%s}' % usage, b"data: [DONE]\n\n"]
    server.enqueue(stream_reply(chunks))
    r = cli(tmp_path, "ask", "--base-url", server.base_url, "--model", "m", "--json", "q")
    assert r.returncode == 0, r.stderr
    assert strict_json(r.stdout)["answer"] == "a"
    for fmt in ("json", "md", "html"):
        out = cli(tmp_path, "history", "export", "--all", "-f", fmt)
        assert out.returncode == 0, out.stderr
        if fmt == "json":
            strict_json(out.stdout)


def test_import_with_non_finite_numbers_stays_valid_json(tmp_path):
    doc = ('{"format": "cot-viewer/transcript", "version": 1, "id": "abcd00000003", "prompt": "p", "answer": "a",'
           ' "status": "complete", "created": 1700000000.0, "usage": {"completion_tokens": NaN, "cost": Infinity},'
           ' "prices": {"input": 1e400, "output": 1, "cached_input": 0}}')
    f = tmp_path / "in.json"
    f.write_text(doc)
    assert cli(tmp_path, "history", "import", str(f)).returncode == 0
    for args in (["history", "export", "--all"], ["history", "show", "abcd00000003", "--json"]):
        out = cli(tmp_path, *args)
        assert out.returncode == 0, out.stderr
        strict_json(out.stdout)


def test_error_body_nested_deeper_than_the_parser_goes(server, tmp_path):
    from loopback import Reply

    server.enqueue(Reply(status=400, body=[b"[" * 60000], chunked=False, content_length=True, content_type="application/json"))
    r = cli(tmp_path, "ask", "--base-url", server.base_url, "--model", "m", "--plain", "q")
    assert r.returncode == 7, r.stderr
    assert "rejected the request (HTTP 400)" in r.stderr and "Traceback" not in r.stderr


def test_mid_stream_error_message_is_one_short_line(server, tmp_path):
    chunks = [_raw('{"content":"kept"}'), '{"error": {"message": "%s", "code": 500}}' % ("flood\\n" * 200000)]
    server.enqueue(stream_reply(chunks))
    r = cli(tmp_path, "ask", "--base-url", server.base_url, "--model", "m", "--plain", "q")
    assert r.returncode == 9 and r.stdout == "kept\n"
    [line] = [ln for ln in r.stderr.splitlines() if "mid-stream" in ln]
    assert len(line) < 500 and "flood flood" in line
