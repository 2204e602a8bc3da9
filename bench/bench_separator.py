"""The separator alone: ≥ 500,000 one-token chunks per second, and 10× more text costs
≤ 11× the time (no hidden quadratic term).

Run: python bench/bench_separator.py
Chunks are pre-parsed dicts in DeepSeek's format (reasoning_content, then content) and the
inline <think> format; one token = 4 characters. Best of 5 runs per size. Like the client,
the events of each chunk are taken by the consumer before the next chunk (so a growing
list of 600,000 events does not measure the allocator), and the chunks cycle through a
fixed pool of dicts (so 10× more chunks is 10× more text, not 10× more memory to walk).
"""

from __future__ import annotations

import sys
import time

from cot_viewer.stream.separator import Separator


POOL = 997


def deepseek(n: int):
    r = [{"choices": [{"index": 0, "delta": {"content": None, "reasoning_content": f"w{i % 97:02d} "}, "finish_reason": None}]} for i in range(POOL)]
    a = [{"choices": [{"index": 0, "delta": {"content": f"a{i % 97:02d} ", "reasoning_content": None}, "finish_reason": None}]} for i in range(POOL)]
    return [], r, n, a, n // 10


def inline(n: int):
    head = [{"choices": [{"index": 0, "delta": {"content": "<think>"}}]}]
    r = [{"choices": [{"index": 0, "delta": {"content": f"w{i % 97:02d} "}}]} for i in range(POOL)]
    a = [{"choices": [{"index": 0, "delta": {"content": f"a{i % 97:02d} "}}]} for i in range(POOL)]
    a.insert(0, {"choices": [{"index": 0, "delta": {"content": "</think>\n\n"}}]})
    return head, r, n, a, n // 10


def run(spec) -> tuple[float, int]:
    head, rpool, rn, apool, an = spec
    chunks = head + [rpool[i % POOL] for i in range(rn)] + [apool[i % len(apool)] for i in range(an)]
    best = float("inf")
    for _ in range(5):
        sep = Separator()
        out: list = []
        t = time.perf_counter()
        feed = sep.feed
        clear = out.clear
        for c in chunks:
            feed(c, 0.0, out)
            clear()
        best = min(best, time.perf_counter() - t)
    return best, len(chunks)


def main() -> bool:
    ok = True
    for name, make in (("deepseek fields", deepseek), ("inline <think>", inline)):
        (ts, _), (tb, nb) = run(make(60_000)), run(make(600_000))
        rate = nb / tb
        scale = tb / ts
        good = rate >= 500_000 and scale <= 11
        ok &= good
        print(f"{name:16} {rate:10,.0f} chunks/s   60k→600k chunks: {scale:5.2f}x time (target ≥500,000/s, ≤11x)  {'PASS' if good else 'FAIL'}")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
