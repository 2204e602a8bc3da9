"""Thinking settings in the terminal UI: the status line, follow-ups that reuse or change them,
the new-question box, and the empty-answer message (real HTTP to the loopback server)."""

from __future__ import annotations

from tui_helpers import REASONING, notified, screen_text, wait_until
from loopback import deepseek_chunks, stream_reply, vllm_chunks

from cot_viewer.request import AskRequest
from cot_viewer.run import start_run
from cot_viewer.store.history import History
from cot_viewer.stream.endpoint import Endpoint, StreamOptions
from cot_viewer.thinking import ThinkingSettings
from cot_viewer.transcript import Transcript
from cot_viewer.tui.app import CotViewerApp
from cot_viewer.tui.screens.ask import AskScreen
from cot_viewer.tui.screens.home import HomeScreen
from cot_viewer.tui.session import AskSession


def _session(server, history, settings: ThinkingSettings, prompt: str = "q1", **kw) -> AskSession:
    request = AskRequest.build(Endpoint("deepseek", server.root_url, "deepseek-flash", api_key="sk-t"), "deepseek", settings)
    tr = Transcript(prompt=prompt, messages=[{"role": "user", "content": prompt}], provider="deepseek",
                    base_url=server.root_url, model="deepseek-flash")
    request.stamp(tr)
    return AskSession(endpoint=request.endpoint, options=StreamOptions(), history=history, turns=[tr],
                      request=request, **kw)


async def test_status_line_and_follow_ups_reuse_or_change_the_settings(server, home):
    for answer in ("one", "two", "three"):
        server.enqueue(stream_reply(deepseek_chunks(REASONING, answer, model="deepseek-flash"), delay=0.004))
    history = History.open()
    s = _session(server, history, ThinkingSettings(effort="max"))
    app = CotViewerApp(lambda: AskScreen(s), cursor_blink=False)
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "done", what="first answer")
        assert "effort max" in view.status.text and "USD (estimate)" in view.status.text
        assert server.completions[0].body["reasoning_effort"] == "max"

        await pilot.press("i")
        await pilot.press(*"--effort low --param top_p=0.5 why?", "enter")
        await wait_until(lambda: len(s.turns) == 2 and view.info.phase == "done", what="second answer")
        body = server.completions[1].body
        assert body["reasoning_effort"] == "low" and body["top_p"] == 0.5 and body["thinking"] == {"type": "enabled"}
        assert body["messages"][-1] == {"role": "user", "content": "why?"}
        assert "effort low" in view.status.text

        await pilot.press("i")
        await pilot.press(*"and?", "enter")
        await wait_until(lambda: len(s.turns) == 3 and view.info.phase == "done", what="third answer")
        assert server.completions[2].body["reasoning_effort"] == "low"  # reused, not reset
    assert history.get(s.turns[1].id).settings["sent"]["top_p"] == 0.5
    history.close()


