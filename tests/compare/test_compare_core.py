"""The compare core: the table's values are analyze()'s, phases line up by kind, answers
agree by value."""

from __future__ import annotations

import pytest
from compare_runs import ANSWER_A, ANSWER_B, PROMPT, REASONING_A, REASONING_B
from tui_helpers import make_transcript

from cot_viewer.analysis import analyze
from cot_viewer.analysis.model import Phase
from cot_viewer.compare import align_phases, compare, counterpart
from cot_viewer.compare.text import render_text


def _runs():
    a = make_transcript(REASONING_A, ANSWER_A, prompt=PROMPT, id="aaaaaaaaaaaa")
    b = make_transcript(REASONING_B, ANSWER_B, prompt=PROMPT, id="bbbbbbbbbbbb", step=0.03)
    return a, b


def test_table_values_are_those_of_analyze_and_the_transcript():
    a, b = _runs()
    c = compare(a, b)
    for tr, fig in ((a, c.a), (b, c.b)):
        m = analyze(tr.reasoning, tr.answer, tr.reasoning_char_times(), prompt=tr.prompt).metrics
        assert fig.id == tr.id
        assert fig.steps == m.steps and fig.label_counts == m.label_counts and fig.label_share == m.label_share
        assert fig.verify_share == m.verify_share and fig.cycles == len(m.cycles) and fig.answer_flips == m.answer_flips
        assert fig.first_answer_at == m.first_answer_at and fig.final_answer == m.final_answer
        assert fig.reasoning_tokens == tr.reasoning_tokens and fig.thinking_s == tr.timing.thinking_s
        assert fig.cost == tr.cost and not fig.tokens_counted
    # the two runs really differ, so the checks above compared something
    assert (c.a.steps, c.a.cycles) != (c.b.steps, c.b.cycles)
    assert c.a.cycles >= 1 and c.b.cycles == 0


def test_first_answer_time_is_when_that_character_arrived():
    a, _ = _runs()
    fig = compare(a, a).a
    pos = round(fig.first_answer_at * len(a.reasoning)) - 1
    arrived = [t for n, t in a.reasoning_char_times() if n > pos][0]
    assert fig.first_answer_s == pytest.approx(arrived)
    assert 0 < fig.first_answer_s < a.timing.total_s


def test_answers_agree_by_value_not_by_text():
    a, b = _runs()
    c = compare(a, b)
    assert (c.a.final_answer, c.b.final_answer) == ("\\frac{24}{5}", "4.8")
    assert c.a.final_answer_key == c.b.final_answer_key and c.answers_agree is True
    other = make_transcript("Divide 24 by 5.\n\nSo the answer is 5.", "$\\boxed{5}$", prompt=PROMPT, id="cccccccccccc")
    assert compare(a, other).answers_agree is False
    none = make_transcript("I am not sure.", "I cannot tell.", prompt=PROMPT, id="dddddddddddd")
    assert compare(a, none).answers_agree is None
    rows = {r.measure: (r.a, r.b) for r in compare(a, other).rows()}
    assert rows["Answers agree"] == ("no", "no") and rows["Final answer (normalised)"] == ("24/5", "5")


def _ph(index, kind, number, first, last):
    return Phase(index, kind, number, first, last, first * 10, last * 10 + 9)


def test_phases_align_by_kind_with_gaps():
    a = [_ph(0, "definition", 0, 0, 1), _ph(1, "bloom", 0, 2, 5), _ph(2, "reconstruction", 1, 6, 8),
         _ph(3, "reconstruction", 2, 9, 9), _ph(4, "final", 0, 10, 10)]
    b = [_ph(0, "bloom", 0, 0, 3), _ph(1, "reconstruction", 1, 4, 6), _ph(2, "final", 0, 7, 7)]
    lines = align_phases(a, b)
    assert [(x.kind, x.number) for x in lines] == [("definition", 0), ("bloom", 0), ("reconstruction", 1),
                                                    ("reconstruction", 2), ("final", 0)]
    assert lines[0].b is None and lines[3].b is None  # gaps
    assert counterpart(lines, "a", 2) is b[1] and counterpart(lines, "b", 2) is a[4]
    assert counterpart(lines, "a", 3) is None and counterpart(lines, "a", 0) is None
    assert counterpart(lines, "b", 0) is a[1]


def test_alignment_of_real_runs_and_the_json_document():
    a, b = _runs()
    c = compare(a, b)
    kinds = [(x.kind, x.number, x.a is not None, x.b is not None) for x in c.phases]
    assert kinds[0][:2] == ("definition", 0) and kinds[-1][:2] == ("final", 0)
    assert ("reconstruction", 1, True, False) in kinds  # A's cycle has no counterpart in B
    doc = c.to_dict()
    assert doc["format"] == "cot-viewer/compare" and doc["answers_agree"] is True
    assert [r["id"] for r in doc["runs"]] == ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]
    assert {"kind": "reconstruction", "number": 1} .items() <= doc["phases"][2].items() and doc["phases"][2]["b"] is None


def test_plain_text_has_the_table_and_both_answers_without_escapes():
    a, b = _runs()
    text = render_text(compare(a, b), a, b)
    assert "Reconstruction cycles" in text and "Answers agree" in text
    assert "== Answer A" in text and "== Answer B" in text and "<script>" in text  # shown as text
    evil = make_transcript("Think.\x1b[31m\n\nSo the answer is 4.", "\x1b]0;title\x07four", id="eeeeeeeeeeee")
    assert "\x1b" not in render_text(compare(a, evil), a, evil)
