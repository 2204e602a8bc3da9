"""Inputs → a plan of chunks (:class:`Task`), and the rows of one chunk.

Sources are Parquet files, JSON Lines files, JSON files (one object or an array), globs of
them, directories (their ``.parquet``, ``.jsonl``, ``.ndjson`` and ``.json`` files), or
``history:`` (every saved transcript) / ``history:WORDS`` (those a full-text search finds).
A plan is deterministic — the same inputs give the same chunks — so a resumed run
and a run on another engine write the same parts. Parquet chunks follow row groups (split
into ``chunk_rows`` slices); JSON Lines chunks are ``chunk_rows`` lines, found by one scan of
the file for line ends.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cot_viewer import jsonin
from cot_viewer.batch.model import RowError, Task

HISTORY = "history:"
DATA_SUFFIXES = (".parquet", ".pq", ".jsonl", ".ndjson", ".json")
_SCAN_BLOCK = 1 << 22


class SourceError(ValueError):
    """An input that cannot be read at all (not a bad row); the message is one line."""


@dataclass(frozen=True)
class Source:
    path: str  # a file path, or "history:…"
    size: int  # bytes (for a resume check); the number of transcripts for the history


def expand(patterns: list[str]) -> list[str]:
    """Paths and globs → files in a stable order (each pattern's matches sorted)."""
    found: list[str] = []
    for pattern in patterns:
        if pattern.startswith(HISTORY):
            found.append(pattern)
            continue
        if os.path.isdir(pattern):  # a directory: its data files, at any depth
            matches = sorted(str(p) for p in Path(pattern).rglob("*") if p.is_file() and p.name.lower().endswith(DATA_SUFFIXES))
        else:
            matches = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        matches = [m for m in matches if os.path.isfile(m)]
        if not matches:
            raise SourceError(f"{pattern}: matches no file" if glob.has_magic(pattern) or os.path.isdir(pattern) else f"{pattern}: no such file")
        found.extend(m for m in matches if m not in found)
    return found


def kind_of(path: str) -> str:
    if path.startswith(HISTORY):
        return "history"
    name = path.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith(".json"):
        return "json"
    return "jsonl"


def plan(paths: list[str], chunk_rows: int, progress: Callable[[int], None] | None = None) -> tuple[list[Source], list[Task]]:
    """The chunks of every input, in order. ``progress(n)`` is told of bytes scanned."""
    sources: list[Source] = []
    tasks: list[Task] = []
    for index, path in enumerate(paths):
        kind = kind_of(path)
        if kind == "history":
            ids = _history_ids(path[len(HISTORY):])
            sources.append(Source(path, len(ids)))
            for c, at in enumerate(range(0, len(ids), chunk_rows)):
                part = tuple(ids[at : at + chunk_rows])
                tasks.append(Task(path, index, c, kind, at, len(part), ids=part))
            continue
        try:
            size = os.path.getsize(path)
            if kind == "parquet":
                found = _parquet_tasks(path, index, chunk_rows)
            elif kind == "json":
                found = [Task(path, index, 0, kind, 0, 1, 0, size)]
            else:
                found = _jsonl_tasks(path, index, chunk_rows, progress)
        except OSError as exc:
            raise SourceError(f"{path}: {exc.strerror or exc}") from None
        sources.append(Source(path, size))
        tasks.extend(found)
    return sources, tasks


def _parquet_tasks(path: str, index: int, chunk_rows: int) -> list[Task]:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise SourceError(f"{path}: not a Parquet file ({exc})") from None
    tasks, first = [], 0
    for g in range(meta.num_row_groups):
        n = meta.row_group(g).num_rows
        for at in range(0, n, chunk_rows):
            rows = min(chunk_rows, n - at)
            tasks.append(Task(path, index, len(tasks), "parquet", first + at, rows, at, at + rows, g))
        first += n
    return tasks


def _jsonl_tasks(path: str, index: int, chunk_rows: int, progress: Callable[[int], None] | None) -> list[Task]:
    """Chunks of ``chunk_rows`` lines: one pass over the file counting line ends."""
    tasks: list[Task] = []
    start = pos = lines = 0
    first = 0
    with open(path, "rb") as f:
        while block := f.read(_SCAN_BLOCK):
            at = 0
            while True:
                need = chunk_rows - (lines - first)
                nl = -1
                for _ in range(need):
                    nl = block.find(b"\n", at)
                    if nl == -1:
                        break
                    at = nl + 1
                    lines += 1
                if nl == -1:
                    break
                end = pos + at
                tasks.append(Task(path, index, len(tasks), "jsonl", first, lines - first, start, end))
                start, first = end, lines
            pos += len(block)
            if progress:
                progress(len(block))
    if pos > start:
        tasks.append(Task(path, index, len(tasks), "jsonl", first, lines - first + 1, start, pos))
    return tasks


def _history_ids(query: str) -> list[str]:
    from cot_viewer.store.history import History

    with History.open() as h:
        if not query.strip():
            return h.ids()
        return sorted({hit.id for hit in h.search(query, limit=h.count() or 1)})


def read_rows(task: Task) -> Iterator[tuple[int, Any]]:
    """``(row number, row)`` for each row of a chunk; a row that cannot be parsed comes as a
    :class:`RowError`. A file that cannot be read raises :class:`SourceError`."""
    try:
        if task.kind == "jsonl":
            yield from _jsonl_rows(task)
        elif task.kind == "json":
            yield from _json_rows(task)
        elif task.kind == "parquet":
            yield from _parquet_rows(task)
        else:
            yield from _history_rows(task)
    except OSError as exc:
        raise SourceError(f"{task.source}: {exc.strerror or exc}") from None


def _jsonl_rows(task: Task) -> Iterator[tuple[int, Any]]:
    with open(task.source, "rb") as f:
        f.seek(task.start)
        data = f.read(task.stop - task.start)
    for i, line in enumerate(data.split(b"\n")):
        if not line.strip():
            continue
        try:
            yield task.first_row + i, jsonin.loads(line, errors="surrogatepass")
        except (ValueError, RecursionError) as exc:  # (UnicodeDecodeError is a ValueError)
            yield task.first_row + i, RowError(f"not JSON: {exc}")


def _json_rows(task: Task) -> Iterator[tuple[int, Any]]:
    try:
        doc = jsonin.loads(Path(task.source).read_bytes(), errors="surrogatepass")
    except (ValueError, RecursionError) as exc:  # (UnicodeDecodeError is a ValueError)
        yield 0, RowError(f"not JSON: {exc}")
        return
    yield from enumerate(doc if isinstance(doc, list) else [doc])


def _parquet_rows(task: Task) -> Iterator[tuple[int, Any]]:
    import pyarrow.parquet as pq

    table = pq.ParquetFile(task.source).read_row_group(task.group).slice(task.start, task.rows)
    for i, row in enumerate(table.to_pylist()):
        yield task.first_row + i, row


def _history_rows(task: Task) -> Iterator[tuple[int, Any]]:
    """Saved transcripts in the exchange format, so one adapter reads files and history."""
    from cot_viewer.export.transcript_json import to_doc
    from cot_viewer.store.history import History, NotFound

    with History.open() as h:
        for i, tid in enumerate(task.ids):
            try:
                yield task.first_row + i, to_doc(h.get(tid))
            except NotFound as exc:
                yield task.first_row + i, RowError(str(exc))
