"""Comparing answers: one canonical form per answer, and finding an answer in the text.

Two statements of the same answer must compare equal whatever their formatting:
``\\frac{24}{5}``, ``\\dfrac{24}{5}``, ``24/5`` and ``4.8``; ``1,000`` and ``1000``; ``25\\%``
and ``25``; ``30 matches`` and ``30``; ``x = 5`` and ``5``; ``option C``, ``(C)`` and ``C``.
:func:`canonical` gives that form; :func:`find_answer` finds the first place where the
reasoning states a given answer, matching whole tokens only (``90`` is not found in
``90-99`` or ``190``).
"""

from __future__ import annotations

import re
from fractions import Fraction

__all__ = ["canonical", "same_answer", "number_value", "find_answer", "choice_letter"]

_TEXT_RE = re.compile(r"\\(?:text|textbf|mathrm|mathbf|operatorname|mbox)\s*\{([^{}]*)\}")
_FRAC_RE = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_FRAC_SHORT_RE = re.compile(r"\\[dt]?frac\s*(\d)\s*(\d)")
_BOXED_RE = re.compile(r"^\\boxed\s*\{(.*)\}$", re.S)
_LATEX_SPACE_RE = re.compile(r"\\[,;:!> ]|\\q?quad\b|~")
_ASSIGN_RE = re.compile(r"^(?:[A-Za-z](?:_\{?\w+\}?)?|\\[a-zA-Z]+)\s*(?:=|\\approx|≈)\s*(?=\S)")
_CHOICE_STRICT_RE = re.compile(r"^(?:(?:option|choice)\s+)?\(?([A-E])\)?$|^(?:option|choice)\s+([a-e])$", re.I)
_NUMBER_RE = re.compile(r"^[-−+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[-−+]?\.\d+$")
_FRACTION_RE = re.compile(r"^([-−+]?)\(?([-−+]?\d+(?:\.\d+)?)\)?\s*/\s*\(?(\d+(?:\.\d+)?)\)?$")
_UNIT_TAIL_RE = re.compile(r"^(.*?\d)\s*(?:\^\s*\\circ|°|\\%|%|\\?\$)?\s*(?:[A-Za-z][A-Za-z.²³ ]{0,30})?$")
_LEADING_NUMBER_RE = re.compile(r"^([-−]?\d[\d,]*(?:\.\d+)?)\s+(?!(?:and|or|to|through|x|times|by)\b)[A-Za-z]")
_CURRENCY_RE = re.compile(r"^(?:\\?\$|€|£|¥)\s*")


def _unwrap(x: str) -> str:
    x = x.strip()
    for _ in range(3):
        m = _BOXED_RE.match(x)
        if not m:
            break
        x = m.group(1).strip()
    x = _TEXT_RE.sub(r" \1 ", x)
    x = x.replace("\\left", "").replace("\\right", "").replace("\\displaystyle", "")
    x = _LATEX_SPACE_RE.sub(" ", x)
    x = x.strip().strip("$").strip()
    if x.startswith("\\(") and x.endswith("\\)") or x.startswith("\\[") and x.endswith("\\]"):
        x = x[2:-2].strip()
    x = x.strip("*").strip().rstrip(".").strip()
    for _ in range(3):
        y = _FRAC_RE.sub(r"(\1)/(\2)", x)
        y = _FRAC_SHORT_RE.sub(r"\1/\2", y)
        if y == x:
            break
        x = y
    return x.replace("{,}", "").replace("−", "-")


def number_value(x: str) -> Fraction | None:
    """The value of a plain number or fraction (``1,000``, ``-2.5``, ``24/5``, ``(24)/(5)``,
    ``25%`` counts as 25, ``12 cm`` as 12), else None."""
    s = _CURRENCY_RE.sub("", x.strip())
    m = _UNIT_TAIL_RE.match(s)
    if m and m.group(1) != s:
        s = m.group(1)
    s = s.replace(" ", "").replace("{", "").replace("}", "")
    try:
        if _NUMBER_RE.match(s):
            return Fraction(s.replace(",", "").replace("−", "-"))
        m = _FRACTION_RE.match(s)
        if m:
            den = Fraction(m.group(3))
            if den == 0:
                return None
            v = Fraction(m.group(2).replace("−", "-")) / den
            return -v if m.group(1) in ("-", "−") else v
    except (ValueError, ZeroDivisionError):
        return None
    return None


def choice_letter(x: str) -> str | None:
    """``C`` for ``C``, ``(C)``, ``option C``, ``C) 7``; else None."""
    x = _unwrap(x)
    m = _CHOICE_STRICT_RE.match(x)
    if m:
        return (m.group(1) or m.group(2)).upper()
    m = re.match(r"^\(?([A-E])\)\s+\S", x)  # "C) 7", "(C) 7"
    return m.group(1) if m else None


def canonical(x: str) -> str:
    """The comparison key of an answer (see the module docstring)."""
    x = _unwrap(x)
    if not x:
        return ""
    letter = choice_letter(x)
    if letter:
        return "choice:" + letter
    x = _ASSIGN_RE.sub("", x, count=1)
    v = number_value(x)
    if v is None:
        m = _LEADING_NUMBER_RE.match(x)  # "90 more 4's printed than 8's": the number is the answer
        if m:
            v = number_value(m.group(1))
    if v is not None:
        return f"num:{v.numerator}/{v.denominator}"
    return "".join(x.split()).lower()


