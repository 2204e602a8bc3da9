"""From the home screen: mark two rows with m, compare them with c."""

from __future__ import annotations

from compare_runs import ANSWER_A, ANSWER_B, PROMPT, REASONING_A, REASONING_B
from textual.widgets import DataTable
from tui_helpers import make_transcript, notified, screen_text, wait_until

from cot_viewer.store.history import History
from cot_viewer.tui.app import CotViewerApp
from cot_viewer.tui.screens.compare import CompareScreen
from cot_viewer.tui.screens.home import HomeScreen


async def test_mark_two_rows_and_compare(home):
    a = make_transcript(REASONING_A, ANSWER_A, prompt=PROMPT, id="aaaaaaaaaaaa")
    b = make_transcript(REASONING_B, ANSWER_B, prompt=PROMPT, id="bbbbbbbbbbbb", created=a.created + 60)
    c = make_transcript("Other.", "3", prompt="another question", id="cccccccccccc", created=a.created + 120)
    h = History.open()
    for tr in (a, b, c):
        h.save(tr)
    app = CotViewerApp(lambda: HomeScreen(h), cursor_blink=False)
    async with app.run_test(size=(120, 30)) as pilot:
        home_screen = app.screen
        table = home_screen.query_one(DataTable)
        await wait_until(lambda: table.row_count == 3)
        await pilot.press("c")  # nothing marked: says how
        await wait_until(lambda: notified(app, "Mark two transcripts"))
        assert app.screen is home_screen
        await pilot.press("down", "m")  # b (newest first: c, b, a)
        await wait_until(lambda: "marked bbbbbbbbbbbb" in screen_text(app))
        await pilot.press("down", "m", "c")
        await wait_until(lambda: isinstance(app.screen, CompareScreen), what="the compare screen")
        screen = app.screen
        assert (screen.trs["a"].id, screen.trs["b"].id) == ("bbbbbbbbbbbb", "aaaaaaaaaaaa")
        await wait_until(lambda: screen.playing or all(screen.ended.values()), what="playing")
        await pilot.press("e")
        await wait_until(lambda: screen.view("b").monologue.text == REASONING_A, what="jumped to the end")
        await pilot.press("escape")
        await wait_until(lambda: app.screen is home_screen)
    h.close()
