"""Answers compare by value, not by formatting: no false flips, first_answer_at found."""

from __future__ import annotations

import pytest

from cot_viewer.analysis import analyze
from cot_viewer.analysis.answers import canonical, find_answer, same_answer


@pytest.mark.parametrize(
    "first, second",
    [
        ("30 matches", "30"),  # units
        ("25\\%", "25"),  # percent
        ("1,000", "1000"),  # thousands separators
        ("\\frac{24}{5}", "24/5"),  # LaTeX fraction vs slash
        ("\\dfrac{3}{8}", "\\frac{3}{8}"),
        ("\\tfrac{1}{2}", "0.5"),
        ("option C", "C"),  # choice letters
        ("(C)", "C"),
        ("x = 5", "5"),  # an assignment
        ("\\$12", "12"),
        ("\\text{No}", "No"),
        ("90 more 4's printed than 8's", "90"),  # a number with words after it
    ],
)
def test_same_answer_in_other_formatting(first, second):
    assert same_answer(first, second)


@pytest.mark.parametrize("a, b", [("5", "6"), ("24/5", "5/24"), ("C", "D"), ("(3,4)", "[3,4]"), ("x = 5", "x = 6"),
                                  ("2 and 3", "2")])
def test_different_answers_stay_different(a, b):
    assert canonical(a) != canonical(b)


def _flips(statements: list[str], answer: str = "") -> tuple[int, list[str], bool]:
    text = "Okay, the problem asks for a value.\n\n" + "\n\nWait, let me check.\n\n".join(
        f"So the answer is {s}." for s in statements
    )
    m = analyze(text, answer).metrics
    return m.answer_flips, m.candidate_answers, m.answer_revised


@pytest.mark.parametrize(
    "statements",
    [
        ["30 matches", "30"],
        ["25%", "25"],
        ["12,500", "12500"],
        ["\\frac{24}{5}", "24/5"],
        ["\\dfrac{24}{5}", "\\frac{24}{5}"],
        ["option C", "C"],
        ["x = 5", "5"],
    ],
)
def test_formatting_is_no_flip(statements):
    flips, cands, revised = _flips(statements)
    assert flips == 0
    assert len(cands) == 1
    assert revised is False


def test_a_real_flip_is_still_found():
    flips, cands, revised = _flips(["12", "14"])
    assert flips == 1 and cands == ["12", "14"]
    assert revised is False  # 14 was first reached at the end: nothing after it changed
    flips, cands, revised = _flips(["14", "12", "14"])
    assert flips == 2 and cands == ["14", "12"]
    assert revised is True  # 14, then 12, then 14 again: not a re-check


def test_the_handout_never_claims_rechecking_after_a_change():
    from cot_viewer.export.outline import answer_summary, verify_summary

    base = {"final_answer": "14", "first_answer_at": 0.3, "answer_flips": 2}
    assert "re-checks" in answer_summary({**base, "answer_revised": False})
    changed = answer_summary({**base, "answer_revised": True})
    assert "re-checks" not in changed and "changed" in changed and "30%" in changed
    assert "—" not in answer_summary({**base, "first_answer_at": None})
    assert verify_summary({"verify_episodes": 0, "first_verify_at": None}) == "none"
    assert verify_summary({"verify_episodes": 2, "first_verify_at": 0.25}).startswith("2 (the first at 25%")


def test_first_answer_at_finds_a_fraction_written_differently():
    text = "Okay.\n\nSo we get 24/5 for the ratio.\n\nWait, let me check. Yes."
    m = analyze(text, "The ratio is $\\boxed{\\frac{24}{5}}$.").metrics
    assert m.final_answer == "\\frac{24}{5}"
    assert m.first_answer_at == round((text.index("24/5") + 4) / len(text), 4)


def test_first_answer_at_matches_whole_tokens_only():
    text = "Okay, scores of 90-99 count, and 190 is too big.\n\nSo the best score is 90."
    m = analyze(text, "\\boxed{90}").metrics
    assert m.first_answer_at == round((text.rindex("90") + 2) / len(text), 4)
    assert find_answer("a range 90-99 and 190 and 9.90", "90") is None


def test_first_answer_at_for_a_choice_letter():
    prompt = "Which is prime? (A) 4 (B) 6 (C) 7 (D) 9"
    text = ("Okay, let me look.\n\n4, 6 and 9 are composite, so 7 is the prime.\n\nSo option C.\n\n"
            "Wait, let me check 7. Yes.")
    m = analyze(text, "\\boxed{C}", prompt=prompt).metrics
    assert m.final_answer == "C"
    assert m.first_answer_at == round((text.index("7 is") + 1) / len(text), 4)
    without = analyze(text, "\\boxed{C}").metrics
    assert without.first_answer_at == round((text.index("option C") + len("option C")) / len(text), 4)


def test_first_answer_at_is_set_when_the_answer_is_in_the_reasoning():
    text = "Okay.\n\nThe total is 1,250 dollars.\n\nSo that is it."
    m = analyze(text, "**Answer:** \\boxed{1250}").metrics
    assert m.first_answer_at is not None
