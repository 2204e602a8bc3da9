"""Labels against our own guidebook-faithful annotation (``data/guidebook_labels*.jsonl``).

The rows hold only spans, labels and short excerpts; the text is re-read from the
shared corpus, so these tests skip when ``../shared`` is absent.

These files were made for the earlier rule-based labeller, on traces of R1-distilled
models (another domain than the labeller's training data, and partly other conventions);
they were never used to train it.  They are a cross-domain check: the floors are the
figures measured when the weights were trained, minus 0.05 (docs/analysis.md).  """

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from cot_viewer.analysis import LABELS
from label_selfcheck import (
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

# measured with the shipped weights: old dev 0.631, old test 0.550, fresh 0.624, third 0.598
DEV_FLOOR = 0.58
TEST_FLOOR = 0.50
FRESH_FLOOR = 0.57
THIRD_FLOOR = 0.55


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


def test_labels_do_not_depend_on_the_prompt(corpus_rows):
    """The labeller does not use the problem text (docs/analysis.md); ``prompt=`` only helps
    find a choice letter's answer."""
    from cot_viewer.analysis import analyze

    for row in corpus_rows[::4]:
        plain = [st.label for st in analyze(row["reasoning"]).steps]
        assert plain == [st.label for st in analyze(row["reasoning"], prompt=row["prompt"]).steps]


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
