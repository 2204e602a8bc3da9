"""The transcript exchange format, version 1 (documented field by field in docs/history.md).

One transcript is one JSON object with ``"format": "cot-viewer/transcript"`` and
``"version": 1``; a file holds one object, a JSON array of them, or one per line (JSONL).
It carries everything, the chunk timeline included (``[t_seconds, "r"|"a", nchars]`` per
chunk), so a replay elsewhere is exact. Readers ignore keys they do not know.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cot_viewer import jsonin
from cot_viewer.timestamps import EARLIEST, LATEST, iso_utc, valid
from cot_viewer.transcript import STATUSES, Timeline, Transcript

#: Longest chunk time accepted in a timeline (seconds from the request): 30 days.
MAX_CHUNK_T = 30 * 86400.0

FORMAT = "cot-viewer/transcript"
VERSION = 1


class FormatError(ValueError):
    """Not a transcript file we can read; the message says why in one line."""


def to_doc(tr: Transcript) -> dict[str, Any]:
    doc = {"format": FORMAT, "version": VERSION}
    doc.update(tr.to_dict())
    doc.pop("error_kind", None)
    doc["error_kind"] = tr.error_kind
    doc["prices"] = tr.prices
    doc["notes"] = [_export_note(n) for n in tr.notes]
    doc["timeline"] = tr.timeline.to_list()
    return doc


def _export_note(note: dict[str, Any]) -> dict[str, Any]:
    out = {k: note.get(k) for k in ("part", "step", "start", "end", "text")}
    created = note.get("created")
    out["created"] = (
        iso_utc(created) if isinstance(created, (int, float)) else created
    )
    return out


def _time(value: Any) -> float:
    ts: Any = value
    if isinstance(value, str):
        try:
            ts = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()
        except (ValueError, OverflowError, OSError):
            ts = None
    if not valid(ts):
        raise FormatError(f"bad 'created' time: {value!r} (a date from {iso_utc(EARLIEST)[:4]} to {iso_utc(LATEST)[:4]} expected)")
    return float(ts)


def _text(doc: dict[str, Any], key: str, default: str | None = None) -> str | None:
    """``doc[key]``: a string, or null/absent (``default``); anything else is refused."""
    value = doc.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise FormatError(f"{key!r} must be a string or null, not {type(value).__name__}")
    return value


def _messages(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(m, dict) and isinstance(m.get("role"), str) for m in value
    ):
        raise FormatError("'messages' must be a list of objects with a 'role' string")
    return value


def _timeline(value: Any) -> Timeline:
    if value is None:
        return Timeline()
    if not isinstance(value, list):
        raise FormatError("'timeline' must be a list of [seconds, \"r\"|\"a\", length] rows")
    for row in value:
        if not (isinstance(row, list) and len(row) == 3):
            raise FormatError("each timeline row must be [seconds, \"r\"|\"a\", length]")
        t, kind, n = row
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not (0 <= t <= MAX_CHUNK_T):
            raise FormatError(f"a timeline time must be seconds from 0 to {MAX_CHUNK_T:.0f}, not {t!r}")
        if kind not in ("r", "a"):
            raise FormatError(f"timeline kind must be 'r' or 'a', not {kind!r}")
        if isinstance(n, bool) or not isinstance(n, int) or not (0 <= n < 2**31):
            raise FormatError(f"a timeline length must be a whole number ≥ 0, not {n!r}")
    return Timeline.from_list(value)


def _notes(value: Any) -> list[dict[str, Any]]:
    """The ``notes`` list, checked: each a dict with ``text`` and optional part/step/span."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise FormatError("'notes' must be a list")
    notes = []
    for n in value:
        if not isinstance(n, dict) or not isinstance(n.get("text"), str) or not n["text"].strip():
            raise FormatError("each note needs a 'text' string")
        part = n.get("part") or "reasoning"
        if part not in ("reasoning", "answer"):
            raise FormatError(f"a note's 'part' must be 'reasoning' or 'answer', not {part!r}")
        nums = [n.get(k) for k in ("step", "start", "end")]
        if any(v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0) for v in nums):
            raise FormatError("a note's 'step', 'start' and 'end' must be whole numbers ≥ 0 or null")
        start, end = nums[1], nums[2]
        if (start is None) != (end is None) or (start is not None and start >= end):
            raise FormatError("a note's span needs both 'start' and 'end', with start < end")
        created = n.get("created")
        if created is not None:
            created = _time(created)
        notes.append({"part": part, "step": nums[0], "start": start, "end": end, "text": n["text"],
                      "created": created})
    return notes


