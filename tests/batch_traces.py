"""Realistic reasoning traces for the batch tests and benchmark, made on the fly: paragraphs
of the real traces in ../shared/corpus (a seeded selection of each), or, when the corpus is
absent, synthetic traces with the same markers (Wait, Alternatively, let me check, boxed
answers). Nothing of the corpus is written into the project."""

from __future__ import annotations

import json
import random
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "thought-anchors-math.jsonl"

_SYNTHETIC = [
    "Okay, so I need to find the value of $x$ such that $x^2 + {a}x = {b}$.",
    "First, let me rewrite the equation as $x^2 + {a}x - {b} = 0$.",
    "Using the quadratic formula, $x = \\frac{{-{a} \\pm \\sqrt{{{a}^2 + 4 \\cdot {b}}}}}{{2}}$.",
    "So the discriminant is ${a}^2 + {c} = {d}$.",
    "Wait, let me double-check that computation.",
    "Hmm, that does not look right, because {a} times {a} is {e}.",
    "Alternatively, I could factor the expression directly.",
    "Let me verify by substituting back: {a} + {b} = {f}, which matches.",
    "I think the plan is to isolate the square term first and then take roots.",
    "Therefore, the answer is $\\boxed{{{f}}}$.",
]


def _synthetic(rng: random.Random) -> tuple[str, str]:
    paragraphs = []
    for _ in range(rng.randint(8, 40)):
        a, b = rng.randint(2, 40), rng.randint(2, 400)
        vals = {"a": a, "b": b, "c": 4 * b, "d": a * a + 4 * b, "e": a * a, "f": a + b}
        paragraphs.append(" ".join(rng.choice(_SYNTHETIC).format(**vals) for _ in range(rng.randint(1, 5))))
    answer = f"The answer is $\\boxed{{{rng.randint(1, 500)}}}$."
    return "\n\n".join(paragraphs), answer


def corpus_rows() -> list[dict]:
    if not CORPUS.exists():
        return []
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def rows(n: int, seed: int = 0) -> list[dict]:
    """``n`` rows with ``id``, ``model``, ``correct``, ``prompt``, ``reasoning``, ``answer``."""
    rng = random.Random(seed)
    base = corpus_rows()
    out = []
    for i in range(n):
        if base:
            src = base[i % len(base)]
            paras = src["reasoning"].split("\n\n")
            keep = sorted(rng.sample(range(len(paras)), max(1, int(len(paras) * rng.uniform(0.5, 1.0)))))
            reasoning, answer = "\n\n".join(paras[k] for k in keep), src["answer"]
            model, correct, prompt = src["model"], src["correct"], src["prompt"]
        else:
            reasoning, answer = _synthetic(rng)
            model, correct, prompt = f"model-{i % 3}", rng.random() < 0.6, "Solve the equation."
        out.append({"id": f"t{i:06d}", "model": model, "correct": correct, "prompt": prompt, "reasoning": reasoning, "answer": answer})
    return out


def write_jsonl(path: Path, items: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items), encoding="utf-8")
    return path


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes): to compare output directories."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
