"""`ask --compare`'s figures, each against a baseline measured in the same run (headless Textual).

Run: python bench/bench_compare.py [--quick] [--runs N]

1. two streams at once: two 60,000-token reasoning streams from the loopback server, started
   together as `cot-viewer ask --compare` starts them (both runs' requests first, then Textual
   is imported), into the compare screen's two columns, headless at 160×50, until both panes
   of both runs are final — vs one `ask --plain` of the same stream. Best of N (default 3)
   each, interleaved. Target: ≤ 2.5× plain.
2. keys while both stream ~2,000 tokens/s each: latency from posting ``w`` (switch run) to
   its action having run, 20 presses. Target: ≤ 100 ms (max).

``--quick`` scales the token counts down (a smoke run; the figures then prove nothing).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import BIG, QUICK, cot_viewer, env, loopback, runs, tempdir, timed, verdict  # noqa: E402

RUNS = runs(3)


def _run_compare(url: str) -> None:
    """Subprocess body: both runs, then the compare screen, headless, until both have ended."""
    from cot_viewer.run import start_run
    from cot_viewer.store.history import History
    from cot_viewer.stream.endpoint import Endpoint, StreamOptions
    from cot_viewer.transcript import Transcript

    history = History.open()
    runs = {}
    for k in ("a", "b"):
        tr = Transcript(prompt="bench", messages=[{"role": "user", "content": "bench"}], provider="custom", model="m")
        runs[k] = start_run(Endpoint("custom", url, "m"), tr, history=history, options=StreamOptions())
    from cot_viewer.tui.app import CotViewerApp
    from cot_viewer.tui.screens.compare import LiveCompareScreen

    app = CotViewerApp(lambda: LiveCompareScreen(runs))

    async def watch() -> None:
        screen = app.screen
        while screen.streaming:
            await asyncio.sleep(0.01)
        app.call_after_refresh(app.exit)

    app.call_later(lambda: app.run_worker(watch()))
    app.run(headless=True, size=(160, 50))
    for run in runs.values():
        run.close()
    history.close()
    print(json.dumps({k: [run.transcript.status, len(run.transcript.reasoning)] for k, run in runs.items()}))
    from cot_viewer.cli import _fast_exit

    _fast_exit(0)


def _compare_once(url: str, e: dict) -> float:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--_run-compare", url], env=e, capture_output=True, text=True,
                         timeout=600)
    elapsed = time.perf_counter() - t
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    got = json.loads(out.stdout.strip().splitlines()[-1])
    if any(status != "complete" for status, _ in got.values()) or len({n for _, n in got.values()}) != 1:
        raise RuntimeError(f"the runs did not both complete: {got}")
    return elapsed


def _two_plains(cmd: list[str], e: dict) -> float:
    """Two ``ask --plain`` processes at once, until both have ended (for scale: the same
    two streams without a screen, each on its own interpreter)."""
    t = time.perf_counter()
    procs = [subprocess.Popen(cmd, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    if any(p.wait(600) for p in procs):
        raise RuntimeError("ask --plain failed")
    return time.perf_counter() - t


def two_streams() -> bool:
    print(f"\n1. two {BIG:,}-token reasoning streams at once into the compare screen vs one ask --plain")
    with tempdir() as home, loopback("--format", "deepseek", "--synthetic-reasoning-tokens", str(BIG)) as url:
        e = env(home)
        plain, pair, both = [], [], []
        cmd = [*cot_viewer(), "ask", "--plain", "--base-url", url, "--model", "m", "q"]
        for _ in range(RUNS):  # interleaved, best of RUNS
            plain.append(timed(cmd, env=e))
            pair.append(_two_plains(cmd, e))
            both.append(_compare_once(url, e))
    ratio = min(both) / min(plain)
    print(f"   ask --plain (one stream)      best {min(plain):.2f} s  (all: {', '.join(f'{x:.2f}' for x in plain)})")
    print(f"   compare screen (two streams)  best {min(both):.2f} s  (all: {', '.join(f'{x:.2f}' for x in both)})")
    print(f"   two ask --plain at once       best {min(pair):.2f} s  (for scale: two interpreters, no screen)")
    print(f"   ratio                         {ratio:.2f}× (target <= 2.5×)  {verdict(ratio <= 2.5)}; "
          f"{min(both) / min(pair):.2f}× the two plain processes")
    return ratio <= 2.5


async def _key_latency() -> tuple[list[float], float]:
    from loopback import LoopbackServer, deepseek_chunks, stream_reply, synthetic_reasoning
    from textual import events

    from cot_viewer.run import start_run
    from cot_viewer.stream.endpoint import Endpoint, StreamOptions
    from cot_viewer.transcript import Transcript
    from cot_viewer.tui.app import CotViewerApp
    from cot_viewer.tui.screens.compare import LiveCompareScreen

    n = 4_000 if QUICK else 20_000
    with LoopbackServer() as server:  # ~2,000 tokens/s each: 24 events every 10 ms
        server.default = stream_reply(deepseek_chunks(synthetic_reasoning(n), "done"), delay=0.01, events_per_write=24)
        runs = {}
        for k in ("a", "b"):
            tr = Transcript(prompt="keys", messages=[{"role": "user", "content": "keys"}], provider="custom", model="m")
            runs[k] = start_run(Endpoint("custom", server.base_url, "m"), tr, options=StreamOptions())
        app = CotViewerApp(lambda: LiveCompareScreen(runs))
        lat: list[float] = []
        async with app.run_test(size=(160, 50)):
            screen = app.screen
            va = screen.view("a")
            while va.info.reasoning_tokens < 2000:
                await asyncio.sleep(0.01)
            t_rate0, n0 = time.perf_counter(), va.info.reasoning_tokens
            for _ in range(20):
                before = screen.active
                t = time.perf_counter()
                app.post_message(events.Key("w", "w"))
                while screen.active == before:
                    await asyncio.sleep(0.001)
                lat.append(time.perf_counter() - t)
                await asyncio.sleep(0.1)
            rate = (va.info.reasoning_tokens - n0) / (time.perf_counter() - t_rate0)
            still = screen.streaming
            await screen.stop_and_wait()
    if not still:
        print("   (the streams ended before the last key: the rate and latencies understate the load)")
    return lat, rate


def keys() -> bool:
    print("\n2. key presses while two runs stream ~2,000 tokens/s each")
    lat, rate = asyncio.run(_key_latency())
    worst = max(lat)
    print(f"   measured rate of run A     {rate:,.0f} tokens/s (run B alike)")
    print(f"   key → action               median {sorted(lat)[len(lat) // 2] * 1000:.1f} ms, max {worst * 1000:.1f} ms (target <= 100 ms)  {verdict(worst <= 0.1)}")
    return worst <= 0.1


def main() -> bool:
    return all([two_streams(), keys()])


if __name__ == "__main__":
    if "--_run-compare" in sys.argv:
        _run_compare(sys.argv[sys.argv.index("--_run-compare") + 1])
    else:
        sys.exit(0 if main() else 1)
