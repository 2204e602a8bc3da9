"""Transcripts in SQLite: saved while streaming, listed, fetched, grouped in conversations.

A transcript being streamed is stored with status ``streaming`` and the writer's pid. If
that process dies (``kill -9``, a crash, a closed laptop), the next process to open the
history marks it ``interrupted``: whatever reached the database — at most half a second
behind the stream — is kept.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cot_viewer.paths import db_path
from cot_viewer.store.db import StoreError, connect, damaged
from cot_viewer.stream.events import Event
from cot_viewer.transcript import Timeline, Transcript

SAVE_INTERVAL = 0.5  # seconds: the most a crash can lose


class NotFound(StoreError):
    pass


@dataclass(frozen=True)
class Summary:
    """One row of ``history list``: everything but the text."""

    id: str
    conversation_id: str
    created: float
    provider: str | None
    model: str | None
    status: str
    prompt: str
    thinking_s: float | None
    reasoning_len: int
    answer_len: int
    example: bool

    def to_dict(self) -> dict:
        from datetime import datetime, timezone

        d = dict(self.__dict__)
        d["created"] = datetime.fromtimestamp(self.created, timezone.utc).isoformat().replace("+00:00", "Z")
        return d


_COLUMNS = (
    "id, conversation_id, parent_id, created, updated, provider, base_url, model, prompt, messages, "
    "reasoning, answer, reasoning_len, answer_len, status, finish_reason, usage, error, error_kind, "
    "timeline, ttft, thinking_s, answer_s, total_s, example, pid"
)
_UPSERT = (
    f"INSERT INTO transcripts ({_COLUMNS}) VALUES ({', '.join('?' * len(_COLUMNS.split(',')))}) "
    "ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(
        f"{c} = excluded.{c}"
        for c in (x.strip() for x in _COLUMNS.split(","))
        if c not in ("id", "created")
    )
)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class History:
    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: Path | None = None) -> "History":
        path = path or db_path()
        history = cls(connect(path), path)
        history.sweep()
        return history

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------
    def save(self, tr: Transcript, *, live: bool = False) -> None:
        """Insert or update ``tr``. ``live`` marks it as being streamed by this process."""
        timing = tr.timing
        row = (
            tr.id, tr.conversation_id, tr.parent_id, tr.created, time.time(), tr.provider,
            tr.base_url, tr.model, tr.prompt, json.dumps(tr.messages, ensure_ascii=False),
            tr.reasoning, tr.answer, tr.reasoning_len, tr.answer_len,
            "streaming" if live else tr.status, tr.finish_reason,
            json.dumps(tr.usage) if tr.usage is not None else None, tr.error, tr.error_kind,
            tr.timeline.pack(), timing.ttft, timing.thinking_s, timing.answer_s, timing.total_s,
            int(tr.example), os.getpid() if live else None,
        )
        try:
            self.db.execute(_UPSERT, row)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        self._saved(tr)

    def _saved(self, tr: Transcript) -> None:
        """Hook for what must follow a save (e.g. the search index); nothing in schema 1."""

    def recorder(self, tr: Transcript, *, clock: Callable[[], float] = time.monotonic) -> "Recorder":
        return Recorder(tr, self, clock=clock)

    def sweep(self) -> int:
        """Mark transcripts whose writer died as interrupted. Returns how many."""
        try:
            rows = self.db.execute(
                "SELECT id, pid FROM transcripts WHERE status = 'streaming'"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        dead = [tid for tid, pid in rows if pid is None or not _pid_alive(pid)]
        for tid in dead:
            self.db.execute(
                "UPDATE transcripts SET status = 'interrupted', pid = NULL, "
                "error = coalesce(error, 'the program stopped before the stream ended'), "
                "error_kind = coalesce(error_kind, 'connection') WHERE id = ? AND status = 'streaming'",
                (tid,),
            )
            self._swept(tid)
        return len(dead)

    def _swept(self, tid: str) -> None:
        """Hook for what must follow marking a transcript interrupted."""

    # -- reading ------------------------------------------------------------------
    def list(self, limit: int = 20, offset: int = 0) -> list[Summary]:
        try:
            rows = self.db.execute(
                "SELECT id, conversation_id, created, provider, model, status, substr(prompt, 1, 200), "
                "thinking_s, reasoning_len, answer_len, example FROM transcripts "
                "ORDER BY created DESC, rowid DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        return [Summary(*r[:10], bool(r[10])) for r in rows]

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM transcripts").fetchone()[0]

    def resolve_id(self, ref: str) -> str:
        """A full id from an id or a unique prefix of one."""
        ref = ref.strip()
        if not ref:
            raise NotFound("no transcript id given")
        pattern = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute(
            "SELECT id FROM transcripts WHERE id LIKE ? ESCAPE '\\' LIMIT 2", (pattern,)
        ).fetchall()
        if not rows:
            raise NotFound(f"no transcript {ref!r} in the history — `cot-viewer history list` shows the ids")
        if len(rows) > 1:
            raise NotFound(f"{ref!r} matches more than one transcript — give more of the id")
        return rows[0][0]

    def get(self, ref: str) -> Transcript:
        tid = self.resolve_id(ref)
        try:
            row = self.db.execute(f"SELECT {_COLUMNS} FROM transcripts WHERE id = ?", (tid,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        return _from_row(row)

    def latest(self) -> Transcript | None:
        row = self.db.execute(
            "SELECT id FROM transcripts WHERE example = 0 ORDER BY created DESC, rowid DESC LIMIT 1"
        ).fetchone()
        return self.get(row[0]) if row else None

    def conversation(self, conversation_id: str) -> list[Transcript]:
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM transcripts WHERE conversation_id = ? ORDER BY created, rowid",
            (conversation_id,),
        ).fetchall()
        return [_from_row(r) for r in rows]

    def delete(self, ids: list[str]) -> int:
        n = 0
        for tid in ids:
            n += self.db.execute("DELETE FROM transcripts WHERE id = ?", (tid,)).rowcount
        return n

    def _error(self, exc: sqlite3.DatabaseError) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return StoreError(f"the history database {self.path} is busy (another cot-viewer is writing) — try again")
        if isinstance(exc, sqlite3.OperationalError) and ("readonly" in str(exc) or "disk" in str(exc)):
            return StoreError(f"cannot write the history database {self.path}: {exc}")
        return damaged(self.path, exc)


def _from_row(row: tuple) -> Transcript:
    (tid, conv, parent, created, _updated, provider, base_url, model, prompt, messages,
     reasoning, answer, _rlen, _alen, status, finish, usage, error, error_kind, timeline,
     _ttft, _think, _ans, total, example, _pid) = row
    tr = Transcript(
        prompt=prompt, messages=json.loads(messages), provider=provider, base_url=base_url,
        model=model, id=tid, conversation_id=conv, parent_id=parent, created=created,
        status=status, finish_reason=finish, usage=json.loads(usage) if usage else None,
        error=error, error_kind=error_kind, example=bool(example),
        timeline=Timeline.unpack(timeline),
    )
    tr.set_text(reasoning, answer)
    tr._end_t = total
    return tr


class Recorder:
    """Applies events to a transcript and saves it at most every half second, and at the end."""

    def __init__(
        self, tr: Transcript, history: History | None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.transcript = tr
        self.history = history
        self.clock = clock
        self.error: str | None = None  # why saving failed, if it did
        self.saved = False
        self._last = clock()
        self._dirty = False
        if history is not None:
            self._save(live=True)

    def apply(self, e: Event) -> None:
        self.transcript.apply(e)
        self._dirty = True
        if self.history is not None:
            now = self.clock()
            if now - self._last >= SAVE_INTERVAL:
                self._last = now
                self._save(live=True)

    def _save(self, *, live: bool) -> None:
        if self.history is None or (self.error and live):
            return
        try:
            self.history.save(self.transcript, live=live)
            self.saved = True
            self.error = None
        except (StoreError, sqlite3.Error, OSError) as exc:
            self.error = str(exc)

    def close(self) -> None:
        """Final save (status as the transcript has it)."""
        self._save(live=False)
