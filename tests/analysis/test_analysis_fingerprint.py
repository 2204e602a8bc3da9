"""The analysis of every corpus trace is exactly what the stored fingerprints say.

Speed-ups of the labeller, features and analyser must not change a label, phase or
metric: ``tools/analysis_fingerprint.py`` hashes ``analyze()``'s output for each trace of
the shared corpus, the 60,000-token benchmark trace and each ThinkARM response, and
compares with ``tests/analysis/data/corpus_fingerprints.json``.  Skipped without
``../shared``.
"""

from __future__ import annotations

import importlib
import json

import pytest

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "thought-anchors-math.jsonl"


def _tool():
    return importlib.import_module("analysis_fingerprint")  # tools/ is on sys.path (conftest.py)


def test_corpus_analysis_unchanged():
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not available at {CORPUS}")
    tool = _tool()
    outs = tool.outputs()
    assert all(v.get("incremental_equal", True) for v in outs.values())
    stored = json.loads(tool.STORED.read_text(encoding="utf-8"))
    assert tool.compare(stored, tool.fingerprints(outs)) == []


def test_compare_names_a_changed_trace():
    tool = _tool()
    stored = {"weights": "w", "traces": {"a": "1", "b": "2"}}
    assert tool.compare(stored, {"weights": "w", "traces": {"a": "1", "b": "3"}}) == ["b: 2 -> 3"]
    assert tool.compare(stored, {"weights": "x", "traces": {"a": "1", "b": "2"}})[0].startswith("labeller.json differs")
