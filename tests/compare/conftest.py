"""Fixtures for the compare tests: a private COT_VIEWER_HOME, the TUI helpers, two runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for folder in (str(HERE), str(HERE.parent / "tui")):  # compare_runs, tui_helpers
    if folder not in sys.path:
        sys.path.insert(0, folder)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private history (and working directory) per test; nothing here needs a network."""
    monkeypatch.setenv("COT_VIEWER_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"
