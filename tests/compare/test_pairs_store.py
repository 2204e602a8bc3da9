"""Pairs in the history: the schema 6 migration from a real schema-5 file, and the API."""

from __future__ import annotations

import sqlite3

import pytest
from tui_helpers import make_transcript

from cot_viewer.store import db as dbmod
from cot_viewer.store.history import History, NotFound


def _schema5_file(path):
    """A history file exactly as cot-viewer with schema 5 made it (its five migrations), with a row."""
    db = sqlite3.connect(path, isolation_level=None)
    for migrate in dbmod.MIGRATIONS[:5]:
        db.execute("BEGIN")
        migrate(db)
        db.execute("COMMIT")
    db.execute("PRAGMA user_version = 5")
    for tid in ("old000000001", "old000000002"):
        db.execute(
            "INSERT INTO transcripts (id, conversation_id, created, updated, prompt, messages, reasoning, answer, "
            "reasoning_len, answer_len, status, indexed, imported) VALUES (?, ?, 1.0, 1.0, 'an old prompt', '[]', "
            "'old reasoning about zebras', 'forty two', 26, 9, 'complete', 0, 0)", (tid, tid))
    db.close()


def test_schema_5_file_is_upgraded_and_pairs_work(home):
    home.mkdir(mode=0o700)
    path = home / "history.db"
    _schema5_file(path)
    with History.open() as h:
        assert h.db.execute("PRAGMA user_version").fetchone()[0] == dbmod.SCHEMA_VERSION == 6
        assert h.get("old000000001").answer == "forty two"  # rows kept
        assert h.partners("old000000001") == []
        assert h.pair("old000000002", "old000000001") == ("old000000002", "old000000001")
    with History.open() as h:  # stays upgraded, the pair persists
        assert h.partners("old000000001") == ["old000000002"]
        assert h.pair_of("old000000001") == ("old000000002", "old000000001")


def test_pair_api(home):
    a, b, c = (make_transcript("r", "x", id=i * 12) for i in "abc")
    with History.open() as h:
        for tr in (a, b, c):
            h.save(tr)
        assert h.pair_of(a.id) is None
        assert h.pair(a.id[:5], b.id) == (a.id, b.id)
        assert h.pair(b.id, a.id) == (b.id, a.id)  # the same pair again: still one
        assert h.db.execute("SELECT count(*) FROM pairs").fetchone()[0] == 1
        assert h.pair_of(b.id) == (a.id, b.id)
        h.pair(c.id, a.id)
        assert h.partners(a.id) == [c.id, b.id]  # the latest first
        assert h.pair_of(a.id, b.id) == (a.id, b.id) and h.pair_of(b.id, c.id) is None
        with pytest.raises(ValueError, match="itself"):
            h.pair(a.id, a.id)
        with pytest.raises(NotFound):
            h.pair(a.id, "nosuchid")
        h.delete([a.id])  # a deleted transcript leaves no pair behind
        assert h.partners(b.id) == [] and h.partners(c.id) == []
