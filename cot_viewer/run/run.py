"""The Run: a thread streams, applies and saves; consumers take the events in lists.

See the package docstring (:mod:`cot_viewer.run`) for the interface.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from cot_viewer.stream.events import AnswerDelta, ReasoningDelta
from cot_viewer.ticker import Ticker

TICK = 0.1  # s between the clock's checks for a half-second save while the server is silent


def start_run(endpoint: Any, transcript: Any, *, history: Any = None, options: Any = None,
              max_tokens: int | None = None, request: Any = None) -> "Run":
    """Send ``transcript.messages`` to ``endpoint`` now and return the :class:`Run`.

    ``history``: a :class:`~cot_viewer.store.history.History` to save into, or None.
    ``options``: :class:`~cot_viewer.stream.endpoint.StreamOptions`. ``request``: the
    :class:`~cot_viewer.request.AskRequest` behind ``endpoint`` (re-stamped on the
    transcript if the model has to be asked for)."""
    run = Run(endpoint, transcript, history=history, options=options, max_tokens=max_tokens, request=request)
    run._begin()
    return run


class Run:
    """One streaming request; built by :func:`start_run`."""

    def __init__(self, endpoint: Any, transcript: Any, *, history: Any = None, options: Any = None,
                 max_tokens: int | None = None, request: Any = None) -> None:
        from cot_viewer.store.history import Recorder

        self.endpoint = endpoint
        self.request = request
        self.transcript = transcript
        self.options = options
        self.max_tokens = max_tokens
        self.t0 = time.monotonic()  # set again when the request goes out
        self._recorder = Recorder(transcript, history)
        self._ticker = Ticker(TICK, self._recorder.tick)
        self._lock = self._ticker.lock  # the transcript and the recorder: stream thread, ticker, stop()
        self._stopped = False
        self._finishing = threading.Lock()
        self._finished = threading.Event()
        self._hand = threading.Condition(threading.Lock())  # the hand-over to the consumer
        self._pending: list = []
        self._ended = False  # the final save is over: nothing more will be handed over
        self._waiter: tuple[Any, Any] | None = None  # (loop, future) of an async consumer
        self._thread = threading.Thread(target=self._work, name="cot-viewer-run", daemon=True)

    # -- state ---------------------------------------------------------------------------------
    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    @property
    def saved_id(self) -> str | None:
        return self.transcript.id if self._recorder.saved else None

    @property
    def saved(self) -> bool:
        return self._recorder.saved and not self._recorder.error

    @property
    def save_error(self) -> str | None:
        return self._recorder.error

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    # -- the thread ----------------------------------------------------------------------------
    def _begin(self) -> None:
        self._ticker.__enter__()  # (before the thread: a stop at once finds it running)
        self._thread.start()

    def _work(self) -> None:
        tr = self.transcript
        try:
            if self.endpoint.model is None:
                self._ask_for_model()
                if self._stopped:
                    return
            from cot_viewer.stream.client import StreamClient

            client = StreamClient(self.endpoint, self.options)
            lock, apply = self._lock, self._recorder.apply
            self.t0 = time.monotonic()  # the client takes its own t0 on its first step, microseconds later
            batches = client.stream_batches(tr.messages, max_tokens=self.max_tokens)
            try:
                for batch in batches:
                    with lock:
                        if self._stopped:
                            break
                        for e in batch:
                            apply(e)
                    self._hand_over(batch)
            finally:
                batches.close()
        except Exception as exc:  # noqa: BLE001 - a bug: keep what arrived and say so
            with self._lock:
                if tr.status == "streaming":
                    tr.status, tr.error, tr.error_kind = "interrupted", f"the stream failed: {exc!r}", "stream"
        finally:
            self._finish()

    def _ask_for_model(self) -> None:
        """A local server names its model: the first one it lists (None if it lists none)."""
        from cot_viewer.stream.client import first_model

        model = first_model(self.endpoint)
        with self._lock:
            self.endpoint = dataclasses.replace(self.endpoint, model=model)
            if self.request is not None:  # the settings and the price for this model
                self.request = self.request.with_model(model)
                self.request.stamp(self.transcript)
            elif model:
                self.transcript.model = model

    def _finish(self) -> None:
        """The final save, once, by whichever ends first: the stream, or a stop."""
        with self._finishing:
            if self._finished.is_set():
                return
            try:
                self._ticker.__exit__(None, None, None)
                with self._lock:
                    self._stopped = True  # a late network read is dropped, never applied after the save
                    self._recorder.close()
            except Exception as exc:  # noqa: BLE001 - a bug: say it as the save error, never hang close()
                self._recorder.error = self._recorder.error or f"the final save failed: {exc!r}"
            finally:
                self._finished.set()
        self._hand_over([], end=True)

    # -- hand-over -----------------------------------------------------------------------------
    def _hand_over(self, batch: list, *, end: bool = False) -> None:
        with self._hand:
            self._pending += batch
            self._ended = self._ended or end
            self._hand.notify_all()
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            loop, future = waiter
            try:
                loop.call_soon_threadsafe(_wake, future)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                pass

    def _take(self) -> tuple[list, bool]:
        batch, self._pending = self._pending, []
        return batch, self._ended

    def batches(self, timeout: float | None = None) -> Iterator[list]:
        while True:
            with self._hand:
                if not (self._pending or self._ended):
                    self._hand.wait(timeout)
                batch, ended = self._take()
            if batch or not ended:
                yield batch
            else:
                return

    async def abatches(self) -> AsyncIterator[list]:
        import asyncio

        loop = asyncio.get_running_loop()
        while True:
            future = None
            with self._hand:
                batch, ended = self._take()
                if not (batch or ended):
                    future = loop.create_future()
                    self._waiter = (loop, future)
            if future is not None:
                await future
            elif batch:
                yield batch
            else:
                return

    # -- stop, close ---------------------------------------------------------------------------
    def stop(self) -> None:
        with self._lock:
            if self._stopped or self._finished.is_set():
                return
            self._stopped = True
            if self.transcript.status == "streaming":
                self.transcript.stop(t=self.elapsed())
        # the final save off the caller's thread (the stream thread may be stuck in a read);
        # not a daemon: the interpreter waits for it at exit
        threading.Thread(target=self._finish, name="cot-viewer-run-stop").start()

    def close(self) -> None:
        self.stop()
        self._finished.wait()

    async def aclose(self) -> None:
        import asyncio

        self.stop()
        if not self._finished.is_set():
            await asyncio.to_thread(self._finished.wait)


def _wake(future: Any) -> None:
    if not future.done():
        future.set_result(None)


def coalesce(batch: list) -> list[tuple[Any, int]]:
    """``batch`` as ``(event, n)``: each run of choice-0 reasoning deltas, or of final
    (not provisional) choice-0 answer deltas, joined into one delta of ``n`` tokens
    carrying the last one's time; every other event as it is, with ``n`` = 1."""
    out: list[tuple[Any, int]] = []
    kind = None  # the class of the run being joined
    parts: list[str] = []
    last = None
    for e in batch:
        cls = type(e)
        joinable = (cls is ReasoningDelta or (cls is AnswerDelta and not e.provisional)) and not e.index
        if joinable and cls is kind:
            parts.append(e.text)
            last = e
            continue
        if kind is not None:
            out.append(_joined(kind, parts, last))
        if joinable:
            kind, parts, last = cls, [e.text], e
        else:
            kind = None
            out.append((e, 1))
    if kind is not None:
        out.append(_joined(kind, parts, last))
    return out


def _joined(cls: Callable, parts: list[str], last: Any) -> tuple[Any, int]:
    if len(parts) == 1:
        return last, 1
    return cls(last.t, "".join(parts)), len(parts)
