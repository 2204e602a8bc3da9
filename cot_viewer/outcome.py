"""Sentences about how a stream ended, shared by the command line and the terminal UI."""

from __future__ import annotations

from typing import Any


def truncation_message(tr: Any, max_tokens: int | None) -> str:
    """Why a ``finish_reason: length`` transcript stopped, with the numbers and what to change."""
    used = (tr.usage or {}).get("completion_tokens")
    limit = f"--max-tokens {max_tokens}" if max_tokens else "the server's default limit"
    counts = f"{tr.reasoning_tokens:,} reasoning + {tr.answer_tokens:,} answer tokens"
    if tr.answer:
        return f"the answer was cut at the token limit ({limit}; {counts}) — raise --max-tokens or lower --effort"
    base = max_tokens or (used if isinstance(used, int) else 0)
    example = f" (e.g. --max-tokens {max(2 * base, 4096)})" if base else ""
    return (f"the answer is empty: the reasoning used the whole token limit ({limit}; {counts}) — "
            f"raise --max-tokens{example} or lower --effort")
