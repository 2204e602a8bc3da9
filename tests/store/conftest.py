"""Fixtures for the history tests: a private COT_VIEWER_HOME and transcript builders."""

from __future__ import annotations

from pathlib import Path

import pytest

from cot_viewer.stream.events import AnswerDelta, Finish, ReasoningDelta, StreamEnd, Usage
from cot_viewer.transcript import Transcript


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("COT_VIEWER_HOME", str(h))
    return h


@pytest.fixture
def make_transcript():
    def make(prompt="What is 2+2?", reasoning="Let me think. Two plus two is four.", answer="The answer is 4.",
             *, finish="stop", chunk=4, model="test-model", created=None) -> Transcript:
        tr = Transcript(prompt=prompt, messages=[{"role": "user", "content": prompt}], model=model)
        if created is not None:
            tr.created = created
        t = 0.0
        for i in range(0, len(reasoning), chunk):
            t += 0.02
            tr.apply(ReasoningDelta(t, reasoning[i:i + chunk]))
        for i in range(0, len(answer), chunk):
            t += 0.02
            tr.apply(AnswerDelta(t, answer[i:i + chunk]))
        if finish is not None:
            tr.apply(Finish(t, finish))
            tr.apply(Usage(t, {"prompt_tokens": 5, "completion_tokens": 20,
                               "completion_tokens_details": {"reasoning_tokens": 12}}))
        tr.apply(StreamEnd(t + 0.01, finish is not None))
        return tr

    return make
