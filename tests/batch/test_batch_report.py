"""``batch report``: one self-contained HTML page (no scripts, nothing fetched) whose figures
agree with the Parquet output, data escaped; Markdown tables for each chart."""

from __future__ import annotations

import re
import xml.dom.minidom

import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb", reason="the batch extra (duckdb) is not installed")

from batch_traces import rows, write_jsonl  # noqa: E402
from cot_viewer.cli import main  # noqa: E402

HOSTILE = "<img src=x onerror=alert(1)>|pipe's"


@pytest.fixture
def out(tmp_path):
    data = rows(30, seed=5)
    for i, r in enumerate(data):
        r["model"] = HOSTILE if i % 3 == 0 else f"model-{i % 3}"
    write_jsonl(tmp_path / "in.jsonl", data + [{"nothing": 1}])
    assert main(["batch", "analyze", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out"), "--workers", "1", "--quiet"]) == 0
    return tmp_path / "out"


def test_report_is_self_contained_and_agrees_with_the_data(out, tmp_path):
    assert main(["batch", "report", str(out), "-o", str(tmp_path / "r.html")]) == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html and " src=" not in html.replace("&lt;img src=x", "")
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    # position mix and transitions for all, the 3 groups, correct and incorrect; shares by group;
    # verify and cycle histograms by group and by outcome
    assert len(svgs) == 2 * 6 + 1 + 2 + 2
    for s in svgs:
        xml.dom.minidom.parseString(s)  # well-formed, so the escaping held
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;|pipe&#x27;s" in html

    t = pq.read_table(out / "traces").to_pylist()
    overview = md.split("### Overview")[1].split("###")[0]
    assert f"| {len(t)} |" in overview and "| 1 |" in overview.splitlines()[-2]  # traces, and one reject
    assert "\\|pipe" in md  # a table cell cannot break the Markdown table
    def transitions(subset: str) -> int:
        table = md.split(f"### Transitions, {subset} (")[1].split("###")[0]
        return sum(int(c) for line in table.splitlines()[4:] if line.startswith("|") for c in line.strip("|").split("|")[1:])

    assert transitions("all traces") == sum(sum(r["transitions"]) for r in t)
    assert "<img" not in md
    assert transitions("group &lt;img src=x onerror=alert(1)&gt;\\|pipe's") == sum(sum(r["transitions"]) for r in t if r["group"] == HOSTILE)
    assert transitions("incorrect") == sum(sum(r["transitions"]) for r in t if r["correct"] is False)
    correct = md.split("### Correct vs incorrect")[1].split("###")[0]
    n_correct = sum(1 for r in t if r["correct"])
    assert f"| correct | {n_correct} |" in correct


def test_no_outcome_charts_without_correctness(tmp_path):
    data = rows(8, seed=2)
    for r in data:
        del r["correct"]
    write_jsonl(tmp_path / "in.jsonl", data)
    assert main(["batch", "analyze", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o"), "--workers", "1", "--quiet"]) == 0
    assert main(["batch", "report", str(tmp_path / "o"), "-o", str(tmp_path / "r.html"), "--markdown", str(tmp_path / "t.md")]) == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert len(re.findall(r"<svg", html)) == 2 * 1 + 1 + 2  # one group: no per-group position charts
    assert "Correct vs incorrect" not in (tmp_path / "t.md").read_text(encoding="utf-8")
