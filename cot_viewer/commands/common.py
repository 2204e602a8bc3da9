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
    if r.key_required and not r.api_key:
        raise CliError(
            f"no API key: set {r.api_key_env} (export {r.api_key_env}=...), or choose another --provider "
            f"(try `cot-viewer demo` for an example that needs none)",
            ERROR_KINDS["auth"],
        )
    return r, cfg


def endpoint_for(r):
    """The stream.endpoint.Endpoint of a config.Resolved (no thinking fields yet)."""
    from cot_viewer.stream.endpoint import Endpoint

    return Endpoint(r.provider, r.base_url, r.model, r.api_key, r.api_key_env)


def resolve_endpoint(args: argparse.Namespace):
    """The endpoint the flags, environment and config file select (see config.py)."""
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


def resolve_request(args: argparse.Namespace):
    """The endpoint with its thinking fields: flags › the config file's defaults for this
    provider. See request.py and thinking.py."""
    return build_request(resolve_config(args), thinking_flags(args))


def build_request(resolved: tuple, flags, previous=None):
    """:func:`resolve_request` from an already read ``resolve_config`` result and
    ``thinking_flags`` (``ask`` checks both before it opens the history), with the settings
    of ``previous`` — the turn being continued — between the flags and the config file."""
    from cot_viewer.pricing import PriceError
    from cot_viewer.request import AskRequest, inherited_settings
    from cot_viewer.thinking import ThinkingSettings

    r, cfg = resolved
    inherited, notes = inherited_settings(previous, r.provider)
    settings = flags.over(inherited.over(r.thinking or ThinkingSettings()))
    request = AskRequest.build(endpoint_for(r), r.dialect, settings, cfg, notes)
    try:
        request.prices()
    except PriceError as exc:
        raise CliError(str(exc)) from None
    return request


def print_notices(notices: list[str]) -> None:
    for line in notices:
        print(f"cot-viewer: note: {line}", file=sys.stderr)


def stream_options(args: argparse.Namespace):
    from cot_viewer.stream.endpoint import StreamOptions

    return StreamOptions(idle_timeout=args.idle_timeout, max_retries=max(0, args.retries))


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
    if prompt == "-" or (prompt is None and not sys.stdin.isatty()):
        prompt = sys.stdin.read()
    if not prompt or not prompt.strip():
        raise CliError("no question given: cot-viewer ask \"your question\"")
    return prompt
