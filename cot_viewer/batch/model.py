"""The typed pieces of a batch run: what to read, one trace, one unit of work, its result."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


class RowError(ValueError):
    """A row we cannot analyse; the message is the reason written to the rejects file."""


@dataclass(frozen=True, slots=True)
class Trace:
    """One reasoning trace, whatever the input format was."""

    id: str
    reasoning: str
    answer: str = ""
    group: str | None = None
    correct: bool | None = None
    prompt: str | None = None
    char_times: list[tuple[int, float]] | None = None


@dataclass(frozen=True)
class Spec:
    """How to read and analyse every row: the same in the parent and in every worker."""

    format: str = "auto"
    reasoning_field: str | None = None
    answer_field: str | None = None
    id_field: str | None = None
    group_field: str | None = None
    correct_field: str | None = None
    prompt_field: str | None = None
    steps: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Task:
    """One input chunk: rows ``[first_row, first_row + rows)`` of one source.

    ``kind`` is ``jsonl`` (bytes ``[start, stop)`` of the file), ``json`` (the whole file),
    ``parquet`` (``rows`` rows from ``start`` within row group ``group``) or ``history``
    (the transcripts ``ids``).
    """

    source: str
    file_index: int
    chunk: int
    kind: str
    first_row: int
    rows: int
    start: int = 0
    stop: int = 0
    group: int = 0
    ids: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The name of this chunk's output parts: stable across runs and engines."""
        return f"part-{self.file_index:05d}-{self.chunk:06d}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Task":
        d = json.loads(text)
        d["ids"] = tuple(d.get("ids") or ())
        return cls(**d)


@dataclass(frozen=True)
class ChunkResult:
    """What the batch function returns for one task: its output parts, already encoded."""

    key: str
    rows: int
    traces: int
    rejects: int
    chars: int
    parts: dict[str, bytes] = field(default_factory=dict)  # "traces" | "steps" | "rejects" -> Parquet bytes
