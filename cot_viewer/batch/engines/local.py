"""A process pool over the machine's cores. Workers read their own chunks; at most two
chunks per worker are in flight, so memory does not grow with the input."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from cot_viewer.batch.chunk import run_task


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run(tasks, spec, on_result, *, workers=None, address=None) -> None:
    workers = max(1, min(workers or default_workers(), len(tasks) or 1))
    # forkserver: workers are forked from a clean process that has imported what they need
    # once (preload), not from this one with its progress thread; elsewhere: spawn
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["cot_viewer.batch.engines.preload"])
    else:
        ctx = multiprocessing.get_context("spawn")
    pending: dict[Future, object] = {}
    todo = iter(tasks)
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        def submit() -> None:
            for task in todo:
                pending[pool.submit(run_task, task, spec)] = task
                if len(pending) >= 2 * workers:
                    return

        submit()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                task = pending.pop(fut)
                on_result(task, fut.result())
            submit()
