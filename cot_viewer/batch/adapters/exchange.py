"""Our own JSON exchange format (``"format": "cot-viewer/transcript"``, docs/history.md),
from files or from the history."""

from __future__ import annotations

from typing import Any

from cot_viewer.batch.model import RowError, Trace


def from_transcript(tr: Any) -> Trace:
    """A saved or imported transcript, with its chunk timing."""
    return Trace(
        id=tr.id, reasoning=tr.reasoning, answer=tr.answer, group=tr.model, prompt=tr.prompt or None,
        char_times=tr.reasoning_char_times() or None,
    )


def traces(row: dict[str, Any], row_id: str) -> list[Trace | RowError]:
    from cot_viewer.export.transcript_json import FormatError, from_doc

    try:
        tr = from_doc(row)
    except FormatError as exc:
        raise RowError(str(exc)) from None
    return [from_transcript(tr)]
