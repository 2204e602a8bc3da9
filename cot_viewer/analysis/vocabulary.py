"""The words of the analysis: step labels, paragraph bands and phases, with their colours
and descriptions.  The one place they are defined: ``analyze``, the labeller, the
language-model labeller's guide, the TUI and the exports all read them from here.

Adding a label: add a :class:`Label` to ``LABEL_INFO`` (name, colours, description), then
retrain the labeller on data that uses it (``tools/train_labeller.py``, see
docs/analysis.md).  Nothing else names the labels one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Label", "PhaseKind", "LABEL_INFO", "LABELS", "LABEL_COLOURS", "BANDS", "PHASE_INFO", "PHASE_KINDS",
           "phase_name"]


@dataclass(frozen=True, slots=True)
class Label:
    """A step label (one of Schoenfeld's episodes as adapted by Li et al., 2025)."""

    name: str
    rgb: str  # truecolour: the TUI's tint and the HTML handout
    ansi: str  # ANSI colour name: the TUI in the ANSI theme
    description: str  # what a sentence with this label does (also the language-model labeller's guide)


# The labels in display order, one a line: name | truecolour | ANSI colour | description.
# Hues far enough apart to tell the labels apart.
_LABEL_TABLE = """
Read      | #5b9bd5 | blue         | restates the givens, conditions or goal of the problem ("The problem says…", "We are given…"); no inference.
Analyze   | #3fb8af | cyan         | recalls theory, introduces symbols, deduces relations with certainty; no concrete calculation ("This implies…", "Let's denote…", "Recall that…").
Plan      | #b487e0 | magenta      | announces the next step or the whole strategy, a commitment ("Next, I'll…", "Let's compute…", "I need to…").
Implement | #6cc04a | green        | carries out a step: calculations, substitutions, enumerations, and the conclusion of a calculation, including a sentence that states the answer ("So the answer is 24.").
Explore   | #e0b341 | yellow       | a tentative idea without commitment ("Maybe…", "Alternatively…", "What if…"); only the tentative sentence.
Verify    | #e8743b | red          | judges the correctness of a result or method: checking, comparing, confirming ("Let me check…", "That matches.", "Is that right?").
Monitor   | #9a9a9a | bright_black | a short interjection without problem content ("Hmm.", "Wait.", "Let me think.").
"""
LABEL_INFO: tuple[Label, ...] = tuple(
    Label(*(cell.strip() for cell in line.split("|", 3))) for line in _LABEL_TABLE.strip().splitlines()
)
LABELS: tuple[str, ...] = tuple(lab.name for lab in LABEL_INFO)
#: label → (truecolour, ANSI colour name)
LABEL_COLOURS: dict[str, tuple[str, str]] = {lab.name: (lab.rgb, lab.ansi) for lab in LABEL_INFO}

#: A paragraph's band: the annotators' paragraph level (a checking paragraph is a Verify episode).
BANDS: tuple[str, ...] = ("General", "Explore", "Verify")


@dataclass(frozen=True, slots=True)
class PhaseKind:
    """A kind of phase (after Marjanović et al., 2025); reconstruction cycles are numbered."""

    kind: str  # the key in the analysis' JSON
    title: str  # what a user reads
    description: str


PHASE_INFO: tuple[PhaseKind, ...] = (
    PhaseKind("definition", "Definition", "the opening paragraphs that take in the problem"),
    PhaseKind("bloom", "Bloom", "the first attempt, until its first candidate answer or an abandoned approach"),
    PhaseKind("reconstruction", "Reconstruction", "a cycle that reconsiders the work: a check, a doubt, another approach"),
    PhaseKind("final", "Final decision", "from the last paragraph that commits to the answer"),
)
PHASE_KINDS: tuple[str, ...] = tuple(p.kind for p in PHASE_INFO)
_PHASES = {p.kind: p for p in PHASE_INFO}


def phase_name(kind: str, number: int = 0) -> str:
    """"Definition", "Bloom", "Reconstruction 2", "Final decision" (an unknown kind as given)."""
    info = _PHASES.get(kind)
    title = info.title if info else kind
    return f"{title} {number}" if kind == "reconstruction" else title
