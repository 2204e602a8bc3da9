"""`cot-viewer analyze --labeller llm` against the real loopback server: batched requests
with the guide, labels read from the replies, marked as model-made, cached per transcript."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from loopback import deepseek_chunks, error_reply, stream_reply

import cot_viewer
from cot_viewer.analysis import LABELS, segment
from cot_viewer.analysis.llm_labels import BATCH, GUIDE, batches, messages_for, parse_reply
from cot_viewer.export.transcript_json import load_file

DEMO = Path(cot_viewer.__file__).parent / "data" / "demo.json"


def cli(args, home: Path, timeout: float = 60):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k != "OPENAI_BASE_URL"}
    env["COT_VIEWER_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "cot_viewer", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def _reply(batch: range, label_of, skip: int | None = None) -> str:
    return "\n".join(f"{i + 1}: {label_of(i)}" for i in batch if i != skip)


def test_prompts_and_replies():
    sentences = [f"Sentence {i}." for i in range(95)]
    parts = batches(len(sentences))
    assert [len(b) for b in parts] == [BATCH, BATCH, 95 - 2 * BATCH]
    msgs = messages_for(sentences, parts[1], prompt="What is 2 + 2?")
    assert msgs[0] == {"role": "system", "content": GUIDE}
    user = msgs[1]["content"]
    assert "Problem: What is 2 + 2?" in user and f"{BATCH}. Sentence {BATCH - 1}." in user  # context
    assert f"{BATCH + 1}. Sentence {BATCH}." in user and f"{2 * BATCH + 1}." not in user
    got = parse_reply("41: Verify\n**42**: plan\n43 - Bogus\n7: Read\n44. Monitor\n41: Read", parts[1])
    assert got == {40: "Verify", 41: "Plan", 43: "Monitor"}  # unknown labels and other batches ignored


def test_analyze_with_an_llm_labeller_is_batched_marked_and_cached(server, tmp_path):
    tr = load_file(DEMO)[0]
    n = len(segment(tr.reasoning))
    first, second = batches(n)[:2]
    label_of = lambda i: LABELS[i % len(LABELS)]  # noqa: E731
    server.enqueue(stream_reply(deepseek_chunks("thinking", _reply(first, label_of, skip=3))),
                   stream_reply(deepseek_chunks("thinking", _reply(second, label_of))))
    args = ["analyze", str(DEMO), "--labeller", "llm", "--base-url", server.base_url, "--model", "m", "--json"]
    r = cli(args, tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["labeller"]["kind"] == "llm" and doc["labeller"]["made_by_model"] is True
    assert doc["labeller"]["model"] == "m" and doc["labeller"]["filled_by_trained_labeller"] == 1
    labels = [s["label"] for s in doc["analysis"]["steps"]]
    assert len(labels) == n
    assert all(labels[i] == label_of(i) for i in range(n) if i != 3)  # the model's labels
    chats = server.completions
    assert len(chats) == 2  # one request per batch
    body = chats[0].body
    assert body["messages"][0]["content"] == GUIDE and "1. Okay, so I need to find" in body["messages"][1]["content"]
    # asked again: the cached labels, no request
    again = cli(args, tmp_path)
    assert again.returncode == 0, again.stderr
    assert [s["label"] for s in json.loads(again.stdout)["analysis"]["steps"]] == labels
    assert json.loads(again.stdout)["labeller"]["cached"] is True
    assert len(server.completions) == 2
    text = cli(args[:-1], tmp_path)
    assert "labels made by a language model (custom/m)" in text.stdout


def test_the_trained_labeller_is_the_default(tmp_path):
    r = cli(["analyze", str(DEMO), "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["labeller"] == {"kind": "trained", "made_by_model": False}


def test_a_failing_endpoint_is_a_one_line_error(server, tmp_path):
    server.enqueue(error_reply(401), error_reply(401))
    r = cli(["analyze", str(DEMO), "--labeller", "llm", "--base-url", server.base_url, "--model", "m"], tmp_path)
    assert r.returncode == 3, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
