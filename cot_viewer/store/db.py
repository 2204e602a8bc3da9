"""The history database: connection, pragmas, permissions and migrations.

The schema version lives in ``PRAGMA user_version``; :data:`MIGRATIONS` upgrades any older
database in place, one step at a time, each step in its own transaction. A file that is
not a readable SQLite database is never deleted or overwritten: :class:`StoreError` names
it and says how to start afresh.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from cot_viewer.paths import ensure_private_dir


class StoreError(Exception):
    """The history cannot be opened or written; the message is one line for a person."""


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction (``executescript`` would commit)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""
    if pending.strip():
        db.execute(pending)


def _v1(db: sqlite3.Connection) -> None:
    run_script(
        db,
        """
        CREATE TABLE transcripts (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            conversation_id TEXT NOT NULL,
            parent_id TEXT,
            created REAL NOT NULL,
            updated REAL NOT NULL,
            provider TEXT,
            base_url TEXT,
            model TEXT,
            prompt TEXT NOT NULL,
            messages TEXT NOT NULL,
            reasoning TEXT NOT NULL DEFAULT '',
            answer TEXT NOT NULL DEFAULT '',
            reasoning_len INTEGER NOT NULL DEFAULT 0,
            answer_len INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL,
            finish_reason TEXT,
            usage TEXT,
            error TEXT,
            error_kind TEXT,
            timeline BLOB,
            ttft REAL,
            thinking_s REAL,
            answer_s REAL,
            total_s REAL,
            example INTEGER NOT NULL DEFAULT 0,
            pid INTEGER
        );
        CREATE INDEX transcripts_created ON transcripts(created);
        CREATE INDEX transcripts_conversation ON transcripts(conversation_id, created);
        """
    )


#: MIGRATIONS[i] upgrades a database from version i to version i + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the history database at ``path``, upgraded to the latest schema."""
    try:
        ensure_private_dir(path.parent)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
            os.close(fd)
        elif os.name != "nt" and path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError as exc:
        raise StoreError(f"cannot write the history in {path.parent}: {exc.strerror or exc} — set COT_VIEWER_HOME to a writable folder, or use --no-save") from None
    if not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"the history database {path} is not readable and writable by you — fix its permissions or set COT_VIEWER_HOME")
    try:
        db = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout = 10000")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        _migrate(db)
        for side in ("-wal", "-shm"):
            p = Path(str(path) + side)
            if os.name != "nt" and p.exists() and p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        return db
    except sqlite3.DatabaseError as exc:
        raise damaged(path, exc) from None


def damaged(path: Path, exc: Exception) -> StoreError:
    return StoreError(
        f"the history database {path} is damaged ({exc}); it was left untouched — "
        f"run `cot-viewer history reset` to move it aside and start a fresh one"
    )


def _migrate(db: sqlite3.Connection) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the history database was written by a newer cot-viewer (schema {version} > {SCHEMA_VERSION}) — upgrade cot-viewer"
        )
    while version < SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")
        try:
            # another process may have migrated while we waited for the lock
            current = db.execute("PRAGMA user_version").fetchone()[0]
            if current == version:
                MIGRATIONS[version](db)
                db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        version = db.execute("PRAGMA user_version").fetchone()[0]
