"""Any table with the reasoning in a column: ``--reasoning-field`` (default ``reasoning``) and
``--answer-field`` (default ``answer``, optional). Fields may be paths (``output.text``,
``generations.0``). Without an answer, a reasoning text with inline tags
(``<think>…</think>answer``) is split by the stream separator."""

from __future__ import annotations

from typing import Any

from cot_viewer.batch.adapters.common import get_path, split_tagged, text_field
from cot_viewer.batch.model import RowError, Spec, Trace

_CLOSERS = ("</think>", "<|end_of_thought|>")


def traces(row: dict[str, Any], row_id: str, spec: Spec) -> list[Trace | RowError]:
    rfield = spec.reasoning_field or "reasoning"
    if get_path(row, rfield, None) is None:
        raise RowError(f"no field {rfield!r} (name the reasoning's column with --reasoning-field)")
    reasoning = text_field(row, rfield)
    answer = text_field(row, spec.answer_field or "answer", required=bool(spec.answer_field))
    if not answer and any(c in reasoning for c in _CLOSERS):
        reasoning, answer = split_tagged(reasoning)
    if not reasoning.strip():
        raise RowError(f"field {rfield!r} is empty")
    return [Trace(id=row_id, reasoning=reasoning, answer=answer)]
