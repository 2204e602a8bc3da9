"""Derive the needles of the analysis' prefiltered regexes (``cot_viewer/analysis/needles.py``).

    python tools/regex_needles.py           # say whether needles.py is current
    python tools/regex_needles.py --write   # write it again after editing a prefiltered regex

``derive(rx)`` returns a tuple of strings such that every match of ``rx`` contains at
least one of them (lower-cased when ``rx`` ignores case), or ``None`` when no such set
is found.  It reads the regex with CPython's private ``re._parser``: that is why it is a
developer tool and not part of the package, which only reads the generated literals
(``cot_viewer/analysis/prefilter.py``).  ``tests/analysis/test_analysis_fastpaths.py``
checks that ``needles.py`` is current (skipped if this parser changes) and, independently
of it, that every match of each regex on the corpus contains one of its needles.

Soundness of the derivation: a match of a sequence contains a match of each of its
mandatory items, and a run of consecutive literal characters appears verbatim; a match
of an alternation contains a match of one of its branches; a repeat with a minimum of
one contains a match of its body; a small character class contains one of its
characters.  Zero-width items, optional items and anything else give no constraint.
Under ignore-case only ASCII characters and characters without any case variant are
used (their lower-case form is what ``lower()`` of a matching string holds).
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NEEDLES_PY = ROOT / "cot_viewer" / "analysis" / "needles.py"

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
    """Source of ``needles.py`` for the current regexes."""
    lines = [
        '"""Needles of the prefiltered regexes.  GENERATED by',
        "``python tools/regex_needles.py --write``: do not edit by hand.",
        "",
        "Every match of the regex contains one of its needles (see ``prefilter.py``);",
        '``tests/analysis/test_analysis_fastpaths.py`` checks that this file is current."""',
        "",
        "NEEDLES: dict[str, tuple[str, ...]] = {",
    ]
    for mod_name, name in PREFILTERED:
        mod = importlib.import_module(f"cot_viewer.analysis.{mod_name}")
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


def main() -> int:
    src = generate()
    path = NEEDLES_PY
    if "--write" in sys.argv:
        path.write_text(src, encoding="utf-8")
        print(f"wrote {path}")
    else:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        print("up to date" if current == src else "OUT OF DATE: run with --write")
        return 0 if current == src else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
