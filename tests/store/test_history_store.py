"""History in a real SQLite file: saving, listing, search, notes, import, sweep, migrations."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from cot_viewer.store import db as dbmod
from cot_viewer.store.history import History, NotFound, SearchHit, quote_terms
from cot_viewer.stream.events import ReasoningDelta
from cot_viewer.transcript import Transcript


def fts_ok(h: History) -> None:
    """The external-content index agrees with the table (raises if not)."""
    h.db.execute("INSERT INTO transcripts_fts(transcripts_fts, rank) VALUES ('integrity-check', 1)")


def test_roundtrip_and_list(home, make_transcript):
    with History.open() as h:
        a = make_transcript("first question", created=1000.0)
        b = make_transcript("second question", created=2000.0)
        h.save(a)
        h.save(b)
        got = h.get(a.id[:6])
        assert (got.prompt, got.reasoning, got.answer, got.status) == (a.prompt, a.reasoning, a.answer, "complete")
        assert got.timeline.to_list() == a.timeline.to_list()
        assert [s.id for s in h.list()] == [b.id, a.id]
        assert h.list(limit=1, offset=1)[0].id == a.id
        assert h.count() == 2


def test_resolve_id_prefers_exact_and_rejects_ambiguous(home, make_transcript):
    with History.open() as h:
        a, b, c = (make_transcript() for _ in range(3))
        a.id, b.id, c.id = "abc", "abcdef", "abd123"
        for t in (a, b, c):
            h.save(t)
        assert h.resolve_id("abc") == "abc"
        assert h.resolve_id("abcd") == "abcdef"
        with pytest.raises(NotFound, match="more than one"):
            h.resolve_id("ab")
        with pytest.raises(NotFound):
            h.resolve_id("zzz")


def test_search_finds_reasoning_answer_and_prompt(home, make_transcript):
    with History.open() as h:
        t1 = make_transcript("Roll four dice", "Hmm, the complement rule gives one minus five sixths to the fourth.", "About 0.518.")
        t2 = make_transcript("Sum of squares", "Use the formula n(n+1)(2n+1)/6.", "It is 385, by the telescoping identity.")
        h.save(t1)
        h.save(t2)
        [hit] = h.search("complement")
        assert isinstance(hit, SearchHit)
        assert (hit.id, hit.where) == (t1.id, "reasoning")
        assert "»complement«" in hit.snippet
        s, e = hit.highlights[0]
        assert hit.snippet[s:e] == "complement"
        [hit] = h.search("telescoping")
        assert (hit.id, hit.where) == (t2.id, "answer")
        [hit] = h.search("dice")
        assert hit.where == "prompt" and hit.prompt == "Roll four dice"
        assert h.search('"five sixths"')[0].id == t1.id
        assert h.search('"sixths five"') == []
        assert h.search("answer: complement") == []  # column filter
        d = hit.to_dict()
        assert d["where"] == "prompt" and d["created"].endswith("Z") and isinstance(d["rank"], float)


def test_search_ranks_and_pages(home, make_transcript):
    with History.open() as h:
        few = make_transcript("q", "wait " + "filler " * 50)
        many = make_transcript("q", "wait wait wait wait " + "filler " * 10)
        h.save(few)
        h.save(many)
        hits = h.search("wait")
        assert [x.id for x in hits] == [many.id, few.id]
        assert hits[0].rank <= hits[1].rank
        assert [x.id for x in h.search("wait", limit=1, offset=1)] == [few.id]


@pytest.mark.parametrize("query", ['self-check', '"unbalanced', "AND", "(", "foo:bar", "*", "NEAR(", "wait AND ("])
def test_bad_fts_syntax_falls_back_to_words(home, make_transcript, query):
    with History.open() as h:
        h.save(make_transcript("q", "We self-check: foo:bar and NEAR( wait"))
        hits = h.search(query)  # never raises
        assert isinstance(hits, list)
    assert quote_terms('a "b') == '"a" """b"'


