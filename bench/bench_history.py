"""History at scale: 10,000 realistic transcripts in a temporary database.

    /work/venv/bin/python bench/bench_history.py [--n 10000] [--runs 7] [--keep DIR]

Builds the database from the 40 real traces in ../shared/corpus (each copy varied: its
paragraphs shuffled, its digits permuted, a synthetic chunk timeline of ~4 characters per
chunk), then measures in-process, median of --runs warm runs:

* ``History.list(20)`` — the first page of ``history list``
* ``History.search(q)`` — a common word, a rare word, a phrase, a prefix, a column filter
* the database size without the search index, against the raw text (prompt + reasoning +
  answer, UTF-8 bytes), and the index's size on its own (from SQLite's ``dbstat``).

Targets: each query ≤ 50 ms; size without index ≤ 1.5 × raw text. Skips (exit 0, with a
message) when the corpus is not there.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "thought-anchors-math.jsonl"
sys.path.insert(0, str(REPO))

from cot_viewer.store.history import History  # noqa: E402
from cot_viewer.transcript import Timeline  # noqa: E402

RARE = "zyzzogeton"
QUERIES = [
    ("common word", "wait"),
    ("rare word", RARE),
    ("phrase", '"let me check"'),
    ("prefix", "compound*"),
    ("column filter", "answer: boxed"),
    ("bad syntax (falls back)", "\"wait, let me AND ("),
]
LIMIT_MS = 50.0


def load_corpus() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class TimelineFactory:
    """Packed timelines (Timeline.pack's format) built with C-speed byte operations."""

    def __init__(self, seed: int = 1) -> None:
        rng = random.Random(seed)
        # ms between chunks: mostly 15-40 ms, some longer pauses; all < 128 (one varint byte)
        self.deltas = bytes(rng.choice(range(12, 45)) if rng.random() < 0.97 else rng.randrange(45, 128)
                            for _ in range(1 << 20))
        self.rng = rng

    def _part(self, out: bytearray, nchars: int, answer: bool, first_ms: int) -> int:
        full, rest = divmod(nchars, 4)
        n = full + (1 if rest else 0)
        if n == 0:
            return 0
        off = self.rng.randrange(0, len(self.deltas) - n - 1)
        seg = bytearray(2 * n)
        seg[0::2] = self.deltas[off:off + n]
        seg[1::2] = bytes([(4 << 1) | answer]) * n
        if rest:
            seg[-1] = (rest << 1) | answer
        seg[0] = min(first_ms, 127)
        out += seg
        return n

    def make(self, r_len: int, a_len: int) -> bytes:
        raw = bytearray()
        n = self._part(raw, r_len, False, 120)
        n += self._part(raw, a_len, True, 60)
        return b"CVT1" + struct.pack("<I", n) + zlib.compress(bytes(raw), 6)


def vary(doc: dict, i: int, rng: random.Random) -> tuple[str, str, str]:
    digits = list("0123456789")
    rng.shuffle(digits)
    table = str.maketrans("0123456789", "".join(digits))
    paras = doc["reasoning"].split("\n\n")
    if len(paras) > 3:
        middle = paras[1:-1]
        rng.shuffle(middle)
        paras = [paras[0], *middle, paras[-1]]
    reasoning = "\n\n".join(paras).translate(table)
    if i % 3333 == 7:
        reasoning += f"\n\nA {RARE} is a kind of beetle, which has nothing to do with this."
    return doc["prompt"].translate(table), reasoning, doc["answer"].translate(table)


def build(path: Path, corpus: list[dict], n: int) -> tuple[int, float]:
    """The database at ``path`` with ``n`` transcripts; returns (raw text bytes, seconds)."""
    t0 = time.perf_counter()
    History.open(path).close()  # schema, migrations
    rng = random.Random(42)
    tl = TimelineFactory()
    now = time.time() - n * 60
    rows = []
    raw = 0
    for i in range(n):
        doc = corpus[i % len(corpus)]
        prompt, reasoning, answer = vary(doc, i, rng)
        raw += len(prompt.encode()) + len(reasoning.encode()) + len(answer.encode())
        think = len(reasoning) / 4 * 0.025
        usage = {"prompt_tokens": len(prompt) // 4, "completion_tokens": (len(reasoning) + len(answer)) // 4,
                 "completion_tokens_details": {"reasoning_tokens": len(reasoning) // 4}}
        tid = f"{i:012x}"
        rows.append((
            tid, tid, None, now + i * 60, now + i * 60 + think, "deepseek", "https://api.deepseek.com",
            doc["model"], prompt, json.dumps([{"role": "user", "content": prompt}], ensure_ascii=False),
            reasoning, answer, len(reasoning), len(answer), "complete", "stop", json.dumps(usage), None, None,
            tl.make(len(reasoning), len(answer)), 0.8, think, len(answer) / 4 * 0.02, think + 2.0, 0, None,
        ))
    db = __import__("sqlite3").connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO transcripts (id, conversation_id, parent_id, created, updated, provider, base_url, model, "
        "prompt, messages, reasoning, answer, reasoning_len, answer_len, status, finish_reason, usage, error, "
        "error_kind, timeline, ttft, thinking_s, answer_s, total_s, example, pid) "
        f"VALUES ({', '.join('?' * 26)})",
        rows,
    )
    db.execute("INSERT INTO transcripts_fts(rowid, prompt, reasoning, answer) "
               "SELECT rowid, prompt, reasoning, answer FROM transcripts")
    db.execute("UPDATE transcripts SET indexed = 1")
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return raw, time.perf_counter() - t0


def median_ms(fn, runs: int) -> tuple[float, float, object]:
    """(first run ms, median of the next ``runs`` ms, last result)."""
    t0 = time.perf_counter()
    result = fn()
    first = (time.perf_counter() - t0) * 1000
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return first, statistics.median(times), result


def sizes(path: Path) -> tuple[int, int]:
    """(bytes of everything but the search index, bytes of the index) from dbstat."""
    import sqlite3

    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.OperationalError:
        db.close()
        return path.stat().st_size, -1
    db.close()
    index = sum(s for name, s in rows if name.startswith("transcripts_fts"))
    return sum(s for _, s in rows) - index, index


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--keep", metavar="DIR", help="build the database in DIR and keep it")
    args = ap.parse_args()
    if not CORPUS.exists():
        print(f"bench_history: skipped — the corpus is not at {CORPUS} (../shared is absent)")
        return 0
    corpus = load_corpus()
    tmp = None
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="cv-bench-history-")
        folder = Path(tmp.name)
    path = folder / "history.db"
    for p in folder.glob("history.db*"):
        p.unlink()
    raw, secs = build(path, corpus, args.n)
    print(f"built {args.n:,} transcripts in {secs:.1f} s — raw text {raw / 1e6:.1f} MB "
          f"(avg {raw / args.n / 1000:.1f} kB per transcript)")

    ok = True
    with History.open(path) as h:
        assert h.count() == args.n
        sample = h.get(h.list(1)[0].id)
        assert sum(n for _, _, n in Timeline.unpack(
            h.db.execute("SELECT timeline FROM transcripts WHERE id = ?", (sample.id,)).fetchone()[0]
        ).entries()) == sample.reasoning_len + sample.answer_len
        first, med, rows = median_ms(lambda: h.list(20), args.runs)
        ok &= med <= LIMIT_MS
        print(f"\n{'query':34} {'first':>9} {'median':>9}  hits")
        print(f"{'history list (first page of 20)':34} {first:7.2f}ms {med:7.2f}ms  {len(rows)}")
        for label, q in QUERIES:
            first, med, hits = median_ms(lambda q=q: h.search(q), args.runs)
            ok &= med <= LIMIT_MS
            print(f"{'search ' + label + ': ' + q:34} {first:7.2f}ms {med:7.2f}ms  {len(hits)}"
                  + (f"  e.g. {hits[0].where}: {hits[0].snippet[:60]}" if hits else ""))
        first, med, _ = median_ms(lambda: History.open(path).close(), args.runs)
        print(f"{'open (connect, probe, sweep)':34} {first:7.2f}ms {med:7.2f}ms")
    base, index = sizes(path)
    file_size = path.stat().st_size
    print(f"\ndatabase file {file_size / 1e6:.1f} MB = {base / 1e6:.1f} MB without the index "
          f"+ {index / 1e6:.1f} MB search index")
    print(f"without index / raw text = {base / raw:.2f}×  (target ≤ 1.5×)")
    print(f"search index / raw text  = {index / raw:.2f}×")
    print(f"whole file / raw text    = {file_size / raw:.2f}×")
    ok &= base / raw <= 1.5
    print("\nall figures within target" if ok else "\nSOME FIGURES ARE OVER TARGET")
    if tmp is not None:
        tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
