"""``cot-viewer balance``: what is left on the account (DeepSeek, OpenRouter)."""

from __future__ import annotations

import argparse

from cot_viewer.cli import CliError
from cot_viewer.commands.common import resolve_config
from cot_viewer.exit_codes import KIND_CODES, code_for


def run(args: argparse.Namespace) -> int:
    from cot_viewer.balance import BalanceError, fetch_balance
    from cot_viewer.request import endpoint_for

    r, _ = resolve_config(args)
    try:
        balance = fetch_balance(endpoint_for(r), r.dialect, timeout=min(args.idle_timeout, 30.0))
    except BalanceError as exc:
        raise CliError(exc.message, code_for(exc.kind)) from None
    from cot_viewer.safe import json_text, terminal_safe

    if args.json:
        print(json_text(balance.to_dict()))
    else:
        for line in balance.lines():
            print(terminal_safe(f"{balance.provider}: {line}"))  # the currency is the server's word
    return 0 if balance.available else KIND_CODES["balance"]
