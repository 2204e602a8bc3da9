"""Analysis.to_dict → from_dict → to_dict is the identity (the TUI's analysis child sends dicts)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cot_viewer.analysis import Analysis, Metrics, Phase, Step, analyze

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from loopback import synthetic_answer, synthetic_reasoning  # noqa: E402

SAMPLE = (
    "Okay, so I need to find the value of (2k)! / k! for k = 3. The problem says k is 3.\n\n"
    "First, I'll compute 6! = 720. Then 3! = 6, so 720 / 6 = 120.\n\n"
    "Wait, let me check. $6! = 720$ and $$3! = 6.$$ Yes, that's right.\n \n"
    "Hmm. Maybe there's another way? Alternatively, 6*5*4 = 120.\n\n\n"
    "So the answer is \\(\\boxed{120}\\)."
)


def roundtrip(a: Analysis) -> None:
    d = a.to_dict()
    back = Analysis.from_dict(json.loads(json.dumps(d)))  # through JSON, as over the pipe
    assert back.to_dict() == d
    assert back == a  # dataclass equality: the same steps, phases and metrics
    assert all(type(s) is Step for s in back.steps) and all(type(p) is Phase for p in back.phases)
    assert type(back.metrics) is Metrics


def test_roundtrip_sample_with_times():
    times = [(i * 10, i * 0.01) for i in range(1, len(SAMPLE) // 10 + 1)] + [(len(SAMPLE), 9.5)]
    roundtrip(analyze(SAMPLE, "The answer is $\\boxed{120}$.", times))


def test_roundtrip_empty_and_untimed():
    roundtrip(analyze(""))
    roundtrip(analyze(SAMPLE))


def test_roundtrip_synthetic_long():
    text = synthetic_reasoning(3000)
    times = [(n, n / 1000.0) for n in range(4, len(text) + 1, 4)]
    roundtrip(analyze(text, synthetic_answer(), times))


def test_step_text_is_dropped():
    a = analyze(SAMPLE)
    assert Analysis.from_dict(a.to_dict(SAMPLE)).to_dict() == a.to_dict()
