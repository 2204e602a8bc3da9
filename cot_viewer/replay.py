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


#: The longest pause replayed between two events (seconds of the transcript's own clock):
#: a recorded stall, or a hostile timeline (t = 3e6), is shortened to this.
MAX_GAP = 5.0


def paced(
    events: Iterator[Event],
    speed: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Event]:
    """Yield each event when its time comes (``t / speed`` after the start, every gap capped
    at :data:`MAX_GAP`); speed 0 = at once."""
    if not speed > 0 or speed == float("inf"):
        yield from events
        return
    start = clock()
    prev = 0.0
    skipped = 0.0  # transcript seconds cut out of long gaps so far
    for e in events:
        t = e.t if 0.0 <= e.t < float("inf") else prev
        if t - prev > MAX_GAP:
            skipped += t - prev - MAX_GAP
        prev = max(prev, t)
        due = start + (prev - skipped) / speed
        wait = due - clock()
        if wait > 0.002:
            sleep(wait)
        yield e
