"""Ray Data: the plan becomes a dataset of chunk descriptions, ``map`` runs the batch
function on each (one CPU each), and the encoded parts come back to this process, which
writes them: workers need to read the inputs, never to write the output directory.

``address=None`` starts a local Ray; ``--address ray://head:10001`` (or ``auto``) joins a
cluster, shipping this package to its workers (every node needs ``cot-viewer[ray]``'s
dependencies, which a Ray image has, and the inputs at the same path or URL).
"""

from __future__ import annotations

import logging
from typing import Any

from cot_viewer.batch.model import ChunkResult, Spec, Task
from cot_viewer.batch.writer import OUTPUTS


def _run_row(row: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    from cot_viewer.batch.chunk import run_task

    r = run_task(Task.from_json(row["task"]), Spec(**spec))
    out: dict[str, Any] = {"key": r.key, "rows": r.rows, "traces": r.traces, "rejects": r.rejects, "chars": r.chars}
    out.update({f"part_{name}": r.parts.get(name, b"") for name in OUTPUTS})
    return out


def run(tasks, spec, on_result, *, workers=None, address=None) -> None:
    import ray
    import ray.data

    import cot_viewer

    logging.getLogger("ray").setLevel(logging.WARNING)
    started = not ray.is_initialized()
    if started:
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
        if address:
            kwargs["runtime_env"] = {"py_modules": [cot_viewer]}
        else:
            kwargs["num_cpus"] = workers
        ray.init(address=address, **kwargs)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        by_key = {t.key: t for t in tasks}
        ds = ray.data.from_items([{"task": t.to_json()} for t in tasks], override_num_blocks=max(1, len(tasks)))
        ds = ds.map(_run_row, fn_kwargs={"spec": spec.to_dict()}, num_cpus=1)
        for row in ds.iter_rows():
            parts = {name: bytes(row[f"part_{name}"]) for name in OUTPUTS if row[f"part_{name}"]}
            result = ChunkResult(row["key"], row["rows"], row["traces"], row["rejects"], row["chars"], parts)
            on_result(by_key[result.key], result)
    finally:
        if started:
            ray.shutdown()
