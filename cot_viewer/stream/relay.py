"""Stream one request in a child process, so that it starts before the terminal UI does.

``cot-viewer ask`` in a terminal spends ~0.3 s importing and mounting Textual before its
first frame. The child (``python -m cot_viewer.stream.relay``) is started before that: it
sends the request, parses the stream, separates reasoning from answer and saves the
transcript to the history every half second (the same :class:`~cot_viewer.store.history.Recorder`
as ``ask --plain``), while the parent is still starting. The parent only shows what the
child relays. If the child cannot be started the TUI streams in-process as before.

Protocol (parent and child are the same Python and the same package): frames of a 4-byte
big-endian length and a pickle, over the child's stdin/stdout pipes.

* parent → child: one frame ``dict(endpoint, options, messages, max_tokens, transcript,
  save)``; then SIGINT asks the child to stop the stream and keep what arrived.
* child → parent: ``("start", t0, saved, save_error)`` once the transcript has a row (``t0``
  is the child's ``time.monotonic()`` at the request: event times count from it);
  ``("events", [item, …])`` where an item is an event, or ``(kind, text, n, t)`` for ``n``
  consecutive reasoning (``kind`` "r") or final answer ("a") deltas of choice 0 merged;
  last ``("end", transcript, saved, save_error)``, the finished :class:`Transcript`.

While the parent is not reading (it is still importing Textual), a writer thread keeps the
items and merges them, so the child never waits on a full pipe: at the parent's first read
it gets everything so far in one frame.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
from typing import Any

from cot_viewer.stream.events import AnswerDelta, ReasoningDelta

_HEAD = struct.Struct(">I")
RELAY_MODULE = "cot_viewer.stream.relay"
STOP_WAIT = 5.0  # s to wait for the child's final transcript after asking it to stop


# -- child -----------------------------------------------------------------------------------
class _Writer:
    """Messages to write, merged while the pipe is busy; a thread writes them, so the stream
    never waits on a reader that is still starting."""

    def __init__(self, fd: int, name: str) -> None:
        self.fd = fd
        self.pending: list = []
        self.cond = threading.Condition()
        self.closed = False
        self.broken = False
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _add(self, fn, *args) -> None:
        with self.cond:
            fn(self.pending, *args)
            self.cond.notify()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify()
        self.thread.join()

    def encode(self, pending: list) -> bytes:
        raise NotImplementedError

    def _run(self) -> None:
        while True:
            with self.cond:
                while not (self.pending or self.closed):
                    self.cond.wait()
                pending, self.pending = self.pending, []
                if self.closed and not pending:
                    return
            if self.broken:
                continue
            try:
                write_all(self.fd, self.encode(pending))
            except (BrokenPipeError, OSError, ValueError):
                self.broken = True  # the reader is gone; the transcript is still saved


class _Outbox(_Writer):
    """To the parent: pickled frames; runs of deltas merged (:func:`merge`)."""

    def add(self, events: list) -> None:
        self._add(lambda p: merge(_events_of(p), events))

    def message(self, msg: tuple) -> None:
        self._add(lambda p: p.append(msg))

    def encode(self, pending: list) -> bytes:
        out = bytearray()
        for msg in pending:
            data = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
            out += _HEAD.pack(len(data)) + data
        return bytes(out)


def write_all(fd: int, data: bytes) -> None:
    """All of ``data``, even if the descriptor is non-blocking (a reader's event loop may set
    that flag on a shared pipe): partial writes are continued."""
    import select

    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:
            select.select([], [fd], [])


def _events_of(pending: list) -> list:
    if not pending or pending[-1][0] != "events":
        pending.append(("events", []))
    return pending[-1][1]


def merge(items: list, events: list) -> None:
    """Append ``events`` to ``items``, merging runs of choice-0 reasoning / final answer deltas."""
    for e in events:
        cls = type(e)
        if cls is ReasoningDelta and not e.index:
            kind = "r"
        elif cls is AnswerDelta and not e.index and not e.provisional:
            kind = "a"
        else:
            items.append(e)
            continue
        last = items[-1] if items else None
        if type(last) is list and last[0] == kind:
            last[1].append(e.text)
            last[2] += 1
            last[3] = e.t
        else:
            items.append([kind, [e.text], 1, e.t])


def expand(item) -> tuple[Any, int]:
    """A received item as ``(event, tokens)``: merged runs become one delta of ``n`` tokens."""
    if type(item) is list:
        kind, parts, n, t = item
        text = "".join(parts)
        return (ReasoningDelta(t, text) if kind == "r" else AnswerDelta(t, text)), n
    return item, 1


def child_main() -> int:
    stdin = sys.stdin.buffer
    head = stdin.read(_HEAD.size)
    if len(head) < _HEAD.size:
        return 2
    req = pickle.loads(stdin.read(_HEAD.unpack(head)[0]))
    stopped = threading.Event()

    def on_sigint(signum, frame):  # the parent asks to stop: end the stream where it is
        if not stopped.is_set():
            stopped.set()
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)
    outbox = _Outbox(sys.stdout.fileno(), "relay-out")
    tr = req["transcript"]
    history = None
    save_error = None
    recorder = None
    t0: float | None = None
    try:
        from cot_viewer.store.history import History, Recorder

        if req.get("save"):
            try:
                history = History.open()
            except Exception as exc:  # noqa: BLE001 - shown by the parent; the stream goes on
                save_error = str(exc)
        recorder = Recorder(tr, history)
        from cot_viewer.stream.client import StreamClient

        client = StreamClient(req["endpoint"], req["options"], clock=time.monotonic)
        t0 = time.monotonic()  # the client takes its own t0 on the first read, microseconds later
        outbox.message(("start", t0, recorder.saved, save_error or recorder.error))
        apply = recorder.apply
        from cot_viewer.ticker import Ticker

        with Ticker(0.1, recorder.tick) as ticker:  # saves by the clock during keep-alives too
            for batch in client.stream_batches(req["messages"], max_tokens=req.get("max_tokens")):
                with ticker.lock:
                    for e in batch:
                        apply(e)
                outbox.add(batch)
    except KeyboardInterrupt:
        tr.stop(t=time.monotonic() - t0 if t0 is not None else None)
    except Exception as exc:  # noqa: BLE001 - a bug: keep what arrived, say so
        tr.status, tr.error, tr.error_kind = "interrupted", f"the stream process failed: {exc!r}", "stream"
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # nothing may cut the final save
        if recorder is not None:
            recorder.close()
        saved = bool(recorder is not None and recorder.saved and not recorder.error)
        err = save_error or (recorder.error if recorder is not None else None)
        outbox.message(("end", tr, saved, err))
        outbox.close()
        if history is not None:
            history.close()
    return 0


# -- parent ----------------------------------------------------------------------------------
class Relay:
    """The parent's side: start the child (no event loop needed), then read it with asyncio."""

    def __init__(self, proc: subprocess.Popen, tr) -> None:
        self.proc = proc
        self.transcript = tr  # updated in place from the child's final transcript
        self.t0: float | None = None  # the child's monotonic time at the request
        self.saved = False
        self.error: str | None = None  # why saving failed (the child's Recorder.error)
        self.ended = False
        self._reader = None
        self._need: int | None = None  # length of the frame whose header was read

    @classmethod
    def start(cls, endpoint, options, tr, *, save: bool, max_tokens: int | None = None) -> "Relay | None":
        """Start the child and send it the request; None if it cannot run here (the caller then
        streams in-process)."""
        if os.name != "posix":
            return None
        req = {"endpoint": endpoint, "options": options, "messages": tr.messages, "max_tokens": max_tokens,
               "transcript": tr, "save": save}
        try:
            data = pickle.dumps(req, protocol=pickle.HIGHEST_PROTOCOL)
            proc = subprocess.Popen([sys.executable, "-m", RELAY_MODULE], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
            proc.stdin.write(_HEAD.pack(len(data)) + data)
            proc.stdin.flush()
        except Exception:  # noqa: BLE001 - no child: stream in-process
            return None
        return cls(proc, tr)

    async def _frame(self):
        import asyncio

        reader = self._reader
        if reader is None:
            loop = asyncio.get_running_loop()
            reader = asyncio.StreamReader(limit=1 << 30, loop=loop)
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop), self.proc.stdout)
            self._reader = reader
        if self._need is None:  # (a cancelled read consumes nothing: frames stay whole)
            self._need = _HEAD.unpack(await reader.readexactly(_HEAD.size))[0]
        data = await reader.readexactly(self._need)
        self._need = None
        return pickle.loads(data)

    async def batches(self):
        """``[(event, tokens), …]`` per frame until the stream ends; then :attr:`transcript`
        holds the final transcript. A child that dies ends it as ``interrupted``."""
        import asyncio

        try:
            while True:
                msg = await self._frame()
                op = msg[0]
                if op == "events":
                    yield [expand(item) for item in msg[1]]
                elif op == "start":
                    self.t0, self.saved, self.error = msg[1], msg[2], msg[3]
                    yield []
                elif op == "end":
                    self._finish(msg[1], msg[2], msg[3])
                    return
        except (asyncio.IncompleteReadError, pickle.UnpicklingError, EOFError, OSError, ValueError) as exc:
            self._lost(exc)

    def _finish(self, final, saved: bool, error: str | None) -> None:
        import dataclasses

        tr = self.transcript
        for f in dataclasses.fields(final):
            setattr(tr, f.name, getattr(final, f.name))
        self.saved, self.error, self.ended = saved, error, True
        self._close_pipes()

    def _lost(self, exc: BaseException) -> None:
        """The child ended without its final transcript: what it saved is in the history."""
        self.ended = True
        self._close_pipes()
        tr = self.transcript
        if tr.status == "streaming":
            tr.status = "interrupted"
            tr.error = f"the stream process ended unexpectedly ({type(exc).__name__}); what it saved is in the history"
            tr.error_kind = "connection"

    def stop(self) -> None:
        """Ask the child to stop the stream (it saves what arrived and sends it)."""
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGINT)
            except ProcessLookupError:
                pass

    async def stop_and_wait(self) -> None:
        """Stop, then read until the final transcript (or give up after ``STOP_WAIT``)."""
        import asyncio

        self.stop()
        if self.ended:
            return

        async def drain() -> None:
            async for _ in self.batches():
                pass

        try:
            await asyncio.wait_for(drain(), STOP_WAIT)
        except Exception as exc:  # noqa: BLE001 - a timeout, or a garbled or closed pipe
            self.kill()
            self._lost(exc)

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass

    def close(self) -> None:
        """At exit, without a loop: stop the child and wait for it to save (it has the text)."""
        if self.proc.poll() is None:
            self.stop()
            try:
                self.proc.wait(STOP_WAIT)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                if f is not None:
                    f.close()
            except OSError:
                pass


if __name__ == "__main__":
    sys.exit(child_main())
