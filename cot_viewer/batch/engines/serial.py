"""One chunk after another in this process."""

from __future__ import annotations

from cot_viewer.batch.chunk import run_task


def run(tasks, spec, on_result, *, workers=None, address=None) -> None:
    for task in tasks:
        on_result(task, run_task(task, spec))
