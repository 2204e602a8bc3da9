"""``cot-viewer ask``: one prompt from the command line to the screen and the history.

Flow: flags → endpoint (config.py) → messages (with earlier turns for ``-c``) → the stream
client's events → the recorder (saved as they come) → the plain printer, the JSON printer,
or the TUI's two panes.
"""

from __future__ import annotations

import argparse
import sys

from cot_viewer.cli import CliError
from cot_viewer.commands.common import (
    exit_code,
    open_history,
    read_prompt,
    resolve_endpoint,
    stream_options,
)


def conversation_messages(history, ref: str) -> tuple[list[dict], str, str]:
    """Earlier turns of a conversation as plain messages (never their reasoning).

    Returns (messages, conversation_id, parent_id). ``ref`` empty means the latest.
    """
    if history is None:
        raise CliError("--continue needs the history, which could not be opened")
    if ref:
        from cot_viewer.store.history import NotFound

        try:
            last = history.get(ref)
        except NotFound as exc:
            raise CliError(str(exc)) from None
    else:
        last = history.latest()
        if last is None:
            raise CliError("nothing to continue: the history is empty")
    turns = history.conversation(last.conversation_id)  # continue at the end of it
    last = turns[-1]
    messages: list[dict] = [m for m in turns[0].messages if m.get("role") == "system"][:1]
    for t in turns:
        messages.append({"role": "user", "content": t.prompt})
        messages.append({"role": "assistant", "content": t.answer})
    return messages, last.conversation_id, last.id


def build_messages(args: argparse.Namespace, history, prompt: str) -> tuple[list[dict], str | None, str | None]:
    conversation_id = parent_id = None
    messages: list[dict] = []
    if args.cont is not None:
        messages, conversation_id, parent_id = conversation_messages(history, args.cont)
    if args.system:
        messages = [m for m in messages if m.get("role") != "system"]
        messages.insert(0, {"role": "system", "content": args.system})
    messages.append({"role": "user", "content": prompt})
    return messages, conversation_id, parent_id


def _fix_continue_prompt(args: argparse.Namespace) -> None:
    # `ask -c "follow up"`: argparse gives the prompt to -c; it is a prompt, not an id
    if args.cont and args.prompt is None:
        args.prompt, args.cont = args.cont, ""


def run(args: argparse.Namespace) -> int:
    _fix_continue_prompt(args)
    prompt = read_prompt(args.prompt)
    endpoint = resolve_endpoint(args)
    tui = not (args.plain or args.json) and sys.stdout.isatty()
    if tui:
        from cot_viewer.commands.tui import keys_from_terminal

        tui = keys_from_terminal()  # the prompt may have come from a pipe on stdin
    history, store_error = (None, None) if args.no_save and args.cont is None else open_history(required=False)
    messages, conversation_id, parent_id = build_messages(args, history, prompt)
    if args.no_save:
        history = None

    from cot_viewer.store.history import Recorder
    from cot_viewer.transcript import Transcript

    tr = Transcript(
        prompt=prompt, messages=messages, provider=endpoint.provider,
        base_url=endpoint.public_url, model=endpoint.model or "",
    )
    if conversation_id:
        tr.conversation_id, tr.parent_id = conversation_id, parent_id

    if endpoint.model is None:  # local servers name their model: ask them
        import dataclasses

        from cot_viewer.stream.client import first_model

        endpoint = dataclasses.replace(endpoint, model=first_model(endpoint))
        tr.model = endpoint.model or ""

    if tui:
        from cot_viewer.commands.tui import run_ask_tui

        return run_ask_tui(args, endpoint, tr, history, store_error)

    recorder = Recorder(tr, history)
    from cot_viewer.plain import PlainPrinter, print_json
    from cot_viewer.stream.client import StreamClient

    printer = None if args.json else PlainPrinter()
    client = StreamClient(endpoint, stream_options(args))
    if args.debug:
        _debug(f"POST {endpoint.chat_url} model={endpoint.model} provider={endpoint.provider} "
               f"key={'from $' + endpoint.api_key_env if endpoint.api_key else 'none'} messages={len(messages)}")
    error_message = None
    try:
        for e in client.stream(messages, max_tokens=args.max_tokens):
            recorder.apply(e)
            if printer is not None:
                printer.on(e)
            if type(e).__name__ == "StreamError":
                error_message = e.message
    except KeyboardInterrupt:
        tr.stop()
        error_message = "stopped — partial transcript kept"
    finally:
        recorder.close()
        if history is not None:
            history.close()
    save_error = store_error or recorder.error
    if args.debug:
        t = tr.timing
        _debug(f"status={tr.status} finish={tr.finish_reason} chunks={len(tr.timeline)} ttft={t.ttft} total={t.total_s} "
               f"saved={recorder.saved and not recorder.error} id={tr.id} warnings={len(tr.warnings)}")
    if printer is not None:
        printer.finish(tr)
    else:
        print_json(tr, saved=recorder.saved and not recorder.error, save_error=save_error)
    report_outcome(tr, error_message, save_error, recorder.saved and not recorder.error, args)
    return exit_code(tr, save_error)


def _debug(line: str) -> None:
    print(f"cot-viewer debug: {line}", file=sys.stderr)


def report_outcome(tr, error_message: str | None, save_error: str | None, saved: bool, args) -> None:
    """The one line on stderr that says what went wrong and what was kept."""
    lines = []
    if error_message:
        kept = f" — partial transcript saved as {tr.id}" if saved and (tr.reasoning or tr.answer) else ""
        lines.append(error_message + kept)
    elif tr.status == "truncated":
        where = "while still reasoning (the answer is empty)" if not tr.answer else ""
        lines.append(f"the answer was cut at the token limit {where}— raise --max-tokens".replace("  ", " "))
    if save_error and not args.no_save:
        lines.append(f"not saved: {save_error}")
    for line in lines:
        print(f"cot-viewer: {line}", file=sys.stderr)
