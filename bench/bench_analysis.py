"""Benchmark of cot_viewer.analysis on a ~60,000-token (~240,000-char) trace.

Run: ``python bench/bench_analysis.py`` from the repository root (``--repeat N`` for the
best of N runs, default 5).  The trace is built by concatenating the reasonings of the
shared corpus (``../shared/corpus`` next to the repository); without it the benchmark is
skipped.

Scenarios:

* batch: ``analyze()`` of the whole trace (target ≤ 0.5 s);
* live: what the TUI does while the trace streams at full speed (60,000 tokens in about
  0.45 s): the text arrives in batches (one ``feed()`` per ~50 ms frame, i.e. the tokens
  of a frame joined), ``steps_since(last)`` after every batch, ``snapshot()`` every
  ``SNAP_EVERY`` batches, then ``close()`` and a final ``snapshot(answer, char_times)``.
  Reported for 5,000-char batches (the full-speed case) and for 100-token (400-char)
  batches (a slower stream, many more polls and snapshots).  Target: total ≤ 0.5 s.
* the older per-token incremental figures (4-char feeds, polling every 50 tokens);
* command line: ``cot-viewer analyze ID`` against ``cot-viewer history show ID`` on the same
  saved transcript (fresh processes, best of N each); the difference is what the analysis
  costs a user.  Target: at most 0.5 s more than ``history show``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cot_viewer.analysis import IncrementalAnalyzer, analyze  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "thought-anchors-math.jsonl"
TARGET_CHARS = 240_000
TOKEN_CHARS = 4
POLL_EVERY = 50  # tokens between two UI polls
SNAP_EVERY = 10  # batches between two snapshots in the live scenario
LIVE_BATCHES = ((5_000, "5,000-char batches (full speed)"), (100 * TOKEN_CHARS, "100-token batches"))


def build_trace() -> str:
    parts: list[str] = []
    total = 0
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    while total < TARGET_CHARS:
        for row in rows:
            parts.append(row["reasoning"].strip())
            total += len(parts[-1]) + 2
            if total >= TARGET_CHARS:
                break
    return "\n\n".join(parts)[:TARGET_CHARS]


def best_of(n: int, fn) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run_incremental(text: str, poll: bool) -> IncrementalAnalyzer:
    inc = IncrementalAnalyzer()
    seen = 0
    for k, i in enumerate(range(0, len(text), TOKEN_CHARS)):
        inc.feed(text[i:i + TOKEN_CHARS])
        if poll and k % POLL_EVERY == 0:
            new = inc.steps_since(seen)
            seen = inc.frozen_steps if new else seen
    inc.close()
    inc.snapshot()
    return inc


def char_times_for(text: str, seconds: float = 0.45) -> list[tuple[int, float]]:
    """Arrival times of a full-speed stream: one point per 100 tokens."""
    step = 100 * TOKEN_CHARS
    return [(min(i + step, len(text)), round((i + step) / len(text) * seconds, 6)) for i in range(0, len(text), step)]


def run_live(text: str, batch_chars: int, answer: str, char_times) -> tuple[float, float, float, int, object]:
    """The live scenario; returns (total s, max feed+poll s per batch, max snapshot s,
    snapshots taken, the final Analysis)."""
    inc = IncrementalAnalyzer()
    seen = 0
    worst = worst_snap = 0.0
    snaps = 0
    t_start = time.perf_counter()
    for k, i in enumerate(range(0, len(text), batch_chars)):
        t0 = time.perf_counter()
        inc.feed(text[i:i + batch_chars])
        inc.steps_since(seen)
        seen = inc.frozen_steps
        t1 = time.perf_counter()
        worst = max(worst, t1 - t0)
        if k % SNAP_EVERY == SNAP_EVERY - 1:
            inc.snapshot()
            snaps += 1
            worst_snap = max(worst_snap, time.perf_counter() - t1)
    t1 = time.perf_counter()
    inc.close()
    final = inc.snapshot(answer, char_times)
    worst_snap = max(worst_snap, time.perf_counter() - t1)
    return time.perf_counter() - t_start, worst, worst_snap, snaps + 1, final


def command_line(text: str, answer: str, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """``((wall, cpu) of history show ID, (wall, cpu) of analyze ID)``: fresh processes,
    best of ``repeat`` each; cpu is the child's user + system time (steadier than wall time
    on a busy machine)."""
    import compileall

    from cot_viewer.store.history import History
    from cot_viewer.transcript import Transcript

    compileall.compile_dir(str(ROOT / "cot_viewer"), quiet=2)  # bytecode, as an install leaves it
    with tempfile.TemporaryDirectory(prefix="cv-bench-analysis-") as home:
        tr = Transcript(prompt="A 60,000-token trace", messages=[{"role": "user", "content": "…"}], status="complete")
        tr.set_text(text, answer)
        with History.open(Path(home) / "history.db") as h:
            h.save(tr)
        env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        env["COT_VIEWER_HOME"] = home

        def run(*args: str) -> tuple[float, float]:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "cot_viewer", *args], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

        def best(*args: str) -> tuple[float, float]:
            runs = [run(*args) for _ in range(repeat)]
            return min(w for w, _ in runs), min(c for _, c in runs)

        show = best("history", "show", tr.id)
        an = best("analyze", tr.id)
    return show, an


def main() -> int:
    if not CORPUS.exists():
        print(f"skipped: corpus not found at {CORPUS}")
        return 0
    repeat = 5
    if "--repeat" in sys.argv:
        repeat = int(sys.argv[sys.argv.index("--repeat") + 1])
    text = build_trace()
    tokens = (len(text) + TOKEN_CHARS - 1) // TOKEN_CHARS
    answer = "The answer is \\boxed{42}."
    times = char_times_for(text)
    result = analyze(text, answer, times)
    batch = best_of(repeat, lambda: analyze(text, answer, times))
    print(f"trace: {len(text):,} chars, ~{tokens:,} tokens of {TOKEN_CHARS} chars, "
          f"{len(result.steps):,} steps, {len(result.phases)} phases; best of {repeat} runs")
    print(f"analyze() batch:                       {batch * 1000:8.1f} ms  (target <= 500 ms)")
    same = True
    for batch_chars, name in LIVE_BATCHES:
        runs = [run_live(text, batch_chars, answer, times) for _ in range(repeat)]
        total, worst, worst_snap, snaps, final = min(runs, key=lambda r: r[0])
        ok = final.to_dict(text) == result.to_dict(text)
        same = same and ok
        nb = (len(text) + batch_chars - 1) // batch_chars
        print(f"live, {name}: {total * 1000:8.1f} ms total  (target <= 500 ms; {nb} batches, {snaps} snapshots; "
              f"max per batch {worst * 1000:.1f} ms, max snapshot {worst_snap * 1000:.1f} ms; equals batch: {ok})")
    inc_plain = best_of(repeat, lambda: run_incremental(text, poll=False))
    inc_poll = best_of(repeat, lambda: run_incremental(text, poll=True))
    same_tok = run_incremental(text, poll=True).snapshot().to_dict() == analyze(text).to_dict()
    same = same and same_tok
    print(f"per-token feed + close + snapshot:     {inc_plain * 1000:8.1f} ms  "
          f"({inc_plain / tokens * 1e6:.1f} us/token)")
    print(f"  with steps_since() every {POLL_EVERY} tokens: {inc_poll * 1000:8.1f} ms")
    print(f"incremental == batch: {same}")
    (show, show_cpu), (an, an_cpu) = command_line(text, answer, repeat)
    print(f"command line, wall: history show {show * 1000:.0f} ms, analyze {an * 1000:.0f} ms: "
          f"analyze takes {(an - show) * 1000:+.0f} ms more (target <= +500 ms)")
    print(f"command line, CPU:  history show {show_cpu * 1000:.0f} ms, analyze {an_cpu * 1000:.0f} ms: "
          f"{(an_cpu - show_cpu) * 1000:+.0f} ms")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
