"""``cot-viewer replay`` and ``cot-viewer demo``: a saved transcript re-streamed as it happened."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

from cot_viewer.cli import CliError
from cot_viewer.exit_codes import EXIT_OK
from cot_viewer.commands.tui import wants_tui


def load_source(source: str):
    """A transcript from an exported file, or from the history by id (prefix)."""
    from cot_viewer.export.transcript_json import FormatError, load_file

    path = Path(source)
    if path.suffix.lower() in (".json", ".jsonl") or path.exists():
        try:
            found = load_file(path)
        except FormatError as exc:
            raise CliError(f"{source}: {exc}") from None
        if len(found) != 1:
            raise CliError(f"{source} holds {len(found)} transcripts; replay takes one (import it, then replay by id)")
        return found[0]
    from cot_viewer.commands.common import open_history
    from cot_viewer.store.history import NotFound

    history, _ = open_history()
    try:
        return history.get(source)
    except NotFound as exc:
        raise CliError(str(exc)) from None
    finally:
        history.close()


def demo_transcript():
    from cot_viewer.export.transcript_json import loads

    text = resources.files("cot_viewer.data").joinpath("demo.json").read_text(encoding="utf-8")
    return loads(text)[0]


def replay_plain(tr, speed: float) -> int:
    from cot_viewer.plain import PlainPrinter
    from cot_viewer.replay import paced, timeline_events

    printer = PlainPrinter()
    try:
        for e in paced(timeline_events(tr), speed):
            printer.on(e)
    finally:
        printer.finish(tr)
    return EXIT_OK


#: the slowest replay: a hundred times slower than it happened (slower made a capped gap
#: of a few seconds a wait longer than the clock can count)
MIN_SPEED = 0.01


def _check_speed(speed: float) -> None:
    if not (speed == 0 or MIN_SPEED <= speed < float("inf")):
        raise CliError(f"--speed must be 0 (instant) or a number from {MIN_SPEED:g} up")


def run(args: argparse.Namespace) -> int:
    _check_speed(args.speed)
    tr = load_source(args.source)
    if not wants_tui(args.plain):
        return replay_plain(tr, args.speed)
    from cot_viewer.commands.tui import run_replay_tui

    return run_replay_tui(tr, args.speed)


def run_demo(args: argparse.Namespace) -> int:
    _check_speed(args.speed)
    tr = demo_transcript()
    if not wants_tui(args.plain):
        from cot_viewer.safe import say

        say(f"Example transcript (hand-written, not a live model): {tr.prompt}\n")
        return replay_plain(tr, args.speed)
    from cot_viewer.commands.tui import run_replay_tui

    return run_replay_tui(tr, args.speed)
