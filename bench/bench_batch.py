"""Benchmark of ``cot-viewer batch analyze``: all ratios against baselines run in the same
command, on the same machine, in the same minutes.

Run: ``python bench/bench_batch.py`` from the repository root (``--small N``, ``--large N``,
``--rounds R`` to change the sizes and the number of alternating rounds; ``--no-ray``;
``--speed-only`` for the speed-up alone, e.g. again when the machine is quieter).
Traces are made on the fly (tests/batch_traces.py: paragraphs of the shared corpus'
real traces, or synthetic ones without it) and written to a temporary directory.

Figures:

* speed-up of the default engine (process pool over all cores) over the serial loop (one
  process reading the JSON lines and calling ``analyze()`` on each, nothing written), on
  ``--small`` traces; the two alternate for ``--rounds`` rounds and each ratio is taken
  within a round (target ≥ 1.7× on 2 cores);
* peak memory (the sum of the resident sets of the run's whole process tree, sampled every
  20 ms) on ``--small`` and ``--large`` traces (target: independent of input size);
* the Ray engine on a local Ray vs the default engine, same input: the ratio and the
  absolute overhead in seconds (Ray's start-up included);
* the per-core rate (characters of reasoning per CPU second of the whole ``--workers 1``
  command, which other load on the machine does not change much) and, from it, a projection
  for OpenR1-Math-220k (see docs/batch.md);
* the CPU seconds of the default engine's processes against the serial loop's: the cost
  of parallelism, and so the speed-up it allows on idle cores.

The machine's load average is printed with every figure: on a shared machine the ratios
move with what else is running.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import TESTS, cot_viewer, tempdir, verdict  # noqa: E402

sys.path.insert(0, str(TESTS))
from batch_traces import rows, write_jsonl  # noqa: E402

OPENR1_CHARS = 9.73e9  # OpenR1-Math-220k "all": dataset_size in bytes (an upper bound on the text analysed)
OPENR1_ROWS = 225_129

SERIAL_LOOP = """
import json, sys
from cot_viewer.analysis import analyze
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
        analyze(r["reasoning"], r["answer"], prompt=r["prompt"])
"""


TICK = os.sysconf("SC_CLK_TCK")


def _tree(pgid: int, cpu: dict[int, float]) -> int:
    """The summed RSS (bytes) of the processes in group ``pgid``; their CPU seconds into ``cpu``."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.getpgid(int(pid)) != pgid:
                continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu[int(pid)] = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
            total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # rss pages
        except (OSError, ProcessLookupError, IndexError, ValueError):
            continue
    return total


