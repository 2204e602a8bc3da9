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

from cot_viewer.transcript import STATUSES, Timeline, Transcript

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
        datetime.fromtimestamp(created, timezone.utc).isoformat().replace("+00:00", "Z")
        if isinstance(created, (int, float)) else created
    )
    return out


def _time(value: Any) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()
        except ValueError:
            pass
    raise FormatError(f"bad 'created' time: {value!r}")


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
    try:
        reasoning, answer = doc.get("reasoning") or "", doc.get("answer") or ""
        if not isinstance(reasoning, str) or not isinstance(answer, str):
            raise FormatError("'reasoning' and 'answer' must be strings")
        timeline = Timeline.from_list(doc.get("timeline") or [])
        status = doc.get("status") or "complete"
        if status not in STATUSES or status == "streaming":
            status = "interrupted"
        tr = Transcript(
            prompt=str(doc.get("prompt") or ""), messages=list(doc.get("messages") or []),
            provider=doc.get("provider") or "custom", base_url=doc.get("base_url"), model=doc.get("model"),
            id=str(doc["id"]), conversation_id=str(doc.get("conversation_id") or doc["id"]),
            parent_id=doc.get("parent_id"), created=_time(doc.get("created", 0)), status=status,
            finish_reason=doc.get("finish_reason"), usage=doc.get("usage"), error=doc.get("error"),
            error_kind=doc.get("error_kind"), example=bool(doc.get("example")),
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
    total = (doc.get("timing") or {}).get("total_s")
    tr.end_t = float(total) if isinstance(total, (int, float)) else None
    return tr


def loads(text: str) -> list[Transcript]:
    text = text.strip()
    if not text:
        raise FormatError("the file is empty")
    try:
        doc = json.loads(text)
        docs = doc if isinstance(doc, list) else [doc]
    except json.JSONDecodeError:
        try:
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]
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


def dumps(transcripts: list[Transcript], *, lines: bool | None = None) -> str:
    """One transcript: an indented object. Several: JSON lines (one per line)."""
    if lines is None:
        lines = len(transcripts) != 1
    if lines:
        return "".join(json.dumps(to_doc(t), ensure_ascii=False) + "\n" for t in transcripts)
    return json.dumps(to_doc(transcripts[0]), ensure_ascii=False, indent=1) + "\n"
