"""Metrics of a labelled, phased trace, and final-answer extraction."""

from __future__ import annotations

import operator
import re
from bisect import bisect_right
from typing import Sequence

from .prefilter import maybe
from .answers import canonical, find_answer
from .model import Cycle, Metrics, Phase, Step
from .vocabulary import BANDS, LABELS, PHASE_KINDS

__all__ = ["compute_metrics", "assemble_metrics", "text_counts", "LabelStats", "final_answer", "candidate_answers",
           "answer_words", "AnswerScan", "TimeLine"]

PIVOT_RE = re.compile(r"\b(?:wait|hmm+|hold on)\b", re.I)
SWITCH_RE = re.compile(
    r"\balternatively\b|\banother (?:way|approach|method)\b|\bdifferent (?:approach|method|way)\b", re.I
)
_WORD_RE = re.compile(r"\S+")  # counted as len(text.split()): the same whitespace
_ANSWER_PHRASE_RE = re.compile(
    r"\b(?:the\s+)?(?:final\s+)?answer\s+(?:is|should be|must be|would be|=|:)\s*(?:\*\*)?\s*(?P<x>[^\n]{1,80})", re.I
)


_maybe_pivot = maybe(PIVOT_RE, "metrics.PIVOT_RE")
_maybe_switch = maybe(SWITCH_RE, "metrics.SWITCH_RE")


