"""Fingerprints of the analysis of every corpus trace: proof that a speed-up changed nothing.

For each trace of ``../shared/corpus/thought-anchors-math.jsonl`` (with its answer and
problem text), the ~60,000-token benchmark trace (``bench/bench_analysis.py``) and each
ThinkARM response (``thinkarm-gold.jsonl``, its sentences labelled in order), the script
hashes everything the analysis reports: ``analyze().to_dict()`` (steps with labels, bands
and phases, phases, metrics) and the labels of the corpus' own chunks (``label_spans``);
the incremental analyser's final snapshot is checked to be the same as ``analyze()``.

    python tools/analysis_fingerprint.py            # compare with the stored fingerprints
    python tools/analysis_fingerprint.py --write    # store them (after a deliberate change)
    python tools/analysis_fingerprint.py --dump F   # also write the full outputs to F (JSON)

The stored file (``tests/analysis/data/corpus_fingerprints.json``) holds only hashes, and
the hash of ``labeller.json`` they were made with: retraining the model changes labels on
purpose, and the fingerprints are then written again.  ``tests/analysis/test_analysis_fingerprint.py``
runs the comparison (skipped without ``../shared``).  Exit codes: 0 same, 1 different,
2 corpus absent.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cot_viewer.analysis import IncrementalAnalyzer, analyze, label_spans, segment  # noqa: E402
from cot_viewer.analysis.labeller import WEIGHTS_PATH, default_labeller  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
TRACES = CORPUS / "thought-anchors-math.jsonl"
THINKARM = CORPUS / "thinkarm-gold.jsonl"
STORED = ROOT / "tests" / "analysis" / "data" / "corpus_fingerprints.json"


def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _chunk_spans(reasoning: str, steps: list[dict]) -> list[tuple[int, int, int]]:
    """The corpus' own chunks located in the reasoning, in order."""
    spans, pos = [], 0
    for st in steps:
        i = reasoning.find(st["text"], pos)
        if i < 0:
            continue
        spans.append((i, i + len(st["text"]), 0))
        pos = i + len(st["text"])
    return spans


def _incremental(text: str, answer: str) -> dict:
    inc = IncrementalAnalyzer()
    for i in range(0, len(text), 997):  # odd batch size: splits land mid-sentence and mid-paragraph
        inc.feed(text[i:i + 997])
        inc.steps_since(0)
    inc.close()
    return inc.snapshot(answer).to_dict(text)


def outputs() -> dict[str, dict]:
    """Everything the analysis says about each trace, by a stable name."""
    out: dict[str, dict] = {}
    rows = [json.loads(x) for x in TRACES.read_text(encoding="utf-8").splitlines() if x.strip()]
    for n, r in enumerate(rows):
        text, answer = r["reasoning"], r.get("answer") or ""
        full = analyze(text, answer, prompt=r.get("prompt")).to_dict(text)
        out[f"thought-anchors/{n:02d}"] = {
            "analysis": full,
            "chunk_labels": label_spans(text, _chunk_spans(text, r.get("steps") or [])),
            "incremental_equal": _incremental(text, answer) == analyze(text, answer).to_dict(text),
        }
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_analysis import build_trace  # the benchmark's own 60k-token trace

    text = build_trace()
    answer = "The answer is \\boxed{42}."
    full = analyze(text, answer).to_dict(text)
    out["bench-60k"] = {"analysis": full, "steps": len(segment(text)),
                        "incremental_equal": _incremental(text, answer) == full}
    if THINKARM.exists():
        groups: dict[tuple, list[dict]] = {}
        for line in THINKARM.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                groups.setdefault((r["model"], r["problem"], r["part"]), []).append(r)
        model = default_labeller()
        for key in sorted(groups):
            sents = [r["sentence"] for r in sorted(groups[key], key=lambda r: r["index"])]
            out["thinkarm/" + "/".join(map(str, key))] = {"labels": model.label_sentences(sents)}
    return out


def fingerprints(outs: dict[str, dict]) -> dict:
    return {"weights": hashlib.sha256(WEIGHTS_PATH.read_bytes()).hexdigest()[:16],
            "traces": {k: _hash(v) for k, v in outs.items()}}


def compare(stored: dict, now: dict) -> list[str]:
    """Lines naming what differs (empty: identical)."""
    if stored.get("weights") != now["weights"]:
        return [f"labeller.json differs from the one the fingerprints were made with "
                f"({stored.get('weights')} vs {now['weights']}): write them again with --write"]
    a, b = stored["traces"], now["traces"]
    return [f"{k}: {a.get(k)} -> {b.get(k)}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not TRACES.exists():
        print(f"skipped: corpus not found at {TRACES}")
        return 2
    outs = outputs()
    bad = [k for k, v in outs.items() if v.get("incremental_equal") is False]
    if bad:
        print("incremental analyser differs from analyze() on: " + ", ".join(bad))
        return 1
    if "--dump" in argv:
        Path(argv[argv.index("--dump") + 1]).write_text(json.dumps(outs, ensure_ascii=False), encoding="utf-8")
    now = fingerprints(outs)
    if "--write" in argv:
        STORED.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {len(now['traces'])} fingerprints to {STORED.relative_to(ROOT)}")
        return 0
    diff = compare(json.loads(STORED.read_text(encoding="utf-8")), now)
    for line in diff:
        print(line)
    print(f"{len(now['traces'])} traces: " + ("identical" if not diff else f"{len(diff)} differ"))
    return 1 if diff else 0


if __name__ == "__main__":
    raise SystemExit(main())
