"""Copy keys (issue #13 item 24): the reasoning, the answer, the selected step — to the
clipboard (OSC 52 through Textual) or to a file."""

from __future__ import annotations

import os

from tui_helpers import notified, wait_until

from cot_viewer.commands.replay import demo_transcript
from cot_viewer.tui.app import CotViewerApp
from cot_viewer.tui.screens.copy import CopyScreen
from cot_viewer.tui.screens.replay import ReplayScreen


async def test_copy_reasoning_answer_and_step(home):
    tr = demo_transcript()
    app = CotViewerApp(lambda: ReplayScreen(tr, opened=True), cursor_blink=False)
    async with app.run_test(size=(160, 44)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.analysis is not None and view.answer.text == tr.answer, what="opened")
        await pilot.press("y")
        await wait_until(lambda: isinstance(app.screen, CopyScreen))
        await pilot.press("a")
        await wait_until(lambda: app.clipboard == tr.answer, what="answer copied")
        await pilot.press("y", "r")
        await wait_until(lambda: app.clipboard == tr.reasoning, what="reasoning copied")
        view.outline_list.focus()
        await pilot.press("down", "down", "down", "enter")  # Definition, step 1, step 2, step 3
        step = view.outline_feed.selected_step()
        s = view.analysis.steps[step]
        await pilot.press("y", "s")
        await wait_until(lambda: app.clipboard == tr.reasoning[s.start:s.end], what="step copied")
        await pilot.press("y", "A")
        path = home.parent / f"cot-viewer-{tr.id}-answer.md"
        await wait_until(path.exists, what="the answer written to a file")
        assert path.read_text(encoding="utf-8") == tr.answer
        assert os.stat(path).st_mode & 0o777 == 0o600
        assert notified(app, path.name)


async def test_dragging_in_the_monologue_selects_its_text_and_ctrl_c_copies_it(home):
    """Issue #13 item 24: dragging in the monologue selected nothing, and Ctrl+C then copied
    the answer."""
    from tui_helpers import ANSWER, REASONING, make_transcript

    tr = make_transcript(REASONING, ANSWER)
    app = CotViewerApp(lambda: ReplayScreen(tr, opened=True), cursor_blink=False)
    async with app.run_test(size=(120, 30)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.answer.text == ANSWER, what="opened")
        mono = view.monologue
        top = mono.content_region.y - mono.region.y  # inside the border
        left = mono.content_region.x - mono.region.x
        await pilot.mouse_down(mono, offset=(left, top))
        await pilot.hover(mono, offset=(left + 9, top))
        await pilot.mouse_up(mono, offset=(left + 9, top))
        await pilot.pause()
        assert app.screen.get_selected_text() == REASONING[:10]
        await pilot.press("ctrl+c")
        await wait_until(lambda: app.clipboard == REASONING[:10], what="the selection copied")


async def test_ctrl_c_on_the_ask_screen_copies_a_selection_instead_of_quitting(home):
    from tui_helpers import ANSWER, REASONING, make_transcript

    from cot_viewer.stream.client import Endpoint
    from cot_viewer.tui.screens.ask import AskScreen
    from cot_viewer.tui.session import AskSession

    session = AskSession(endpoint=Endpoint("deepseek", "https://api.deepseek.com", "deepseek-reasoner"), turns=[])
    app = CotViewerApp(lambda: AskScreen(session), cursor_blink=False)
    async with app.run_test(size=(120, 30)) as pilot:
        view = app.screen.view
        await view.load(make_transcript(REASONING, ANSWER))
        await pilot.pause()
        mono = view.monologue
        top, left = mono.content_region.y - mono.region.y, mono.content_region.x - mono.region.x
        await pilot.mouse_down(mono, offset=(left, top))
        await pilot.hover(mono, offset=(left + 4, top))
        await pilot.mouse_up(mono, offset=(left + 4, top))
        await pilot.press("ctrl+c")
        await wait_until(lambda: app.clipboard == REASONING[:5], what="copied")
        assert app.is_running
