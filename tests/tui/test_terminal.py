"""A real terminal: tmux runs `cot-viewer ask` against the loopback server (CLI mode)."""

from __future__ import annotations

import os
import signal
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from tui_helpers import exit_code_file

TESTS = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (CI installs it)")


def _cot_viewer() -> str:
    script = Path(sys.executable).parent / "cot-viewer"
    return str(script) if script.exists() else f"{sys.executable} -m cot_viewer"


def _capture(sock: str, target: str) -> list[str]:
    out = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", target], capture_output=True, text=True)
    return out.stdout.splitlines()


def test_ask_in_tmux_shows_reasoning_left_and_answer_right(tmp_path):
    server = subprocess.Popen(
        [sys.executable, str(TESTS / "loopback.py"), "--port", "0", "--format", "deepseek",
         "--reasoning", "Hmm, LEFTWORD reasoning goes here. " * 3, "--answer", "RIGHTWORD answer.", "--delay-ms", "2"],
        stdout=subprocess.PIPE, text=True,
    )
    sock = f"cv-test-{uuid.uuid4().hex[:8]}"
    rc_file = tmp_path / "rc"
    try:
        url = server.stdout.readline().strip()
        assert url.startswith("http")
        env_prefix = f"COT_VIEWER_HOME={tmp_path / 'home'} TERM=xterm-256color"
        cmd = f"{env_prefix} {_cot_viewer()} ask --base-url {url} --model deepseek-reasoner 'Which side?'; echo $? > {rc_file}"
        subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-s", "cv", "-x", "160", "-y", "40", cmd], check=True,
                       env={k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")})
        deadline = time.monotonic() + 20
        lines: list[str] = []
        while time.monotonic() < deadline:
            lines = _capture(sock, "cv")
            if any("done" in ln and "RIGHTWORD" not in ln for ln in lines[-6:]) and any("RIGHTWORD" in ln for ln in lines):
                break
            time.sleep(0.2)
        screen = "\n".join(lines)
        assert "Monologue" in screen and "Answer" in screen, screen
        left = [ln.find("LEFTWORD") for ln in lines if "LEFTWORD" in ln]
        right = [ln.find("RIGHTWORD") for ln in lines if "RIGHTWORD" in ln]
        assert left and all(0 <= c < 80 for c in left), screen
        assert right and all(c >= 80 for c in right), screen
        subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "cv", "q"], check=True)
        assert exit_code_file(rc_file, 10) == "0"
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)
        server.terminate()
        server.wait(10)


class _Tmux:
    """One tmux server of our own running one command; the pane stays after it exits."""

    def __init__(self, tmp_path, cmd: str, size=(160, 40)) -> None:
        self.sock = f"cv-test-{uuid.uuid4().hex[:8]}"
        self.rc_file = tmp_path / "rc"
        env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        full = f"export COT_VIEWER_HOME={tmp_path / 'home'} TERM=xterm-256color; {cmd}; echo $? > {self.rc_file}"
        subprocess.run(["tmux", "-L", self.sock, "new-session", "-d", "-s", "cv", "-x", str(size[0]), "-y", str(size[1]),
                        "sh", "-c", full], check=True, env=env)
        subprocess.run(["tmux", "-L", self.sock, "set-option", "-t", "cv", "remain-on-exit", "on"], capture_output=True)

    def lines(self) -> list[str]:
        return _capture(self.sock, "cv")

    def screen(self) -> str:
        return "\n".join(self.lines())

    def wait_for(self, predicate, timeout: float = 30.0, what: str = "the screen") -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "-L", self.sock, "send-keys", "-t", "cv", *keys], check=True)

    def pane_flags(self) -> str:
        out = subprocess.run(["tmux", "-L", self.sock, "display-message", "-p", "-t", "cv",
                              "#{alternate_on} #{mouse_any_flag} #{mouse_button_flag}"], capture_output=True, text=True)
        return out.stdout.strip()

    def rc(self, timeout: float = 20.0) -> str:
        return exit_code_file(self.rc_file, timeout)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.sock, "kill-server"], capture_output=True)


def _loopback(*args: str) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, str(TESTS / "loopback.py"), "--port", "0", "--format", "deepseek", *args],
                              stdout=subprocess.PIPE, text=True)
    url = server.stdout.readline().strip()
    assert url.startswith("http")
    return server, url


def test_sigterm_leaves_the_terminal_as_it_was(tmp_path):
    """Issue #13 item 14: kill -TERM left the alternate screen and mouse reporting on."""
    server, url = _loopback("--reasoning", "Slowly thinking. " * 400, "--answer", "done.", "--delay-ms", "50")
    pid_file = tmp_path / "pid"
    tm = _Tmux(tmp_path, f"echo $$ > {pid_file}; exec {_cot_viewer()} ask --base-url {url} --model deepseek-reasoner 'Slow?'")
    try:
        tm.wait_for(lambda s: "Slowly thinking" in s, what="the stream")
        assert tm.pane_flags().startswith("1 "), tm.pane_flags()  # the alternate screen is on
        os.kill(int(pid_file.read_text()), signal.SIGTERM)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and tm.pane_flags() != "0 0 0":
            time.sleep(0.1)
        assert tm.pane_flags() == "0 0 0", tm.screen()
    finally:
        tm.close()
        server.terminate()
        server.wait(10)


def test_question_piped_in_a_terminal_reads_keys_from_the_terminal(tmp_path):
    """Issue #13 item 15: `echo q | cot-viewer ask` in a terminal left the TUI with stdin at EOF:
    keys did nothing and it spun at 98% CPU."""
    server, url = _loopback("--reasoning", "PIPEDWORD thinking. ", "--answer", "ANSWERWORD.", "--delay-ms", "2")
    tm = _Tmux(tmp_path, f"echo 'Which side?' | {_cot_viewer()} ask --base-url {url} --model deepseek-reasoner")
    try:
        tm.wait_for(lambda s: "ANSWERWORD" in s and "done" in s, what="the answer")
        tm.keys("q")
        assert tm.rc() == "0", tm.screen()
    finally:
        tm.close()
        server.terminate()
        server.wait(10)


def test_home_at_80x24_in_a_real_terminal(tmp_path):
    """Issue #13 items 18 and 25 in tmux: at 80×24 the title, the search and the prompts are on
    screen, and the footer has Quit and Help."""
    import json

    doc = {"format": "cot-viewer/transcript", "version": 1, "id": "tmux00000001", "created": "2026-01-01T00:00:00Z",
           "prompt": "TMUXPROMPT how many primes below 100?", "reasoning": "Let me count.", "answer": "25.",
           "status": "complete", "finish_reason": "stop", "timeline": [[0.1, "r", 13], [0.2, "a", 3]],
           "timing": {"total_s": 0.2}}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    cv = _cot_viewer()
    tm = _Tmux(tmp_path, f"{cv} history import {path} && {cv}", size=(80, 24))
    try:
        screen = tm.wait_for(lambda s: "TMUXPROMPT" in s and "Quit" in s, what="the home screen")
        lines = screen.splitlines()
        assert lines[0].strip().startswith("cot-viewer"), screen
        assert any("Search reasoning" in ln for ln in lines[:4]), screen
        prompt_row = next(ln for ln in lines if "TMUXPROMPT" in ln)
        assert prompt_row.index("TMUXPROMPT") < 5, screen  # the first column
        assert "q Quit" in lines[-1] and "? Help" in lines[-1], lines[-1]
        tm.keys("q")
        assert tm.rc() == "0", tm.screen()
    finally:
        tm.close()
