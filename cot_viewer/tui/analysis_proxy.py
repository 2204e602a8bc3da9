"""The live analysis, run in a child process (``python -m cot_viewer.analysis.serve``).

``AnalysisProxy`` stands in for an in-process ``IncrementalAnalyzer`` while a stream is
shown: ``feed(text)`` only writes a JSON line to the child's pipe; ``version``,
``frozen_steps`` and ``steps_since(n)`` answer from the latest update the child sent (a
reader task parses its stdout); ``take_phases()`` hands over provisional phases and metrics
when new ones arrived; ``await close_and_snapshot(answer, char_times)`` returns the final
``Analysis`` (equal to ``analyze()`` on the same text).  The analyser's ~0.2 s of CPU per
60,000 tokens thus runs in another process, on idle CPU only (``_background``): it never
slows the two panes, and on a busy machine the outline catches up after them.

One child serves one app across turns and replays: ``reset()`` starts a new text (a new
session; replies of an older session are dropped).  If the child cannot start, answers with
an error, dies or does not answer the close in time, the proxy switches to an in-process
``IncrementalAnalyzer`` fed with all the text so far, transparently (``fallback`` says why).

No Textual here: asyncio and the stdlib only (the analysis package is imported only for the
final ``Analysis`` objects and for the fallback).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import sys
import time
import weakref

SERVE_MODULE = "cot_viewer.analysis.serve"
CLOSE_TIMEOUT = 15.0  # s to wait for the final snapshot before analysing in-process
READ_LIMIT = 256 * 1024 * 1024  # one line holds the whole final analysis
LEAD_CHARS = 8_000  # the start of a text is also analysed in-process, until the child has caught up
ANALYSIS_NICE = 19  # the analysis child's nice value (0: as the app, and no SCHED_IDLE)
ANALYSER = "cot_viewer.analysis.core"  # imported: the in-process analyser can run
MODEL = "cot_viewer.analysis.model"  # imported: the result types can be built

_LIVE: "weakref.WeakSet[AnalysisProxy]" = weakref.WeakSet()


@atexit.register
def _kill_all() -> None:  # the child also ends by itself at end of input (our exit closes the pipe)
    for p in list(_LIVE):
        p.kill()


class LiveStep:
    """A step as the child reports it (same fields as ``cot_viewer.analysis.Step``)."""

    __slots__ = ("index", "start", "end", "paragraph", "label", "phase")

    def __init__(self, index: int, start: int, end: int, paragraph: int, label: str, phase: int = -1) -> None:
        self.index, self.start, self.end, self.paragraph, self.label, self.phase = index, start, end, paragraph, label, phase

    def __repr__(self) -> str:
        return f"LiveStep({self.index}, {self.start}, {self.end}, {self.paragraph}, {self.label!r}, {self.phase})"


def analysis_module():
    """The whole analysis package, its rules imported too (~60 ms; the package's own import
    is lazy)."""
    import cot_viewer.analysis.core  # noqa: F401
    import cot_viewer.analysis as module

    return module


def _model():
    """Only the result types (~5 ms): all the UI needs while the child analyses."""
    import cot_viewer.analysis.model as model

    return model


def _background(pid: int) -> None:
    """The child runs on idle CPU only: on a busy machine the two panes come first and the
    outline catches up after them (at any model's real speed there is idle CPU to spare).
    Nice 19 everywhere, and Linux's SCHED_IDLE, which a woken app preempts at once. The child
    shares our session (its own process group: no terminal Ctrl+C), so that with Linux
    autogroups it competes inside our group, not as a group of its own. Off with
    ``COT_VIEWER_ANALYSIS_NICE=0``."""
    import os

    nice = int(os.environ.get("COT_VIEWER_ANALYSIS_NICE", ANALYSIS_NICE))
    if not nice:
        return
    try:
        if hasattr(os, "setpriority"):
            os.setpriority(os.PRIO_PROCESS, pid, nice)
        if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
    except OSError:  # (a child that already ended; or not allowed here)
        pass


class AnalysisProxy:
    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or [sys.executable, "-m", SERVE_MODULE]
        self._prompt: str | None = None  # the problem of the current text, for Read labels
        self._proc = None  # asyncio.subprocess.Process
        self._spawning: asyncio.Task | None = None
        self._reader: asyncio.Task | None = None
        self._queue: list[bytes] = []  # written once the child is up
        self._shutting = False
        self.fallback: str | None = None  # why the analysis runs in-process (None: in the child)
        self.analysis_s = 0.0  # seconds of this (UI) process spent on the analysis
        self.session = 0
        self._clear()
        _LIVE.add(self)

    def _clear(self) -> None:
        self._pieces: list[str] = []  # all text of this session (for a fallback)
        self._steps: list[LiveStep] = []
        self._frozen = 0
        self._version = 0
        self._phases: dict | None = None  # the newest provisional phases/metrics not handed out
        self._local = None  # in-process IncrementalAnalyzer after a fallback
        self._lead = None  # in-process analyser of the first LEAD_CHARS (the outline at once)
        self._lead_feeds = 0  # feeds the lead has had: the child's version must reach it
        self._fed_chars = 0
        self._feeds = 0
        self._local_snap = (-1, 0.0)
        self._snapshot: asyncio.Future | None = None
        self._closed = False

    # -- the child -----------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self.fallback is None and not self._shutting

    def start(self) -> None:
        """Start the child now (it imports the analyser while the request is under way)."""
        if self._spawning is None and self.fallback is None and not self._shutting:
            self._spawning = asyncio.get_running_loop().create_task(self._spawn())

    async def _spawn(self) -> None:
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL, limit=READ_LIMIT, process_group=0)
            _background(self._proc.pid)
        except Exception as exc:  # noqa: BLE001
            self._fail(f"cannot start the analysis process: {exc}")
            return
        if self._shutting:
            self.kill()
            return
        self._reader = asyncio.get_running_loop().create_task(self._read())
        queued, self._queue = self._queue, []
        if queued:
            self._write(b"".join(queued))

    def _write(self, line: bytes) -> None:
        if self.fallback is not None:
            return
        proc = self._proc
        if proc is None:
            self._queue.append(line)
            self.start()
            return
        try:
            proc.stdin.write(line)  # buffered by the transport: never blocks
        except (BrokenPipeError, ConnectionResetError, RuntimeError, AttributeError) as exc:
            self._fail(f"the analysis process is gone: {exc}")

    def _send(self, obj: dict) -> None:
        self._write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")

    async def _read(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        try:
            while True:
                line = await proc.stdout.readline()
                if not line:
                    break
                t0 = time.perf_counter()
                try:
                    self._on_message(json.loads(line))
                finally:
                    self.analysis_s += time.perf_counter() - t0
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            self._fail(f"bad reply from the analysis process: {exc}")
            return
        if not self._shutting:
            self._fail("the analysis process ended")

    def _on_message(self, msg: dict) -> None:
        op = msg.get("op")
        if op == "error":
            self._fail("the analysis process reported: " + str(msg.get("message")))
            return
        if msg.get("session") != self.session or self._local is not None:
            return  # a reply to an older text
        if op == "steps":
            if self._lead is not None and msg["version"] >= self._lead_feeds and self._lead_feeds < self._feeds:
                self._lead = None  # the child has all the lead had (and more): it takes over
            first = msg["from"]
            del self._steps[first:]
            self._steps.extend([LiveStep(*row) for row in msg["steps"]])
            self._frozen = msg["frozen"]
            self._version += 1
        elif op == "phases":
            self._phases = msg
        elif op == "snapshot":
            fut = self._snapshot
            if fut is not None and not fut.done():
                fut.set_result(msg["analysis"])

    def _fail(self, reason: str) -> None:
        """Carry on in-process (the text so far is analysed again there)."""
        if self.fallback is not None:
            return
        self.fallback = reason
        self.kill()
        fut = self._snapshot
        if fut is not None and not fut.done():
            fut.set_exception(RuntimeError(reason))
        elif not self._closed and self._pieces:
            self._go_local()

    def _go_local(self) -> None:
        if self._local is None:
            t0 = time.perf_counter()
            self._local = analysis_module().IncrementalAnalyzer(prompt=self._prompt)
            self._local.feed("".join(self._pieces))
            self._version += 1
            self.analysis_s += time.perf_counter() - t0

    def kill(self) -> None:
        """End the child now (without waiting)."""
        proc = self._proc
        if proc is not None and proc.returncode is None:
            try:
                proc.kill()
            except ProcessLookupError:
                pass
        reader = self._reader
        if reader is not None and not reader.done():
            try:
                if asyncio.current_task() is not reader:
                    reader.cancel()
            except RuntimeError:  # no running loop (at exit)
                pass

    async def aclose(self) -> None:
        """End the child and wait for it (the app is closing)."""
        self._shutting = True
        self.kill()
        proc = self._proc
        if proc is not None:
            try:
                await asyncio.wait_for(proc.wait(), 2.0)
            except Exception:  # noqa: BLE001
                pass
        _LIVE.discard(self)

    # -- the IncrementalAnalyzer-like interface ------------------------------------------------
    def reset(self, prompt: str | None = None) -> int:
        """A new text (``prompt``: its problem, if known): returns its session number."""
        self.session += 1
        self._prompt = prompt or None
        self._clear()
        if self.fallback is None:
            self._send({"op": "reset", "session": self.session, "prompt": self._prompt})
        self._maybe_lead()
        return self.session

    def feed(self, text: str) -> None:
        if not text:
            return
        t0 = time.perf_counter()
        self._pieces.append(text)
        self._feeds += 1
        self._fed_chars += len(text)
        if self._lead is not None:
            if self._fed_chars <= LEAD_CHARS:
                self._lead.feed(text)
                self._lead_feeds = self._feeds
        else:
            self._maybe_lead()
        if self._local is not None:
            self._local.feed(text)
        elif self.fallback is not None:
            self._go_local()
        else:
            self._send({"op": "feed", "text": text})
        self.analysis_s += time.perf_counter() - t0

    def _maybe_lead(self) -> None:
        """Start the in-process lead on the text so far, once the analysis package is imported
        (the view imports it in a thread): only while the text is short and the child has not
        reported yet."""
        if (self._lead is None and self._local is None and self.fallback is None and self._version == 0
                and self._fed_chars <= LEAD_CHARS and ANALYSER in sys.modules):
            self._lead = analysis_module().IncrementalAnalyzer(prompt=self._prompt)
            self._lead.feed("".join(self._pieces))
            self._lead_feeds = self._feeds

    @property
    def _inproc(self):
        if self._lead is None:
            self._maybe_lead()
        return self._local if self._local is not None else self._lead

    @property
    def version(self):
        a = self._inproc
        return (self._version, a.version if a is not None else -1, a is self._lead)

    @property
    def frozen_steps(self) -> int:
        a = self._inproc
        return a.frozen_steps if a is not None else self._frozen

    def steps_since(self, n: int) -> list:
        a = self._inproc
        if a is not None:
            t0 = time.perf_counter()
            out = a.steps_since(n)
            self.analysis_s += time.perf_counter() - t0
            return out
        return self._steps[n:]

    def take_phases(self, *, force: bool = False):
        """``(phases, metrics)`` when newer provisional ones are available, else None."""
        a = self._inproc
        if a is not None:
            frozen, due = self._local_snap
            now = time.monotonic()
            if a.frozen_steps == frozen or (not force and now < due):
                return None
            t0 = time.perf_counter()
            snap = a.snapshot()
            cost = time.perf_counter() - t0
            self.analysis_s += cost
            self._local_snap = (a.frozen_steps, now + max(1.0, 20 * cost))
            return snap.phases, snap.metrics
        msg = self._phases
        if msg is None or MODEL not in sys.modules:  # no import on the event loop
            return None
        self._phases = None
        t0 = time.perf_counter()
        model = _model()
        phases = [model.Phase.from_dict(p) for p in msg["phases"]]
        metrics = model.Metrics.from_dict(msg["metrics"])
        self.analysis_s += time.perf_counter() - t0
        return phases, metrics

    def close_and_snapshot(self, answer: str = "", char_times=None, *, timeline=None):
        """End of the stream: asks the child for the final ``Analysis`` at once and returns an
        awaitable of it (seconds per phase from ``char_times``, or from the transcript's
        ``timeline``, which the child turns into char times itself)."""
        self._closed = True
        fut = None
        if self.fallback is None:
            fut = self._snapshot = asyncio.get_running_loop().create_future()
            t0 = time.perf_counter()
            cmd: dict = {"op": "close", "answer": answer}
            if timeline is not None and len(timeline):
                from cot_viewer.analysis.serve import encode_timeline

                cmd["timeline_b64"] = encode_timeline(timeline)
            elif char_times:
                from cot_viewer.analysis.serve import encode_char_times

                cmd["char_times_b64"] = encode_char_times(char_times)
            self._send(cmd)
            self.analysis_s += time.perf_counter() - t0
        return self._final(fut, answer, char_times, timeline)

    async def _final(self, fut, answer: str, char_times, timeline):
        if fut is not None:
            try:
                d = await asyncio.wait_for(fut, CLOSE_TIMEOUT)
                if MODEL not in sys.modules:
                    await asyncio.to_thread(_model)
                t0 = time.perf_counter()
                result = _model().Analysis.from_dict(d)
                self.analysis_s += time.perf_counter() - t0
                return result
            except Exception as exc:  # noqa: BLE001 - dead, hung or garbled: analyse here
                self._fail(f"no final analysis from the analysis process: {exc!r}")
            finally:
                self._snapshot = None
        if timeline is not None and char_times is None:
            from cot_viewer.transcript import char_times as columns_char_times

            char_times = columns_char_times(timeline.t, timeline.kinds, timeline.lengths) or None
        if self._local is not None:
            t0 = time.perf_counter()
            self._local.close()
            result = self._local.snapshot(answer, char_times)
            self.analysis_s += time.perf_counter() - t0
            return result
        text = "".join(self._pieces)
        t0 = time.perf_counter()
        result = await asyncio.to_thread(lambda: analysis_module().analyze(text, answer, char_times))
        self.analysis_s += time.perf_counter() - t0
        return result


def proxy_for(app) -> AnalysisProxy:
    """The app's analysis child (one per app, started on first use; a dead one is replaced
    at the next text)."""
    p = getattr(app, "_cot_analysis_proxy", None)
    if p is None or p._shutting or (p.fallback is not None and p._proc is not None):
        p = AnalysisProxy()
        try:
            app._cot_analysis_proxy = p
        except AttributeError:
            pass
    return p
