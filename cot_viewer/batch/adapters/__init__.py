"""Rows of the formats people have → :class:`~cot_viewer.batch.model.Trace` objects.

One module per input format, each ``traces(row, row_id) -> [Trace | RowError]`` (a row may
hold several traces, e.g. OpenR1's generations). :func:`row_traces` picks the adapter
(``--format``, or by the row's keys) and then applies what is common to all of them: the
``--id-field``, ``--group-field``, ``--correct-field`` and ``--prompt-field`` overrides, and
the usual columns (``id``, ``model``, ``correct``, ``prompt``/``problem``) when an adapter
did not set them. To add a format: a module here and a line in ``_ADAPTERS`` and ``detect``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cot_viewer.batch.adapters import exchange, fields, openr1, openthoughts, thinkarm
from cot_viewer.batch.adapters.common import as_bool, as_label, get_path
from cot_viewer.batch.model import RowError, Spec, Trace

_ADAPTERS = {
    "exchange": exchange.traces,
    "openr1": openr1.traces,
    "openthoughts": openthoughts.traces,
    "thinkarm": thinkarm.traces,
}


def detect(row: dict[str, Any], spec: Spec) -> str:
    """The adapter for a row: ``--format``, else ``fields`` when ``--reasoning-field`` is given,
    else by its keys."""
    if spec.format != "auto":
        return spec.format
    if spec.reasoning_field:
        return "fields"
    if row.get("format") == "cot-viewer/transcript":
        return "exchange"
    if "conversations" in row:
        return "openthoughts"
    if "generations" in row or ("messages" in row and "reasoning" not in row):
        return "openr1"
    if "sentences" in row:
        return "thinkarm"
    return "fields"


def row_traces(row: Any, row_id: str, spec: Spec) -> list[Trace | RowError]:
    """The traces of one input row (or the reasons it has none)."""
    if not isinstance(row, dict):
        raise RowError(f"a row is {type(row).__name__}, not an object")
    name = detect(row, spec)
    found = fields.traces(row, row_id, spec) if name == "fields" else _ADAPTERS[name](row, row_id)
    n = sum(isinstance(t, Trace) for t in found)
    return [t if isinstance(t, RowError) else _common(row, row_id, t, i, n, spec) for i, t in enumerate(found)]


def _field(row: dict[str, Any], given: str | None, usual: tuple[str, ...]) -> Any:
    if given:
        return get_path(row, given, None)
    return next((row[k] for k in usual if row.get(k) is not None), None)


def _common(row: dict[str, Any], row_id: str, t: Trace, i: int, n: int, spec: Spec) -> Trace:
    ident = t.id
    if spec.id_field:
        value = get_path(row, spec.id_field, None)
        if value is None or value == "":
            raise RowError(f"no value in --id-field {spec.id_field!r}")
        ident = str(value) if n == 1 else f"{value}#{i}"
    elif t.id == row_id and isinstance(row.get("id"), (str, int)) and row["id"] != "":
        ident = str(row["id"])
    group = t.group if t.group is not None and not spec.group_field else as_label(_field(row, spec.group_field, ("model",)))
    correct = t.correct
    if correct is None or spec.correct_field:
        value = _field(row, spec.correct_field, ("correct",))
        if isinstance(value, list):
            value = value[i] if len(value) == n else None
        correct = as_bool(value, f"the correctness field {spec.correct_field or 'correct'!r}")
    prompt = t.prompt
    if prompt is None or spec.prompt_field:
        value = _field(row, spec.prompt_field, ("prompt", "problem", "question"))
        prompt = value if isinstance(value, str) else None
    return replace(t, id=ident, group=group, correct=correct, prompt=prompt)
