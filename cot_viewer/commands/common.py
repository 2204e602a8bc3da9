"""Helpers shared by the command modules: endpoint from flags, history opening, how a run ended."""

from __future__ import annotations

import argparse
import sys

from cot_viewer.cli import CliError
from cot_viewer.exit_codes import EXIT_STORE, code_for


def resolve_config(args: argparse.Namespace):
    """(config.Resolved, the config file's contents) for the endpoint flags."""
    from cot_viewer.request import RequestError, resolve_endpoint_config

    try:
        return resolve_endpoint_config(provider=args.provider, base_url=args.base_url, model=args.model,
                                       api_key_env=args.api_key_env)
    except RequestError as exc:
        raise CliError(exc.message, code_for(exc.kind)) from None


def resolve_endpoint(args: argparse.Namespace):
    """The endpoint the flags, environment and config file select (see config.py)."""
    from cot_viewer.request import endpoint_for

    return endpoint_for(resolve_config(args)[0])


def thinking_flags(args: argparse.Namespace):
    """The thinking controls given on the command line (unset ones are None)."""
    from cot_viewer.thinking import SettingsError, settings_from_flags

    try:
        return settings_from_flags(
            getattr(args, "effort", None), getattr(args, "think", None),
            getattr(args, "thinking_budget", None), getattr(args, "param", None),
        )
    except SettingsError as exc:
        raise CliError(str(exc)) from None


def build_request(resolved: tuple, flags, previous=None, imported: bool = False):
    """request.build_request, its errors as the command line's."""
    from cot_viewer.request import RequestError, build_request as build

    try:
        return build(resolved, flags, previous, imported)
    except RequestError as exc:
        raise CliError(exc.message, code_for(exc.kind)) from None


def print_notices(notices: list[str]) -> None:
    from cot_viewer.safe import say

    for line in notices:
        say(f"cot-viewer: note: {line}")


def stream_options(args: argparse.Namespace):
    from cot_viewer.stream.endpoint import StreamOptions

    return StreamOptions(idle_timeout=args.idle_timeout, max_retries=max(0, args.retries),
                         deadline=getattr(args, "deadline", None))


def open_history(*, required: bool = True):
    """The history, or (when not required) None plus the reason it could not be opened."""
    from cot_viewer.store.db import StoreError
    from cot_viewer.store.history import History

    try:
        return History.open(), None
    except StoreError as exc:
        if required:
            raise CliError(str(exc), EXIT_STORE) from None
        return None, str(exc)


def read_prompt(prompt: str | None) -> str:
    """The question: the argument, or stdin (kept exactly, trailing newline included).

    Bytes that are not UTF-8 (stdin, or arguments Python decoded with surrogate escapes)
    become U+FFFD with a notice, rather than failing later when the prompt is sent or saved.
    """
    if prompt == "-" or (prompt is None and not sys.stdin.isatty()):
        raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8", "surrogateescape")
        try:
            prompt = raw.decode("utf-8")
        except UnicodeDecodeError:
            prompt = raw.decode("utf-8", "replace")
            _not_utf8("the question on stdin")
    elif prompt is not None:
        from cot_viewer.stream.surrogates import clean_surrogates

        fixed = clean_surrogates(prompt.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
        if fixed != prompt:
            prompt = fixed
            _not_utf8("the question")
    if not prompt or not prompt.strip():
        raise CliError("no question given: cot-viewer ask \"your question\"")
    return prompt


def _not_utf8(what: str) -> None:
    from cot_viewer.safe import say

    say(f"cot-viewer: {what} is not UTF-8 text; the bytes that are not were replaced with \ufffd")


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
