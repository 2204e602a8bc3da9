"""Shared fixtures. ``tests/`` is put on sys.path so tests (and bench scripts that do the
same) can ``from loopback import LoopbackServer, deepseek_chunks, ...``.

Deliberately no ``tests/__init__.py``: the module is importable as plain ``loopback``
from tests, benchmarks and ``python tests/loopback.py`` alike.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from loopback import LoopbackServer  # noqa: E402


@pytest.fixture
def server():
    """A started :class:`loopback.LoopbackServer` on 127.0.0.1 (``server.base_url``)."""
    with LoopbackServer() as s:
        yield s
