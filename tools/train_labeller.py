"""Train the sentence labeller on ThinkARM's human labels and write its weights.

    .venv/bin/pip install -e ".[train]"
    .venv/bin/python tools/train_labeller.py            # dev: leave one problem out, then write the weights
    .venv/bin/python tools/train_labeller.py --test     # score the held-out test problems (once)

Reads ``../shared/corpus/thinkarm-gold.jsonl`` (or ``--data``).  Splits by ``problem_key``:
``TEST_PROBLEMS`` (drawn once with ``random.Random(11).sample(sorted(problems), 2)`` before
any training) are never trained on; the other seven are the development set, scored by
leaving one problem out.  The final model is trained on the seven development problems
and written to ``cot_viewer/analysis/labeller.json``.  Everything is deterministic (fixed
solver, fixed seeds, sorted inputs).  See ``docs/analysis.md`` for the method and figures.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import zlib
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cot_viewer.analysis.features import position_key, prompt_keys, sentence_keys  # noqa: E402
from cot_viewer.analysis.labels import prompt_words  # noqa: E402
from cot_viewer.analysis.labeller import ANSWER_AS, LABELS, Labeller, WEIGHTS_PATH  # noqa: E402

DATA = ROOT.parent / "shared" / "corpus" / "thinkarm-gold.jsonl"
TEST_PROBLEMS = ("sum-n-over-n4", "terminating-decimals")
CLASSES = (*LABELS, "Answer")  # trained with the annotators' eight; Answer is mapped at inference
PROMPT_KEYS = ("prompt", "po:", "pow:", "pnum:", "pcopy")  # features.prompt_keys()
TRAIN_PARTS = ("reasoning", "answer")  # which parts of the responses the model learns from
PROMPT_SENTENCES = 3
MIN_PROBLEMS = 3  # a key is kept only if it occurs in this many training problems (no memorising)
C = 0.5
PRUNE = 0.02  # weights smaller than this are dropped from the shipped file


def load(path: Path) -> list[list[dict]]:
    """Responses (lists of rows in reading order), reasoning and answer parts apart."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                groups[(r["model"], r["problem"], r["part"])].append(r)
    return [sorted(rows, key=lambda r: r["index"]) for _, rows in sorted(groups.items())]


def stand_in_prompts(responses: list[list[dict]]) -> list[str]:
    """The data holds no problem texts.  A response's stand-in is the opening of the other
    models' final answers to the same problem (their first ``PROMPT_SENTENCES`` sentences,
    which restate the problem; chosen without looking at labels).  Half the responses are
    trained with keys from it (``features.prompt_keys``); those keys are not shipped (see
    docs/analysis.md: with real problem texts they moved labels away from Read), and all
    figures are of the labeller without them."""
    openings: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for resp in responses:
        if resp[0]["part"] == "answer":
            openings[resp[0]["problem_key"]].append(
                (resp[0]["model"], " ".join(r["sentence"] for r in resp[:PROMPT_SENTENCES])))
    return [" ".join(t for m, t in openings[resp[0]["problem_key"]] if m != resp[0]["model"]) for resp in responses]


def with_prompt(resp: list[dict]) -> bool:
    """Half the responses are trained without a problem text, so the model works without
    one too (a fixed choice: a checksum of the response's name)."""
    r = resp[0]
    return zlib.crc32(f"{r['model']}|{r['problem_key']}|{r['part']}".encode()) % 2 == 0


def response_keys(resp: list[dict], prompt: str | None) -> list[list[str]]:
    """Keys of every sentence of a response, as the labeller sees them."""
    out = []
    prev: list[str] = ["pbos"]
    pw = prompt_words(prompt)
    for i, r in enumerate(resp):
        own, as_prev, f = sentence_keys(r["sentence"])
        out.append([*own, *prev, position_key(i), *(prompt_keys(f, pw) if pw is not None else ())])
        prev = as_prev
    return out


def fit(responses: list[list[dict]], keys: list[list[list[str]]]):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    problems_of: dict[str, set] = defaultdict(set)
    for resp, ks in zip(responses, keys):
        for k in ks:
            for key in k:
                problems_of[key].add(resp[0]["problem_key"])
    keep = {k for k, ps in problems_of.items() if len(ps) >= MIN_PROBLEMS}
    X, y = [], []
    for resp, ks in zip(responses, keys):
        if resp[0]["part"] not in TRAIN_PARTS:
            continue
        for r, k in zip(resp, ks):
            X.append({key: 1 for key in k if key in keep})
            y.append(r["label"])
    vec = DictVectorizer()
    Xm = vec.fit_transform(X)
    clf = LogisticRegression(C=C, max_iter=3000, solver="lbfgs")
    clf.fit(Xm, y)
    return vec, clf


def to_weights(vec, clf) -> dict:
    classes = list(clf.classes_)
    order = [classes.index(c) for c in CLASSES]
    names = vec.get_feature_names_out()
    feats = {}
    for j, name in enumerate(names):
        if str(name).startswith(PROMPT_KEYS):
            continue  # not shipped: the labeller does not use the problem text
        w = [float(clf.coef_[k, j]) for k in order]
        if max(abs(x) for x in w) >= PRUNE:
            feats[str(name)] = [round(x, 3) for x in w]
    return {
        "format": 1,
        "classes": list(CLASSES),
        "answer_as": ANSWER_AS,
        "bias": [round(float(clf.intercept_[k]), 4) for k in order],
        "weights": dict(sorted(feats.items())),
    }


