"""Batch and incremental analysis built from the same per-paragraph step."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from .labeller import LabelContext, label_paragraph
from .metrics import AnswerScan, LabelStats, TimeLine, assemble_metrics, text_counts
from .model import Analysis, Phase, Step
from .phases import ParSummary, PhaseTracker, phase_paragraphs, summarize_paragraph
from .segment import BLANK_RE, FENCE_RE, paragraph_spans, segment, sentence_spans, strip_span
from .vocabulary import LABELS

__all__ = ["analyze", "IncrementalAnalyzer"]

CharTimes = Sequence[tuple[int, float]]
MEMO_MAX = 20_000  # sentences whose features IncrementalAnalyzer keeps (~10 MB at most)


@dataclass(slots=True, frozen=True)
class _ParRecord:
    spans: tuple[tuple[int, int], ...]  # absolute
    labels: tuple[str, ...]
    summary: ParSummary
    words: int  # whitespace-separated words of the paragraph
    pivots: int
    switches: int
    stats: LabelStats


def _make_record(
    text: str, start: int, end: int, offset: int, ctx: LabelContext, par_index: int, first_step: int,
    memo: dict | None = None, given: Iterator[str] | None = None,
) -> tuple[_ParRecord | None, LabelContext]:
    """Segment and label the paragraph ``text[start:end]``; ``offset`` makes spans absolute.
    ``memo``: see :func:`label_paragraph`; ``given``: labels made elsewhere, taken in order
    instead of the labeller's."""
    spans = sentence_spans(text, start, end)
    if not spans:
        return None, ctx
    if given is not None:
        labels, answers, ctx2 = [next(given) for _ in spans], [False] * len(spans), ctx
    else:
        labels, answers, ctx2 = label_paragraph(text, spans, ctx, memo)
    summary = summarize_paragraph(par_index, text, spans, labels, first_step, offset, answers)
    words, pivots, switches = text_counts(text[start:end])
    if offset:
        spans = [(s + offset, e + offset) for s, e in spans]
    return (
        _ParRecord(tuple(spans), tuple(labels), summary, words, pivots, switches,
                   LabelStats.of(spans, labels, [summary.band] * len(spans))),
        ctx2,
    )


def _phases(
    specs: Sequence[tuple[str, int, int, int]],
    summary: Callable[[int], ParSummary],
    timeline: TimeLine | None,
    words_of: Callable[[int, int], int],
    cache: dict[tuple, tuple[Phase, int]] | None = None,
    cacheable: int = 0,
) -> tuple[list[Phase], list[tuple[int, int]], list[int]]:
    """Phase objects for ``phase_paragraphs()`` output, their paragraph ranges and the
    words of every reconstruction cycle (the text between paragraphs is whitespace, so a
    phase's words are its paragraphs' words).  Without a timeline, phases that end
    before paragraph ``cacheable`` are taken from / put into ``cache``."""
    phases: list[Phase] = []
    ranges: list[tuple[int, int]] = []
    cycle_words: list[int] = []
    t_prev = timeline.arrived(0) if timeline else None
    if cache is not None and timeline is None:
        used: dict[tuple, tuple[Phase, int]] = {}
        for spec in specs:
            p0, p1 = spec[2], spec[3]
            key = (len(phases), *spec)
            got = cache.get(key) if p1 < cacheable else None
            if got is None:
                a, b = summary(p0), summary(p1)
                ph = Phase(len(phases), spec[0], spec[1], a.first_step, b.last_step, a.start, b.end, None)
                got = (ph, words_of(p0, p1) if spec[0] == "reconstruction" else 0)
                if p1 < cacheable:
                    used[key] = got
            else:
                used[key] = got
            phases.append(got[0])
            ranges.append((p0, p1))
            if spec[0] == "reconstruction":
                cycle_words.append(got[1])
        cache.clear()
        cache.update(used)
        return phases, ranges, cycle_words
    for kind, number, p0, p1 in specs:
        a, b = summary(p0), summary(p1)
        seconds = None
        if timeline is not None and t_prev is not None:
            t_end = timeline.arrived(b.end - 1)
            if t_end is not None:
                seconds = round(max(0.0, t_end - t_prev), 6)
                t_prev = t_end
        phases.append(Phase(len(phases), kind, number, a.first_step, b.last_step, a.start, b.end, seconds))
        ranges.append((p0, p1))
        if kind == "reconstruction":
            cycle_words.append(words_of(p0, p1))
    return phases, ranges, cycle_words


