"""Engines: where :func:`cot_viewer.batch.chunk.run_task` runs. Each is
``run(tasks, spec, on_result, *, workers, address)`` and calls ``on_result(task, result)`` in
the parent as chunks finish (any order; outputs are per chunk, so order never shows).

* ``serial`` — a loop in this process (the benchmarks' baseline; ``--workers 1``);
* ``local`` — the default: a process pool over all cores, no extra service;
* ``ray`` — Ray Data, locally (``ray.init()``) or on a cluster (``--address``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from cot_viewer.batch.model import ChunkResult, Spec, Task

_MODULES = {"local": "local", "serial": "serial", "ray": "ray_data"}

OnResult = Callable[[Task, ChunkResult], None]


def run(engine: str, tasks: list[Task], spec: Spec, on_result: OnResult, *, workers: int | None = None, address: str | None = None) -> None:
    module = importlib.import_module(f"{__name__}.{_MODULES[engine]}")
    module.run(tasks, spec, on_result, workers=workers, address=address)
