from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cot_viewer.analysis import IncrementalAnalyzer, analyze
from cot_viewer.analysis import core as core_mod
from cot_viewer.analysis.labeller import Labeller

SAMPLE = (
    "Okay, so I need to find the value of (2k)! / k! for k = 3. The problem says k is 3.\n\n"
    "First, I'll compute 6! = 720. Then 3! = 6, so 720 / 6 = 120.\n\n"
    "Wait, let me check. $6! = 720$ and $$3! = 6.$$ Yes, that's right.\n \n"
    "```python\nimport math\n\nprint(math.factorial(6) // math.factorial(3))\n```\n\n"
    "Hmm. Maybe there's another way? Alternatively, 6*5*4 = 120.\n\n\n"
    "So the answer is \\(\\boxed{120}\\)."
)

ALPHABET = st.sampled_from(list("ab .,?!\n\n\n$\\()[]`#*=0123456789") + ["Wait, ", "Hmm. ", "```\n", "So ", "Let me check "])


def feed_in_pieces(text: str, cuts: list[int]) -> IncrementalAnalyzer:
    inc = IncrementalAnalyzer()
    pos = 0
    for c in sorted(set(c for c in cuts if 0 < c < len(text))) + [len(text)]:
        inc.feed(text[pos:c])
        pos = c
    inc.close()
    return inc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=len(SAMPLE)), max_size=60))
def test_any_split_of_sample_equals_batch(cuts):
    inc = feed_in_pieces(SAMPLE, cuts)
    assert inc.snapshot().to_dict(SAMPLE) == analyze(SAMPLE).to_dict(SAMPLE)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=80).map("".join), st.lists(st.integers(min_value=0, max_value=400), max_size=30))
def test_any_split_of_random_text_equals_batch(text, cuts):
    inc = feed_in_pieces(text, cuts)
    assert inc.snapshot().to_dict(text) == analyze(text).to_dict(text)


def test_answer_and_timing_pass_through():
    inc = feed_in_pieces(SAMPLE, [10, 50, 200])
    times = [(i, i / 10) for i in range(5, len(SAMPLE), 7)] + [(len(SAMPLE), 99.0)]
    assert inc.snapshot("x \\boxed{7}", times).to_dict() == analyze(SAMPLE, "x \\boxed{7}", times).to_dict()


def test_closed_paragraph_labels_are_frozen_while_streaming():
    rnd = random.Random(7)
    inc = IncrementalAnalyzer()
    frozen: dict[int, tuple[int, int, str]] = {}
    pos = 0
    while pos < len(SAMPLE):
        k = rnd.randint(1, 6)
        inc.feed(SAMPLE[pos:pos + k])
        pos += k
        text = SAMPLE[:pos]
        steps = inc.steps_since(0)
        snap = inc.snapshot()
        assert [(s.start, s.end, s.label) for s in steps] == [(s.start, s.end, s.label) for s in snap.steps]
        for s in steps[: inc.frozen_steps]:
            key = (s.start, s.end, s.label)
            assert frozen.setdefault(s.index, key) == key
            assert text[s.start:s.end] == SAMPLE[s.start:s.end]
    inc.close()
    final = {s.index: (s.start, s.end, s.label) for s in inc.snapshot().steps}
    for i, key in frozen.items():
        assert final[i] == key


def test_paragraph_freezes_when_blank_line_arrives():
    inc = IncrementalAnalyzer()
    inc.feed("Okay, the problem says x = 2. Let me check")
    assert inc.frozen_steps == 0
    inc.feed(" it.\n")
    assert inc.frozen_steps == 0
    inc.feed("\nSo")
    assert inc.frozen_steps == 2
    v = inc.version
    inc.feed(" x is 2.")
    assert inc.version > v
    new = inc.steps_since(2)
    assert [s.index for s in new] == [2]
    assert new[0].phase == -1


