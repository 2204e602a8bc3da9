"""The result types of the analysis: steps, phases, metrics."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .vocabulary import BANDS, LABELS, PHASE_KINDS

SCHEMA_VERSION = 1

__all__ = ["LABELS", "PHASE_KINDS", "BANDS", "SCHEMA_VERSION", "Step", "Phase", "Cycle", "Metrics", "Analysis"]


@dataclass(slots=True)
class Step:
    """One sentence-level step: ``text[start:end]`` of the reasoning."""

    index: int
    start: int
    end: int
    paragraph: int
    label: str
    phase: int = -1  # index into Analysis.phases (-1: not assigned yet)
    band: str = "General"  # its paragraph's band (BANDS)

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "paragraph": self.paragraph,
            "label": self.label,
            "phase": self.phase,
            "band": self.band,
        }
        if text is not None:
            d["text"] = text[self.start:self.end]
        return d



@dataclass(slots=True)
class Phase:
    """A run of whole paragraphs: definition, bloom, a reconstruction cycle or the final decision."""

    index: int
    kind: str
    number: int
    first_step: int
    last_step: int
    start: int
    end: int
    seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "number": self.number,
            "first_step": self.first_step,
            "last_step": self.last_step,
            "start": self.start,
            "end": self.end,
            "seconds": self.seconds,
        }



@dataclass(slots=True)
class Cycle:
    number: int
    chars: int
    words: int
    seconds: float | None = None


@dataclass
class Metrics:
    """Figures about one trace; see the package docstring for the JSON shape."""

    chars: int = 0
    words: int = 0
    steps: int = 0
    paragraphs: int = 0
    pivots: int = 0
    approach_switches: int = 0
    verify_episodes: int = 0
    first_verify_at: float | None = None
    verify_share: float = 0.0
    cycles: list[Cycle] = field(default_factory=list)
    label_counts: dict[str, int] = field(default_factory=dict)
    label_share: dict[str, float] = field(default_factory=dict)
    phase_share: dict[str, float] = field(default_factory=dict)
    phase_seconds: dict[str, float] | None = None
    first_token_seconds: float | None = None
    thinking_seconds: float | None = None
    final_answer: str | None = None
    first_answer_at: float | None = None
    candidate_answers: list[str] = field(default_factory=list)
    answer_flips: int = 0
    answer_revised: bool = False  # a different answer was stated after the final one was first reached
    band_share: dict[str, float] = field(default_factory=dict)  # share of step characters per paragraph band
    label_transitions: dict[str, dict[str, int]] = field(default_factory=dict)  # from label -> next label -> count

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["cycle_count"] = len(self.cycles)
        return d



@dataclass
class Analysis:
    steps: list[Step]
    phases: list[Phase]
    metrics: Metrics

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        """Stable JSON-ready dict; step text is included when ``text`` is given."""
        return {
            "schema": SCHEMA_VERSION,
            "labels": list(LABELS),
            "phase_kinds": list(PHASE_KINDS),
            "bands": list(BANDS),
            "steps": [s.to_dict(text) for s in self.steps],
            "phases": [p.to_dict() for p in self.phases],
            "metrics": self.metrics.to_dict(),
        }