def _object(doc: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = doc.get(key)
    if value is not None and not isinstance(value, dict):
        raise FormatError(f"'{key}' must be an object or null")
    return value


def from_doc(doc: Any) -> Transcript:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise FormatError("not a cot-viewer transcript (no \"format\": \"cot-viewer/transcript\")")
    if not isinstance(doc.get("version"), int) or doc["version"] > VERSION:
        raise FormatError(f"transcript format version {doc.get('version')!r} is newer than this cot-viewer reads ({VERSION})")
    if not isinstance(doc.get("id"), str) or not doc["id"].strip() or len(doc["id"]) > 100:
        raise FormatError("a transcript needs an 'id' string (1–100 characters)")
    if not doc["id"].isprintable() or any(c.isspace() for c in doc["id"]):
        raise FormatError("a transcript 'id' may not hold spaces or control characters")
    try:
        reasoning, answer = doc.get("reasoning") or "", doc.get("answer") or ""
        if not isinstance(reasoning, str) or not isinstance(answer, str):
            raise FormatError("'reasoning' and 'answer' must be strings")
        timeline = _timeline(doc.get("timeline"))
        status = doc.get("status") or "complete"
        if status not in STATUSES or status == "streaming":
            status = "interrupted"
        usage = doc.get("usage")
        if usage is not None and not isinstance(usage, dict):
            raise FormatError("'usage' must be an object or null")
        tr = Transcript(
            prompt=_text(doc, "prompt", ""), messages=_messages(doc.get("messages")),
            provider=_text(doc, "provider") or "custom", base_url=_text(doc, "base_url"), model=_text(doc, "model"),
            id=str(doc["id"]), conversation_id=_text(doc, "conversation_id") or doc["id"],
            parent_id=_text(doc, "parent_id"), created=_time(doc.get("created", 0)), status=status,
            finish_reason=_text(doc, "finish_reason"), usage=usage, error=_text(doc, "error"),
            error_kind=_text(doc, "error_kind"), example=bool(doc.get("example")),
            notes=_notes(doc.get("notes")), timeline=timeline,
            settings=_object(doc, "settings"), prices=_object(doc, "prices"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, FormatError):
            raise
        raise FormatError(f"malformed transcript: {exc}") from None
    r_len = sum(n for _, k, n in timeline.entries() if k == "r")
    a_len = sum(n for _, k, n in timeline.entries() if k == "a")
    if len(timeline) and (r_len != len(reasoning) or a_len != len(answer)):
        raise FormatError("the timeline does not match the text (chunk lengths must add up to the reasoning and answer)")
    tr.set_text(reasoning, answer)
    for n in tr.notes:
        if n["end"] is not None and n["end"] > len(reasoning if n["part"] == "reasoning" else answer):
            raise FormatError(f"a note's span [{n['start']}, {n['end']}) is past the end of the {n['part']}")
    timing = doc.get("timing")
    total = timing.get("total_s") if isinstance(timing, dict) else None
    ok = isinstance(total, (int, float)) and not isinstance(total, bool) and 0 <= total <= MAX_CHUNK_T
    tr.end_t = float(total) if ok else None
    return tr


def loads(text: str) -> list[Transcript]:
    text = text.strip()
    if not text:
        raise FormatError("the file is empty")
    try:
        doc = jsonin.loads(text)
        docs = doc if isinstance(doc, list) else [doc]
    except RecursionError:
        raise FormatError("the JSON is nested too deeply") from None
    except json.JSONDecodeError:
        try:
            docs = [jsonin.loads(line) for line in text.splitlines() if line.strip()]
        except RecursionError:
            raise FormatError("the JSON is nested too deeply") from None
        except json.JSONDecodeError as exc:
            raise FormatError(f"not JSON or JSON lines: {exc}") from None
    return [from_doc(d) for d in docs]


def load_file(path: str | Path) -> list[Transcript]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise FormatError(f"cannot read {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise FormatError(f"{p} is not UTF-8 text") from None
    return loads(text)


def render(transcripts: list[Transcript], *, sections=None) -> str:
    """The exchange format, for :func:`cot_viewer.export.render` (``sections`` are not part of it)."""
    return dumps(transcripts)


def dumps(transcripts: list[Transcript], *, lines: bool | None = None) -> str:
    """One transcript: an indented object. Several: JSON lines (one per line)."""
    if lines is None:
        lines = len(transcripts) != 1
    from cot_viewer.safe import json_text  # C1 controls escaped: the export may go to a terminal

    if lines:
        return "".join(json_text(to_doc(t)) + "\n" for t in transcripts)
    return json_text(to_doc(transcripts[0]), indent=1) + "\n"
