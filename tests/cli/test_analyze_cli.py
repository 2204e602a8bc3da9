"""`cot-viewer analyze` on a file and on a saved transcript."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cot_viewer

DEMO = Path(cot_viewer.__file__).parent / "data" / "demo.json"


def cli(*args, home):
    env = dict(os.environ, COT_VIEWER_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "cot_viewer", *args], capture_output=True, text=True, env=env, timeout=60)


def test_analyze_json_is_stable_and_consistent(tmp_path):
    r = cli("analyze", str(DEMO), "--json", home=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["format"], doc["version"]) == ("cot-viewer/analysis", 1)
    assert doc["transcript"]["id"] == "demo00000001"
    a = doc["analysis"]
    reasoning = json.loads(DEMO.read_text())["reasoning"]
    assert a["steps"] and all(reasoning[s["start"] : s["end"]] == s["text"] for s in a["steps"])
    assert {s["label"] for s in a["steps"]} <= set(a["labels"])
    kinds = [p["kind"] for p in a["phases"]]
    assert kinds[0] == "definition" and kinds[-1] == "final" and kinds.count("bloom") == 1
    m = a["metrics"]
    assert m["final_answer"] == "400" and m["phase_seconds"] and m["pivots"] >= 1


def test_analyze_text_outline(tmp_path):
    r = cli("analyze", str(DEMO), home=tmp_path)
    assert r.returncode == 0 and "== Definition" in r.stdout and "== Final" in r.stdout


def test_analyze_unknown_id_is_one_line(tmp_path):
    r = cli("analyze", "nosuchid", home=tmp_path)
    assert r.returncode == 2 and "no transcript" in r.stderr and "Traceback" not in r.stderr
