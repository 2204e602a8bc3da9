"""Batch and incremental analysis built from the same per-paragraph step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .labels import LabelContext, label_paragraph
from .metrics import TimeLine, compute_metrics
from .model import Analysis, Phase, Step
from .phases import ParSummary, phase_paragraphs, summarize_paragraph
from .segment import _separators, _strip, paragraph_spans, sentence_spans

__all__ = ["analyze", "IncrementalAnalyzer"]

CharTimes = Sequence[tuple[int, float]]


@dataclass(slots=True, frozen=True)
class _ParRecord:
    spans: tuple[tuple[int, int], ...]  # absolute
    labels: tuple[str, ...]
    summary: ParSummary


def _make_record(
    text: str, start: int, end: int, offset: int, ctx: LabelContext, par_index: int, first_step: int
) -> tuple[_ParRecord | None, LabelContext]:
    """Segment and label the paragraph ``text[start:end]``; ``offset`` makes spans absolute."""
    spans = sentence_spans(text, start, end)
    if not spans:
        return None, ctx
    labels, ctx2 = label_paragraph(text, spans, ctx)
    summary = summarize_paragraph(par_index, text, spans, labels, first_step, offset)
    return (
        _ParRecord(tuple((s + offset, e + offset) for s, e in spans), tuple(labels), summary),
        ctx2,
    )


def _build(
    text: str,
    records: Sequence[_ParRecord],
    closed: bool,
    answer: str = "",
    char_times: CharTimes | None = None,
) -> Analysis:
    steps: list[Step] = []
    for p, rec in enumerate(records):
        for (s, e), lab in zip(rec.spans, rec.labels):
            steps.append(Step(len(steps), s, e, p, lab))
    summaries = [r.summary for r in records]
    timeline = TimeLine(char_times) if char_times else None
    phases: list[Phase] = []
    t_prev = timeline.arrived(0) if timeline else None
    for kind, number, p0, p1 in phase_paragraphs(summaries, closed):
        a, b = summaries[p0], summaries[p1]
        seconds = None
        if timeline is not None and t_prev is not None:
            t_end = timeline.arrived(b.end - 1)
            if t_end is not None:
                seconds = round(max(0.0, t_end - t_prev), 6)
                t_prev = t_end
        ph = Phase(len(phases), kind, number, a.first_step, b.last_step, a.start, b.end, seconds)
        for k in range(a.first_step, b.last_step + 1):
            steps[k].phase = ph.index
        phases.append(ph)
    metrics = compute_metrics(text, steps, phases, answer, timeline, paragraphs=len(records))
    return Analysis(steps=steps, phases=phases, metrics=metrics)


def analyze(reasoning: str, answer: str = "", char_times: CharTimes | None = None) -> Analysis:
    """Segment, label, phase and measure a complete reasoning text."""
    records: list[_ParRecord] = []
    ctx = LabelContext()
    nsteps = 0
    for ps, pe in paragraph_spans(reasoning):
        rec, ctx = _make_record(reasoning, ps, pe, 0, ctx, len(records), nsteps)
        if rec is not None:
            records.append(rec)
            nsteps += len(rec.spans)
    return _build(reasoning, records, True, answer, char_times)


class IncrementalAnalyzer:
    """Analyse reasoning text as it streams.

    ``feed`` only appends; a paragraph is segmented and labelled once, when the blank line
    that closes it arrives, and its labels are frozen from then on.  The open paragraph is
    segmented and labelled lazily, when somebody asks (``snapshot``, ``steps_since``,
    ``open_steps``).  After ``close()``, ``snapshot()`` equals ``analyze()`` on the same text.
    """

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._length = 0
        self._tail: list[str] = []  # text from self._base on (the open region)
        self._base = 0
        self._records: list[_ParRecord] = []
        self._ctx = LabelContext()
        self._nsteps = 0
        self._closed = False
        self._version = 0
        self._open_cache: tuple[int, _ParRecord | None] | None = None
        self._text_cache: tuple[int, str] | None = None

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
            self._scan()

    def close(self) -> None:
        """The stream ended: the last paragraph is closed."""
        if self._closed:
            return
        tail = "".join(self._tail)
        span = _strip(tail, 0, len(tail))
        if span is not None:
            self._close_paragraph(tail, *span)
        self._base += len(tail)
        self._tail = []
        self._closed = True
        self._version += 1

    def _scan(self) -> None:
        tail = "".join(self._tail)
        seps = _separators(tail)
        if not seps:
            self._tail = [tail]
            return
        pos = 0
        for s, e in seps:
            span = _strip(tail, pos, s)
            if span is not None:
                self._close_paragraph(tail, *span)
            pos = e
        self._base += pos
        self._tail = [tail[pos:]] if pos < len(tail) else []

    def _close_paragraph(self, tail: str, s: int, e: int) -> None:
        rec, self._ctx = _make_record(tail, s, e, self._base, self._ctx, len(self._records), self._nsteps)
        if rec is not None:
            self._records.append(rec)
            self._nsteps += len(rec.spans)

    def _open_record(self) -> _ParRecord | None:
        if self._open_cache is not None and self._open_cache[0] == self._version:
            return self._open_cache[1]
        rec = None
        if self._tail:
            tail = "".join(self._tail)
            self._tail = [tail]
            span = _strip(tail, 0, len(tail))
            if span is not None:
                rec, _ = _make_record(tail, span[0], span[1], self._base, self._ctx, len(self._records), self._nsteps)
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
                    out.append(Step(idx, s, e, p, lab))
                idx += 1
        return out

    def snapshot(self, answer: str = "", char_times: CharTimes | None = None) -> Analysis:
        """Full analysis of the text so far (phases of the open tail are provisional)."""
        records = list(self._records)
        open_rec = self._open_record()
        if open_rec is not None:
            records.append(open_rec)
        return _build(self.text, records, self._closed, answer, char_times)
