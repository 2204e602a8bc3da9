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
    """Per stream: fixes the strings of a parsed chunk in place (see the module docstring).

    A held high surrogate is given up (becomes U+FFFD, in its place in the text) when the
    choice's next chunk does not continue that field, when the choice finishes, or when the
    stream ends (:meth:`release`). While one is held, every chunk goes through :meth:`fix`,
    whether or not its JSON holds a surrogate escape, so nothing overtakes it.
    """

    __slots__ = ("_held",)

    def __init__(self) -> None:
        self._held: dict[tuple[int, str], str] = {}

    @property
    def pending(self) -> bool:
        """A high surrogate is waiting for its pair."""
        return bool(self._held)

    def fix(self, chunk: Any) -> Any:
        choices = chunk.get("choices") if isinstance(chunk, dict) else None
        if isinstance(choices, list):
            for ch in choices:
                if isinstance(ch, dict):
                    self._fix_choice(ch)
        return _clean_all(chunk)

    def _fix_choice(self, ch: dict) -> None:
        index = ch.get("index")
        key_index = index if isinstance(index, int) else 0
        delta = ch.get("delta")
        if delta is None and self._held:
            delta = ch["delta"] = {}
        if not isinstance(delta, dict):
            return
        for key, value in list(delta.items()):
            if isinstance(value, str):
                delta[key] = self._join((key_index, key), value)
        ends = ch.get("finish_reason") is not None
        for held in [k for k in self._held if k[0] == key_index and (ends or not isinstance(delta.get(k[1]), str))]:
            del self._held[held]
            text = delta.get(held[1])  # the pair will not come: the field moved on or ended
            delta[held[1]] = (text if isinstance(text, str) else "") + "\ufffd"

    def release(self) -> list[dict]:
        """Chunks carrying U+FFFD for every high surrogate still held (the stream ended)."""
        out = [{"choices": [{"index": i, "delta": {key: "\ufffd"}}]} for i, key in self._held]
        self._held.clear()
        return out

    def _join(self, key: tuple[int, str], text: str) -> str:
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
