"""The live analysis child (cot_viewer.analysis.serve) and its client (tui/analysis_proxy.py)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from cot_viewer.analysis import analyze
from cot_viewer.tui import analysis_proxy
from cot_viewer.tui.analysis_proxy import AnalysisProxy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from loopback import synthetic_answer, synthetic_reasoning  # noqa: E402

TEXT = synthetic_reasoning(6000)  # ~24,000 chars: past the in-process lead
PIECES = [TEXT[i:i + 1500] for i in range(0, len(TEXT), 1500)]
TIMES = [(min(i + 4, len(TEXT)), i / 4000.0) for i in range(0, len(TEXT), 4)]


async def _wait(pred, timeout=20.0):
    t = asyncio.get_running_loop().time() + timeout
    while not pred():
        assert asyncio.get_running_loop().time() < t, "timed out"
        await asyncio.sleep(0.01)


def _rows(steps):
    return [(s.index, s.start, s.end, s.paragraph, s.label) for s in steps]


def test_child_steps_and_snapshot_equal_in_process():
    async def run():
        p = AnalysisProxy()
        p.start()
        p.reset()
        for piece in PIECES:
            p.feed(piece)
            await asyncio.sleep(0.005)
        full = analyze(TEXT, synthetic_answer(), TIMES)
        await _wait(lambda: p._lead is None and p._version and p.frozen_steps > 0 and p._steps
                    and p._steps[-1].end >= len(TEXT.rstrip()) - 1)
        assert p.fallback is None
        steps = p.steps_since(0)
        # frozen steps are final; the open paragraph's may still change at close
        assert _rows(steps[: p.frozen_steps]) == _rows(full.steps[: p.frozen_steps])
        assert p.take_phases() is not None or p._phases is None
        a = await p.close_and_snapshot(synthetic_answer(), TIMES)
        assert p.fallback is None
        assert a.to_dict() == full.to_dict()
        # the same child for the next text
        proc = p._proc
        p.reset()
        p.feed(PIECES[0])
        b = await p.close_and_snapshot("", None)
        assert p._proc is proc and b.to_dict() == analyze(PIECES[0]).to_dict()
        await p.aclose()
        assert proc.returncode is not None

    asyncio.run(run())


def test_fallback_when_the_child_is_killed_mid_stream():
    async def run():
        p = AnalysisProxy()
        p.start()
        p.reset()
        half = len(PIECES) // 2
        for piece in PIECES[:half]:
            p.feed(piece)
        await _wait(lambda: p._version > 0)
        p._proc.kill()
        await _wait(lambda: p.fallback is not None)
        for piece in PIECES[half:]:
            p.feed(piece)
        assert p.frozen_steps > 0 and p.steps_since(0)
        a = await p.close_and_snapshot("x", TIMES)
        assert a.to_dict() == analyze(TEXT, "x", TIMES).to_dict()
        await p.aclose()

    asyncio.run(run())


def test_fallback_when_the_child_dies_before_the_close_answer():
    async def run():
        p = AnalysisProxy()
        p.start()
        p.reset()
        for piece in PIECES:
            p.feed(piece)
        await _wait(lambda: p._proc is not None)
        p._proc.kill()
        a = await p.close_and_snapshot("", None)
        assert p.fallback is not None
        assert a.to_dict() == analyze(TEXT).to_dict()

    asyncio.run(run())


def test_fallback_when_the_child_cannot_start(monkeypatch):
    async def run():
        p = AnalysisProxy(command=["/nonexistent/python-for-cot-viewer"])
        p.start()
        p.reset()
        for piece in PIECES:
            p.feed(piece)
            await asyncio.sleep(0)
        await _wait(lambda: p.fallback is not None)
        p.feed("")
        assert p.steps_since(0)
        a = await p.close_and_snapshot("", TIMES)
        assert a.to_dict() == analyze(TEXT, "", TIMES).to_dict()

    asyncio.run(run())


def test_char_times_encoding_is_exact():
    from cot_viewer.analysis.serve import decode_char_times, encode_char_times

    ct = [(3, 0.1), (10, 1 / 3), (2**40, 123456.789e-3)]
    assert decode_char_times({"char_times_b64": encode_char_times(ct)}) == ct
    assert decode_char_times({"char_times": [[3, 0.1]]}) == [(3, 0.1)]


@pytest.mark.parametrize("lead", [0, analysis_proxy.LEAD_CHARS])
def test_short_text_lead(monkeypatch, lead):
    monkeypatch.setattr(analysis_proxy, "LEAD_CHARS", lead)

    async def run():
        p = AnalysisProxy()
        p.start()
        p.reset()
        p.feed(PIECES[0])
        if lead:  # analysed in-process at once: the outline does not wait for the child
            assert p.steps_since(0)
        a = await p.close_and_snapshot("", None)
        assert a.to_dict() == analyze(PIECES[0]).to_dict()
        await p.aclose()

    asyncio.run(run())


async def test_prompt_reaches_the_child_and_changes_metrics_like_analyze():
    """The live analysis gets the problem text, as `cot-viewer analyze` does: with it, a
    choice letter's option value counts as reaching that answer."""
    from cot_viewer.analysis import analyze
    from cot_viewer.tui.analysis_proxy import AnalysisProxy

    prompt = "Which number is prime? (A) 4 (B) 6 (C) 7 (D) 9"
    text = ("Okay, let me think.\n\n4, 6 and 9 are composite, so 7 is the prime.\n\n"
            "So option C.\n\nWait, let me check 7 again. Yes.\n\n")
    answer = "\\boxed{C}"
    proxy = AnalysisProxy()
    try:
        proxy.reset(prompt)
        proxy.feed(text)
        got = await proxy.close_and_snapshot(answer, None)
    finally:
        await proxy.aclose()
    want = analyze(text, answer, None, prompt=prompt)
    assert [s.label for s in got.steps] == [s.label for s in want.steps]
    assert got.metrics.first_answer_at == want.metrics.first_answer_at
    assert want.metrics.first_answer_at != analyze(text, answer).metrics.first_answer_at  # the prompt matters here


