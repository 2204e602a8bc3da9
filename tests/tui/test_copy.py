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
        step = view.selected_step()
        s = view.analysis.steps[step]
        await pilot.press("y", "s")
        await wait_until(lambda: app.clipboard == tr.reasoning[s.start:s.end], what="step copied")
        await pilot.press("y", "A")
        path = home.parent / f"cot-viewer-{tr.id}-answer.md"
        await wait_until(path.exists, what="the answer written to a file")
        assert path.read_text(encoding="utf-8") == tr.answer
        assert os.stat(path).st_mode & 0o777 == 0o600
        assert notified(app, path.name)
