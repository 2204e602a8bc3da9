"""A saved timeline → the same events a live stream produced, at any speed.

One path, two sources: consumers (the plain printer, the TUI panes, the recorder) cannot
tell a replay from a live stream except by the events' pace.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from cot_viewer.stream.events import (
    AnswerDelta,
    Event,
    Finish,
    ReasoningDelta,
    StreamEnd,
    StreamError,
    Usage,
)
from cot_viewer.transcript import ANSWER, REASONING, Transcript


def timeline_events(tr: Transcript) -> Iterator[Event]:
    """The transcript's chunks as events with their original times, then its ending."""
    last = 0.0
    shown = {REASONING: 0, ANSWER: 0}
    for t, kind, text in tr.chunks():
        last = t
        shown[kind] += len(text)
        yield ReasoningDelta(t, text) if kind == REASONING else AnswerDelta(t, text)
    # text the timeline does not cover (an import without one): shown at once, never dropped
    if len(tr.reasoning) > shown[REASONING]:
        yield ReasoningDelta(last, tr.reasoning[shown[REASONING]:])
    if len(tr.answer) > shown[ANSWER]:
        yield AnswerDelta(last, tr.answer[shown[ANSWER]:])
    end = tr.timing.total_s or last
    if tr.finish_reason is not None:
        yield Finish(max(last, end), tr.finish_reason)
    if tr.usage:
        yield Usage(max(last, end), tr.usage)
    if tr.error_kind and tr.error_kind != "cancelled":
        yield StreamError(max(last, end), tr.error_kind, tr.error or "")
    yield StreamEnd(max(last, end), tr.error_kind is None and tr.status in ("complete", "truncated"))


def paced(
    events: Iterator[Event],
    speed: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Event]:
    """Yield each event when its time comes (``t / speed`` after the start); speed 0 = at once."""
    if speed <= 0:
        yield from events
        return
    start = clock()
    for e in events:
        due = start + e.t / speed
        wait = due - clock()
        if wait > 0.002:
            sleep(wait)
        yield e