async def _started() -> tuple[AnalysisProxy, int]:
    """A proxy whose child is up, and the child's pid."""
    p = AnalysisProxy()
    p.start()
    await _wait(lambda: p._proc is not None)
    return p, p._proc.pid


def test_the_analysis_child_runs_on_idle_cpu(monkeypatch):
    import os

    monkeypatch.delenv("COT_VIEWER_ANALYSIS_NICE", raising=False)

    async def run():
        p, pid = await _started()
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pid) == max(ours, min(19, analysis_proxy.ANALYSIS_NICE))
        if hasattr(os, "SCHED_IDLE"):  # Linux: it runs only when a CPU is idle
            assert os.sched_getscheduler(pid) == os.SCHED_IDLE
        # our session (with Linux autogroups it competes inside our group), its own process
        # group (the terminal's Ctrl+C does not reach it)
        assert os.getsid(pid) == os.getsid(0) and os.getpgid(pid) == pid != os.getpgid(0)
        # (what it computes is checked at normal priority below: CPU-bound processes in our
        # session can keep an idle-only child from running for as long as they run)
        await p.aclose()

    asyncio.run(run())


def test_the_analysis_child_priority_can_be_left_alone(monkeypatch):
    import os

    monkeypatch.setenv("COT_VIEWER_ANALYSIS_NICE", "0")

    async def run():
        p, pid = await _started()
        assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0)
        if hasattr(os, "SCHED_IDLE"):
            assert os.sched_getscheduler(pid) == os.sched_getscheduler(0)
        p.reset()
        p.feed(PIECES[0])
        got = await p.close_and_snapshot("")
        assert p.fallback is None and got.to_dict() == analyze(PIECES[0]).to_dict()
        await p.aclose()

    asyncio.run(run())
