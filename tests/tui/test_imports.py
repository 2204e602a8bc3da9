"""Textual stays off `--help` and the plain paths; the core never imports it."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys, io, contextlib
from cot_viewer import cli
with contextlib.redirect_stdout(io.StringIO()):
    try:
        cli.main(["--help"])
    except SystemExit:
        pass
import cot_viewer.commands.ask, cot_viewer.commands.replay, cot_viewer.plain, cot_viewer.replay
import cot_viewer.store.history, cot_viewer.stream.client, cot_viewer.transcript, cot_viewer.run, cot_viewer.exit_codes
import cot_viewer.commands.tui, cot_viewer.commands.home
print("textual" in sys.modules)
"""


def test_textual_not_imported_by_help_plain_paths_or_core():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
