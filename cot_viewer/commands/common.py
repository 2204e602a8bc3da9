"""Helpers shared by the command modules: endpoint from flags, history opening, exit codes."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cot_viewer.cli import EXIT_CANCELLED, EXIT_OK, EXIT_STORE, EXIT_TRUNCATED, CliError
from cot_viewer.stream.events import ERROR_KINDS


def resolve_config(args: argparse.Namespace):
    """(config.Resolved, the config file's contents) for the endpoint flags."""
    from cot_viewer.config import ConfigError, load_config, resolve
    from cot_viewer.paths import config_file

    try:
        cfg = load_config(config_file())
        r = resolve(provider=args.provider, base_url=args.base_url, model=args.model, api_key_env=args.api_key_env, config=cfg)
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    from cot_viewer.redact import BadKey, clean_api_key

    try:
        key = clean_api_key(r.api_key, r.api_key_env)
    except BadKey as exc:
        raise CliError(str(exc), ERROR_KINDS["auth"]) from None
    _check_url(r.base_url)
    if r.key_required and not key:
        raise CliError(
            f"no API key: set {r.api_key_env} (export {r.api_key_env}=...), or choose another --provider "
            f"(try `cot-viewer demo` for an example that needs none)",
            ERROR_KINDS["auth"],
        )
    from dataclasses import replace

    return replace(r, api_key=key), cfg


def endpoint_for(r):
    """The stream.endpoint.Endpoint of a config.Resolved (no thinking fields yet)."""
    from cot_viewer.stream.endpoint import Endpoint

    return Endpoint(r.provider, r.base_url, r.model, r.api_key, r.api_key_env)


def resolve_endpoint(args: argparse.Namespace):
    """The endpoint the flags, environment and config file select (see config.py)."""
    return endpoint_for(resolve_config(args)[0])


def _check_url(url: str) -> None:
    """Refuse a base URL that cannot be requested, before any request is made."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise CliError(f"the base URL {url!r} is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise CliError(f"the base URL {url!r} is not an http(s) URL with a host, e.g. http://localhost:8000/v1")


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


def resolve_request(args: argparse.Namespace):
    """The endpoint with its thinking fields: flags › the config file's defaults for this
    provider. See request.py and thinking.py."""
    return build_request(resolve_config(args), thinking_flags(args))


def build_request(resolved: tuple, flags, previous=None, imported: bool = False):
    """:func:`resolve_request` from an already read ``resolve_config`` result and
    ``thinking_flags`` (``ask`` checks both before it opens the history), with the settings
    of ``previous`` — the turn being continued, ``imported`` or not — between the flags and
    the config file."""
    from cot_viewer.pricing import PriceError
    from cot_viewer.request import AskRequest, inherited_settings
    from cot_viewer.thinking import ThinkingSettings

    r, cfg = resolved
    inherited, notes = inherited_settings(previous, r.provider, imported)
    settings = flags.over(inherited.over(r.thinking or ThinkingSettings()))
    request = AskRequest.build(endpoint_for(r), r.dialect, settings, cfg, notes)
    try:
        request.prices()
    except PriceError as exc:
        raise CliError(str(exc)) from None
    return request


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


def exit_code(tr: Any, save_error: str | None = None) -> int:
    """The documented exit code for a finished transcript."""
    if tr.error_kind == "cancelled":
        return EXIT_CANCELLED
    if tr.error_kind in ERROR_KINDS:
        return ERROR_KINDS[tr.error_kind]
    if tr.status == "error":
        return ERROR_KINDS["server"] if tr.error_kind == "server" else ERROR_KINDS["stream"]
    if tr.status == "interrupted":
        return ERROR_KINDS["connection"]
    if tr.status == "truncated":
        return EXIT_TRUNCATED
    if save_error:
        return EXIT_STORE
    return EXIT_OK


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
