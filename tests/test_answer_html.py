"""The HTML handout renders the answer's Markdown, its maths as MathML, and colours the outline."""

from __future__ import annotations

from html.parser import HTMLParser

from cot_viewer.commands.replay import demo_transcript
from cot_viewer.export.answer_html import answer_html
from cot_viewer.export.html import CSP, render
from cot_viewer.export.outline import outline_sections


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict]]:
    p = _Tags()
    p.feed(page)
    return p.tags


def test_demo_handout_has_markdown_and_mathml_not_raw_latex():
    tr = demo_transcript()
    page = render(tr)
    answer = page[page.index('<section class="answer">'):]
    answer = answer[: answer.index("</section>")]
    assert "<strong>Answer: 400</strong>" in answer and "<table>" in answer and "<li>" in answer
    assert answer.count("<math ") >= 8 and 'display="block"' in answer
    assert "\\(" not in answer and "\\[" not in answer and "**" not in answer
    assert f'content="{CSP}"' in page and "<script" not in page


def test_hostile_maths_and_markdown_stay_inert():
    hostile = (
        "<script>alert(1)</script> <img src=x onerror=alert(2)>\n\n"
        "\\(\\text{<img src=x onerror=alert(3)>}\\) \\(\\href{javascript:alert(4)}{y}\\) "
        "$\\mathrm{\"><b>$ [l](javascript:alert(5)) \\(\\frac{1}{\\)"
    )
    out = answer_html(hostile)
    names = {t for t, _ in _tags(out)}
    assert names <= {"p", "math", "mrow", "mi", "mn", "mo", "mtext", "mfrac", "code", "a"}, names
    for _, attrs in _tags(out):
        assert not any(k.startswith("on") or k in ("href", "src", "style") for k in attrs), attrs
    assert "javascript:" not in "".join(v for _, a in _tags(out) for v in a.values() if v)


def test_outline_steps_carry_their_label_colour():
    page = render(demo_transcript(), sections=outline_sections)
    steps = [a for t, a in _tags(page) if t == "li" and "step" in (a.get("class") or "")]
    assert len(steps) > 20
    assert {"step step-Verify", "step step-Read"} <= {a["class"] for a in steps}
    assert ".label-Verify { color: #e8743b; }" in page
