"""TUI test fixtures: a private COT_VIEWER_HOME (and cwd), no keys from the environment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("COT_VIEWER_HOME", str(tmp_path / "home"))
    for var in ("DEEPSEEK_API_KEY", "COT_VIEWER_PROVIDER", "OPENAI_BASE_URL", "OPENAI_API_KEY", "COT_VIEWER_THEME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"