def run(cmd: list[str]) -> tuple[float, int, float]:
    """(seconds, peak RSS of the process tree in bytes, CPU seconds of the tree) of one command
    in its own session (sampled every 20 ms)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    cpu: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree(p.pid, cpu))
            stop.wait(0.02)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = p.communicate()
    elapsed = time.perf_counter() - t
    stop.set()
    th.join()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])} exited {p.returncode}: {err.decode()[-500:]}")
    return elapsed, peak, sum(cpu.values())


def autogroup() -> bool:
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return False


def load() -> str:
    return "load %.1f %.1f %.1f" % os.getloadavg()


def batch(src: Path, out: Path, *extra: str) -> list[str]:
    return [*cot_viewer(), "batch", "analyze", str(src), "-o", str(out), "--quiet", *extra]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=2_000)
    ap.add_argument("--large", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--speed-only", action="store_true", help="only the speed-up and CPU figures (for a quiet moment)")
    args = ap.parse_args()
    cores = len(os.sched_getaffinity(0))
    with tempdir() as d:
        tmp = Path(d)
        small = write_jsonl(tmp / "small.jsonl", rows(args.small, seed=1))
        chars = sum(len(json.loads(line)["reasoning"]) for line in small.open(encoding="utf-8"))
        print(f"{args.small:,} traces, {chars / args.small:,.0f} reasoning characters on average; {cores} cores; {load()}")

        ratios, loop_t, pool_t, serial_t, cpu_ratio, serial_cpu, loop_cpu = [], [], [], [], [], [], []
        for r in range(args.rounds):
            t_loop, _, c_loop = run([sys.executable, "-c", SERIAL_LOOP, str(small)])
            t_pool, rss_small, c_pool = run(batch(small, tmp / f"pool{r}"))
            t_serial, _, c_serial = run(batch(small, tmp / f"serial{r}", "--workers", "1"))
            serial_cpu.append(c_serial)
            ratios.append(t_loop / t_pool)
            cpu_ratio.append(c_pool / c_loop)
            loop_cpu.append(c_loop)
            loop_t.append(t_loop)
            pool_t.append(t_pool)
            serial_t.append(t_serial)
            print(f"  round {r + 1}: serial loop {t_loop:.1f} s ({c_loop:.1f} CPU s) · default engine {t_pool:.1f} s "
                  f"({c_pool:.1f} CPU s; {t_loop / t_pool:.2f}×) · --workers 1 {t_serial:.1f} s · {load()}")
        speedup = statistics.median(ratios)
        print(f"default engine vs the serial loop, {args.small:,} traces: {speedup:.2f}× (median of {args.rounds}; "
              f"range {min(ratios):.2f}–{max(ratios):.2f}×)  target ≥ 1.7×  {verdict(speedup >= 1.7)}")
        cpu_cost = statistics.median(cpu_ratio)
        print(f"  CPU seconds of the default engine (all its processes) / the serial loop's: {cpu_cost:.2f}× — with "
              f"{cores} idle cores the speed-up is at most {cores / cpu_cost:.2f}×; when the machine is saturated, Linux "
              f"shares CPU per session (autogroup {'on' if autogroup() else 'off'}), so more processes do not get more of it")
        rate = chars / statistics.median(serial_cpu)
        print(f"per-core rate (--workers 1, whole command, per CPU second): {rate / 1e6:.2f} M chars/s; per wall second "
              f"{chars / statistics.median(serial_t) / 1e6:.2f} M chars/s (serial loop {chars / statistics.median(loop_t) / 1e6:.2f})")

        if args.speed_only:
            return 0
        large = write_jsonl(tmp / "large.jsonl", rows(args.large, seed=2))
        t_large, rss_large, _ = run(batch(large, tmp / "large"))
        print(f"peak RSS of the run's processes: {args.small:,} traces {rss_small / 2**20:.0f} MB · {args.large:,} traces "
              f"{rss_large / 2**20:.0f} MB ({rss_large / rss_small:.2f}×; input {large.stat().st_size / small.stat().st_size:.1f}×) "
              f"target ≈ 1×  {verdict(rss_large / rss_small <= 1.25)}  [{t_large:.0f} s; {load()}]")

        if not args.no_ray:
            try:
                import ray  # noqa: F401
            except ImportError:
                print("ray engine: ray is not installed (pip install 'cot-viewer[ray]'); skipped")
            else:
                t_pool, _, _ = run(batch(small, tmp / "pool-vs-ray"))
                t_ray, rss_ray, _ = run(batch(small, tmp / "ray", "--engine", "ray"))
                same = all((tmp / "ray" / p.relative_to(tmp / "pool-vs-ray")).read_bytes() == p.read_bytes()
                           for p in (tmp / "pool-vs-ray").rglob("*.parquet"))
                print(f"ray engine (local Ray) vs default engine, {args.small:,} traces: {t_ray:.1f} s vs {t_pool:.1f} s "
                      f"({t_ray / t_pool:.2f}×, +{t_ray - t_pool:.1f} s overhead); peak RSS {rss_ray / 2**20:.0f} MB "
                      f"(the driver's process group; Ray's daemons run in their own); "
                      f"identical output: {same}  [{load()}]")

        loop_rate = chars / statistics.median(loop_cpu)
        hours = OPENR1_CHARS * cpu_cost / loop_rate / 3600
        print(f"projection, OpenR1-Math-220k (~{OPENR1_CHARS / 1e9:.1f} G characters, {OPENR1_ROWS:,} rows): analysis "
              f"{loop_rate / 1e6:.2f} M chars per CPU second × the default engine's CPU cost {cpu_cost:.2f}× = "
              f"{hours:.1f} core-hours")
        for n in (1, 2, 8, 32, 64, 256):
            print(f"  {n:>3} idle cores: {hours / n:.2f} h")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
