"""Helpers for the TUI tests: saved transcripts, polling, the screen as text."""

from __future__ import annotations

import asyncio
import time

from cot_viewer.stream.events import AnswerDelta, Finish, ReasoningDelta, StreamEnd, Usage
from cot_viewer.transcript import Transcript

FIXED_CREATED = 1_767_225_600.0  # 2026-01-01 00:00 UTC


async def wait_until(predicate, timeout: float = 10.0, interval: float = 0.01, what: str = "condition") -> None:
    """Poll ``predicate`` (which may raise while the UI is not ready) until it is true."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception as exc:  # noqa: BLE001
            last_exc = exc
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}" + (f" (last error: {last_exc!r})" if last_exc else ""))


def exit_code_file(path, timeout: float = 20.0) -> str:
    """What a command run in a terminal wrote to ``path`` (``echo $? > path``) once it ended,
    or "(still running)" after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not path.exists():
        time.sleep(0.1)
    return path.read_text().strip() if path.exists() else "(still running)"


def make_transcript(reasoning: str, answer: str, *, prompt: str = "What is the chance of at least one six in four rolls?",
                    id: str = "a1b2c3d4e5f6", step: float = 0.01, model: str = "deepseek-reasoner",
                    created: float = FIXED_CREATED, token_chars: int = 4) -> Transcript:
    """A finished transcript built through events (so its timeline is real)."""
    tr = Transcript(prompt=prompt, messages=[{"role": "user", "content": prompt}], provider="deepseek",
                    base_url="https://api.deepseek.com", model=model, id=id, created=created)
    t = 0.5
    for i in range(0, len(reasoning), token_chars):
        tr.apply(ReasoningDelta(t, reasoning[i:i + token_chars]))
        t += step
    for i in range(0, len(answer), token_chars):
        tr.apply(AnswerDelta(t, answer[i:i + token_chars]))
        t += step
    tr.apply(Finish(t, "stop"))
    nr = -(-len(reasoning) // token_chars)
    na = -(-len(answer) // token_chars)
    tr.apply(Usage(t, {"prompt_tokens": 12, "completion_tokens": nr + na, "completion_tokens_details": {"reasoning_tokens": nr}}))
    tr.apply(StreamEnd(t, True))
    return tr


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, dt: float) -> None:
        self.now += dt


REASONING = (
    "Okay, so the question asks for **at least one six** in four rolls.\n\n"
    "- Each roll misses a six with probability $5/6$.\n"
    "- Four rolls are *independent*, so multiply.\n\n"
    "Wait, let me check with `python`:\n\n"
    "```python\nprint(1 - (5/6)**4)\n```\n\n"
    "## Result\n\nThat gives about 0.518. Yes."
)
ANSWER = (
    "**Answer:** about $0.518$.\n\n"
    "- Miss probability per roll: $5/6$.\n"
    "- At least one six: $1 - (5/6)^4 \\approx 0.518$.\n\n"
    "```python\nprint(1 - (5/6)**4)\n```\n"
)


def screen_lines(app) -> list[str]:
    """What the terminal would show, as plain text lines."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))


def notified(app, text: str) -> bool:
    """A toast containing ``text`` was shown."""
    return any(text in str(n.message) for n in app._notifications)
