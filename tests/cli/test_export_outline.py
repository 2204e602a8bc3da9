"""Handouts: `history export --format md|html` carry the step outline, metrics and notes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cot_viewer
from cot_viewer.export.outline import outline_sections
from cot_viewer.export.sections import StepLine
from cot_viewer.export.transcript_json import load_file
from cot_viewer.store.history import History

DEMO = Path(cot_viewer.__file__).parent / "data" / "demo.json"


def cli(*args, home):
    env = dict(os.environ, COT_VIEWER_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "cot_viewer", *args], capture_output=True, text=True, env=env, timeout=60)


def test_outline_sections_cover_every_step_in_phase_order():
    tr = load_file(DEMO)[0]
    secs = list(outline_sections(tr))
    outline = [s for s in secs if s.title.startswith("Outline")]
    assert outline[0].title.startswith("Outline — Definition") and outline[-1].title.startswith("Outline — Final decision")
    numbers = [line.number for s in outline for line in s.lines if isinstance(line, StepLine)]
    assert all(str(line).startswith(f"Step {line.number} — {line.label}") for s in outline for line in s.lines
               if isinstance(line, StepLine))
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 20
    metrics = next(s for s in secs if s.title == "Metrics of the reasoning")
    assert dict(metrics.rows)["Final answer (first reached)"].startswith("400")
    assert any(s.title == "Teacher's notes" for s in secs)


def test_no_reasoning_no_outline():
    tr = load_file(DEMO)[0]
    tr.set_text("", "just an answer")
    tr.timeline.t = type(tr.timeline.t)("d")
    assert list(outline_sections(tr)) == []


def test_export_md_html_with_outline_notes_and_escaping(tmp_path):
    assert cli("history", "import", str(DEMO), home=tmp_path).returncode == 0
    with History.open(tmp_path / "history.db") as h:
        h.add_note("demo", "Ask the class why 1000 is excluded <b>here</b>", step=2)
    md = cli("history", "export", "demo", "--format", "md", home=tmp_path).stdout
    assert "## Outline — Definition" in md and "Step 1 — Read:" in md and "## Teacher's notes" in md
    assert "teacher's note on step 3: Ask the class" in md
    html = cli("history", "export", "demo", "--format", "html", home=tmp_path).stdout
    assert "Outline — Bloom" in html and "&lt;b&gt;here&lt;/b&gt;" in html and "<b>here</b>" not in html
    plain = cli("history", "export", "demo", "--format", "md", "--no-outline", home=tmp_path).stdout
    assert "Outline —" not in plain and "## Answer" in plain


def test_note_command_attaches_to_a_step_and_survives_export_import(tmp_path):
    assert cli("history", "import", str(DEMO), home=tmp_path).returncode == 0
    r = cli("history", "note", "demo", "Predict the next move here", "--step", "5", home=tmp_path)
    assert r.returncode == 0, r.stderr
    bad = cli("history", "note", "demo", "x", "--step", "9999", home=tmp_path)
    assert bad.returncode == 2 and "does not exist" in bad.stderr
    exported = tmp_path / "t.json"
    assert cli("history", "export", "demo", "-o", str(exported), home=tmp_path).returncode == 0
    other = tmp_path / "other"
    assert cli("history", "import", str(exported), home=other).returncode == 0
    md = cli("history", "export", "demo", "--format", "md", home=other).stdout
    assert "teacher's note on step 5: Predict the next move here" in md
