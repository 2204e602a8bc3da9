"""Sentences about how a stream ended, shared by the command line and the terminal UI."""

from __future__ import annotations

from typing import Any


def truncation_message(tr: Any, max_tokens: int | None) -> str:
    """Why a ``finish_reason: length`` transcript stopped, with the numbers and what to change."""
    usage = tr.usage or {}
    used = usage.get("completion_tokens")
    limit = f"--max-tokens {max_tokens:,}" if max_tokens else "the server's default token limit"
    if not tr.answer:
        spent = f"{tr.reasoning_tokens:,} reasoning tokens" + (
            f" of {used:,} completion tokens" if isinstance(used, int) and used != tr.reasoning_tokens else "")
        bigger = f" (e.g. --max-tokens {max(2 * (max_tokens or used or 0), 4096):,})" if (max_tokens or used) else ""
        return (f"the answer is empty: the reasoning used up {limit} ({spent}) before the answer began — "
                f"raise --max-tokens{bigger} or lower --effort")
    counts = f" ({tr.reasoning_tokens:,} reasoning + {tr.answer_tokens:,} answer tokens)"
    return f"the answer was cut at {limit}{counts} — raise --max-tokens or lower --effort"
