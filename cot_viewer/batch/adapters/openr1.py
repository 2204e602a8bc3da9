"""OpenR1-Math style rows: ``generations`` (a list of model outputs with ``<think>…</think>``
inside), ``correctness_math_verify`` per generation, ``problem``, ``uuid``; or only
``messages`` (``[{role, content}]``, the assistant's content tagged the same way)."""

from __future__ import annotations

from typing import Any

from cot_viewer.batch.adapters.common import as_bool, split_tagged
from cot_viewer.batch.model import RowError, Trace


def _outputs(row: dict[str, Any]) -> list[Any]:
    gens = row.get("generations")
    if gens is not None:
        if not isinstance(gens, list):
            raise RowError("'generations' is not a list")
        return gens
    messages = row.get("messages")
    if not isinstance(messages, list):
        raise RowError("neither 'generations' nor 'messages' is a list")
    said = [m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "assistant"]
    if not said:
        raise RowError("no assistant message")
    return said[-1:]


def _prompt(row: dict[str, Any]) -> str | None:
    if isinstance(row.get("problem"), str):
        return row["problem"]
    for m in row.get("messages") or ():
        if isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), str):
            return m["content"]
    return None


def traces(row: dict[str, Any], row_id: str) -> list[Trace | RowError]:
    outputs = _outputs(row)
    base = str(row.get("uuid") or row_id)
    verdicts = row.get("correctness_math_verify")
    verdicts = verdicts if isinstance(verdicts, list) and len(verdicts) == len(outputs) else None
    prompt = _prompt(row)
    out: list[Trace | RowError] = []
    for i, text in enumerate(outputs):
        if not isinstance(text, str):
            out.append(RowError(f"generation {i} is {type(text).__name__}, not text"))
            continue
        reasoning, answer = split_tagged(text)
        if not reasoning.strip():
            out.append(RowError(f"generation {i} has no reasoning (no <think>…</think>)"))
            continue
        correct = as_bool(verdicts[i], "correctness_math_verify") if verdicts else None
        out.append(Trace(id=f"{base}#{i}", reasoning=reasoning, answer=answer, correct=correct, prompt=prompt))
    return out