def _steps_of(records: Sequence[_ParRecord], p0: int, p1: int, phase: int) -> tuple[Step, ...]:
    out = []
    for p in range(p0, p1 + 1):
        rec = records[p]
        k = rec.summary.first_step
        for (s, e), lab in zip(rec.spans, rec.labels):
            out.append(Step(k, s, e, p, lab, phase, rec.summary.band))
            k += 1
    return tuple(out)


def _all_steps(
    records: Sequence[_ParRecord],
    ranges: Sequence[tuple[int, int]],
    cache: dict[tuple[int, int, int], tuple[Step, ...]] | None = None,
    cacheable: int = 0,
) -> list[Step]:
    """The steps of all ``records``, each with the index of the phase (paragraph range in
    ``ranges``, in order) that holds it.  Steps of paragraphs below ``cacheable`` are
    taken from / put into ``cache`` (keyed by phase and paragraph range)."""
    steps: list[Step] = []
    nxt = 0
    used: dict[tuple[int, int, int], tuple[Step, ...]] = {}
    for ph, (p0, p1) in enumerate(ranges):
        if p0 > nxt:  # not in any phase (does not happen: phases cover every paragraph)
            steps.extend(_steps_of(records, nxt, p0 - 1, -1))
        hi = min(p1, cacheable - 1)
        if cache is not None and hi >= p0:
            key = (ph, p0, hi)
            got = cache.get(key)
            if got is None:
                got = _steps_of(records, p0, hi, ph)
            used[key] = got
            steps.extend(got)
            if p1 > hi:
                steps.extend(_steps_of(records, hi + 1, p1, ph))
        else:
            steps.extend(_steps_of(records, p0, p1, ph))
        nxt = p1 + 1
    if nxt < len(records):
        steps.extend(_steps_of(records, nxt, len(records) - 1, -1))
    if cache is not None:
        cache.clear()
        cache.update(used)
    return steps


def _build(
    text: str,
    records: Sequence[_ParRecord],
    closed: bool,
    answer: str = "",
    char_times: CharTimes | None = None,
    prompt: str | None = None,
) -> Analysis:
    summaries = [r.summary for r in records]
    timeline = TimeLine(char_times) if char_times else None
    cum = [0]
    stats = LabelStats()
    pivots = switches = 0
    for rec in records:
        cum.append(cum[-1] + rec.words)
        stats.add(rec.stats)
        pivots += rec.pivots
        switches += rec.switches
    phases, ranges, cycle_words = _phases(
        phase_paragraphs(summaries, closed), summaries.__getitem__, timeline, lambda p0, p1: cum[p1 + 1] - cum[p0]
    )
    steps = _all_steps(records, ranges)
    metrics = assemble_metrics(text, len(steps), len(records), cum[-1], pivots, switches, stats, phases, cycle_words,
                               answer, timeline, prompt=prompt)
    return Analysis(steps=steps, phases=phases, metrics=metrics)