def _brace_end(text: str, j: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``j`` (``len(text)`` when it never closes)."""
    depth = 0
    k = j
    n = len(text)
    while k < n:
        c = text[k]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                break
        k += 1
    return k


def _boxed_all(text: str) -> list[tuple[int, str]]:
    """Contents of every ``\\boxed{…}`` (balanced braces), with their offsets."""
    out = []
    i = text.find("\\boxed")
    while i >= 0:
        j = text.find("{", i)
        if j < 0 or j > i + 8:
            i = text.find("\\boxed", i + 6)
            continue
        k = _brace_end(text, j)
        out.append((i, text[j + 1:k]))
        i = text.find("\\boxed", k)
    return out


def normalize_answer(x: str) -> str:
    x = x.strip()
    m = re.match(r"\\boxed\{(.*)\}$", x)
    if m:
        x = m.group(1)
    x = re.sub(r"\\text\{([^}]*)\}", r"\1", x)
    x = x.replace("\\dfrac", "\\frac").replace("\\left", "").replace("\\right", "")
    x = x.strip().strip("$").strip()
    if x.startswith("\\(") and x.endswith("\\)"):
        x = x[2:-2]
    x = x.strip().rstrip(".").strip().strip("*").strip()
    m = re.match(r"\(?([A-E])\)(?:\s|$)", x)
    if m:  # a multiple-choice option: "C) 7" -> "C"
        x = m.group(1)
    return x


def _phrase_answer(sentence_tail: str) -> str | None:
    x = sentence_tail
    # cut at the end of the sentence (not at decimal points)
    m = re.search(r"[.!?](?:\s|$)|,\s|;|\s(?:because|since|which|so|but|and)\s", x)
    if m:
        x = x[: m.start()]
    x = normalize_answer(x)
    bx = _boxed_all(x)
    if bx:
        x = normalize_answer(bx[0][1])
    if not x or len(x) > 40:
        return None
    return x


_ANSWER_WORD_RE = re.compile("answer", re.I)  # every _ANSWER_PHRASE_RE match holds it


def answer_words(text: str, start: int = 0) -> list[int]:
    """Offsets of every "answer" (any case) in ``text[start:]``."""
    return [m.start() for m in _ANSWER_WORD_RE.finditer(text, start)]


def _phrase_at(text: str, a: int, pos: int) -> re.Match[str] | None:
    """The first match of ``_ANSWER_PHRASE_RE`` at or after ``pos`` that holds the "answer"
    at ``a``.  A match is ``[the<ws>][final<ws>]answer…`` with ``\\s+`` runs, so it starts
    at ``a``, or 3 ("the") or 5 ("final") characters before the whitespace run that
    precedes ``a``, or 3 before the run before "final"; no other position can start one."""
    k = a
    while k > 0 and text[k - 1].isspace():
        k -= 1
    starts = [a]
    if k < a:
        starts.append(k - 3)  # the<ws>answer
        q_f = k - 5  # final<ws>answer
        starts.append(q_f)
        j = q_f
        while j > 0 and text[j - 1].isspace():
            j -= 1
        if j < q_f:
            starts.append(j - 3)  # the<ws>final<ws>answer
    match = _ANSWER_PHRASE_RE.match
    for q in sorted(starts):
        if q >= pos:
            m = match(text, q)
            if m is not None:
                return m
    return None


def _phrase_candidate(m: re.Match[str]) -> tuple[int, str] | None:
    tail = m.group("x")
    if tail.lstrip().startswith("\\boxed"):
        return None  # counted as boxed
    x = _phrase_answer(tail)
    if x and not _NOT_ANSWER_RE.match(x):
        return (m.start(), x)
    return None


def _phrase_candidates(text: str, words: Sequence[int] | None = None) -> list[tuple[int, str]]:
    """Candidates from the matches of ``_ANSWER_PHRASE_RE.finditer(text)``, found by trying
    only the positions where a match can start (see :func:`_phrase_at`); ``words``: all
    :func:`answer_words` of ``text``, in order."""
    if words is None:
        words = answer_words(text)
    out: list[tuple[int, str]] = []
    pos = 0
    for a in words:
        if a >= pos:
            pos, c = _candidate_at(text, a, pos)
            if c is not None:
                out.append(c)
    return out


def _candidate_at(text: str, a: int, pos: int) -> tuple[int, tuple[int, str] | None]:
    """The answer statement at ``a`` (none ends before ``pos``): where the scan goes on,
    and its candidate, if it states one."""
    m = _phrase_at(text, a, pos)
    if m is None:
        return pos, None
    return m.end(), _phrase_candidate(m)


def candidate_answers(
    text: str, words: Sequence[int] | None = None, phrases: Sequence[tuple[int, str]] | None = None,
    boxed: Sequence[tuple[int, str]] | None = None,
) -> list[tuple[int, str]]:
    """``(offset, answer)`` for every explicit answer statement or ``\\boxed{}`` in ``text``.
    If already known (:class:`AnswerScan`): ``words`` (:func:`answer_words` of ``text``)
    or ``phrases`` (the candidates from answer statements), and ``boxed`` (the normalised
    ``\\boxed{}`` contents with their offsets)."""
    found: list[tuple[int, str]] = (
        [(i, normalize_answer(x)) for i, x in _boxed_all(text)] if boxed is None else list(boxed)
    )
    found.extend(phrases if phrases is not None else _phrase_candidates(text, words))
    found.sort()
    return [(i, x) for i, x in found if x]


class AnswerScan:
    """The answer-statement candidates of a growing text, without rescanning it.

    A match of ``_ANSWER_PHRASE_RE`` holds "answer" and, after it, at most 90 characters
    that are not whitespace (the verb, "**" and at most 80 more); so once 92 such
    characters follow an "answer", whether and where a match holds it can no longer
    change.  Those results are kept; the "answer"s nearer the end are looked at again
    on every call."""

    SETTLED = 92

    def __init__(self) -> None:
        self._words: list[int] = []
        self._scanned = 0  # every "answer" starting before this offset is in self._words
        self._done = 0  # self._words[:self._done] are settled
        self._pos = 0  # where the scan resumes after the settled ones
        self._found: list[tuple[int, str]] = []  # candidates of the settled ones
        self._boxed: list[tuple[int, str]] = []  # settled \\boxed{} contents (normalised)
        self._bpos = 0  # where the \\boxed scan resumes

    def boxed(self, text: str) -> list[tuple[int, str]]:
        """``[(i, normalize_answer(x)) for i, x in _boxed_all(text)]``, keeping the ones
        that can no longer change (closed braces, or no "{" close enough)."""
        out = list(self._boxed)
        n = len(text)
        settled = True
        i = text.find("\\boxed", self._bpos)
        while i >= 0:
            j = text.find("{", i)
            if j < 0 or j > i + 8:
                if settled and (j >= 0 or n > i + 8):
                    self._bpos = i + 6
                else:
                    settled = False
                i = text.find("\\boxed", i + 6)
                continue
            k = _brace_end(text, j)
            item = (i, normalize_answer(text[j + 1:k]))
            out.append(item)
            if settled and k < n:
                self._boxed.append(item)
                self._bpos = k
            else:
                settled = False
            i = text.find("\\boxed", k)
        return out

    def words(self, text: str) -> list[int]:
        new = answer_words(text, self._scanned)
        if new:
            self._words.extend(new)
        self._scanned = max(self._scanned, len(text) - 5)  # a later "answer" starts here or after
        return self._words

    def candidates(self, text: str) -> list[tuple[int, str]]:
        words = self.words(text)
        out = list(self._found)
        pos = self._pos
        settled = True
        for i in range(self._done, len(words)):
            a = words[i]
            if settled and not _nonspace_at_least(text, a + 6, self.SETTLED):
                settled = False
            if a >= pos:
                pos, c = _candidate_at(text, a, pos)
                if c is not None:
                    out.append(c)
                    if settled:
                        self._found.append(c)
            if settled:
                self._done = i + 1
                self._pos = pos
        return out


def _nonspace_at_least(text: str, start: int, need: int) -> bool:
    """Does ``text[start:]`` hold at least ``need`` characters that are not whitespace?"""
    n = len(text)
    got = 0
    while start < n:
        chunk = text[start:start + 512]
        got += len("".join(chunk.split()))
        if got >= need:
            return True
        start += 512
    return False


_NOT_ANSWER_RE = re.compile(r"(?:correct|right|wrong|not|that|this|the|a|an|to|in|yes|no)\b", re.I)


def final_answer(
    reasoning: str, answer: str = "", words: Sequence[int] | None = None,
    phrases: Sequence[tuple[int, str]] | None = None, boxed: Sequence[tuple[int, str]] | None = None,
) -> str | None:
    """The committed answer: last ``\\boxed{}`` in the answer, else in the reasoning, else the
    last "the answer is X" in the answer or the reasoning.  ``words``/``phrases``/``boxed``:
    see :func:`candidate_answers` (for the reasoning)."""
    bx = _boxed_all(answer)
    if bx:
        x = normalize_answer(bx[-1][1])
        if x:
            return x
    if boxed is None:
        bx = _boxed_all(reasoning)
        if bx:
            x = normalize_answer(bx[-1][1])
            if x:
                return x
    elif boxed and boxed[-1][1]:
        return boxed[-1][1]
    cands = candidate_answers(answer)
    if cands:
        return cands[-1][1]
    cands = candidate_answers(reasoning, words, phrases, boxed)
    if cands:
        return cands[-1][1]
    return None


class TimeLine:
    """When each character of the reasoning arrived, from ``(offset reached, seconds)`` pairs."""

    def __init__(self, char_times: Sequence[tuple[int, float]]):
        offsets, times = zip(*char_times) if char_times else ((), ())
        offsets, times = list(map(int, offsets)), list(map(float, times))
        if offsets != sorted(offsets) or times != sorted(times):  # arrival order is sorted already
            pts = sorted(zip(offsets, times))
            offsets, times = [o for o, _ in pts], [t for _, t in pts]
        self.offsets, self.times = offsets, times

    def arrived(self, i: int) -> float | None:
        """Seconds at which character ``i`` had arrived (first point whose offset > i)."""
        if not self.offsets:
            return None
        k = bisect_right(self.offsets, i)
        if k >= len(self.offsets):
            return self.times[-1]
        return self.times[k]


def text_counts(text: str) -> tuple[int, int, int]:
    """``(words, pivots, approach switches)`` of ``text``.  Additive over pieces cut at
    whitespace runs holding a newline (e.g. paragraphs): no count can span a newline."""
    low = text.lower()
    pivots = len(PIVOT_RE.findall(text)) if _maybe_pivot(low) else 0
    switches = len(SWITCH_RE.findall(text)) if _maybe_switch(low) else 0
    return len(text.split()), pivots, switches


class LabelStats:
    """Label figures of a run of steps, combinable in order (:meth:`add`)."""

    __slots__ = ("counts", "chars", "episodes", "first_verify", "opens_in_verify", "verify_at_end", "band_chars",
                 "trans", "first_label", "last_label")

    def __init__(self) -> None:
        self.counts = [0] * len(LABELS)
        self.chars = [0] * len(LABELS)
        self.band_chars = [0] * len(BANDS)
        self.trans = [0] * (len(LABELS) * len(LABELS))  # [from * 7 + to]: consecutive steps
        self.first_label: int | None = None
        self.last_label: int | None = None
        self.episodes = 0  # runs of Verify steps (Monitor steps don't break a run)
        self.first_verify: int | None = None  # start of the first Verify step
        self.opens_in_verify = False  # the first non-Monitor step is Verify
        self.verify_at_end: bool | None = None  # in a Verify run after the last step (None: all Monitor)

    @classmethod
    def of(cls, spans: Sequence[tuple[int, int]], labels: Sequence[str], bands: Sequence[str] | None = None
           ) -> "LabelStats":
        """Figures of steps with these spans, labels and (optional) paragraph bands."""
        st = cls()
        counts, chars, trans = st.counts, st.chars, st.trans
        index = _LABEL_INDEX
        nl = len(LABELS)
        in_verify: bool | None = None
        prev = None
        for i, ((s, e), lab) in enumerate(zip(spans, labels)):
            k = index[lab]
            counts[k] += 1
            chars[k] += e - s
            if bands is not None:
                st.band_chars[_BAND_INDEX[bands[i]]] += e - s
            if prev is None:
                st.first_label = k
            else:
                trans[prev * nl + k] += 1
            prev = k
            if lab == "Verify":
                if in_verify is None:
                    st.opens_in_verify = True
                if not in_verify:
                    st.episodes += 1
                    if st.first_verify is None:
                        st.first_verify = s
                in_verify = True
            elif lab != "Monitor":
                in_verify = False
        st.verify_at_end = in_verify
        st.last_label = prev
        return st

    def copy(self) -> "LabelStats":
        c = LabelStats()
        c.counts, c.chars = list(self.counts), list(self.chars)
        c.episodes, c.first_verify = self.episodes, self.first_verify
        c.opens_in_verify, c.verify_at_end = self.opens_in_verify, self.verify_at_end
        c.band_chars, c.trans = list(self.band_chars), list(self.trans)
        c.first_label, c.last_label = self.first_label, self.last_label
        return c

    def add(self, other: "LabelStats") -> None:
        """Append the steps summarised by ``other`` after the ones of ``self``."""
        for k in range(len(LABELS)):
            self.counts[k] += other.counts[k]
            self.chars[k] += other.chars[k]
        for k in range(len(BANDS)):
            self.band_chars[k] += other.band_chars[k]
        self.trans = list(map(operator.add, self.trans, other.trans))
        if other.first_label is not None:
            if self.last_label is not None:
                self.trans[self.last_label * len(LABELS) + other.first_label] += 1
            else:
                self.first_label = other.first_label
            self.last_label = other.last_label
        self.episodes += other.episodes
        if other.opens_in_verify and self.verify_at_end:
            self.episodes -= 1  # the run goes on across the boundary
        if self.first_verify is None:
            self.first_verify = other.first_verify
        if self.verify_at_end is None:
            self.opens_in_verify = other.opens_in_verify
        if other.verify_at_end is not None:
            self.verify_at_end = other.verify_at_end


_LABEL_INDEX = {lab: k for k, lab in enumerate(LABELS)}
_BAND_INDEX = {b: k for k, b in enumerate(BANDS)}


def compute_metrics(
    text: str,
    steps: Sequence[Step],
    phases: Sequence[Phase],
    answer: str = "",
    timeline: TimeLine | None = None,
    paragraphs: int = 0,
) -> Metrics:
    words, pivots, switches = text_counts(text)
    stats = LabelStats.of([(st.start, st.end) for st in steps], [st.label for st in steps], [st.band for st in steps])
    cycle_words = [len(text[ph.start:ph.end].split()) for ph in phases if ph.kind == "reconstruction"]
    return assemble_metrics(text, len(steps), paragraphs, words, pivots, switches, stats, phases, cycle_words,
                            answer, timeline)


def assemble_metrics(
    text: str,
    nsteps: int,
    paragraphs: int,
    words: int,
    pivots: int,
    switches: int,
    stats: LabelStats,
    phases: Sequence[Phase],
    cycle_words: Sequence[int],
    answer: str = "",
    timeline: TimeLine | None = None,
    answer_offsets: Sequence[int] | None = None,
    phrases: Sequence[tuple[int, str]] | None = None,
    boxed: Sequence[tuple[int, str]] | None = None,
    prompt: str | None = None,
) -> Metrics:
    """Metrics from per-paragraph sums (see :func:`compute_metrics` for the plain way).
    ``cycle_words``: words of each reconstruction phase, in order; ``answer_offsets``
    (:func:`answer_words` of ``text``) or ``phrases`` (its answer-statement candidates,
    :class:`AnswerScan`) if already known; ``prompt``: the problem text (finds a choice
    letter's option value)."""
    n = len(text)
    m = Metrics(chars=n, words=words, steps=nsteps, paragraphs=paragraphs)
    m.pivots = pivots
    m.approach_switches = switches
    counts = {lab: stats.counts[k] for k, lab in enumerate(LABELS)}
    chars = {lab: stats.chars[k] for k, lab in enumerate(LABELS)}
    first_verify = stats.first_verify
    total = sum(chars.values()) or 1
    m.label_counts = counts
    m.label_share = {lab: round(chars[lab] / total, 4) for lab in LABELS}
    nl = len(LABELS)
    m.label_transitions = {a: {b: stats.trans[i * nl + j] for j, b in enumerate(LABELS)} for i, a in enumerate(LABELS)}
    btotal = sum(stats.band_chars) or 1
    m.band_share = {b: round(stats.band_chars[k] / btotal, 4) for k, b in enumerate(BANDS)}
    m.verify_episodes = stats.episodes
    m.verify_share = m.label_share["Verify"] if nsteps else 0.0
    m.first_verify_at = round(first_verify / n, 4) if first_verify is not None and n else None
    pchars = {k: 0 for k in PHASE_KINDS}
    for ph in phases:
        pchars[ph.kind] += ph.end - ph.start
    ptotal = sum(pchars.values()) or 1
    m.phase_share = {k: round(v / ptotal, 4) for k, v in pchars.items()}
    cw = iter(cycle_words)
    for ph in phases:
        if ph.kind == "reconstruction":
            m.cycles.append(Cycle(number=ph.number, chars=ph.end - ph.start, words=next(cw), seconds=ph.seconds))
    if timeline is not None and timeline.offsets and n:
        m.first_token_seconds = timeline.arrived(0)
        last = timeline.arrived(n - 1)
        if m.first_token_seconds is not None and last is not None:
            m.thinking_seconds = round(last - m.first_token_seconds, 6)
        ps = {k: 0.0 for k in PHASE_KINDS}
        for ph in phases:
            ps[ph.kind] += ph.seconds or 0.0
        m.phase_seconds = {k: round(v, 6) for k, v in ps.items()}
    if phrases is None:
        phrases = _phrase_candidates(text, answer_offsets)
    if boxed is None:
        boxed = [(i, normalize_answer(x)) for i, x in _boxed_all(text)]
    fa = final_answer(text, answer, phrases=phrases, boxed=boxed)
    m.final_answer = fa
    cands = candidate_answers(text, phrases=phrases, boxed=boxed)
    keys = [canonical(x) for _, x in cands]
    if fa is not None and n:
        key = canonical(fa)
        pos = find_answer(text, fa, prompt)
        stated = next((i for (i, _), k in zip(cands, keys) if k == key), None)
        if stated is not None and (pos is None or stated < pos):
            pos = stated + 1  # stated in words the text search did not recognise
        m.first_answer_at = round(pos / n, 4) if pos is not None else None
        # did a different answer follow the first statement of the final one?
        m.answer_revised = any(k != key and i >= (pos or 0) for (i, _), k in zip(cands, keys))
    seen: list[str] = []
    seen_keys: set[str] = set()
    flips = 0
    for i, ((_, x), k) in enumerate(zip(cands, keys)):
        if k not in seen_keys:
            seen_keys.add(k)
            seen.append(x)
        if i and k != keys[i - 1]:
            flips += 1
    m.candidate_answers = seen
    m.answer_flips = flips
    return m
