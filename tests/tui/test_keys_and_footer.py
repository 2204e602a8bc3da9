"""Footer, help, palette and theme (issue #13 item 25)."""

from __future__ import annotations

from textual.widgets import DataTable
from tui_helpers import ANSWER, REASONING, make_transcript, screen_text, wait_until

from cot_viewer import ui_state
from cot_viewer.store.history import History
from cot_viewer.tui.app import CotViewerApp
from cot_viewer.tui.screens.help import HelpScreen
from cot_viewer.tui.screens.home import HomeScreen
from cot_viewer.tui.screens.replay import ReplayScreen


def _footer(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_footer_at_80_columns_has_quit_and_help_and_says_what_toggles_do(home):
    h = History.open()
    h.save(make_transcript(REASONING, ANSWER))
    app = CotViewerApp(lambda: HomeScreen(h), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(lambda: app.screen.query_one(DataTable).row_count == 1)
        await pilot.pause()
        assert "q Quit" in _footer(app) and "? Help" in _footer(app), _footer(app)
        await pilot.press("enter")
        await wait_until(lambda: isinstance(app.screen, ReplayScreen) and app.screen.view.answer.text == ANSWER)
        await pilot.pause()
        footer = _footer(app)
        assert "q Quit" in footer and "? Help" in footer and "t Hide monologue" in footer, footer
        await pilot.press("t")
        await wait_until(lambda: "t Show monologue" in _footer(app), what="the toggle's new word")
    h.close()


async def test_help_lists_our_keys_first_with_readable_names(home):
    tr = make_transcript(REASONING, ANSWER)
    app = CotViewerApp(lambda: ReplayScreen(tr, opened=True), cursor_blink=False)
    async with app.run_test(size=(120, 50)) as pilot:
        await wait_until(lambda: app.screen.view.answer.text == ANSWER)
        await pilot.press("question_mark")
        await wait_until(lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        rows = [ln.strip(" │") for ln in screen_text(app).splitlines() if "│" in ln]
        rows = [r for r in rows if r]
        assert rows[0].startswith("? / f1") and "Help" in rows[0], rows[:3]
        text = "\n".join(rows)
        assert "Equals_sign" not in text and "+ / =" in text
        assert "Scroll" not in text.split("Ctrl+P")[0]  # the scrolling keys are summed up at the end


async def test_palette_has_no_duplicate_commands(home):
    tr = make_transcript(REASONING, ANSWER)
    app = CotViewerApp(lambda: ReplayScreen(tr, opened=True), cursor_blink=False)
    async with app.run_test(size=(120, 40)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles)), titles
        low = [t.lower() for t in titles]
        assert not ("keys" in low and "help" in low) and not ("maximize" in low and "maximise pane" in low), titles


async def test_the_chosen_theme_is_remembered(home):
    app = CotViewerApp(lambda: HomeScreen(None), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "nord"
        await pilot.pause()
    assert ui_state.load().get("theme") == "nord"
    again = CotViewerApp(lambda: HomeScreen(None), cursor_blink=False)
    assert again.theme == "nord"


async def test_escape_says_stop_only_while_the_model_answers(server, home):
    from loopback import deepseek_chunks, stream_reply

    from cot_viewer.stream.client import Endpoint, StreamOptions
    from cot_viewer.transcript import Transcript
    from cot_viewer.tui.screens.ask import AskScreen
    from cot_viewer.tui.session import AskSession

    server.enqueue(stream_reply(deepseek_chunks(REASONING * 2, ANSWER), delay=0.01))
    tr = Transcript(prompt="p", messages=[{"role": "user", "content": "p"}], provider="custom",
                    base_url=server.base_url, model="deepseek-reasoner")
    s = AskSession(endpoint=Endpoint("custom", server.base_url, "deepseek-reasoner"), options=StreamOptions(), turns=[tr])
    app = CotViewerApp(lambda: AskScreen(s, closable=True), cursor_blink=False)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "thinking" and "esc Stop" in _footer(app), what="Stop while thinking")
        await wait_until(lambda: view.info.phase == "done", timeout=60, what="done")
        await wait_until(lambda: "esc Stop" not in _footer(app) and "esc Back" in _footer(app), timeout=30, what="Back after")
