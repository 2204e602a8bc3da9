"""ThinkARM-style sentence lists: ``sentences`` is a list of strings, or of objects with
``sentence`` (or ``text``) and optionally ``part`` (``reasoning`` or ``answer``). The
sentences of each part are joined with spaces (the data has no paragraph breaks)."""

from __future__ import annotations

from typing import Any

from cot_viewer.batch.model import RowError, Trace


def traces(row: dict[str, Any], row_id: str) -> list[Trace | RowError]:
    items = row.get("sentences")
    if not isinstance(items, list):
        raise RowError("'sentences' is not a list")
    parts: dict[str, list[str]] = {"reasoning": [], "answer": []}
    for i, item in enumerate(items):
        part = "reasoning"
        if isinstance(item, dict):
            part = item.get("part") or "reasoning"
            item = item.get("sentence", item.get("text"))
        if not isinstance(item, str) or part not in parts:
            raise RowError(f"sentence {i} is not text with part 'reasoning' or 'answer'")
        parts[part].append(item.strip())
    reasoning = " ".join(s for s in parts["reasoning"] if s)
    if not reasoning:
        raise RowError("no reasoning sentences")
    ident = f"{row['model']}/{row['problem']}" if "model" in row and "problem" in row else row_id
    return [Trace(id=ident, reasoning=reasoning, answer=" ".join(s for s in parts["answer"] if s))]
