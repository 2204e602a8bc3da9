"""Faults around a stream (issue 13, items 9, 10 and 22): keep-alives or silence after some
tokens, another process holding the history's write lock, requests that fail before any
token. A real `cot-viewer ask` subprocess, the loopback server, a real SQLite history."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from loopback import STALL, Reply, deepseek_chunks, error_reply, sse_events, stream_reply

REASONING = "Okay, so we need seventeen times three, which is fifty-one. "
ANSWER = "51"


def env_for(home: Path) -> dict:
    e = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k not in ("OPENAI_BASE_URL", "COT_VIEWER_PROVIDER")}
    e["COT_VIEWER_HOME"] = str(home)
    return e


def start_ask(server, home: Path, *extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cot_viewer", "ask", "--base-url", server.base_url, "--model", "m",
                             *extra, "q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(home))


def cli(args, home: Path):
    return subprocess.run([sys.executable, "-m", "cot_viewer", *args], capture_output=True, text=True,
                          env=env_for(home), timeout=60)


def wait_for(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def saved_reasoning(home: Path) -> str:
    try:  # read-only: a missing file is an error, not a new database
        with closing(sqlite3.connect(f"file:{home / 'history.db'}?mode=ro", uri=True, timeout=5)) as con:
            row = con.execute("SELECT reasoning FROM transcripts").fetchone()
    except sqlite3.Error:
        return ""
    return row[0] if row else ""


class Reader(threading.Thread):
    """Collects a pipe's bytes as they come (to see output before the process ends)."""

    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.pipe, self.data = pipe, b""
        self.start()

    def run(self):
        for chunk in iter(lambda: os.read(self.pipe.fileno(), 65536), b""):
            self.data += chunk


def head_then(tail) -> Reply:
    """The reasoning's events, then ``tail`` (keep-alives, silence) — never the answer."""
    events = sse_events(deepseek_chunks(REASONING, ANSWER), done=False)
    head = b"".join(e for e in events if b'"content":null,"reasoning_content":"' in e)
    return Reply(body=[head, *tail])


# -- item 9: saves and --plain output by the clock ------------------------------------------------
@pytest.mark.parametrize("tail", [
    pytest.param([*[0.2, b": keep-alive\n\n"] * 300, STALL], id="keep-alives"),
    pytest.param([STALL], id="silence"),
])
def test_saved_and_shown_while_nothing_but_keep_alives_arrive_then_kill_9(server, tmp_path, tail):
    server.enqueue(head_then(tail))
    proc = start_ask(server, tmp_path, "--plain")
    err = Reader(proc.stderr)
    try:
        wait_for(lambda: REASONING.strip() in err.data.decode("utf-8", "replace"), what="reasoning on stderr")
        wait_for(lambda: saved_reasoning(tmp_path) == REASONING, what="reasoning in the history")
        assert proc.poll() is None  # still streaming: the saves came from the clock, not the end
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    shown = json.loads(cli(["history", "list", "--json"], tmp_path).stdout)
    assert [(r["status"], r["reasoning_len"]) for r in shown] == [("interrupted", len(REASONING))]


# -- item 10: another process holds the write lock ---------------------------------------------------
def hold_write_lock(home: Path) -> sqlite3.Connection:
    con = sqlite3.connect(home / "history.db", isolation_level=None, timeout=30)
    con.execute("BEGIN IMMEDIATE")
    return con


@pytest.fixture
def history_made(server, tmp_path):
    server.enqueue(stream_reply(deepseek_chunks("r", "a")))
    r = cli(["ask", "--base-url", server.base_url, "--model", "m", "--json", "first"], tmp_path)
    assert r.returncode == 0, r.stderr
    return tmp_path


def test_stream_goes_first_and_is_saved_when_the_lock_frees(server, history_made):
    home = history_made
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    lock = hold_write_lock(home)
    started = time.monotonic()
    proc = start_ask(server, home, "--plain")
    out = Reader(proc.stdout)
    try:
        wait_for(lambda: out.data.strip() == ANSWER.encode(), what="the answer on stdout")
        assert time.monotonic() - started < 8  # not held back by the lock (it used to wait 10 s first)
        assert proc.poll() is None  # the final save is retrying while the lock is held
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert proc.wait(timeout=30) == 0, proc.stderr.read()
    rows = json.loads(cli(["history", "list", "--json"], home).stdout)
    assert [(r["prompt"], r["status"], r["answer_len"]) for r in rows][0] == ("q", "complete", len(ANSWER))


def test_a_lock_that_never_frees_loses_nothing(server, history_made):
    home = history_made
    server.enqueue(stream_reply(deepseek_chunks(REASONING, ANSWER)))
    lock = hold_write_lock(home)
    try:
        proc = start_ask(server, home, "--json")
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert proc.returncode == 11, stderr
    doc = json.loads(stdout)
    assert doc["answer"] == ANSWER and doc["saved"] is False
    assert "kept in" in stderr.decode() and stderr.decode().count("\n") == 1
    assert (home / "unsaved" / f"{doc['id']}.json").exists()
    rows = json.loads(cli(["history", "list", "--json"], home).stdout)  # the next run adds it
    assert doc["id"] in [r["id"] for r in rows]
    assert not (home / "unsaved" / f"{doc['id']}.json").exists()
    server.enqueue(stream_reply(deepseek_chunks("r", "b")))
    r = cli(["ask", "--base-url", server.base_url, "--model", "m", "--json", "-c", "more"], home)
    assert "seventeen" not in json.dumps(server.completions[-1].json) and ANSWER in json.dumps(server.completions[-1].json)


# -- item 22: requests that fail before any token ----------------------------------------------------
@pytest.mark.parametrize("reply, code", [(error_reply(401), 3), (error_reply(404), 7), (Reply(body=[STALL], delay=0), None)])
def test_failed_requests_leave_no_empty_rows(server, tmp_path, reply, code):
    if code is None:  # a refused connection
        base = "http://127.0.0.1:9/v1"
        code = 8
    else:
        server.enqueue(reply)
        base = server.base_url
    r = cli(["ask", "--base-url", base, "--model", "m", "--plain", "q"], tmp_path)
    assert r.returncode == code, r.stderr
    assert json.loads(cli(["history", "list", "--json"], tmp_path).stdout) == []
