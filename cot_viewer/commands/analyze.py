"""``cot-viewer analyze ID|FILE``: the steps, labels, phases and metrics of a reasoning trace."""

from __future__ import annotations

import argparse
import sys

from cot_viewer.commands.replay import load_source

FORMAT = "cot-viewer/analysis"
VERSION = 1


def to_json(tr, analysis, labeller: dict | None = None) -> dict:
    """The stable ``--json`` document (format version 1; see docs/analysis.md).  ``labeller``
    says who made the labels (default: the shipped, trained labeller)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "transcript": {"id": tr.id, "model": tr.model, "provider": tr.provider, "status": tr.status, "prompt": tr.prompt},
        "labeller": labeller or {"kind": "trained", "made_by_model": False},
        "analysis": analysis.to_dict(tr.reasoning),
    }


def render_text(tr, analysis, labeller: dict | None = None) -> str:
    from cot_viewer.analysis.vocabulary import phase_name
    from cot_viewer.export.outline import answer_summary, share_text, transition_rows, verify_summary
    from cot_viewer.safe import terminal_safe

    m = analysis.metrics.to_dict()
    text = tr.reasoning
    lines = [f"{terminal_safe(tr.id)} · {terminal_safe(tr.model or '-')} · {len(analysis.steps)} steps in {m['paragraphs']} paragraphs, {m['words']} words"]
    if labeller and labeller.get("made_by_model"):
        filled = labeller.get("filled_by_trained_labeller") or 0
        lines.append(terminal_safe(f"labels made by a language model ({labeller['provider']}/{labeller['model']}), "
                                   "not by the trained labeller" + (f"; {filled} it left out are the trained "
                                                                   "labeller's" if filled else "")))
    lines.append(
        f"pivots {m['pivots']} · approach switches {m['approach_switches']} · verify episodes {verify_summary(m)}"
        f" · cycles {m['cycle_count']} · final answer {terminal_safe(answer_summary(m) or 'none found')}"
    )
    lines.append("labels: " + share_text(m.get("label_share")))
    lines.append("paragraph bands: " + share_text(m.get("band_share")))
    lines.append("transitions: " + "; ".join(f"{a.lower()} → {b}" for a, b in transition_rows(m)))
    lines.append("(V / E before a label: the step's paragraph is a Verify / Explore episode)")
    for ph in analysis.phases:
        name = phase_name(ph.kind, ph.number)
        secs = f" · {ph.seconds:.1f} s" if ph.seconds is not None else ""
        lines.append(f"\n== {name} (steps {ph.first_step + 1}–{ph.last_step + 1}{secs})")
        for st in analysis.steps[ph.first_step : ph.last_step + 1]:
            snippet = " ".join(terminal_safe(text[st.start : st.end]).split())
            if len(snippet) > 100:
                snippet = snippet[:99] + "…"
            band = {"Verify": "V", "Explore": "E"}.get(st.band, " ")
            lines.append(f"{st.index + 1:5}  {band} {st.label:<9} {snippet}")
    return terminal_safe("\n".join(lines)) + "\n"


def _llm_labels(args: argparse.Namespace, tr):
    import dataclasses

    from cot_viewer.commands.common import resolve_endpoint, stream_options
    from cot_viewer.commands.llm_labeller import llm_labels

    endpoint = resolve_endpoint(args)
    if endpoint.model is None:  # local servers name their model: ask them
        from cot_viewer.stream.client import first_model

        endpoint = dataclasses.replace(endpoint, model=first_model(endpoint))
    return llm_labels(tr, endpoint, stream_options(args))


def run(args: argparse.Namespace) -> int:
    tr = load_source(args.source)
    labels = labeller = None
    if getattr(args, "labeller", "trained") == "llm" and tr.reasoning.strip():
        made = _llm_labels(args, tr)
        labels, labeller = made.labels, made.describe()
    from cot_viewer.analysis import analyze_transcript

    analysis = analyze_transcript(tr, labels)
    if args.json:
        from cot_viewer.safe import json_text

        sys.stdout.write(json_text(to_json(tr, analysis, labeller)) + "\n")
    else:
        sys.stdout.write(render_text(tr, analysis, labeller))
    return 0
