"""Features of a sentence for the trained labeller (:mod:`cot_viewer.analysis.labeller`).

A sentence is described by sparse binary keys (strings).  :func:`own_keys` holds what the
sentence says by itself: its words and word pairs (lower-cased; numbers, single-letter
variables and LaTeX commands folded into classes, so that no problem's own numbers or
symbols are learnt), its first words (the discourse markers: "Wait,", "Let me", "So the
answer"), its last token ("?", ":"), its length, its arithmetic (equals signs, operators,
digits, display maths, ``\\boxed``) and the label today's hand-written rules give it on
its own (``labels.base_label``, passed in).  The second list :func:`own_keys` returns is what the *next* sentence
is told about this one: its first words, last token, rule label and words.  Context that the
training data holds but a stream does not (paragraph breaks, the length of the whole
trace) is left out, so a sentence's label never depends on text after it.

Both the training script (``tools/train_labeller.py``) and the shipped labeller call
these functions: one definition of every feature.
"""

from __future__ import annotations

import re
from typing import Any

from .labels import PromptInfo, base_label, prompt_overlap, sentence_features

__all__ = ["sentence_keys", "own_keys", "position_key", "prompt_keys", "MAX_TOKENS"]

MAX_TOKENS = 60  # words and word pairs are taken from a sentence's first MAX_TOKENS tokens
_TOKEN_RE = re.compile(r"\\[a-z]+|[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|\*\*|[^\sa-z\d]")
_KEEP_LETTERS = frozenset("ai")
_PUNCT_KEEP = frozenset("?:.!,=()[]{}$^+-*/<>|")


def _fold(tok: str) -> str:
    c = tok[0]
    if c.isdigit():
        return "0"
    if c == "\\":
        return tok if tok in ("\\boxed", "\\frac", "\\dfrac", "\\text", "\\sqrt", "\\cdot", "\\times") else "\\x"
    if len(tok) == 1 and c.isalpha() and c not in _KEEP_LETTERS:
        return "v"
    if not c.isalnum() and c not in _PUNCT_KEEP and tok != "**":
        return "#"
    return tok


def tokens(sentence: str) -> list[str]:
    """Folded tokens of the sentence (see the module docstring)."""
    return [_fold(t) for t in _TOKEN_RE.findall(sentence.lower(), 0, 4 * MAX_TOKENS + 200)[:MAX_TOKENS]]


def _bucket(n: int, edges: tuple[int, ...]) -> int:
    for k, e in enumerate(edges):
        if n <= e:
            return k
    return len(edges)


_WORD_EDGES = (2, 5, 10, 20, 40)
_OPS_RE = re.compile(r"[=<>≤≥≈×÷±*/^+]|\\(?:times|cdot|div|frac|dfrac|sqrt|approx|le|ge|neq)\b|\s-\s|−")
_LETTER_RE = re.compile(r"[A-Za-z]")


def own_keys(sentence: str, rule: str, strong: bool, markers: tuple[str, ...] = (), core: str = "") -> tuple[
        list[str], list[str]]:
    """``(own, as_prev)``: the keys of the sentence itself, and those it passes to the
    sentence after it.  ``rule``, ``strong``: the rules' label of the sentence on its own
    (:func:`cot_viewer.analysis.labels.base_label`); ``markers``, ``core``: the leading
    discourse markers and the rest of the sentence (``labels.sentence_features``)."""
    toks = tokens(sentence)
    words = [t for t in toks if t[0].isalpha()]
    out = [f"r:{rule}", f"rs:{rule}:{int(strong)}"]
    seen = set()
    uni = []
    for t in toks:
        if t not in seen:
            seen.add(t)
            uni.append(t)
            out.append("u:" + t)
    for a, b in zip(toks, toks[1:]):
        k = f"b:{a} {b}"
        if k not in seen:
            seen.add(k)
            out.append(k)
    head = toks[:3]
    if head:
        out.append("f1:" + head[0])
        if len(head) > 1:
            out.append("f2:" + " ".join(head[:2]))
        if len(head) > 2:
            out.append("f3:" + " ".join(head))
        last = toks[-1]
        out.append("l:" + last)
    else:
        last = ""
    mk = " ".join(markers[:2]) if markers else "-"
    out.append("m:" + mk)
    ctoks = [_fold(t) for t in _TOKEN_RE.findall(core, 0, 60)[:2]]
    if ctoks:
        out.append("c1:" + ctoks[0])
        out.append("c2:" + " ".join(ctoks))
        out.append(f"rc:{rule}:{ctoks[0]}")
    nw = _bucket(len(words), _WORD_EDGES)
    out.append(f"n:{nw}")
    out.append(f"mn:{mk}:{nw}")  # "Wait." alone vs "Wait, the problem says …"
    if head:
        out.append(f"fn:{head[0]}:{nw}")
    eqs = sentence.count("=")
    out.append(f"eq:{min(eqs, 3)}")
    ops = len(_OPS_RE.findall(sentence))
    out.append(f"ops:{_bucket(ops, (0, 1, 3, 6))}")
    digits = sum(ch.isdigit() for ch in sentence)
    letters = len(_LETTER_RE.findall(sentence))
    out.append(f"dig:{_bucket(digits, (0, 2, 6))}")
    if letters and digits + ops > letters:
        out.append("mathy")
    if "\\[" in sentence or "$$" in sentence:
        out.append("display")
    prev = [f"pr:{rule}", f"pn:{nw}", "pl:" + last, f"pm:{mk}"]
    if head:
        prev.append("pf1:" + head[0])
        if len(head) > 1:
            prev.append("pf2:" + " ".join(head[:2]))
    prev.extend("pu:" + t for t in uni)
    if eqs:
        prev.append("peq")
    return out, prev


def sentence_keys(sentence: str) -> tuple[list[str], list[str], Any]:
    """``own_keys`` of the sentence with its rule label, and its rule features
    (:func:`cot_viewer.analysis.labels.sentence_features`)."""
    f = sentence_features(sentence)
    own, as_prev = own_keys(sentence, *base_label(f), f.markers, f.core)
    return own, as_prev, f


_POS_EDGES = (0, 1, 2, 4, 8, 16, 32, 64, 128, 256)


def position_key(index: int) -> str:
    """The sentence's place in the trace (0-based), in doubling buckets."""
    return f"pos:{_bucket(index, _POS_EDGES)}"


def prompt_keys(f: Any, prompt: PromptInfo) -> list[str]:
    """Keys saying how much of the sentence (``labels.sentence_features``) repeats the
    problem text: the share of its content words and of its numbers the problem uses, and
    whether it copies the problem's expression.  Only given when the problem is known."""
    o = prompt_overlap(f, prompt)
    out = ["prompt"]
    if o.words >= 2:
        share = o.given / o.words
        out.append(f"po:{_bucket(int(share * 10), (2, 5, 7, 9))}")
        out.append(f"pow:{min(o.words, 6) // 3}:{_bucket(int(share * 10), (4, 7))}")
    if o.numbers:
        out.append("pnum:all" if o.numbers_given == o.numbers else "pnum:new")
    if o.copies:
        out.append("pcopy")
    return out
