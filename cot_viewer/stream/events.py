"""Typed events that flow from the stream client (or a replay) to every consumer.

Every event carries ``t``: seconds since the request started (monotonic clock), so that
a recorded transcript can be replayed exactly as it arrived. ``index`` is the choice
index (``choices[i].index``); the tool asks for one choice, but the separator keeps
state per index so that ``n > 1`` streams are never mixed up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(slots=True)
class ReasoningDelta:
    t: float
    text: str
    index: int = 0


@dataclass(slots=True)
class AnswerDelta:
    """Answer text.

    ``provisional`` is true while the separator cannot yet tell whether this text is
    answer or reasoning: a stream that opened with neither a ``<think>`` tag nor a
    reasoning field may still close a think block with a bare ``</think>`` (llama.cpp
    with the think block opened by the template). If that happens a :class:`Reclassify`
    follows; if the stream ends first, provisional text was the answer all along.
    """

    t: float
    text: str
    index: int = 0
    provisional: bool = False


@dataclass(slots=True)
class Reclassify:
    """All answer text emitted so far for ``index`` was reasoning (a bare ``</think>`` came)."""

    t: float
    index: int = 0


@dataclass(slots=True)
class Usage:
    t: float
    usage: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Finish:
    t: float
    reason: str | None
    index: int = 0


@dataclass(slots=True)
class Retrying:
    """The request failed before any token and will be sent again after ``wait`` seconds."""

    t: float
    attempt: int
    wait: float
    status: int | None
    message: str


@dataclass(slots=True)
class StreamWarning:
    """Something odd that did not stop the stream (a malformed line, a missing [DONE])."""

    t: float
    message: str


@dataclass(slots=True)
class StreamError:
    """The stream failed. ``kind`` is one of :data:`ERROR_KINDS`; ``message`` is one line
    a person can act on. Nothing follows a StreamError except :class:`StreamEnd`."""

    t: float
    kind: str
    message: str
    status: int | None = None
    detail: str | None = None


@dataclass(slots=True)
class StreamEnd:
    """Always the last event. ``done`` is true when ``data: [DONE]`` arrived."""

    t: float
    done: bool


Event = Union[
    ReasoningDelta,
    AnswerDelta,
    Reclassify,
    Usage,
    Finish,
    Retrying,
    StreamWarning,
    StreamError,
    StreamEnd,
]

#: How a stream can fail (:attr:`StreamError.kind`, a transcript's ``error_kind``); the
#: command line gives each its exit code (cot_viewer/exit_codes.py).
ERROR_KINDS: tuple[str, ...] = ("auth", "balance", "rate_limit", "server", "bad_request", "connection", "stream")
