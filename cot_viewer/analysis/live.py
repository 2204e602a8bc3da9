"""The analysis of a reasoning text while it streams, on a worker thread.

``LiveAnalysis`` runs an :class:`~cot_viewer.analysis.core.IncrementalAnalyzer` on a thread of
its own, so that the caller (the TUI's event loop) never does the analysis work:

``feed(text)``
    Appends text; returns at once (a list append under a lock).
``poll()``
    What changed since the last poll, as a :class:`LiveUpdate`, or None: the steps from the
    last frozen point on (the caller replaces its steps from ``update.first``; steps before
    ``update.frozen`` can no longer change) and, when newer ones exist, provisional phases
    and metrics.  Cheap: the worker has computed them already.
``finish(answer, char_times)``
    Ends the text and returns the final :class:`~cot_viewer.analysis.model.Analysis`, equal
    to ``analyze()`` on the same text.  Blocks until the worker is done (call it from a
    thread of your own if your loop must not wait); called again it returns the same object.
``cancel()``
    Drops the text: the worker ends without a result.

The worker analyses in slices of ``SLICE`` characters and, while the stream is on, works at
most ``busy_share`` of the wall time (it sleeps in proportion to what a slice cost), so that
a caller that shares the interpreter lock with it — the UI — comes first when text arrives
faster than it can be analysed; ``hold()`` stops it altogether until released (the TUI holds
it while text floods in faster than anyone reads).  At a model's real speed (tens to hundreds of tokens a
second) the analysis costs a few milliseconds a second and is never held back; at replay's
full speed the outline falls behind and catches up in ``finish()``, which runs unthrottled.
New steps are published for ``poll()`` at most every ``PUBLISH_INTERVAL`` (each time the
open paragraph is segmented and labelled again); provisional phases and metrics are taken
at most once per ``snapshot_share`` × their own cost (and at most once per
``SNAPSHOT_INTERVAL``).

A failure inside the analyser never reaches ``feed`` or ``poll``: the worker stops, ``error``
holds the exception, ``poll()`` returns None from then on and ``finish()`` raises
:class:`LiveAnalysisError`.

No UI imports: stdlib threading and the analysis package.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Sequence

from .model import Analysis, Metrics, Phase, Step

__all__ = ["LiveAnalysis", "LiveAnalysisError", "LiveUpdate"]

SLICE = 2_000  # characters analysed between two chances for the caller to take the lock
BUSY_SHARE = 0.25  # of the wall time, at most, while the stream is on
SNAPSHOT_SHARE = 20  # provisional phases/metrics at most once per 20× their own cost
SNAPSHOT_INTERVAL = 1.0  # s, and at most this often
PUBLISH_INTERVAL = 0.2  # s: new steps for poll() at most this often (each time the open paragraph is labelled)
CharTimes = Sequence[tuple[int, float]]


class LiveAnalysisError(RuntimeError):
    """The analyser failed; the text it was given is not analysed."""


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    """What changed since the previous :meth:`LiveAnalysis.poll`."""

    first: int  # the steps below replace the caller's steps from this index on
    steps: tuple[Step, ...]
    frozen: int  # steps before this index are final
    phases: tuple[Phase, ...] | None = None  # provisional; None: unchanged since the last poll
    metrics: Metrics | None = None


class LiveAnalysis:
    """One streamed text's analysis on a worker thread (see the module docstring)."""

    def __init__(self, prompt: str | None = None, *, busy_share: float = BUSY_SHARE,
                 snapshot_share: float = SNAPSHOT_SHARE) -> None:
        """``prompt``: the problem text, optional (as for ``analyze``)."""
        self._prompt = prompt or None
        self._busy_share = busy_share
        self._snapshot_share = snapshot_share
        self._cond = threading.Condition()
        self._pending: list[str] = []  # fed, not yet given to the analyser
        self._final_args: tuple[str, CharTimes | None] | None = None
        self._cancelled = False
        self._done = threading.Event()
        self._result: Analysis | None = None
        self.error: BaseException | None = None
        self.cpu_s = 0.0  # seconds the worker spent analysing
        # published by the worker, taken by poll()
        self._first = 0  # the caller holds frozen steps up to here
        self._steps: tuple[Step, ...] = ()
        self._frozen = 0
        self._phases: tuple[tuple[Phase, ...], Metrics] | None = None
        self._changed = False
        self._busy = True  # the worker has text it has not published yet
        self._phases_now = False  # take provisional phases at the next pass (want_phases)
        self._held = False  # hold(): text waits, nothing is analysed until released or finish()
        self._thread = threading.Thread(target=self._run, name="live-analysis", daemon=True)
        self._thread.start()

    # -- the caller's side ---------------------------------------------------------------------
    def feed(self, text: str) -> None:
        if not text:
            return
        with self._cond:
            if self._final_args is not None or self._cancelled or self.error is not None:
                return
            self._pending.append(text)
            self._cond.notify()

    def poll(self) -> LiveUpdate | None:
        with self._cond:
            if not self._changed or self.error is not None:
                return None
            self._changed = False
            phases, self._phases = self._phases, None
            update = LiveUpdate(self._first, self._steps, self._frozen,
                                phases[0] if phases else None, phases[1] if phases else None)
            self._first = self._frozen
            self._steps = ()
        return update

    def finish(self, answer: str = "", char_times: CharTimes | None = None,
               timeout: float | None = None) -> Analysis:
        """The final analysis (``char_times``: see ``analyze``); the arguments of the first
        call count."""
        with self._cond:
            if self._final_args is None and not self._cancelled:
                self._final_args = (answer, char_times)
                self._cond.notify()
        if not self._done.wait(timeout):
            raise TimeoutError("the live analysis did not finish in time")
        if self._result is None:
            if self.error is None:
                raise LiveAnalysisError("the analysis was cancelled")
            raise LiveAnalysisError(f"the analysis failed: {self.error!r}") from self.error
        return self._result

    def cancel(self) -> None:
        with self._cond:
            self._cancelled = True
            self._pending.clear()
            self._cond.notify()

    def hold(self, held: bool = True) -> None:
        """Analyse nothing until released (``hold(False)``) or ``finish()``: fed text waits.
        For a caller that knows nobody reads along (text arriving faster than anyone reads)
        and wants its own thread to have the interpreter to itself meanwhile."""
        with self._cond:
            self._held = held
            self._cond.notify()

    def want_phases(self) -> None:
        """Provisional phases and metrics of all the text fed so far at the next poll, whatever
        the interval (for tests and benchmarks; with ``caught_up``)."""
        with self._cond:
            self._phases_now = True
            self._cond.notify()

    @property
    def caught_up(self) -> bool:
        """Everything fed so far is analysed and published (for tests and benchmarks)."""
        with self._cond:
            return not self._pending and not self._busy and not self._phases_now

    @property
    def finished(self) -> bool:
        """The worker has ended (with a result, an error, or cancelled)."""
        return self._done.is_set()

    # -- the worker ----------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._work()
        except BaseException as exc:  # noqa: BLE001 - kept for finish(); the stream goes on
            with self._cond:
                self.error = exc
                self._pending.clear()
        finally:
            self._done.set()

    def _work(self) -> None:
        an = None  # made with the first text to analyse (not while held)
        next_snap = 0.0
        snap_frozen = -1
        dirty = False  # analysed text not published yet (publishing labels the open paragraph)
        published = 0.0
        while True:
            with self._cond:
                while ((not self._pending or self._held) and self._final_args is None and not self._cancelled
                       and not self._phases_now):
                    if dirty:  # publish when the interval is over, or with more text
                        wait = published + PUBLISH_INTERVAL - time.monotonic()
                        if wait <= 0:
                            break
                        self._cond.wait(wait)
                    else:
                        self._busy = False
                        self._cond.wait()
                self._busy = True
                if self._cancelled:
                    return
                text = "".join(self._pending)
                self._pending.clear()
                final = self._final_args  # (feed() takes no text after finish(): all of it is here)
                phases_now, self._phases_now = self._phases_now, False
            if an is None:
                t0 = time.thread_time()
                from .core import IncrementalAnalyzer  # (~60 ms of regexes: on this thread, once there is work)

                an = IncrementalAnalyzer(prompt=self._prompt)
                self.cpu_s += time.thread_time() - t0
            for i in range(0, len(text), SLICE):
                if self._held and self._final_args is None:  # the rest waits for the release
                    with self._cond:
                        self._pending.insert(0, text[i:])
                    break
                t0 = time.thread_time()
                an.feed(text[i:i + SLICE])
                self._throttle(time.thread_time() - t0)
                if self._cancelled:
                    return
            if final is not None:
                t0 = time.thread_time()
                an.close()
                result = an.snapshot(*final)
                self._publish(an, None)
                self.cpu_s += time.thread_time() - t0
                self._result = result
                return
            now = time.monotonic()
            dirty = True
            if now < published + PUBLISH_INTERVAL and not phases_now:
                continue
            t0 = time.thread_time()
            phases = None
            if self._final_args is None and (phases_now or (an.frozen_steps != snap_frozen and now >= next_snap)):
                snap = an.snapshot()
                cost = time.thread_time() - t0
                snap_frozen = an.frozen_steps
                next_snap = now + max(SNAPSHOT_INTERVAL, self._snapshot_share * cost)
                phases = (tuple(snap.phases), snap.metrics)
            self._publish(an, phases)
            dirty, published = False, now
            self._throttle(time.thread_time() - t0)

    def _publish(self, an, phases) -> None:
        with self._cond:
            first = self._first
        steps = tuple(an.steps_since(first))  # (outside the lock: labels the open paragraph)
        with self._cond:
            if self._first != first:  # polled meanwhile: the caller holds up to the new first
                steps = steps[self._first - first:]
            self._steps = steps
            self._frozen = an.frozen_steps
            if phases is not None:
                self._phases = phases
            self._changed = True

    def _throttle(self, cost: float) -> None:
        """While the stream is on, sleep so that the work is at most ``busy_share`` of the
        time (a sleep releases the interpreter lock: the caller's thread runs)."""
        self.cpu_s += cost
        if self._final_args is None and self._busy_share < 1 and cost > 0:
            time.sleep(cost * (1 / self._busy_share - 1))
