"""The home screen's ``x`` writes the same file as ``cot-viewer history export``: for the
handout formats, with the outline, metrics and teacher's notes."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable
from tui_helpers import ANSWER, REASONING, make_transcript, screen_text, wait_until

from cot_viewer.export import render
from cot_viewer.store.history import History
from cot_viewer.tui.app import CotViewerApp
from cot_viewer.tui.screens.home import HomeScreen


@pytest.mark.parametrize("key,fmt", [("m", "md"), ("h", "html")])
async def test_x_exports_the_handout_with_its_outline(home, tmp_path, key, fmt):
    h = History.open()
    h.save(make_transcript(REASONING, ANSWER, id="aaaaaaaaaaaa"))
    app = CotViewerApp(lambda: HomeScreen(h), cursor_blink=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(lambda: app.screen.query_one(DataTable).row_count == 1)
        await pilot.press("x")
        await wait_until(lambda: "Export to a file" in screen_text(app))
        await pilot.press(key)
        out = tmp_path / f"cot-viewer-aaaaaaaaaaaa.{fmt}"
        await wait_until(out.exists, timeout=30, what="exported file")
    text = out.read_text(encoding="utf-8")
    assert text == render(h.get("aaaaaaaaaaaa"), fmt)  # what `history export --format FMT` writes
    notes = "Teacher's notes" if fmt == "md" else "Teacher&#x27;s notes"
    assert "Outline — Definition" in text and "Metrics of the reasoning" in text and notes in text
    h.close()
