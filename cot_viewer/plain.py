"""The plain face: reasoning to stderr (dim in a terminal), the answer to stdout, or one
JSON object at the end. Used by ``ask --plain``/``--json``, ``replay --plain`` and ``demo --plain``.

Output is buffered and flushed every 50 ms (and at the end) so that thousands of tokens a
second cost a few writes, not one system call each. Model text is shown verbatim when the
output is a file or a pipe, and with control sequences removed when it is a terminal.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from cot_viewer.safe import json_text, shown, terminal_safe
from cot_viewer.stream.events import (
    AnswerDelta,
    Event,
    ReasoningDelta,
    Reclassify,
    Retrying,
    StreamWarning,
)
from cot_viewer.transcript import Transcript

FLUSH_INTERVAL = 0.05
DIM, RESET = "\x1b[2m", "\x1b[0m"


class _Out:
    """A buffered writer for one stream, sanitising model text when it is a terminal."""

    __slots__ = ("stream", "tty", "parts")

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = _isatty(stream)
        self.parts: list[str] = []

    def model(self, text: str) -> None:
        self.parts.append(terminal_safe(text) if self.tty else text)

    def raw(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        if self.parts:
            self.stream.write("".join(self.parts))
            self.parts.clear()
        self.stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class PlainPrinter:
    def __init__(self, out: TextIO | None = None, err: TextIO | None = None, *, show_reasoning: bool = True) -> None:
        self.out = _Out(out or sys.stdout)
        self.err = _Out(err or sys.stderr)
        self.show_reasoning = show_reasoning
        self._held: list[str] = []  # provisional answer text: answer unless a bare </think> follows
        self._in_reasoning = False
        self._answer_started = False
        self._answer_last = ""
        self._last_flush = time.monotonic()

    def on(self, e: Event) -> None:
        cls = type(e)
        if cls is ReasoningDelta:
            if e.index == 0:
                self._reasoning(e.text)
        elif cls is AnswerDelta:
            if e.index == 0:
                if e.provisional:
                    self._held.append(e.text)
                else:
                    self._release_held()
                    self._answer(e.text)
        elif cls is Reclassify:
            held, self._held = "".join(self._held), []
            if held:
                self._reasoning(held)
        elif cls is Retrying:
            self._notice(f"{e.message} — retrying in {e.wait:.0f} s (attempt {e.attempt})")
        elif cls is StreamWarning:
            self._notice(f"warning: {e.message}")
        else:
            return
        now = time.monotonic()
        if now - self._last_flush >= FLUSH_INTERVAL:
            self._last_flush = now
            self.flush()

    def _reasoning(self, text: str) -> None:
        if not self.show_reasoning:
            return
        if not self._in_reasoning:
            self._in_reasoning = True
            if self.err.tty:
                self.err.raw(DIM)
        self.err.model(text)

    def _end_reasoning(self) -> None:
        if self._in_reasoning:
            self._in_reasoning = False
            self.err.raw((RESET if self.err.tty else "") + "\n\n")

    def _answer(self, text: str) -> None:
        if not self._answer_started:
            self._answer_started = True
            self._end_reasoning()
            self.err.flush()  # reasoning before answer when both go to one terminal
        self.out.model(text)
        self._answer_last = text

    def _release_held(self) -> None:
        if self._held:
            held, self._held = "".join(self._held), []
            self._answer(held)

    def _notice(self, line: str) -> None:
        self._end_reasoning()
        self.err.raw(shown(line) + "\n")

    def flush(self) -> None:
        self.err.flush()
        self.out.flush()

    def finish(self, tr: Transcript) -> None:
        self._release_held()
        self._end_reasoning()
        if self._answer_started and not self._answer_last.endswith("\n"):
            self.out.raw("\n")
        self.flush()


def print_json(tr: Transcript, out: TextIO | None = None, **extra: object) -> None:
    doc = tr.to_dict()
    doc.update(extra)
    stream = out or sys.stdout
    stream.write(json_text(doc) + "\n")
    stream.flush()
