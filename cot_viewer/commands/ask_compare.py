"""``cot-viewer ask --compare SPEC "…"``: the question sent twice at once — as asked (run A)
and with SPEC changed (run B) — both streaming live, each saved as its own transcript and
linked as a pair in the history.

SPEC is ``KEY=VALUE`` pairs separated by commas: ``model=deepseek-v4-pro``, ``effort=low``,
``provider=ollama,model=qwen3:8b``, ``base_url=http://host:8000/v1``, ``think=off``. A new
``provider`` or ``base_url`` starts run B's endpoint afresh (its model, key variable and URL
from that provider unless SPEC names them). Both streams go through
:func:`cot_viewer.run.start_run`; one failing does not stop the other.
"""

from __future__ import annotations

import argparse
import sys

from cot_viewer.cli import CliError

SPEC_KEYS = ("provider", "model", "base_url", "api_key_env", "effort", "think")
THINK_WORDS = {"on": True, "true": True, "yes": True, "off": False, "false": False, "no": False}


def parse_spec(spec: str) -> dict[str, str]:
    """``"provider=ollama,model=qwen3:8b"`` → ``{"provider": "ollama", "model": "qwen3:8b"}``."""
    out: dict[str, str] = {}
    for part in (p.strip() for p in spec.split(",")):
        key, eq, value = part.partition("=")
        key = key.strip().replace("-", "_")
        if not eq or not value.strip() or key not in SPEC_KEYS:
            raise CliError(f"--compare {spec!r}: expected KEY=VALUE[,KEY=VALUE…] with KEY one of "
                           f"{', '.join(SPEC_KEYS)} (e.g. model=deepseek-v4-pro, effort=low)")
        if key in out:
            raise CliError(f"--compare {spec!r}: {key} is given twice")
        out[key] = value.strip()
    if "think" in out and out["think"].lower() not in THINK_WORDS:
        raise CliError(f"--compare {spec!r}: think is on or off")
    return out


def second_args(args: argparse.Namespace, spec: dict[str, str]) -> argparse.Namespace:
    """Run B's flags: run A's, with SPEC's changes."""
    b = argparse.Namespace(**vars(args))
    if "provider" in spec or "base_url" in spec:  # another endpoint: nothing of A's endpoint carries over
        b.provider = b.base_url = b.model = b.api_key_env = None
    for key in ("provider", "model", "base_url", "api_key_env", "effort"):
        if key in spec:
            setattr(b, key, spec[key])
    if "think" in spec:
        b.think = THINK_WORDS[spec["think"].lower()]
    return b


def _request(args: argparse.Namespace):
    from cot_viewer.commands.common import build_request, resolve_config, thinking_flags

    flags = thinking_flags(args)
    return build_request(resolve_config(args), flags)


def run_pair(args: argparse.Namespace) -> int:
    """``ask --compare``: start both runs, show them (terminal) or wait for them (plain,
    JSON), link them as a pair, and exit with the first non-zero code of the two."""
    from cot_viewer.commands.common import open_history, print_notices, read_prompt, stream_options
    from cot_viewer.commands.tui import wants_tui
    from cot_viewer.exit_codes import exit_code
    from cot_viewer.run import start_run
    from cot_viewer.transcript import Transcript

    if args.cont is not None:
        raise CliError("--compare asks a new question; it cannot continue a conversation (-c)")
    spec = parse_spec(args.compare)
    prompt = read_prompt(args.prompt)
    requests = {"a": _request(args), "b": _request(second_args(args, spec))}  # bad flags: said before anything starts
    for k, req in requests.items():
        print_notices([f"{k.upper()}: {line}" for line in req.new_notices(None)])
    tui = wants_tui(args.plain or args.json)
    history, store_error = (None, None) if args.no_save else open_history(required=False)
    messages = [{"role": "system", "content": args.system}] if args.system else []
    messages.append({"role": "user", "content": prompt})  # a new question: no earlier turns
    runs = {}
    for k, req in requests.items():
        ep = req.endpoint
        tr = Transcript(prompt=prompt, messages=[dict(m) for m in messages], provider=ep.provider,
                        base_url=ep.public_url, model=ep.model or "")
        req.stamp(tr)
        runs[k] = start_run(ep, tr, history=history, options=stream_options(args), max_tokens=args.max_tokens,
                            request=req)
    try:
        if tui:
            from cot_viewer.tui.app import CotViewerApp
            from cot_viewer.tui.screens.compare import LiveCompareScreen

            CotViewerApp(lambda: LiveCompareScreen(runs)).run()
        else:
            _wait(runs)
    finally:
        for run in runs.values():
            run.close()
        paired = _link(history, runs)
        if history is not None:
            history.close()
    a, b = runs["a"].transcript, runs["b"].transcript
    errors = {k: store_error or run.save_error for k, run in runs.items()}
    _report(args, runs, errors, paired, tui)
    codes = [exit_code(runs[k].transcript, None if args.no_save else errors[k]) for k in ("a", "b")]
    if args.json:
        from cot_viewer.compare import compare
        from cot_viewer.safe import json_text

        doc = {"format": "cot-viewer/ask-compare", "version": 1,
               "runs": [dict(runs[k].transcript.to_dict(), saved=runs[k].saved, save_error=errors[k]) for k in ("a", "b")],
               "paired": paired, "comparison": compare(a, b).to_dict()}
        sys.stdout.write(json_text(doc) + "\n")
    elif not tui:
        from cot_viewer.compare import compare
        from cot_viewer.compare.text import render_text

        sys.stdout.write(render_text(compare(a, b), a, b))
    return next((c for c in codes if c), 0)


def _wait(runs: dict) -> None:
    """Until both runs have ended and are saved (Ctrl-C stops both, keeping what arrived)."""
    try:
        for run in runs.values():
            for _ in run.batches():
                pass
    except KeyboardInterrupt:
        for run in runs.values():
            run.stop()


def _link(history, runs: dict) -> bool:
    """Both transcripts saved: link them as a pair (run A first)."""
    if history is None or not all(run.saved for run in runs.values()):
        return False
    from cot_viewer.store.db import StoreError

    try:
        history.pair(runs["a"].transcript.id, runs["b"].transcript.id)
    except StoreError:
        return False
    return True


def _report(args, runs: dict, errors: dict, paired: bool, tui: bool) -> None:
    from cot_viewer.commands.common import report_outcome
    from cot_viewer.safe import say

    for k, run in runs.items():
        tr = run.transcript
        message = tr.error if tr.error_kind else None
        if message:
            message = f"{k.upper()}: {message}"
        report_outcome(tr, message, errors[k], run.saved, args, run.request)
    if paired:
        say(f"cot-viewer: saved as a pair: {runs['a'].transcript.id} (A) and {runs['b'].transcript.id} (B) — "
            f"`cot-viewer compare {runs['a'].transcript.id} {runs['b'].transcript.id}` replays them")
