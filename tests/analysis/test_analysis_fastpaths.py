"""The fast paths of the analysis give exactly the results of the plain code they replace.

* regex prefilters (``prefilter.py``, needles in ``needles.py``): sound on the corpus and
  on generated strings, and current (``tools/regex_needles.py``);
* answer statements found without scanning every position; the incremental
  ``AnswerScan`` on a growing text;
* per-paragraph counts and label statistics added up instead of whole-text passes;
* ``PhaseTracker`` asked with a provisional open paragraph against ``phase_paragraphs``
  on the same paragraphs;
* the incremental analyser fed in batches and polled like the TUI does, against a fresh
  analyser and against ``analyze()``.
"""

from __future__ import annotations

import importlib

import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cot_viewer.analysis import IncrementalAnalyzer, analyze, segment
from cot_viewer.analysis import metrics, prefilter
from cot_viewer.analysis.needles import NEEDLES
from cot_viewer.analysis.metrics import AnswerScan, LabelStats, compute_metrics, text_counts
from cot_viewer.analysis.phases import ParSummary, PhaseTracker, phase_paragraphs

REPO = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------- prefilters
def _tool():
    return importlib.import_module("regex_needles")  # tools/ is on sys.path (conftest.py)


def test_prefilter_needles_are_current():
    """Edit a prefiltered regex, then run ``python tools/regex_needles.py --write``.  The tool
    reads CPython's private regex parser; should a Python release change it, this test skips
    and the corpus test below still proves the needles sound."""
    tool = _tool()
    try:
        src = tool.generate()
    except (ImportError, AttributeError) as exc:  # re's private parser changed
        pytest.skip(f"tools/regex_needles.py cannot read this Python's regex parser: {exc}")
    assert (REPO / "cot_viewer" / "analysis" / "needles.py").read_text(encoding="utf-8") == src
    assert sorted(NEEDLES) == sorted(f"{m}.{n}" for m, n in tool.PREFILTERED)


def _regexes():
    for key in NEEDLES:
        mod_name, name = key.split(".")
        mod = importlib.import_module(f"cot_viewer.analysis.{mod_name}")
        yield key, getattr(mod, name)


def _fragments(rx: re.Pattern[str]) -> list[str]:
    """Pieces of literal text from the regex source, to build strings that match."""
    src = re.sub(r"\\[A-Za-z]", " ", rx.pattern)  # \b, \s, \d …
    words = re.findall(r"[A-Za-z']{2,}|[^\w\s\\()|?*+{}\[\]^$]", src)
    return sorted(set(words)) or ["x"]


@pytest.mark.parametrize("key,rx", list(_regexes()), ids=[k for k, _ in _regexes()])
def test_prefilter_is_sound(key, rx):
    """Whenever the regex matches, its prefilter lets the string through."""
    rnd = random.Random(key)
    frags = _fragments(rx) + [" ", " ", ", ", ": ", "= ", "12", "3.5", "\\boxed{4}", "ſ", "ı", "K", "İ", "Σ", "?"]
    search = prefilter.searcher(rx, key, lower_input=False)
    may = prefilter.maybe(rx, key)
    hits = 0
    for _ in range(3000):
        s = "".join(rnd.choice(frags) for _ in range(rnd.randint(1, 8)))
        if rnd.random() < 0.5:
            s = s.upper() if rnd.random() < 0.3 else s.capitalize()
        real = rx.search(s)
        hits += real is not None
        assert (search(s) is None) == (real is None), s
        if real is not None:
            assert may(s.lower() if rx.flags & re.I else s), s
    assert hits > 0


def test_prefilters_on_corpus_sentences(corpus_rows):
    """On every sentence of the corpus, every match of each prefiltered regex contains one
    of its needles, and the prefiltered search finds what the plain search finds."""
    scans = [(key, rx, prefilter.searcher(rx, key, lower_input=False)) for key, rx in _regexes()]
    matched = dict.fromkeys(NEEDLES, 0)
    for row in corpus_rows:
        text = row["reasoning"]
        for s, e, _ in segment(text):
            sent = text[s:e]
            for key, rx, search in scans:
                for m in rx.finditer(sent):
                    matched[key] += 1
                    got = m.group(0).lower() if rx.flags & re.I else m.group(0)
                    assert any(n in got for n in NEEDLES[key]), (key, m.group(0))
                assert (search(sent) is None) == (rx.search(sent) is None), (key, sent)
    assert all(matched.values()), matched  # every regex is exercised


