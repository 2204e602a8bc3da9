"""One analysed trace → output rows, and the Parquet schemas of the three outputs.

``traces``: one row per trace (the columns are listed in docs/batch.md); ``steps`` (with
``--steps``): one row per step; ``rejects``: one row per row or trace we could not analyse.
Label and phase names come from the analysis' public ``LABELS`` and ``PHASE_KINDS``.
"""

from __future__ import annotations

import io
import json
from typing import Any

from cot_viewer.batch.model import Trace

POSITION_BINS = 10


def _names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    from cot_viewer.analysis import LABELS, PHASE_KINDS

    return tuple(LABELS), tuple(PHASE_KINDS)


def schemas() -> dict[str, Any]:
    import pyarrow as pa

    labels, kinds = _names()
    traces = [
        ("source", pa.string()), ("row", pa.int64()), ("id", pa.string()), ("group", pa.string()),
        ("correct", pa.bool_()), ("reasoning_chars", pa.int64()), ("answer_chars", pa.int64()),
        ("words", pa.int64()), ("steps", pa.int32()), ("paragraphs", pa.int32()),
        *[(f"count_{lab}", pa.int32()) for lab in labels],
        *[(f"share_{lab}", pa.float64()) for lab in labels],
        *[(f"phases_{k}", pa.int32()) for k in kinds],
        ("cycle_count", pa.int32()), ("mean_cycle_chars", pa.float64()), ("pivots", pa.int32()),
        ("approach_switches", pa.int32()), ("verify_episodes", pa.int32()), ("verify_share", pa.float64()),
        ("first_verify_at", pa.float64()), ("first_answer_at", pa.float64()), ("answer_flips", pa.int32()),
        ("candidate_answers", pa.int32()), ("final_answer", pa.string()), ("thinking_seconds", pa.float64()),
        ("transitions", pa.list_(pa.int32())), ("label_by_position", pa.list_(pa.int32())),
    ]
    steps = [
        ("source", pa.string()), ("row", pa.int64()), ("id", pa.string()), ("step", pa.int32()),
        ("start", pa.int64()), ("end", pa.int64()), ("paragraph", pa.int32()), ("label", pa.string()),
        ("phase", pa.string()), ("phase_number", pa.int32()), ("position", pa.float64()), ("text", pa.string()),
    ]
    rejects = [("source", pa.string()), ("row", pa.int64()), ("trace", pa.int32()), ("reason", pa.string())]
    return {name: pa.schema(cols) for name, cols in (("traces", traces), ("steps", steps), ("rejects", rejects))}


def trace_row(source: str, row: int, t: Trace, a: Any) -> dict[str, Any]:
    """The ``traces`` row of one analysis (public fields of ``Analysis`` only)."""
    labels, kinds = _names()
    m = a.metrics
    index = {lab: i for i, lab in enumerate(labels)}
    chars = len(t.reasoning)
    transitions = [0] * (len(labels) ** 2)
    by_position = [0] * (POSITION_BINS * len(labels))
    prev = None
    for s in a.steps:
        li = index.get(s.label)
        if li is None:
            continue
        if prev is not None:
            transitions[prev * len(labels) + li] += 1
        prev = li
        mid = (s.start + s.end) / 2 / chars if chars else 0.0
        by_position[min(POSITION_BINS - 1, int(mid * POSITION_BINS)) * len(labels) + li] += 1
    phase_counts = {k: 0 for k in kinds}
    for p in a.phases:
        phase_counts[p.kind] = phase_counts.get(p.kind, 0) + 1
    cycles = m.cycles
    d: dict[str, Any] = {
        "source": source, "row": row, "id": t.id, "group": t.group, "correct": t.correct,
        "reasoning_chars": chars, "answer_chars": len(t.answer), "words": m.words, "steps": len(a.steps),
        "paragraphs": m.paragraphs,
    }
    d.update({f"count_{lab}": int(m.label_counts.get(lab, 0)) for lab in labels})
    d.update({f"share_{lab}": float(m.label_share.get(lab, 0.0)) for lab in labels})
    d.update({f"phases_{k}": phase_counts[k] for k in kinds})
    d.update({
        "cycle_count": len(cycles), "mean_cycle_chars": sum(c.chars for c in cycles) / len(cycles) if cycles else None,
        "pivots": m.pivots, "approach_switches": m.approach_switches, "verify_episodes": m.verify_episodes,
        "verify_share": float(m.verify_share), "first_verify_at": m.first_verify_at, "first_answer_at": m.first_answer_at,
        "answer_flips": m.answer_flips, "candidate_answers": len(m.candidate_answers), "final_answer": m.final_answer,
        "thinking_seconds": m.thinking_seconds, "transitions": transitions, "label_by_position": by_position,
    })
    return d


def step_rows(source: str, row: int, t: Trace, a: Any) -> list[dict[str, Any]]:
    chars = len(t.reasoning) or 1
    phases = a.phases
    out = []
    for s in a.steps:
        ph = phases[s.phase] if 0 <= s.phase < len(phases) else None
        out.append({
            "source": source, "row": row, "id": t.id, "step": s.index, "start": s.start, "end": s.end,
            "paragraph": s.paragraph, "label": s.label, "phase": ph.kind if ph else None,
            "phase_number": ph.number if ph else None, "position": s.start / chars, "text": t.reasoning[s.start : s.end],
        })
    return out


def encode(rows: list[dict[str, Any]], schema: Any) -> bytes:
    """Parquet bytes of ``rows``: the same rows always give the same bytes.

    The table is parsed from JSON lines by pyarrow's C++ reader against the explicit schema
    (exact for floats: Python writes the shortest repr that round-trips). Building it from
    Python objects instead (``Table.from_pylist``) goes through ``pa.array``, which imports
    pandas whenever it is installed (Ray Data installs it): ~0.5–1 s in every process.
    """
    import pyarrow as pa
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    if rows:
        text = "".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n" for r in rows)
        try:
            data = text.encode()
        except UnicodeEncodeError:  # a lone surrogate from the input: Parquet holds only UTF-8
            data = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode()
        table = pj.read_json(
            io.BytesIO(data),
            read_options=pj.ReadOptions(use_threads=False, block_size=len(data) + 1),
            parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
        )
    else:
        table = pa.Table.from_batches([], schema=schema)  # (schema.empty_table() imports pandas too)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()
