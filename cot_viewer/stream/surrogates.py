"""UTF-16 surrogates in JSON text: join pairs split across events, replace lone ones.

Proxies that slice text by UTF-16 units send an emoji as ``"\\ud83d"`` in one event and
``"\\ude00"`` in the next. ``json`` decodes each half to a lone surrogate, which no encoder
(the terminal, SQLite, a file) accepts. :class:`SurrogateJoiner` holds a trailing high
surrogate of each delta field until the next event of the same field, and replaces any
surrogate still alone with U+FFFD, so the text is kept and can be written anywhere.
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_surrogates(text: str) -> str:
    """``text`` with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def might_hold_surrogates(payload: str) -> bool:
    """Cheap test on the raw JSON text: can its strings hold a surrogate?"""
    return "\\ud" in payload or "\\uD" in payload


class SurrogateJoiner:
    """Per stream: fixes the strings of a parsed chunk in place (see the module docstring)."""

    __slots__ = ("_held",)

    def __init__(self) -> None:
        self._held: dict[tuple[Any, str], str] = {}

    def fix(self, chunk: Any) -> Any:
        choices = chunk.get("choices") if isinstance(chunk, dict) else None
        if isinstance(choices, list):
            for ch in choices:
                delta = ch.get("delta") if isinstance(ch, dict) else None
                if isinstance(delta, dict):
                    index = ch.get("index")
                    key_index = index if isinstance(index, int) else 0
                    for key, value in delta.items():
                        if isinstance(value, str):
                            delta[key] = self._join((key_index, key), value)
        return _clean_all(chunk)

    def _join(self, key: tuple[Any, str], text: str) -> str:
        held = self._held.pop(key, "")
        text = held + text
        if text and "\ud800" <= text[-1] <= "\udbff":  # a high surrogate waiting for its pair
            self._held[key] = text[-1]
            text = text[:-1]
        return clean_surrogates(text)


def _clean_all(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return clean_surrogates(value)
    if depth > 64:
        return value
    if isinstance(value, dict):
        return {clean_surrogates(k) if isinstance(k, str) else k: _clean_all(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_all(v, depth + 1) for v in value]
    return value
