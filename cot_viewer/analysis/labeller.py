"""The trained sentence labeller: a linear model read from ``labeller.json``.

Each sentence gets a score per class: the bias, plus the weights of its own keys, of the
keys the sentence before it passes on and of its position
(:mod:`cot_viewer.analysis.features`).  The highest score wins; the annotators' eighth
class, Answer (a sentence stating the result), is reported as ``ANSWER_AS``.  A sentence's
label depends only on the text up to it: a paragraph's labels are final once it is
complete, and the incremental analyser equals the batch one.

The weights are plain data written by ``tools/train_labeller.py`` (logistic regression on
ThinkARM's human labels; method and figures in ``docs/analysis.md``).  Inference is pure
Python and deterministic.  The problem text is not used (see ``docs/analysis.md``).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .features import position_key, sentence_keys
from .vocabulary import LABELS

__all__ = ["LABELS", "ANSWER_AS", "WEIGHTS_PATH", "Labeller", "LabelContext", "default_labeller",
           "label_paragraph", "label_spans"]

WEIGHTS_PATH = Path(__file__).with_name("labeller.json")
ANSWER_AS = "Implement"  # the guidebook: "a conclusion that follows the implementation … is Implement"

Vec = tuple[float, ...]


@dataclass(slots=True, frozen=True)
class SentenceScore:
    """What a sentence contributes, from its text alone (memoised per sentence text)."""

    own: Vec  # bias + weights of its own keys
    as_prev: Vec  # weights of the keys it passes to the next sentence


class Labeller:
    """A linear model over :mod:`features` keys."""

    def __init__(self, classes: Sequence[str], bias: Sequence[float], weights: dict[str, Sequence[float]]) -> None:
        self.classes = tuple(classes)
        self.bias = tuple(map(float, bias))
        self.weights = {k: tuple(map(float, v)) for k, v in weights.items()}
        self._zero = (0.0,) * len(self.classes)
        self._positions = {k: v for k, v in self.weights.items() if k.startswith("pos:")}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Labeller":
        if d.get("format") != 1:
            raise ValueError(f"unsupported labeller weights format {d.get('format')!r}")
        if d.get("answer_as", ANSWER_AS) != ANSWER_AS:
            raise ValueError(f"weights trained for Answer -> {d.get('answer_as')!r}, not {ANSWER_AS!r}")
        return cls(d["classes"], d["bias"], d["weights"])

    def _sum(self, keys: Sequence[str], start: Vec) -> Vec:
        hits = list(filter(None, map(self.weights.get, keys)))
        if not hits:
            return start
        return tuple(map(sum, zip(start, *hits)))

    def sentence(self, sentence: str) -> SentenceScore:
        own, as_prev, _ = sentence_keys(sentence)
        return SentenceScore(self._sum(own, self.bias), self._sum(as_prev, self._zero))

    def decide(self, score: SentenceScore, prev: Vec, index: int) -> str:
        """The class of a sentence (``Answer`` included): ``prev`` is the ``as_prev`` of
        the sentence before it (:meth:`start` for the first one), ``index`` its place."""
        pos = self._positions.get(position_key(index), self._zero)
        s = list(map(sum, zip(score.own, prev, pos)))
        return self.classes[s.index(max(s))]

    def label_of(self, cls: str) -> str:
        """The label reported for a class (Answer is reported as ``ANSWER_AS``)."""
        return ANSWER_AS if cls == "Answer" else cls

    def start(self) -> Vec:
        """The ``prev`` vector of the first sentence of a trace."""
        return self._sum(("pbos",), self._zero)

    def label_sentences(self, sentences: Sequence[str]) -> list[str]:
        """Labels of consecutive sentences of one trace."""
        out: list[str] = []
        prev = self.start()
        for i, s in enumerate(sentences):
            sc = self.sentence(s)
            out.append(self.label_of(self.decide(sc, prev, i)))
            prev = sc.as_prev
        return out


@functools.cache
def default_labeller() -> Labeller:
    """The shipped model (read once per process)."""
    return Labeller.from_dict(json.loads(WEIGHTS_PATH.read_text(encoding="utf-8")))


@dataclass(slots=True, frozen=True)
class LabelContext:
    """What the labels of a paragraph know about the text before it."""

    sentences: int = 0  # sentences already labelled
    prev: Vec | None = None  # as_prev of the last sentence (None: none yet)


def label_paragraph(
    text: str, spans: Sequence[tuple[int, int]], ctx: LabelContext, memo: dict[str, SentenceScore] | None = None,
    labeller: Labeller | None = None,
) -> tuple[list[str], list[bool], LabelContext]:
    """Labels for the sentences ``spans`` of one paragraph, which of them state an answer
    (the Answer class), and the context after it.  ``memo``: a dict kept by the caller,
    sentence text -> its :class:`SentenceScore`."""
    model = labeller or default_labeller()
    prev = ctx.prev if ctx.prev is not None else model.start()
    index = ctx.sentences
    labels: list[str] = []
    answers: list[bool] = []
    for s, e in spans:
        sent = text[s:e]
        sc = memo.get(sent) if memo is not None else None
        if sc is None:
            sc = model.sentence(sent)
            if memo is not None:
                memo[sent] = sc
        cls = model.decide(sc, prev, index)
        answers.append(cls == "Answer")
        labels.append(model.label_of(cls))
        prev = sc.as_prev
        index += 1
    return labels, answers, LabelContext(index, prev)


def label_spans(text: str, spans: Sequence[tuple[int, int, int]]) -> list[str]:
    """Label arbitrary ``(start, end, paragraph)`` spans of ``text`` (in order): our own
    steps, or a corpus' own chunks."""
    labels, _, _ = label_paragraph(text, [(s, e) for s, e, _ in spans], LabelContext())
    return labels
