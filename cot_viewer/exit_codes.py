"""The command line's exit codes (the README's table). Only the command line reads this: the
core names how something failed (a transcript's ``error_kind``, an error's ``kind``) and the
commands turn that into a code here."""

from __future__ import annotations

from typing import Any

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_TRUNCATED = 10
EXIT_STORE = 11
EXIT_CANCELLED = 130

#: the stream's error kinds (cot_viewer/stream/events.py, StreamError.kind) and their codes
KIND_CODES: dict[str, int] = {
    "auth": 3,  # 401/403: wrong or missing key
    "balance": 4,  # 402: no balance
    "rate_limit": 5,  # 429 after the retries
    "server": 6,  # 5xx after the retries, or the server said it has no resources
    "bad_request": 7,  # 400/404/422: bad parameters, unknown model
    "connection": 8,  # could not connect, connection dropped, idle timeout
    "stream": 9,  # an error object inside a 200 stream, or a malformed stream
}


def code_for(kind: str | None, default: int = EXIT_USAGE) -> int:
    """The exit code of an error kind (``usage`` and unknown kinds: ``default``)."""
    return KIND_CODES.get(kind or "", default)


def kind_for(code: int) -> str:
    """The error kind an exit code stands for (``--json`` names it)."""
    kinds = {c: k for k, c in KIND_CODES.items()} | {EXIT_USAGE: "usage", EXIT_STORE: "store"}
    return kinds.get(code, "usage")


def exit_code(tr: Any, save_error: str | None = None) -> int:
    """The documented exit code for a finished transcript."""
    if tr.error_kind == "cancelled":
        return EXIT_CANCELLED
    if tr.error_kind in KIND_CODES:
        return KIND_CODES[tr.error_kind]
    if tr.status == "error":
        return KIND_CODES["stream"]
    if tr.status == "interrupted":
        return KIND_CODES["connection"]
    if tr.status == "truncated":
        return EXIT_TRUNCATED
    if save_error:
        return EXIT_STORE
    return EXIT_OK
