"""The trained labeller: shipped weights, deterministic pure-Python inference, and its
agreement with the human labels of ThinkARM's held-out test problems."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from cot_viewer.analysis import LABELS, analyze
from cot_viewer.analysis.labeller import ANSWER_AS, WEIGHTS_PATH, Labeller, default_labeller

REPO = Path(__file__).resolve().parents[2]
GOLD = REPO.parent / "shared" / "corpus" / "thinkarm-gold.jsonl"
TEST_PROBLEMS = ("sum-n-over-n4", "terminating-decimals")  # as in tools/train_labeller.py
# measured once on the test split when the weights were trained (docs/analysis.md) minus a margin
TEST_ACCURACY_FLOOR = 0.745  # measured 0.775
TEST_KAPPA_FLOOR = 0.645  # measured 0.676


def test_the_weights_are_plain_compact_data():
    d = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    assert d["format"] == 1
    assert set(d["classes"]) == {*LABELS, "Answer"}
    assert d["answer_as"] == ANSWER_AS in LABELS
    assert len(d["bias"]) == len(d["classes"])
    assert all(len(w) == len(d["classes"]) for w in d["weights"].values())
    assert WEIGHTS_PATH.stat().st_size < 3_000_000


def test_inference_needs_no_third_party_module():
    code = ("import sys\nfrom cot_viewer.analysis import analyze\n"
            "analyze('Okay. So 2 + 2 = 4.\\n\\nWait, let me check.')\n"
            "bad = [m for m in ('numpy', 'sklearn', 'scipy') if m in sys.modules]\nprint(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_labels_are_deterministic_and_follow_the_text_before():
    text = "Okay, the problem asks for 2 + 3.\n\nSo 2 + 3 = 5.\n\nWait, let me check that. Yes, 5 is right."
    first = [s.label for s in analyze(text).steps]
    assert first == [s.label for s in analyze(text).steps]
    assert set(first) <= set(LABELS)
    # a sentence's label depends only on the text up to it
    cut = text.index("\n\nWait")
    assert [s.label for s in analyze(text[:cut]).steps] == first[: len(analyze(text[:cut]).steps)]


def test_a_labeller_from_other_weights_is_used_as_given():
    classes = [*LABELS, "Answer"]
    bias = [0.0] * len(classes)
    bias[classes.index("Explore")] = 1.0
    model = Labeller.from_dict({"format": 1, "classes": classes, "answer_as": ANSWER_AS, "bias": bias,
                                "weights": {"u:check": [0, 0, 0, 0, 0, 5, 0, 0]}})
    assert model.label_sentences(["Maybe so.", "Let me check it."]) == ["Explore", "Verify"]
    bias[classes.index("Answer")] = 9.0
    model = Labeller.from_dict({"format": 1, "classes": classes, "answer_as": ANSWER_AS, "bias": bias, "weights": {}})
    assert model.label_sentences(["The answer is 4."]) == [ANSWER_AS]
    with pytest.raises(ValueError):
        Labeller.from_dict({"format": 99})


def _responses() -> list[list[dict]]:
    if not GOLD.exists():
        pytest.skip(f"ThinkARM gold labels not available at {GOLD}")
    groups: dict[tuple, list[dict]] = {}
    with open(GOLD, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["part"] == "reasoning" and r["problem_key"] in TEST_PROBLEMS:
                groups.setdefault((r["model"], r["problem"]), []).append(r)
    return [sorted(v, key=lambda r: r["index"]) for _, v in sorted(groups.items())]


def test_agreement_with_the_annotators_on_the_test_problems():
    model = default_labeller()
    pairs = []
    for resp in _responses():
        pred = model.label_sentences([r["sentence"] for r in resp])
        pairs.extend((ANSWER_AS if r["label"] == "Answer" else r["label"], p) for r, p in zip(resp, pred))
    n = len(pairs)
    acc = sum(g == p for g, p in pairs) / n
    cg, cp = Counter(g for g, _ in pairs), Counter(p for _, p in pairs)
    pe = sum(cg[k] * cp[k] for k in LABELS) / n / n
    kappa = (acc - pe) / (1 - pe)
    assert n > 800
    assert acc >= TEST_ACCURACY_FLOOR and kappa >= TEST_KAPPA_FLOOR
    assert abs(cp["Verify"] - cg["Verify"]) / n <= 0.06  # Verify share close to the humans'
