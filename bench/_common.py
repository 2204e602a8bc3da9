"""Shared pieces for the benchmarks: the loopback server as a subprocess, and timing.

Every figure is a ratio against a baseline measured in the same run, on the same machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
SHARED = REPO.parent / "shared"


def _bytecode() -> None:
    """The package's bytecode, as an install leaves it. Without it (an editable install under
    PYTHONDONTWRITEBYTECODE, as on the development machine) every process the benchmarks start
    compiles the sources it imports, which would be measured as our start-up."""
    import compileall

    compileall.compile_dir(str(REPO / "cot_viewer"), quiet=2)


_bytecode()
if str(TESTS) not in sys.path:  # the loopback server and the trace builders
    sys.path.insert(0, str(TESTS))

QUICK = "--quick" in sys.argv  # a smoke run: token counts scaled down, the figures prove nothing
BIG = 6_000 if QUICK else 60_000  # tokens of the long stream


def runs(default: int) -> int:
    """``--runs N`` from the command line: how many runs a figure takes the best of."""
    return int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else default


def env(home: str | Path, **extra: str) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    e["COT_VIEWER_HOME"] = str(home)
    e.update(extra)
    return e


@contextmanager
def loopback(*args: str):
    """Start ``tests/loopback.py`` with ``args``; yield its base URL; stop it."""
    p = subprocess.Popen([sys.executable, str(TESTS / "loopback.py"), "--port", "0", *args], stdout=subprocess.PIPE, text=True)
    try:
        url = p.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError("the loopback server did not start")
        yield url
    finally:
        p.terminate()
        p.wait(10)


def timed(cmd: list[str], *, env: dict[str, str] | None = None, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=stdout, stderr=stderr)
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} exited {r.returncode}")
    return elapsed


def median_of(fn, runs: int) -> float:
    return statistics.median(fn() for _ in range(runs))


def tempdir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="cot-viewer-bench-")


def cot_viewer() -> list[str]:
    return [sys.executable, "-m", "cot_viewer"]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
