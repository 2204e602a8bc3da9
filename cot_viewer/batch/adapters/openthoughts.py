"""OpenThoughts / Bespoke-Stratos style rows: ``conversations: [{from, value}]``, the
assistant's value ``<|begin_of_thought|>…<|end_of_thought|>`` then
``<|begin_of_solution|>…<|end_of_solution|>`` (``<think>`` tags work too)."""

from __future__ import annotations

from typing import Any

from cot_viewer.batch.adapters.common import split_tagged
from cot_viewer.batch.model import RowError, Trace

_MODEL = ("assistant", "gpt", "model")
_USER = ("user", "human")


def traces(row: dict[str, Any], row_id: str) -> list[Trace | RowError]:
    turns = row.get("conversations")
    if not isinstance(turns, list):
        raise RowError("'conversations' is not a list")
    said = [t.get("value") for t in turns if isinstance(t, dict) and t.get("from") in _MODEL]
    if not said or not isinstance(said[-1], str):
        raise RowError("no assistant turn in 'conversations'")
    reasoning, answer = split_tagged(said[-1])
    if not reasoning.strip():
        raise RowError("the assistant turn has no reasoning (no <|begin_of_thought|>…<|end_of_thought|>)")
    prompt = next((t.get("value") for t in turns if isinstance(t, dict) and t.get("from") in _USER), None)
    return [Trace(id=row_id, reasoning=reasoning, answer=answer, prompt=prompt if isinstance(prompt, str) else None)]
