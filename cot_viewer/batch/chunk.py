"""The batch function: one chunk of input rows → its encoded output parts.

Every engine (serial, the local process pool, Ray) calls :func:`run_task` and nothing else,
so they give the same bytes. It reads its own rows (only the plan travels to a worker),
never raises for a bad row or a failed analysis (those become rejects), and returns
Parquet bytes for the parent to write.
"""

from __future__ import annotations

from cot_viewer.batch.adapters import row_traces
from cot_viewer.batch.model import ChunkResult, RowError, Spec, Task, Trace
from cot_viewer.batch.rows import encode, schemas, step_rows, trace_row
from cot_viewer.batch.sources import read_rows


def row_id(task: Task, row: int) -> str:
    """The id of a trace whose row names none: ``file name:row``."""
    name = task.source.rsplit("/", 1)[-1]
    return f"{name}:{row}"


def run_task(task: Task, spec: Spec) -> ChunkResult:
    from cot_viewer.analysis import analyze

    traces: list[dict] = []
    steps: list[dict] = []
    rejects: list[dict] = []
    rows = chars = 0
    for row_no, row in read_rows(task):
        rows += 1
        try:
            if isinstance(row, RowError):
                raise row
            found = row_traces(row, row_id(task, row_no), spec)
        except RowError as exc:
            rejects.append({"source": task.source, "row": row_no, "trace": None, "reason": str(exc)})
            continue
        for i, t in enumerate(found):
            if not isinstance(t, Trace):
                rejects.append({"source": task.source, "row": row_no, "trace": i, "reason": str(t)})
                continue
            try:
                a = analyze(t.reasoning, t.answer, t.char_times, prompt=t.prompt)
                traces.append(trace_row(task.source, row_no, t, a))
                if spec.steps:
                    steps.extend(step_rows(task.source, row_no, t, a))
            except Exception as exc:  # noqa: BLE001 - one trace must never stop a dataset
                rejects.append({"source": task.source, "row": row_no, "trace": i,
                                "reason": f"analysis failed: {type(exc).__name__}: {exc}"})
                continue
            chars += len(t.reasoning)
    sch = schemas()
    parts = {"traces": encode(traces, sch["traces"]), "rejects": encode(rejects, sch["rejects"])}
    if spec.steps:
        parts["steps"] = encode(steps, sch["steps"])
    return ChunkResult(task.key, rows, len(traces), len(rejects), chars, parts)
