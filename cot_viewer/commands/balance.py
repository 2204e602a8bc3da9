"""``cot-viewer balance``: what is left on the account (DeepSeek, OpenRouter)."""

from __future__ import annotations

import argparse

from cot_viewer.cli import EXIT_USAGE, CliError
from cot_viewer.commands.common import endpoint_for, resolve_config
from cot_viewer.stream.events import ERROR_KINDS


def run(args: argparse.Namespace) -> int:
    from cot_viewer.balance import BalanceError, fetch_balance

    r, _ = resolve_config(args)
    try:
        balance = fetch_balance(endpoint_for(r), r.dialect, timeout=min(args.idle_timeout, 30.0))
    except BalanceError as exc:
        raise CliError(exc.message, ERROR_KINDS.get(exc.kind, EXIT_USAGE)) from None
    from cot_viewer.safe import json_text, terminal_safe

    if args.json:
        print(json_text(balance.to_dict()))
    else:
        for line in balance.lines():
            print(terminal_safe(f"{balance.provider}: {line}"))  # the currency is the server's word
    return 0 if balance.available else ERROR_KINDS["balance"]
