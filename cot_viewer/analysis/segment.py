"""Segmentation of a reasoning monologue into paragraphs and sentence-sized steps.

Everything here works on offsets into the original text, so that every step is a span
``[start, end)`` with ``text[start:end]`` equal to the stripped sentence.

Two levels:

* :func:`paragraph_spans` splits on blank lines (``\\n`` + optional spaces + ``\\n``),
  except inside fenced code blocks.  The split is *prefix stable*: a separator found in a
  prefix of the text is a separator of every longer text, which is what lets the
  incremental analyser freeze a paragraph as soon as its blank line has arrived.
* :func:`sentence_spans` splits one paragraph into sentences with math and code
  protected (``$$…$$``, ``\\[…\\]``, ``\\(…\\)``, ``$…$``, fenced and inline code),
  decimals, factorials such as ``(2k)!`` and abbreviations such as "Dr." and "e.g." not
  treated as sentence ends, a line of pure math attached to the sentence before it and a
  fenced code block kept as one step.
"""

from __future__ import annotations

import re

__all__ = ["paragraph_spans", "sentence_spans", "segment", "mask_protected", "strip_span", "is_math_line", "FENCE_RE", "BLANK_RE"]

# A fence opens/closes on a line starting with ``` or ~~~ (up to 3 spaces of indent).
FENCE_RE = re.compile(r"^[ ]{0,3}(```|~~~)", re.M)
BLANK_RE = re.compile(r"\n[ \t\r]*\n")

# Protected regions inside a paragraph, tried in this order at each position.
_PROTECT_RE = re.compile(
    r"""
      (?P<fence>^[ ]{0,3}(?:```|~~~)[^\n]*\n.*?(?:^[ ]{0,3}(?:```|~~~)[^\n]*$|\Z))
    | (?P<dd>\$\$.*?(?:\$\$|\Z))
    | (?P<brk>\\\[.*?(?:\\\]|\Z))
    | (?P<par>\\\(.*?(?:\\\)|\Z))
    | (?P<code>`[^`\n]+`)
    | (?P<d>(?<![\\$])\$(?!\s)[^$\n]{1,400}?(?<![\s\\])\$(?!\d))
    """,
    re.S | re.M | re.X,
)

_ABBREVIATIONS = frozenset(
    """dr mr mrs ms prof sr jr st vs etc approx fig figs eq eqs no nos cf resp dept est
    al e.g i.e a.m p.m ca def thm lem prop sec ch vol pp ex min max""".split()
)

# Candidate sentence ends: runs of . ! ? (and the ellipsis char) plus closing quotes/brackets.
_END_RE = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s|$)")
_LIST_START_RE = re.compile(r"(?:[-*+\u2022]\s|\d{1,2}[.)]\s|\(?[A-Ea-e]\)\s|#{1,6}\s|\*\*|[A-Z])")
_WORD_RE = re.compile(r"[A-Za-z]{2,}")
_MATH_WORDS = frozenset(
    "sin cos tan cot sec csc log ln exp lim max min gcd lcm mod det arcsin arccos arctan sqrt".split()
)
MASK = "\x00"
# The start of a maximal run of two or more ASCII letters that is not one of _MATH_WORDS
# (in any letter case): the same as finding a word of _WORD_RE.findall() whose lower()
# is not in _MATH_WORDS.
_NON_MATH_WORD_RE = re.compile(
    r"(?<![A-Za-z])(?!(?:"
    + "|".join("".join(f"[{c}{c.upper()}]" for c in w) for w in sorted(_MATH_WORDS, key=lambda w: (-len(w), w)))
    + r")(?![A-Za-z]))[A-Za-z]{2}"
)


