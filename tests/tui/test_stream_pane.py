"""The virtualised monologue pane: wrapping, incremental appends, offsets, safety."""

from __future__ import annotations

import random

from textual.app import App, ComposeResult

from cot_viewer.tui.widgets.stream_pane import StreamPane, display_text, line_kind, wrap_starts


def _lines(s: str, width: int) -> list[str]:
    st = wrap_starts(s, width)
    return [s[a:b] for a, b in zip(st, [*st[1:], len(s)])]


def test_wrap_ascii_words_and_hard_breaks():
    assert _lines("hello world foo", 11) == ["hello world ", "foo"]
    assert _lines("hello world foo", 10) == ["hello ", "world foo"]
    assert _lines("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    for line in _lines("the quick brown fox jumps over the lazy dog " * 5, 17):
        assert len(line.rstrip(" ")) <= 17


def test_wrap_wide_characters_by_cells():
    s = "日本語のテキスト hello 世界"
    for line in _lines(s, 10):
        assert sum(2 if ord(c) > 0x2E80 else 1 for c in line.rstrip(" ")) <= 10
    assert "".join(_lines(s, 10)) == s


def test_incremental_rewrap_matches_full_wrap():
    rng = random.Random(1)
    words = ["a", "bb", "ccc", "dddd", "eeeeeeeee", "ffffffffffffffffffff"]
    s = ""
    starts = [0]
    for _ in range(400):
        s += rng.choice(words) + rng.choice([" ", "", "  "])
        keep = starts[:-2] if len(starts) > 2 else [0]
        starts = wrap_starts(s, 13, keep[-1], keep)
        assert starts == wrap_starts(s, 13)


def test_display_text_keeps_offsets_and_disarms_controls():
    raw = "a\x1b[31mred\x07\tb\x9bc\nd"
    shown = display_text(raw)
    assert len(shown) == len(raw)
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown and "\t" not in shown
    assert "␛[31mred" in shown and shown.endswith("\nd")


def test_line_kinds_track_fences():
    assert line_kind("```python", False) == ("fence", True)
    assert line_kind("# not a heading", True) == ("code", True)
    assert line_kind("# Title", False)[0] == "h"
    assert line_kind("  - item", False)[0] == "li"
    assert line_kind("1. item", False)[0] == "li"


class PaneApp(App):
    def compose(self) -> ComposeResult:
        yield StreamPane(id="pane")


def _screen_text(pane: StreamPane) -> list[str]:
    return [pane.render_line(y).text for y in range(pane.size.height)]


async def test_appends_equal_set_text_and_offsets_round_trip():
    text = ("Hmm, **wait**. Let me think about $x^2$ and *this*.\n\n" * 40) + "- a list\n```\ncode [bold]\n```\nend"
    app = PaneApp()
    async with app.run_test(size=(60, 20)) as pilot:
        pane = app.query_one(StreamPane)
        rng = random.Random(3)
        i = 0
        while i < len(text):
            n = rng.randint(1, 9)
            pane.append(text[i:i + n])
            i += n
        await pilot.pause()
        appended = (list(pane._wraps), list(pane._cum), list(pane._kinds))
        assert pane.text == text and len(pane) == len(text)
        pane.set_text(text)
        assert (pane._wraps, pane._cum, pane._kinds) == (appended[0], appended[1], appended[2])
        for off in (0, 17, 500, len(text) - 1):
            row = pane.offset_to_row(off)
            assert pane.row_to_offset(row) <= off < (pane.row_to_offset(row + 1) if row + 1 < pane.virtual_size.height else len(text) + 1)


async def test_markup_and_escapes_are_plain_text():
    app = PaneApp()
    async with app.run_test(size=(60, 10)) as pilot:
        pane = app.query_one(StreamPane)
        pane.append("[bold]not bold[/] [/] [0] \x1b[2J\x1b]0;title\x07 end")
        await pilot.pause()
        shown = "\n".join(_screen_text(pane))
        assert "[bold]not bold[/] [/] [0]" in shown
        assert "␛[2J" in shown and "\x1b" not in shown


async def test_highlight_labels_and_scroll_to_offset():
    text = "\n\n".join(f"Paragraph {i}: " + "words " * 30 for i in range(200))
    app = PaneApp()
    async with app.run_test(size=(60, 20)) as pilot:
        pane = app.query_one(StreamPane)
        pane.set_text(text)
        await pilot.pause()
        target = text.index("Paragraph 150")
        pane.scroll_to_offset(target)
        pane.highlight(target, target + len("Paragraph 150"))
        pane.set_labels([(0, 5, "#440000")])
        await pilot.pause()
        rows = _screen_text(pane)
        assert any("Paragraph 150" in r for r in rows)
        y = next(i for i, r in enumerate(rows) if "Paragraph 150" in r)
        strip = pane.render_line(y)
        assert any(seg.style and seg.style.bgcolor for seg in strip if "Paragraph" in seg.text)


async def test_follows_tail_until_the_reader_scrolls_up():
    app = PaneApp()
    async with app.run_test(size=(60, 10)) as pilot:
        pane = app.query_one(StreamPane)
        pane.anchor()
        for i in range(100):
            pane.append(f"line {i}\n")
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y > 0
        pane.scroll_to(y=0, animate=False)  # the reader scrolls up: the anchor is released
        await pilot.pause()
        for i in range(100, 120):
            pane.append(f"line {i}\n")
        await pilot.pause()
        assert pane.scroll_y == 0
        pane.action_scroll_end()
        await pilot.pause()
        pane.append("more\n" * 5)
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y


async def test_tabs_and_controls_beside_non_ascii_lose_no_character_at_the_edge():
    """Issue #13 item 19: wrapped on the raw text (a tab or control is 0 cells there), drawn on
    the cleaned text (1 cell each): characters fell off the right edge."""
    text = "".join(f"é{i % 10}\t\x1b" for i in range(60))
    shown = display_text(text)
    app = PaneApp()
    async with app.run_test(size=(30, 20)) as pilot:
        pane = app.query_one(StreamPane)
        pane.append(text)
        await pilot.pause()
        width = pane.scrollable_content_region.width
        rows = [r.rstrip(" ") for r in _screen_text(pane)]
        drawn = "".join(rows)
        assert all(len(r) <= width for r in rows)
        assert drawn.replace(" ", "") == shown.replace(" ", ""), (drawn, shown)
