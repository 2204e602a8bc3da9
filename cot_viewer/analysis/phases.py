"""Grouping paragraphs into phases (after Marjanović et al.'s "Thoughtology").

Definition (first, exactly one) → Bloom (exactly one) → Reconstruction cycles (numbered,
zero or more) → Final decision (exactly one).  Phases change only at paragraph
boundaries.  A trace needs three paragraphs to hold definition, bloom and final; with
fewer, the later phases are missing (a one-paragraph trace is all definition).  While
streaming (``closed=False``) a final phase exists only once a paragraph commits to an
answer, and the assignment of the tail is provisional.

Rules:

* Definition: paragraph 0 plus the following paragraphs whose steps are all Read/Monitor.
* Final: from the last paragraph that commits to an answer ("the answer is", ``\\boxed``,
  "**Final Answer**"); with no such paragraph, a closed trace's last paragraph.
* A cycle opens at a paragraph whose first sentence starts with a marker (Wait, But
  wait, Hmm, Hold on, Alternatively, "another way", "Let me (double-)check/verify",
  "But …") once the current phase has reached an interim result (a conclusion with a
  number, an answer, a check) and is at least ``MIN_PHASE_CHARS`` long; when the paragraph
  before such an opener is an unmarked "So…/Therefore…" conclusion, the cycle opens
  there instead.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Sequence

from ._needles import searcher

__all__ = ["ParSummary", "summarize_paragraph", "phase_paragraphs", "PhaseTracker", "MIN_PHASE_CHARS"]

MIN_PHASE_CHARS = 100

_OPENER_RE = re.compile(
    r"^(?:\W*)(?:wait|but wait|hmm+|hm+|hold on|hang on|alternatively|another (?:way|approach|method)|"
    r"(?:but|so|okay|now),? (?:let me|let's) (?:double[- ]?check|check|verify|re-?examine|confirm|think again|try another|"
    r"try a different|reconsider|go back)|"
    r"let me (?:double[- ]?check|check|verify|re-?examine|confirm|think again|try another|try a different|reconsider|"
    r"go back|recheck|re-?verify|see if)|let's (?:double[- ]?check|check|verify|confirm|try another|reconsider)|"
    r"but\b|however\b|actually\b|oh\b|no\b|is there another|maybe (?:there's|there is) (?:another|a better|a simpler))",
    re.I,
)
_SO_RE = re.compile(r"^(?:so|therefore|thus|hence)\b", re.I)
_COMMIT_RE = re.compile(
    r"\\boxed\b|\*\*\s*final answer|\bfinal answer\b|\bthe answer (?:is|should be|must be|would be)\b|"
    r"\bthe (?:correct )?answer is\b|\banswer:\s",
    re.I,
)
_INTERIM_RE = re.compile(
    r"(?:^(?:so|therefore|thus|hence|that gives|which gives|then)\b.*(?:\d|=|\\\(|\$))|"
    r"\b(?:seems (?:right|correct|reasonable)|that's (?:correct|right)|makes sense|checks out|answer)\b|=\s*-?\d",
    re.I,
)

_COMMIT_S = searcher(_COMMIT_RE, "phases._COMMIT_RE", lower_input=False)
_INTERIM_S = searcher(_INTERIM_RE, "phases._INTERIM_RE", lower_input=False)


@dataclass(slots=True, frozen=True)
class ParSummary:
    index: int
    start: int
    end: int
    first_step: int
    last_step: int
    read_only: bool
    opener: bool
    so_opener: bool
    commit: bool
    interim: bool


def summarize_paragraph(
    index: int,
    text: str,
    spans: Sequence[tuple[int, int]],
    labels: Sequence[str],
    first_step: int,
    offset: int = 0,
) -> ParSummary:
    """Summary of one labelled paragraph; ``spans`` index ``text``, ``offset`` is added to
    make the stored offsets absolute."""
    first = text[spans[0][0]:spans[0][1]]
    body = text[spans[0][0]:spans[-1][1]]
    interim = False
    for (s, e), lab in zip(spans, labels):
        if lab in ("Implement", "Verify", "Analyze") and _INTERIM_S(text[s:e]):
            interim = True
            break
    return ParSummary(
        index,
        spans[0][0] + offset,  # start
        spans[-1][1] + offset,  # end
        first_step,
        first_step + len(spans) - 1,  # last_step
        all(lab in ("Read", "Monitor") for lab in labels),  # read_only
        bool(_OPENER_RE.match(first)),  # opener
        bool(_SO_RE.match(first)),  # so_opener
        bool(_COMMIT_S(body)),  # commit
        interim,
    )


def phase_paragraphs(pars: Sequence[ParSummary], closed: bool) -> list[tuple[str, int, int, int]]:
    """``(kind, number, first_paragraph, last_paragraph)`` for every phase, in order."""
    n = len(pars)
    if n == 0:
        return []
    # Definition
    d_end = 0
    while d_end + 1 < n and pars[d_end + 1].read_only and d_end + 1 <= n - 3:
        d_end += 1
    out: list[tuple[str, int, int, int]] = [("definition", 0, 0, d_end)]
    if n == d_end + 1:
        return out
    b_start = d_end + 1
    # Final
    f_start: int | None = None
    for p in range(n - 1, b_start, -1):
        if pars[p].commit:
            f_start = p
            break
    if f_start is None and closed and n - b_start >= 2:
        f_start = n - 1
    if f_start is not None and f_start <= b_start:
        f_start = None
    body_end = (f_start - 1) if f_start is not None else n - 1
    # Bloom and cycles
    starts = [b_start]
    phase_chars = 0
    interim = False
    for p in range(b_start, body_end + 1):
        par = pars[p]
        if p > starts[-1] and par.opener and interim and phase_chars >= MIN_PHASE_CHARS:
            start = p
            prev = pars[p - 1]
            if p - 1 > starts[-1] and prev.so_opener:
                start = p - 1
            starts.append(start)
            phase_chars = sum(pars[q].end - pars[q].start for q in range(start, p))
            interim = any(pars[q].interim for q in range(start, p))
        phase_chars += par.end - par.start
        interim = interim or par.interim
    return _attempts(out, starts, body_end, f_start, n)


def _attempts(out: list, starts: Sequence[int], body_end: int, f_start: int | None, n: int) -> list:
    """``out`` plus the bloom and reconstruction cycles opening at ``starts`` (paragraph
    indices, the body ending at ``body_end``) and the final decision from ``f_start``."""
    for k, s in enumerate(starts):
        e = starts[k + 1] - 1 if k + 1 < len(starts) else body_end
        out.append(("bloom" if k == 0 else "reconstruction", k, s, e))
    if f_start is not None:
        out.append(("final", 0, f_start, n - 1))
    return out


class PhaseTracker:
    """:func:`phase_paragraphs` for a growing list of paragraph summaries, without
    rescanning the frozen ones on every call.

    ``append()`` the summaries of frozen paragraphs as they close; ``phases(open, closed)``
    returns exactly ``phase_paragraphs(frozen + [open], closed)`` (``open`` may be None).
    The left-to-right scan for cycles is cached up to the last frozen paragraph it has
    needed; it restarts only if the start of the bloom moves (early in a trace).
    """

    def __init__(self) -> None:
        self.pars: list[ParSummary] = []
        self._run = 0  # read-only paragraphs from index 1 on, up to the first other one
        self._run_open = True  # no other paragraph yet (the run can grow)
        self._last_commit = -1  # index of the last frozen paragraph that commits
        self._b_start = -1  # bloom start the cached scan belongs to
        self._next = 0  # next paragraph the scan would process
        self._starts: list[int] = []
        self._added: list[int] = []  # paragraph at which each start was added
        self._chars = 0
        self._interim = False

    def append(self, par: ParSummary) -> None:
        i = len(self.pars)
        self.pars.append(par)
        if i >= 1 and self._run_open:
            if par.read_only:
                self._run += 1
            else:
                self._run_open = False
        if par.commit:
            self._last_commit = i

    def _reset(self, b_start: int) -> None:
        self._b_start = b_start
        self._next = b_start
        self._starts = [b_start]
        self._added = [b_start]
        self._chars = 0
        self._interim = False

    @staticmethod
    def _step(pars: Sequence[ParSummary], p: int, starts: list[int], added: list[int], chars: int,
              interim: bool) -> tuple[int, bool]:
        par = pars[p]
        if p > starts[-1] and par.opener and interim and chars >= MIN_PHASE_CHARS:
            start = p
            if p - 1 > starts[-1] and pars[p - 1].so_opener:
                start = p - 1
            starts.append(start)
            added.append(p)
            chars = sum(pars[q].end - pars[q].start for q in range(start, p))
            interim = any(pars[q].interim for q in range(start, p))
        chars += par.end - par.start
        interim = interim or par.interim
        return chars, interim

    def phases(self, open_par: ParSummary | None, closed: bool) -> list[tuple[str, int, int, int]]:
        frozen = self.pars
        nf = len(frozen)
        n = nf + (open_par is not None)
        if n == 0:
            return []
        # Definition: paragraph 0 and the read-only ones after it, keeping two for the rest
        run = self._run
        if open_par is not None and self._run_open and nf >= 1 and open_par.read_only:
            run += 1
        d_end = max(0, min(run, n - 3))
        out: list[tuple[str, int, int, int]] = [("definition", 0, 0, d_end)]
        if n == d_end + 1:
            return out
        b_start = d_end + 1
        # Final: from the last paragraph that commits
        f_start: int | None = None
        if open_par is not None and open_par.commit and nf > b_start:
            f_start = nf
        elif self._last_commit > b_start:
            f_start = self._last_commit
        if f_start is None and closed and n - b_start >= 2:
            f_start = n - 1
        if f_start is not None and f_start <= b_start:
            f_start = None
        body_end = (f_start - 1) if f_start is not None else n - 1
        # Bloom and cycles: the cached scan over frozen paragraphs, then the open one
        if self._b_start != b_start:
            self._reset(b_start)
        last_frozen = min(body_end, nf - 1)
        while self._next <= last_frozen:
            self._chars, self._interim = self._step(frozen, self._next, self._starts, self._added,
                                                    self._chars, self._interim)
            self._next += 1
        if body_end >= nf:  # the open paragraph is in the body (the scan reached nf - 1)
            starts = list(self._starts)
            if open_par is not None:
                full = _Concat(frozen, open_par)
                self._step(full, nf, starts, [], self._chars, self._interim)
        else:
            k = bisect_right(self._added, body_end)
            starts = self._starts[:k]
        return _attempts(out, starts, body_end, f_start, n)


class _Concat:
    """``frozen + [last]`` for indexing, without copying ``frozen``."""

    __slots__ = ("frozen", "last", "n")

    def __init__(self, frozen: Sequence[ParSummary], last: ParSummary) -> None:
        self.frozen, self.last, self.n = frozen, last, len(frozen)

    def __getitem__(self, i: int) -> ParSummary:
        return self.last if i == self.n else self.frozen[i]
