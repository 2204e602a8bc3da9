"""A real terminal: tmux runs `cot-viewer compare FILE FILE` and `cot-viewer ask --compare` (loopback server)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from compare_runs import ANSWER_A, ANSWER_B, PROMPT, REASONING_A, REASONING_B
from tui_helpers import exit_code_file, make_transcript

from cot_viewer.export.transcript_json import dumps

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (CI installs it)")


def _capture(sock: str) -> list[str]:
    return subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", "cv"], capture_output=True, text=True).stdout.splitlines()


def _wait(sock: str, ok, what: str, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = _capture(sock)
        if ok(lines):
            return lines
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}:\n" + "\n".join(lines))


def test_compare_in_tmux_shows_both_runs_side_by_side(tmp_path):
    files = []
    for name, reasoning, answer, step in (("a", REASONING_A, ANSWER_A, 0.01), ("b", REASONING_B, ANSWER_B, 0.03)):
        f = tmp_path / f"{name}.json"
        f.write_text(dumps([make_transcript(reasoning, answer, prompt=PROMPT,
                                            id=name * 12, step=step)]))
        files.append(str(f))
    script = Path(sys.executable).parent / "cot-viewer"
    exe = str(script) if script.exists() else f"{sys.executable} -m cot_viewer"
    sock = f"cv-test-{uuid.uuid4().hex[:8]}"
    rc = tmp_path / "rc"
    cmd = f"export COT_VIEWER_HOME={tmp_path / 'home'} TERM=xterm-256color; {exe} compare {files[0]} {files[1]} --speed 0.5; echo $? > {rc}"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-s", "cv", "-x", "160", "-y", "40", "sh", "-c", cmd],
                   check=True, env=env)
    try:
        lines = _wait(sock, lambda ls: any("A › " in ln for ln in ls) and any("B › " in ln for ln in ls), "both columns")
        assert all(ln.find("A › ") < 80 for ln in lines if "A › " in ln)  # side by side: A left, B right
        assert all(ln.find("B › ") >= 80 for ln in lines if "B › " in ln)
        subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "cv", "e"], check=True)
        lines = _wait(sock, lambda ls: "So the final answer is" in "".join(ls) and "The final answer is 4.8" in "".join(ls),
                      "both monologues whole")
        assert any("<script>alert(1)</script>" in ln for ln in lines)  # B's answer as text
        assert any("answers agree" in ln for ln in lines[:2])
        subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "cv", "q"], check=True)
        assert exit_code_file(rc, 15) == "0"
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)


def test_ask_compare_in_tmux_streams_both_columns_at_once_and_pairs_them(tmp_path):
    tests = Path(__file__).resolve().parents[1]
    server = subprocess.Popen(
        [sys.executable, str(tests / "loopback.py"), "--port", "0", "--format", "deepseek",
         "--reasoning", "Hmm, STREAMWORD thinking goes on here. " * 60, "--answer", "FINALWORD.", "--delay-ms", "20"],
        stdout=subprocess.PIPE, text=True,
    )
    script = Path(sys.executable).parent / "cot-viewer"
    exe = str(script) if script.exists() else f"{sys.executable} -m cot_viewer"
    sock = f"cv-test-{uuid.uuid4().hex[:8]}"
    rc = tmp_path / "rc"
    home = tmp_path / "home"
    try:
        url = server.stdout.readline().strip()
        cmd = (f"export COT_VIEWER_HOME={home} TERM=xterm-256color; {exe} ask --base-url {url} --model m1 "
               f"--compare model=m2 'Which is faster?'; echo $? > {rc}")
        env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-s", "cv", "-x", "160", "-y", "40", "sh", "-c", cmd],
                       check=True, env=env)

        def words(lines, side):  # STREAMWORDs in the left (A) or right (B) column
            return sum(ln[:80].count("STREAMWORD") if side == "a" else ln[80:].count("STREAMWORD") for ln in lines)

        lines = _wait(sock, lambda ls: words(ls, "a") >= 2 and words(ls, "b") >= 2, "both columns streaming")
        assert not any("FINALWORD" in ln for ln in lines), "\n".join(lines)  # before either answer
        first = (words(lines, "a"), words(lines, "b"))
        _wait(sock, lambda ls: words(ls, "a") > first[0] and words(ls, "b") > first[1] or "both runs ended" in ls[0],
              "both advancing")
        lines = _wait(sock, lambda ls: "both runs ended" in ls[0] and sum(ln.count("FINALWORD") for ln in ls) >= 2,
                      "both answers", timeout=60)
        subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "cv", "q"], check=True)
        assert exit_code_file(rc, 15) == "0"
        listed = subprocess.run([sys.executable, "-m", "cot_viewer", "history", "list", "--json"], capture_output=True,
                                text=True, env={**env, "COT_VIEWER_HOME": str(home)})
        ids = [x["id"] for x in json.loads(listed.stdout)]
        assert len(ids) == 2
        shown = subprocess.run([sys.executable, "-m", "cot_viewer", "history", "show", ids[0]], capture_output=True,
                               text=True, env={**env, "COT_VIEWER_HOME": str(home)})
        assert f"paired with {ids[1]}" in shown.stdout
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)
        server.terminate()
        server.wait(10)
