"""Benchmark of cot_viewer.analysis on a ~60,000-token (~240,000-char) trace.

Run: ``python bench/bench_analysis.py`` from the repository root.  The trace is built by
concatenating the reasonings of the shared corpus (``../shared/corpus`` next to the
repository); without it the benchmark is skipped.  Target: ``analyze()`` ≤ 0.5 s.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cot_viewer.analysis import IncrementalAnalyzer, analyze  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "thought-anchors-math.jsonl"
TARGET_CHARS = 240_000
TOKEN_CHARS = 4
POLL_EVERY = 50  # tokens between two UI polls


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


def main() -> int:
    if not CORPUS.exists():
        print(f"skipped: corpus not found at {CORPUS}")
        return 0
    text = build_trace()
    tokens = (len(text) + TOKEN_CHARS - 1) // TOKEN_CHARS
    result = analyze(text)
    batch = best_of(3, lambda: analyze(text))
    inc_plain = best_of(3, lambda: run_incremental(text, poll=False))
    inc_poll = best_of(3, lambda: run_incremental(text, poll=True))
    same = run_incremental(text, poll=True).snapshot().to_dict() == result.to_dict()
    print(f"trace: {len(text):,} chars, ~{tokens:,} tokens of {TOKEN_CHARS} chars, "
          f"{len(result.steps):,} steps, {len(result.phases)} phases")
    print(f"analyze() batch:                      {batch * 1000:8.1f} ms  (target <= 500 ms)")
    print(f"incremental feed + close + snapshot:   {inc_plain * 1000:8.1f} ms  "
          f"({inc_plain / tokens * 1e6:.1f} us/token)")
    print(f"  with steps_since() every {POLL_EVERY} tokens: {inc_poll * 1000:8.1f} ms")
    print(f"ratio incremental/batch: {inc_plain / batch:.2f} (with polling {inc_poll / batch:.2f})")
    print(f"incremental == batch: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
