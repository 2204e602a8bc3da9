"""``cot-viewer compare ID1 ID2``: two saved runs side by side, on one clock.

In a terminal: the compare screen (``tui/screens/compare.py``). ``--plain``: the lined-up
table and both answers as text; ``--json``: the table as one JSON object; ``--export
FILE.md|FILE.html``: the pair's handout; ``--save-pair``: link the two in the history (so
that ``history show`` names the other and ``history export`` of either writes the pair).
Transcripts come from the history (id or prefix) or from exported files, read by the
loader ``replay`` and ``analyze`` use (``export.transcript_json.load_file``, as
``history import``). No network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cot_viewer.cli import CliError
from cot_viewer.exit_codes import EXIT_OK
from cot_viewer.commands.replay import MIN_SPEED, load_source
from cot_viewer.commands.tui import wants_tui
from cot_viewer.safe import say

HANDOUT_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def handout_format(path: str) -> str:
    fmt = HANDOUT_SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise CliError(f"--export {path}: the file name must end in .md or .html")
    return fmt


def write_handout(a, b, path: str, comparison=None) -> None:
    """The pair's handout to ``path`` (a new private file renamed into place; ``-``: stdout)."""
    from cot_viewer.commands.history import write_output
    from cot_viewer.compare.handout import render_pair

    write_output(render_pair(a, b, handout_format(path), comparison), path)


def save_pair(a, b) -> tuple[str, str]:
    """Link two transcripts of the history as a pair (both must be in it)."""
    from cot_viewer.commands.common import open_history
    from cot_viewer.store.history import NotFound

    history, _ = open_history()
    with history:
        for tr in (a, b):
            try:
                history.resolve_id(tr.id)
            except NotFound:
                raise CliError(f"{tr.id} is not in the history — `cot-viewer history import FILE` first, then pair it") from None
        try:
            return history.pair(a.id, b.id)
        except ValueError as exc:
            raise CliError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    if not (args.speed == 0 or MIN_SPEED <= args.speed < float("inf")):
        raise CliError(f"--speed must be 0 (at once) or a number from {MIN_SPEED:g} up")
    a, b = load_source(args.first), load_source(args.second)
    if a.id == b.id and (args.save_pair or args.export):
        raise CliError(f"both sources are transcript {a.id}: give two different runs")
    if args.export:
        handout_format(args.export)  # a bad name is refused before any work
    scripted = args.json or args.plain or args.export or args.save_pair
    if not scripted and wants_tui(False):
        return run_compare_tui(a, b, args.speed)
    from cot_viewer.compare import compare

    comparison = compare(a, b)
    if args.save_pair:
        first, second = save_pair(a, b)
        say(f"Paired {first} (A) with {second} (B) in the history.")
    if args.export:
        write_handout(a, b, args.export, comparison)
        if args.export != "-":
            say(f"Exported the pair {a.id} / {b.id} to {args.export}.")
    if args.json:
        from cot_viewer.safe import json_text

        sys.stdout.write(json_text(comparison.to_dict()) + "\n")
    elif args.plain or not (args.export or args.save_pair):
        from cot_viewer.compare.text import render_text

        sys.stdout.write(render_text(comparison, a, b))
    return EXIT_OK


def run_compare_tui(a, b, speed: float) -> int:
    from cot_viewer.tui.app import CotViewerApp
    from cot_viewer.tui.screens.compare import CompareScreen

    CotViewerApp(lambda: CompareScreen(a, b, speed)).run()
    return EXIT_OK
