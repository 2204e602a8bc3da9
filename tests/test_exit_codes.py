"""The command line's exit codes (cot_viewer/exit_codes.py) against the core's error kinds."""

from __future__ import annotations

import re
from pathlib import Path

from cot_viewer.exit_codes import KIND_CODES, exit_code, kind_for
from cot_viewer.stream.events import ERROR_KINDS
from cot_viewer.transcript import Transcript


def test_every_error_kind_the_core_names_has_its_own_documented_code():
    assert set(KIND_CODES) == set(ERROR_KINDS)
    assert len(set(KIND_CODES.values())) == len(KIND_CODES)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for kind, code in KIND_CODES.items():
        assert re.search(rf"\|\s*{code}\s*\|", readme), f"exit code {code} ({kind}) is not in the README's table"
        assert kind_for(code) == kind


def test_a_transcript_gives_the_code_of_how_it_ended():
    tr = Transcript(prompt="q", messages=[])
    tr.status, tr.error_kind = "error", "balance"
    assert exit_code(tr) == 4
    tr.status, tr.error_kind = "interrupted", "cancelled"
    assert exit_code(tr) == 130
    tr.status, tr.error_kind = "interrupted", None
    assert exit_code(tr) == 8
    tr.status, tr.error_kind = "truncated", None
    assert exit_code(tr) == 10
    tr.status = "complete"
    assert exit_code(tr) == 0 and exit_code(tr, "disk full") == 11
