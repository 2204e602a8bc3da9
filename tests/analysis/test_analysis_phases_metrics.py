from __future__ import annotations

import json

import pytest

from cot_viewer.analysis import PHASE_KINDS, analyze

TRACE = (
    "Okay, so the problem says a shop sells pens at $2 each. We are given that Ann buys 7 pens.\n\n"  # p0
    "First, I need to find the total cost. The total is 7 * 2 = 14 dollars. "
    "Therefore, the total cost is 14 dollars.\n\n"  # p1 bloom, ends with a candidate answer
    "Wait, let me check that again. 7 * 2 = 14, yes. That matches the earlier result, "
    "so the total stays 14 and nothing changes here at all.\n\n"  # p2 cycle 1 (pivot 1)
    "Hmm, but what if there is a discount? The problem does not mention one, so the price "
    "stays 2 dollars and 7 * 2 = 14 again.\n\n"  # p3 cycle 2 (pivot 2)
    "Alternatively, I could add 2 seven times: 2 + 2 + 2 + 2 + 2 + 2 + 2 = 14. "
    "Same answer as before, so 14 it is.\n\n"  # p4 cycle 3 (switch 1)
    "So the answer is 14."  # p5 final
)


@pytest.fixture(scope="module")
def an():
    return analyze(TRACE, answer="The total is \\boxed{14}.")


def test_phase_structure(an):
    kinds = [p.kind for p in an.phases]
    assert kinds == ["definition", "bloom", "reconstruction", "reconstruction", "reconstruction", "final"]
    assert [p.number for p in an.phases if p.kind == "reconstruction"] == [1, 2, 3]
    for kind in ("definition", "bloom", "final"):
        assert kinds.count(kind) == 1
    assert an.phases[0].first_step == 0 and an.phases[-1].last_step == len(an.steps) - 1
    for a, b in zip(an.phases, an.phases[1:]):
        assert b.first_step == a.last_step + 1 and b.start > a.end
    for st in an.steps:
        ph = an.phases[st.phase]
        assert ph.first_step <= st.index <= ph.last_step


def test_bloom_runs_until_a_candidate_answer_is_stated():
    """A "Wait" after an intermediate result does not end the first attempt; one after the
    first candidate answer does."""
    t = (
        "Okay, so the problem says a box holds 6 rows of 4 eggs and we want the eggs in 3 boxes.\n\n"
        "First, one box: 6 * 4 = 24 eggs in each box, so that part is settled.\n\n"
        "Wait, I should make sure the rows are full. The problem says they are, so each box holds 24.\n\n"
        "Now the three boxes: 3 * 24 = 72. Therefore, the total number of eggs is 72.\n\n"
        "Wait, let me check that again. 24 + 24 + 24 = 72, which matches.\n\n"
        "So the answer is 72."
    )
    an = analyze(t)
    kinds = [(p.kind, p.first_step) for p in an.phases]
    bloom = next(p for p in an.phases if p.kind == "bloom")
    first_wait = an.steps[next(i for i, s in enumerate(an.steps) if t[s.start:s.end].startswith("Wait, I should"))]
    check = an.steps[next(i for i, s in enumerate(an.steps) if t[s.start:s.end].startswith("Wait, let me check"))]
    assert bloom.first_step <= first_wait.index <= bloom.last_step, kinds  # still the first attempt
    assert an.phases[check.phase].kind == "reconstruction", kinds  # after "the total … is 72"


def test_phases_change_only_at_paragraph_boundaries(an):
    for a, b in zip(an.steps, an.steps[1:]):
        if a.phase != b.phase:
            assert a.paragraph != b.paragraph


def test_metrics_counts(an):
    m = an.metrics
    assert m.pivots == 2  # Wait, Hmm
    assert m.approach_switches == 1  # Alternatively
    assert len(m.cycles) == 3
    assert m.cycles[0].number == 1
    p2 = TRACE.split("\n\n")[2]
    assert m.cycles[0].chars == len(p2) and m.cycles[0].words == len(p2.split())
    assert m.verify_episodes >= 1
    assert 0.2 < m.first_verify_at < 0.5
    assert m.final_answer == "14"
    # "14" first appears as a result ("= 14") in the bloom paragraph
    first = TRACE.index("= 14") + len("= 14")
    assert m.first_answer_at == round(first / len(TRACE), 4)
    assert m.candidate_answers == ["14"]
    assert abs(sum(m.label_share.values()) - 1) < 1e-3
    assert set(m.phase_share) == set(PHASE_KINDS)
    assert m.phase_seconds is None


