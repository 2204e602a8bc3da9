"""The outline, label colours, step-through and notes (issue #5)."""

from __future__ import annotations

from loopback import deepseek_chunks, stream_reply
from textual.widgets import DataTable, Input
from tui_helpers import ANSWER, REASONING, make_transcript, notified, screen_text, wait_until

from cot_viewer.analysis import analyze
from cot_viewer.commands.replay import demo_transcript
from cot_viewer.store.history import History
from cot_viewer.stream.client import Endpoint, StreamOptions
from cot_viewer.transcript import Transcript
from cot_viewer.tui.app import CotViewerApp
from cot_viewer.tui.screens.ask import AskScreen
from cot_viewer.tui.screens.home import HomeScreen
from cot_viewer.tui.screens.note import ImportForNotesScreen
from cot_viewer.tui.screens.replay import ANSWER_HIDDEN, ReplayScreen
from cot_viewer.tui.session import AskSession
from cot_viewer.tui.widgets.outline import LABEL_COLOURS, NOTE_MARK, LabelPalette


def _opened(tr, **kw) -> CotViewerApp:
    return CotViewerApp(lambda: ReplayScreen(tr, opened=True, **kw), cursor_blink=False)


async def test_outline_shows_phases_and_steps_of_the_demo(home):
    tr = demo_transcript()
    expected = analyze(tr.reasoning, tr.answer, tr.reasoning_char_times())
    app = _opened(tr)
    async with app.run_test(size=(160, 44)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.analysis is not None, what="analysis")
        await pilot.pause()
        lst = view.outline_list
        assert view.outline_visible
        assert [(s.start, s.end, s.label) for s in lst.steps] == [(s.start, s.end, s.label) for s in expected.steps]
        assert len(lst.phases) == len(expected.phases) and lst._rows == len(expected.steps) + len(expected.phases)
        text = screen_text(app)
        n = len(expected.steps)
        assert f"{n} steps · {len(expected.phases)} phases" in text
        assert "Definition" in text and "Read" in text and "■ Verify" in text and "■ Monitor" in text
        assert f"pivots {expected.metrics.pivots}" in text
        # every phase is in the list: definition, bloom, the cycles, the final decision
        names = [lst.entry(lst.row_of_phase(k)) for k in range(len(lst.phases))]
        assert names == [("phase", k) for k in range(len(expected.phases))]
        await pilot.press("o")  # hidden, then shown again
        await wait_until(lambda: not view.outline_visible and "Definition" not in screen_text(app))
        await pilot.press("o")
        await wait_until(lambda: view.outline_visible)


async def test_outline_is_hidden_below_140_columns(home):
    app = _opened(demo_transcript())
    async with app.run_test(size=(130, 40)) as pilot:
        view = app.screen.view
        await pilot.pause()
        assert not view.outline_visible and view.analysis is None  # nothing analysed for nobody
        await pilot.press("o")
        await wait_until(lambda: view.analysis is not None and "Definition" in screen_text(app), what="outline on demand")


async def test_selecting_a_step_scrolls_and_highlights_it(home):
    tr = demo_transcript()
    app = _opened(tr)
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.analysis is not None)
        lst = view.outline_list
        lst.focus()
        await pilot.press("end", "enter")  # the last step (final decision)
        last = lst.steps[-1]
        await wait_until(lambda: view.monologue._highlight == (last.start, last.end), what="highlight")
        assert view.monologue.scroll_y > 0
        row = view.monologue.offset_to_row(last.start)
        assert view.monologue.scroll_y <= row < view.monologue.scroll_y + view.monologue.size.height
        assert f"Step {len(lst.steps)}" in screen_text(app)
        await pilot.press("home", "down", "down", "enter")  # Definition header, step 1, step 2
        s2 = lst.steps[1]
        await wait_until(lambda: view.monologue._highlight == (s2.start, s2.end))
        # a click on a row selects it too
        await pilot.click(lst, offset=(10, 1))
        await wait_until(lambda: view.monologue._highlight == (lst.steps[0].start, lst.steps[0].end), what="clicked")


