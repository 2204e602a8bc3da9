"""LiveAnalysis (cot_viewer/analysis/live.py): the incremental analyser on a worker thread."""

from __future__ import annotations

import random
import sys
import threading
import time
from pathlib import Path

import pytest

from cot_viewer.analysis import analyze
from cot_viewer.analysis import live as live_module
from cot_viewer.analysis.live import LiveAnalysis, LiveAnalysisError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from loopback import split_random, synthetic_answer, synthetic_reasoning  # noqa: E402

TEXT = synthetic_reasoning(6000)  # ~24,000 chars
TIMES = [(min(i + 4, len(TEXT)), i / 4000.0) for i in range(0, len(TEXT), 4)]


def _wait(pred, timeout=30.0, what="condition"):
    end = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.005)


def _rows(steps):
    return [(s.index, s.start, s.end, s.paragraph, s.label) for s in steps]


class Outline:
    """What a caller holds: the steps as poll() hands them over."""

    def __init__(self) -> None:
        self.steps: list = []
        self.frozen = 0
        self.phases = None

    def take(self, update) -> None:
        assert self.frozen <= update.first <= len(self.steps)  # never before what it froze
        del self.steps[update.first:]
        self.steps.extend(update.steps)
        self.frozen = update.frozen
        if update.phases is not None:
            self.phases = update.phases


def test_equal_to_analyze_on_corpus_traces_fed_in_random_slices(corpus_rows):
    rnd = random.Random(12)
    for k, row in enumerate(corpus_rows[::10]):
        text, prompt = row["reasoning"], row.get("prompt")
        times = [(n, n / 400.0) for n in range(50, len(text), 50)] + [(len(text), len(text) / 400.0)]
        live = LiveAnalysis(prompt, busy_share=1.0)
        seen = Outline()
        for piece in split_random(text, seed=k, max_size=600):
            live.feed(piece)
            if rnd.random() < 0.2:
                update = live.poll()
                if update is not None:
                    seen.take(update)
        got = live.finish("the answer", times)
        want = analyze(text, "the answer", times, prompt=prompt)
        assert got.to_dict(text) == want.to_dict(text)
        update = live.poll()  # after finish: the final steps, frozen
        if update is not None:
            seen.take(update)
        assert _rows(seen.steps) == _rows(want.steps)


def test_poll_hands_over_each_step_once_and_frozen_steps_never_change():
    live = LiveAnalysis(busy_share=1.0)
    assert live.poll() is None  # nothing fed: nothing new
    seen = Outline()
    pieces = [TEXT[i:i + 1500] for i in range(0, len(TEXT), 1500)]
    handed = 0
    for piece in pieces:
        live.feed(piece)
        _wait(lambda: live.caught_up, what="the worker")
        update = live.poll()
        assert update is not None and update.first == seen.frozen
        before = _rows(seen.steps[: seen.frozen])
        seen.take(update)
        assert _rows(seen.steps[: len(before)]) == before  # frozen steps are not resent, nor changed
        handed += len(update.steps)
        assert live.poll() is None  # nothing new since
    assert seen.phases is not None  # provisional phases came along
    final = live.finish(synthetic_answer(), TIMES)
    assert final.to_dict() == analyze(TEXT, synthetic_answer(), TIMES).to_dict()
    assert _rows(seen.steps[: seen.frozen]) == _rows(final.steps[: seen.frozen])
    assert handed < 2 * len(final.steps)  # not the whole list on every poll


def test_finish_is_idempotent_and_feed_after_it_is_ignored():
    live = LiveAnalysis()
    live.feed(TEXT[:5000])
    a = live.finish("x")
    live.feed("more text\n\n")
    assert live.finish("other answer") is a
    assert a.to_dict() == analyze(TEXT[:5000], "x").to_dict()
    assert live.finished


def test_a_failure_in_the_analyser_does_not_break_the_stream(monkeypatch):
    from cot_viewer.analysis import core

    calls = []

    def broken(self, delta):
        calls.append(delta)
        raise ValueError("a bug in a labelling rule")

    monkeypatch.setattr(core.IncrementalAnalyzer, "feed", broken)
    live = LiveAnalysis(busy_share=1.0)
    live.feed("First paragraph.\n\n")
    _wait(lambda: live.finished, what="the worker to stop")
    live.feed("Second paragraph.\n\n")  # the caller's stream goes on: no exception here
    assert live.poll() is None
    assert isinstance(live.error, ValueError) and calls
    with pytest.raises(LiveAnalysisError, match="a bug in a labelling rule"):
        live.finish("")


def test_cancel_ends_the_worker_without_a_result():
    live = LiveAnalysis()
    live.feed(TEXT)
    live.cancel()
    _wait(lambda: live.finished, what="the worker to end")
    with pytest.raises(LiveAnalysisError):
        live.finish("")


def test_the_worker_does_the_work_and_yields_while_the_stream_is_on(monkeypatch):
    """The caller's feed/poll cost nothing measurable; the worker, throttled to a share of the
    wall time, catches up unthrottled in finish()."""
    monkeypatch.setattr(live_module, "SLICE", 500)
    text = TEXT * 4
    live = LiveAnalysis(busy_share=0.2)
    t0 = time.thread_time()
    for i in range(0, len(text), 400):
        live.feed(text[i:i + 400])
        live.poll()
    caller_cpu = time.thread_time() - t0
    final = live.finish("")
    assert final.to_dict() == analyze(text).to_dict()
    assert live.cpu_s > 5 * caller_cpu  # the analysis ran on the worker, not here


def test_prompt_reaches_the_analyser_like_analyze():
    prompt = "Which number is prime? (A) 4 (B) 6 (C) 7 (D) 9"
    text = ("Okay, let me think.\n\n4, 6 and 9 are composite, so 7 is the prime.\n\n"
            "So option C.\n\nWait, let me check 7 again. Yes.\n\n")
    live = LiveAnalysis(prompt)
    live.feed(text)
    got = live.finish("\\boxed{C}")
    want = analyze(text, "\\boxed{C}", prompt=prompt)
    assert got.to_dict() == want.to_dict()
    assert want.metrics.first_answer_at != analyze(text, "\\boxed{C}").metrics.first_answer_at


def test_no_thread_is_left_behind():
    before = threading.active_count()
    for _ in range(5):
        live = LiveAnalysis()
        live.feed("A step.\n\n")
        live.finish("")
    _wait(lambda: threading.active_count() <= before, what="the workers to end")


def test_hold_keeps_the_text_waiting_until_released_or_finished():
    live = LiveAnalysis(busy_share=1.0)
    live.hold()
    live.feed(TEXT[:6000])
    time.sleep(0.2)
    assert not live.caught_up and live.poll() is None  # nothing analysed while held
    live.hold(False)
    _wait(lambda: live.caught_up, what="the release")
    assert live.poll() is not None
    live.hold()
    live.feed(TEXT[6000:])
    final = live.finish("")  # finish() ends a hold
    assert final.to_dict() == analyze(TEXT).to_dict()
