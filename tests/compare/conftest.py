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
    monkeypatch.setenv("COT_VIEWER_HOME", str(tmp_path / "home"))
    for var in ("DEEPSEEK_API_KEY", "COT_VIEWER_PROVIDER", "OPENAI_BASE_URL", "OPENAI_API_KEY", "COT_VIEWER_THEME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COT_VIEWER_ANALYSIS_NICE", "0")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"