async def test_l_toggles_label_colours_in_the_monologue(home):
    app = _opened(demo_transcript())
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.analysis is not None)
        mono = view.monologue
        assert mono._overlays == []
        await pilot.press("l")
        await wait_until(lambda: len(mono._overlays) == len(view.analysis.steps))
        labels = {s.label for s in view.analysis.steps}
        assert len({str(o[2]) for o in mono._overlays}) == len(labels)  # one tint per label
        assert all(o[2].bgcolor is not None for o in mono._overlays)  # a subtle background
        ansi = LabelPalette(True)  # the ANSI theme: the terminal's own colours, as foreground
        assert all(ansi.span[x].color.name == LABEL_COLOURS[x][1] and ansi.span[x].bgcolor is None for x in labels)
        await pilot.press("l")
        await wait_until(lambda: mono._overlays == [])


async def test_outline_grows_during_a_live_stream(server, home):
    paragraphs = [f"Step {i}: let me compute {i} * 3 = {3 * i}. Wait, let me check that again. Yes, {3 * i} is right."
                  for i in range(60)]
    reasoning = "Okay, so the problem asks for a few products.\n\n" + "\n\n".join(paragraphs)
    server.enqueue(stream_reply(deepseek_chunks(reasoning, "All done: \\boxed{177}."), delay=0.0015))
    tr = Transcript(prompt="q", messages=[{"role": "user", "content": "q"}], provider="custom",
                    base_url=server.base_url, model="deepseek-reasoner")
    s = AskSession(endpoint=Endpoint("custom", server.base_url, "deepseek-reasoner"), options=StreamOptions(), turns=[tr])
    app = CotViewerApp(lambda: AskScreen(s), cursor_blink=False)
    seen: list[int] = []
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.screen.view
        lst = view.outline_list
        while view.info.phase != "done":
            if view.info.phase == "thinking" and lst.steps and (not seen or seen[-1] != len(lst.steps)):
                seen.append(len(lst.steps))
            await pilot.pause(0.02)
        await wait_until(lambda: view.analysis is not None)
        expected = analyze(tr.reasoning, tr.answer, tr.reasoning_char_times())
        assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] < len(expected.steps), seen
        assert [(x.start, x.label) for x in lst.steps] == [(x.start, x.label) for x in expected.steps]
        assert [p.seconds for p in lst.phases] == [p.seconds for p in expected.phases]
        assert all(p.seconds is not None for p in lst.phases)
        assert "live" not in view.outline.head.plain


async def test_a_failed_final_analysis_leaves_the_panes_and_ends_the_live_outline(server, home, monkeypatch):
    from cot_viewer.analysis import core

    def broken(self):
        raise RuntimeError("a bug in the analysis")

    monkeypatch.setattr(core.IncrementalAnalyzer, "close", broken)
    reasoning = "Okay, so the problem asks for 3 * 4.\n\nWait, let me check: 3 * 4 = 12. Yes."
    server.enqueue(stream_reply(deepseek_chunks(reasoning, "12"), delay=0.001))
    tr = Transcript(prompt="q", messages=[{"role": "user", "content": "q"}], provider="custom",
                    base_url=server.base_url, model="deepseek-reasoner")
    s = AskSession(endpoint=Endpoint("custom", server.base_url, "deepseek-reasoner"), options=StreamOptions(), turns=[tr])
    app = CotViewerApp(lambda: AskScreen(s), cursor_blink=False)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "done", what="the panes final")
        await wait_until(lambda: "live" not in view.outline.head.plain, what="the outline no longer live")
        assert view.analysis is None and view.monologue.text == reasoning and view.answer.text == "12"
        assert app.is_running


async def test_a_slow_final_analysis_does_not_hold_up_the_panes(server, home, monkeypatch):
    """The panes end with the stream; the outline says it is still live until the analysis
    lands, and completes when the analysis thread gets on."""
    import threading

    from cot_viewer.analysis import core

    go = threading.Event()
    close = core.IncrementalAnalyzer.close

    def held_up(self):
        go.wait(60)
        close(self)

    monkeypatch.setattr(core.IncrementalAnalyzer, "close", held_up)
    reasoning = REASONING * 40
    server.enqueue(stream_reply(deepseek_chunks(reasoning, ANSWER), delay=0.001))
    tr = Transcript(prompt="q", messages=[{"role": "user", "content": "q"}], provider="custom",
                    base_url=server.base_url, model="deepseek-reasoner")
    s = AskSession(endpoint=Endpoint("custom", server.base_url, "deepseek-reasoner"), options=StreamOptions(), turns=[tr])
    app = CotViewerApp(lambda: AskScreen(s), cursor_blink=False)
    try:
        async with app.run_test(size=(160, 40)):
            view = app.screen.view
            await wait_until(lambda: view.info.phase == "done", timeout=30, what="the panes final")
            assert view.monologue.text == reasoning and view.analysis is None
            assert "live" in view.outline.head.plain
            go.set()
            await wait_until(lambda: view.analysis is not None, what="the analysis landed")
            assert "live" not in view.outline.head.plain
            assert len(view.outline_list.steps) == len(view.analysis.steps) > 40
            got = await view.outline_feed.ensure_analysis()  # the landed one: nothing analysed again
            assert got is view.analysis
    finally:
        go.set()


