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

import functools
import re
from bisect import bisect_left
from typing import Any

from .labels import PromptInfo, base_label, prompt_overlap, sentence_features

__all__ = ["sentence_keys", "own_keys", "position_key", "prompt_keys", "MAX_TOKENS"]

MAX_TOKENS = 60  # words and word pairs are taken from a sentence's first MAX_TOKENS tokens
_TOKEN_RE = re.compile(r"\\[a-z]+|[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|\*\*|[^\sa-z\d]")
_KEEP_LETTERS = frozenset("ai")
_PUNCT_KEEP = frozenset("?:.!,=()[]{}$^+-*/<>|")
_LATEX_KEEP = frozenset(("\\boxed", "\\frac", "\\dfrac", "\\text", "\\sqrt", "\\cdot", "\\times"))


@functools.lru_cache(maxsize=16384)
def _fold(tok: str) -> str:
    """A token's class: numbers are "0", single-letter variables "v", LaTeX commands other
    than a few common ones "\\x", rare symbols "#"; words and punctuation stay."""
    c = tok[0]
    if c.isdigit():
        return "0"
    if c == "\\":
        return tok if tok in _LATEX_KEEP else "\\x"
    if len(tok) == 1 and c.isalpha() and c not in _KEEP_LETTERS:
        return "v"
    if not c.isalnum() and c not in _PUNCT_KEEP and tok != "**":
        return "#"
    return tok


def tokens(text: str) -> list[str]:
    """Folded tokens of the first MAX_TOKENS tokens of ``text`` (see the module docstring)."""
    return list(map(_fold, _TOKEN_RE.findall(text.lower(), 0, 4 * MAX_TOKENS + 200)[:MAX_TOKENS]))


def _bucket(n: int, edges: tuple[int, ...]) -> int:
    """The index of the first edge >= n (len(edges) if none)."""
    return bisect_left(edges, n)


_WORD_EDGES = (2, 5, 10, 20, 40)


_NOT_DIGIT = str.maketrans("", "", "".join(c for c in map(chr, range(128)) if not c.isdigit()))
_NOT_ALPHA = str.maketrans("", "", "".join(c for c in map(chr, range(128)) if not c.isalpha()))


def _digits_letters(text: str) -> tuple[int, int]:
    """Counts of ``str.isdigit`` and ``str.isalpha`` characters (fast for ASCII text)."""
    if text.isascii():
        return len(text.translate(_NOT_DIGIT)), len(text.translate(_NOT_ALPHA))
    return sum(map(str.isdigit, text)), sum(map(str.isalpha, text))


def own_keys(sentence: str, f: Any, rule: str, strong: bool) -> tuple[list[str], list[str]]:
    """``(own, as_prev)``: the keys of the sentence itself, and those it passes to the
    sentence after it (each list without repeats).  ``f``: the sentence's
    ``labels.sentence_features``; ``rule``, ``strong``: the rules' label of it on its own
    (:func:`cot_viewer.analysis.labels.base_label`)."""
    toks = tokens(sentence)
    uni = list(dict.fromkeys(toks))
    ukeys = ["u:" + t for t in uni]
    # folded tokens hold no space, so "a b" names the pair (a, b): pairs deduplicated as strings
    out = [f"r:{rule}", f"rs:{rule}:{int(strong)}", *ukeys,
           *["b:" + p for p in dict.fromkeys(map(" ".join, zip(toks, toks[1:])))]]
    nw = _bucket(sum([t[0].isalpha() for t in toks]), _WORD_EDGES)
    mk = " ".join(f.markers[:2]) if f.markers else "-"
    out += [f"n:{nw}", "m:" + mk, f"mn:{mk}:{nw}"]  # "Wait." alone vs "Wait, the problem says …"
    prev = [f"pr:{rule}", f"pn:{nw}", f"pm:{mk}"]
    if toks:
        head = toks[0]
        last = toks[-1]
        if len(toks) > 1:
            two = head + " " + toks[1]
            out += ["f1:" + head, f"fn:{head}:{nw}", "l:" + last, "f2:" + two]
            prev += ["pf1:" + head, "pl:" + last, "pf2:" + two]
            if len(toks) > 2:
                out.append("f3:" + two + " " + toks[2])
        else:
            out += ["f1:" + head, f"fn:{head}:{nw}", "l:" + last]
            prev += ["pf1:" + head, "pl:" + last]
    ctoks = list(map(_fold, _TOKEN_RE.findall(f.core, 0, 40)[:2]))  # = tokens(f.core[:40])[:2]: core is lower-case
    if ctoks:
        out += ["c1:" + ctoks[0], "c2:" + " ".join(ctoks), f"rc:{rule}:{ctoks[0]}"]
    eqs = sentence.count("=")
    digits, letters = _digits_letters(sentence)
    out += [f"eq:{min(eqs, 3)}", f"ops:{_bucket(f.ops, (0, 1, 3, 6))}", f"dig:{_bucket(digits, (0, 2, 6))}"]
    if letters and digits + f.ops > letters:
        out.append("mathy")
    if "\\[" in sentence or "$$" in sentence:
        out.append("display")
    prev += ["p" + k for k in ukeys]  # "pu:" + token
    if eqs:
        prev.append("peq")
    return out, prev


def sentence_keys(sentence: str) -> tuple[list[str], list[str], Any]:
    """``own_keys`` of the sentence with its rule label, and its rule features
    (:func:`cot_viewer.analysis.labels.sentence_features`)."""
    f = sentence_features(sentence)
    own, as_prev = own_keys(sentence, f, *base_label(f))
    return own, as_prev, f


_POS_EDGES = (0, 1, 2, 4, 8, 16, 32, 64, 128, 256)


def position_key(index: int) -> str:
    """The sentence's place in the trace (0-based), in doubling buckets."""
    return f"pos:{_bucket(index, _POS_EDGES)}"


def prompt_keys(f: Any, prompt: PromptInfo) -> list[str]:
    """Keys saying how much of the sentence (``labels.sentence_features``) repeats the
    problem text: the share of its content words and of its numbers the problem uses, and
    whether it copies the problem's expression.  Used in training only, on half the
    responses (``tools/train_labeller.py``); the shipped labeller leaves them out (see
    docs/analysis.md), but the shipped weights are those of that training run."""
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
