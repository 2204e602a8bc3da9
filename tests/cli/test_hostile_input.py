"""Bad input at the edges (issue 13, items 8, 11 and 12): wrong-typed config values and
imports, poisoned dates, impossible flags — each a one-line error with a documented exit
code, or (for what already sits in the history) shown without crashing. Real subprocesses,
a real SQLite history in a temp dir."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

GOOD = {"format": "cot-viewer/transcript", "version": 1, "id": "good00000001", "prompt": "What is 2+2?",
        "reasoning": "Two plus two.", "answer": "4", "status": "complete", "created": 1700000000.0,
        "timeline": [[0.1, "r", 13], [0.2, "a", 1]]}


def cli(args, home: Path, *, env=None, timeout=60):
    e = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k not in ("OPENAI_BASE_URL", "COT_VIEWER_PROVIDER")}
    e.update({"COT_VIEWER_HOME": str(home), "TZ": "Asia/Tokyo"})  # east of UTC: year 9999 overflows locally
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "cot_viewer", *args], capture_output=True, text=True, env=e, timeout=timeout)


def one_line_error(r, code: int) -> None:
    assert r.returncode == code, (r.returncode, r.stderr)
    assert r.stderr.startswith("cot-viewer: ") and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.stderr and "damaged" not in r.stderr and "unexpected" not in r.stderr


def import_doc(tmp_path: Path, doc) -> subprocess.CompletedProcess:
    f = tmp_path / "in.json"
    f.write_text(doc if isinstance(doc, str) else json.dumps(doc, allow_nan=True))
    return cli(["history", "import", str(f)], tmp_path / "home")


# -- item 8: config and import values of the wrong type ------------------------------------------
@pytest.mark.parametrize("toml", [
    'default = "x"\n[providers.x]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = ["a"]\n',
    '[providers.x]\nbase_url = "http://127.0.0.1:9/v1"\napi_key_env = 5\n',
    'default = 5\n',
    '[providers.x]\nbase_url = 7\n',
])
def test_config_values_of_the_wrong_type(tmp_path, toml):
    (tmp_path / "config.toml").write_text(toml)
    r = cli(["ask", "--provider", "x", "--plain", "q"] if "providers.x" in toml else ["ask", "--plain", "q"], tmp_path)
    one_line_error(r, 2)
    assert "config" in r.stderr


def test_config_file_that_is_not_utf8(tmp_path):
    (tmp_path / "config.toml").write_bytes(b'default = "caf\xe9"\n')
    one_line_error(cli(["ask", "--plain", "q"], tmp_path), 2)


@pytest.mark.parametrize("change", [
    {"provider": {"a": 1}}, {"model": ["a"]}, {"finish_reason": {"x": 1}}, {"usage": [1]},
    {"messages": "hello"}, {"messages": [1, 2]}, {"prompt": {"x": 1}}, {"error": 5},
    {"created": float("nan")}, {"created": float("inf")}, {"created": 1e20}, {"created": -1e15},
    {"created": "9999-12-31T23:59:59Z"}, {"parent_id": 5},
    {"timeline": [[float("inf"), "r", 13], [0.2, "a", 1]]}, {"timeline": [[1e12, "r", 13], [0.2, "a", 1]]},
    {"timeline": [["x", "r", 13], [0.2, "a", 1]]}, {"timeline": [[0.1, "r", -13]]}, {"timeline": "abc"},
    {"timeline": [[0.1, "r"]]},
])
def test_import_values_of_the_wrong_type_are_refused(tmp_path, change):
    r = import_doc(tmp_path, {**GOOD, **change})
    one_line_error(r, 2)
    assert "nothing was imported" in r.stderr


def test_deeply_nested_import_is_refused(tmp_path):
    one_line_error(import_doc(tmp_path, "[" * 200000 + "]" * 200000), 2)


# -- item 11: poisoned dates already in the history never crash a listing ----------------------------
@pytest.mark.parametrize("created", [1e20, float("inf"), -1e15, 253402300799.0])
def test_poisoned_dates_in_the_history_are_shown_not_crashed_on(tmp_path, created):
    assert import_doc(tmp_path, GOOD).returncode == 0
    home = tmp_path / "home"
    db = sqlite3.connect(home / "history.db")
    db.execute("UPDATE transcripts SET created = ?", (created,))
    db.commit()
    db.close()
    for args in (["history", "list"], ["history", "list", "--json"], ["history", "search", "plus"],
                 ["history", "show", "good"], ["history", "show", "good", "--json"],
                 ["history", "export", "--all"], ["history", "export", "--all", "-f", "md"],
                 ["history", "export", "--all", "-f", "html"]):
        r = cli(args, home)
        assert r.returncode == 0, (args, r.stderr)
        assert "good0000" in r.stdout


# -- item 12: flags and values that crashed with exit 1 ----------------------------------------------
@pytest.mark.parametrize("args", [
    ["ask", "--idle-timeout", "-1", "q"], ["ask", "--idle-timeout", "nan", "q"], ["ask", "--idle-timeout", "inf", "q"],
])
def test_impossible_numbers_are_usage_errors(tmp_path, args):
    r = cli(args, tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "error: argument --" in r.stderr


@pytest.mark.parametrize("args", [["replay", "x", "--speed", "nan"], ["demo", "--speed", "inf", "--plain"]])
def test_impossible_speeds_are_one_line_errors(tmp_path, args):
    one_line_error(cli(args, tmp_path), 2)


@pytest.mark.parametrize("url", ["http://[::1", "http://host:99999/v1", "ftp://x/v1", "localhost:8000"])
def test_base_urls_that_cannot_be_requested(tmp_path, url):
    one_line_error(cli(["ask", "--base-url", url, "--plain", "q"], tmp_path), 2)


def test_replay_caps_long_gaps(tmp_path):
    doc = {**GOOD, "timeline": [[0.1, "r", 5], [1e6, "r", 8], [1e6 + 0.1, "a", 1]]}
    f = tmp_path / "gap.json"
    f.write_text(json.dumps(doc))
    start = time.monotonic()
    r = cli(["replay", str(f), "--plain", "--speed", "4"], tmp_path / "home", timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "4\n" and time.monotonic() - start < 60


def test_replay_of_a_far_timeline_in_the_history(tmp_path):
    assert import_doc(tmp_path, GOOD).returncode == 0
    home = tmp_path / "home"
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from cot_viewer.transcript import Timeline

    tl = Timeline.from_list([[0.1, "r", 13], [1e12, "a", 1]])
    db = sqlite3.connect(home / "history.db")
    db.execute("UPDATE transcripts SET timeline = ?, total_s = 1e12", (tl.pack(),))
    db.commit()
    db.close()
    r = cli(["replay", "good", "--plain", "--speed", "8"], home, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "4\n"
