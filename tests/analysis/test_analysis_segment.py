from __future__ import annotations

import pytest

from cot_viewer.analysis import paragraph_spans, segment


def texts(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in segment(text)]


def check_invariants(text: str) -> None:
    spans = segment(text)
    prev_end = 0
    prev_par = 0
    for s, e, p in spans:
        assert prev_end <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip()
        assert p >= prev_par
        prev_end, prev_par = e, p
    # everything outside the spans is whitespace
    covered = [False] * len(text)
    for s, e, _ in spans:
        for i in range(s, e):
            covered[i] = True
    assert all(c or text[i].isspace() for i, c in enumerate(covered))


def test_paragraphs_and_sentences():
    t = "Okay, so I need to find x. The problem says x + 1 = 3.\n\nLet me solve it. So x = 2."
    assert texts(t) == ["Okay, so I need to find x.", "The problem says x + 1 = 3.", "Let me solve it.", "So x = 2."]
    assert [p for _, _, p in segment(t)] == [0, 0, 1, 1]
    check_invariants(t)


def test_blank_line_with_spaces_separates_paragraphs():
    t = "First one.\n   \nSecond one."
    assert len(paragraph_spans(t)) == 2


@pytest.mark.parametrize(
    "sentence",
    [
        "The rate is 3.5 percent and 0.25 of it is 0.875.",
        "We need (2k)! divided by k! here.",
        "So 5! is 120 and n! grows fast.",
        "Dr. Fu Manchu has e.g. a bank account, i.e. savings.",
        "Then $x = 1. 5$ is odd.",
        "We get \\(a. B\\) as the pair.",
        "Use `x = f(1). Then` in code.",
        "So $$x = 2. Then y = 3.$$ holds.",
        "So \\[ x = 2. Then \\] holds.",
    ],
)
def test_protected_regions_are_not_split(sentence):
    assert texts(sentence) == [sentence]


def test_factorial_at_end_of_sentence_still_joins_math():
    t = "The count is 8! / (5! 2!). Next we divide."
    assert texts(t) == ["The count is 8! / (5! 2!).", "Next we divide."]


def test_pure_math_line_belongs_to_previous_sentence():
    t = "Let me write that out:\n\\[\n(a+b)^2 = a^2 + 2ab + b^2\n\\]\nSo the middle coefficient is 2."
    out = texts(t)
    assert out[0].startswith("Let me write that out:") and out[0].endswith("\\]")
    assert out[1] == "So the middle coefficient is 2."
    t2 = "We have:\n3 + 4 = 7\n7 * 2 = 14\nThat is the total."
    assert texts(t2) == ["We have:\n3 + 4 = 7\n7 * 2 = 14", "That is the total."]


def test_code_block_is_one_step_even_with_blank_lines():
    t = "Let me code it. Here:\n```python\nx = 1. \n\ny = 2. Z = 3.\n```\nDone. Really."
    out = texts(t)
    assert "```python\nx = 1. \n\ny = 2. Z = 3.\n```" in out
    assert out[-2:] == ["Done.", "Really."]
    assert len(paragraph_spans(t)) == 1


def test_list_items_start_new_steps():
    t = "Two cases:\n1. x is even\n2. x is odd"
    assert texts(t) == ["Two cases:", "1. x is even", "2. x is odd"]


def test_tiny_fragments_keep_own_span():
    t = "Hmm. Wait. Let me check 2 + 2 = 4."
    assert texts(t) == ["Hmm.", "Wait.", "Let me check 2 + 2 = 4."]


def test_offsets_are_exact_with_leading_whitespace():
    t = "\n\n   Hello there.   Next one?  \n\n\n  Last!  \n"
    check_invariants(t)
    assert texts(t) == ["Hello there.", "Next one?", "Last!"]
    assert segment("") == []
    assert segment("   \n\n  ") == []


def test_corpus_invariants(corpus_rows):
    for row in corpus_rows:
        check_invariants(row["reasoning"])
