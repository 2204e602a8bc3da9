"""The lined-up table of two runs: one :class:`RunFigures` per run, read from the
transcript and from ``cot_viewer.analysis.analyze()`` of it — never computed a second way."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cot_viewer.analysis.model import Analysis
from cot_viewer.compare.align import AlignedPhase, align_phases
from cot_viewer.transcript import Transcript

__all__ = ["FORMAT", "VERSION", "Comparison", "Row", "RunFigures", "compare", "figures_of"]

FORMAT = "cot-viewer/compare"
VERSION = 1


@dataclass(frozen=True)
class RunFigures:
    """What the table shows of one run."""

    id: str
    model: str | None
    provider: str | None
    status: str
    settings: str  # the thinking controls as sent ("effort max · thinking on"), or ""
    reasoning_tokens: int
    tokens_counted: bool  # True: chunks counted (the server reported no reasoning tokens)
    thinking_s: float | None
    steps: int
    label_counts: dict[str, int]
    label_share: dict[str, float]
    verify_share: float
    cycles: int
    answer_flips: int
    first_answer_at: float | None  # share of the reasoning where the final answer was first stated
    first_answer_s: float | None  # seconds since the request when that happened
    final_answer: str | None
    final_answer_key: str | None  # its canonical form (analysis.answers.canonical)
    cost: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _first_answer_seconds(tr: Transcript, analysis: Analysis) -> float | None:
    at = analysis.metrics.first_answer_at
    times = tr.reasoning_char_times()
    if at is None or not times or not tr.reasoning:
        return None
    from cot_viewer.analysis.metrics import TimeLine

    return TimeLine(times).arrived(max(0, round(at * len(tr.reasoning)) - 1))


def figures_of(tr: Transcript, analysis: Analysis) -> RunFigures:
    from cot_viewer.analysis.answers import canonical
    from cot_viewer.thinking import describe

    m = analysis.metrics
    details = (tr.usage or {}).get("completion_tokens_details")
    reported = isinstance(details, dict) and isinstance(details.get("reasoning_tokens"), int)
    return RunFigures(
        id=tr.id, model=tr.model, provider=tr.provider, status=tr.status, settings=describe(tr.settings),
        reasoning_tokens=tr.reasoning_tokens, tokens_counted=not reported, thinking_s=tr.timing.thinking_s,
        steps=m.steps, label_counts=dict(m.label_counts), label_share=dict(m.label_share),
        verify_share=m.verify_share, cycles=len(m.cycles), answer_flips=m.answer_flips,
        first_answer_at=m.first_answer_at, first_answer_s=_first_answer_seconds(tr, analysis),
        final_answer=m.final_answer, final_answer_key=canonical(m.final_answer) if m.final_answer else None,
        cost=tr.cost,
    )


@dataclass(frozen=True)
class Row:
    """A line of the table: a measure and its value for run A and run B (text)."""

    measure: str
    a: str
    b: str


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def shown_key(key: str | None) -> str:
    """A canonical answer for people: ``num:24/5`` → ``24/5``, ``choice:C`` → ``choice C``."""
    if not key:
        return "—"
    kind, _, value = key.partition(":")
    if kind == "num" and value.endswith("/1"):
        return value[:-2]
    return f"choice {value}" if kind == "choice" else (value if kind == "num" else key)


def _secs(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f} s"


@dataclass
class Comparison:
    a: RunFigures
    b: RunFigures
    phases: list[AlignedPhase] = field(default_factory=list)
    analyses: tuple[Analysis, Analysis] | None = None  # kept for the faces (outline, scrolling)

    @property
    def answers_agree(self) -> bool | None:
        """True/False when both runs reached a final answer (compared by value), else None."""
        if self.a.final_answer_key is None or self.b.final_answer_key is None:
            return None
        return self.a.final_answer_key == self.b.final_answer_key

    def rows(self) -> list[Row]:
        from cot_viewer.analysis.vocabulary import phase_name
        from cot_viewer.export.outline import share_text
        from cot_viewer.pricing import format_cost

        def both(f) -> tuple[str, str]:
            return f(self.a), f(self.b)

        def tokens(r: RunFigures) -> str:
            return f"{r.reasoning_tokens:,}" + (" (chunks)" if r.tokens_counted else "")

        def reached(r: RunFigures) -> str:
            if r.final_answer is None:
                return "no final answer"
            if r.first_answer_at is None:
                return "not stated in the reasoning"
            return _pct(r.first_answer_at) + (f" · {r.first_answer_s:.1f} s" if r.first_answer_s is not None else "")

        def top_labels(r: RunFigures) -> str:
            top = sorted(r.label_share.items(), key=lambda kv: -kv[1])[:4]
            return share_text(dict(top)) or "—"

        agree = {True: "yes", False: "no", None: "—"}[self.answers_agree]
        rows = [
            Row("Run", *both(lambda r: r.id)),
            Row("Model", *both(lambda r: " · ".join(x for x in (r.model, r.provider) if x) or "—")),
            Row("Thinking settings", *both(lambda r: r.settings or "server default")),
            Row("Status", *both(lambda r: r.status)),
            Row("Reasoning tokens", *both(tokens)),
            Row("Thinking time", *both(lambda r: _secs(r.thinking_s))),
            Row("Steps", *both(lambda r: str(r.steps))),
            Row("Label mix", *both(top_labels)),
            Row("Verify share", *both(lambda r: _pct(r.verify_share))),
            Row("Reconstruction cycles", *both(lambda r: str(r.cycles))),
            Row("Answer flips", *both(lambda r: str(r.answer_flips))),
            Row("Final answer first reached", *both(reached)),
            Row("Final answer", *both(lambda r: r.final_answer or "—")),
            Row("Final answer (normalised)", *both(lambda r: shown_key(r.final_answer_key))),
            Row("Answers agree", agree, agree),
            Row("Cost", *both(lambda r: format_cost(r.cost) or "—")),
        ]
        for line in self.phases:
            rows.append(Row("Phase: " + phase_name(line.kind, line.number), _phase_cell(line.a), _phase_cell(line.b)))
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "runs": [self.a.to_dict(), self.b.to_dict()],
            "answers_agree": self.answers_agree,
            "phases": [line.to_dict() for line in self.phases],
        }


def _phase_cell(ph) -> str:
    if ph is None:
        return "(none)"
    n = ph.last_step - ph.first_step + 1
    return f"steps {ph.first_step + 1}–{ph.last_step + 1} ({n})" + (f" · {ph.seconds:.1f} s" if ph.seconds is not None else "")


def compare(a: Transcript, b: Transcript) -> Comparison:
    """The lined-up table and phase alignment of two transcripts."""
    from cot_viewer.analysis import analyze_transcript

    an_a, an_b = analyze_transcript(a), analyze_transcript(b)
    return Comparison(figures_of(a, an_a), figures_of(b, an_b), align_phases(an_a.phases, an_b.phases), (an_a, an_b))
