"""`cot-viewer compare` end to end: transcripts made by the real `ask --plain` against the
loopback server, saved in a real SQLite history in a temp dir; `--json`, `--plain`, files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from compare_runs import ANSWER_A, ANSWER_B, PROMPT, REASONING_A, REASONING_B
from loopback import deepseek_chunks, stream_reply

import cot_viewer

DEMO = Path(cot_viewer.__file__).parent / "data" / "demo.json"


def cli(*args, home: Path, timeout: float = 120):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k not in ("OPENAI_BASE_URL", "COT_VIEWER_PROVIDER")}
    env.update({"COT_VIEWER_HOME": str(home), "TEST_KEY": "sk-test"})
    return subprocess.run([sys.executable, "-m", "cot_viewer", *args], capture_output=True, text=True, env=env,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def ask(server, home, reasoning, answer, model):
    server.enqueue(stream_reply(deepseek_chunks(reasoning, answer, model=model)))
    r = cli("ask", "--plain", "--base-url", server.base_url, "--model", model, "--api-key-env", "TEST_KEY", PROMPT, home=home)
    assert r.returncode == 0, r.stderr
    return json.loads(cli("history", "list", "--json", home=home).stdout)[0]["id"]


@pytest.fixture
def two_runs(server, tmp_path):
    home = tmp_path / "home"
    a = ask(server, home, REASONING_A, ANSWER_A, "model-a")
    b = ask(server, home, REASONING_B, ANSWER_B, "model-b")
    assert a != b
    return home, a, b


def test_json_table_matches_analyze_of_each_run(two_runs):
    home, a, b = two_runs
    r = cli("compare", a, b, "--json", home=home)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["format"] == "cot-viewer/compare" and doc["version"] == 1
    assert [run["id"] for run in doc["runs"]] == [a, b]
    assert [run["model"] for run in doc["runs"]] == ["model-a", "model-b"]
    for run, tid in zip(doc["runs"], (a, b)):
        m = json.loads(cli("analyze", tid, "--json", home=home).stdout)["analysis"]["metrics"]
        assert (run["steps"], run["cycles"], run["answer_flips"], run["verify_share"], run["first_answer_at"],
                run["final_answer"], run["label_counts"]) == (
            m["steps"], m["cycle_count"], m["answer_flips"], m["verify_share"], m["first_answer_at"],
            m["final_answer"], m["label_counts"])
        shown = json.loads(cli("history", "show", tid, "--json", home=home).stdout)
        assert run["reasoning_tokens"] == shown["usage"]["completion_tokens_details"]["reasoning_tokens"]
        assert run["thinking_s"] == pytest.approx(shown["timing"]["thinking_s"], abs=1e-3)
    assert doc["answers_agree"] is True  # \frac{24}{5} and 4.8
    assert doc["runs"][0]["cycles"] != doc["runs"][1]["cycles"]
    gaps = [p for p in doc["phases"] if p["a"] is None or p["b"] is None]
    assert gaps and all(p["kind"] == "reconstruction" for p in gaps)


def test_plain_has_the_table_and_both_answers(two_runs):
    home, a, b = two_runs
    r = cli("compare", a[:6], b[:6], "--plain", home=home)
    assert r.returncode == 0, r.stderr
    assert "Answers agree" in r.stdout and "yes" in r.stdout and "Reconstruction cycles" in r.stdout
    assert "== Answer A" in r.stdout and "\\boxed{\\frac{24}{5}}" in r.stdout and "**4.8**" in r.stdout
    piped = cli("compare", a, b, home=home)  # not a terminal: plain as well
    assert piped.returncode == 0 and piped.stdout == r.stdout


def test_exported_files_and_ids_mix_and_read_like_import(two_runs, tmp_path):
    home, a, b = two_runs
    out = tmp_path / "a.json"
    assert cli("history", "export", a, "-o", str(out), home=home).returncode == 0
    fresh = tmp_path / "other-home"  # a file compares without the history holding it
    r = cli("compare", str(out), str(DEMO), "--json", home=fresh)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [run["id"] for run in doc["runs"]] == [a, "demo00000001"] and doc["answers_agree"] is False
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "cot-viewer/transcript", "version": 1, "id": 5}')
    r = cli("compare", str(bad), a, "--json", home=home)
    assert r.returncode == 2 and "bad.json" in r.stderr and "Traceback" not in r.stderr  # the import loader's error


def test_unknown_id_bad_speed_and_bad_export_name_are_one_line(two_runs, tmp_path):
    home, a, b = two_runs
    for args, code, words in (((a, "nosuchid", "--json"), 2, "no transcript"),
                              ((a, b, "--speed", "-1"), 2, "--speed"),
                              ((a, b, "--export", str(tmp_path / "x.pdf")), 2, ".md or .html"),
                              ((a, a, "--save-pair"), 2, "two different runs")):
        r = cli("compare", *args, home=home)
        assert r.returncode == code and words in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1


def test_scripted_compare_imports_neither_textual_nor_httpx(tmp_path):
    code = ("import sys; from cot_viewer.cli import main; "
            f"rc = main(['compare', {str(DEMO)!r}, {str(DEMO)!r}, '--json']); "
            "print(rc, 'textual' in sys.modules, 'httpx' in sys.modules, file=sys.stderr)")
    env = dict(os.environ, COT_VIEWER_HOME=str(tmp_path / "home"))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert r.stderr.strip().splitlines()[-1] == "0 False False", r.stderr
