"""One vocabulary: the labels and phase names are defined once (``analysis/vocabulary.py``)
and every face — ``cot-viewer analyze``, the exports, the TUI — says the same words."""

from __future__ import annotations

import re
from pathlib import Path

from cot_viewer.analysis import LABELS, PHASE_KINDS, analyze
from cot_viewer.analysis.vocabulary import LABEL_COLOURS, LABEL_INFO, PHASE_INFO, phase_name

PACKAGE = Path(__file__).resolve().parents[2] / "cot_viewer"
REASONING = ("Okay, the problem says we roll a die.\n\nLet me compute 2 + 2 = 4.\n\n"
             "Wait, let me check that. 2 + 2 = 4 indeed.\n\nSo the answer is 4.")


def test_the_tables_agree():
    assert LABELS == tuple(LABEL_COLOURS) == tuple(lab.name for lab in LABEL_INFO)
    assert PHASE_KINDS == tuple(p.kind for p in PHASE_INFO)
    assert [phase_name(k, 2) for k in PHASE_KINDS] == ["Definition", "Bloom", "Reconstruction 2", "Final decision"]


def test_no_module_lists_the_labels_or_phase_titles_itself():
    """A second list of the labels (or of the phases' titles) is how the names drifted apart."""
    found = []
    label_run = re.compile(r'["\']Read["\'],\s*["\']Analyze["\']')
    for path in PACKAGE.rglob("*.py"):
        if path.name == "vocabulary.py":
            continue
        src = path.read_text(encoding="utf-8")
        if label_run.search(src) or '"Final decision"' in src or "Bloom (first" in src:
            found.append(str(path.relative_to(PACKAGE)))
    assert found == []


def test_every_face_names_the_phases_alike():
    from cot_viewer.commands.analyze import render_text
    from cot_viewer.export.outline import outline_sections
    from cot_viewer.transcript import Transcript

    tr = Transcript(prompt="roll a die", messages=[{"role": "user", "content": "roll a die"}])
    tr.set_text(REASONING, "4")
    a = analyze(REASONING, "4", prompt="roll a die")
    names = [phase_name(ph.kind, ph.number) for ph in a.phases]
    assert "Final decision" in names
    text = render_text(tr, a)
    assert all(f"== {n} (" in text for n in names)
    titles = [s.title for s in outline_sections(tr) if s.title.startswith("Outline — ")]
    assert [t.split("— ", 1)[1].split(" (")[0] for t in titles] == names