def test_word_start_lookaheads_only_skip_positions(corpus_rows):
    """Some cue regexes put runs of word-led alternatives behind one ``\\b(?=[a-z])`` (so most
    positions fail at once).  Under IGNORECASE ``[a-z]`` matches every character that can
    start one of those alternatives, so the regex without the look-ahead matches the same:
    checked on every sentence core of the corpus and on the generated strings' fragments."""
    from cot_viewer.analysis import labels

    names = [n for n in dir(labels) if n.endswith("_RE") and "(?=[a-z])" in getattr(labels, n).pattern]
    assert len(names) >= 6
    plain = {n: re.compile(getattr(labels, n).pattern.replace("(?=[a-z])", ""), getattr(labels, n).flags) for n in names}
    cores = [labels.sentence_features(row["reasoning"][s:e]).core
             for row in corpus_rows for s, e, _ in segment(row["reasoning"])]
    cores += ["ſ", "ı", "\u212a", "İ", "x: 5", "it's correct"]
    for n in names:
        rx = getattr(labels, n)
        for core in cores:
            assert [m.span() for m in rx.finditer(core)] == [m.span() for m in plain[n].finditer(core)], (n, core)


def test_cue_scanner_is_sound():
    from cot_viewer.analysis import labels

    rnd = random.Random(5)
    names = labels._CUE_REGEXES
    frags = sorted({f for name in names for f in _fragments(getattr(labels, f"_{name}_RE"))}) + [" ", "ſ", "ı"]
    for _ in range(3000):
        low = "".join(rnd.choice(frags) for _ in range(rnd.randint(1, 10))).lower()
        cues = labels._cues(low)
        for k, name in enumerate(names):
            if getattr(labels, f"_{name}_RE").search(low):
                assert cues >> k & 1, (name, low)


# ----------------------------------------------------------------------------- answers
def _phrase_candidates_plain(text: str) -> list[tuple[int, str]]:
    out = []
    for m in metrics._ANSWER_PHRASE_RE.finditer(text):
        c = metrics._phrase_candidate(m)
        if c is not None:
            out.append(c)
    return out


ANSWER_BITS = st.sampled_from(
    ["the ", "The ", "final ", "Final ", "answer", "Answer", "ANSWER", " is ", " is", "should be ", ": ", "=", "\n",
     "\n\n", "  ", "\t", "**", "\\boxed{", "}", "{", "42", "7", "x", ".", ", ", "so ", "correct", "bathe ", "ſ", "K"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANSWER_BITS, max_size=40).map("".join))
def test_answer_statements(text):
    assert metrics._phrase_candidates(text) == _phrase_candidates_plain(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANSWER_BITS, max_size=60).map("".join), st.lists(st.integers(0, 400), max_size=12))
def test_answer_scan_on_a_growing_text(text, cuts):
    scan = AnswerScan()
    for c in sorted(set(c for c in cuts if 0 < c < len(text))) + [len(text)]:
        prefix = text[:c]
        assert scan.candidates(prefix) == _phrase_candidates_plain(prefix)
        assert scan.boxed(prefix) == [(i, metrics.normalize_answer(x)) for i, x in metrics._boxed_all(prefix)]


def test_answer_scan_settles_far_from_the_end():
    text = ("So the answer is 12. " + "word " * 40 + "\n\n") * 20
    scan = AnswerScan()
    scan.candidates(text)
    assert scan._done >= 19 and len(scan._found) >= 19


# ----------------------------------------------------------------------------- counts
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["Wait", " wait,", "Hmm", " hmmm", "hold on", "Hold\non", " another way", " another  way",
                                 "Alternatively", " different method", " x", "\n\n", "\n", " ", "ſ"]), max_size=40)
       .map("".join))
def test_counts_add_up_over_paragraphs(text):
    a = analyze(text)
    steps, phases = a.steps, a.phases
    plain = compute_metrics(text, steps, phases, "", None, a.metrics.paragraphs)
    assert plain.to_dict() == a.metrics.to_dict()
    assert text_counts(text)[1] == len(metrics.PIVOT_RE.findall(text))
    assert text_counts(text)[2] == len(metrics.SWITCH_RE.findall(text))


