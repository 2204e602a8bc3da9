"""Labels against our own guidebook-faithful annotation (``data/guidebook_labels*.jsonl``).

The rows hold only spans, labels and short excerpts; the text is re-read from the
shared corpus, so these tests skip when ``../shared`` is absent.

``guidebook_labels.jsonl`` (dev/test, split by problem) was the first annotation: the
first tuning used dev only, the second tuning used all of it, so neither split is held
out any more.  ``guidebook_labels_fresh.jsonl`` (split ``fresh``) was labelled later, on
8 other traces, before the second tuning, and was scored once at the end: it is the
held-out figure of the second tuning.  The third tuning used both files.
``guidebook_labels_third.jsonl`` (split ``third``, 7 more traces) was labelled blind before
it, measured before it (0.603) and scored once after it: the held-out figure now.  The
scoring passes each trace's problem text as ``prompt=``.  See docs/analysis.md.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from cot_viewer.analysis import LABELS
from cot_viewer.analysis.selfcheck import (
    default_guidebook,
    default_guidebook_fresh,
    default_guidebook_third,
    format_guidebook_confusion,
    main,
    score_guidebook,
    trace_id,
)

DATA = Path(__file__).resolve().parent / "data" / "guidebook_labels.jsonl"
FRESH = Path(__file__).resolve().parent / "data" / "guidebook_labels_fresh.jsonl"
THIRD = Path(__file__).resolve().parent / "data" / "guidebook_labels_third.jsonl"

# First file, after the second tuning (which used all of it): dev 0.894, test 0.764
# (first tuning, dev only: 0.867 / 0.634).  Not held out.  Floors = measured - 0.05.
TEST_FLOOR = 0.71
DEV_FLOOR = 0.84
# Fresh file, scored once after the second tuning: 0.662 (0.630 before it); used for the
# third tuning, after which it gives 0.690.  Not held out any more.
FRESH_FLOOR = 0.64
# Third file, scored once after the third tuning: 0.651 (0.603 before it).  Held out.
THIRD_FLOOR = 0.60


def _gold(path: Path = DATA) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_label_file_shape():
    gold = _gold()
    assert default_guidebook() == DATA
    assert len(gold) >= 600
    assert {g["label"] for g in gold} == set(LABELS)
    assert all(len(g["excerpt"]) <= 80 for g in gold)
    assert {g["split"] for g in gold} == {"dev", "test"}
    # split by problem: no problem (hence no trace) on both sides
    problems = {s: {g["trace"].split(":")[1] for g in gold if g["split"] == s} for s in ("dev", "test")}
    assert not problems["dev"] & problems["test"]
    n = Counter(g["split"] for g in gold)
    assert 0.5 < n["dev"] / len(gold) < 0.65


def test_fresh_label_file_shape():
    gold = _gold(FRESH)
    assert default_guidebook_fresh() == FRESH
    assert len(gold) >= 450
    assert {g["label"] for g in gold} == set(LABELS)
    assert all(len(g["excerpt"]) <= 80 for g in gold)
    assert {g["split"] for g in gold} == {"fresh"}
    # other traces than the first file (the corpus has only 10 problems, so the problems overlap)
    assert not {g["trace"] for g in gold} & {g["trace"] for g in _gold()}
    assert len({g["trace"] for g in gold}) >= 8
    assert len({(g["trace"], g["start"]) for g in gold}) == len(gold)


def test_third_label_file_shape():
    gold = _gold(THIRD)
    assert default_guidebook_third() == THIRD
    assert len(gold) >= 340
    assert {g["label"] for g in gold} == set(LABELS)
    assert all(len(g["excerpt"]) <= 80 for g in gold)
    assert {g["split"] for g in gold} == {"third"}
    # traces in neither earlier file
    assert not {g["trace"] for g in gold} & {g["trace"] for g in _gold() + _gold(FRESH)}
    assert len({g["trace"] for g in gold}) >= 7
    assert len({(g["trace"], g["start"]) for g in gold}) == len(gold)


def test_spans_match_the_corpus(corpus_rows):
    by_id = {trace_id(r): r for r in corpus_rows}
    for g in _gold() + _gold(FRESH) + _gold(THIRD):
        text = by_id[g["trace"]]["reasoning"][g["start"]:g["end"]]
        excerpt = g["excerpt"][:-3] if g["excerpt"].endswith("...") else g["excerpt"]
        assert " ".join(text.split()).startswith(excerpt), g


def test_test_split_accuracy(corpus_rows):
    res = score_guidebook(corpus_rows, _gold(), "test")
    assert res["missing"] == 0  # the segmenter still produces every labelled span
    assert res["accuracy"] >= TEST_FLOOR, format_guidebook_confusion(res["confusion"])


def test_fresh_accuracy(corpus_rows):
    res = score_guidebook(corpus_rows, _gold(FRESH))
    assert res["missing"] == 0
    assert res["accuracy"] >= FRESH_FLOOR, format_guidebook_confusion(res["confusion"])


def test_third_accuracy(corpus_rows):
    res = score_guidebook(corpus_rows, _gold(THIRD))
    assert res["missing"] == 0
    assert res["accuracy"] >= THIRD_FLOOR, format_guidebook_confusion(res["confusion"])


def test_prompt_is_optional(corpus_rows):
    """Without ``prompt=`` the labels do not use the problem text; with it only some
    restatements change (to Read)."""
    from cot_viewer.analysis import analyze

    changed = 0
    for row in corpus_rows:
        plain = [st.label for st in analyze(row["reasoning"]).steps]
        assert plain == [st.label for st in analyze(row["reasoning"], prompt=None).steps]
        with_prompt = [st.label for st in analyze(row["reasoning"], prompt=row["prompt"]).steps]
        assert len(with_prompt) == len(plain)
        diff = [(a, b) for a, b in zip(plain, with_prompt) if a != b]
        assert all(b == "Read" for _a, b in diff), diff
        changed += len(diff)
    assert 0 < changed < 60


def test_dev_split_accuracy(corpus_rows):
    res = score_guidebook(corpus_rows, _gold(), "dev")
    assert res["missing"] == 0
    assert res["accuracy"] >= DEV_FLOOR, format_guidebook_confusion(res["confusion"])


def test_guidebook_cli(corpus_path, capsys):
    assert main(["--guidebook", str(corpus_path)]) == 0
    out = capsys.readouterr().out
    assert "[guidebook old dev]" in out and "[guidebook old test]" in out and "precision" in out
    assert "[guidebook fresh]" in out and "reweighted" in out
    assert "[guidebook third]" in out


def test_guidebook_cli_missing_labels(corpus_path, tmp_path):
    assert main(["--guidebook", str(corpus_path), str(tmp_path / "nope.jsonl")]) == 2
