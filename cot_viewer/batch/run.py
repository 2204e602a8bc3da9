"""``batch analyze``: plan the inputs, skip the chunks already done, run the rest on an
engine and write each chunk's parts as it finishes, under a progress bar."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from cot_viewer.batch import engines
from cot_viewer.batch.model import ChunkResult, Spec, Task
from cot_viewer.batch.progress import bar
from cot_viewer.batch.sources import expand, kind_of, plan
from cot_viewer.batch.writer import OutputDir

CHUNK_ROWS = 64


@dataclass
class RunStats:
    chunks: int = 0  # chunks analysed by this run
    skipped: int = 0  # chunks already done (--resume)
    rows: int = 0
    traces: int = 0
    rejects: int = 0
    chars: int = 0
    seconds: float = 0.0


def analyse(
    sources: list[str], out: str | Path, spec: Spec, *, engine: str = "local", workers: int | None = None,
    address: str | None = None, chunk_rows: int = CHUNK_ROWS, resume: bool = False, progress: bool = True,
) -> RunStats:
    from cot_viewer.analysis import SCHEMA_VERSION

    t0 = time.perf_counter()
    paths = expand(sources)
    scan = sum(Path(p).stat().st_size for p in paths if kind_of(p) == "jsonl")
    with bar("planning", scan, "bytes", enabled=progress and scan > 64 << 20) as advance:
        found, tasks = plan(paths, chunk_rows, advance)
    manifest = {
        "inputs": [{"path": s.path, "size": s.size} for s in found],
        "spec": spec.to_dict(), "chunk_rows": chunk_rows, "analysis_schema": SCHEMA_VERSION,
    }
    output = OutputDir(out)
    done = output.prepare(manifest, resume=resume)
    todo = [t for t in tasks if t.key not in done]
    stats = RunStats(skipped=len(tasks) - len(todo))
    with bar("analysing", sum(t.rows for t in todo), "rows", enabled=progress) as advance:
        def on_result(task: Task, result: ChunkResult) -> None:
            output.write(result)
            stats.chunks += 1
            stats.rows += result.rows
            stats.traces += result.traces
            stats.rejects += result.rejects
            stats.chars += result.chars
            advance(task.rows)

        if todo:
            engines.run(engine, todo, spec, on_result, workers=workers, address=address)
    stats.seconds = time.perf_counter() - t0
    return stats
