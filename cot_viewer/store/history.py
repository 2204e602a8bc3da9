"""Transcripts in SQLite: saved while streaming, listed, searched, annotated, imported.

A transcript being streamed is stored with status ``streaming`` and the writer's pid. If
that process dies (``kill -9``, a crash, a closed laptop), the next process to open the
history marks it ``interrupted``: whatever reached the database — at most half a second
behind the stream — is kept.

Search (schema 2) is an FTS5 index over prompt, reasoning and answer. A transcript enters
it once its text is final — at the last save of its stream, on import, or when the sweep
marks it interrupted — so the half-second saves of a growing answer cost no indexing.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cot_viewer.paths import db_path
from cot_viewer.safe import terminal_safe
from cot_viewer.store.db import BUSY_TIMEOUT_MS, StoreError, connect, damaged
from cot_viewer.stream.events import Event
from cot_viewer.timestamps import iso_utc
from cot_viewer.transcript import Timeline, Transcript

SAVE_INTERVAL = 0.5  # seconds: the most a crash can lose
LIVE_BUSY_WAIT = 0.05  # seconds a save while streaming waits for another process's write lock
FINAL_WAIT = 10.0  # seconds the final save keeps retrying while another process writes
UNSAVED = "unsaved"  # beside the database: transcripts the final save could not write
PARTS = ("prompt", "reasoning", "answer")
NOTE_PARTS = ("reasoning", "answer")


def _iso(ts: float) -> str:
    return iso_utc(ts)


class NotFound(StoreError):
    pass


class Busy(StoreError):
    """Another process holds the write lock (it may free it in a moment)."""


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
        d = dict(self.__dict__)
        d["created"] = iso_utc(self.created)
        return d


@dataclass(frozen=True)
class SearchHit:
    """One result of :meth:`History.search`.

    ``where`` is the part the snippet comes from ("prompt", "reasoning" or "answer": the one
    with the most hits); ``snippet`` is one line of plain text with each hit marked »like
    this«, and ``highlights`` gives the same marks as ``(start, end)`` offsets of the hit
    text inside ``snippet`` (for a TUI that colours instead). ``rank`` is FTS5's bm25: lower
    is better (the list is sorted by it).
    """

    id: str
    conversation_id: str
    created: float
    model: str | None
    status: str
    prompt: str
    where: str
    snippet: str
    rank: float
    highlights: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["created"] = _iso(self.created)
        d["highlights"] = [list(h) for h in self.highlights]
        return d


@dataclass(frozen=True)
class Note:
    """A teacher's annotation: on reasoning step ``step`` (the analysis' numbering), on the
    characters ``[start, end)`` of the reasoning (or answer: ``part``), or — both None — on
    the whole transcript."""

    id: int
    transcript_id: str
    text: str
    created: float
    part: str = "reasoning"
    step: int | None = None
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "transcript_id": self.transcript_id, **self.to_export()}

    def to_export(self) -> dict:
        """The form in the transcript JSON (``"notes": [...]``)."""
        return {"part": self.part, "step": self.step, "start": self.start, "end": self.end,
                "text": self.text, "created": _iso(self.created)}


@dataclass
class ImportResult:
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the history (same id)


_COLUMNS = (
    "id, conversation_id, parent_id, created, updated, provider, base_url, model, prompt, messages, "
    "reasoning, answer, reasoning_len, answer_len, status, finish_reason, usage, error, error_kind, "
    "timeline, ttft, thinking_s, answer_s, total_s, example, pid, settings, prices"
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
_NOTE_COLUMNS = 'id, transcript_id, text, created, part, step, start, "end"'

# snippet markers: control characters that model text cannot smuggle in (they are removed)
_HIT_ON, _HIT_OFF = "\x02", "\x03"
_SNIPPET_TOKENS = 14
_SPACE = re.compile(r"\s+")


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


def quote_terms(query: str) -> str:
    """``query`` as plain words for FTS5: every whitespace-separated term a quoted string."""
    terms = [t for t in query.split() if t]
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _clean_snippet(raw: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """FTS5's snippet (hits between \\x02 and \\x03) → one line with »hits« and their offsets."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    size = 0
    start = None
    for piece in re.split("([\x02\x03])", _SPACE.sub(" ", raw).strip()):
        if piece == _HIT_ON:
            out.append("»")
            size += 1
            start = size
        elif piece == _HIT_OFF:
            if start is not None:
                spans.append((start, size))
                start = None
            out.append("«")
            size += 1
        elif piece:
            piece = terminal_safe(piece)  # the one gate (safe.py): a snippet is shown as it is
            out.append(piece)
            size += len(piece)
    return "".join(out), tuple(spans)