def paragraph_spans(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Spans ``[s, e)`` of the non-empty paragraphs of ``text[start:]`` (stripped)."""
    seps = _separators(text, start)
    out: list[tuple[int, int]] = []
    pos = start
    for s, e in seps + [(len(text), len(text))]:
        span = strip_span(text, pos, s)
        if span is not None:
            out.append(span)
        pos = e
    return out


def _separators(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Blank-line separators in ``text[start:]`` that are not inside a fenced block."""
    fences = [m.start() for m in FENCE_RE.finditer(text, start)]
    if not fences:
        return [(m.start(), m.end()) for m in BLANK_RE.finditer(text, start)]
    # Regions between an opening fence and its closing fence (or the end) are protected.
    closed: list[tuple[int, int]] = []
    for i in range(0, len(fences), 2):
        a = fences[i]
        b = fences[i + 1] if i + 1 < len(fences) else len(text)
        closed.append((a, b))
    out = []
    j = 0
    for m in BLANK_RE.finditer(text, start):
        while j < len(closed) and closed[j][1] < m.start():
            j += 1
        if j < len(closed) and closed[j][0] <= m.start() < closed[j][1]:
            continue
        out.append((m.start(), m.end()))
    return out


def strip_span(text: str, s: int, e: int) -> tuple[int, int] | None:
    """``text[s:e]`` without its leading and trailing white space, as a span; None if blank."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if e > s else None


def mask_protected(par: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Return ``par`` with protected regions replaced by NUL characters (same length),
    plus the list of protected regions ``(start, end, kind)``."""
    regions: list[tuple[int, int, str]] = []
    if "$" not in par and "\\" not in par and "`" not in par and "~" not in par:
        return par, regions
    chunks = []
    last = 0
    for m in _PROTECT_RE.finditer(par):
        kind = m.lastgroup or "math"
        regions.append((m.start(), m.end(), kind))
        chunks.append(par[last:m.start()])
        chunks.append(MASK * (m.end() - m.start()))
        last = m.end()
    chunks.append(par[last:])
    return "".join(chunks), regions


def is_math_line(line: str) -> bool:
    """A line of pure math: masked math, numbers, operators and single-letter symbols."""
    stripped = line.strip()
    if not stripped:
        return False
    if stripped.startswith(("-", "*", "+")) and len(stripped) > 1 and stripped[1] == " ":
        return False  # a list item
    # a word (a maximal run of 2+ ASCII letters) that is not a math word
    return _NON_MATH_WORD_RE.search(stripped) is None


def _is_sentence_end(masked: str, i: int, j: int) -> bool:
    """Is the punctuation run ``masked[i:j]`` the end of a sentence?"""
    punct = masked[i:j].rstrip("\"'\u201d\u2019)]")
    nxt = j
    n = len(masked)
    while nxt < n and masked[nxt].isspace():
        nxt += 1
    following = masked[nxt] if nxt < n else ""
    last = punct[-1]
    prev = masked[i - 1] if i > 0 else ""
    if last == "." and punct == ".":
        # decimals never reach here (no whitespace after the dot); abbreviations:
        k = i
        while k > 0 and (masked[k - 1].isalpha() or masked[k - 1] == "."):
            k -= 1
        word = masked[k:i].lower()
        if word in _ABBREVIATIONS:
            return False
        if len(word) == 1 and word.isalpha() and k > 0 and masked[k - 1] == ".":
            return False  # initials like "U.S." or "e.g"
        if following and following.islower():
            return False
        if prev.isdigit() and following.isdigit():
            return False
        return True
    if last == "!":
        if punct == "!" and (prev.isdigit() or prev == ")" or prev == MASK or _single_letter_before(masked, i)):
            return False  # factorial: 5!, (2k)!, n!
        if following and following.islower():
            return False
        return True
    if last in ".\u2026":  # ellipsis "..."
        return not (following and following.islower())
    return True  # "?" ends a sentence


def _single_letter_before(masked: str, i: int) -> bool:
    return i >= 1 and masked[i - 1].isalpha() and (i == 1 or not masked[i - 2].isalpha())


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets, stripped) of the paragraph ``text[start:end]``."""
    par = text[start:end]
    masked, regions = mask_protected(par)
    cuts: set[int] = set()
    # 1. punctuation ends
    for m in _END_RE.finditer(masked):
        if _is_sentence_end(masked, m.start(), m.end()):
            cuts.add(m.end())
    # 2. fenced code blocks are one step of their own
    for s, e, kind in regions:
        if kind == "fence":
            cuts.add(s)
            cuts.add(e)
    # 3. line breaks: a new text line that looks like a new sentence starts one; a line of
    #    pure math stays with the sentence before it.
    if "\n" in masked:
        pos = 0
        lines = masked.split("\n")
        prev_line = None
        for line in lines:
            if prev_line is not None:
                stripped = line.lstrip()
                if stripped and MASK not in stripped[:1] and not is_math_line(line):
                    lead = pos + (len(line) - len(stripped))
                    if _LIST_START_RE.match(stripped) and not prev_line.rstrip().endswith((",", "(")):
                        cuts.add(lead)
            prev_line = line
            pos += len(line) + 1
    # 4. don't cut inside a protected region
    if regions:
        cuts = {c for c in cuts if not any(s < c < e for s, e, _ in regions)}
    out = []
    pos = 0
    for c in sorted(cuts) + [len(par)]:
        if c <= pos:
            continue
        span = strip_span(par, pos, c)
        if span is not None:
            out.append((start + span[0], start + span[1]))
        pos = c
    return out


def segment(text: str) -> list[tuple[int, int, int]]:
    """``(start, end, paragraph)`` spans of every sentence-sized step of ``text``."""
    out: list[tuple[int, int, int]] = []
    for p, (ps, pe) in enumerate(paragraph_spans(text)):
        for s, e in sentence_spans(text, ps, pe):
            out.append((s, e, p))
    return out
