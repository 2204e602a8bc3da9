"""A run killed with SIGKILL (all its processes) resumes with --resume and ends with the very
same bytes as a run that was never interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from batch_traces import rows, tree, write_jsonl
from cot_viewer.cli import main


def wait_for(cond, timeout: float = 180.0, what: str = "condition") -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_resume_after_kill_9_gives_identical_output(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", rows(240, seed=7))
    args = ["batch", "analyze", str(src), "--chunk-rows", "4", "--steps", "--quiet"]
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "cot_viewer", *args, "-o", str(out), "--workers", "2"],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: len(list((out / "traces").glob("part-*.parquet"))) >= 3 or proc.poll() is not None, what="three parts")
        assert proc.poll() is None, proc.stderr.read().decode()
        os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, mid-run
    finally:
        proc.wait(30)
    parts = len(list((out / "traces").glob("part-*.parquet")))
    assert 3 <= parts < 60  # really stopped part-way (60 chunks)

    assert main([*args, "-o", str(out), "--resume", "--workers", "2"]) == 0
    clean = tmp_path / "clean"
    assert main([*args, "-o", str(clean), "--workers", "1"]) == 0
    assert tree(out) == tree(clean)
    assert len([k for k in tree(clean) if k.startswith("traces/")]) == 60


def test_resume_refuses_other_options(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", rows(6, seed=1))
    out = str(tmp_path / "o")
    assert main(["batch", "analyze", str(src), "-o", out, "--workers", "1", "--quiet"]) == 0
    assert main(["batch", "analyze", str(src), "-o", out, "--workers", "1", "--quiet", "--resume", "--steps"]) == 2
    assert "spec differ" in capsys.readouterr().err
    # the same options: nothing left to do, nothing changes
    before = tree(Path(out))
    assert main(["batch", "analyze", str(src), "-o", out, "--workers", "1", "--quiet", "--resume"]) == 0
    assert tree(Path(out)) == before


def _children(pid: int) -> list[int]:
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(p))
            except (OSError, ValueError, IndexError):
                pass
    return out


def test_a_worker_killed_stops_the_run_with_one_line_and_resume_finishes(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", rows(160, seed=9))
    args = ["batch", "analyze", str(src), "--chunk-rows", "4", "--quiet"]
    out = tmp_path / "o"
    proc = subprocess.Popen([sys.executable, "-m", "cot_viewer", *args, "-o", str(out), "--workers", "2"],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        # workers are the fork server's children, grandchildren of the command
        wait_for(lambda: (out / "traces").is_dir() and any(_children(c) for c in _children(proc.pid)) or proc.poll() is not None,
                 what="workers")
        assert proc.poll() is None
        for c in _children(proc.pid):
            for w in _children(c):
                os.kill(w, signal.SIGKILL)
        err = proc.communicate(timeout=120)[1]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
    assert proc.returncode == 1
    assert err.startswith("cot-viewer: a worker process died") and err.count("\n") == 1, err
    assert main([*args, "-o", str(out), "--resume", "--workers", "1"]) == 0
    assert len(list((out / "traces").glob("part-*.parquet"))) == 40
