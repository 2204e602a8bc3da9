"""The transcript: one prompt, its reasoning and answer, status, usage and chunk timeline.

Built by applying events (from a live stream or a replay). Text is accumulated in parts and
joined lazily so that appending a token costs the same at token 60,000 as at token 1.
The timeline keeps, for every chunk, its time, whether it was reasoning or answer, and its
length; the text of chunk *k* is recovered by slicing — nothing is stored twice.
"""

from __future__ import annotations

import secrets
import struct
import time
import zlib
from array import array
from itertools import accumulate, compress
from dataclasses import dataclass, field
from typing import Any, Iterator

from cot_viewer.stream.events import (
    AnswerDelta,
    Event,
    Finish,
    ReasoningDelta,
    Reclassify,
    StreamEnd,
    StreamError,
    StreamWarning,
    Usage,
)

STATUSES = ("streaming", "complete", "truncated", "interrupted", "error")
REASONING, ANSWER = "r", "a"
_KIND_BYTE = {REASONING: 0x72, ANSWER: 0x61}
_BYTE_KIND = {0x72: REASONING, 0x61: ANSWER}
_TIMELINE_MAGIC = b"CVT1"


def new_id() -> str:
    return secrets.token_hex(6)


class TextBuffer:
    """Append-only text with a lazily joined, cached value."""

    __slots__ = ("_parts", "_len")

    def __init__(self, text: str = "") -> None:
        self._parts: list[str] = [text] if text else []
        self._len = len(text)

    def append(self, text: str) -> None:
        self._parts.append(text)
        self._len += len(text)

    def __len__(self) -> int:
        return self._len

    @property
    def text(self) -> str:
        parts = self._parts
        if len(parts) > 1:
            joined = "".join(parts)
            parts.clear()
            parts.append(joined)
        return parts[0] if parts else ""

    def take(self) -> str:
        text = self.text
        self._parts.clear()
        self._len = 0
        return text


def char_times(t, kinds, lengths) -> list[tuple[int, float]]:
    """(reasoning characters so far, seconds) after each reasoning chunk of a timeline given
    as its three columns (seconds, kind bytes, lengths)."""
    is_r = [k == 0x72 for k in kinds]
    return list(zip(accumulate(compress(lengths, is_r)), compress(t, is_r)))


class Timeline:
    """Per chunk: seconds since the request started, kind ('r'/'a') and length in characters."""

    __slots__ = ("t", "kinds", "lengths", "_packed", "_packed_n", "_packed_ms")

    def __init__(self) -> None:
        self.t = array("d")
        self.kinds = bytearray()
        self.lengths = array("L")
        self._reset_packed()

    def _reset_packed(self) -> None:
        self._packed = bytearray()  # varints of entries [0, _packed_n), extended on each pack()
        self._packed_n = 0
        self._packed_ms = 0

    def add(self, t: float, kind: str, n: int) -> None:
        self.t.append(t)
        self.kinds.append(_KIND_BYTE[kind])
        self.lengths.append(n)

    def __len__(self) -> int:
        return len(self.t)

    def reclassify_answer(self) -> None:
        self.kinds[:] = self.kinds.replace(b"a", b"r")
        self._reset_packed()

    def entries(self) -> Iterator[tuple[float, str, int]]:
        kinds = _BYTE_KIND
        for t, k, n in zip(self.t, self.kinds, self.lengths):
            yield t, kinds[k], n

    def to_list(self) -> list[list[Any]]:
        return [[round(t, 3), k, n] for t, k, n in self.entries()]

    @classmethod
    def from_list(cls, rows: list[list[Any]]) -> "Timeline":
        tl = cls()
        for t, k, n in rows:
            if k not in _KIND_BYTE:
                raise ValueError(f"timeline kind must be 'r' or 'a', not {k!r}")
            tl.add(float(t), k, int(n))
        return tl

    def pack(self) -> bytes:
        """Compact binary form for the database: zlib over (ms delta, length·2+kind) varints.

        Incremental: entries already packed by an earlier call are not packed again, so
        saving every half second while streaming costs O(new chunks), not O(all chunks).
        """
        out = self._packed
        prev = self._packed_ms
        start = self._packed_n
        ts, ks, ls = self.t, self.kinds, self.lengths
        for i in range(start, len(ts)):
            ms = int(ts[i] * 1000.0 + 0.5)
            d = ms - prev if ms > prev else 0
            prev += d
            v = (ls[i] << 1) | (ks[i] == 0x61)
            if d < 0x80:
                out.append(d)
            else:
                _varint(out, d)
            if v < 0x80:
                out.append(v)
            else:
                _varint(out, v)
        self._packed_ms = prev
        self._packed_n = len(ts)
        return _TIMELINE_MAGIC + struct.pack("<I", len(ts)) + zlib.compress(out, 6)

    @classmethod
    def unpack(cls, blob: bytes | None) -> "Timeline":
        tl = cls()
        if not blob:
            return tl
        if blob[:4] != _TIMELINE_MAGIC:
            raise ValueError("not a cot-viewer timeline")
        (count,) = struct.unpack("<I", blob[4:8])
        raw = zlib.decompress(blob[8:])
        pos = 0
        ms = 0
        for _ in range(count):
            d, pos = _read_varint(raw, pos)
            v, pos = _read_varint(raw, pos)
            ms += d
            tl.t.append(ms / 1000.0)
            tl.kinds.append(0x61 if v & 1 else 0x72)
            tl.lengths.append(v >> 1)
        return tl