def test_bad_syntax_fallback_still_finds_the_words(home, make_transcript):
    with History.open() as h:
        tr = make_transcript("q", "Time for a self-check of the result.")
        h.save(tr)
        assert [x.id for x in h.search("self-check")] == [tr.id]
        assert [x.id for x in h.search('"self-check')] == [tr.id]


def test_snippet_is_one_plain_line(home, make_transcript):
    with History.open() as h:
        h.save(make_transcript("q", "line one\n\n\x1b[31mred\x1b[0m needle\there\x07 end"))
        [hit] = h.search("needle")
        assert "\n" not in hit.snippet and "\x1b" not in hit.snippet and "\x07" not in hit.snippet
        assert "»needle«" in hit.snippet


def test_snippet_drops_whole_escape_sequences_like_every_other_view(home, make_transcript):
    # the title (OSC 0) and clipboard (OSC 52) payloads go with their ESC, as safe.terminal_safe does
    with History.open() as h:
        h.save(make_transcript("q", "before \x1b]0;pwned title\x07needle \x1b]52;c;cHduZWQ=\x07after \x9b31mx"))
        [hit] = h.search("needle")
        assert "pwned" not in hit.snippet and "cHduZWQ" not in hit.snippet and "\x9b" not in hit.snippet
        assert "»needle«" in hit.snippet and "after" in hit.snippet


def test_not_indexed_while_streaming_indexed_at_final_save(home, make_transcript):
    with History.open() as h:
        tr = Transcript(prompt="live one", messages=[])
        rec = h.recorder(tr)
        rec.apply(ReasoningDelta(0.1, "streaming words arrive"))
        h.save(tr, live=True)
        assert h.search("streaming") == []
        assert h.db.execute("SELECT status FROM transcripts WHERE id = ?", (tr.id,)).fetchone()[0] == "streaming"
        tr.apply(ReasoningDelta(0.2, " and more"))
        tr.status = "complete"
        rec.close()
        assert [x.id for x in h.search("streaming")] == [tr.id]
        # saving it again re-indexes the new text without leaving the old behind
        tr.set_text("entirely different", "")
        h.save(tr)
        assert h.search("streaming") == []
        assert [x.id for x in h.search("entirely")] == [tr.id]
        fts_ok(h)


def test_delete_removes_text_index_and_notes(home, make_transcript):
    with History.open() as h:
        a, b = make_transcript("alpha"), make_transcript("beta")
        h.save(a)
        h.save(b)
        h.add_note(a.id, "good")
        assert h.delete([a.id, "nonexistent"]) == 1
        assert h.search("alpha") == []
        assert [x.id for x in h.search("beta")] == [b.id]
        assert h.db.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
        fts_ok(h)


def test_notes(home, make_transcript):
    with History.open() as h:
        tr = make_transcript("q", "0123456789 reasoning", "answer")
        h.save(tr)
        n1 = h.add_note(tr.id[:5], "whole thing")
        n2 = h.add_note(tr.id, "this step", step=3)
        n3 = h.add_note(tr.id, "these chars", span=(2, 6))
        n4 = h.add_note(tr.id, "in the answer", span=(0, 6), part="answer")
        assert [n.id for n in h.notes(tr.id)] == [n1.id, n2.id, n3.id, n4.id]
        assert (n3.start, n3.end, n3.part, n3.step) == (2, 6, "reasoning", None)
        assert h.get(tr.id).notes[2] == {**n3.to_export()}
        assert h.delete_note(n2.id) is True
        assert h.delete_note(n2.id) is False
        assert len(h.notes(tr.id)) == 3
        for bad in [dict(text=""), dict(text="x", span=(5, 5)), dict(text="x", span=(0, 999)),
                    dict(text="x", step=-1), dict(text="x", part="prompt"), dict(text="x", span=(0, 7), part="answer")]:
            with pytest.raises(ValueError):
                h.add_note(tr.id, **bad)
        with pytest.raises(NotFound):
            h.add_note("nope", "x")


