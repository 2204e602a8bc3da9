"""``cot-viewer analyze --labeller llm``: step labels asked of the configured endpoint.

The prompts and the reading of the replies are in ``cot_viewer/analysis/llm_labels.py``.
Requests go out in batches, one at a time, through the same stream client as ``ask``.  The
labels are cached per transcript (a file in the data folder named by a hash of the guide,
the endpoint, the model, the problem and the reasoning), so asking again costs nothing.
Sentences the model did not label get the trained labeller's label; how many is reported.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from cot_viewer.cli import CliError

CACHE_FOLDER = "llm-labels"


@dataclass
class LlmLabels:
    labels: list[str]
    provider: str
    model: str
    filled: int  # sentences the model did not label (the trained labeller's label is used)
    cached: bool

    def describe(self) -> dict:
        return {"kind": "llm", "made_by_model": True, "provider": self.provider, "model": self.model,
                "filled_by_trained_labeller": self.filled, "cached": self.cached}


def _cache_file(tr, endpoint) -> Path:
    from cot_viewer.analysis.llm_labels import BATCH, CONTEXT, GUIDE_VERSION
    from cot_viewer.paths import data_dir

    key = json.dumps([GUIDE_VERSION, BATCH, CONTEXT, endpoint.base_url, endpoint.model, tr.prompt, tr.reasoning])
    return data_dir() / CACHE_FOLDER / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + ".json")


def _ask(endpoint, options, messages: list[dict]) -> str:
    """The answer text of one request; CliError (with the documented exit code) if it fails."""
    from cot_viewer.exit_codes import exit_code
    from cot_viewer.run import start_run
    from cot_viewer.transcript import Transcript

    tr = Transcript(prompt=messages[-1]["content"], messages=messages, provider=endpoint.provider,
                    base_url=endpoint.public_url, model=endpoint.model or "")
    run = start_run(endpoint, tr, options=options)  # not saved
    error = None
    for batch in run.batches():
        for e in batch:
            if type(e).__name__ == "StreamError":
                error = e.message
    run.close()
    if error is not None or tr.status not in ("complete", "truncated"):
        raise CliError(f"the labelling model failed: {error or tr.status}", exit_code(tr))
    return tr.answer


def llm_labels(tr, endpoint, options) -> LlmLabels:
    """Labels for every step of ``tr.reasoning``, made by ``endpoint``'s model (cached)."""
    from cot_viewer.analysis import label_spans, segment
    from cot_viewer.analysis.llm_labels import batches, messages_for, parse_reply
    from cot_viewer.paths import ensure_private_dir

    path = _cache_file(tr, endpoint)
    spans = segment(tr.reasoning)
    sentences = [tr.reasoning[s:e] for s, e, _ in spans]
    try:
        got = json.loads(path.read_text(encoding="utf-8"))
        if len(got["labels"]) == len(sentences):
            return LlmLabels(got["labels"], got["provider"], got["model"], got["filled"], True)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not cached (or unreadable): ask
    made: dict[int, str] = {}
    for batch in batches(len(sentences)):
        made.update(parse_reply(_ask(endpoint, options, messages_for(sentences, batch, tr.prompt)), batch))
    trained = label_spans(tr.reasoning, spans) if len(made) < len(sentences) else []
    labels = [made.get(i) or trained[i] for i in range(len(sentences))]
    result = LlmLabels(labels, endpoint.provider, endpoint.model or "", len(sentences) - len(made), False)
    try:
        ensure_private_dir(path.parent)
        path.write_text(json.dumps({"labels": labels, "provider": result.provider, "model": result.model,
                                    "filled": result.filled}), encoding="utf-8")
    except OSError:
        pass  # the labels are still shown; they are asked again next time
    return result
