"""Anatomy of a reasoning trace: steps, episode labels, phases and metrics.

Pure functions over the reasoning text (stdlib only, no UI imports, no global mutable
state).  User and contributor documentation: ``docs/analysis.md``.

API
===

``segment(text) -> [(start, end, paragraph)]``
    Paragraphs split on blank lines (not inside fenced code), then sentences with
    ``$$…$$``, ``\\[…\\]``, ``\\(…\\)``, ``$…$``, fenced and inline code protected;
    decimals, factorials like ``(2k)!`` and abbreviations ("Dr.", "e.g.") are not
    sentence ends; a line of pure math stays with the sentence before it; a fenced code
    block is one step.  Spans are stripped, in order, disjoint: ``text[s:e]`` is the
    sentence.
``label_spans(text, spans) -> [label]``
    Labels for any ``(start, end, paragraph)`` spans (ours or a corpus' own chunks).
``analyze(reasoning, answer="", char_times=None, prompt=None) -> Analysis``
    ``char_times``: ascending ``(reasoning chars received, seconds since request)``.
    ``prompt``: the problem text, if known (a choice letter's option value then counts as
    stating that answer).
``IncrementalAnalyzer``
    ``feed(delta)``, ``close()``, ``snapshot(answer="", char_times=None)``; for cheap
    polling: ``version`` (changes on every feed), ``frozen_steps`` (count of leading steps
    that can no longer change) and ``steps_since(n)`` (steps from index n, the open
    paragraph's ones provisional).  Once closed, ``snapshot()`` equals ``analyze()``.
    A paragraph's labels are frozen as soon as the blank line after it arrives; feeding
    costs O(delta), plus O(current line) when the delta holds a newline, plus labelling
    each paragraph it closes (once).  ``snapshot()`` reuses the totals, phase scan,
    answer statements and step objects of the frozen paragraphs (snapshots share
    objects: treat them as read-only) and returns the same object when called again at
    the same version with the same arguments.

Labels (``LABELS``): Read, Analyze, Plan, Implement, Explore, Verify, Monitor — Li et al.'s
(2025) adaptation of Schoenfeld's episodes.  Bands (``BANDS``): General, Explore, Verify.  Phases (``PHASE_KINDS``): definition,
bloom, reconstruction (numbered 1…), final — after Marjanović et al. (2025).

Method
======

Labels come from a linear model trained on human labels (ThinkARM, Li et al. 2025) and
shipped as plain data (``labeller.json``, read by ``labeller.py``; features in
``features.py``, among them the verdict of the hand-written rules in ``labels.py``); the
annotators' eighth label, Answer, is reported as Implement.  A label depends only on the
text up to its sentence, so a paragraph's labels are final once it is complete.  Training
and figures: ``tools/train_labeller.py`` and ``docs/analysis.md``.  Each paragraph gets a
band (General, Explore, Verify).  ``tools/label_selfcheck.py [--guidebook]`` (a developer
tool) compares the labels with labels of another corpus made to other conventions.

Phases are computed from per-paragraph summaries (``phases.py``): definition = opening
Read/Monitor paragraphs, bloom = the first attempt, until its first candidate answer (or an
abandoned approach), cycles open at marker paragraphs (Wait/Hmm/Alternatively/But/let me
check…) once the current cycle has reached an interim result, final = from the last
paragraph that commits to an answer.  Answers are compared by canonical form
(``answers.py``): ``\\frac{24}{5}`` = ``24/5`` = ``4.8``, ``option C`` = ``C``, ``x = 5`` = ``5``.

JSON shape (``Analysis.to_dict(text)``, ``schema`` 1)
=====================================================

::

    {
      "schema": 1,
      "labels": ["Read", …],  "phase_kinds": ["definition", …],
      "bands": ["General", "Explore", "Verify"],
      "steps":  [{"index", "start", "end", "paragraph", "label", "phase", "band", "text"?}],
      "phases": [{"index", "kind", "number", "first_step", "last_step",
                  "start", "end", "seconds"}],
      "metrics": {
        "chars", "words", "steps", "paragraphs",
        "pivots",                 # occurrences of Wait / Hmm / Hold on
        "approach_switches",      # Alternatively / another way|approach|method
        "verify_episodes",        # runs of Verify steps (Monitor steps don't break a run)
        "first_verify_at",        # start of the first Verify step / chars, or null
        "verify_share",           # share of step characters labelled Verify
        "cycles": [{"number", "chars", "words", "seconds"}], "cycle_count",
        "label_counts": {label: n}, "label_share": {label: share of step chars},
        "band_share": {band: share of step chars},
        "label_transitions": {label: {next step's label: n}},
        "phase_share": {kind: share of phase chars},
        "phase_seconds": {kind: s} | null, "first_token_seconds", "thinking_seconds",
        "final_answer",           # \\boxed{} in answer, then reasoning, then "the answer is X"
        "first_answer_at",        # end of its first statement in the reasoning / chars (by value)
        "candidate_answers",      # distinct answers stated in the reasoning, in order
        "answer_flips",           # changes between consecutive stated answers (by value)
        "answer_revised"          # another answer was stated after the final one was first reached
      }
    }

``text`` appears in steps only when ``to_dict`` is given the reasoning text.  Phase
``seconds`` partition the thinking time: from the arrival of the first character to the
arrival of each phase's last character (null without ``char_times``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Names are imported on first use (PEP 562): ``cot_viewer.analysis.model`` alone costs ~5 ms,
# the labeller's rules ~60 ms, and the TUI needs only the model while a child analyses.
_WHERE = {
    "IncrementalAnalyzer": "core", "analyze": "core", "analyze_transcript": "core",
    "label_spans": "labeller",
    "LABELS": "vocabulary", "PHASE_KINDS": "vocabulary", "BANDS": "vocabulary", "SCHEMA_VERSION": "model",
    "Analysis": "model",
    "Cycle": "model",
    "Metrics": "model", "Phase": "model", "Step": "model",
}

if TYPE_CHECKING:
    from .core import IncrementalAnalyzer, analyze, analyze_transcript
    from .labeller import label_spans
    from .model import SCHEMA_VERSION, Analysis, Cycle, Metrics, Phase, Step
    from .vocabulary import BANDS, LABELS, PHASE_KINDS

# eager: the submodule ``segment`` would otherwise shadow the function of that name (~3 ms)
from .segment import paragraph_spans, segment, sentence_spans  # noqa: E402

__all__ = sorted([*_WHERE, "paragraph_spans", "segment", "sentence_spans"])


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{where}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