async def test_new_question_box_takes_flags(server, home, monkeypatch):
    cfg = home.parent / "config.toml"
    cfg.write_text(f'[providers.deepseek]\nbase_url = "{server.root_url}"\n')
    monkeypatch.setenv("COT_VIEWER_CONFIG", str(cfg))
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-t")
    server.enqueue(stream_reply(deepseek_chunks(REASONING, "hi there", model="deepseek-flash"), delay=0.004))
    history = History.open()
    app = CotViewerApp(lambda: HomeScreen(history), cursor_blink=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("n")
        await wait_until(lambda: app.screen.query_one("#question").has_focus, what="the new-question box")
        app.screen.query_one("#question").value = "--no-think hello"
        await pilot.press("enter")
        await wait_until(lambda: isinstance(app.screen, AskScreen) and app.screen.view.answer.text == "hi there"
                         and app.screen.view.info.phase == "done", what="answered")
        assert "thinking off" in app.screen.view.status.text
    body = server.completions[0].body
    assert body["thinking"] == {"type": "disabled"} and body["messages"] == [{"role": "user", "content": "hello"}]
    history.close()


async def test_empty_answer_says_why(server, home):
    server.enqueue(stream_reply(deepseek_chunks(REASONING, "", finish_reason="length", model="deepseek-flash"), delay=0.004))
    s = _session(server, None, ThinkingSettings(effort="max"), max_tokens=40)
    app = CotViewerApp(lambda: AskScreen(s), cursor_blink=False)
    async with app.run_test(size=(240, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "truncated", what="truncated")
        await wait_until(lambda: "--max-tokens 40" in screen_text(app) and "lower --effort" in screen_text(app),
                         what="the reason on screen")


async def test_a_first_turn_started_before_the_app_sends_and_saves_the_settings(server, home):
    """`cot-viewer ask` in a terminal starts the first turn's run before the app."""
    server.enqueue(stream_reply(deepseek_chunks(REASONING, "yes", model="deepseek-flash"), delay=0.002))
    history = History.open()
    s = _session(server, history, ThinkingSettings(think=False, params={"seed": 3}))
    s.pending = start_run(s.endpoint, s.last, history=history, options=s.options, request=s.request)
    app = CotViewerApp(lambda: AskScreen(s), cursor_blink=False)
    async with app.run_test(size=(160, 40)):
        view = app.screen.view
        await wait_until(lambda: s.last.status == "complete" and view.info.phase == "done", what="done")
        assert "thinking off · seed=3" in view.status.text
    assert without_messages(server.completions[0].body) == {"model": "deepseek-flash", "thinking": {"type": "disabled"}, "seed": 3}
    assert history.get(s.last.id).settings["sent"] == {"thinking": {"type": "disabled"}, "seed": 3}
    history.close()


def without_messages(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in ("messages", "stream", "stream_options")}


async def test_a_model_the_server_names_gets_its_price(server, home):
    """A local server's model is asked for when the question starts (the new-question box);
    the price in effect for it — here from the config file — is stamped then, not before."""
    server.models = ["qwen3-8b"]
    server.enqueue(stream_reply(vllm_chunks(REASONING, "hi", model="qwen3-8b"), delay=0.004))
    config = {"prices": {"qwen3-8b": {"input": 1, "output": 2, "currency": "EUR"}}}
    request = AskRequest.build(Endpoint("vllm", server.base_url, None), "vllm", ThinkingSettings(), config)
    tr = Transcript(prompt="q", messages=[{"role": "user", "content": "q"}], provider="vllm", base_url=server.base_url)
    request.stamp(tr)
    s = AskSession(endpoint=request.endpoint, options=StreamOptions(), turns=[tr], request=request)
    app = CotViewerApp(lambda: AskScreen(s), cursor_blink=False)
    async with app.run_test(size=(200, 40)):
        view = app.screen.view
        await wait_until(lambda: view.info.phase == "done", what="answered")
        assert tr.model == "qwen3-8b" and tr.prices is not None and tr.prices["currency"] == "EUR"
        assert "EUR (estimate)" in view.status.text
        assert s.request.endpoint.model == "qwen3-8b"  # the request in use knows the model too


async def test_the_first_turns_notes_are_notified_in_the_app(server, home):
    """`cot-viewer ask --thinking-budget 5 …` in a terminal: the note would otherwise sit on
    stderr behind the app's screen until it closes."""
    server.enqueue(stream_reply(deepseek_chunks(REASONING, "yes", model="deepseek-flash"), delay=0.004))
    s = _session(server, None, ThinkingSettings(budget=5))
    s.notices = s.request.plan.notices
    assert s.notices == ["deepseek takes no thinking budget in the request; --thinking-budget 5 not sent"]
    app = CotViewerApp(lambda: AskScreen(s), cursor_blink=False)
    async with app.run_test(size=(160, 40)):
        await wait_until(lambda: notified(app, "--thinking-budget 5 not sent"), what="the note")
        await wait_until(lambda: app.screen.view.info.phase == "done", what="answered")
