"""The answer pane: Textual's Markdown fed through a MarkdownStream, in an anchored scroll.

Answers are short next to the monologue (hundreds to a few thousand tokens), so the full
Markdown renderer (tables, highlighted code) is affordable here; writes arrive already
batched by the view's 50 ms flush, and ``MarkdownStream`` coalesces them further.
Maths is cut out before the Markdown is rendered and shown as Unicode text
(:mod:`cot_viewer.maths`; Markdown would eat the backslashes of ``\\(`` and ``\\[``), and
``<tag>``-like text is escaped so that it is shown rather than dropped as HTML. Text is
passed through :func:`cot_viewer.safe.terminal_safe` (no ESC, no controls); the Markdown
widget never interprets Rich markup, so ``[bold]`` stays text.

Appending, finishing and replacing are serialised by one lock: the view's timer tick and
the end of a stream both write here, and Textual's ``MarkdownStream.stop()`` raises
``CancelledError`` into its caller when its task has not started yet (a stream created by
one writer and stopped by another before the loop ran it). That ended the generation
worker before the final status was shown.
"""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Markdown, Static

from cot_viewer.maths import MathSplitter, readable_markdown, split_maths
from cot_viewer.safe import terminal_safe


def shown_markdown(text: str) -> str:
    """The Markdown the pane renders for ``text``: maths readable, tags and controls inert."""
    return terminal_safe(readable_markdown(split_maths(text)))


class AnswerPane(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    AnswerPane { height: 1fr; scrollbar-gutter: stable; }
    AnswerPane > #answer-placeholder { color: $text-muted; text-style: italic; padding: 0 1; }
    AnswerPane > Markdown { padding: 0 1 0 0; margin: 0; }
    """
    ALLOW_MAXIMIZE = True

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._parts: list[str] = []
        self._stream = None
        self._follow = True  # anchor to the tail once the text overflows
        self._lock = asyncio.Lock()  # one writer at a time (see the module docstring)
        self._splitter = MathSplitter()  # holds back a formula until it is closed

    def follow(self, on: bool = True) -> None:
        """Follow the tail (anchored) once the text is taller than the pane.

        Anchoring an overflowing container only: Textual 8.2.8 computes a negative scroll
        offset for an anchored container whose content is shorter than it.
        """
        self._follow = on
        if not on:
            self.anchor(False)
        self.call_after_refresh(self._maybe_anchor)

    def _maybe_anchor(self) -> None:
        if self._follow and not self.is_anchored and self.max_scroll_y > 0:
            self.anchor()

    def compose(self) -> ComposeResult:
        yield Static("", id="answer-placeholder")
        yield Markdown("", id="answer-md")


    @property
    def markdown(self) -> Markdown:
        return self.query_one("#answer-md", Markdown)

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def set_placeholder(self, text: str) -> None:
        if text == getattr(self, "_placeholder", None):
            return
        self._placeholder = text
        ph = self.query_one("#answer-placeholder", Static)
        ph.update(Content(text))
        ph.display = bool(text)

    async def append(self, text: str) -> None:
        if not text:
            return
        async with self._lock:
            self._parts.append(text)
            if self._stream is None:
                self._stream = Markdown.get_stream(self.markdown)
            await self._stream.write(terminal_safe(readable_markdown(self._splitter.feed(text))))
        if self._follow and not self.is_anchored:
            self.call_after_refresh(self._maybe_anchor)

    async def _stop_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            await stream.stop()
        except asyncio.CancelledError:
            # the stream's own task, cancelled before it ran: not a cancellation of ours
            # (the full update that follows shows its text)
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise

    async def finish(self) -> None:
        """Stop streaming; one full update as a safety net (cheap at answer sizes)."""
        async with self._lock:
            await self._stop_stream()
            self._splitter = MathSplitter()
            if self._parts:
                await self.markdown.update(shown_markdown(self.text))

    async def set_text(self, text: str) -> None:
        async with self._lock:
            await self._stop_stream()
            self._splitter = MathSplitter()
            self._parts = [text] if text else []
            self.anchor(False)
            await self.markdown.update(shown_markdown(text))

    async def clear(self) -> None:
        await self.set_text("")