def test_feed_after_close_is_an_error():
    inc = IncrementalAnalyzer()
    inc.feed("Hi.")
    inc.close()
    with pytest.raises(RuntimeError):
        inc.feed("more")


def test_feeding_is_linear_in_characters_segmented(monkeypatch):
    """Each delta must not re-segment the whole text: count characters handed to the
    sentence splitter while feeding a long multi-paragraph trace in 4-char tokens."""
    para = "Let me compute 2 + 2 = 4. Then 4 * 3 = 12, so the total is 12. Wait, let me check it again.\n\n"
    text = "Okay, so the problem says we add numbers.\n\n" + para * 200
    segmented = 0
    real = core_mod.sentence_spans

    def counting(t, s, e):
        nonlocal segmented
        segmented += e - s
        return real(t, s, e)

    monkeypatch.setattr(core_mod, "sentence_spans", counting)
    inc = IncrementalAnalyzer()
    for i in range(0, len(text), 4):
        inc.feed(text[i:i + 4])
    inc.close()
    assert segmented <= 1.05 * len(text)  # every paragraph segmented once
    batch_count = segmented
    segmented = 0
    analyze(text)
    assert segmented == pytest.approx(batch_count, rel=0.05)


def test_corpus_trace_incremental_equals_batch(corpus_rows):
    rnd = random.Random(3)
    for row in corpus_rows[::8]:
        text = row["reasoning"]
        cuts = [rnd.randint(0, len(text)) for _ in range(len(text) // 5)]
        inc = feed_in_pieces(text, cuts)
        assert inc.snapshot().to_dict(text) == analyze(text).to_dict(text)


def test_incremental_with_prompt_equals_batch(corpus_rows):
    """``prompt=`` reaches the labels the same way in both analysers."""
    import random

    rnd = random.Random(7)
    for row in corpus_rows[::5]:
        text, prompt = row["reasoning"], row["prompt"]
        inc = IncrementalAnalyzer(prompt=prompt)
        pos = 0
        while pos < len(text):
            step = rnd.randint(1, 400)
            inc.feed(text[pos:pos + step])
            pos += step
            if rnd.random() < 0.1:
                inc.snapshot()
        inc.close()
        got = inc.snapshot()
        want = analyze(text, prompt=prompt)
        assert [(s.start, s.end, s.label) for s in got.steps] == [(s.start, s.end, s.label) for s in want.steps]
        assert got.metrics == want.metrics


def test_repeated_sentences_are_labelled_once_and_the_memo_stays_bounded(monkeypatch):
    """Like analyze(), the incremental analyser labels a sentence it has seen once; its memo
    is cleared past MEMO_MAX entries, and the labels stay those of the batch analysis."""
    calls: list[str] = []
    real = Labeller.sentence

    def counting(self, sent):
        calls.append(sent)
        return real(self, sent)

    monkeypatch.setattr(Labeller, "sentence", counting)
    repeated = "\n\n".join(["Wait, let me check that again. Yes, 6! = 720."] * 50)
    inc = IncrementalAnalyzer()
    for i in range(0, len(repeated), 7):
        inc.feed(repeated[i:i + 7])
    inc.close()
    got = inc.snapshot().to_dict(repeated)
    assert calls.count("Wait, let me check that again.") == 1
    assert got == analyze(repeated).to_dict(repeated)
    monkeypatch.setattr(core_mod, "MEMO_MAX", 10)
    distinct = "\n\n".join(f"Step {i}: so {i} + {i} = {2 * i}. Let me check {i}." for i in range(200))
    inc = IncrementalAnalyzer()
    for i in range(0, len(distinct), 50):
        inc.feed(distinct[i:i + 50])
        inc.steps_since(0)
    inc.close()
    assert len(inc._memo) <= 10 + 4  # cleared past MEMO_MAX (plus one paragraph's sentences)
    assert inc.snapshot().to_dict(distinct) == analyze(distinct).to_dict(distinct)
