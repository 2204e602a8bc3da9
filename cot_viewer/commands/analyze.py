"""``cot-viewer analyze ID|FILE``: the steps, labels, phases and metrics of a reasoning trace."""

from __future__ import annotations

import argparse
import json
import sys

from cot_viewer.commands.replay import load_source

FORMAT = "cot-viewer/analysis"
VERSION = 1


def analysis_of(tr):
    from cot_viewer.analysis import analyze

    return analyze(tr.reasoning, tr.answer, tr.reasoning_char_times() or None, prompt=tr.prompt or None)


def to_json(tr, analysis) -> dict:
    """The stable ``--json`` document (format version 1; see docs/analysis.md)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "transcript": {"id": tr.id, "model": tr.model, "provider": tr.provider, "status": tr.status, "prompt": tr.prompt},
        "analysis": analysis.to_dict(tr.reasoning),
    }


def render_text(tr, analysis) -> str:
    from cot_viewer.export.outline import answer_summary, transition_rows, verify_summary
    from cot_viewer.safe import terminal_safe

    m = analysis.metrics.to_dict()
    text = tr.reasoning
    lines = [f"{tr.id} · {tr.model} · {len(analysis.steps)} steps in {m['paragraphs']} paragraphs, {m['words']} words"]
    lines.append(
        f"pivots {m['pivots']} · approach switches {m['approach_switches']} · verify episodes {verify_summary(m)}"
        f" · cycles {m['cycle_count']} · final answer {terminal_safe(answer_summary(m) or 'none found')}"
    )
    shares = m.get("label_share") or {}
    lines.append("labels: " + ", ".join(f"{k} {100 * v:.0f}%" for k, v in shares.items() if v))
    bands = m.get("band_share") or {}
    lines.append("paragraph bands: " + ", ".join(f"{k} {100 * v:.0f}%" for k, v in bands.items() if v))
    lines.append("transitions: " + "; ".join(f"{a.lower()} → {b}" for a, b in transition_rows(m)))
    lines.append("(V / E before a label: the step's paragraph is a Verify / Explore episode)")
    for ph in analysis.phases:
        name = ph.kind.capitalize() + (f" {ph.number}" if ph.kind == "reconstruction" else "")
        secs = f" · {ph.seconds:.1f} s" if ph.seconds is not None else ""
        lines.append(f"\n== {name} (steps {ph.first_step + 1}–{ph.last_step + 1}{secs})")
        for st in analysis.steps[ph.first_step : ph.last_step + 1]:
            snippet = " ".join(terminal_safe(text[st.start : st.end]).split())
            if len(snippet) > 100:
                snippet = snippet[:99] + "…"
            band = {"Verify": "V", "Explore": "E"}.get(st.band, " ")
            lines.append(f"{st.index + 1:5}  {band} {st.label:<9} {snippet}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    tr = load_source(args.source)
    analysis = analysis_of(tr)
    if args.json:
        sys.stdout.write(json.dumps(to_json(tr, analysis), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(tr, analysis))
    return 0
