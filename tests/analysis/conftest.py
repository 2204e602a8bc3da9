"""Fixtures for the analysis tests.

The real-corpus tests read ``../shared/corpus`` next to the repository and skip cleanly
when it is absent.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # allow running without an installed package
    sys.path.insert(0, str(REPO))
if str(REPO / "tools") not in sys.path:  # the developer tools the tests drive (label_selfcheck)
    sys.path.append(str(REPO / "tools"))

CORPUS = REPO.parent / "shared" / "corpus" / "thought-anchors-math.jsonl"


@pytest.fixture(scope="session")
def corpus_rows() -> list[dict]:
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not available at {CORPUS}")
    with open(CORPUS, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def corpus_path() -> Path:
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not available at {CORPUS}")
    return CORPUS