class History:
    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path
        # one write transaction at a time on this connection, whichever thread writes (runs
        # save from their own threads: cot_viewer/run/)
        self._writing = threading.RLock()

    @classmethod
    def open(cls, path: Path | None = None) -> "History":
        path = path or db_path()
        history = cls(connect(path), path)
        try:
            history.sweep()
            history.adopt_unsaved()
        except BaseException:
            history.close()
            raise
        return history

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite errors → a one-line :class:`StoreError`."""
        try:
            yield
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    @contextmanager
    def _tx(self) -> Iterator[None]:
        """One write transaction (nested uses in the same thread join the outer one; another
        thread waits for it)."""
        with self._writing:
            if self.db.in_transaction:
                yield
                return
            with self._guard():
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    self.db.execute("COMMIT")
                except BaseException:
                    if self.db.in_transaction:
                        self.db.execute("ROLLBACK")
                    raise

    # -- writing ------------------------------------------------------------------
    def save(self, tr: Transcript, *, live: bool = False, busy_wait: float | None = None) -> None:
        """Insert or update ``tr``. ``live`` marks it as being streamed by this process.

        A final save (``live=False``) also puts the text in the search index. ``busy_wait``:
        seconds to wait for another process's write lock before :class:`Busy` (default 10).
        """
        if busy_wait is None:
            with self._tx():
                self._write(tr, live=live)
            return
        with self._writing:  # the connection's busy timeout is this save's until it is done
            self.db.execute(f"PRAGMA busy_timeout = {int(busy_wait * 1000)}")
            try:
                with self._tx():
                    self._write(tr, live=live)
            finally:
                self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _write(self, tr: Transcript, *, live: bool) -> None:
        timing = tr.timing
        row = (
            tr.id, tr.conversation_id, tr.parent_id, tr.created, time.time(), tr.provider,
            tr.base_url, tr.model, tr.prompt, json.dumps(tr.messages, ensure_ascii=False),
            tr.reasoning, tr.answer, tr.reasoning_len, tr.answer_len,
            "streaming" if live else tr.status, tr.finish_reason,
            json.dumps(tr.usage) if tr.usage is not None else None, tr.error, tr.error_kind,
            tr.timeline.pack(), timing.ttft, timing.thinking_s, timing.answer_s, timing.total_s,
            int(tr.example), os.getpid() if live else None, _json_or_null(tr.settings), _json_or_null(tr.prices),
        )
        old = self.db.execute("SELECT rowid, indexed FROM transcripts WHERE id = ?", (tr.id,)).fetchone()
        if old is not None and old[1]:
            self._unindex(old[0])  # with the text that went in, before it changes
        self.db.execute(_UPSERT, row)
        if not live:
            rowid = old[0] if old is not None else self.db.execute(
                "SELECT rowid FROM transcripts WHERE id = ?", (tr.id,)).fetchone()[0]
            self._index(rowid)

    def _index(self, rowid: int) -> None:
        self.db.execute(
            "INSERT INTO transcripts_fts(rowid, prompt, reasoning, answer) "
            "SELECT rowid, prompt, reasoning, answer FROM transcripts WHERE rowid = ? AND indexed = 0",
            (rowid,),
        )
        self.db.execute("UPDATE transcripts SET indexed = 1 WHERE rowid = ?", (rowid,))

    def _unindex(self, rowid: int) -> None:
        self.db.execute(
            "INSERT INTO transcripts_fts(transcripts_fts, rowid, prompt, reasoning, answer) "
            "SELECT 'delete', rowid, prompt, reasoning, answer FROM transcripts WHERE rowid = ? AND indexed = 1",
            (rowid,),
        )
        self.db.execute("UPDATE transcripts SET indexed = 0 WHERE rowid = ?", (rowid,))

    def recorder(self, tr: Transcript, *, clock: Callable[[], float] = time.monotonic) -> "Recorder":
        return Recorder(tr, self, clock=clock)

    def sweep(self) -> int:
        """Mark transcripts whose writer died as interrupted (and index them). Returns how many."""
        with self._guard():
            rows = self.db.execute(
                "SELECT rowid, pid FROM transcripts WHERE status = 'streaming'"
            ).fetchall()
        n = 0
        for rowid, pid in rows:
            if pid is not None and _pid_alive(pid):
                continue
            with self._tx():
                changed = self.db.execute(
                    "UPDATE transcripts SET status = 'interrupted', pid = NULL, "
                    "error = coalesce(error, 'the program stopped before the stream ended'), "
                    "error_kind = coalesce(error_kind, 'connection') WHERE rowid = ? AND status = 'streaming'",
                    (rowid,),
                ).rowcount
                if changed:  # not already swept by another process
                    self._index(rowid)
                    n += 1
        return n

    def adopt_unsaved(self) -> int:
        """Add the transcripts a busy history kept aside (see :class:`Recorder`), as the
        user's own (not imported), and remove their files. Returns how many."""
        folder = self.path.parent / UNSAVED
        if not folder.is_dir():
            return 0
        from cot_viewer.export.transcript_json import FormatError, load_file

        n = 0
        for f in sorted(folder.glob("*.json")):
            try:
                result = self.import_transcripts(load_file(f), imported=False)
            except (FormatError, Busy):
                continue  # unreadable: left for a person; busy: the next open tries again
            n += len(result.imported)
            f.unlink(missing_ok=True)
        return n

    def import_transcripts(self, transcripts: Iterable[Transcript], *, imported: bool = True) -> ImportResult:
        """Add transcripts (with their notes) in one transaction; an id already here is skipped."""
        result = ImportResult()
        with self._tx():
            for tr in transcripts:
                if self.db.execute("SELECT 1 FROM transcripts WHERE id = ?", (tr.id,)).fetchone():
                    result.skipped.append(tr.id)
                    continue
                self._write(tr, live=False)
                if imported:
                    self.db.execute("UPDATE transcripts SET imported = 1 WHERE id = ?", (tr.id,))
                for note in tr.notes:
                    self._insert_note(tr.id, note)
                result.imported.append(tr.id)
        return result

    def live_writers(self, ids: list[str]) -> dict[str, int]:
        """Of ``ids``, those still being streamed by a live process: ``{id: pid}``. Deleting one
        would not stick (its writer saves it again half a second later)."""
        out: dict[str, int] = {}
        for tid in ids:
            row = self.db.execute("SELECT pid FROM transcripts WHERE id = ? AND status = 'streaming'", (tid,)).fetchone()
            if row is not None and row[0] is not None and _pid_alive(row[0]):
                out[tid] = row[0]
        return out

    def delete(self, ids: list[str]) -> int:
        """Delete transcripts (full ids) and their notes. Returns how many were deleted."""
        n = 0
        with self._tx():
            for tid in ids:
                row = self.db.execute("SELECT rowid FROM transcripts WHERE id = ?", (tid,)).fetchone()
                if row is None:
                    continue
                self._unindex(row[0])
                self.db.execute("DELETE FROM notes WHERE transcript_id = ?", (tid,))
                self.db.execute("DELETE FROM pairs WHERE first = ? OR second = ?", (tid, tid))
                n += self.db.execute("DELETE FROM transcripts WHERE rowid = ?", (row[0],)).rowcount
        return n

    # -- pairs (two runs compared) -----------------------------------------------------
    def pair(self, ref_a: str, ref_b: str) -> tuple[str, str]:
        """Link two transcripts (ids or unique prefixes) as a compared pair, ``ref_a`` shown
        as run A. Linking a pair again changes nothing. Returns the full ids."""
        a, b = self.resolve_id(ref_a), self.resolve_id(ref_b)
        if a == b:
            raise ValueError(f"a transcript cannot be paired with itself ({a})")
        with self._tx():
            self.db.execute(
                "INSERT OR IGNORE INTO pairs (first, second, created) VALUES (?, ?, ?)", (a, b, time.time()))
        return a, b

    def partners(self, ref: str) -> list[str]:
        """The ids of the transcripts paired with ``ref``, the latest pair first."""
        tid = self.resolve_id(ref)
        with self._guard():
            rows = self.db.execute(
                "SELECT CASE WHEN first = ? THEN second ELSE first END FROM pairs "
                "WHERE first = ? OR second = ? ORDER BY created DESC, rowid DESC", (tid, tid, tid)).fetchall()
        return [r[0] for r in rows]

    def pair_of(self, ref: str, other: str | None = None) -> tuple[str, str] | None:
        """The latest pair holding ``ref`` (with ``other``, only theirs) as (run A, run B),
        or None when it is paired with nothing."""
        tid = self.resolve_id(ref)
        sql, args = "SELECT first, second FROM pairs WHERE (first = ? OR second = ?)", [tid, tid]
        if other is not None:
            oid = self.resolve_id(other)
            sql += " AND (first = ? OR second = ?)"
            args += [oid, oid]
        with self._guard():
            row = self.db.execute(sql + " ORDER BY created DESC, rowid DESC LIMIT 1", args).fetchone()
        return (row[0], row[1]) if row else None

    # -- notes --------------------------------------------------------------------
    def add_note(
        self, ref: str, text: str, *, step: int | None = None,
        span: tuple[int, int] | None = None, part: str = "reasoning",
    ) -> Note:
        """Annotate transcript ``ref`` (an id or unique prefix). ``span`` is ``(start, end)``,
        character offsets into ``part`` ("reasoning" or "answer"), end exclusive."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("a note needs some text")
        if part not in NOTE_PARTS:
            raise ValueError(f"part must be one of {NOTE_PARTS}, not {part!r}")
        if step is not None and (not isinstance(step, int) or step < 0):
            raise ValueError(f"step must be an index ≥ 0, not {step!r}")
        tid = self.resolve_id(ref)
        start = end = None
        if span is not None:
            start, end = span
            with self._guard():
                length = self.db.execute(
                    f"SELECT {part}_len FROM transcripts WHERE id = ?", (tid,)).fetchone()[0]
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length):
                raise ValueError(f"span must be [start, end) inside the {part} (0 ≤ start < end ≤ {length}), not {span!r}")
        created = time.time()
        with self._tx():
            cur = self.db.execute(
                'INSERT INTO notes (transcript_id, part, step, start, "end", text, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
                (tid, part, step, start, end, text, created),
            )
        return Note(cur.lastrowid, tid, text, created, part, step, start, end)

    def _insert_note(self, tid: str, note: dict) -> None:
        self.db.execute(
            'INSERT INTO notes (transcript_id, part, step, start, "end", text, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
            (tid, note.get("part") or "reasoning", note.get("step"), note.get("start"), note.get("end"),
             note["text"], _note_time(note.get("created"))),
        )

    def notes(self, ref: str) -> list[Note]:
        tid = self.resolve_id(ref)
        with self._guard():
            rows = self.db.execute(
                f"SELECT {_NOTE_COLUMNS} FROM notes WHERE transcript_id = ? ORDER BY id", (tid,)
            ).fetchall()
        return [Note(*r) for r in rows]

    def delete_note(self, note_id: int) -> bool:
        with self._tx():
            return self.db.execute("DELETE FROM notes WHERE id = ?", (note_id,)).rowcount > 0

    # -- reading ------------------------------------------------------------------
    def list(self, limit: int = 20, offset: int = 0) -> list[Summary]:
        with self._guard():
            rows = self.db.execute(
                "SELECT id, conversation_id, created, provider, model, status, substr(prompt, 1, 200), "
                "thinking_s, reasoning_len, answer_len, example FROM transcripts "
                "ORDER BY created DESC, rowid DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return [Summary(*r[:10], bool(r[10])) for r in rows]

    def count(self) -> int:
        with self._guard():
            return self.db.execute("SELECT count(*) FROM transcripts").fetchone()[0]

    def search(self, query: str, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        """Full-text search over prompts, reasoning and answers, best match first.

        ``query`` is FTS5 syntax ("exact phrase", OR, NOT, prefix*, reasoning: word); a query
        that is not valid syntax is searched again as plain words, so user input never fails.
        """
        if not query or not query.strip():
            return []
        try:
            return self._search(query, limit, offset)
        except sqlite3.OperationalError as exc:
            if any(w in str(exc) for w in ("locked", "disk", "readonly", "malformed")):
                raise self._error(exc) from None
        quoted = quote_terms(query)
        with self._guard():
            return self._search(quoted, limit, offset) if quoted else []

    def _search(self, match: str, limit: int, offset: int) -> list[SearchHit]:
        db = self.db
        top = db.execute(
            "SELECT rowid, rank FROM transcripts_fts WHERE transcripts_fts MATCH ? "
            "ORDER BY rank LIMIT ? OFFSET ?",
            (match, limit, offset),
        ).fetchall()
        if not top:
            return []
        snippets = ", ".join(
            f"snippet(transcripts_fts, {i}, '{_HIT_ON}', '{_HIT_OFF}', '…', {_SNIPPET_TOKENS})" for i in range(3)
        )
        rows = {}
        for rowid, _rank in top:
            r = db.execute(
                f"SELECT t.id, t.conversation_id, t.created, t.model, t.status, substr(t.prompt, 1, 200), {snippets} "
                "FROM transcripts_fts JOIN transcripts t ON t.rowid = transcripts_fts.rowid "
                "WHERE transcripts_fts MATCH ? AND transcripts_fts.rowid = ?",
                (match, rowid),
            ).fetchone()
            if r is not None:
                rows[rowid] = r
        hits = []
        for rowid, rank in top:
            r = rows.get(rowid)
            if r is None:
                continue
            counts = [(r[6 + i] or "").count(_HIT_ON) for i in range(3)]
            # most hits wins; on a tie reasoning, then answer, then prompt
            best = max((1, 2, 0), key=lambda i: counts[i])
            if counts[best] == 0:
                best = 1 if r[6 + 1] else 2
            snippet, spans = _clean_snippet(r[6 + best] or "")
            hits.append(SearchHit(r[0], r[1], r[2], r[3], r[4], r[5], PARTS[best], snippet, float(rank), spans))
        return hits

    def resolve_id(self, ref: str) -> str:
        """A full id from an id or a unique prefix of one."""
        ref = ref.strip()
        if not ref:
            raise NotFound("no transcript id given")
        with self._guard():
            if self.db.execute("SELECT 1 FROM transcripts WHERE id = ?", (ref,)).fetchone():
                return ref
            rows = self.db.execute(
                "SELECT id FROM transcripts WHERE id > ? AND id < ? ORDER BY id LIMIT 2",
                (ref, ref + "\U0010ffff"),
            ).fetchall()
        if not rows:
            raise NotFound(f"no transcript {ref!r} in the history — `cot-viewer history list` shows the ids")
        if len(rows) > 1:
            raise NotFound(f"{ref!r} matches more than one transcript — give more of the id")
        return rows[0][0]

    def get(self, ref: str) -> Transcript:
        tid = self.resolve_id(ref)
        with self._guard():
            row = self.db.execute(f"SELECT {_COLUMNS} FROM transcripts WHERE id = ?", (tid,)).fetchone()
            notes = self.db.execute(
                f"SELECT {_NOTE_COLUMNS} FROM notes WHERE transcript_id = ? ORDER BY id", (tid,)
            ).fetchall()
        tr = _from_row(row)
        tr.notes = [Note(*n).to_export() for n in notes]
        return tr

    def ids(self) -> list[str]:
        """Every transcript id, oldest first."""
        with self._guard():
            return [r[0] for r in self.db.execute("SELECT id FROM transcripts ORDER BY created, rowid")]

    def latest(self) -> Transcript | None:
        """The transcript the user asked last (never an imported one or an example)."""
        with self._guard():
            row = self.db.execute(
                "SELECT id FROM transcripts WHERE example = 0 AND imported = 0 ORDER BY rowid DESC LIMIT 1"
            ).fetchone()
        return self.get(row[0]) if row else None

    def is_imported(self, tid: str) -> bool:
        """True when transcript ``tid`` came from an imported file (not asked here)."""
        with self._guard():
            row = self.db.execute("SELECT imported FROM transcripts WHERE id = ?", (tid,)).fetchone()
        return bool(row and row[0])

    def chain(self, tid: str, limit: int = 1000) -> list[Transcript]:
        """``tid`` and the turns it follows up (its ``parent_id`` links), first turn first."""
        turns: list[Transcript] = []
        seen: set[str] = set()
        ref: str | None = tid
        while ref and ref not in seen and len(turns) < limit:
            seen.add(ref)
            try:
                tr = self.get(ref)
            except NotFound:
                break
            turns.append(tr)
            ref = tr.parent_id
        return turns[::-1]

    def conversation(self, conversation_id: str) -> list[Transcript]:
        with self._guard():
            rows = self.db.execute(
                f"SELECT {_COLUMNS} FROM transcripts WHERE conversation_id = ? ORDER BY created, rowid",
                (conversation_id,),
            ).fetchall()
        return [_from_row(r) for r in rows]

    def _error(self, exc: sqlite3.Error) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
            return Busy(f"the history database {self.path} is busy (another process is writing it) — try again")
        if isinstance(exc, sqlite3.OperationalError) and ("readonly" in str(exc) or "disk" in str(exc)):
            return StoreError(f"cannot write the history database {self.path}: {exc}")
        if isinstance(exc, (sqlite3.InterfaceError, sqlite3.ProgrammingError, sqlite3.DataError, sqlite3.IntegrityError)):
            # a value we passed, not the file: never tell the user to reset a healthy database
            return StoreError(f"could not save to the history: {exc} — this is a bug in cot-viewer, please report it")
        return damaged(self.path, exc)


def _note_time(value: object) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return time.time()


def _json_or_null(value: dict | None) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value is not None else None


def _json_object(text: str | None) -> dict | None:
    """A stored JSON object, or None (absent in rows older than schema 4, or unreadable)."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _from_row(row: tuple) -> Transcript:
    (tid, conv, parent, created, _updated, provider, base_url, model, prompt, messages,
     reasoning, answer, _rlen, _alen, status, finish, usage, error, error_kind, timeline,
     _ttft, _think, _ans, total, example, _pid, settings, prices) = row
    tr = Transcript(
        prompt=prompt, messages=json.loads(messages), provider=provider, base_url=base_url,
        model=model, id=tid, conversation_id=conv, parent_id=parent, created=created,
        status=status, finish_reason=finish, usage=json.loads(usage) if usage else None,
        error=error, error_kind=error_kind, example=bool(example),
        timeline=Timeline.unpack(timeline),
        settings=_json_object(settings), prices=_json_object(prices),
    )
    tr.set_text(reasoning, answer)
    tr.end_t = total
    return tr


