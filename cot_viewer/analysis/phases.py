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
* Bloom, the first attempt, ends where its first candidate answer has been stated (a
  sentence the labeller takes for an answer, "the answer is", ``\\boxed``) or where the
  approach is abandoned (a paragraph opening with "Alternatively", "another approach", "let
  me try a different …", "start over"): the first cycle opens at the next marker paragraph
  after a candidate answer, or at the abandoning paragraph.  A "Wait" after an
  intermediate result does not end the first attempt.
* Every later cycle opens at a paragraph whose first sentence starts with a marker (Wait,
  But wait, Hmm, Hold on, Alternatively, "another way", "Let me (double-)check/verify",
  "But …") once the current cycle has reached an interim result (a conclusion with a
  number, an answer, a check).
* A phase holds at least ``MIN_PHASE_CHARS`` characters before a cycle opens after it; when
  the paragraph before an opener is an unmarked "So…/Therefore…" conclusion, the cycle
  opens there instead.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import NamedTuple, Sequence

from .prefilter import searcher

__all__ = ["ParSummary", "summarize_paragraph", "paragraph_band", "phase_paragraphs", "PhaseTracker", "MIN_PHASE_CHARS"]

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
_ABANDON_RE = re.compile(
    r"^(?:\W*)(?:(?:wait|hmm+|but|okay|so|no),?\s+)*(?:alternatively|another (?:way|approach|method|idea)|"
    r"(?:let me|let's|i(?:'ll| will| should)|maybe i should|perhaps i should) (?:try|use|take|consider|think of) "
    r"(?:a |an )?(?:different|another|other|new|alternative)|(?:let me|let's|i(?:'ll| will| should)) (?:start over|"
    r"start again|scrap|restart|abandon)|(?:this|that) (?:approach|method|way) (?:is(?:n't| not)|doesn't|does not|"
    r"won't|will not|seems)|maybe (?:there's|there is) (?:another|a better|a simpler|a different))",
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


class _Scan(NamedTuple):
    """State of the left-to-right scan for cycles."""

    chars: int  # characters of the current phase so far
    interim: bool  # the current phase has reached an interim result
    candidate: bool  # a candidate answer has been stated since the bloom began


_START = _Scan(0, False, False)


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
    candidate: bool  # states a candidate answer to the problem
    abandons: bool  # opens by abandoning the current approach
    band: str  # General, Explore or Verify (paragraph_band)


def summarize_paragraph(
    index: int,
    text: str,
    spans: Sequence[tuple[int, int]],
    labels: Sequence[str],
    first_step: int,
    offset: int = 0,
    answers: Sequence[bool] = (),
) -> ParSummary:
    """Summary of one labelled paragraph; ``spans`` index ``text``, ``offset`` is added to
    make the stored offsets absolute; ``answers``: which sentences state an answer (the
    labeller's Answer class)."""
    first = text[spans[0][0]:spans[0][1]]
    body = text[spans[0][0]:spans[-1][1]]
    commit = bool(_COMMIT_S(body))
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
        commit,
        interim,
        commit or any(answers),  # candidate
        bool(_ABANDON_RE.match(first)),  # abandons
        paragraph_band(labels, first),
    )


_CHECK_OPEN_RE = re.compile(
    r"^\W*(?:(?:wait|hmm+|but|so|okay|ok|now|alright|actually),?\s+)*"
    r"(?:let me|let's|let us|i(?:'ll| will| should| need to)|to be (?:sure|safe))\s+(?:just\s+|quickly\s+|also\s+|now\s+|again\s+)*"
    r"(?:double[- ]?check|check|verify|confirm|make sure|re-?check|re-?verify|re-?examine|sanity[- ]check|plug)",
    re.I,
)
_EXPLORE_OPEN_RE = re.compile(
    r"^\W*(?:(?:wait|hmm+|but|so|okay|ok|or)\W*\s+)*"
    r"(?:alternatively|maybe|perhaps|what if|what about|another (?:way|approach|idea))\b",
    re.I,
)


def paragraph_band(labels: Sequence[str], first: str = "") -> str:
    """The annotators' paragraph level: Verify for a paragraph that opens a check ("let me
    check…", or its first sentence that is not Monitor is Verify) or is mostly checking,
    Explore for one that opens with a tentative idea, General otherwise.  ``first``: the
    paragraph's first sentence."""
    if _CHECK_OPEN_RE.match(first):
        return "Verify"
    if _EXPLORE_OPEN_RE.match(first):
        return "Explore"
    lead = next((lab for lab in labels if lab != "Monitor"), None)
    if lead in ("Verify", "Explore"):
        return lead
    if 2 * sum(lab == "Verify" for lab in labels) > len(labels):
        return "Verify"
    return "General"


def phase_paragraphs(pars: Sequence[ParSummary], closed: bool) -> list[tuple[str, int, int, int]]:
    """``(kind, number, first_paragraph, last_paragraph)`` for every phase, in order."""
    tracker = PhaseTracker()
    for par in pars:
        tracker.append(par)
    return tracker.phases(None, closed)


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
        self._state = _START

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
        self._state = _START

    @staticmethod
    def _step(pars: Sequence[ParSummary], p: int, starts: list[int], added: list[int], state: _Scan) -> _Scan:
        """Scan paragraph ``p`` of the body: open a cycle there if it opens one."""
        par = pars[p]
        chars, interim, candidate = state
        if p > starts[-1] and chars >= MIN_PHASE_CHARS and (
            (par.opener and (candidate if len(starts) == 1 else interim)) or par.abandons
        ):
            start = p
            if p - 1 > starts[-1] and pars[p - 1].so_opener:
                start = p - 1
            starts.append(start)
            added.append(p)
            chars = sum(pars[q].end - pars[q].start for q in range(start, p))
            interim = any(pars[q].interim for q in range(start, p))
        return _Scan(chars + par.end - par.start, interim or par.interim, candidate or par.candidate)

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
            self._state = self._step(frozen, self._next, self._starts, self._added, self._state)
            self._next += 1
        if body_end >= nf:  # the open paragraph is in the body (the scan reached nf - 1)
            starts = list(self._starts)
            if open_par is not None:
                full = _Concat(frozen, open_par)
                self._step(full, nf, starts, [], self._state)
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
