"""The teaching outline for handouts: numbered steps with labels, grouped by phase, the
metrics, and room for a teacher's notes — as :class:`Section` blocks for the Markdown and
HTML exports (``history export --format md|html``).
"""

from __future__ import annotations

from collections.abc import Iterator

from cot_viewer.analysis.vocabulary import phase_name
from cot_viewer.export.sections import Section, StepLine
from cot_viewer.transcript import Transcript

STEP_CHARS = 400


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def share_text(shares: dict | None) -> str:
    """"Verify 30%, Implement 25%": the non-zero shares of a metrics share table."""
    return ", ".join(f"{k} {_pct(v)}" for k, v in (shares or {}).items() if v)


def verify_summary(m: dict) -> str:
    """"3 (the first at 42% into the reasoning)", or "none" — never a dash."""
    if not m.get("verify_episodes") or m.get("first_verify_at") is None:
        return "none"
    return f"{m['verify_episodes']} (the first at {_pct(m['first_verify_at'])} into the reasoning)"


def answer_summary(m: dict) -> str | None:
    """Where the final answer was first reached and what came after it, in words; None
    without a final answer.  Re-checking is claimed only when no other answer followed."""
    fa = m.get("final_answer")
    if not fa:
        return None
    at = m.get("first_answer_at")
    if at is None:
        return f"{fa} (not stated in the reasoning)"
    if m.get("answer_revised"):
        flips = m.get("answer_flips") or 0
        return (f"{fa} (first reached at {_pct(at)} of the reasoning; the answer changed after that"
                f" — {flips} change{'s' if flips != 1 else ''} in all — before it was settled)")
    return f"{fa} (first reached at {_pct(at)} of the reasoning; the rest re-checks it)"


def transition_rows(m: dict) -> list[tuple[str, str]]:
    """One row per label: what the next step was labelled, most frequent first."""
    rows = []
    for a, nxt in (m.get("label_transitions") or {}).items():
        got = sorted(((n, b) for b, n in nxt.items() if n), key=lambda x: (-x[0], x[1]))
        if got:
            rows.append((f"After {a}", ", ".join(f"{b} {n}" for n, b in got)))
    return rows


def outline_sections(tr: Transcript) -> Iterator[Section]:
    """Outline, metrics and a teacher's-notes block for one transcript (nothing without reasoning)."""
    if not tr.reasoning.strip():
        return
    from cot_viewer.analysis import analyze_transcript

    text = tr.reasoning
    a = analyze_transcript(tr)
    notes_by_step: dict[int, list[str]] = {}
    for n in tr.notes:
        if n.get("step") is not None:
            notes_by_step.setdefault(int(n["step"]), []).append(str(n.get("text") or ""))
    for ph in a.phases:
        secs = f", {ph.seconds:.1f} s" if ph.seconds is not None else ""
        title = f"Outline — {phase_name(ph.kind, ph.number)} (steps {ph.first_step + 1}–{ph.last_step + 1}{secs})"
        lines: list[str | StepLine] = []
        for st in a.steps[ph.first_step : ph.last_step + 1]:
            body = " ".join(text[st.start : st.end].split())
            if len(body) > STEP_CHARS:
                body = body[: STEP_CHARS - 1] + "…"
            lines.append(StepLine(st.index + 1, st.label, body, st.band))
            for note in notes_by_step.get(st.index, []):  # notes hold the 0-based step index
                lines.append(f"    ✎ teacher's note on step {st.index + 1}: {note}")
        yield Section(title, tuple(lines))
    m = a.metrics.to_dict()
    cycles = m.get("cycles") or []
    rows = [
        ("Steps / paragraphs / words", f"{m['steps']} / {m['paragraphs']} / {m['words']:,}"),
        ("Pivots (Wait / Hmm / Hold on)", str(m["pivots"])),
        ("Approach switches (Alternatively / another way)", str(m["approach_switches"])),
        ("Verify episodes", verify_summary(m)),
        ("Share of text spent verifying", _pct(m["verify_share"])),
        ("Share of text per paragraph band", share_text(m.get("band_share"))),
        ("Reconstruction cycles", f"{m['cycle_count']}" + (" — lengths " + ", ".join(f"{c['words']} words" + (f"/{c['seconds']:.1f} s" if c.get("seconds") is not None else "") for c in cycles) if cycles else "")),
        ("Share of text per label", share_text(m.get("label_share"))),
        ("Share of text per phase", share_text(m.get("phase_share"))),
    ]
    if m.get("phase_seconds"):
        rows.append(("Seconds per phase", ", ".join(f"{k} {v:.1f} s" for k, v in m["phase_seconds"].items() if v is not None)))
    answer = answer_summary(m)
    if answer:
        rows.append(("Final answer (first reached)", answer))
    if m.get("candidate_answers"):
        rows.append(("Candidate answers along the way", ", ".join(map(str, m["candidate_answers"]))))
    yield Section("Metrics of the reasoning", rows=tuple(rows))
    transitions = transition_rows(m)
    if transitions:
        yield Section("Label transitions (what the next step was)", rows=tuple(transitions))
    yield Section(
        "Teacher's notes",
        (
            "Before revealing each phase, ask the class to predict the model's next move.",
            "Where did the model first doubt itself (step …)? ______________________________",
            "Which check caught — or failed to catch — an error? ______________________________",
            "What plan did it announce, and did it keep to it? ______________________________",
            "Notes: ____________________________________________________________",
        ),
    )