def analyze(
    reasoning: str, answer: str = "", char_times: CharTimes | None = None, prompt: str | None = None,
    labels: Sequence[str] | None = None,
) -> Analysis:
    """Segment, label, phase and measure a complete reasoning text.

    ``prompt``: the problem text, optional: a choice letter's option value ("(C) 7") then
    counts as stating that answer.  The labels do not depend on it.  ``labels``: one label
    per step of ``segment(reasoning)``, made elsewhere (``analyze --labeller llm``), used
    instead of the trained labeller's."""
    records: list[_ParRecord] = []
    ctx = LabelContext()
    nsteps = 0
    memo: dict = {}  # repeated sentences ("Wait.", "Let me check.") are labelled once
    given = None
    if labels is not None:
        if len(labels) != len(segment(reasoning)) or not set(labels) <= set(LABELS):
            raise ValueError("labels: one of LABELS for every step of segment(reasoning)")
        given = iter(labels)
    for ps, pe in paragraph_spans(reasoning):
        rec, ctx = _make_record(reasoning, ps, pe, 0, ctx, len(records), nsteps, memo, given)
        if rec is not None:
            records.append(rec)
            nsteps += len(rec.spans)
    return _build(reasoning, records, True, answer, char_times, prompt)


def analyze_transcript(tr: Any, labels: Sequence[str] | None = None) -> Analysis:
    """:func:`analyze` of a transcript: its reasoning, answer, character times and prompt —
    the one way every face (``analyze``, the exports, the TUI, ``compare``) analyses one."""
    return analyze(tr.reasoning, tr.answer, tr.reasoning_char_times() or None, prompt=tr.prompt or None,
                   labels=labels)


