"""``cot-viewer replay`` and ``demo`` on the plain path: same output as live, any speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loopback import deepseek_chunks, stream_reply

from cot_viewer.replay import paced, timeline_events
from cot_viewer.stream.events import AnswerDelta, Finish, ReasoningDelta, StreamEnd


def cv(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COT_VIEWER_HOME": str(home)}
    env.pop("COT_VIEWER_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "cot_viewer", *args], env=env, input="",
                          capture_output=True, text=True, timeout=30)


def small_doc(**over) -> dict:
    doc = {"format": "cot-viewer/transcript", "version": 1, "id": "small0000001", "prompt": "p",
           "created": "2026-01-01T00:00:00Z", "reasoning": "abcdef", "answer": "xy", "status": "complete",
           "finish_reason": "stop", "timeline": [[0.1, "r", 3], [0.5, "r", 3], [1.0, "a", 2]],
           "timing": {"total_s": 1.0}}
    doc.update(over)
    return doc


def test_replay_matches_the_live_output_byte_for_byte(tmp_path, server):
    home = tmp_path / "home"
    reasoning = "Hmm, let me think. " * 40 + "Wait, <b>really</b>?\n\nYes."
    answer = "**Answer:** 42.\n\n```\ncode\n```"
    server.enqueue(stream_reply(deepseek_chunks(reasoning, answer)))
    live = cv(home, "ask", "--plain", "--provider", "custom", "--base-url", server.base_url, "--model", "m", "q")
    assert live.returncode == 0, live.stderr
    tid = json.loads(cv(home, "history", "list", "--json").stdout)[0]["id"]
    replay = cv(home, "replay", tid[:6], "--speed", "0", "--plain")
    assert replay.returncode == 0, replay.stderr
    assert (replay.stdout, replay.stderr) == (live.stdout, live.stderr)
    assert answer in replay.stdout and reasoning in replay.stderr

    exported = tmp_path / "t.json"
    assert cv(home, "history", "export", tid, "-o", str(exported)).returncode == 0
    from_file = cv(tmp_path / "elsewhere", "replay", str(exported), "--speed", "0", "--plain")
    assert (from_file.stdout, from_file.stderr) == (live.stdout, live.stderr)


def test_replay_keeps_the_pace(tmp_path):
    f = tmp_path / "small.json"
    f.write_text(json.dumps(small_doc()))
    t0 = time.monotonic()
    r = cv(tmp_path, "replay", str(f), "--speed", "2", "--plain")
    slow = time.monotonic() - t0
    t0 = time.monotonic()
    r0 = cv(tmp_path, "replay", str(f), "--speed", "0", "--plain")
    fast = time.monotonic() - t0
    assert r.returncode == 0 and r.stdout == "xy\n" and r.stderr == "abcdef\n\n"
    assert r0.stdout == r.stdout
    assert slow - fast >= 0.35  # 1.0 s of stream at 2× ≈ 0.5 s


@pytest.mark.parametrize("args, message", [
    (["replay", "nonexistent"], "no transcript 'nonexistent'"),
    (["replay", "{dir}/two.jsonl"], "holds 2 transcripts"),
    (["replay", "{dir}/bad.json"], "not a cot-viewer transcript"),
    (["replay", "{dir}/small.json", "--speed", "-1"], "--speed"),
    (["replay", "{dir}/small.json", "--speed", "1e-300"], "--speed"),  # a 5 s gap overflowed time.sleep
    (["demo", "--plain", "--speed", "1e-300"], "--speed"),
])
def test_replay_errors_are_one_line(tmp_path, args, message):
    (tmp_path / "small.json").write_text(json.dumps(small_doc()))
    (tmp_path / "two.jsonl").write_text(json.dumps(small_doc()) + "\n" + json.dumps(small_doc(id="other")) + "\n")
    (tmp_path / "bad.json").write_text('{"hello": 1}')
    r = cv(tmp_path / "home", *[a.format(dir=tmp_path) for a in args])
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.stderr


def test_demo_plain(tmp_path):
    r = cv(tmp_path, "demo", "--plain", "--speed", "0")
    assert r.returncode == 0
    assert "Example transcript" in r.stderr and "400" in r.stdout
    assert not (tmp_path / "history.db").exists()  # the demo is not saved in the history


def test_timeline_events_and_paced():
    from cot_viewer.export.transcript_json import from_doc

    tr = from_doc(small_doc())
    events = list(timeline_events(tr))
    assert [type(e) for e in events] == [ReasoningDelta, ReasoningDelta, AnswerDelta, Finish, StreamEnd]
    assert [e.text for e in events[:3]] == ["abc", "def", "xy"] and events[-1].done is True
    now = [0.0]
    slept = []

    def sleep(s):
        slept.append(round(s, 3))
        now[0] += s

    out = list(paced(iter(events), 2.0, clock=lambda: now[0], sleep=sleep))
    assert out == events
    assert slept == [0.05, 0.2, 0.25]


def test_replay_without_a_timeline_shows_the_text(tmp_path):
    """Issue #13 item 14: a transcript imported without a timeline replayed as nothing (exit 0)."""
    path = tmp_path / "t.json"
    path.write_text(json.dumps(small_doc(timeline=[], reasoning="THINKING here", answer="ANSWER there")))
    r = cv(tmp_path, "replay", str(path), "--plain", "--speed", "0")
    assert r.returncode == 0, r.stderr
    assert "ANSWER there" in r.stdout and "THINKING here" in r.stderr
