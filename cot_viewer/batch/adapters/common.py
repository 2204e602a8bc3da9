"""Helpers every adapter uses: field paths, inline tags, correctness values."""

from __future__ import annotations

from typing import Any

from cot_viewer.batch.model import RowError

_MISSING = object()


def get_path(row: Any, path: str, default: Any = _MISSING) -> Any:
    """``row["a"]["b"]`` for ``"a.b"``; list items by number (``"generations.0"``)."""
    value = row
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            if default is _MISSING:
                raise RowError(f"no field {path!r}")
            return default
    return value


def text_field(row: Any, path: str, *, required: bool = True) -> str:
    value = get_path(row, path, None if not required else _MISSING)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RowError(f"field {path!r} is {type(value).__name__}, not text")
    return value


def split_tagged(text: str) -> tuple[str, str]:
    """Reasoning and answer of one model output with inline tags (``<think>…</think>``,
    ``<|begin_of_thought|>…``), by the same separator that splits live streams."""
    from cot_viewer.stream.separator import Separator
    from cot_viewer.transcript import Transcript

    sep = Separator()
    events: list = []
    sep.feed({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": "stop"}]}, 0.0, events)
    tr = Transcript(prompt="", messages=[])
    for e in events:
        tr.apply(e)
    return tr.reasoning, tr.answer


def as_bool(value: Any, what: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no", "1", "0"):
        return value.strip().lower() in ("true", "yes", "1")
    raise RowError(f"{what} is {value!r}, not true/false")


def as_label(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (str, int, float, bool)):
        return str(value)
    raise RowError(f"group value is {type(value).__name__}, not text")
