"""Asking a language model for the step labels: the prompts and the reading of its replies.

Pure functions (no network): ``cot_viewer/commands/llm_labeller.py`` sends the requests to
the configured endpoint and caches the result.  The sentences are numbered and sent in
batches of ``BATCH``, each with the few sentences before it as context; the model answers
one ``number: Label`` line per sentence.  A sentence it leaves out or labels with an unknown
word gets ``None`` (the caller fills those in with the trained labeller and says how many).
"""

from __future__ import annotations

import re
from typing import Sequence

from .vocabulary import LABEL_INFO, LABELS

__all__ = ["BATCH", "CONTEXT", "GUIDE", "GUIDE_VERSION", "batches", "messages_for", "parse_reply"]

BATCH = 40  # sentences per request
CONTEXT = 3  # sentences before a batch shown (not labelled) as context
GUIDE_VERSION = 2  # change when GUIDE changes: cached labels of an older guide are not reused

GUIDE = (
    "You label the sentences of a reasoning model's monologue with Schoenfeld's episodes, as adapted by Li et al. "
    "(2025). Label each sentence by what it does itself, in context.\n\n"
    + "\n".join(f"{lab.name}: {lab.description}" for lab in LABEL_INFO)
    + '\n\nReply with one line per numbered sentence, exactly "N: Label", using only the labels above, nothing else.'
)

_LINE_RE = re.compile(r"^\s*\**\s*\[?(\d+)\]?\**\s*[:.)\-–]\s*\**\s*([A-Za-z]+)", re.M)
_BY_NAME = {lab.lower(): lab for lab in LABELS}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def batches(n: int, size: int = BATCH) -> list[range]:
    """The sentence indices of each request."""
    return [range(i, min(i + size, n)) for i in range(0, n, size)]


def messages_for(sentences: Sequence[str], batch: range, prompt: str | None = None) -> list[dict]:
    """The chat messages asking for the labels of ``sentences[batch]`` (numbered from 1 as
    in ``cot-viewer analyze``), with the problem and the sentences just before as context."""
    lines = []
    if prompt:
        lines.append("Problem: " + _one_line(prompt))
        lines.append("")
    start = batch.start
    before = range(max(0, start - CONTEXT), start)
    if before:
        lines.append("Context (already labelled, do not label):")
        lines += [f"{i + 1}. {_one_line(sentences[i])}" for i in before]
        lines.append("")
    lines.append("Label these sentences:")
    lines += [f"{i + 1}. {_one_line(sentences[i])}" for i in batch]
    return [{"role": "system", "content": GUIDE}, {"role": "user", "content": "\n".join(lines)}]


def parse_reply(reply: str, batch: range) -> dict[int, str]:
    """``{sentence index: label}`` for the lines of ``reply`` that label a sentence of
    ``batch`` with one of the seven labels (the first such line per sentence wins)."""
    out: dict[int, str] = {}
    for m in _LINE_RE.finditer(reply):
        i = int(m.group(1)) - 1
        lab = _BY_NAME.get(m.group(2).lower())
        if lab is not None and i in batch and i not in out:
            out[i] = lab
    return out
