"""The history database: connection, pragmas, permissions and migrations.

The schema version lives in ``PRAGMA user_version``; :data:`MIGRATIONS` upgrades any older
database in place, one step at a time, each step in its own transaction. A file that is
not a readable SQLite database is never deleted or overwritten: :class:`StoreError` names
it and says how to start afresh.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from cot_viewer.paths import ensure_private_dir


BUSY_TIMEOUT_MS = 10000  # how long a statement waits for another process's write lock


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


def _v2(db: sqlite3.Connection) -> None:
    """Full-text search: an external-content FTS5 index over prompt, reasoning and answer.

    Rows are indexed when a transcript is final (saved at the end of its stream, imported, or
    swept as interrupted), never while it grows; ``indexed`` says whether a row's current text
    is in the index, so that it can be taken out with exactly the text that was put in.
    The partial index keeps the sweep on open from reading every (large) row.
    """
    run_script(
        db,
        """
        ALTER TABLE transcripts ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX transcripts_streaming ON transcripts(status) WHERE status = 'streaming';
        CREATE VIRTUAL TABLE transcripts_fts USING fts5(
            prompt, reasoning, answer,
            content = 'transcripts', content_rowid = 'rowid',
            tokenize = 'unicode61 remove_diacritics 2'
        );
        INSERT INTO transcripts_fts(transcripts_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0, 1.5)');
        INSERT INTO transcripts_fts(rowid, prompt, reasoning, answer)
            SELECT rowid, prompt, reasoning, answer FROM transcripts WHERE status != 'streaming';
        UPDATE transcripts SET indexed = 1 WHERE status != 'streaming';
        """,
    )


def _v3(db: sqlite3.Connection) -> None:
    """Notes (teacher annotations) on a transcript: on a reasoning step, a span, or the whole."""
    run_script(
        db,
        """
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            transcript_id TEXT NOT NULL,
            part TEXT NOT NULL DEFAULT 'reasoning',
            step INTEGER,
            start INTEGER,
            "end" INTEGER,
            text TEXT NOT NULL,
            created REAL NOT NULL
        );
        CREATE INDEX notes_transcript ON notes(transcript_id, id);
        """,
    )


def _v4(db: sqlite3.Connection) -> None:
    """The thinking controls sent with a request and the price in effect (JSON; NULL before)."""
    run_script(
        db,
        """
        ALTER TABLE transcripts ADD COLUMN settings TEXT;
        ALTER TABLE transcripts ADD COLUMN prices TEXT;
        """,
    )


def _v5(db: sqlite3.Connection) -> None:
    """Where a transcript came from: ``imported`` is 1 for one read from a file, so that
    ``ask -c`` without an id continues the latest conversation the user asked, never a
    file's (whose ``created`` may be anything)."""
    db.execute("ALTER TABLE transcripts ADD COLUMN imported INTEGER NOT NULL DEFAULT 0")


def _v6(db: sqlite3.Connection) -> None:
    """Pairs: two transcripts compared with each other (``cot-viewer compare --save-pair``),
    ``first`` shown as run A. A pair is stored once whichever way round it was given."""
    run_script(
        db,
        """
        CREATE TABLE pairs (
            first TEXT NOT NULL,
            second TEXT NOT NULL,
            created REAL NOT NULL,
            CHECK (first != second)
        );
        CREATE UNIQUE INDEX pairs_unique ON pairs(min(first, second), max(first, second));
        CREATE INDEX pairs_second ON pairs(second);
        CREATE INDEX pairs_first ON pairs(first);
        """,
    )


#: MIGRATIONS[i] upgrades a database from version i to version i + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3, _v4, _v5, _v6]
SCHEMA_VERSION = len(MIGRATIONS)

_MAGIC = b"SQLite format 3\x00"


def check_header(path: Path) -> None:
    """Refuse, before SQLite touches it, a non-empty file that is plainly not a whole database.

    Two cheap checks on the first 100 bytes: the magic string, and (when no write-ahead log
    could hold the missing pages) that the file is as long as its header says. SQLite itself
    only notices a truncated file when a query reaches a missing page.
    """
    try:
        size = path.stat().st_size
        if size == 0:
            return
        with path.open("rb") as f:
            head = f.read(100)
    except OSError:
        return  # connect() reports unreadable files
    if len(head) < 100 or head[:16] != _MAGIC:
        raise damaged(path, "not an SQLite database")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise damaged(path, "bad page size in the header")
    pages = int.from_bytes(head[28:32], "big")
    valid = head[24:28] == head[92:96]
    wal = Path(str(path) + "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    if not has_wal and (size % page_size or (valid and pages and size < pages * page_size)):
        raise damaged(path, f"the file is truncated: {size} bytes")


def _probe(db: sqlite3.Connection) -> None:
    """Read enough to surface damage now, as a clean error, rather than mid-command later."""
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    db.execute("PRAGMA user_version").fetchone()
    if "transcripts" in names:
        db.execute("SELECT max(rowid), count(*) FROM transcripts").fetchone()
        db.execute(
            "SELECT id, created, substr(prompt, 1, 40) FROM transcripts ORDER BY created DESC LIMIT 20"
        ).fetchall()


def _wal(db: sqlite3.Connection, wait: float = 10.0) -> None:
    """Switch to write-ahead logging. SQLite does not wait on a busy database for this (two
    processes creating the history at once), so retry here for up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


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
    check_header(path)
    db = None
    try:
        db = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _probe(db)
        _wal(db)
        db.execute("PRAGMA synchronous = NORMAL")
        _migrate(db)
        for side in ("-wal", "-shm"):
            p = Path(str(path) + side)
            if os.name != "nt" and p.exists() and p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        return db
    except sqlite3.DatabaseError as exc:
        if db is not None:
            db.close()
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise StoreError(f"the history database {path} is busy (another cot-viewer is upgrading or writing it) — try again") from None
        if isinstance(exc, sqlite3.OperationalError) and ("readonly" in str(exc) or "unable to open" in str(exc)):
            raise StoreError(f"cannot write the history database {path}: {exc} — set COT_VIEWER_HOME to a writable folder, or use --no-save") from None
        raise damaged(path, exc) from None
    except StoreError:
        if db is not None:
            db.close()
        raise


def damaged(path: Path, exc: object) -> StoreError:
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
