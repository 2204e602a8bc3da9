"""The compare screen with Textual's pilot: one clock for both runs, pause, jump to the end,
phases scrolling the other run to their counterpart, one run at a time at 80×24."""

from __future__ import annotations

from compare_runs import ANSWER_A, ANSWER_B, PROMPT, REASONING_A, REASONING_B
from tui_helpers import FakeClock, make_transcript, notified, screen_text, wait_until

from cot_viewer.replay import timeline_events
from cot_viewer.stream.events import ReasoningDelta
from cot_viewer.tui.app import CotViewerApp
from cot_viewer.tui.screens.compare import CompareScreen, TableScreen


def _runs(times: int = 1):
    a = make_transcript(REASONING_A * times, ANSWER_A, prompt=PROMPT, id="aaaaaaaaaaaa", step=0.01)
    b = make_transcript(REASONING_B * times, ANSWER_B, prompt=PROMPT, id="bbbbbbbbbbbb", step=0.03)
    return a, b


def _shown_by(tr, pos: float) -> int:
    """Reasoning characters of ``tr`` whose time has come at ``pos``."""
    return sum(len(e.text) for e in timeline_events(tr) if isinstance(e, ReasoningDelta) and e.t <= pos)


async def test_both_columns_advance_on_one_clock_pause_and_jump(home):
    a, b = _runs(3)
    clock = FakeClock()
    app = CotViewerApp(lambda: CompareScreen(a, b, 1.0), clock=clock, cursor_blink=False)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.screen
        va, vb = screen.view("a"), screen.view("b")
        await wait_until(lambda: screen.playing, what="playing")
        for pos in (1.0, 2.0):
            clock.advance(1.0)
            await wait_until(lambda: screen.pos == pos, what=f"the clock at {pos}")
            want_a, want_b = _shown_by(a, pos), _shown_by(b, pos)
            assert 0 < want_a < len(a.reasoning) and 0 < want_b < len(b.reasoning) and want_a != want_b
            await wait_until(lambda: (len(va.monologue), len(vb.monologue)) == (want_a, want_b),
                             what=f"both monologues at {pos} s")
        await pilot.press("space")
        assert screen.paused
        clock.advance(5.0)
        await wait_until(lambda: "paused" in screen_text(app), what="paused shown")
        assert screen.pos == 2.0 and len(va.monologue) == _shown_by(a, 2.0)
        await pilot.press("space", "plus")
        assert screen.speed == 2.0 and not screen.paused
        clock.advance(0.1)
        await wait_until(lambda: screen.pos > 2.0, what="resumed at twice the speed")
        await pilot.press("e")
        await wait_until(lambda: va.monologue.text == a.reasoning and vb.monologue.text == b.reasoning
                         and va.answer.text == a.answer and vb.answer.text == b.answer, what="both whole")
        await wait_until(lambda: va.info.phase == "done" and vb.info.phase == "done")


async def test_both_runs_play_to_their_own_ends(home):
    a, b = _runs()
    app = CotViewerApp(lambda: CompareScreen(a, b, 8.0), cursor_blink=False)
    async with app.run_test(size=(160, 40)):
        screen = app.screen
        await wait_until(lambda: all(screen.ended.values()), what="both ended", timeout=30)
        for k, tr in (("a", a), ("b", b)):
            view = screen.view(k)
            assert view.monologue.text == tr.reasoning and view.answer.text == tr.answer
        await wait_until(lambda: screen.view("a").info.phase == "done" and screen.view("b").info.phase == "done")


async def test_a_phase_scrolls_the_other_run_to_its_counterpart(home):
    a, b = _runs(4)  # long enough to scroll
    app = CotViewerApp(lambda: CompareScreen(a, b, 0), cursor_blink=False)
    async with app.run_test(size=(160, 30)) as pilot:
        screen = app.screen
        await wait_until(lambda: screen.comparison is not None and all(screen.ended.values()), what="shown whole")
        an_a, an_b = screen.comparison.analyses
        final_a = next(p for p in an_a.phases if p.kind == "final")
        final_b = next(p for p in an_b.phases if p.kind == "final")
        lst = screen.phases_list("a")
        await pilot.press("p", "end", "enter")  # the phases of A, the last one: the final decision
        assert screen.focused is lst and lst.highlighted == final_a.index == len(an_a.phases) - 1
        mono_a, mono_b = screen.view("a").monologue, screen.view("b").monologue
        await wait_until(lambda: mono_b.scroll_offset.y == min(mono_b.offset_to_row(final_b.start), mono_b.max_scroll_y),
                         what="B scrolled to its final decision")
        assert mono_a.scroll_offset.y == min(mono_a.offset_to_row(final_a.start), mono_a.max_scroll_y)
        assert screen.phases_list("b").highlighted == final_b.index
        # a cycle of A that B does not have: said, B stays where it was
        cycle = next(p for p in an_a.phases if p.kind == "reconstruction" and p.number == 2)
        y_b = mono_b.scroll_offset.y
        lst.highlighted = cycle.index
        await pilot.press("enter")
        await wait_until(lambda: notified(app, "Run B has no Reconstruction 2"), what="the gap said")
        assert mono_b.scroll_offset.y == y_b
        await pilot.press("c")
        await wait_until(lambda: isinstance(app.screen, TableScreen) and "Answers agree" in screen_text(app), what="table")
        assert "Reconstruction 2" in screen_text(app) and "(none)" in screen_text(app)
        await pilot.press("escape")
        await wait_until(lambda: app.screen is screen)


async def test_80x24_shows_one_run_at_a_time_and_w_switches(home):
    a, b = _runs()
    app = CotViewerApp(lambda: CompareScreen(a, b, 0), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_until(lambda: all(screen.ended.values()) and screen.comparison is not None, what="shown")
        assert screen.has_class("single")
        await wait_until(lambda: "A › What is 24" in screen_text(app) and "B › What is 24" not in screen_text(app),
                         what="only A")
        assert "Phases of A" in screen_text(app) and "showing A" in screen_text(app)
        await pilot.press("w")
        await wait_until(lambda: "B › What is 24" in screen_text(app) and "A › What is 24" not in screen_text(app),
                         what="only B")
        assert "showing B" in screen_text(app) and "Phases of B" in screen_text(app)
        await pilot.resize_terminal(160, 40)
        await wait_until(lambda: "A › What is 24" in screen_text(app) and "B › What is 24" in screen_text(app),
                         what="both side by side when wide")
