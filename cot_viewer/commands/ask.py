"""``cot-viewer ask``: one prompt from the command line to the screen and the history.

Flow: flags → endpoint (config.py) → messages (with earlier turns for ``-c``) → the stream
client's events → the recorder (saved as they come) → the plain printer, the JSON printer,
or the TUI's two panes.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cot_viewer.cli import CliError
from cot_viewer.commands.common import (
    build_request,
    exit_code,
    open_history,
    print_notices,
    read_prompt,
    resolve_config,
    stream_options,
    thinking_flags,
)


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
        return _run(args)
    except CliError as exc:
        if args.json:  # --json: one object on stdout for every outcome, failures before the stream too
            _failure_json(exc, args.api_key_env)
        raise


def _failure_json(exc: CliError, key_env: str | None) -> None:
    from cot_viewer.cli import EXIT_STORE, EXIT_USAGE
    from cot_viewer.safe import json_text, masked
    from cot_viewer.stream.events import ERROR_KINDS

    kinds = {code: kind for kind, code in ERROR_KINDS.items()} | {EXIT_USAGE: "usage", EXIT_STORE: "store"}
    doc = {"id": None, "status": "error", "error": masked(exc.message, names=[key_env]),
           "error_kind": kinds.get(exc.code, "usage"),
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

    from cot_viewer.store.history import Recorder
    from cot_viewer.transcript import Transcript

    tr = Transcript(
        prompt=prompt, messages=messages, provider=endpoint.provider,
        base_url=endpoint.public_url, model=endpoint.model or "",
    )
    if conversation_id:
        tr.conversation_id, tr.parent_id = conversation_id, parent_id

    if endpoint.model is None:  # local servers name their model: ask them
        from cot_viewer.stream.client import first_model

        request = request.with_model(first_model(endpoint))
        endpoint = request.endpoint
    request.stamp(tr)

    if tui:
        from cot_viewer.commands.tui import run_ask_tui

        return run_ask_tui(args, endpoint, tr, history, store_error, request, notices)

    recorder = Recorder(tr, history)
    from cot_viewer.plain import PlainPrinter, print_json
    from cot_viewer.stream.client import StreamClient

    printer = None if args.json else PlainPrinter()
    client = StreamClient(endpoint, stream_options(args))
    if args.debug:
        _debug(f"POST {endpoint.chat_url} model={endpoint.model} provider={endpoint.provider} "
               f"key={'from $' + endpoint.api_key_env if endpoint.api_key else 'none'} messages={len(messages)} "
               f"fields={json.dumps(dict(endpoint.body), ensure_ascii=False)}")
    from cot_viewer.ticker import Ticker

    error_message = None
    # saves and screen output by the clock too: a server sending only keep-alives stalls neither
    ticker = Ticker(0.1, recorder.tick, printer.flush if printer is not None else None)
    try:
        with ticker:
            for batch in client.stream_batches(messages, max_tokens=args.max_tokens):
                with ticker.lock:
                    for e in batch:
                        recorder.apply(e)
                        if printer is not None:
                            printer.on(e)
                        if type(e).__name__ == "StreamError":
                            error_message = e.message
    except KeyboardInterrupt:
        tr.stop()
        error_message = "stopped — partial transcript kept"
    finally:
        if printer is not None:
            printer.finish(tr)  # the whole answer on screen before any wait for a busy history
        recorder.close()
        if history is not None:
            history.close()
    save_error = store_error or recorder.error
    if args.debug:
        t = tr.timing
        _debug(f"status={tr.status} finish={tr.finish_reason} chunks={len(tr.timeline)} ttft={t.ttft} total={t.total_s} "
               f"saved={recorder.saved and not recorder.error} id={tr.id} warnings={len(tr.warnings)}")
    if printer is None:
        print_json(tr, saved=recorder.saved and not recorder.error, save_error=save_error)
    report_outcome(tr, error_message, save_error, recorder.saved and not recorder.error, args, request)
    return exit_code(tr, save_error)


def _debug(line: str) -> None:
    from cot_viewer.safe import say

    say(f"cot-viewer debug: {line}")


def report_outcome(tr, error_message: str | None, save_error: str | None, saved: bool, args, request=None) -> None:
    """The one line on stderr that says what went wrong and what was kept."""
    from cot_viewer.outcome import truncation_message

    lines = []
    if error_message:
        kept = f" — partial transcript saved as {tr.id}" if saved and (tr.reasoning or tr.answer) else ""
        if tr.error_kind == "balance" and request is not None:
            from cot_viewer.balance import balance_suffix

            kept += balance_suffix(request.endpoint, request.dialect)
        lines.append(error_message + kept)
    elif tr.status == "truncated":
        lines.append(truncation_message(tr, args.max_tokens))
    if save_error and not args.no_save:
        lines.append(f"not saved: {save_error}")
    from cot_viewer.safe import say

    for line in lines:
        say(f"cot-viewer: {line}")
