"""``cot-viewer models``: the models an endpoint serves (via the official openai SDK)."""

from __future__ import annotations

import argparse

from cot_viewer.cli import CliError
from cot_viewer.commands.common import resolve_endpoint
from cot_viewer.stream.events import ERROR_KINDS


def run(args: argparse.Namespace) -> int:
    endpoint = resolve_endpoint(args)
    import openai  # the SDK's typed client is worth its import time here, off the streaming path

    client = openai.OpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key or "none", max_retries=1, timeout=args.idle_timeout)
    try:
        listed = [getattr(m, "id", None) for m in client.models.list()]
    except (TypeError, AttributeError, ValueError, RecursionError, openai.APIResponseValidationError):
        # the SDK does not check the reply's shape: "data": 5, a list for a body, no JSON
        raise CliError(f"{endpoint.models_url} did not answer with a list of models", ERROR_KINDS["stream"]) from None
    except openai.AuthenticationError:
        raise CliError(f"authentication failed — check {endpoint.api_key_env or 'the API key'}", ERROR_KINDS["auth"]) from None
    except openai.APIConnectionError:
        raise CliError(f"could not connect to {endpoint.base_url} — is the server running?", ERROR_KINDS["connection"]) from None
    except openai.APIStatusError as exc:
        raise CliError(f"the server answered HTTP {exc.status_code} to the model list", ERROR_KINDS["bad_request"]) from None
    from cot_viewer.safe import json_text, terminal_safe
    from cot_viewer.stream.surrogates import clean_surrogates

    ids = sorted({clean_surrogates(i) for i in listed if isinstance(i, str)})  # an id not a string names nothing

    if args.json:
        print(json_text(ids))
    else:
        for i in ids:
            print(terminal_safe(i))
    return 0
