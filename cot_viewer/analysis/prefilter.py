"""Cheap prefilters for the rules' regular expressions.

Each prefiltered regex has "needles" (``needles.NEEDLES[key]``): literal strings such that
every match of the regex contains at least one of them (lower-cased when the regex ignores
case).  A sentence holding none of a regex's needles is not searched at all.  The needles
are derived from the written regexes by ``tools/regex_needles.py`` (a developer tool, not
shipped); ``tests/analysis/test_analysis_fastpaths.py`` checks that they are current and,
on every corpus sentence, that every match of each regex contains one of its needles.

How a prefilter is applied: for a case-sensitive regex the needles are looked for in the
searched string itself; for an ignore-case one in its ``lower()``, which is exact unless
the string holds one of the two lower-case characters that Python's ignore-case matching
folds onto ASCII letters (``ſ`` → s, ``ı`` → i); such strings skip the prefilter.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Sequence

from .needles import NEEDLES

__all__ = ["trie_pattern", "searcher", "maybe", "cue_scanner", "UNSAFE_LOWER"]

# Lower-case characters that ignore-case matching equates with an ASCII letter but that
# str.lower() leaves alone (the other two such characters, U+212A KELVIN SIGN and
# U+0130, lower-case to ASCII).
UNSAFE_LOWER = ("\u017f", "\u0131")


def _trie(needles: Iterable[str]) -> dict:
    """Nested dicts, one level per character; ``""`` marks the end of a needle."""
    root: dict = {}
    for n in needles:
        node = root
        for ch in n:
            node = node.setdefault(ch, {})
        node[""] = {}
    return root


def trie_pattern(needles: Iterable[str]) -> str:
    """A regex source matching any of ``needles`` (case-sensitive), as a trie so that the
    engine rejects most positions on their first character."""
    root = _trie(needles)

    def emit(node: dict) -> str:
        if "" in node:  # a needle ends here: the prefix is enough
            return ""
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(root)


def searcher(rx: re.Pattern[str], key: str, lower_input: bool = True) -> Callable[[str], re.Match[str] | None]:
    """``rx.search`` behind the prefilter of the needles ``needles.NEEDLES[key]``.

    For an ignore-case ``rx`` and ``lower_input`` the strings passed in must be outputs
    of ``str.lower()`` (or substrings of one); otherwise they are lower-cased here.
    Without needles (regex edited, file not regenerated) this is plain ``rx.search``.
    """
    needles = NEEDLES.get(key)
    search = rx.search
    if not needles:
        return search
    quick = re.compile(trie_pattern(needles)).search
    s1, s2 = UNSAFE_LOWER
    if not rx.flags & re.IGNORECASE:

        def run(text: str) -> re.Match[str] | None:
            return None if quick(text) is None else search(text)

    elif lower_input:

        def run(text: str) -> re.Match[str] | None:
            if quick(text) is None and (text.isascii() or (s1 not in text and s2 not in text)):
                return None
            return search(text)

    else:

        def run(text: str) -> re.Match[str] | None:
            low = text.lower()
            if quick(low) is None and (low.isascii() or (s1 not in low and s2 not in low)):
                return None
            return search(text)

    return run


def maybe(rx: re.Pattern[str], key: str) -> Callable[[str], bool]:
    """A test ``maybe(low)`` that is False only when ``rx`` cannot match the string whose
    ``lower()`` is ``low`` (for a case-sensitive ``rx``, pass the string itself)."""
    needles = NEEDLES.get(key)
    if not needles:
        return lambda low: True
    quick = re.compile(trie_pattern(needles)).search
    if not rx.flags & re.IGNORECASE:
        return lambda low: quick(low) is not None
    s1, s2 = UNSAFE_LOWER

    def test(low: str) -> bool:
        return quick(low) is not None or not (low.isascii() or (s1 not in low and s2 not in low))

    return test


def greedy_trie_pattern(needles: Iterable[str]) -> str:
    """Like :func:`trie_pattern`, but the match at a position is the *longest* needle
    there (every shorter needle at that position is a prefix of it)."""
    root = _trie(needles)

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return emit(root)


def cue_scanner(regexes: Sequence[tuple[re.Pattern[str], str]]) -> Callable[[str], int]:
    """``scan(low) -> bits``: bit k is clear only when ``regexes[k][0]`` (ignore-case,
    needles ``NEEDLES[regexes[k][1]]``) cannot match the lower-cased string ``low``.

    One pass finds, at every position, the longest needle of any of the regexes that
    starts there; the bits of all needles that are prefixes of it are set."""
    owners: dict[str, int] = {}
    always = 0
    for k, (rx, key) in enumerate(regexes):
        needles = NEEDLES.get(key)
        if not needles or not rx.flags & re.IGNORECASE:
            always |= 1 << k
            continue
        for n in needles:
            owners[n] = owners.get(n, 0) | 1 << k
    every = (1 << len(regexes)) - 1
    if not owners:
        return lambda low: every
    bits = {n: 0 for n in owners}
    for n in owners:  # the needles that are prefixes of n (n included)
        for k in range(1, len(n) + 1):
            b = owners.get(n[:k])
            if b:
                bits[n] |= b
    findall = re.compile("(?=(" + greedy_trie_pattern(owners) + "))").findall
    s1, s2 = UNSAFE_LOWER

    def scan(low: str) -> int:
        if not low.isascii() and (s1 in low or s2 in low):
            return every
        out = always
        for n in findall(low):
            out |= bits[n]
        return out

    return scan