def test_timing_gives_seconds_per_phase():
    n = len(TRACE)
    char_times = [(i, 1.0 + i / 100) for i in range(50, n, 50)] + [(n, 1.0 + n / 100)]
    an = analyze(TRACE, char_times=char_times)
    secs = [p.seconds for p in an.phases]
    assert all(s is not None and s >= 0 for s in secs)
    m = an.metrics
    assert m.first_token_seconds == pytest.approx(1.5)
    assert sum(secs) == pytest.approx(m.thinking_seconds, abs=1e-6)
    assert sum(m.phase_seconds.values()) == pytest.approx(m.thinking_seconds, abs=1e-6)
    assert all(c.seconds is not None for c in m.cycles)


def test_flip_flopping_candidates():
    t = (
        "Okay, the problem asks for x.\n\nSo x = 3, and the answer is 3.\n\n"
        "Wait, I made an error. The answer is 4.\n\nHmm, no, the answer is 3."
    )
    m = analyze(t).metrics
    assert m.candidate_answers == ["3", "4"]
    assert m.answer_flips == 2
    assert m.final_answer == "3"


def test_to_dict_is_json_and_has_text(an):
    d = an.to_dict(TRACE)
    json.dumps(d)
    assert d["schema"] == 1
    assert d["steps"][0]["text"] == TRACE[d["steps"][0]["start"]:d["steps"][0]["end"]]
    assert "text" not in an.to_dict()["steps"][0]
    assert d["metrics"]["cycle_count"] == 3
    assert set(d["metrics"]) >= {
        "pivots", "approach_switches", "verify_episodes", "first_verify_at", "cycles",
        "label_share", "phase_share", "phase_seconds", "first_answer_at", "candidate_answers",
    }


def test_small_and_empty_traces():
    assert analyze("").steps == [] and analyze("").phases == []
    one = analyze("Okay, the problem says 2 + 2.")
    assert [p.kind for p in one.phases] == ["definition"]
    two = analyze("Okay, the problem says 2 + 2.\n\nSo the answer is 4.")
    assert [p.kind for p in two.phases][0] == "definition"


def test_corpus_phases(corpus_rows):
    for row in corpus_rows:
        an = analyze(row["reasoning"], row.get("answer", ""))
        kinds = [p.kind for p in an.phases]
        assert kinds[0] == "definition" and kinds[1] == "bloom" and kinds[-1] == "final"
        assert kinds.count("definition") == kinds.count("bloom") == kinds.count("final") == 1
        nums = [p.number for p in an.phases if p.kind == "reconstruction"]
        assert nums == list(range(1, len(nums) + 1))
        if row.get("expected_answer") and row.get("correct"):
            assert an.metrics.final_answer is not None


def test_paragraph_bands_and_label_transitions(an):
    from cot_viewer.analysis import BANDS

    pars: dict[int, set[str]] = {}
    for st in an.steps:
        assert st.band in BANDS
        pars.setdefault(st.paragraph, set()).add(st.band)
    assert all(len(b) == 1 for b in pars.values())  # one band per paragraph
    band_of = {p: next(iter(b)) for p, b in pars.items()}
    assert band_of[2] == "Verify"  # "Wait, let me check that again. …"
    assert band_of[3] == "Explore"  # "Hmm, but what if there is a discount? …"
    m = an.metrics
    pairs: dict[tuple[str, str], int] = {}
    for a, b in zip(an.steps, an.steps[1:]):
        pairs[(a.label, b.label)] = pairs.get((a.label, b.label), 0) + 1
    assert {(a, b): n for a, row in m.label_transitions.items() for b, n in row.items() if n} == pairs
    assert sum(m.band_share.values()) == pytest.approx(1, abs=1e-3) and m.band_share["Verify"] > 0


def test_bands_and_transitions_reach_the_json_and_the_handout(an):
    from cot_viewer.commands.analyze import render_text, to_json
    from cot_viewer.export.outline import outline_sections
    from cot_viewer.transcript import Transcript

    tr = Transcript(prompt="Pens", messages=[], status="complete")
    tr.set_text(TRACE, "The total is \\boxed{14}.")
    d = to_json(tr, an)["analysis"]
    assert {s["band"] for s in d["steps"]} >= {"General", "Verify"}
    assert d["metrics"]["label_transitions"]["Implement"] == an.metrics.label_transitions["Implement"]
    text = render_text(tr, an)
    assert "paragraph bands:" in text and "transitions:" in text and "—" not in text.split("\n==")[0]
    sections = {s.title: s for s in outline_sections(tr)}
    rows = dict(sections["Label transitions (what the next step was)"].rows)
    assert rows["After Implement"].startswith(max(an.metrics.label_transitions["Implement"].items(),
                                                 key=lambda kv: kv[1])[0])
    metrics = dict(sections["Metrics of the reasoning"].rows)
    assert "—" not in metrics["Verify episodes"] and "—" not in metrics["Final answer (first reached)"]
    assert any("(in a Verify paragraph)" in str(line) for s in sections.values() for line in s.lines)
