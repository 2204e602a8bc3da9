"""Seconds since the epoch → text, for any value a database or an imported file may hold.

A ``created`` of 1e20, infinity, NaN, -1e15 or the last second of year 9999 viewed east of
UTC makes ``datetime.fromtimestamp`` raise. Every date we show or export goes through
these functions, which never raise: a value outside :data:`EARLIEST`–:data:`LATEST` is
shown as ``?``. Imports refuse such values (see :func:`valid`); these functions keep rows
that reached the history before that check from breaking a listing.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

EARLIEST = 0.0  # 1970-01-01
LATEST = 32503680000.0  # 3000-01-01: far enough, and local time stays inside datetime's range
UNKNOWN = "?"


def valid(ts: object) -> bool:
    """True for a real number of seconds between :data:`EARLIEST` and :data:`LATEST`."""
    return (isinstance(ts, (int, float)) and not isinstance(ts, bool) and math.isfinite(ts)
            and EARLIEST <= ts <= LATEST)


def iso_utc(ts: object) -> str:
    """``2026-01-02T03:04:05.678Z``, or ``?``."""
    if not valid(ts):
        return UNKNOWN
    return datetime.fromtimestamp(ts, timezone.utc).isoformat().replace("+00:00", "Z")  # type: ignore[arg-type]


def utc_text(ts: object, fmt: str) -> str:
    """``strftime(fmt)`` in UTC, or ``?``."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime(fmt) if valid(ts) else UNKNOWN  # type: ignore[arg-type]


def local_text(ts: object, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``strftime(fmt)`` in local time, or ``?`` (padded to the width of the format's output)."""
    if not valid(ts):
        return UNKNOWN.ljust(len(datetime(2000, 1, 1).strftime(fmt)))
    try:
        return datetime.fromtimestamp(ts).strftime(fmt)  # type: ignore[arg-type]
    except (OverflowError, OSError, ValueError):
        return UNKNOWN.ljust(len(datetime(2000, 1, 1).strftime(fmt)))
