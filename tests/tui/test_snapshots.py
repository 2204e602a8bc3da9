"""SVG snapshots of the key screens (pytest-textual-snapshot). Deterministic: a frozen clock,
fixed ids and times, no cursor blink, no network (events are fed to the view directly).

Update after an intended change: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import time

import pytest
from tui_helpers import ANSWER, REASONING, FakeClock, make_transcript, wait_until

from cot_viewer.replay import timeline_events
from cot_viewer.store.history import History
from cot_viewer.stream.client import Endpoint
from cot_viewer.stream.events import ReasoningDelta
from cot_viewer.tui.app import CotViewerApp
from cot_viewer.tui.screens.ask import AskScreen
from cot_viewer.tui.screens.home import HomeScreen
from cot_viewer.tui.screens.replay import ReplayScreen
from cot_viewer.tui.session import AskSession


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _ask_app() -> CotViewerApp:
    session = AskSession(endpoint=Endpoint("deepseek", "https://api.deepseek.com", "deepseek-reasoner"), turns=[])
    return CotViewerApp(lambda: AskScreen(session), clock=FakeClock(), cursor_blink=False, theme="textual-dark")


async def _ready(pilot, predicate) -> None:
    await wait_until(predicate, what="the screen to be ready")
    await pilot.pause()


async def _feed(pilot, events, *, at: float, finish=None) -> None:
    await _ready(pilot, lambda: pilot.app.screen.view.query_one("#error-line") is not None)
    view = pilot.app.screen.view
    await view.begin("deepseek", "deepseek-reasoner")
    view.clock = lambda: at
    view.set_prompt("What is the chance of at least one six in four rolls?")
    view.info.saved_id = "a1b2c3d4e5f6"
    for e in events:
        view.feed(e)
    await view.flush()
    await view.outline_feed.settle()  # the live outline has all the text so far
    if finish is not None:
        await view.end(finish)
        await view.outline_feed.ensure_analysis()  # the final analysis lands after the panes
    await pilot.pause()
    await pilot.pause()


def _thinking_events():
    t = 0.5
    for i in range(0, len(REASONING) // 2, 4):
        yield ReasoningDelta(t, REASONING[i:i + 4])
        t += 0.05


def test_mid_stream_thinking(snap_compare):
    async def run_before(pilot):
        await _feed(pilot, list(_thinking_events()), at=4.2)

    assert snap_compare(_ask_app(), terminal_size=(150, 34), run_before=run_before)


def _finished():
    tr = make_transcript(REASONING, ANSWER)
    return tr, list(timeline_events(tr))


def test_finished_two_panes(snap_compare):
    tr, events = _finished()

    async def run_before(pilot):
        await _feed(pilot, events, at=tr.timing.total_s, finish=tr)

    assert snap_compare(_ask_app(), terminal_size=(150, 34), run_before=run_before)


def test_narrow_stacked(snap_compare):
    tr, events = _finished()

    async def run_before(pilot):
        await _feed(pilot, events, at=tr.timing.total_s, finish=tr)

    assert snap_compare(_ask_app(), terminal_size=(90, 44), run_before=run_before)


def test_history_screen(snap_compare, home):
    h = History.open()
    h.save(make_transcript(REASONING, ANSWER, id="a1b2c3d4e5f6"))
    h.save(make_transcript("Hmm [/] tricky.", "It is **42**.", id="0f0f0f0f0f0f", prompt="What is six times seven? [bold]",
                           created=1_767_225_600.0 + 3600, model="deepseek-r1"))
    app = CotViewerApp(lambda: HomeScreen(h), clock=FakeClock(), cursor_blink=False, theme="textual-dark")

    async def run_before(pilot):
        await pilot.pause()

    assert snap_compare(app, terminal_size=(130, 20), run_before=run_before)
    h.close()


def test_replay_screen(snap_compare):
    tr = make_transcript(REASONING, ANSWER, step=0.05)
    app = CotViewerApp(lambda: ReplayScreen(tr, 1.0), clock=FakeClock(), cursor_blink=False, theme="textual-dark")

    async def run_before(pilot):
        screen = pilot.app.screen
        await _ready(pilot, lambda: screen._worker is not None and screen._worker.is_running)
        await pilot.pause(0.1)
        screen.paused = True
        screen.pos = 5.0  # the frozen clock never moves it: events up to 5.0 s are shown
        view = screen.view
        while view.info.reasoning_tokens < 45 or view._pend_r:
            await pilot.pause(0.02)
        await view.flush()
        await view.outline_feed.settle()
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(150, 34), run_before=run_before)


def _demo_opened():
    from cot_viewer.commands.replay import demo_transcript

    tr = demo_transcript()
    return CotViewerApp(lambda: ReplayScreen(tr, opened=True), clock=FakeClock(), cursor_blink=False, theme="textual-dark")


def test_outline_and_labelled_monologue(snap_compare):
    """Issue #5: the outline beside the monologue, label colours on, a step selected."""

    async def run_before(pilot):
        view = pilot.app.screen.view
        await _ready(pilot, lambda: view.analysis is not None)
        await pilot.press("l")
        view.outline_list.focus()
        await pilot.press("down", "down", "down", "down", "down", "down", "enter")
        await pilot.pause(0.1)

    assert snap_compare(_demo_opened(), terminal_size=(160, 40), run_before=run_before)


def test_step_through(snap_compare):
    """Issue #5: step-through replay, step 6 revealed, the answer hidden."""

    async def run_before(pilot):
        screen = pilot.app.screen
        await _ready(pilot, lambda: screen.view.analysis is not None)
        await pilot.press("s")
        await _ready(pilot, lambda: screen.stepping)
        await pilot.press("n", "n", "n", "n", "n")
        await pilot.pause(0.1)

    assert snap_compare(_demo_opened(), terminal_size=(160, 40), run_before=run_before)
