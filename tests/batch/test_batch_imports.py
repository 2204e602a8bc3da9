"""``cot-viewer --help`` and ``batch --help`` import none of the batch's heavy libraries, and a
missing extra is a one-line usage error naming the pip command."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
from cot_viewer.cli import main
for argv in (["--help"], ["batch", "analyze", "--help"], ["batch", "report", "--help"]):
    try:
        main(argv)
    except SystemExit:
        pass
heavy = sorted(m for m in ("pyarrow", "duckdb", "ray", "rich", "cot_viewer.batch") if m in sys.modules)
print("HEAVY", heavy)
"""


def test_help_imports_no_heavy_library():
    r = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "HEAVY []" in r.stdout


def test_missing_extra_is_a_usage_error(tmp_path):
    (tmp_path / "a.parquet").write_bytes(b"PAR1")
    code = "import sys; sys.modules['pyarrow'] = None; from cot_viewer.cli import main; raise SystemExit(main(sys.argv[1:]))"
    r = subprocess.run([sys.executable, "-c", code, "batch", "analyze", str(tmp_path / "a.parquet"), "-o", str(tmp_path / "o"), "-q"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip() == "cot-viewer: this needs pyarrow: pip install 'cot-viewer[batch]'"
