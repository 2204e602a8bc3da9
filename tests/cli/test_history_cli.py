"""``cot-viewer history …`` end to end, each command a real subprocess on a real database."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loopback import deepseek_chunks, stream_reply

EVIL = "<script>alert('pwned')</script>"


def cv(home: Path, *args: str, stdin: str | None = "", timeout: float = 30, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "COT_VIEWER_HOME": str(home), "NO_COLOR": "1"}
    env.pop("COT_VIEWER_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "cot_viewer", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout, **kw)


def ask(home: Path, server, prompt: str, reasoning: str, answer: str) -> subprocess.CompletedProcess:
    server.enqueue(stream_reply(deepseek_chunks(reasoning, answer)))
    return cv(home, "ask", "--plain", "--provider", "custom", "--base-url", server.base_url, "--model", "m", prompt)


def one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


def test_ask_then_list_search_show_export_delete_import(home, server, tmp_path):
    r = ask(home, server, "Tell me about marsupials", "Hmm, the quokka is a small marsupial. Wait, yes.", "Quokkas live on Rottnest.")
    assert r.returncode == 0, r.stderr
    assert "Quokkas live on Rottnest." in r.stdout

    rows = json.loads(cv(home, "history", "list", "--json").stdout)
    assert len(rows) == 1 and rows[0]["status"] == "complete" and rows[0]["prompt"] == "Tell me about marsupials"
    tid = rows[0]["id"]
    plain = cv(home, "history").stdout  # bare `history` lists too
    assert tid in plain and "Tell me about marsupials" in plain

    hits = json.loads(cv(home, "history", "search", "quokka", "--json").stdout)
    assert [(h["id"], h["where"]) for h in hits] == [(tid, "reasoning")]
    assert "»quokka«" in hits[0]["snippet"]
    hits = json.loads(cv(home, "history", "search", "rottnest", "--json").stdout)
    assert [(h["id"], h["where"]) for h in hits] == [(tid, "answer")]
    out = cv(home, "history", "search", "quokka").stdout
    assert tid in out and "reasoning: " in out and "»quokka«" in out
    r = cv(home, "history", "search", 'quokka AND ("')  # bad syntax: no crash
    assert r.returncode == 0, r.stderr

    shown = json.loads(cv(home, "history", "show", tid[:5], "--json").stdout)
    assert shown["reasoning"].startswith("Hmm, the quokka") and shown["notes"] == []
    assert "## Reasoning" in cv(home, "history", "show", tid).stdout

    out_file = tmp_path / "export.json"
    r = cv(home, "history", "export", tid, "--format", "json", "-o", str(out_file))
    assert r.returncode == 0, r.stderr
    doc = json.loads(out_file.read_text())
    assert doc["format"] == "cot-viewer/transcript" and doc["version"] == 1 and doc["timeline"]

    r = cv(home, "history", "delete", tid, "--yes")
    assert r.returncode == 0 and json.loads(cv(home, "history", "list", "--json").stdout) == []

    r = cv(home, "history", "import", str(out_file))
    assert r.returncode == 0 and "Imported 1 transcript" in r.stderr
    r = cv(home, "history", "import", str(out_file))
    assert r.returncode == 0 and "Imported 0 transcripts; skipped 1" in r.stderr and tid in r.stderr
    hits = json.loads(cv(home, "history", "search", "quokka", "--json").stdout)
    assert [h["id"] for h in hits] == [tid]


def test_export_md_and_html_files(home, server, tmp_path):
    assert ask(home, server, "Show me HTML", "Thinking about tags.", f"Here: {EVIL}").returncode == 0
    tid = json.loads(cv(home, "history", "list", "--json").stdout)[0]["id"]
    md, page = tmp_path / "t.md", tmp_path / "t.html"
    assert cv(home, "history", "export", tid, "-f", "md", "-o", str(md)).returncode == 0
    assert cv(home, "history", "export", "--all", "-f", "html", "-o", str(page)).returncode == 0
    text = md.read_text()
    assert "<details>" in text and "Thinking about tags." in text and "<script>" not in text
    html = page.read_text()
    assert "<script" not in html
    assert "Here: &lt;script&gt;alert('pwned')&lt;/script&gt;" in html  # the answer, rendered as Markdown
    assert "<details open>" in html
    r = cv(home, "history", "export", "-f", "md")
    assert r.returncode == 2 and "--all" in r.stderr
    r = cv(home, "history", "export", "nope")
    assert r.returncode == 2 and "no transcript 'nope'" in r.stderr


def test_export_all_json_lines_round_trip(home, server, tmp_path):
    for word in ("alpha", "beta", "gamma"):
        assert ask(home, server, f"q {word}", f"thinking {word}", f"answer {word}").returncode == 0
    r = cv(home, "history", "export", "--all")
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 3 and all(json.loads(x)["format"] == "cot-viewer/transcript" for x in lines)
    (tmp_path / "all.jsonl").write_text(r.stdout)
    other = tmp_path / "other-home"
    r = cv(other, "history", "import", str(tmp_path / "all.jsonl"))
    assert r.returncode == 0 and "Imported 3 transcripts" in r.stderr
    assert len(json.loads(cv(other, "history", "search", "gamma", "--json").stdout)) == 1


def test_import_bad_file_imports_nothing(home, server, tmp_path):
    assert ask(home, server, "q", "thinking", "answer").returncode == 0
    good = tmp_path / "good.json"
    assert cv(home, "history", "export", "--all", "-o", str(good)).returncode == 0
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "cot-viewer/transcript", "version": 1, "id": "x", "reasoning": "abc", "timeline": [[0, "r", 9]]}')
    other = tmp_path / "other"
    r = cv(other, "history", "import", str(good), str(bad))
    assert r.returncode == 2
    line = one_line(r.stderr)
    assert "bad.json" in line and "nothing was imported" in line
    assert json.loads(cv(other, "history", "list", "--json").stdout) == []
    (tmp_path / "notjson.json").write_text("this is not json")
    r = cv(other, "history", "import", str(tmp_path / "notjson.json"))
    assert r.returncode == 2 and "notjson.json" in one_line(r.stderr)


def test_delete_refuses_without_terminal(home, server):
    assert ask(home, server, "q", "thinking", "answer").returncode == 0
    tid = json.loads(cv(home, "history", "list", "--json").stdout)[0]["id"]
    r = cv(home, "history", "delete", tid)  # stdin is a pipe
    assert r.returncode == 2 and "--yes" in one_line(r.stderr)
    assert len(json.loads(cv(home, "history", "list", "--json").stdout)) == 1


def _run_on_pty(home: Path, args: list[str], answer: bytes) -> tuple[int, str]:
    master, slave = pty.openpty()
    env = {**os.environ, "COT_VIEWER_HOME": str(home)}
    p = subprocess.Popen([sys.executable, "-m", "cot_viewer", *args], env=env, stdin=slave,
                         stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 20
    while b"[y/N]" not in seen and time.monotonic() < deadline:
        if select.select([master], [], [], 0.2)[0]:
            try:
                seen += os.read(master, 1024)
            except OSError:
                break
    os.write(master, answer)
    rc = p.wait(20)
    try:
        while select.select([master], [], [], 0.1)[0]:
            seen += os.read(master, 1024)
    except OSError:
        pass
    os.close(master)
    p.stdout.close()
    return rc, seen.decode(errors="replace")


def test_delete_asks_on_a_terminal(home, server):
    assert ask(home, server, "q", "thinking", "answer").returncode == 0
    tid = json.loads(cv(home, "history", "list", "--json").stdout)[0]["id"]
    rc, out = _run_on_pty(home, ["history", "delete", tid], b"n\n")
    assert "[y/N]" in out and rc == 1
    assert len(json.loads(cv(home, "history", "list", "--json").stdout)) == 1
    rc, out = _run_on_pty(home, ["history", "delete", tid], b"y\n")
    assert rc == 0, out
    assert json.loads(cv(home, "history", "list", "--json").stdout) == []


def _sqlite_files(home: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in home.iterdir()}


@pytest.mark.parametrize("kind", ["random", "truncated"])
def test_damaged_database_exit_11_kept_and_reset(home, server, kind, tmp_path):
    if kind == "random":
        home.mkdir(mode=0o700)
        (home / "history.db").write_bytes(os.urandom(40_000))
    else:
        from cot_viewer.store.history import History
        from cot_viewer.transcript import Transcript

        with History.open(home / "history.db") as h:
            for i in range(30):
                tr = Transcript(prompt=f"q{i}", messages=[], status="complete")
                tr.set_text("thinking " * 300, "answer")
                h.save(tr)
        data = (home / "history.db").read_bytes()
        (home / "history.db").write_bytes(data[: len(data) * 2 // 3])
    damaged = (home / "history.db").read_bytes()

    for args in (["history"], ["history", "list"], ["history", "search", "x"], ["history", "export", "--all"]):
        r = cv(home, *args)
        assert r.returncode == 11, (args, r.stderr)
        line = one_line(r.stderr)
        assert str(home / "history.db") in line and "damaged" in line and "cot-viewer history reset" in line
    # ask still answers, says it could not save, exits 11
    r = ask(home, server, "still there?", "thinking", "Yes, still answering.")
    assert r.returncode == 11 and "Yes, still answering." in r.stdout
    assert "not saved" in r.stderr and "damaged" in r.stderr
    assert (home / "history.db").read_bytes() == damaged  # byte for byte

    r = cv(home, "history", "reset")  # no terminal, no --yes
    assert r.returncode == 2 and (home / "history.db").read_bytes() == damaged
    r = cv(home, "history", "reset", "--yes")
    assert r.returncode == 0, r.stderr
    [moved] = [p for p in home.iterdir() if ".broken-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert moved.read_bytes() == damaged
    assert cv(home, "history", "list").returncode == 0
    assert ask(home, server, "fresh", "thinking", "answer").returncode == 0
    assert len(json.loads(cv(home, "history", "list", "--json").stdout)) == 1
    assert moved.read_bytes() == damaged


def test_reset_moves_wal_with_the_database(home, server):
    assert ask(home, server, "q", "thinking", "answer").returncode == 0
    (home / "history.db-wal").write_bytes(b"pretend log")
    before = _sqlite_files(home)
    r = cv(home, "history", "reset", "-y")
    assert r.returncode == 0, r.stderr
    after = _sqlite_files(home)
    [name] = [n for n in after if n.startswith("history.db.broken-") and not n.endswith(("-wal", "-shm"))]
    assert after[name] == before["history.db"] and after[name + "-wal"] == b"pretend log"


def test_unwritable_home_ask_still_answers(tmp_path, server):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    home = blocker / "sub"
    r = ask(home, server, "q", "thinking", "The answer survives.")
    assert r.returncode == 11
    assert "The answer survives." in r.stdout
    assert "not saved: cannot write the history in" in r.stderr and str(home) in r.stderr
    r = cv(home, "history", "list")
    assert r.returncode == 11 and "cannot write the history in" in one_line(r.stderr)


def test_private_permissions_on_disk(home, server):
    assert ask(home, server, "q", "thinking", "answer").returncode == 0
    assert home.stat().st_mode & 0o777 == 0o700
    for p in home.iterdir():
        assert p.stat().st_mode & 0o777 == 0o600, p


def test_delete_refuses_a_transcript_still_streaming(home, server):
    """Issue #13 item 14: deleting a transcript whose writer is streaming said "Deleted" and the
    writer saved it again half a second later."""
    server.enqueue(stream_reply(deepseek_chunks("Slowly thinking. " * 60, "done."), delay=0.05))
    env = {**os.environ, "COT_VIEWER_HOME": str(home), "NO_COLOR": "1"}
    env.pop("COT_VIEWER_CONFIG", None)
    writer = subprocess.Popen([sys.executable, "-m", "cot_viewer", "ask", "--plain", "--provider", "custom",
                               "--base-url", server.base_url, "--model", "m", "slow?"],
                              env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        tid = None
        while time.monotonic() < deadline and tid is None:
            r = cv(home, "history", "list", "--json")
            rows = json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else []
            tid = next((row["id"] for row in rows if row["status"] == "streaming"), None)
            time.sleep(0.1)
        assert tid, "the transcript was never listed as streaming"
        r = cv(home, "history", "delete", tid, "--yes")
        assert r.returncode == 2 and "still streaming" in r.stderr, r.stderr
        assert writer.wait(60) == 0
        r = cv(home, "history", "show", tid)
        assert r.returncode == 0 and "done." in r.stdout
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