async def test_step_through_reveals_one_step_per_key_and_hides_the_answer(home):
    tr = demo_transcript()
    expected = analyze(tr.reasoning)
    steps = expected.steps
    app = CotViewerApp(lambda: ReplayScreen(tr, 1.0), cursor_blink=False)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.screen
        view = screen.view
        await wait_until(lambda: len(view.monologue) > 0, what="replay started")
        await pilot.press("s")
        await wait_until(lambda: screen.stepping and screen.step_k == 1, what="step-through")
        mono = view.monologue
        assert mono.text == tr.reasoning[: steps[0].end]
        await wait_until(lambda: f"Step 1 of {len(steps)}" in screen_text(app) and ANSWER_HIDDEN in screen_text(app))
        assert view.answer.text == ""
        for k in (2, 3, 4):
            await pilot.press("n")
            assert screen.step_k == k and mono.text == tr.reasoning[: steps[k - 1].end]
            assert mono._highlight == (steps[k - 1].start, steps[k - 1].end)
            assert view.outline_list.shown == k
        await pilot.press("right")
        assert screen.step_k == 5
        await pilot.press("p", "left")
        assert screen.step_k == 3 and mono.text == tr.reasoning[: steps[2].end]
        await pilot.press("N")  # the next phase starts
        bloom = expected.phases[1]
        assert screen.step_k == bloom.first_step + 1
        await wait_until(lambda: f"Step {bloom.first_step + 1} of" in screen_text(app) and "Bloom" in screen_text(app))
        await pilot.press("shift+right")
        assert screen.step_k == expected.phases[2].first_step + 1
        assert view.answer.text == ""
        await pilot.press("a")  # reveal early
        await wait_until(lambda: view.answer.text == tr.answer, what="answer revealed")
        await pilot.press("a")
        await wait_until(lambda: view.answer.text == "", what="hidden again")
        await pilot.press("e")  # to the end: the answer comes with the last step
        assert screen.step_k == len(steps)
        await wait_until(lambda: view.answer.text == tr.answer and mono.text == tr.reasoning)
        await pilot.press("s")  # leave: the whole transcript
        await wait_until(lambda: not screen.stepping and view.outline_list.shown == len(steps))


