"""`ask --plain` over a loopback stream of 60,000 reasoning tokens: total time ≤ 1.5× a
minimal reference loop that only reads the same SSE stream with httpx and parses its JSON.

Run: python bench/bench_ask.py [TOKENS] [RUNS]
Both run as fresh processes against the same loopback server (tests/loopback.py in a
subprocess, serving a pre-encoded DeepSeek-format stream at full speed). Ours also saves
the transcript to SQLite while streaming and writes reasoning/answer to files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _common import cot_viewer, env, loopback, median_of, tempdir, timed, verdict

REFERENCE = r"""
import json, sys, httpx
with httpx.Client(timeout=60) as c:
    with c.stream("POST", sys.argv[1] + "/chat/completions", json={"model": "m", "messages": [{"role": "user", "content": "q"}], "stream": True}) as r:
        n = 0
        for line in r.iter_lines():
            if line.startswith("data: "):
                payload = line[6:]
                if payload == "[DONE]":
                    break
                json.loads(payload)
                n += 1
print(n)
"""


def main(tokens: int = 60_000, runs: int = 5) -> bool:
    with tempdir() as home, loopback("--format", "deepseek", "--synthetic-reasoning-tokens", str(tokens)) as url:
        out = Path(home) / "answer.txt"
        err = Path(home) / "reasoning.txt"

        def ref() -> float:
            return timed([sys.executable, "-c", REFERENCE, url])

        def ours() -> float:
            with out.open("w") as o, err.open("w") as e:
                return timed([*cot_viewer(), "ask", "--plain", "--base-url", url, "--model", "m", "q"], env=env(home), stdout=o, stderr=e)

        ref(), ours()  # warm the page cache
        base = median_of(ref, runs)
        mine = median_of(ours, runs)
        reasoning_chars = len(err.read_text())
    ratio = mine / base
    print(f"stream: {tokens} reasoning tokens ({reasoning_chars} chars of reasoning written)")
    print(f"reference httpx+json loop  {base:6.3f} s (median of {runs})")
    print(f"cot-viewer ask --plain     {mine:6.3f} s (separates, saves to SQLite, prints)")
    print(f"ratio {ratio:.2f}x (target <= 1.5x)  {verdict(ratio <= 1.5)}")
    return ratio <= 1.5


if __name__ == "__main__":
    a = sys.argv[1:]
    sys.exit(0 if main(int(a[0]) if a else 60_000, int(a[1]) if len(a) > 1 else 5) else 1)
