"""Every input format, on small rows these tests write: the traces row matches the public
analysis of the text the adapter should have extracted; bad rows become rejects."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from batch_traces import write_jsonl
from cot_viewer.analysis import analyze
from cot_viewer.cli import main

R1 = "Okay, so we need $2+2$.\n\nWait, let me check: 2 + 2 = 4.\n\nSo the answer is 4."
R2 = "Let me think about primes.\n\nAlternatively, count them: 2, 3, 5, 7.\n\nThat is 4 primes."


def batch(tmp_path, *args: str, out: str = "out") -> tuple[int, list[dict], list[dict]]:
    code = main(["batch", "analyze", *args, "-o", str(tmp_path / out), "--workers", "1", "--quiet"])
    traces = pq.read_table(tmp_path / out / "traces").to_pylist() if code == 0 else []
    rejects = pq.read_table(tmp_path / out / "rejects").to_pylist() if code == 0 else []
    return code, traces, rejects


def same_analysis(row: dict, reasoning: str, answer: str = "", prompt: str | None = None) -> None:
    a = analyze(reasoning, answer, prompt=prompt)
    assert row["reasoning_chars"] == len(reasoning)
    assert row["answer_chars"] == len(answer)
    assert row["steps"] == len(a.steps)
    assert row["verify_share"] == pytest.approx(a.metrics.verify_share)
    assert row["final_answer"] == a.metrics.final_answer
    assert sum(row["transitions"]) == max(0, len(a.steps) - 1)
    assert sum(row["label_by_position"]) == len(a.steps)


def test_exchange_file_with_timing(tmp_path):
    from cot_viewer.export.transcript_json import dumps
    from cot_viewer.stream.events import AnswerDelta, ReasoningDelta
    from cot_viewer.transcript import Transcript

    trs = []
    for i, text in enumerate((R1, R2)):
        tr = Transcript(prompt=f"question {i}", messages=[], model=f"m{i}", status="complete")
        for k, piece in enumerate(text.split("\n\n")):
            tr.apply(ReasoningDelta(0.5 + k, piece + ("\n\n" if k < 2 else ""), 0))
        tr.apply(AnswerDelta(4.0, "4", 0))
        trs.append(tr)
    (tmp_path / "ex.jsonl").write_text(dumps(trs, lines=True), encoding="utf-8")
    code, rows, rejects = batch(tmp_path, str(tmp_path / "ex.jsonl"))
    assert code == 0 and not rejects
    assert [r["id"] for r in rows] == [t.id for t in trs]
    assert [r["group"] for r in rows] == ["m0", "m1"]
    assert rows[0]["thinking_seconds"] == pytest.approx(2.0)  # from the chunk timeline
    same_analysis(rows[1], R2, "4", prompt="question 1")


def test_history_all_and_a_search(tmp_path, monkeypatch):
    from cot_viewer.store.history import History
    from cot_viewer.transcript import Transcript

    monkeypatch.setenv("COT_VIEWER_HOME", str(tmp_path / "home"))
    with History.open() as h:
        for i, text in enumerate((R1, R2, R1 + "\n\nzebra crossing.")):
            tr = Transcript(prompt=f"q{i}", messages=[], model="m", status="complete")
            tr.set_text(text, "4")
            h.save(tr)
    code, rows, _ = batch(tmp_path, "history:", out="all")
    assert code == 0 and len(rows) == 3
    code, rows, _ = batch(tmp_path, "history:zebra", out="search")
    assert code == 0 and len(rows) == 1
    same_analysis(rows[0], R1 + "\n\nzebra crossing.", "4", prompt="q2")


def test_openr1_parquet_generations_and_messages(tmp_path):
    table = pa.Table.from_pylist([
        {"uuid": "u1", "problem": "How many?", "generations": [f"<think>\n{R1}\n</think>\n\nIt is $\\boxed{{4}}$.", "no tags at all"],
         "correctness_math_verify": [True, False], "messages": None},
        {"uuid": "u2", "problem": "Primes?", "generations": None, "correctness_math_verify": None,
         "messages": [{"role": "user", "content": "Primes?"}, {"role": "assistant", "content": f"<think>{R2}</think>Four."}]},
    ])
    pq.write_table(table, tmp_path / "openr1.parquet")
    code, rows, rejects = batch(tmp_path, str(tmp_path / "openr1.parquet"))
    assert code == 0
    assert [(r["id"], r["correct"]) for r in rows] == [("u1#0", True), ("u2#0", None)]
    same_analysis(rows[0], R1, "It is $\\boxed{4}$.", prompt="How many?")
    same_analysis(rows[1], R2, "Four.", prompt="Primes?")
    assert [(r["row"], r["trace"]) for r in rejects] == [(0, 1)]
    assert "no reasoning" in rejects[0]["reason"]


def test_openthoughts_conversations(tmp_path):
    value = f"<|begin_of_thought|>\n\n{R2}\n\n<|end_of_thought|>\n\n<|begin_of_solution|>\n\nThere are $\\boxed{{4}}$.\n\n<|end_of_solution|>"
    write_jsonl(tmp_path / "ot.jsonl", [{"system": "sys", "conversations": [{"from": "user", "value": "Primes below 10?"}, {"from": "assistant", "value": value}]}])
    code, rows, rejects = batch(tmp_path, str(tmp_path / "ot.jsonl"))
    assert code == 0 and not rejects
    assert rows[0]["id"] == "ot.jsonl:0"
    same_analysis(rows[0], R2, "There are $\\boxed{4}$.", prompt="Primes below 10?")


def test_thinkarm_sentence_lists(tmp_path):
    sentences = [{"sentence": "We need 2 + 2.", "part": "reasoning"}, {"sentence": "Wait, check: 4.", "part": "reasoning"},
                 {"sentence": "The answer is 4.", "part": "answer"}]
    write_jsonl(tmp_path / "arm.jsonl", [{"model": "QwQ-32B", "problem": 3, "sentences": sentences},
                                         {"sentences": ["Only strings.", "Also fine."]}])
    code, rows, _ = batch(tmp_path, str(tmp_path / "arm.jsonl"))
    assert code == 0
    assert [(r["id"], r["group"]) for r in rows] == [("QwQ-32B/3", "QwQ-32B"), ("arm.jsonl:1", None)]
    same_analysis(rows[0], "We need 2 + 2. Wait, check: 4.", "The answer is 4.")


def test_any_table_by_field_names(tmp_path):
    write_jsonl(tmp_path / "t.jsonl", [
        {"meta": {"key": "a", "model": "x", "ok": "yes"}, "out": {"thinking": R1, "final": "4"}},
        {"meta": {"key": "b", "model": "y", "ok": 0}, "out": {"thinking": f"<think>{R2}</think>Four", "final": None}},
    ])
    code, rows, rejects = batch(tmp_path, str(tmp_path / "t.jsonl"), "--reasoning-field", "out.thinking", "--answer-field", "out.final",
                                "--id-field", "meta.key", "--group-field", "meta.model", "--correct-field", "meta.ok")
    assert code == 0 and not rejects
    assert [(r["id"], r["group"], r["correct"]) for r in rows] == [("a", "x", True), ("b", "y", False)]
    same_analysis(rows[0], R1, "4")
    same_analysis(rows[1], R2, "Four")  # no answer field value: the tags were split


def test_bad_rows_are_rejected_with_reasons_never_fatal(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([
        json.dumps({"reasoning": R1, "answer": "4"}),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"text": "no reasoning column"}),
        json.dumps({"reasoning": "   "}),
        json.dumps({"reasoning": R2, "correct": "maybe"}),
        json.dumps({"reasoning": 42}),
        "",
        json.dumps({"reasoning": R2}),
    ]) + "\n", encoding="utf-8")
    code, rows, rejects = batch(tmp_path, str(path))
    assert code == 0
    assert [r["row"] for r in rows] == [0, 8]
    reasons = {r["row"]: r["reason"] for r in rejects}
    assert sorted(reasons) == [1, 2, 3, 4, 5, 6]
    assert reasons[1].startswith("not JSON")
    assert "not an object" in reasons[2]
    assert "--reasoning-field" in reasons[3]
    assert "empty" in reasons[4]
    assert "not true/false" in reasons[5]
    assert "not text" in reasons[6]


def test_a_row_nested_too_deep_to_parse_is_rejected_not_fatal(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps({"reasoning": R1}) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    code, rows, rejects = batch(tmp_path, str(path))
    assert code == 0
    assert [r["row"] for r in rows] == [0]
    assert [r["row"] for r in rejects] == [1] and rejects[0]["reason"].startswith("not JSON")


def test_usage_errors_are_one_line(tmp_path, capsys):
    assert main(["batch", "analyze", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "o"), "--quiet"]) == 2
    assert main(["batch", "analyze", str(tmp_path / "*.parquet"), "-o", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"cot-viewer: {tmp_path / 'missing.jsonl'}: no such file", f"cot-viewer: {tmp_path / '*.parquet'}: matches no file"]
    write_jsonl(tmp_path / "a.jsonl", [{"reasoning": R1}])
    assert batch(tmp_path, str(tmp_path / "a.jsonl"))[0] == 0
    assert batch(tmp_path, str(tmp_path / "a.jsonl"))[0] == 2  # already holds a run
    assert "--resume" in capsys.readouterr().err
    assert main(["batch", "report", str(tmp_path / "nothing"), "-o", str(tmp_path / "r.html")]) == 2


def test_lone_surrogates_in_the_input_do_not_stop_a_chunk(tmp_path):
    (tmp_path / "s.jsonl").write_text(json.dumps({"reasoning": R1 + " \ud800 odd", "model": "m\udc00"}) + "\n" + json.dumps({"reasoning": R2}) + "\n", encoding="utf-8")
    code, rows, rejects = batch(tmp_path, str(tmp_path / "s.jsonl"), "--steps")
    assert code == 0 and not rejects
    assert len(rows) == 2 and rows[0]["reasoning_chars"] == len(R1) + 6
    assert "\ufffd" in rows[0]["group"]