class Recorder:
    """Applies events to a transcript and saves it at most every half second, and at the end.

    * The row is created with the first reasoning or answer text: a request that fails
      before any token leaves no empty row behind (the error is still reported).
    * :meth:`tick` saves by the clock, for a stream that sends only keep-alives or nothing
      (call it from a :class:`~cot_viewer.ticker.Ticker`).
    * Saves while streaming never wait for a write lock held by another process: the
      stream goes on, the text stays in memory, and the next tick tries again. The final
      save retries with backoff for up to :data:`FINAL_WAIT` seconds; if the history stays
      busy, the transcript is written to ``unsaved/ID.json`` beside the database, which the
      next :meth:`History.open` adds to the history. A finished answer is never dropped.
    """

    def __init__(
        self, tr: Transcript, history: History | None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.transcript = tr
        self.history = history
        self.clock = clock
        self.error: str | None = None  # why saving failed, if it did
        self.saved = False
        self.kept_aside: Path | None = None  # where the transcript went when the history stayed busy
        self._last = clock()
        self._dirty = False

    def _has_text(self) -> bool:
        tr = self.transcript
        return bool(tr.reasoning_len or tr.answer_len)

    def apply(self, e: Event) -> None:
        self.transcript.apply(e)
        self._dirty = True
        if self.history is not None:
            now = self.clock()
            if now - self._last >= SAVE_INTERVAL or not self.saved:
                if self._has_text():
                    self._last = now
                    self._save_live()

    def tick(self) -> None:
        """Save now if something changed and half a second has passed since the last save."""
        if self.history is not None and self._dirty and self._has_text():
            now = self.clock()
            if now - self._last >= SAVE_INTERVAL:
                self._last = now
                self._save_live()

    def _save_live(self) -> None:
        if self.error:
            return
        try:
            self.history.save(self.transcript, live=True, busy_wait=LIVE_BUSY_WAIT)
            self.saved = True
            self._dirty = False
        except Busy:
            pass  # another process holds the write lock: the next tick tries again
        except (StoreError, sqlite3.Error, OSError) as exc:
            self.error = str(exc)

    def close(self) -> None:
        """Final save (status as the transcript has it), retried while the history is busy."""
        if self.history is None:
            return
        tr = self.transcript
        if not self.saved and not self._has_text() and (tr.error_kind or tr.status in ("error", "interrupted")):
            return  # nothing arrived: a failed request leaves no row
        deadline = time.monotonic() + FINAL_WAIT
        pause = 0.05
        while True:
            try:
                self.history.save(tr, live=False, busy_wait=min(1.0, FINAL_WAIT))
                self.saved = True
                self.error = None
                return
            except Busy as exc:
                if time.monotonic() + pause > deadline:
                    self._keep_aside(str(exc))
                    return
                time.sleep(pause)
                pause = min(1.0, pause * 2)
            except (StoreError, sqlite3.Error, OSError) as exc:
                self.error = str(exc)
                return

    def _keep_aside(self, why: str) -> None:
        from cot_viewer.export.transcript_json import dumps
        from cot_viewer.paths import ensure_private_dir, write_private_file

        assert self.history is not None
        folder = self.history.path.parent / UNSAVED
        path = folder / f"{self.transcript.id}.json"
        try:
            write_private_file(ensure_private_dir(folder) / path.name, dumps([self.transcript]))
        except (OSError, ValueError) as exc:
            self.error = f"{why}; and could not keep it in {path}: {exc}"
            return
        self.kept_aside = path
        self.error = f"{why} — kept in {path}; the next cot-viewer run adds it to the history"
