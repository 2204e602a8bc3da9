"""Replay against the live path: ``replay --speed 0 --plain`` vs ``ask --plain`` over loopback.

    /work/venv/bin/python bench/bench_replay.py [--tokens 60000] [--runs 5]

Starts ``tests/loopback.py`` (DeepSeek format, a synthetic monologue of --tokens tokens of
4 characters, no delays) as a subprocess; runs ``cot-viewer ask --plain`` against it with
COT_VIEWER_HOME in a temporary folder (stdout/stderr to files), then ``cot-viewer replay
<id> --speed 0 --plain`` of the transcript it saved. Each is timed as a whole subprocess,
--runs times; prints the medians and their ratio (target: replay ≤ 1.2 × ask).
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).with_name("cot-viewer")


def cot_viewer() -> list[str]:
    return [str(BIN)] if BIN.exists() else [sys.executable, "-m", "cot_viewer"]


def timed(cmd: list[str], env: dict, out: Path, err: Path) -> float:
    with out.open("wb") as o, err.open("wb") as e:
        t0 = time.perf_counter()
        rc = subprocess.run(cmd, env=env, stdout=o, stderr=e, stdin=subprocess.DEVNULL).returncode
        dt = time.perf_counter() - t0
    if rc != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {rc}: {err.read_text()[-500:]}")
    return dt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tokens", type=int, default=60_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    server = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "loopback.py"), "--port", "0", "--format", "deepseek",
         "--synthetic-reasoning-tokens", str(args.tokens)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        url = server.stdout.readline().strip()
        if not url.startswith("http"):
            raise SystemExit("the loopback server did not start")
        with tempfile.TemporaryDirectory(prefix="cv-bench-replay-") as tmp:
            tmp = Path(tmp)
            env = {**os.environ, "COT_VIEWER_HOME": str(tmp / "home"), "NO_COLOR": "1"}
            env.pop("COT_VIEWER_CONFIG", None)
            ask = cot_viewer() + ["ask", "--plain", "--provider", "custom", "--base-url", url, "--model", "bench",
                                  "what is the probability?"]
            ask_times = [timed(ask, env, tmp / "ask.out", tmp / "ask.err") for _ in range(args.runs)]
            db = sqlite3.connect(tmp / "home" / "history.db")
            tid, rlen = db.execute(
                "SELECT id, reasoning_len FROM transcripts ORDER BY created DESC LIMIT 1").fetchone()
            db.close()
            replay = cot_viewer() + ["replay", tid, "--speed", "0", "--plain"]
            replay_times = [timed(replay, env, tmp / "replay.out", tmp / "replay.err") for _ in range(args.runs)]
            same = ((tmp / "ask.out").read_bytes() == (tmp / "replay.out").read_bytes()
                    and (tmp / "ask.err").read_bytes() == (tmp / "replay.err").read_bytes())
            version = cot_viewer() + ["--version"]
            start_times = [timed(version, env, tmp / "v.out", tmp / "v.err") for _ in range(args.runs)]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()

    a, r, s = statistics.median(ask_times), statistics.median(replay_times), statistics.median(start_times)
    print(f"transcript: {args.tokens:,} reasoning tokens ({rlen:,} characters), id {tid}")
    print(f"ask --plain over loopback     median {a * 1000:7.0f} ms   runs: {', '.join(f'{t * 1000:.0f}' for t in ask_times)}")
    print(f"replay --speed 0 --plain      median {r * 1000:7.0f} ms   runs: {', '.join(f'{t * 1000:.0f}' for t in replay_times)}")
    print(f"(cot-viewer --version start-up median {s * 1000:.0f} ms)")
    print(f"replay / ask = {r / a:.2f}×  (target ≤ 1.2×)")
    print(f"replay output identical to the live output: {'yes' if same else 'NO'}")
    return 0 if r / a <= 1.2 and same else 1


if __name__ == "__main__":
    sys.exit(main())
