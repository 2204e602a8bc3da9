"""Maths found in Markdown (outside code), streamed or whole, and shown as Unicode text."""

from __future__ import annotations

import random

from cot_viewer.maths import CODE, MATH, MathSplitter, latex_to_unicode, readable_markdown, split_maths

SAMPLE = (
    "So \\(x^2 = 4\\) and\n\\[\n\\frac{a+b}{2}\n\\]\nthen $y$ and $$z$$, costs $5 and $10 each.\n"
    "`\\(code\\)` and ``a ` b`` stay.\n\n```python\nprint('\\(no\\)', \"$no$\")\n```\n"
    "~~~\n$$ also no $$\n~~~\nAn unclosed \\( stays text."
)


def test_pieces_rebuild_the_input_and_find_maths_outside_code():
    pieces = split_maths(SAMPLE)
    assert "".join(p.raw for p in pieces) == SAMPLE
    maths = [(p.body, p.display) for p in pieces if p.kind == MATH]
    assert maths == [("x^2 = 4", False), ("\n\\frac{a+b}{2}\n", True), ("y", False), ("z", True)]
    code = "".join(p.raw for p in pieces if p.kind == CODE)
    assert "`\\(code\\)`" in code and "print('\\(no\\)'" in code and "$$ also no $$" in code


def test_streaming_in_any_fragments_gives_the_same_pieces():
    whole = readable_markdown(split_maths(SAMPLE))
    rng = random.Random(7)
    for _ in range(30):
        s, out, i = MathSplitter(), [], 0
        while i < len(SAMPLE):
            n = rng.randint(1, 9)
            out += s.feed(SAMPLE[i:i + n])
            i += n
        out += s.close()
        assert "".join(p.raw for p in out) == SAMPLE
        assert readable_markdown(out) == whole


def test_unicode_forms():
    assert latex_to_unicode(r"1 - \left(\frac{5}{6}\right)^4 \approx 0.518") == "1 - (5/6)⁴ ≈ 0.518"
    assert latex_to_unicode(r"\frac{n(n+1)}{2}") == "(n(n+1))/2"
    assert latex_to_unicode(r"\alpha \le \beta") == "α ≤ β"


def test_tags_and_entities_in_text_are_escaped_not_in_code():
    md = readable_markdown(split_maths("a <b> &amp; `<c>`"))
    assert md == "a \\<b> \\&amp; `<c>`"
