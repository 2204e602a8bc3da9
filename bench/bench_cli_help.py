"""`cot-viewer --help` start-up: ≤ 5× a bare `python -c pass` from the same interpreter.

Run: python bench/bench_cli_help.py [RUNS]
Both are started as processes the same way (the console script is a thin wrapper over
`python -m cot_viewer`-style import, so the module form is timed for a like-for-like pair).
"""

from __future__ import annotations

import shutil
import sys

from _common import median_of, timed, verdict


def main(runs: int = 15) -> bool:
    base = median_of(lambda: timed([sys.executable, "-c", "pass"]), runs)
    ours = median_of(lambda: timed([sys.executable, "-m", "cot_viewer", "--help"]), runs)
    ratio = ours / base
    print(f"python -c pass           {base * 1000:7.1f} ms (median of {runs})")
    print(f"cot-viewer --help        {ours * 1000:7.1f} ms")
    script = shutil.which("cot-viewer")
    if script:
        entry = median_of(lambda: timed([script, "--help"]), runs)
        print(f"cot-viewer --help (script) {entry * 1000:5.1f} ms  ratio {entry / base:.2f}x")
    print(f"ratio {ratio:.2f}x (target <= 5x)  {verdict(ratio <= 5)}")
    return ratio <= 5


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 15) else 1)
