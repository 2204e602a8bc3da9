"""``cot-viewer ask``: one prompt from the command line to the screen and the history.

Flow: flags → endpoint (config.py, request.py) → messages (with earlier turns for ``-c``) →
a Run (cot_viewer/run/: the request, the events, the saves) → the plain printer, the JSON
printer, or the TUI's two panes (commands/tui.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cot_viewer.cli import CliError
from cot_viewer.commands.common import (
    build_request,
    open_history,
    print_notices,
    read_prompt,
    report_outcome,
    resolve_config,
    stream_options,
    thinking_flags,
)
from cot_viewer.exit_codes import exit_code


def conversation_messages(history, ref: str) -> tuple[list[dict], str, str, Any]:
    """Earlier turns of a conversation as plain messages (never their reasoning).

    Returns (messages, conversation_id, parent_id, the last turn: a Transcript).
    ``ref`` empty means the latest.
    """
    if history is None:
        raise CliError("--continue needs the history, which could not be opened")
    if ref:
        from cot_viewer.store.history import NotFound

        try:
            last = history.get(ref)
        except NotFound as exc:
            raise CliError(str(exc)) from None
        turns = history.conversation(last.conversation_id)  # continue at the end of it
    else:
        last = history.latest()
        if last is None:
            raise CliError("nothing to continue: no question asked yet")
        turns = history.chain(last.id)  # the turns the user built, never a file's
    last = turns[-1]
    messages: list[dict] = [m for m in turns[0].messages if m.get("role") == "system"][:1]
    for t in turns:
        messages.append({"role": "user", "content": t.prompt})
        messages.append({"role": "assistant", "content": t.answer})
    return messages, last.conversation_id, last.id, last


def build_messages(args: argparse.Namespace, history, prompt: str) -> tuple[list[dict], str | None, str | None, Any]:
    conversation_id = parent_id = previous = None
    messages: list[dict] = []
    if args.cont is not None:
        messages, conversation_id, parent_id, previous = conversation_messages(history, args.cont)
    if args.system:
        messages = [m for m in messages if m.get("role") != "system"]
        messages.insert(0, {"role": "system", "content": args.system})
    messages.append({"role": "user", "content": prompt})
    return messages, conversation_id, parent_id, previous


def _fix_continue_prompt(args: argparse.Namespace) -> None:
    # `ask -c "follow up"`: argparse gives the prompt to -c; it is a prompt, not an id
    if args.cont and args.prompt is None:
        args.prompt, args.cont = args.cont, ""


def run(args: argparse.Namespace) -> int:
    try:
        if getattr(args, "compare", None):  # the question twice at once, side by side
            from cot_viewer.commands.ask_compare import run_pair

            return run_pair(args)
        return _run(args)
    except CliError as exc:
        if args.json:  # --json: one object on stdout for every outcome, failures before the stream too
            _failure_json(exc, args.api_key_env)
        raise


def _failure_json(exc: CliError, key_env: str | None) -> None:
    from cot_viewer.exit_codes import kind_for
    from cot_viewer.safe import json_text, masked

    doc = {"id": None, "status": "error", "error": masked(exc.message, names=[key_env]),
           "error_kind": kind_for(exc.code),
           "exit_code": exc.code, "reasoning": "", "answer": "", "saved": False}
    sys.stdout.write(json_text(doc) + "\n")
    sys.stdout.flush()


def _run(args: argparse.Namespace) -> int:
    _fix_continue_prompt(args)
    prompt = read_prompt(args.prompt)
    flags = thinking_flags(args)  # a bad --param is a usage error before anything else happens
    resolved = resolve_config(args)  # a missing key or a bad config file: said before the history is opened
    from cot_viewer.commands.tui import wants_tui

    tui = wants_tui(args.plain or args.json)  # keys from /dev/tty when the prompt came from a pipe
    history, store_error = (None, None) if args.no_save and args.cont is None else open_history(required=False)
    messages, conversation_id, parent_id, previous = build_messages(args, history, prompt)
    imported = previous is not None and history.is_imported(previous.id)  # -c needs the history
    if args.no_save:
        history = None
    request = build_request(resolved, flags, previous, imported)
    notices = request.new_notices(previous.settings if previous is not None else None)
    print_notices(notices)  # in a terminal, the app shows them too: this line sits behind its screen
    endpoint = request.endpoint

    from cot_viewer.transcript import Transcript

    tr = Transcript(
        prompt=prompt, messages=messages, provider=endpoint.provider,
        base_url=endpoint.public_url, model=endpoint.model or "",
    )
    if conversation_id:
        tr.conversation_id, tr.parent_id = conversation_id, parent_id
    request.stamp(tr)
    if args.debug:
        _debug(f"POST {endpoint.chat_url} model={endpoint.model or '(the first the server lists)'} "
               f"provider={endpoint.provider} key={'from $' + endpoint.api_key_env if endpoint.api_key else 'none'} "
               f"messages={len(messages)} fields={json.dumps(dict(endpoint.body), ensure_ascii=False)}")
    from cot_viewer.run import start_run

    # the request goes out now, on the run's thread: in a terminal, while Textual is imported
    run = start_run(endpoint, tr, history=history, options=stream_options(args), max_tokens=args.max_tokens,
                    request=request)
    if tui:
        from cot_viewer.commands.tui import run_ask_tui

        return run_ask_tui(args, run, history, store_error, notices)
    return _plain(args, run, history, store_error)


def _plain(args: argparse.Namespace, run, history, store_error: str | None) -> int:
    """``--plain`` / ``--json``: the run's events to stderr/stdout, or one JSON object."""
    from cot_viewer.plain import FLUSH_INTERVAL, PlainPrinter, print_json

    tr = run.transcript
    printer = None if args.json else PlainPrinter()
    error_message = None
    try:
        # a silent server stalls nothing: an empty batch after FLUSH_INTERVAL flushes the printer
        for batch in run.batches(timeout=FLUSH_INTERVAL):
            for e in batch:
                if printer is not None:
                    printer.on(e)
                if type(e).__name__ == "StreamError":
                    error_message = e.message
            if printer is not None and not batch:
                printer.flush()
    except KeyboardInterrupt:
        run.stop()
        error_message = "stopped — partial transcript kept"
    finally:
        if printer is not None:
            printer.finish(tr)  # the whole answer on screen before any wait for a busy history
        run.close()
        if history is not None:
            history.close()
    save_error = store_error or run.save_error
    if args.debug:
        t = tr.timing
        _debug(f"status={tr.status} finish={tr.finish_reason} chunks={len(tr.timeline)} ttft={t.ttft} total={t.total_s} "
               f"saved={run.saved} id={tr.id} warnings={len(tr.warnings)}")
    if printer is None:
        print_json(tr, saved=run.saved, save_error=save_error)
    report_outcome(tr, error_message, save_error, run.saved, args, run.request)
    return exit_code(tr, save_error)


def _debug(line: str) -> None:
    from cot_viewer.safe import say

    say(f"cot-viewer debug: {line}")
