"""The guarantees that need real processes: ``kill -9`` mid-stream keeps what arrived, and
two ``cot-viewer`` processes streaming at once both save completely."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from loopback import synthetic_reasoning

from cot_viewer.store.history import History

LOOPBACK = Path(__file__).resolve().parent.parent / "loopback.py"


@contextmanager
def loopback_cli(*args: str):
    p = subprocess.Popen([sys.executable, str(LOOPBACK), "--port", "0", "--format", "deepseek", *args],
                         stdout=subprocess.PIPE, text=True)
    try:
        url = p.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p.stdout.close()


def start_ask(home: Path, url: str, prompt: str, out: Path, err: Path) -> subprocess.Popen:
    env = {**os.environ, "COT_VIEWER_HOME": str(home)}
    env.pop("COT_VIEWER_CONFIG", None)
    with out.open("wb") as o, err.open("wb") as e:
        return subprocess.Popen(
            [sys.executable, "-m", "cot_viewer", "ask", "--plain", "--provider", "custom", "--base-url", url,
             "--model", "m", prompt], env=env, stdin=subprocess.DEVNULL, stdout=o, stderr=e)


def saved_reasoning_len(db_file: Path) -> int:
    if not db_file.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=1)
        try:
            row = db.execute("SELECT max(reasoning_len) FROM transcripts").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return 0
    return row[0] or 0


def test_kill_9_mid_stream_keeps_the_reasoning_so_far(tmp_path):
    home = tmp_path / "home"
    tokens = 4000  # ≥ 20 s at 5 ms an event: far longer than the test lets it run
    full = synthetic_reasoning(tokens)
    with loopback_cli("--synthetic-reasoning-tokens", str(tokens), "--delay-ms", "5") as url:
        err = tmp_path / "err.txt"
        p = start_ask(home, url, "think slowly", tmp_path / "out.txt", err)
        try:
            deadline = time.monotonic() + 20
            while saved_reasoning_len(home / "history.db") == 0:  # first half-second save
                assert p.poll() is None and time.monotonic() < deadline, err.read_text()
                time.sleep(0.05)
            t1, printed1 = time.monotonic(), len(err.read_text())
            time.sleep(1.3)
            printed2 = len(err.read_text())
            t2 = time.monotonic()
            p.send_signal(signal.SIGKILL)
        finally:
            p.kill()
            p.wait()  # reaped: its pid is dead for the sweep
    assert p.returncode == -signal.SIGKILL
    shown = err.read_text()
    rate = (printed2 - printed1) / (t2 - t1)  # characters a second, as printed
    assert rate > 100 and len(shown) < len(full)  # it really was cut mid-stream

    with History.open(home / "history.db") as h:  # the sweep runs here
        [row] = h.list()
        tr = h.get(row.id)
    assert tr.status == "interrupted" and tr.error_kind == "connection"
    assert tr.reasoning and full.startswith(tr.reasoning)
    assert tr.answer == ""
    # at most half a second behind what had arrived (plus slack for the printer's 50 ms buffer
    # and the moments between reading stderr and the kill)
    assert len(tr.reasoning) >= printed2 - rate * 0.75, (len(tr.reasoning), printed2, rate)
    assert full.startswith(shown)
    assert len(tr.timeline) > 0 and sum(n for _, _, n in tr.timeline.entries()) == len(tr.reasoning)
    with History.open(home / "history.db") as h:
        assert [x.id for x in h.search("wait")][:1] == [tr.id]  # swept → indexed


def test_two_processes_streaming_at_once_both_save(tmp_path):
    home = tmp_path / "home"
    tokens = 600
    full = synthetic_reasoning(tokens)
    with loopback_cli("--synthetic-reasoning-tokens", str(tokens), "--delay-ms", "2") as url:
        procs = [start_ask(home, url, f"question {i}", tmp_path / f"out{i}", tmp_path / f"err{i}") for i in range(2)]
        for p in procs:
            assert p.wait(60) == 0
    for i in range(2):
        assert (tmp_path / f"out{i}").read_text().startswith("**Answer:**")
    with History.open(home / "history.db") as h:
        rows = h.list()
        assert sorted(r.prompt for r in rows) == ["question 0", "question 1"]
        trs = [h.get(r.id) for r in rows]
        spans = h.db.execute("SELECT created, updated FROM transcripts").fetchall()
        assert len(h.search("wait")) == 2
    for tr in trs:
        assert tr.status == "complete" and tr.reasoning == full and tr.answer.startswith("**Answer:**")
    (a0, a1), (b0, b1) = spans
    assert a0 < b1 and b0 < a1, "the two streams did not overlap"
