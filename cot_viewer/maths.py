"""Maths in model answers: where it is, and how to show it.

Reasoning models write LaTeX between ``\\( … \\)``, ``\\[ … \\]``, ``$ … $`` and ``$$ … $$``.
A Markdown renderer eats the backslashes (``\\(`` is an escaped parenthesis), so maths must be
taken out *before* the Markdown is rendered. :class:`MathSplitter` cuts Markdown into pieces
— plain text, code (code spans and fenced blocks, never touched), maths — and works on a
stream: it holds back only what may still become maths or code when more text arrives.

Two faces use the pieces: the terminal's answer pane (:func:`readable_markdown`: maths as
Unicode text via pylatexenc, display maths on its own lines) and the HTML handout
(:mod:`cot_viewer.export.answer_html`: maths as MathML via latex2mathml). Both libraries are
imported on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

TEXT, CODE, MATH = "text", "code", "math"

_SPECIAL = re.compile(r"[\n`\\$]")
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})")
_FENCE_PREFIX = re.compile(r" {0,3}(`{0,2}|~{0,2})")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_HTML_START = re.compile(r"(?<!\\)([<&])")  # not already escaped
_MD_PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


@dataclass(frozen=True)
class Piece:
    kind: str  # TEXT, CODE (a code span or a fenced block's lines, verbatim) or MATH
    raw: str  # as written, delimiters included
    body: str = ""  # MATH: the LaTeX between the delimiters
    display: bool = False  # MATH: \[ … \] or $$ … $$


class MathSplitter:
    """Markdown in (whole, or streamed in fragments), pieces out.

    ``feed`` returns the pieces that can no longer change; ``close`` returns the rest (an
    opener that was never closed stays text). Joining every piece's ``raw`` gives back the
    input exactly.
    """

    def __init__(self) -> None:
        self._buf = ""
        self._fence: str | None = None  # the marker of the fenced code block we are in
        self._line_start = True

    def feed(self, text: str) -> list[Piece]:
        self._buf += text
        return self._scan(final=False)

    def close(self) -> list[Piece]:
        out = self._scan(final=True)
        self._buf = ""
        return out

    # -- the scanner -------------------------------------------------------------------------
    def _scan(self, *, final: bool) -> list[Piece]:
        buf, n = self._buf, len(self._buf)
        out: list[Piece] = []
        i = text_from = 0

        def text_until(j: int) -> None:
            nonlocal text_from
            if j > text_from:
                out.append(Piece(TEXT, buf[text_from:j]))
            text_from = j

        while i < n:
            if self._fence is not None:  # inside a fenced block: whole lines, verbatim
                nl = buf.find("\n", i)
                if nl < 0 and not final:
                    break
                end = n if nl < 0 else nl + 1
                line = buf[i:end]
                stripped = line.strip()
                if stripped and set(stripped) == {self._fence[0]} and len(stripped) >= len(self._fence):
                    self._fence = None
                out.append(Piece(CODE, line))
                i = text_from = end
                self._line_start = True
                continue
            if self._line_start:
                m = _FENCE_OPEN.match(buf, i)
                if m and not (m.group(1)[0] == "`" and "`" in buf[m.end(): (buf.find("\n", i) + 1 or n)]):
                    nl = buf.find("\n", i)
                    if nl < 0 and not final:
                        break
                    text_until(i)
                    end = n if nl < 0 else nl + 1
                    out.append(Piece(CODE, buf[i:end]))
                    self._fence = m.group(1)
                    i = text_from = end
                    continue
                if not final and _FENCE_PREFIX.fullmatch(buf, i) and buf[i:] != "":
                    break  # " ``" may still become a fence
                if not final and i == n:
                    break
                self._line_start = False
            m = _SPECIAL.search(buf, i)
            if m is None:
                i = n
                break
            i = m.start()
            c = buf[i]
            if c == "\n":
                i += 1
                self._line_start = True
                continue
            got = self._special(buf, i, final)
            if got is None:  # undecided: wait for more text
                break
            kind, end, body, display = got
            if kind is TEXT:
                i = end
                continue
            text_until(i)
            out.append(Piece(kind, buf[i:end], body, display))
            i = text_from = end
        text_until(i)
        self._buf = buf[i:]
        return out

    @staticmethod
    def _special(buf: str, i: int, final: bool):
        """What starts at ``buf[i]`` (a backtick, backslash or dollar): ``(kind, end, body,
        display)``, or None when the text so far cannot tell."""
        n = len(buf)
        c = buf[i]
        if c == "`":
            j = i
            while j < n and buf[j] == "`":
                j += 1
            if j == n and not final:
                return None
            k = j - i
            close = re.compile(r"(?<!`)`{%d}(?!`)" % k).search(buf, j)
            blank = _BLANK_LINE.search(buf, j)
            if close and (blank is None or blank.start() > close.start()):
                if close.end() == n and not final:
                    return None  # a longer run may follow
                return CODE, close.end(), "", False
            if final or blank is not None:
                return TEXT, j, "", False
            return None
        if i + 1 >= n:
            return None if not final else (TEXT, n, "", False)
        nxt = buf[i + 1]
        if c == "\\":
            if nxt not in "([":
                return TEXT, i + 2, "", False
            closer = "\\)" if nxt == "(" else "\\]"
            j = buf.find(closer, i + 2)
            blank = _BLANK_LINE.search(buf, i + 2)
            if j >= 0 and (nxt == "[" or blank is None or blank.start() > j):
                return MATH, j + 2, buf[i + 2: j], nxt == "["
            if final or (nxt == "(" and blank is not None):
                return TEXT, i + 2, "", False
            return None
        # c == "$"
        if nxt == "$":
            j = buf.find("$$", i + 2)
            if j >= 0:
                return MATH, j + 2, buf[i + 2: j], True
            return (TEXT, i + 2, "", False) if final else None
        if nxt.isspace():
            return TEXT, i + 1, "", False
        k = i + 1
        while True:
            k = _DOLLAR_OR_NL.search(buf, k + 1)
            if k is None:
                return (TEXT, i + 1, "", False) if final else None
            k = k.start()
            if buf[k] == "\n":
                return TEXT, i + 1, "", False
            if buf[k - 1].isspace() or buf[k - 1] == "\\":
                continue
            if k + 1 >= n and not final:
                return None  # "$5$" or "$x$5"? wait for the next character
            if k + 1 < n and buf[k + 1].isdigit():
                continue
            return MATH, k + 1, buf[i + 1: k], False


_DOLLAR_OR_NL = re.compile(r"[$\n]")


def split_maths(text: str) -> list[Piece]:
    """The pieces of a whole Markdown text."""
    s = MathSplitter()
    return s.feed(text) + s.close()


# -- maths as Unicode text (the terminal) ----------------------------------------------------
@lru_cache(maxsize=1)
def _converter():
    from pylatexenc import latexwalker, macrospec
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    def _arg(node, l2t, k: int) -> str:
        args = node.nodeargd.argnlist if node.nodeargd is not None else []
        a = args[k] if k < len(args) else None
        return l2t.nodelist_to_text([a]).strip() if a is not None else ""

    def _group(s: str) -> str:
        return s if len(s) <= 1 or re.fullmatch(r"[\w.]+", s) else f"({s})"

    def frac(node, l2tobj):
        return f"{_group(_arg(node, l2tobj, 0))}/{_group(_arg(node, l2tobj, 1))}"

    def binom(node, l2tobj):
        return f"C({_arg(node, l2tobj, 0)}, {_arg(node, l2tobj, 1)})"

    two = ("frac", "dfrac", "tfrac", "binom")
    walker_db = latexwalker.get_default_latex_context_db()
    walker_db.add_context_category("cot-viewer", prepend=True, macros=[macrospec.MacroSpec(m, "{{") for m in two])
    text_db = get_default_latex_context_db()
    text_db.add_context_category(
        "cot-viewer", prepend=True,
        macros=[MacroTextSpec(m, simplify_repl=frac) for m in two[:3]] + [MacroTextSpec("binom", simplify_repl=binom)],
    )
    l2t = LatexNodes2Text(math_mode="text", strict_latex_spaces="on", latex_context=text_db)
    return latexwalker, walker_db, l2t


_SUP = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ"))
_SUB = dict(zip("0123456789+-=()aeoxijklmnprst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓᵢⱼₖₗₘₙₚᵣₛₜ"))
_SCRIPT = re.compile(r"([\^_])(\{([^{}]*)\}|[0-9a-z])")
_OPERATOR = re.compile(r"\s*([=≈≤≥≠±×·÷→⇒⇔∈∉⊂⊆∪∩≡∝])\s*")


def _scripts(latex: str) -> str:
    """``x^{2}`` → ``x²``, ``a_{k+1}`` → ``aₖ₊₁`` where every character has a Unicode form."""

    def one(m: re.Match) -> str:
        table = _SUP if m.group(1) == "^" else _SUB
        body = m.group(3) if m.group(3) is not None else m.group(2)
        body = body.replace(" ", "")
        if body and all(c in table for c in body):
            return "{}" + "".join(table[c] for c in body)  # {}: not read as part of a macro's name
        return m.group(0)

    return _SCRIPT.sub(one, latex)


@lru_cache(maxsize=512)
def latex_to_unicode(latex: str) -> str:
    """``\\frac{1}{2} \\approx x^2`` → ``1/2 ≈ x²``; the LaTeX itself if it cannot be read.

    Cached: the answer pane converts each formula as it streams in and again in the full
    render when the stream ends (and on every re-display of the same answer)."""
    import logging

    latexwalker, walker_db, l2t = _converter()
    logger = logging.getLogger("pylatexenc")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # it warns on stderr about macros it does not know
    try:
        walker = latexwalker.LatexWalker(_scripts(latex), latex_context=walker_db, tolerant_parsing=True)
        nodes = walker.get_latex_nodes()[0]
        text = l2t.nodelist_to_text(nodes)
    except Exception:  # noqa: BLE001 - any LaTeX the library cannot read is shown as written
        return latex.strip()
    finally:
        logger.setLevel(level)
    return _OPERATOR.sub(r" \1 ", " ".join(text.split())).strip() or latex.strip()


def escape_markdown(text: str) -> str:
    """Every ASCII punctuation character backslash-escaped: Markdown shows it as written."""
    return _MD_PUNCT.sub(r"\\\1", text)


def readable_markdown(pieces: list[Piece]) -> str:
    """Markdown for a terminal renderer: maths as Unicode text (display maths in a paragraph
    of its own), code untouched, and ``<``/``&`` in text escaped so that tag-like text and
    entities are shown as written rather than taken for HTML."""
    out: list[str] = []
    for p in pieces:
        if p.kind == MATH:
            shown = escape_markdown(latex_to_unicode(p.body))
            out.append(f"\n\n{shown}\n\n" if p.display else shown)
        elif p.kind == CODE:
            out.append(p.raw)
        else:
            out.append(_HTML_START.sub(r"\\\1", p.raw))
    return "".join(out)
