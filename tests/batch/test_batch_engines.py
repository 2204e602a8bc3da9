"""The same input gives byte-identical output directories run after run and on every engine
(serial loop, the local process pool, Ray Data on a local Ray)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from batch_traces import rows, tree, write_jsonl
from cot_viewer.cli import main


@pytest.fixture
def inputs(tmp_path):
    data = rows(48, seed=3)
    (tmp_path / "in").mkdir()
    write_jsonl(tmp_path / "in" / "a.jsonl", data[:20] + [{"broken": True}])
    pq.write_table(pa.Table.from_pylist(data[20:]), tmp_path / "in" / "b.parquet", row_group_size=10)
    return [str(tmp_path / "in" / "a.jsonl"), str(tmp_path / "in" / "b.parquet")]


def analyse(inputs, out: Path, *extra: str) -> dict[str, bytes]:
    assert main(["batch", "analyze", *inputs, "-o", str(out), "--chunk-rows", "6", "--steps", "--quiet", *extra]) == 0
    return tree(out)


def test_runs_and_engines_give_identical_bytes(inputs, tmp_path):
    serial = analyse(inputs, tmp_path / "serial", "--workers", "1")
    assert len([k for k in serial if k.startswith("traces/")]) == 4 + 6  # 21 lines in 6s; row groups of 10, 10, 8 cut at 6 rows
    assert pq.read_table(tmp_path / "serial" / "traces").num_rows == 48
    assert analyse(inputs, tmp_path / "local", "--workers", "2") == serial
    assert analyse(inputs, tmp_path / "again", "--workers", "2") == serial
    # the directory holding both files is the same input
    assert analyse([str(tmp_path / "in")], tmp_path / "dir", "--workers", "2") == serial


def test_ray_engine_on_a_local_ray_gives_the_same_bytes(inputs, tmp_path):
    pytest.importorskip("ray", reason="the ray extra is not installed")
    serial = analyse(inputs, tmp_path / "serial", "--workers", "1")
    out = tmp_path / "ray"
    r = subprocess.run([sys.executable, "-m", "cot_viewer", "batch", "analyze", *inputs, "-o", str(out), "--chunk-rows", "6",
                        "--steps", "--quiet", "--engine", "ray", "--workers", "2"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert tree(out) == serial


def test_ray_cluster_that_cannot_be_reached_exits_8(inputs, tmp_path):
    pytest.importorskip("ray", reason="the ray extra is not installed")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    r = subprocess.run([sys.executable, "-m", "cot_viewer", "batch", "analyze", inputs[0], "-o", str(tmp_path / "o"), "-q",
                        "--engine", "ray", "--address", "auto"], capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 8, r.stderr[-2000:]
    assert r.stderr.startswith("cot-viewer: could not reach the Ray cluster at auto:") and r.stderr.count("\n") == 1
