"""JSON from outside (a server, an imported file) as plain finite values.

Python's ``json`` reads ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON) and turns a number
too big for a float (``1e400``) into infinity. Such a value in a usage or a price made every
JSON output of the transcript invalid (``NaN`` is not JSON either) and costs unreadable.
Here they read as ``null``: the rest of the document is kept.
"""

from __future__ import annotations

import json
import math
from typing import Any


def _finite(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _null(_: str) -> None:
    return None


DECODER = json.JSONDecoder(parse_constant=_null, parse_float=_finite)


def loads(text: str | bytes, *, errors: str = "replace") -> Any:
    """``json.loads`` with non-finite numbers read as None (raises ValueError, RecursionError).

    Bytes are decoded with ``errors`` (``"surrogatepass"``, as ``json.loads`` does, makes
    undecodable bytes a :class:`UnicodeDecodeError` instead of U+FFFD)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode(json.detect_encoding(text), errors)
    return DECODER.decode(text)
