"""`cot-viewer ask` end to end: a real subprocess against the real loopback server."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from loopback import deepseek_chunks, error_reply, inline_think_chunks, stream_reply

REASONING = "Okay, so 17 × 3.\n\nLet me compute: 17 × 3 = 51. Wait, check: 50 + 1 = 51. Yes."
ANSWER = "**51**"
KEY = "sk-secret-key-that-must-never-be-written-0123456789"


def cli(args, home: Path, *, env=None, input=None, timeout=60):
    e = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k not in ("OPENAI_BASE_URL", "COT_VIEWER_PROVIDER")}
    e.update({"COT_VIEWER_HOME": str(home), "TEST_KEY": KEY})
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "cot_viewer", *args], capture_output=True, text=True, env=e, input=input, timeout=timeout)


def ask(server, home, *extra, prompt="What is 17 × 3?", env=None):
    return cli(["ask", "--base-url", server.base_url, "--model", "m", "--api-key-env", "TEST_KEY", *extra, prompt], home, env=env)


def test_plain_answer_on_stdout_reasoning_on_stderr(server, tmp_path):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    r = ask(server, tmp_path, "--plain")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ANSWER + "\n"
    assert REASONING in r.stderr
    assert "\x1b[" not in r.stderr  # not a terminal: no colour codes


def test_not_a_terminal_is_plain_without_flag(server, tmp_path):
    server.enqueue(stream_reply(inline_think_chunks(REASONING, ANSWER)))
    r = ask(server, tmp_path)
    assert r.returncode == 0 and r.stdout == ANSWER + "\n" and REASONING in r.stderr


def test_json_output_has_every_field(server, tmp_path):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    r = ask(server, tmp_path, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    for k in ("id", "provider", "base_url", "model", "prompt", "reasoning", "answer", "status", "finish_reason", "usage", "timing", "error"):
        assert k in doc, k
    assert (doc["reasoning"], doc["answer"], doc["status"], doc["finish_reason"]) == (REASONING, ANSWER, "complete", "stop")
    assert doc["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    assert set(doc["timing"]) == {"ttft", "thinking_s", "answer_s", "total_s"}
    assert doc["timing"]["ttft"] is not None and doc["prompt"] == "What is 17 × 3?"


def test_saved_to_history_and_listed(server, tmp_path):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    doc = json.loads(ask(server, tmp_path, "--json").stdout)
    listed = json.loads(cli(["history", "list", "--json"], tmp_path).stdout)
    assert [row["id"] for row in listed] == [doc["id"]]
    shown = json.loads(cli(["history", "show", doc["id"][:6], "--json"], tmp_path).stdout)
    assert (shown["reasoning"], shown["answer"], shown["status"]) == (REASONING, ANSWER, "complete")
    db = tmp_path / "history.db"
    assert db.stat().st_mode & 0o777 == 0o600 and tmp_path.stat().st_mode & 0o077 == 0 or os.name == "nt"


def test_api_key_never_written(server, tmp_path):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)), error_reply(401))
    ask(server, tmp_path, "--json")
    r = ask(server, tmp_path, "--json", "--debug")
    assert KEY not in r.stdout + r.stderr
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert KEY.encode() not in f.read_bytes(), f
    assert server.completions[0].headers["authorization"] == f"Bearer {KEY}"


def test_no_save_writes_nothing(server, tmp_path):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    r = ask(server, tmp_path, "--plain", "--no-save")
    assert r.returncode == 0 and r.stdout == ANSWER + "\n"
    assert not (tmp_path / "history.db").exists()


def test_continue_sends_answers_never_reasoning(server, tmp_path):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)), stream_reply(deepseek_chunks("More thought.", "102")), stream_reply(deepseek_chunks("t3", "a3")))
    first = json.loads(ask(server, tmp_path, "--json", "--system", "Be brief.").stdout)
    second = json.loads(ask(server, tmp_path, "--json", "-c", prompt="And doubled?").stdout)
    assert second["conversation_id"] == first["id"] and second["parent_id"] == first["id"]
    sent = server.completions[1].body["messages"]
    assert sent == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is 17 × 3?"},
        {"role": "assistant", "content": ANSWER},
        {"role": "user", "content": "And doubled?"},
    ]
    assert all(set(m) == {"role", "content"} for m in sent)
    third = json.loads(ask(server, tmp_path, "--json", "-c", first["id"][:8], prompt="Third?").stdout)
    assert third["conversation_id"] == first["id"]
    assert [m["content"] for m in server.completions[2].body["messages"]][-2:] == ["102", "Third?"]


@pytest.mark.parametrize("status,code,words", [(401, 3, "check TEST_KEY"), (402, 4, "top up"), (429, 5, "rate limited"), (503, 6, "overloaded"), (404, 7, "cot-viewer models")])
def test_errors_one_line_and_exit_code(server, tmp_path, status, code, words):
    server.enqueue(*[error_reply(status, retry_after=0) for _ in range(5)])
    r = ask(server, tmp_path, "--plain", "--retries", "1")
    assert r.returncode == code, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("cot-viewer:")]
    assert len(lines) == 1 and words in lines[0]
    assert "Traceback" not in r.stderr


def test_dropped_stream_keeps_partial_transcript(server, tmp_path):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER), drop_after=10))
    r = ask(server, tmp_path, "--json")
    assert r.returncode == 8
    doc = json.loads(r.stdout)  # printed even when the stream fails
    assert doc["status"] == "interrupted" and doc["reasoning"] and REASONING.startswith(doc["reasoning"])
    assert f"partial transcript saved as {doc['id']}" in r.stderr
    shown = json.loads(cli(["history", "show", doc["id"], "--json"], tmp_path).stdout)
    assert shown["reasoning"] == doc["reasoning"] and shown["status"] == "interrupted"


def test_server_down(tmp_path):
    r = cli(["ask", "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--plain", "hi"], tmp_path)
    assert r.returncode == 8 and "could not connect" in r.stderr and "Traceback" not in r.stderr


def test_missing_key_for_deepseek(tmp_path):
    r = cli(["ask", "--plain", "hi"], tmp_path)
    assert r.returncode == 3
    assert "DEEPSEEK_API_KEY" in r.stderr and "Traceback" not in r.stderr


def test_truncated_exit_code(server, tmp_path):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, "", finish_reason="length")))
    r = ask(server, tmp_path, "--plain", "--max-tokens", "5")
    assert r.returncode == 10 and "token limit" in r.stderr
    assert server.last_request.body["max_tokens"] == 5


def test_ctrl_c_saves_what_arrived(server, tmp_path):
    server.enqueue(stream_reply(deepseek_chunks(REASONING * 20, ANSWER, token_chars=2), delay=0.01))
    e = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    e["COT_VIEWER_HOME"] = str(tmp_path)
    p = subprocess.Popen([sys.executable, "-m", "cot_viewer", "ask", "--base-url", server.base_url, "--model", "m", "--json", "q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)
    _wait_for_row(tmp_path / "history.db")  # some reasoning arrived and was saved
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130, err
    doc = json.loads(out)
    assert doc["status"] == "interrupted" and doc["reasoning"]
    row = sqlite3.connect(tmp_path / "history.db").execute("SELECT status, reasoning FROM transcripts").fetchone()
    assert row == ("interrupted", doc["reasoning"])


def _wait_for_row(db: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if sqlite3.connect(db).execute("SELECT count(*) FROM transcripts WHERE reasoning != ''").fetchone()[0]:
                return
        except sqlite3.Error:  # not created yet
            pass
        assert time.monotonic() < deadline, "no row saved"
        time.sleep(0.05)


def test_plain_shows_what_arrived_while_the_server_is_silent_and_ctrl_c_keeps_it(server, tmp_path):
    """The printer is flushed by the clock (the run hands over an empty batch), not only when
    the next bytes come; Ctrl-C then stops the run, which saves what arrived."""
    import select

    from loopback import STALL, Reply, sse_events

    events = sse_events(deepseek_chunks(REASONING, ANSWER), done=False)
    head = b"".join(e for e in events if b'"content":null,"reasoning_content":"' in e)
    server.enqueue(Reply(body=[head, STALL]))
    e = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    e["COT_VIEWER_HOME"] = str(tmp_path)
    p = subprocess.Popen([sys.executable, "-m", "cot_viewer", "ask", "--base-url", server.base_url, "--model", "m", "--plain", "q"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
    shown = b""
    deadline = time.monotonic() + 30
    while REASONING.encode() not in shown:
        assert time.monotonic() < deadline, f"the reasoning was not shown while the server was silent: {shown!r}"
        if select.select([p.stderr], [], [], 0.1)[0]:
            shown += os.read(p.stderr.fileno(), 65536)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130, err
    row = sqlite3.connect(tmp_path / "history.db").execute("SELECT status, reasoning FROM transcripts").fetchone()
    assert row == ("interrupted", REASONING)


def test_prompt_from_stdin(server, tmp_path):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    e = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    e["COT_VIEWER_HOME"] = str(tmp_path)
    r = subprocess.run([sys.executable, "-m", "cot_viewer", "ask", "--base-url", server.base_url, "--model", "m", "--plain"], input="piped question", capture_output=True, text=True, env=e, timeout=60)
    assert r.returncode == 0 and server.last_request.body["messages"][-1]["content"] == "piped question"


def test_model_asked_from_server_when_unset(server, tmp_path):
    server.models = ["local-model-7b"]
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    r = cli(["ask", "--provider", "vllm", "--base-url", server.base_url, "--plain", "hi"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert server.last_request.body["model"] == "local-model-7b"


def test_models_command_lists_server_models(server, tmp_path):
    server.models = ["b-model", "a-model"]
    r = cli(["models", "--base-url", server.base_url], tmp_path)
    assert r.returncode == 0 and r.stdout.split() == ["a-model", "b-model"]


def test_help_does_not_import_heavy_modules():
    code = "import sys; from cot_viewer import cli; cli.build_parser().format_help(); print(sorted(m for m in ('httpx','openai','textual','sqlite3') if m in sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "[]"


def test_debug_shows_request_details_but_never_the_key(server, tmp_path):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    r = ask(server, tmp_path, "--plain", "--debug")
    assert r.returncode == 0
    assert "POST " + server.base_url + "/chat/completions" in r.stderr and "key=from $TEST_KEY" in r.stderr
    assert "status=complete" in r.stderr and KEY not in r.stderr