def test_import_is_idempotent_and_atomic(home, make_transcript):
    with History.open() as h:
        a, b = make_transcript("alpha"), make_transcript("beta")
        a.notes = [{"part": "reasoning", "step": 1, "start": None, "end": None, "text": "n", "created": 5.0}]
        r = h.import_transcripts([a, b, a])
        assert (r.imported, r.skipped) == ([a.id, b.id], [a.id])
        r = h.import_transcripts([a])
        assert (r.imported, r.skipped) == ([], [a.id])
        assert h.count() == 2
        assert [n.text for n in h.notes(a.id)] == ["n"]
        assert [x.id for x in h.search("alpha")] == [a.id]
        # a failure in the middle leaves nothing behind
        c = make_transcript("gamma")
        broken = make_transcript("delta")
        broken.notes = [{"text": None}]  # violates NOT NULL
        with pytest.raises(Exception):
            h.import_transcripts([c, broken])
        assert h.count() == 2 and h.search("gamma") == []
        fts_ok(h)


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_sweep_marks_dead_writers_interrupted_and_indexes(home, make_transcript):
    with History.open() as h:
        tr = Transcript(prompt="crashy", messages=[])
        tr.apply(ReasoningDelta(0.1, "partial thought"))
        h.save(tr, live=True)
        alive = Transcript(prompt="alive", messages=[])
        h.save(alive, live=True)  # our own pid: alive
        h.db.execute("UPDATE transcripts SET pid = ? WHERE id = ?", (_dead_pid(), tr.id))
    with History.open() as h:
        got = h.get(tr.id)
        assert got.status == "interrupted" and got.reasoning == "partial thought"
        assert got.error_kind == "connection"
        assert h.get(alive.id).status == "streaming"
        assert [x.id for x in h.search("partial")] == [tr.id]
        assert h.sweep() == 0  # swept once only
        alive.status = "complete"
        h.save(alive)  # now every row is final, so the index must cover them all
        fts_ok(h)


V1_DDL = """
CREATE TABLE transcripts (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL, parent_id TEXT,
    created REAL NOT NULL, updated REAL NOT NULL, provider TEXT, base_url TEXT, model TEXT,
    prompt TEXT NOT NULL, messages TEXT NOT NULL, reasoning TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '', reasoning_len INTEGER NOT NULL DEFAULT 0,
    answer_len INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, finish_reason TEXT, usage TEXT,
    error TEXT, error_kind TEXT, timeline BLOB, ttft REAL, thinking_s REAL, answer_s REAL,
    total_s REAL, example INTEGER NOT NULL DEFAULT 0, pid INTEGER
);
CREATE INDEX transcripts_created ON transcripts(created);
CREATE INDEX transcripts_conversation ON transcripts(conversation_id, created);
PRAGMA user_version = 1;
"""


def test_v1_database_is_upgraded_in_place(home):
    home.mkdir(mode=0o700)
    path = home / "history.db"
    db = sqlite3.connect(path)
    db.executescript(V1_DDL)
    db.execute(
        "INSERT INTO transcripts (id, conversation_id, created, updated, prompt, messages, reasoning, answer, "
        "reasoning_len, answer_len, status) VALUES ('old1', 'old1', 1.0, 1.0, 'an old prompt', '[]', "
        "'ancient reasoning about giraffes', 'forty two', 31, 9, 'complete')"
    )
    db.commit()
    db.close()
    with History.open() as h:
        assert h.db.execute("PRAGMA user_version").fetchone()[0] == dbmod.SCHEMA_VERSION == 6
        assert h.get("old1").settings is None and h.get("old1").cost is None  # rows from before schema 4
        [hit] = h.search("giraffes")
        assert (hit.id, hit.where) == ("old1", "reasoning")
        assert h.get("old1").answer == "forty two"
        h.add_note("old1", "a note on an old transcript")
        assert len(h.notes("old1")) == 1
        fts_ok(h)