def same_answer(a: str, b: str) -> bool:
    return canonical(a) == canonical(b)


# ------------------------------------------------------------------------- finding
# a number as written in the text: 1,000 · 2.5 · \frac{24}{5} · \dfrac{1}{2} · 24/5
_NUM_TOKEN_RE = re.compile(  # the lookahead (implied by both branches) lets the scan skip other characters fast
    r"(?=[-\\\d])(?:\\[dt]?frac\s*\{\s*(-?\d+(?:\.\d+)?)\s*\}\s*\{\s*(\d+(?:\.\d+)?)\s*\}"
    r"|(?<![\w.,/^])(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?:\s*/\s*(\d+(?:\.\d+)?)(?![\d.]))?)"
)
_RESULT_BEFORE_RE = re.compile(
    r"(?:=|≈|\bis|\bbe|\bget|\bgot|\bgives|boxed\{|answer|:|\bequals|\bto|\bof)\s*[\\($*{]*\s*$"
)


def _number_at(m: re.Match[str], near: float) -> Fraction | None:
    """The value of a number token, or None when it is not within rounding of ``near``
    (most numbers of a text are not: they are skipped without building a Fraction)."""
    try:
        if m.group(1) is not None:
            approx = float(m.group(1)) / float(m.group(2))
        else:
            approx = float(m.group(3).replace(",", ""))
            if m.group(4) is not None:
                approx /= float(m.group(4))
        if abs(approx - near) > 1e-9 * max(1.0, abs(near)):
            return None
    except (ValueError, ZeroDivisionError):
        return None
    try:
        if m.group(1) is not None:
            den = Fraction(m.group(2))
            return Fraction(m.group(1)) / den if den else None
        v = Fraction(m.group(3).replace(",", ""))
        if m.group(4) is not None:
            den = Fraction(m.group(4))
            return v / den if den else None
        return v
    except (ValueError, ZeroDivisionError):
        return None


def _whole_token(text: str, s: int, e: int) -> bool:
    """Not part of a larger number, word, range ("90-99") or decimal."""
    before = text[s - 1] if s else " "
    after = text[e:e + 2]
    if before.isalnum() or before in "_." or (before == "-" and s >= 2 and text[s - 2].isdigit()):
        return False
    if after[:1].isalnum() or after[:1] == "_" or (after[:1] in ".,-–/" and after[1:2].isdigit()):
        return False
    return True


def _first(text: str, hits: list[tuple[int, int]]) -> int | None:
    """End of the first hit that follows a result word, else of the first hit."""
    for s, e in hits:
        if _RESULT_BEFORE_RE.search(text[max(0, s - 14):s].lower()):
            return e
    return hits[0][1] if hits else None


def find_answer(text: str, answer: str, prompt: str | None = None) -> int | None:
    """End offset of the first place ``text`` states ``answer`` (as a result — after "=",
    "is", "answer", "\\boxed{" … — if anywhere, else its first whole-token mention), or
    None.  A choice letter is also found as its option's value when ``prompt`` lists the
    options ("(C) 7")."""
    key = canonical(answer)
    if not key:
        return None
    hits: list[tuple[int, int]] = []
    if key.startswith("num:"):
        want = number_value(_ASSIGN_RE.sub("", _unwrap(answer), count=1))
        near = float(want) if want is not None else 0.0
        for m in _NUM_TOKEN_RE.finditer(text):
            v = _number_at(m, near)  # mostly None: compared as such, not by Fraction.__eq__(None)
            if (v == want if v is not None else want is None) and (
                    m.group(1) is not None or _whole_token(text, m.start(), m.end())):
                hits.append((m.start(), m.end()))
        return _first(text, hits)
    if key.startswith("choice:"):
        letter = key[-1]
        pat = re.compile(
            r"(?:\(\s*" + letter + r"\s*\)|\b(?:option|choice|answer is|answer:)\s*\(?" + letter + r"\b\)?"
            r"|\b" + letter + r"\)|\\boxed\{\s*\(?" + letter + r"\)?\s*\})"
        )
        hits = [(m.start(), m.end()) for m in pat.finditer(text)]
        value = _option_value(prompt, letter) if prompt else None
        if value:
            pos = find_answer(text, value)
            if pos is not None:
                hits.append((pos - 1, pos))
                hits.sort()
        return hits[0][1] if hits else None
    raw = _unwrap(answer)
    for variant in dict.fromkeys((answer.strip(), raw)):
        if not variant:
            continue
        i = text.find(variant)
        while i >= 0:
            if _whole_token(text, i, i + len(variant)):
                hits.append((i, i + len(variant)))
            i = text.find(variant, i + 1)
    if hits:
        hits.sort()
        return _first(text, hits)
    return _find_spaceless(text, key)


def _find_spaceless(text: str, key: str) -> int | None:
    """End offset of ``key`` in ``text`` compared without spaces and case, ``\\dfrac``
    read as ``\\frac``; None if absent."""
    chars: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        if not c.isspace():
            chars.append(c.lower())
            where.append(i)
    flat = "".join(chars)
    k = flat.find(key)
    if k < 0 or len(key) < 2:
        return None
    return where[k + len(key) - 1] + 1


def _option_value(prompt: str, letter: str) -> str | None:
    m = re.search(r"(?:^|\s|\()" + letter + r"[).:]\s*([^\n()]{1,40}?)(?=\s*(?:\(?[A-E][).:]|\n|$))", prompt)
    return m.group(1).strip() if m else None
