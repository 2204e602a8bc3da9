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
