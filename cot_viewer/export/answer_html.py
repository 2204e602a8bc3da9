"""An answer's Markdown as HTML for handouts, its maths as MathML.

The maths is cut out first (:func:`cot_viewer.maths.split_maths`, the same splitter the
terminal's answer pane uses), the rest is rendered by markdown-it-py with raw HTML off (model
text never becomes markup), and each formula is put back as MathML made by latex2mathml.
latex2mathml passes some input through unescaped (``\\text{<b>}``, ``\\href``), so its output
is re-serialised through a whitelist of MathML elements and attributes: anything else is
dropped and every text is escaped again. A formula it cannot read is shown as escaped LaTeX.
"""

from __future__ import annotations

import html
from functools import lru_cache
from html.parser import HTMLParser

from cot_viewer.maths import MATH, split_maths
from cot_viewer.safe import terminal_safe

MATHML_ELEMENTS = frozenset(
    "math mrow mi mn mo ms mtext mspace mfrac msqrt mroot msub msup msubsup munder mover munderover "
    "mtable mtr mtd mstyle mpadded mphantom menclose merror semantics annotation mmultiscripts mprescripts none".split()
)
MATHML_ATTRIBUTES = frozenset(
    "xmlns display mathvariant stretchy fence separator lspace rspace accent accentunder movablelimits largeop "
    "symmetric form minsize maxsize width height depth linethickness displaystyle scriptlevel notation "
    "columnalign rowalign columnspacing rowspacing columnlines rowlines frame framespacing align".split()
)
# private-use characters mark where a formula goes back (removed from the model's text first)
_OPEN, _CLOSE = "\ue000", "\ue001"


class _MathMLWhitelist(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in MATHML_ELEMENTS:
            return
        kept = "".join(f' {k}="{html.escape(v or "", quote=True)}"' for k, v in attrs if k in MATHML_ATTRIBUTES)
        self.out.append(f"<{tag}{kept}>")
        self.open.append(tag)

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag) -> None:
        if tag in MATHML_ELEMENTS and tag in self.open:
            while self.open:
                top = self.open.pop()
                self.out.append(f"</{top}>")
                if top == tag:
                    break

    def handle_data(self, data) -> None:
        self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{t}>" for t in reversed(self.open))


def mathml(latex: str, display: bool) -> str:
    """One formula as whitelisted MathML, or as escaped LaTeX in ``<code>`` if unreadable."""
    from latex2mathml.converter import convert

    try:
        raw = convert(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - the library raises many kinds on malformed LaTeX
        return f'<code class="latex">{html.escape(latex.strip())}</code>'
    clean = _MathMLWhitelist()
    clean.feed(raw)
    return clean.result()


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")


def answer_html(text: str) -> str:
    """An answer (Markdown with LaTeX) as HTML: no raw HTML from the model, maths as MathML."""
    text = terminal_safe(text).replace(_OPEN, "").replace(_CLOSE, "")
    formulas: list[str] = []
    parts: list[str] = []
    for p in split_maths(text):
        if p.kind == MATH:
            parts.append(f"{_OPEN}{len(formulas)}{_CLOSE}")
            formulas.append(mathml(p.body, p.display))
        else:
            parts.append(p.raw)
    rendered = _parser().render("".join(parts))
    for i, formula in enumerate(formulas):
        mark = f"{_OPEN}{i}{_CLOSE}"
        rendered = rendered.replace(f"<p>{mark}</p>", f'<div class="display-math">{formula}</div>', 1)
        rendered = rendered.replace(mark, formula, 1)
    return rendered
