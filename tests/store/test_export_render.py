"""``cot_viewer.export.render``: the one entry point of the exports and its registry."""

from __future__ import annotations

import pytest

from cot_viewer import export
from cot_viewer.analysis import analyze
from cot_viewer.export import html as html_export
from cot_viewer.export.sections import Section, StepLine

REASONING = ("Okay, the problem says we roll a die.\n\nLet me compute 2 + 2 = 4.\n\n"
             "Wait, let me check that. 2 + 2 = 4 indeed.\n\nSo the answer is 4.")


def test_every_format_renders_through_the_registry(make_transcript):
    tr = make_transcript(reasoning=REASONING)
    for name in export.FORMATS:
        assert export.render(tr, name) == export.render([tr], name)
    assert export.render(tr, "json").startswith("{")
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        export.render(tr, "pdf")


def test_handouts_carry_the_outline_unless_asked_not_to(make_transcript):
    tr = make_transcript(reasoning=REASONING)
    for fmt in ("md", "html"):
        full, bare = export.render(tr, fmt), export.render(tr, fmt, outline=False)
        assert "Outline — Definition" in full and "Metrics of the reasoning" in full
        assert "Outline" not in bare and "Metrics of the reasoning" not in bare
    assert export.render(tr, "json", outline=True) == export.render(tr, "json", outline=False)


def test_html_colours_steps_by_their_label_not_by_parsing_text(make_transcript):
    tr = make_transcript(reasoning=REASONING)
    labels = [st.label for st in analyze(REASONING).steps]
    page = export.render(tr, "html")
    assert page.count('<li class="step step-') == len(labels)
    for label in set(labels):
        assert f'<span class="label label-{label}">{label}</span>' in page
    # a plain line that reads like a step (model text, a note) is not coloured
    look_alike = html_export.render(tr, sections=lambda t: [Section("x", lines=("Step 3 — Verify: hello",))])
    assert "step-Verify" not in look_alike.split("</style>", 1)[1]
    real = html_export.render(tr, sections=lambda t: [Section("x", lines=(StepLine(3, "Verify", "hello <b>"),))])
    assert '<li class="step step-Verify">Step 3 — <span class="label label-Verify">Verify</span>: hello &lt;b&gt;</li>' in real
