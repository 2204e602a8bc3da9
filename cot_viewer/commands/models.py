"""``cot-viewer models``: the models an endpoint serves (``GET /models``, stream/client.py)."""

from __future__ import annotations

import argparse

from cot_viewer.cli import CliError
from cot_viewer.commands.common import resolve_endpoint
from cot_viewer.exit_codes import KIND_CODES, code_for


def run(args: argparse.Namespace) -> int:
    endpoint = resolve_endpoint(args)
    from cot_viewer.safe import json_text, terminal_safe
    from cot_viewer.stream.client import ListFailed, list_models

    try:
        ids = sorted(set(list_models(endpoint, timeout=min(args.idle_timeout, 60.0))))
    except ListFailed as exc:
        raise CliError(exc.error.message, code_for(exc.error.kind, KIND_CODES["stream"])) from None
    if args.json:
        print(json_text(ids))
    else:
        for i in ids:
            print(terminal_safe(i))
    return 0