LABELS7 = ["Read", "Analyze", "Plan", "Implement", "Explore", "Verify", "Monitor"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(LABELS7 + ["Verify", "Monitor"]), min_size=1, max_size=6), max_size=8))
def test_label_stats_add_up(pars):
    spans, labels = [], []
    pos = 0
    acc = LabelStats()
    for labs in pars:
        sp = []
        for lab in labs:
            sp.append((pos, pos + 3 + len(lab)))
            pos += 10
        acc.add(LabelStats.of(sp, labs))
        spans += sp
        labels += labs
    whole = LabelStats.of(spans, labels)
    for attr in ("counts", "chars", "episodes", "first_verify", "trans", "first_label", "last_label"):
        assert getattr(acc, attr) == getattr(whole, attr)


# ----------------------------------------------------------------------------- phases
SUMMARY = st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.integers(1, 150),
                    st.booleans(), st.booleans())


def _summaries(rows):
    out = []
    pos = step = 0
    for i, (read_only, opener, so_opener, commit, interim, size, candidate, abandons) in enumerate(rows):
        out.append(ParSummary(i, pos, pos + size, step, step + 1, read_only, opener, so_opener, commit, interim,
                              candidate, abandons, "General"))
        pos += size + 2
        step += 2
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(SUMMARY, max_size=30), st.lists(SUMMARY, max_size=30), st.randoms(use_true_random=False))
def test_phase_tracker_equals_phase_paragraphs(rows, opens, rnd):
    pars = _summaries(rows)
    tracker = PhaseTracker()
    for i, par in enumerate(pars):
        tracker.append(par)
        if rnd.random() < 0.5:  # a snapshot with a provisional open paragraph after it
            nxt = _summaries(rows[: i + 1] + [opens[i % len(opens)] if opens else rows[i]])[-1]
            closed = rnd.random() < 0.2
            assert tracker.phases(nxt, closed) == phase_paragraphs(pars[: i + 1] + [nxt], closed)
        if rnd.random() < 0.3:
            closed = rnd.random() < 0.5
            assert tracker.phases(None, closed) == phase_paragraphs(pars[: i + 1], closed)
    assert tracker.phases(None, True) == phase_paragraphs(pars, True)


# ----------------------------------------------------------------------------- live feeding
def _live(text: str, sizes: list[int], snap_every: int, answer: str = "") -> IncrementalAnalyzer:
    inc = IncrementalAnalyzer()
    pos = seen = k = 0
    while pos < len(text):
        n = sizes[k % len(sizes)]
        inc.feed(text[pos:pos + n])
        pos += n
        k += 1
        new = inc.steps_since(seen)
        fresh = IncrementalAnalyzer()
        fresh.feed(text[:pos])
        assert [s.to_dict() for s in new] == [s.to_dict() for s in fresh.steps_since(seen)]
        seen = inc.frozen_steps
        if k % snap_every == 0:
            snap = inc.snapshot(answer)
            assert snap is inc.snapshot(answer)  # cached while nothing changed
            assert snap.to_dict(text[:pos]) == fresh.snapshot(answer).to_dict(text[:pos])
    inc.close()
    return inc


LIVE_ALPHABET = st.sampled_from(
    list("ab .,?!\n\n\n \t\r$\\()`#*=0123456789~") + ["Wait, ", "Hmm. ", "```\n", "~~~\n", "   ```", "So ", "\n \n",
                                                 "Let me check ", "the answer is 5", "\\boxed{3}", "$$", "1. "]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LIVE_ALPHABET, max_size=120).map("".join), st.lists(st.integers(1, 40), min_size=1, max_size=8),
       st.integers(1, 4))
def test_batches_with_polling_equal_batch_and_fresh_analyser(text, sizes, snap_every):
    inc = _live(text, sizes, snap_every, "x")
    assert inc.snapshot("x").to_dict(text) == analyze(text, "x").to_dict(text)


def test_corpus_traces_in_frames(corpus_rows):
    rnd = random.Random(11)
    for row in corpus_rows[1::9]:
        text = row["reasoning"]
        times = [(i, i / 1000) for i in range(1, len(text) + 1, 97)] + [(len(text), 9.0)]
        inc = IncrementalAnalyzer()
        seen = 0
        for k, i in enumerate(range(0, len(text), 700)):
            inc.feed(text[i:i + 700])
            inc.steps_since(seen)
            seen = inc.frozen_steps
            if k % 3 == rnd.randint(0, 2):
                inc.snapshot()
        inc.close()
        assert inc.snapshot(row["answer"], times).to_dict(text) == analyze(text, row["answer"], times).to_dict(text)
