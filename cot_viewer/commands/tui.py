"""Entry points into the Textual app. Until the TUI lands these use the plain face."""

from __future__ import annotations


def run_ask_tui(args, endpoint, tr, history, store_error) -> int:
    from cot_viewer.commands import ask

    args.plain = True
    if history is not None:
        history.close()
    return ask.run(args)


def run_replay_tui(tr, speed: float) -> int:
    from cot_viewer.commands.replay import replay_plain

    return replay_plain(tr, speed)
