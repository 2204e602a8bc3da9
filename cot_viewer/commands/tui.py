"""Entry points into the Textual app (imported only when a terminal UI is wanted)."""

from __future__ import annotations

import os
import sys


def wants_tui(plain: bool) -> bool:
    """The terminal UI, unless plain output was asked for, stdout is not a terminal, or no
    keys can be read (see :func:`keys_from_terminal`)."""
    return not plain and sys.stdout.isatty() and keys_from_terminal()


def keys_from_terminal() -> bool:
    """Can the app read keys? Textual reads them from stdin. With the question piped in
    (``echo q | cot-viewer ask``: stdin at its end) but a terminal on stdout, read them from
    the controlling terminal instead, as fzf does; without one, False (use plain output)."""
    try:
        if sys.stdin is not None and sys.stdin.isatty():
            return True
    except ValueError:  # stdin closed
        pass
    if os.name != "posix":
        return False
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.dup2(fd, 0)  # file descriptor 0 is now the terminal (sys.stdin keeps using fd 0)
    os.close(fd)
    return True


def run_ask_tui(args, run, history, store_error, notices=()) -> int:
    """`cot-viewer ask` in a terminal: the two-pane view of ``run`` (a cot_viewer.run.Run,
    already streaming: Textual is imported only now). Returns the documented exit code."""
    from cot_viewer.commands.common import report_outcome, stream_options
    from cot_viewer.exit_codes import exit_code
    from cot_viewer.tui.app import CotViewerApp
    from cot_viewer.tui.screens.ask import AskScreen
    from cot_viewer.tui.session import AskSession

    tr = run.transcript
    session = AskSession(
        endpoint=run.endpoint, options=stream_options(args), history=history,
        store_error=None if args.no_save else store_error, max_tokens=args.max_tokens, turns=[tr], pending=run,
        request=run.request, notices=list(notices),
    )
    app = CotViewerApp(lambda: AskScreen(session))
    try:
        app.run()
    finally:
        session.close_all()
        if history is not None:
            history.close()
    last = session.last
    save_error = session.save_error or (None if args.no_save else store_error)
    saved = any(r.saved for r in session.runs if r.transcript is last)
    if last.error_kind == "cancelled":
        message = "stopped — partial transcript kept" if saved and (last.reasoning or last.answer) else "stopped"
        from cot_viewer.safe import say

        say(f"cot-viewer: {message}")
        report_outcome(last, None, save_error, saved, args)
    else:
        message = last.error if last.error_kind else None
        report_outcome(last, message, save_error, saved, args, session.request)
    return exit_code(last, save_error)


def run_replay_tui(tr, speed: float) -> int:
    from cot_viewer.exit_codes import EXIT_OK
    from cot_viewer.tui.app import CotViewerApp
    from cot_viewer.tui.screens.replay import ReplayScreen

    CotViewerApp(lambda: ReplayScreen(tr, speed)).run()
    return EXIT_OK
