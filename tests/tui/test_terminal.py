"""A real terminal: tmux runs `cot-viewer ask` against the loopback server (CLI mode)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

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
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not rc_file.exists():
            time.sleep(0.1)
        assert rc_file.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)
        server.terminate()
        server.wait(10)