def _varint(out: bytearray, v: int) -> None:
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def _read_varint(raw: bytes, pos: int) -> tuple[int, int]:
    b = raw[pos]
    if b < 0x80:
        return b, pos + 1
    shift = 0
    v = 0
    while True:
        b = raw[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        if b < 0x80:
            return v, pos
        shift += 7


@dataclass
class Timing:
    ttft: float | None = None  # first reasoning or answer token
    thinking_s: float | None = None  # first reasoning token → first answer token (or last reasoning)
    answer_s: float | None = None  # first → last answer token
    total_s: float | None = None  # request start → stream end

    def to_dict(self) -> dict[str, float | None]:
        r = lambda v: None if v is None else round(v, 3)  # noqa: E731
        return {"ttft": r(self.ttft), "thinking_s": r(self.thinking_s), "answer_s": r(self.answer_s), "total_s": r(self.total_s)}


@dataclass
class Transcript:
    prompt: str
    messages: list[dict[str, Any]]
    provider: str = "custom"
    base_url: str | None = None
    model: str | None = None
    id: str = field(default_factory=new_id)
    conversation_id: str = ""
    parent_id: str | None = None
    created: float = field(default_factory=time.time)
    status: str = "streaming"
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    error: str | None = None
    error_kind: str | None = None
    warnings: list[str] = field(default_factory=list)
    example: bool = False
    notes: list[dict[str, Any]] = field(default_factory=list)
    #: the thinking controls asked for and the request fields sent (thinking.RequestPlan.record)
    settings: dict[str, Any] | None = None
    #: the price per million tokens in effect when the request started (pricing.Price.to_dict)
    prices: dict[str, Any] | None = None
    timeline: Timeline = field(default_factory=Timeline)
    _reasoning: TextBuffer = field(default_factory=TextBuffer, repr=False)
    _answer: TextBuffer = field(default_factory=TextBuffer, repr=False)
    end_t: float | None = None  # seconds from the request to the end of the stream

    def __post_init__(self) -> None:
        if not self.conversation_id:
            self.conversation_id = self.id

    # -- text ------------------------------------------------------------------------
    @property
    def reasoning(self) -> str:
        return self._reasoning.text

    @property
    def answer(self) -> str:
        return self._answer.text

    def set_text(self, reasoning: str, answer: str) -> None:
        self._reasoning = TextBuffer(reasoning)
        self._answer = TextBuffer(answer)

    @property
    def reasoning_len(self) -> int:
        return len(self._reasoning)

    @property
    def answer_len(self) -> int:
        return len(self._answer)

    # -- events ------------------------------------------------------------------------
    def apply(self, e: Event) -> None:
        cls = type(e)
        if cls is ReasoningDelta:
            if e.index == 0:
                self._reasoning.append(e.text)
                self.timeline.add(e.t, REASONING, len(e.text))
        elif cls is AnswerDelta:
            if e.index == 0:
                self._answer.append(e.text)
                self.timeline.add(e.t, ANSWER, len(e.text))
        elif cls is Reclassify:
            if e.index == 0:
                moved = self._answer.take()
                self._reasoning.append(moved)
                self.timeline.reclassify_answer()
        elif cls is Finish:
            if e.index == 0:
                self.finish_reason = e.reason
        elif cls is Usage:
            self.usage = e.usage
        elif cls is StreamError:
            self.error = e.message
            self.error_kind = e.kind
        elif cls is StreamWarning:
            self.warnings.append(e.message)
        elif cls is StreamEnd:
            self.end_t = e.t
            self.status = self._final_status()

    def _final_status(self) -> str:
        if self.error_kind == "connection":
            return "interrupted"
        if self.error_kind is not None:
            return "error"
        if self.finish_reason == "length":
            return "truncated"
        if self.finish_reason in ("error", "insufficient_system_resource"):
            if not self.error:
                self.error = (
                    "the server ran out of resources mid-answer — retry later"
                    if self.finish_reason == "insufficient_system_resource"
                    else "the server ended the stream with an error"
                )
                self.error_kind = "server" if self.finish_reason != "error" else "stream"
            return "error"
        if self.finish_reason is None:
            return "interrupted"
        return "complete"

    def stop(self, reason: str = "stopped by the user", t: float | None = None) -> None:
        """The stream was cut on our side (Ctrl-C, Escape): keep what arrived."""
        self.status = "interrupted"
        self.error = reason
        self.error_kind = "cancelled"
        if t is not None:
            self.end_t = t

    # -- derived -----------------------------------------------------------------------
    @property
    def timing(self) -> Timing:
        tl = self.timeline
        first_r = first_a = last_r = last_a = None
        for t, k in zip(tl.t, tl.kinds):
            if k == 0x72:
                if first_r is None:
                    first_r = t
                last_r = t
            else:
                if first_a is None:
                    first_a = t
                last_a = t
        firsts = [v for v in (first_r, first_a) if v is not None]
        timing = Timing(ttft=min(firsts) if firsts else None)
        if first_r is not None:
            end = first_a if first_a is not None and first_a >= first_r else last_r
            timing.thinking_s = end - first_r
        if first_a is not None:
            timing.answer_s = last_a - first_a
        timing.total_s = self.end_t if self.end_t is not None else (tl.t[-1] if len(tl) else None)
        return timing

    @property
    def reasoning_tokens(self) -> int:
        """Reasoning tokens: from usage when the server reported them, else chunks counted."""
        details = (self.usage or {}).get("completion_tokens_details") or {}
        n = details.get("reasoning_tokens") if isinstance(details, dict) else None
        if isinstance(n, int):
            return n
        return sum(1 for k in self.timeline.kinds if k == 0x72)

    @property
    def answer_tokens(self) -> int:
        usage = self.usage or {}
        total = usage.get("completion_tokens")
        details = usage.get("completion_tokens_details") or {}
        r = details.get("reasoning_tokens") if isinstance(details, dict) else None
        if isinstance(total, int) and isinstance(r, int):
            return max(0, total - r)
        return sum(1 for k in self.timeline.kinds if k == 0x61)

    @property
    def cost(self) -> dict[str, Any] | None:
        """The server's reported cost, else usage × :attr:`prices` (an estimate), else None."""
        from cot_viewer.pricing import estimate

        return estimate(self.usage, self.prices)

    def reasoning_char_times(self) -> list[tuple[int, float]]:
        """(reasoning characters received so far, seconds) after each reasoning chunk."""
        tl = self.timeline
        return char_times(tl.t, tl.kinds, tl.lengths)

    def chunks(self) -> Iterator[tuple[float, str, str]]:
        """The timeline with its text: (t, kind, text) per chunk, in arrival order."""
        reasoning, answer = self.reasoning, self.answer
        pos = {REASONING: 0, ANSWER: 0}
        for t, k, n in self.timeline.entries():
            src = reasoning if k == REASONING else answer
            p = pos[k]
            pos[k] = p + n
            yield t, k, src[p : p + n]

    def to_dict(self) -> dict[str, Any]:
        """The summary used by ``--json`` and ``history show --json`` (no timeline)."""
        from cot_viewer.timestamps import iso_utc

        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "parent_id": self.parent_id,
            "created": iso_utc(self.created),
            "provider": self.provider,
            "base_url": self.base_url,
            "model": self.model,
            "prompt": self.prompt,
            "messages": self.messages,
            "reasoning": self.reasoning,
            "answer": self.answer,
            "status": self.status,
            "finish_reason": self.finish_reason,
            "usage": self.usage,
            "settings": self.settings,
            "cost": self.cost,
            "timing": self.timing.to_dict(),
            "error": self.error,
            "error_kind": self.error_kind,
            "example": self.example,
        }