async def test_a_note_on_the_selected_step_is_saved_and_marked(home):
    tr = make_transcript("Okay, so we need the sum.\n\nLet me compute 2 + 3 = 5.\n\nWait, let me check: 5 - 3 = 2. Yes.",
                         "5", id="aaaaaaaaaaaa")
    h = History.open()
    h.save(tr)
    app = CotViewerApp(lambda: HomeScreen(h), cursor_blink=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(lambda: app.screen.query_one(DataTable).row_count == 1)
        await pilot.press("enter")
        await wait_until(lambda: isinstance(app.screen, ReplayScreen))
        view = app.screen.view
        await wait_until(lambda: view.analysis is not None)
        view.outline_list.focus()
        await pilot.press("down", "down", "down", "enter")  # Definition, step 1, Bloom, step 2
        step = view.outline_feed.selected_step()
        assert step == 1 and view.monologue._highlight == (view.analysis.steps[1].start, view.analysis.steps[1].end)
        await pilot.press("m")
        await wait_until(lambda: isinstance(app.screen.focused, Input), what="note modal")
        await pilot.press(*"ask: why [bold] add?", "enter")
        await wait_until(lambda: bool(h.notes(tr.id)), what="note saved")
        note = h.notes(tr.id)[0]
        assert note.step == 1 and note.text == "ask: why [bold] add?"
        await wait_until(lambda: NOTE_MARK in screen_text(app) and "ask: why [bold] add?" in screen_text(app), what="marker and text")
    h.close()


async def test_notes_on_a_file_replay_offer_to_import_it(home):
    tr = make_transcript("Okay, the question is easy.\n\nLet me compute 6 * 7 = 42.", "42", id="bbbbbbbbbbbb")
    app = CotViewerApp(lambda: ReplayScreen(tr, 0), cursor_blink=False)  # speed 0: shown whole
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.screen
        await wait_until(lambda: screen.view.analysis is not None)
        await pilot.press("s", "n")  # the current step of the step-through takes the note
        await wait_until(lambda: screen.step_k == 2)
        await pilot.press("m")
        await wait_until(lambda: isinstance(app.screen, ImportForNotesScreen) and "not in the history" in screen_text(app), what="import offer")
        await pilot.press("n")
        await wait_until(lambda: notified(app, "imported into the history"))
        await pilot.press("m")
        await wait_until(lambda: isinstance(app.screen, ImportForNotesScreen))
        await pilot.press("y")
        await wait_until(lambda: isinstance(app.screen.focused, Input), what="note modal after import")
        await pilot.press(*"predict this", "enter")
        await wait_until(lambda: screen._own_history is not None and bool(screen._own_history.notes(tr.id)))
        assert [(n.step, n.text) for n in screen._own_history.notes(tr.id)] == [(1, "predict this")]


async def test_legend_keeps_every_label_when_the_metrics_line_is_long(home):
    """Issue #13 item 20: a metrics line wider than the panel wrapped and pushed the legend's
    last row ("Verify N · Monitor N") out of the fixed-height header."""
    from dataclasses import replace

    tr = demo_transcript()
    app = _opened(tr)
    async with app.run_test(size=(160, 44)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.analysis is not None, what="analysis")
        m = view.analysis.metrics
        long = replace(m, pivots=1234, verify_episodes=5678, cycles=list(m.cycles) * 20, first_answer_at=0.48)
        view.outline.show_head(long, live=True, stepping=False)
        await pilot.pause()
        head = view.outline.head
        rows = [head.render_line(y).text for y in range(head.size.height)]
        shown = "\n".join(rows)
        assert "■ Verify" in shown and "■ Monitor" in shown, shown
        assert "pivots 1234" in shown
        view.outline.styles.width = 24  # a narrower panel: the legend needs more rows, and gets them
        await pilot.pause()
        view.outline.show_head(long, live=True, stepping=False)
        await pilot.pause()
        rows = [head.render_line(y).text for y in range(head.size.height)]
        assert all(f"■ {label}" in "\n".join(rows) for label in LABEL_COLOURS), rows


async def test_a_flood_of_reasoning_holds_the_analysis_until_it_ends(home):
    """Reasoning arriving faster than anyone reads (thousands of characters a flush) is not
    analysed while it floods in; once it stops the outline catches up, and the final
    analysis equals analyze()."""
    import asyncio

    from cot_viewer.stream.events import ReasoningDelta

    text = REASONING * 20
    tr = make_transcript(text, ANSWER)
    session = AskSession(endpoint=Endpoint("deepseek", "https://api.deepseek.com", "deepseek-reasoner"), turns=[])
    app = CotViewerApp(lambda: AskScreen(session), cursor_blink=False)
    async with app.run_test(size=(160, 40)):
        await wait_until(lambda: app.screen.view.outline_feed is not None, what="the view")
        view = app.screen.view
        await view.begin("deepseek", "deepseek-reasoner")
        piece = 3_000  # characters a flush: ~15,000 tokens/s
        for i in range(0, len(text), piece):
            view.feed(ReasoningDelta(0.1, text[i:i + piece]))
            await view.flush()
            await asyncio.sleep(0.1)  # the worker would have had time to analyse
            view.outline_feed.tick(force=True)
            assert view.outline_list.steps == [], "analysed during the flood"
        await view.flush()  # a flush without reasoning: the flood is over
        await wait_until(lambda: view.outline_feed.tick(force=True) or view.outline_list.steps, what="catching up")
        await view.end(tr)
        await wait_until(lambda: view.analysis is not None, what="the final analysis")
        want = analyze(tr.reasoning, tr.answer, tr.reasoning_char_times())
        assert view.analysis.to_dict() == want.to_dict()
        assert len(view.outline_list.steps) == len(want.steps)