class IncrementalAnalyzer:
    """Analyse reasoning text as it streams.

    ``feed`` only appends; a paragraph is segmented and labelled once, when the blank line
    that closes it arrives, and its labels are frozen from then on.  The open paragraph is
    segmented and labelled lazily, when somebody asks (``snapshot``, ``steps_since``),
    at most once per :attr:`version`.  After ``close()``, ``snapshot()`` equals
    ``analyze()`` on the same text.

    Costs: ``feed(delta)`` is O(delta) plus O(current line) when ``delta`` holds a newline
    (looking for the blank line and code fences), plus segmenting and labelling each
    paragraph it closes, once.  ``steps_since(n)`` is O(steps returned + open paragraph).
    ``snapshot()`` keeps running totals, the cycle scan and the answer statements of the
    frozen paragraphs, and reuses their :class:`Step` objects while their phase stays the
    same, so it costs O(paragraphs) with a small constant plus O(open paragraph); called
    again at the same version with the same arguments it returns the same
    :class:`Analysis`.  Treat the returned objects as read-only: snapshots share them.
    """

    def __init__(self, prompt: str | None = None) -> None:
        """``prompt``: the problem text, optional; as for :func:`analyze`."""
        self._pieces: list[str] = []
        self._length = 0
        self._tail: list[str] = []  # text from self._base on (the open region)
        self._base = 0
        # the separator scan of the open region (offsets relative to self._base):
        self._line: list[str] = []  # text from self._line_at on: the last line, with the "\n" before it
        self._line_at = 0
        self._fences: list[int] = []  # code fences found in the open region
        self._records: list[_ParRecord] = []
        self._ctx = LabelContext()
        self._prompt = prompt
        self._nsteps = 0
        self._closed = False
        self._version = 0
        self._open_cache: tuple[int, _ParRecord | None] | None = None
        self._text_cache: tuple[int, str] | None = None
        # snapshot state
        self._tracker = PhaseTracker()
        self._stats = LabelStats()
        self._words = self._pivots = self._switches = 0
        self._cum_words = [0]  # words of the frozen paragraphs before index p
        self._step_cache: dict[tuple[int, int, int], tuple[Step, ...]] = {}  # see _all_steps
        self._answers = AnswerScan()
        self._snap_cache: tuple[tuple, Analysis] | None = None
        self._memo: dict = {}  # sentence -> features (label_paragraph): the open paragraph labelled again, repeats
        self._phase_cache: dict[tuple, tuple[Phase, int]] = {}  # (spec, index) -> Phase, cycle words

    # ------------------------------------------------------------------ feeding
    def feed(self, delta: str) -> None:
        """Append ``delta`` to the reasoning text."""
        if not delta:
            return
        if self._closed:
            raise RuntimeError("IncrementalAnalyzer.feed() after close()")
        self._pieces.append(delta)
        self._tail.append(delta)
        self._length += len(delta)
        self._version += 1
        if "\n" in delta:  # only a newline can complete a paragraph separator
            self._scan(delta)
        else:
            self._line.append(delta)

    def close(self) -> None:
        """The stream ended: the last paragraph is closed."""
        if self._closed:
            return
        tail = "".join(self._tail)
        span = strip_span(tail, 0, len(tail))
        if span is not None:
            self._close_paragraph(tail, *span)
        self._base += len(tail)
        self._tail = []
        self._closed = True
        self._version += 1

    def _scan(self, delta: str) -> None:
        """Find the blank-line separators that ``delta`` completes.

        The same as ``_separators(tail)`` on the whole open region, done on its last line
        only: a separator ``\\n[ \\t\\r]*\\n`` or a code fence found in a prefix stays one in
        every longer text, and a new one needs a newline of ``delta``; it starts at or
        after the last newline before ``delta`` (a fence: at a line start after it).  A
        separator is protected when an odd number of fences precede it (inside a block)."""
        at = self._line_at
        self._line.append(delta)
        window = "".join(self._line)
        last = self._fences[-1] if self._fences else -1
        for m in FENCE_RE.finditer(window):
            f = at + m.start()
            if f > last:
                self._fences.append(f)
                last = f
        cut = -1  # end of the last unprotected separator (relative to the open region)
        closing: list[tuple[int, int]] = []
        for m in BLANK_RE.finditer(window):
            s = at + m.start()
            if bisect_right(self._fences, s) % 2:
                continue  # inside a code block
            closing.append((s, at + m.end()))
            cut = at + m.end()
        nl = window.rfind("\n")
        if cut < 0:
            self._line_at = at + nl
            self._line = [window[nl:]]
            return
        tail = "".join(self._tail)
        pos = 0
        for s, e in closing:
            span = strip_span(tail, pos, s)
            if span is not None:
                self._close_paragraph(tail, *span)
            pos = e
        # the open region restarts after the last separator
        self._base += pos
        rest = tail[pos:]
        self._tail = [rest] if rest else []
        self._fences = [f - pos for f in self._fences if f >= pos]
        line_at = at + nl
        if line_at >= pos:
            self._line_at = line_at - pos
            self._line = [window[nl:]]
        else:  # no newline after the separator: the region is one line
            self._line_at = 0
            self._line = [rest] if rest else []

    def _close_paragraph(self, tail: str, s: int, e: int) -> None:
        rec, self._ctx = _make_record(tail, s, e, self._base, self._ctx, len(self._records), self._nsteps,
                                      self._memo)
        if len(self._memo) > MEMO_MAX:  # repeated sentences are labelled once, as in analyze()
            self._memo.clear()
        if rec is not None:
            self._records.append(rec)
            self._nsteps += len(rec.spans)
            self._tracker.append(rec.summary)
            self._stats.add(rec.stats)
            self._words += rec.words
            self._pivots += rec.pivots
            self._switches += rec.switches
            self._cum_words.append(self._cum_words[-1] + rec.words)

    def _open_record(self) -> _ParRecord | None:
        if self._open_cache is not None and self._open_cache[0] == self._version:
            return self._open_cache[1]
        rec = None
        if len(self._memo) > MEMO_MAX:
            self._memo.clear()
        if self._tail:
            tail = "".join(self._tail)
            self._tail = [tail]
            span = strip_span(tail, 0, len(tail))
            if span is not None:
                rec, _ = _make_record(tail, span[0], span[1], self._base, self._ctx, len(self._records), self._nsteps,
                                      self._memo)
        self._open_cache = (self._version, rec)
        return rec

    # ------------------------------------------------------------------ polling
    @property
    def version(self) -> int:
        """Increases whenever text is fed or the stream is closed."""
        return self._version

    @property
    def frozen_steps(self) -> int:
        """Number of leading steps whose span and label can no longer change."""
        return self._nsteps

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def text(self) -> str:
        if self._text_cache is None or self._text_cache[0] != self._version:
            joined = "".join(self._pieces)
            self._pieces = [joined] if joined else []
            self._text_cache = (self._version, joined)
        return self._text_cache[1]

    def __len__(self) -> int:
        return self._length

    def steps_since(self, n: int) -> list[Step]:
        """Steps with index >= ``n``: the frozen ones plus the provisional steps of the open
        paragraph (their ``phase`` is -1; ask :meth:`snapshot` for phases).  Cost is
        proportional to the steps returned plus the open paragraph."""
        out: list[Step] = []
        idx = 0
        # find the first record that holds step n (records are few; bisect on first_step)
        lo, hi = 0, len(self._records)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._records[mid].summary.last_step < n:
                lo = mid + 1
            else:
                hi = mid
        recs: list[tuple[int, _ParRecord]] = [(p, self._records[p]) for p in range(lo, len(self._records))]
        open_rec = self._open_record()
        if open_rec is not None:
            recs.append((len(self._records), open_rec))
        for p, rec in recs:
            idx = rec.summary.first_step
            for (s, e), lab in zip(rec.spans, rec.labels):
                if idx >= n:
                    out.append(Step(idx, s, e, p, lab, band=rec.summary.band))
                idx += 1
        return out

    def snapshot(self, answer: str = "", char_times: CharTimes | None = None) -> Analysis:
        """Full analysis of the text so far (phases of the open tail are provisional).
        Called again at the same :attr:`version` with the same arguments, it returns the
        same object."""
        key = (self._version, answer, None if char_times is None else [tuple(x) for x in char_times])
        if self._snap_cache is not None and self._snap_cache[0] == key:
            return self._snap_cache[1]
        text = self.text
        frozen = self._records
        nf = len(frozen)
        open_rec = self._open_record()
        records: Sequence[_ParRecord] = frozen if open_rec is None else _Appended(frozen, open_rec)
        timeline = TimeLine(char_times) if char_times else None
        specs = self._tracker.phases(open_rec.summary if open_rec is not None else None, self._closed)
        cum = self._cum_words

        def words_of(p0: int, p1: int) -> int:
            if p1 < nf:
                return cum[p1 + 1] - cum[p0]
            return cum[nf] - cum[min(p0, nf)] + open_rec.words  # type: ignore[union-attr]

        phases, ranges, cycle_words = _phases(specs, lambda p: records[p].summary, timeline, words_of,
                                              self._phase_cache, nf)
        steps = _all_steps(records, ranges, self._step_cache, nf)
        stats = self._stats
        words, pivots, switches = self._words, self._pivots, self._switches
        if open_rec is not None:
            stats = stats.copy()
            stats.add(open_rec.stats)
            words += open_rec.words
            pivots += open_rec.pivots
            switches += open_rec.switches
        metrics = assemble_metrics(text, len(steps), len(records), words, pivots, switches, stats, phases,
                                   cycle_words, answer, timeline, phrases=self._answers.candidates(text),
                                   boxed=self._answers.boxed(text), prompt=self._prompt)
        result = Analysis(steps=steps, phases=phases, metrics=metrics)
        self._snap_cache = (key, result)
        return result


class _Appended:
    """``records + [last]`` for indexing and ``len``, without copying ``records``."""

    __slots__ = ("records", "last", "n")

    def __init__(self, records: Sequence[_ParRecord], last: _ParRecord) -> None:
        self.records, self.last, self.n = records, last, len(records)

    def __len__(self) -> int:
        return self.n + 1

    def __getitem__(self, p: int) -> _ParRecord:
        return self.last if p == self.n else self.records[p]
