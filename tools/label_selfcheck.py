"""Cross-domain checks of the labels on the Thought Anchors corpus (R1-distilled models).

The labeller is trained and tested on ThinkARM's human labels (``tools/train_labeller.py``,
``docs/analysis.md``).  These checks look at another domain — R1-distilled models on
competition problems — with labels made to other conventions, so they are sanity checks,
not the accuracy figure.

Run ``python tools/label_selfcheck.py [CORPUS.jsonl]`` (default: the corpus in
``../shared/corpus`` next to the repository), or
``python tools/label_selfcheck.py --guidebook [CORPUS.jsonl [LABELS.jsonl [FRESH.jsonl [THIRD.jsonl]]]]``.
The corpus chunks carry GPT-4o labels in the Thought Anchors taxonomy, mapped onto the seven
episode labels like this:

================================  =====================================================
Thought Anchors label              counted correct when we predict
================================  =====================================================
problem_setup                      Read
plan_generation                    Plan
fact_retrieval                     Analyze
active_computation                 Implement
uncertainty_management             Explore or Monitor
self_checking                      Verify
result_consolidation               Analyze or Implement (a conclusion: an inference is
                                   Analyze, a conclusion drawn from a computation is
                                   Implement in Li et al.'s guidebook)
final_answer_emission              Analyze or Implement (same reasoning)
================================  =====================================================

``--guidebook`` mode scores the labels instead against our own annotation of corpus
sentences, split by our segmenter and labelled by hand following the guidebook:
``tests/analysis/data/guidebook_labels.jsonl`` (13 traces, splits ``dev``/``test``),
``guidebook_labels_fresh.jsonl`` (8 more traces) and ``guidebook_labels_third.jsonl`` (7
more).  Each row holds the trace id, the split, the span, the label and a short excerpt; the
text itself is re-read from the corpus.  The files were made for the earlier rule-based
labeller, to our own conventions (the first file labels every re-computation inside a check
Verify, where the human annotators label it Implement), and were never used to train the
model.  Each set is scored separately, with the problem text passed as ``prompt=``, and also
"reweighted": per-label recall weighted by the label mix Li et al. report for R1 traces.

"strict" accuracy maps both result_consolidation and final_answer_emission to Analyze
only.  Two scorings are printed: ``spans`` labels each corpus chunk's own span directly
(:func:`cot_viewer.analysis.label_spans`); ``steps`` runs the full :func:`analyze` and
maps each chunk to our step covering most of its characters.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from cot_viewer.analysis import LABELS, analyze, label_spans  # noqa: E402
from cot_viewer.analysis.segment import paragraph_spans  # noqa: E402

MAPPING: dict[str, frozenset[str]] = {
    "problem_setup": frozenset({"Read"}),
    "plan_generation": frozenset({"Plan"}),
    "fact_retrieval": frozenset({"Analyze"}),
    "active_computation": frozenset({"Implement"}),
    "uncertainty_management": frozenset({"Explore", "Monitor"}),
    "self_checking": frozenset({"Verify"}),
    "result_consolidation": frozenset({"Analyze", "Implement"}),
    "final_answer_emission": frozenset({"Analyze", "Implement"}),
}
STRICT: dict[str, frozenset[str]] = {
    **MAPPING,
    "result_consolidation": frozenset({"Analyze"}),
    "final_answer_emission": frozenset({"Analyze"}),
}
TA_LABELS = tuple(MAPPING)


def default_corpus() -> Path:
    return ROOT.parent / "shared" / "corpus" / "thought-anchors-math.jsonl"


def load(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def chunk_spans(text: str, chunks: Iterable[str]) -> list[tuple[int, int, int] | None]:
    """Locate each chunk in ``text`` (in order) as ``(start, end, paragraph)``."""
    pars = paragraph_spans(text)
    out: list[tuple[int, int, int] | None] = []
    pos = 0
    for chunk in chunks:
        c = chunk.strip()
        i = text.find(c, pos) if c else -1
        if i < 0 and len(c) > 20:
            i = text.find(c[:20], pos)
            if i >= 0:
                c = c[: max(1, min(len(c), len(text) - i))]
        if i < 0:
            out.append(None)
            continue
        s, e = i, i + len(c)
        pos = e
        p = 0
        for k, (ps, pe) in enumerate(pars):
            if ps <= s < max(pe, ps + 1) or ps > s:
                p = k
                break
        else:
            p = len(pars) - 1
        out.append((s, e, p))
    return out


def score(rows: list[dict], mode: str = "spans") -> dict:
    """Accuracy (lenient and strict) and the confusion counts over all located chunks."""
    confusion: Counter[tuple[str, str]] = Counter()
    ok = strict_ok = total = 0
    for row in rows:
        text = row["reasoning"]
        gold = [(st.get("labels") or ["?"])[0] for st in row["steps"]]
        spans = chunk_spans(text, [st["text"] for st in row["steps"]])
        located = [(sp, g) for sp, g in zip(spans, gold) if sp is not None and g in MAPPING]
        if not located:
            continue
        if mode == "spans":
            # spans must not overlap and must be in order; paragraphs must be nondecreasing
            fixed = []
            last_p = 0
            for (s, e, p), _ in located:
                last_p = max(last_p, p)
                fixed.append((s, e, last_p))
            preds = label_spans(text, fixed)
        else:
            an = analyze(text)
            preds = []
            for (s, e, _p), _ in located:
                best, best_ov = "Analyze", -1
                for st in an.steps:  # linear scan is fine for a self-check
                    if st.end <= s:
                        continue
                    if st.start >= e:
                        break
                    ov = min(e, st.end) - max(s, st.start)
                    if ov > best_ov:
                        best, best_ov = st.label, ov
                preds.append(best)
        for ((_sp, g), pred) in zip(located, preds):
            confusion[(g, pred)] += 1
            total += 1
            ok += pred in MAPPING[g]
            strict_ok += pred in STRICT[g]
    return {
        "accuracy": ok / total if total else 0.0,
        "strict_accuracy": strict_ok / total if total else 0.0,
        "n": total,
        "confusion": confusion,
    }


# --------------------------------------------------------------------------- guidebook set
def default_guidebook() -> Path:
    return ROOT / "tests" / "analysis" / "data" / "guidebook_labels.jsonl"


def default_guidebook_fresh() -> Path:
    """The second, later annotation (split ``fresh``): traces not in the first file, labelled
    for the rule-based labeller; see the module docstring."""
    return default_guidebook().with_name("guidebook_labels_fresh.jsonl")


def default_guidebook_third() -> Path:
    """The third annotation (split ``third``): 7 more traces; see the module docstring."""
    return default_guidebook().with_name("guidebook_labels_third.jsonl")


def trace_id(row: dict) -> str:
    """Stable id of a corpus trace: ``model:problem:correct|incorrect``."""
    model = "llama8b" if "llama" in str(row.get("model", "")).lower() else "qwen14b"
    return f"{model}:{row['problem']}:{'correct' if row.get('correct') else 'incorrect'}"


def score_guidebook(rows: list[dict], gold: list[dict], split: str | None = None, use_prompt: bool = True) -> dict:
    """Accuracy of :func:`analyze` on our hand-labelled sentences (optionally one split).

    Each gold row names a trace and a sentence span of our segmenter; the full trace is
    analysed (so the labeller sees everything before the span) and the label of the
    step with exactly that span is compared.  Spans our segmenter no longer produces
    are counted in ``missing`` (and as errors).  ``use_prompt``: pass the corpus row's problem
    text to :func:`analyze` (as the callers do)."""
    by_id = {trace_id(r): r for r in rows}
    confusion: Counter[tuple[str, str]] = Counter()
    ok = total = missing = 0
    cache: dict[str, dict[tuple[int, int], str]] = {}
    for g in gold:
        if split is not None and g["split"] != split:
            continue
        tid = g["trace"]
        if tid not in cache:
            row = by_id.get(tid)
            prompt = row.get("prompt") if row is not None and use_prompt else None
            cache[tid] = {} if row is None else {
                (st.start, st.end): st.label for st in analyze(row["reasoning"], prompt=prompt).steps
            }
        pred = cache[tid].get((g["start"], g["end"]))
        total += 1
        if pred is None:
            missing += 1
            pred = "?"
        confusion[(g["label"], pred)] += 1
        ok += pred == g["label"]
    return {"accuracy": ok / total if total else 0.0, "n": total, "missing": missing, "confusion": confusion}


def format_guidebook_confusion(confusion: Counter) -> str:
    """Rows: our gold label; columns: predicted; with per-label recall and precision."""
    cols = list(LABELS) + (["?"] if any(p == "?" for (_g, p) in confusion) else [])
    head = f"{'gold/pred':<11}" + "".join(f"{lab[:7]:>9}" for lab in cols) + "      n  recall"
    lines = [head]
    for g in LABELS:
        row = [confusion.get((g, p), 0) for p in cols]
        n = sum(row)
        rec = confusion.get((g, g), 0) / n if n else 0.0
        lines.append(f"{g:<11}" + "".join(f"{c:>9}" for c in row) + f"{n:>7}  {rec:.2f}")
    pred_tot = [sum(confusion.get((g, p), 0) for g in LABELS) for p in cols]
    lines.append(f"{'(predicted)':<11}" + "".join(f"{c:>9}" for c in pred_tot))
    prec = [confusion.get((p, p), 0) / t if t else 0.0 for p, t in zip(cols, pred_tot)]
    lines.append(f"{'precision':<11}" + "".join(f"{x:>9.2f}" for x in prec))
    return "\n".join(lines)


# Li et al.'s label distribution on human-labelled R1 traces (reasoning-anatomy.md)
HIDDEN_MIX: dict[str, float] = {
    "Analyze": 0.25, "Implement": 0.22, "Verify": 0.20, "Read": 0.12, "Plan": 0.07, "Monitor": 0.07, "Explore": 0.07,
}


def reweighted(confusion: Counter) -> float:
    """Per-label recall weighted by :data:`HIDDEN_MIX` (a rough guess for the target set)."""
    total = 0.0
    for g, w in HIDDEN_MIX.items():
        n = sum(v for (a, _p), v in confusion.items() if a == g)
        total += w * (confusion.get((g, g), 0) / n if n else 0.0)
    return total


def main_guidebook(corpus: Path, labels: Path, fresh: Path | None = None, third: Path | None = None) -> int:
    """Scores ``labels`` per split (old dev, old test) and, if present, the fresh and third files.
    The problem text is passed to :func:`analyze` (``prompt=``), as the callers do."""
    rows = load(corpus)
    sets = [(f"old {split}", load(labels), split) for split in ("dev", "test")]
    if fresh is not None and fresh.exists():
        sets.append(("fresh", load(fresh), None))
    if third is not None and third.exists():
        sets.append(("third", load(third), None))
    for name, gold, split in sets:
        res = score_guidebook(rows, gold, split)
        traces = len({g["trace"] for g in gold if split is None or g["split"] == split})
        print(f"[guidebook {name}] accuracy {res['accuracy']:.3f} (reweighted {reweighted(res['confusion']):.3f}) "
              f"on {res['n']} sentences of {traces} traces"
              + (f" ({res['missing']} spans not found)" if res["missing"] else ""))
        print(format_guidebook_confusion(res["confusion"]))
        print()
    return 0


def format_confusion(confusion: Counter) -> str:
    width = max(len(t) for t in TA_LABELS) + 2
    head = " " * width + "".join(f"{lab[:7]:>9}" for lab in LABELS) + "      n  acc"
    lines = [head]
    for g in TA_LABELS:
        row = [confusion.get((g, p), 0) for p in LABELS]
        n = sum(row)
        acc = sum(confusion.get((g, p), 0) for p in MAPPING[g]) / n if n else 0.0
        lines.append(f"{g:<{width}}" + "".join(f"{c:>9}" for c in row) + f"{n:>7}  {acc:.2f}")
    pred_tot = [sum(confusion.get((g, p), 0) for g in TA_LABELS) for p in LABELS]
    lines.append(f"{'(predicted)':<{width}}" + "".join(f"{c:>9}" for c in pred_tot))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    guidebook = "--guidebook" in argv
    if guidebook:
        argv.remove("--guidebook")
    path = Path(argv[0]) if argv else default_corpus()
    if not path.exists():
        print(f"corpus not found: {path}", file=sys.stderr)
        return 2
    if guidebook:
        labels = Path(argv[1]) if len(argv) > 1 else default_guidebook()
        fresh = Path(argv[2]) if len(argv) > 2 else default_guidebook_fresh()
        third = Path(argv[3]) if len(argv) > 3 else default_guidebook_third()
        if not labels.exists():
            print(f"guidebook labels not found: {labels}", file=sys.stderr)
            return 2
        return main_guidebook(path, labels, fresh, third)
    rows = load(path)
    for mode in ("spans", "steps"):
        res = score(rows, mode)
        print(
            f"[{mode}] accuracy {res['accuracy']:.3f} (strict {res['strict_accuracy']:.3f}) "
            f"on {res['n']} chunks of {len(rows)} traces"
        )
        print(format_confusion(res["confusion"]))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
