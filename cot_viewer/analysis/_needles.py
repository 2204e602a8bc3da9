"""Necessary literals of a regular expression, for cheap prefilters.

``derive(rx)`` returns a tuple of strings such that every match of ``rx`` contains at
least one of them (lower-cased when ``rx`` ignores case), or ``None`` when no such set
is found.  The labels and phases modules keep the derived tuples as literals next to
their regexes (deriving them at import would cost ~20 ms); ``tests/analysis`` checks that
every literal still equals ``derive()`` of its regex, so a regex edited without
regenerating its needles fails the tests.  Regenerate with
``python -m cot_viewer.analysis._needles``.

How a prefilter is applied (see :func:`prefilter`): for a case-sensitive regex the
needles are looked for in the searched string itself; for an ignore-case one in its
``lower()``, which is exact unless the string holds one of the two lower-case
characters that Python's ignore-case matching folds onto ASCII letters (``ſ`` → s,
``ı`` → i); such strings skip the prefilter.

Soundness of the derivation: a match of a sequence contains a match of each of its
mandatory items, and a run of consecutive literal characters appears verbatim; a match
of an alternation contains a match of one of its branches; a repeat with a minimum of
one contains a match of its body; a small character class contains one of its
characters.  Zero-width items, optional items and anything else give no constraint.
Under ignore-case only ASCII characters and characters without any case variant are
used (their lower-case form is what ``lower()`` of a matching string holds).
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Sequence

__all__ = ["derive", "trie_pattern", "searcher", "maybe", "cue_scanner", "generate", "PREFILTERED", "UNSAFE_LOWER"]

# Lower-case characters that ignore-case matching equates with an ASCII letter but that
# str.lower() leaves alone (the other two such characters, U+212A KELVIN SIGN and
# U+0130, lower-case to ASCII).
UNSAFE_LOWER = ("\u017f", "\u0131")

_MAXCLASS = 12
# Short, frequent English words make poor needles: prefer any other candidate.
_COMMON = frozenset(
    "a an and are as at be but by for from he i if in is it its me my no not of on or so "
    "the then this that to up us was we with you".split()
)


def _weight(n: str) -> int:
    w = len(n)
    if n.strip() in _COMMON or len(n.strip()) <= 1:
        w -= 3
    return w


def _score(cands: Iterable[str]) -> tuple[int, int]:
    cands = list(cands)
    return (min(_weight(n) for n in cands), -len(cands))


def _lit(code: int, ic: bool) -> str | None:
    ch = chr(code)
    if not ic:
        return ch
    if ch.isascii():
        return ch.lower()
    # a character with no case variant matches only itself under IGNORECASE
    from re import _casefix  # type: ignore[attr-defined]

    if ch.lower() == ch == ch.upper() and ch.casefold() == ch and code not in _casefix._EXTRA_CASES:
        return ch
    return None


_MAXSET = 16


def _exact(op, av, ic: bool):
    """The finite set of strings the item ``(op, av)`` can match, if small, else None."""
    from re import _constants as C  # type: ignore[attr-defined]

    if op is C.LITERAL:
        ch = _lit(av, ic)
        return None if ch is None else {ch}
    if op is C.IN:
        chars = _class(av, ic)
        return chars if chars and len(chars) <= 4 else None
    if op is C.SUBPATTERN:
        _group, add, dele, p = av
        return None if add or dele else _exact_seq(p.data, ic)
    if op is C.BRANCH:
        out: set[str] = set()
        for a in av[1]:
            e = _exact_seq(a.data, ic)
            if e is None:
                return None
            out |= e
        return out if len(out) <= _MAXSET else None
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[1] - av[0] <= 1 and av[0] <= 1:
        e = _exact_seq(av[2].data, ic)
        if e is None:
            return None
        return (e | {""}) if av[0] == 0 else e
    return None


def _exact_seq(items, ic: bool):
    acc = {""}
    for op, av in items:
        e = _exact(op, av, ic)
        if e is None:
            return None
        acc = {a + b for a in acc for b in e}
        if len(acc) > _MAXSET:
            return None
    return acc


def _class(av, ic: bool):
    from re import _constants as C  # type: ignore[attr-defined]

    chars: set[str] = set()
    for iop, iav in av:
        if iop is C.LITERAL:
            ch = _lit(iav, ic)
            if ch is None:
                return None
            chars.add(ch)
        elif iop is C.RANGE and iav[1] - iav[0] < _MAXCLASS:
            for code in range(iav[0], iav[1] + 1):
                ch = _lit(code, ic)
                if ch is None:
                    return None
                chars.add(ch)
        else:  # NEGATE, CATEGORY, large ranges
            return None
    return chars if len(chars) <= _MAXCLASS else None


def _seq(items, ic: bool):  # noqa: C901 - a small interpreter over sre_parse's tree
    """A set of needles for the sequence ``items`` (the best of several candidates)."""
    from re import _constants as C  # type: ignore[attr-defined]

    cands: list[set[str]] = []
    run = {""}  # every string the current run of exactly-known items can match

    def flush() -> None:
        nonlocal run
        if "" not in run:
            cands.append(run)
        run = {""}

    for op, av in items:
        e = _exact(op, av, ic)
        if e is not None:
            nxt = {a + b for a in run for b in e}
            if len(nxt) <= _MAXSET:
                run = nxt
                continue
            flush()
            run = e
            continue
        flush()
        sub = None
        if op is C.SUBPATTERN:
            _group, add, dele, p = av
            if not add and not dele:
                sub = _seq(p.data, ic)
        elif op is C.BRANCH:
            alts = [_seq(a.data, ic) for a in av[1]]
            if all(a is not None for a in alts):
                sub = set().union(*alts)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            lo, _hi, p = av
            if lo >= 1:
                sub = _seq(p.data, ic)
        elif op is getattr(C, "ATOMIC_GROUP", None):
            sub = _seq(av.data, ic)
        elif op is C.IN:
            sub = _class(av, ic)
        if sub:
            cands.append(set(sub))
    flush()
    if not cands:
        return None
    return max(cands, key=_score)


def derive(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    """Needles of ``rx``: every match contains one of them (see the module docstring)."""
    from re import _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(rx.pattern, rx.flags)
    ic = bool(parsed.state.flags & re.IGNORECASE)
    found = _seq(parsed.data, ic)
    if found is None:
        return None
    out: list[str] = []
    for n in sorted(found, key=lambda s: (len(s), s)):
        if not any(m in n for m in out):  # a needle containing another one is redundant
            out.append(n)
    return tuple(out)


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
    """``rx.search`` behind the prefilter of the needles ``_prefilters.NEEDLES[key]``.

    For an ignore-case ``rx`` and ``lower_input`` the strings passed in must be outputs
    of ``str.lower()`` (or substrings of one); otherwise they are lower-cased here.
    Without needles (regex edited, file not regenerated) this is plain ``rx.search``.
    """
    from ._prefilters import NEEDLES

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
    from ._prefilters import NEEDLES

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
    from ._prefilters import NEEDLES

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


# The regexes that get a prefilter: ``(module, name)``; module is a submodule of this package.
PREFILTERED = (
    ("labels", "_VERIFY_RE"),
    ("labels", "_READ_RE"),
    ("labels", "_TENTATIVE_RE"),
    ("labels", "_ANALYZE_RE"),
    ("labels", "_FACT_RE"),
    ("labels", "_CALC_VERB_RE"),
    ("labels", "_IS_VALUE_RE"),
    ("labels", "_RESULT_RE"),
    ("labels", "_LEADIN_RE"),
    ("labels", "_REASON_RE"),
    ("labels", "_WORKING_RE"),
    ("labels", "_ANSWER_LINE_RE"),
    ("labels", "_ARITH_RE"),
    ("phases", "_COMMIT_RE"),
    ("phases", "_INTERIM_RE"),
    ("metrics", "PIVOT_RE"),
    ("metrics", "SWITCH_RE"),
    ("metrics", "_ANSWER_PHRASE_RE"),
)


def generate() -> str:
    """Source of ``_prefilters.py`` for the current regexes."""
    import importlib

    lines = [
        '"""Needles of the prefiltered regexes.  GENERATED by',
        "``python -m cot_viewer.analysis._needles --write``: do not edit by hand.",
        "",
        "Every match of the regex contains one of its needles (see ``_needles.py``);",
        '``tests/analysis/test_analysis_prefilters.py`` checks that this file is current."""',
        "",
        "NEEDLES: dict[str, tuple[str, ...]] = {",
    ]
    for mod_name, name in PREFILTERED:
        mod = importlib.import_module(f"{__package__}.{mod_name}")
        needles = derive(getattr(mod, name))
        if not needles:
            raise ValueError(f"{mod_name}.{name}: no needles")
        lines.append(f"    {mod_name + '.' + name!r}: (")
        cur = "       "
        for n in needles:
            item = f" {n!r},"
            if len(cur) + len(item) > 100:
                lines.append(cur)
                cur = "       "
            cur += item
        lines.append(cur)
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _main() -> None:  # pragma: no cover - developer tool
    import sys
    from pathlib import Path

    src = generate()
    path = Path(__file__).with_name("_prefilters.py")
    if "--write" in sys.argv:
        path.write_text(src, encoding="utf-8")
        print(f"wrote {path}")
    else:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        print("up to date" if current == src else "OUT OF DATE: run with --write")


if __name__ == "__main__":  # pragma: no cover
    _main()
