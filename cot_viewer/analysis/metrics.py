"""Metrics of a labelled, phased trace, and final-answer extraction."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Sequence

from .labels import LABELS
from .model import PHASE_KINDS, Cycle, Metrics, Phase, Step

__all__ = ["compute_metrics", "final_answer", "candidate_answers", "TimeLine"]

PIVOT_RE = re.compile(r"\b(?:wait|hmm+|hold on)\b", re.I)
SWITCH_RE = re.compile(
    r"\balternatively\b|\banother (?:way|approach|method)\b|\bdifferent (?:approach|method|way)\b", re.I
)
_WORD_RE = re.compile(r"\S+")
_ANSWER_PHRASE_RE = re.compile(
    r"\b(?:the\s+)?(?:final\s+)?answer\s+(?:is|should be|must be|would be|=|:)\s*(?:\*\*)?\s*(?P<x>[^\n]{1,80})", re.I
)


def _boxed_all(text: str) -> list[tuple[int, str]]:
    """Contents of every ``\\boxed{…}`` (balanced braces), with their offsets."""
    out = []
    i = text.find("\\boxed")
    while i >= 0:
        j = text.find("{", i)
        if j < 0 or j > i + 8:
            i = text.find("\\boxed", i + 6)
            continue
        depth = 0
        k = j
        while k < len(text):
            c = text[k]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
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


def candidate_answers(text: str) -> list[tuple[int, str]]:
    """``(offset, answer)`` for every explicit answer statement or ``\\boxed{}`` in ``text``."""
    found: list[tuple[int, str]] = [(i, normalize_answer(x)) for i, x in _boxed_all(text)]
    for m in _ANSWER_PHRASE_RE.finditer(text):
        tail = m.group("x")
        if tail.lstrip().startswith("\\boxed"):
            continue  # counted as boxed
        x = _phrase_answer(tail)
        if x and not re.match(r"(?:correct|right|wrong|not|that|this|the|a|an|to|in|yes|no)\b", x, re.I):
            found.append((m.start(), x))
    found.sort()
    return [(i, x) for i, x in found if x]


def final_answer(reasoning: str, answer: str = "") -> str | None:
    """The committed answer: last ``\\boxed{}`` in the answer, else in the reasoning, else the
    last "the answer is X" in the answer or the reasoning."""
    for src in (answer, reasoning):
        bx = _boxed_all(src)
        if bx:
            x = normalize_answer(bx[-1][1])
            if x:
                return x
    for src in (answer, reasoning):
        cands = candidate_answers(src)
        if cands:
            return cands[-1][1]
    return None


def first_occurrence(reasoning: str, x: str) -> int | None:
    """End offset of the first occurrence of answer ``x`` in the reasoning as a result
    (after '=', 'is', 'be', 'get', '\\boxed{' …), else of its first standalone occurrence."""
    if not x:
        return None
    pat = re.compile(r"(?<![\w.])" + re.escape(x) + r"(?![\w]|\.\d)")
    first_any = None
    for m in pat.finditer(reasoning):
        if first_any is None:
            first_any = m.end()
        before = reasoning[max(0, m.start() - 14):m.start()].lower()
        if re.search(r"(?:=|≈|\bis|\bbe|\bget|\bgot|\bgives|boxed\{|answer|:|\bequals|\bto)\s*[\\($*{]*\s*$", before):
            return m.end()
    return first_any


class TimeLine:
    """When each character of the reasoning arrived, from ``(offset reached, seconds)`` pairs."""

    def __init__(self, char_times: Sequence[tuple[int, float]]):
        pts = sorted((int(o), float(t)) for o, t in char_times)
        self.offsets = [o for o, _ in pts]
        self.times = [t for _, t in pts]

    def arrived(self, i: int) -> float | None:
        """Seconds at which character ``i`` had arrived (first point whose offset > i)."""
        if not self.offsets:
            return None
        k = bisect_right(self.offsets, i)
        if k >= len(self.offsets):
            return self.times[-1]
        return self.times[k]


def compute_metrics(
    text: str,
    steps: Sequence[Step],
    phases: Sequence[Phase],
    answer: str = "",
    timeline: TimeLine | None = None,
    paragraphs: int = 0,
) -> Metrics:
    n = len(text)
    m = Metrics(chars=n, words=len(_WORD_RE.findall(text)), steps=len(steps), paragraphs=paragraphs)
    m.pivots = len(PIVOT_RE.findall(text))
    m.approach_switches = len(SWITCH_RE.findall(text))
    counts = {lab: 0 for lab in LABELS}
    chars = {lab: 0 for lab in LABELS}
    episodes = 0
    first_verify = None
    in_verify = False
    for st in steps:
        counts[st.label] += 1
        chars[st.label] += st.end - st.start
        if st.label == "Verify":
            if not in_verify:
                episodes += 1
                in_verify = True
                if first_verify is None:
                    first_verify = st.start
        elif st.label != "Monitor":
            in_verify = False
    total = sum(chars.values()) or 1
    m.label_counts = counts
    m.label_share = {lab: round(chars[lab] / total, 4) for lab in LABELS}
    m.verify_episodes = episodes
    m.verify_share = m.label_share["Verify"] if steps else 0.0
    m.first_verify_at = round(first_verify / n, 4) if first_verify is not None and n else None
    pchars = {k: 0 for k in PHASE_KINDS}
    for ph in phases:
        pchars[ph.kind] += ph.end - ph.start
    ptotal = sum(pchars.values()) or 1
    m.phase_share = {k: round(v / ptotal, 4) for k, v in pchars.items()}
    for ph in phases:
        if ph.kind == "reconstruction":
            m.cycles.append(
                Cycle(
                    number=ph.number,
                    chars=ph.end - ph.start,
                    words=len(_WORD_RE.findall(text[ph.start:ph.end])),
                    seconds=ph.seconds,
                )
            )
    if timeline is not None and timeline.offsets and n:
        m.first_token_seconds = timeline.arrived(0)
        last = timeline.arrived(n - 1)
        if m.first_token_seconds is not None and last is not None:
            m.thinking_seconds = round(last - m.first_token_seconds, 6)
        ps = {k: 0.0 for k in PHASE_KINDS}
        for ph in phases:
            ps[ph.kind] += ph.seconds or 0.0
        m.phase_seconds = {k: round(v, 6) for k, v in ps.items()}
    fa = final_answer(text, answer)
    m.final_answer = fa
    if fa is not None and n:
        pos = first_occurrence(text, fa)
        m.first_answer_at = round(pos / n, 4) if pos is not None else None
    cands = [x for _, x in candidate_answers(text)]
    seen: list[str] = []
    flips = 0
    for i, x in enumerate(cands):
        if x not in seen:
            seen.append(x)
        if i and x != cands[i - 1]:
            flips += 1
    m.candidate_answers = seen
    m.answer_flips = flips
    return m
