"""``cot-viewer history …``: the saved transcripts."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from cot_viewer.cli import CliError
from cot_viewer.commands.common import open_history


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def _short(text: str, n: int = 60) -> str:
    from cot_viewer.safe import terminal_safe

    one = " ".join(terminal_safe(text).split())
    return one if len(one) <= n else one[: n - 1] + "…"


def list_(args: argparse.Namespace) -> int:
    history, _ = open_history()
    with history:
        rows = history.list(limit=max(1, args.limit))
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], ensure_ascii=False))
        return 0
    if not rows:
        print("No transcripts yet. Try: cot-viewer ask \"…\"  (or cot-viewer demo)", file=sys.stderr)
        return 0
    for r in rows:
        think = f"{r.thinking_s:5.1f}s" if r.thinking_s is not None else "    -"
        print(f"{r.id}  {_when(r.created)}  {_short(r.model or '-', 22):22}  {r.status:11}  {think}  "
              f"{r.reasoning_len:>7}/{r.answer_len:<6}  {_short(r.prompt)}")
    return 0


def show(args: argparse.Namespace) -> int:
    from cot_viewer.store.history import NotFound

    history, _ = open_history()
    with history:
        try:
            tr = history.get(args.id)
        except NotFound as exc:
            raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps(tr.to_dict(), ensure_ascii=False))
        return 0
    from cot_viewer.safe import terminal_safe

    t = tr.timing
    print(f"# {tr.id} · {tr.model} ({tr.provider}) · {_when(tr.created)} · {tr.status}")
    print(f"\n## Prompt\n\n{terminal_safe(tr.prompt)}")
    if tr.reasoning:
        think = f" ({t.thinking_s:.1f} s)" if t.thinking_s is not None else ""
        print(f"\n## Reasoning{think}\n\n{terminal_safe(tr.reasoning)}")
    print(f"\n## Answer\n\n{terminal_safe(tr.answer) or '(none)'}")
    if tr.error:
        print(f"\n(error: {terminal_safe(tr.error)})")
    return 0
