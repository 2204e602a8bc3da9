"""`ask --compare`: both streams at once through cot_viewer.run, live in two columns, saved
as a linked pair; one failing does not stop the other; Esc stops both."""

from __future__ import annotations

import json

from compare_runs import ANSWER_A, ANSWER_B, PROMPT, REASONING_A, REASONING_B
from loopback import deepseek_chunks, error_reply, stream_reply
from test_compare_cli import cli
from tui_helpers import wait_until

from cot_viewer.request import endpoint_for, resolve_endpoint_config
from cot_viewer.run import start_run
from cot_viewer.store.history import History
from cot_viewer.transcript import Transcript
from cot_viewer.tui.app import CotViewerApp
from cot_viewer.tui.screens.compare import LiveCompareScreen


def ask_compare(server, home, *extra):
    return cli("ask", "--base-url", server.base_url, "--model", "model-a", "--api-key-env", "TEST_KEY",
               "--retries", "0", *extra, PROMPT, home=home)


def test_plain_streams_both_saves_a_pair_and_prints_the_table(server, tmp_path):
    server.default = stream_reply(deepseek_chunks(REASONING_A, ANSWER_A))
    home = tmp_path / "home"
    r = ask_compare(server, home, "--compare", "model=model-b,effort=low", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["paired"] is True and [x["model"] for x in doc["runs"]] == ["model-a", "model-b"]
    bodies = sorted((q.body["model"], q.body.get("reasoning_effort")) for q in server.completions)
    assert bodies == [("model-a", None), ("model-b", "low")]  # the SPEC changed only run B
    a, b = (x["id"] for x in doc["runs"])
    assert doc["comparison"]["runs"][0]["id"] == a and doc["comparison"]["answers_agree"] is True
    shown = cli("history", "show", a, home=home)
    assert f"paired with {b}" in shown.stdout
    plain = ask_compare(server, home, "--compare", "model=model-b", "--plain")
    assert plain.returncode == 0 and "Answers agree" in plain.stdout and "saved as a pair" in plain.stderr


def test_one_failing_does_not_stop_the_other(server, tmp_path):
    home = tmp_path / "home"
    server.enqueue(error_reply(401, "bad key"), stream_reply(deepseek_chunks(REASONING_B, ANSWER_B)))
    r = ask_compare(server, home, "--compare", "model=model-b", "--json")
    assert r.returncode == 3, r.stderr  # the failed run's code
    doc = json.loads(r.stdout)
    statuses = sorted(x["status"] for x in doc["runs"])
    assert statuses == ["complete", "error"] and doc["paired"] is False
    done = next(x for x in doc["runs"] if x["status"] == "complete")
    assert done["reasoning"] == REASONING_B and done["saved"] is True


def test_bad_spec_is_one_line_before_any_request(server, tmp_path):
    r = ask_compare(server, tmp_path / "home", "--compare", "colour=blue", "--plain")
    assert r.returncode == 2 and "--compare" in r.stderr and "Traceback" not in r.stderr
    assert server.completions == []


def _runs(server, history):
    resolved = resolve_endpoint_config(base_url=server.base_url, model="m", api_key_env=None)
    runs = {}
    for k in ("a", "b"):
        tr = Transcript(prompt=PROMPT, messages=[{"role": "user", "content": PROMPT}], model="m")
        runs[k] = start_run(endpoint_for(resolved[0]), tr, history=history)
    return runs


async def test_both_columns_stream_before_either_answer_then_esc_stops_both(server, tmp_path, monkeypatch):
    monkeypatch.setenv("COT_VIEWER_HOME", str(tmp_path / "home"))
    reasoning = "Let me think about this step by step. " * 400
    server.default = stream_reply(deepseek_chunks(reasoning, "done"), delay=0.01)  # ~40 s each
    history = History.open()
    runs = _runs(server, history)
    app = CotViewerApp(lambda: LiveCompareScreen(runs), cursor_blink=False)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.screen
        va, vb = screen.view("a"), screen.view("b")
        await wait_until(lambda: len(va.monologue) > 200 and len(vb.monologue) > 200, timeout=30,
                         what="both monologues streaming")
        assert va.answer.text == "" and vb.answer.text == ""  # before either answer
        n_a, n_b = len(va.monologue), len(vb.monologue)
        await wait_until(lambda: len(va.monologue) > n_a and len(vb.monologue) > n_b, timeout=30, what="both advancing")
        await pilot.press("escape")
        await wait_until(lambda: not screen.streaming, timeout=30, what="both stopped")
        for run in runs.values():
            assert run.transcript.error_kind == "cancelled" and run.saved
            assert 0 < len(run.transcript.reasoning) < len(reasoning)
    for run in runs.values():
        assert history.get(run.transcript.id).reasoning == run.transcript.reasoning
    history.close()