def predict(model: Labeller, resp: list[dict]) -> list[str]:
    return model.label_sentences([r["sentence"] for r in resp])


def gold(r: dict) -> str:
    return ANSWER_AS if r["label"] == "Answer" else r["label"]


def report(name: str, pairs: list[tuple[str, str]], out) -> dict:
    n = len(pairs)
    acc = sum(g == p for g, p in pairs) / n if n else 0.0
    cg = Counter(g for g, _ in pairs)
    cp = Counter(p for _, p in pairs)
    pe = sum(cg[lab] * cp[lab] for lab in LABELS) / (n * n) if n else 0.0
    kappa = (acc - pe) / (1 - pe) if pe < 1 else 0.0
    print(f"\n{name}: n={n} accuracy={acc:.3f} kappa={kappa:.3f} "
          f"Verify share gold={cg['Verify'] / n:.3f} predicted={cp['Verify'] / n:.3f}", file=out)
    conf = Counter(pairs)
    w = max(len(lab) for lab in LABELS)
    print("gold/pred".ljust(w + 1) + " ".join(lab[:7].rjust(7) for lab in LABELS) + "      n  recall", file=out)
    for g in LABELS:
        row = [conf[(g, p)] for p in LABELS]
        rec = conf[(g, g)] / cg[g] if cg[g] else math.nan
        print(g.ljust(w + 1) + " ".join(f"{x:7d}" for x in row) + f" {cg[g]:6d}  {rec:.2f}", file=out)
    print("precision".ljust(w + 1) + " ".join(
        f"{(conf[(p, p)] / cp[p] if cp[p] else math.nan):7.2f}" for p in LABELS), file=out)
    return {"n": n, "accuracy": round(acc, 4), "kappa": round(kappa, 4)}


def score(responses, keys, test_resp) -> list[tuple[str, str, str]]:
    """(gold, predicted, model) for the reasoning sentences of ``test_resp``, by the
    labeller trained on ``responses`` as it ships (without the problem text)."""
    vec, clf = fit(responses, keys)
    model = Labeller.from_dict(to_weights(vec, clf))
    out = []
    for resp in test_resp:
        if resp[0]["part"] != "reasoning":
            continue
        for r, p in zip(resp, predict(model, resp)):
            out.append((gold(r), p, r["model"]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--test", action="store_true", help="score the held-out test problems (do this once)")
    ap.add_argument("--no-write", action="store_true", help="do not write the weights file")
    ap.add_argument("--skip-dev", action="store_true", help="only train and write the weights (no leave-one-out)")
    args = ap.parse_args(argv)
    if not args.data.exists():
        print(f"train_labeller: {args.data} not found", file=sys.stderr)
        return 2
    responses = load(args.data)
    prompts = stand_in_prompts(responses)
    keys = [response_keys(r, p if with_prompt(r) else None) for r, p in zip(responses, prompts)]
    dev = [i for i, r in enumerate(responses) if r[0]["problem_key"] not in TEST_PROBLEMS]
    test = [i for i, r in enumerate(responses) if r[0]["problem_key"] in TEST_PROBLEMS]
    if args.test:
        got = score([responses[i] for i in dev], [keys[i] for i in dev], [responses[i] for i in test])
        report(f"TEST {', '.join(TEST_PROBLEMS)} (reasoning sentences)", [(g, p) for g, p, _ in got], sys.stdout)
        report("TEST, DeepSeek-R1 only", [(g, p) for g, p, m in got if m == "deepseekR1"], sys.stdout)
        return 0
    problems = [] if args.skip_dev else sorted({responses[i][0]["problem_key"] for i in dev})
    got_all = []
    for held in problems:
        tr = [i for i in dev if responses[i][0]["problem_key"] != held]
        te = [i for i in dev if responses[i][0]["problem_key"] == held]
        got = score([responses[i] for i in tr], [keys[i] for i in tr], [responses[i] for i in te])
        acc = sum(g == p for g, p, _ in got) / len(got)
        print(f"leave out {held:24s} n={len(got):5d} accuracy={acc:.3f}")
        got_all.extend(got)
    if got_all:
        report("DEV, leave one problem out (reasoning sentences)", [(g, p) for g, p, _ in got_all], sys.stdout)
        report("DEV, DeepSeek-R1 only", [(g, p) for g, p, m in got_all if m == "deepseekR1"], sys.stdout)
    if not args.no_write:
        vec, clf = fit([responses[i] for i in dev], [keys[i] for i in dev])
        weights = to_weights(vec, clf)
        WEIGHTS_PATH.write_text(json.dumps(weights, separators=(",", ":"), ensure_ascii=False) + "\n",
                                encoding="utf-8")
        print(f"\nwrote {WEIGHTS_PATH.relative_to(ROOT)}: {len(weights['weights'])} features")
    return 0


if __name__ == "__main__":
    sys.exit(main())
