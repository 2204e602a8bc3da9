"""Phases of two runs aligned by kind: definition ↔ definition, bloom ↔ bloom, cycle n ↔
cycle n, final ↔ final.  A phase one run has and the other has not is a gap (None)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cot_viewer.analysis.model import Phase
from cot_viewer.analysis.vocabulary import PHASE_KINDS

__all__ = ["AlignedPhase", "align_phases", "counterpart", "phase_key"]


def phase_key(ph: Phase) -> tuple[int, int]:
    """Where a phase sorts in the alignment: by kind (in ``PHASE_KINDS`` order), then number."""
    kind = PHASE_KINDS.index(ph.kind) if ph.kind in PHASE_KINDS else len(PHASE_KINDS)
    return kind, ph.number


@dataclass(frozen=True)
class AlignedPhase:
    """One line of the alignment: the kind, its number (reconstruction cycles count from 1,
    the other kinds are 0) and each run's phase of that kind, or None."""

    kind: str
    number: int
    a: Phase | None
    b: Phase | None

    def side(self, which: str) -> Phase | None:
        return self.a if which == "a" else self.b

    def to_dict(self) -> dict:
        def one(ph: Phase | None) -> dict | None:
            return None if ph is None else {"index": ph.index, "first_step": ph.first_step, "last_step": ph.last_step,
                                             "start": ph.start, "end": ph.end, "seconds": ph.seconds}

        return {"kind": self.kind, "number": self.number, "a": one(self.a), "b": one(self.b)}


def align_phases(a: Sequence[Phase], b: Sequence[Phase]) -> list[AlignedPhase]:
    """Both runs' phases on common lines, in the order of a reasoning chain."""
    by_key: dict[tuple[int, int], list] = {}
    for which, phases in (("a", a), ("b", b)):
        for ph in phases:
            slot = by_key.setdefault(phase_key(ph), [ph.kind, ph.number, None, None])
            i = 2 if which == "a" else 3
            if slot[i] is None:  # a kind that repeats (never from analyze()): the first one
                slot[i] = ph
    return [AlignedPhase(*by_key[k]) for k in sorted(by_key)]


def counterpart(aligned: Sequence[AlignedPhase], which: str, index: int) -> Phase | None:
    """The other run's phase lined up with phase ``index`` of run ``which`` ("a" or "b"),
    or None when the other run has no phase of that kind and number."""
    other = "b" if which == "a" else "a"
    for line in aligned:
        mine = line.side(which)
        if mine is not None and mine.index == index:
            return line.side(other)
    return None
