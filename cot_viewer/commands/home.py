"""`cot-viewer` with no arguments in a terminal: the history, search, replay, a new question."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from cot_viewer.commands.common import open_history
    from cot_viewer.tui.app import CotViewerApp
    from cot_viewer.tui.screens.home import HomeScreen

    history, store_error = open_history(required=False)
    try:
        CotViewerApp(lambda: HomeScreen(history, store_error, args)).run()
    finally:
        if history is not None:
            history.close()
    return 0