def test_newer_schema_is_refused(home):
    with History.open():
        pass
    db = sqlite3.connect(home / "history.db")
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(dbmod.StoreError, match="newer cot-viewer"):
        History.open()


def _real_db(home, make_transcript, n=40) -> bytes:
    with History.open() as h:
        for i in range(n):
            h.save(make_transcript(f"question {i}", "reasoning " * 400))
    path = home / "history.db"
    assert not (home / "history.db-wal").exists() or (home / "history.db-wal").stat().st_size == 0
    return path.read_bytes()


@pytest.mark.parametrize("damage", ["random", "truncated", "truncated-page", "zeroed-middle"])
def test_damaged_database_is_reported_and_kept(home, make_transcript, damage):
    import random

    path = home / "history.db"
    if damage == "random":
        home.mkdir(mode=0o700)
        path.write_bytes(random.Random(1).randbytes(50_000))
    else:
        data = _real_db(home, make_transcript)
        for side in ("-wal", "-shm"):
            (home / f"history.db{side}").unlink(missing_ok=True)
        if damage == "truncated":
            data = data[: len(data) // 2 + 123]
        elif damage == "truncated-page":
            data = data[: (len(data) // 2) // 4096 * 4096]
        else:
            data = data[:4096] + bytes(len(data) - 8192) + data[-4096:]
        path.write_bytes(data)
    before = path.read_bytes()
    with pytest.raises(dbmod.StoreError) as err:
        h = History.open()
        # some damage only shows on reading: a query must fail cleanly, not crash
        try:
            h.list(100)
            h.search("reasoning")
            for s in h.list(100):
                h.get(s.id)
        finally:
            h.close()
    msg = str(err.value)
    assert str(path) in msg and "history reset" in msg and "\n" not in msg
    assert path.read_bytes() == before


def test_permissions_are_private(home, make_transcript):
    with History.open() as h:
        h.save(make_transcript())
        for p in [home, home / "history.db", home / "history.db-wal", home / "history.db-shm"]:
            if p.exists():
                mode = p.stat().st_mode & 0o777
                assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))


def test_loose_permissions_are_tightened(home, tmp_path, monkeypatch):
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    (home / "history.db").touch()
    os.chmod(home / "history.db", 0o644)
    History.open().close()
    assert home.stat().st_mode & 0o777 == 0o755  # COT_VIEWER_HOME is the user's folder: left alone
    assert (home / "history.db").stat().st_mode & 0o777 == 0o600
    if not sys.platform.startswith("linux"):
        return
    monkeypatch.delenv("COT_VIEWER_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    ours = tmp_path / "xdg" / "cot-viewer"
    ours.mkdir(parents=True, mode=0o755)
    os.chmod(ours, 0o755)
    History.open().close()
    assert ours.stat().st_mode & 0o777 == 0o700  # our own folder is tightened


def test_unwritable_home_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COT_VIEWER_HOME", str(blocker / "sub"))
    with pytest.raises(dbmod.StoreError, match="cannot write the history in"):
        History.open()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes through chmod")
def test_read_only_home_is_a_clear_error(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    monkeypatch.setenv("COT_VIEWER_HOME", str(ro / "sub"))
    try:
        with pytest.raises(dbmod.StoreError, match="cannot write"):
            History.open()
    finally:
        os.chmod(ro, 0o700)


def test_switching_to_wal_waits_for_another_writer(home):
    """Two processes creating the history at once: SQLite does not wait to switch to WAL."""
    import threading

    home.mkdir(mode=0o700)
    path = home / "history.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE scratch (x)")
    timer = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    timer.start()
    try:
        with History.open() as h:
            assert h.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        timer.join()
        other.close()


def test_a_value_sqlite_cannot_bind_is_not_called_damage(home, make_transcript):
    tr = make_transcript()
    tr.model = {"not": "a string"}  # a bug upstream, never the file's fault
    with History.open() as h:
        with pytest.raises(dbmod.StoreError) as err:
            h.save(tr)
    assert "damaged" not in str(err.value) and "history reset" not in str(err.value)
