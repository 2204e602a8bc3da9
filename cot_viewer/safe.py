"""The one gate for text of outside origin on its way to a terminal or a JSON reader.

Stored text is never altered; only what is shown. Outside origin means model text, server
error messages, model names, and anything read from an imported file (ids, providers).

Terminal control: CSI/OSC/other ESC sequences and C0/C1 control characters are removed
(``\\n`` and ``\\t`` kept). Removing ESC alone is enough to disarm a sequence split across
chunks: the rest of it is then plain, harmless text. :func:`say` and :func:`shown` also mask
secrets (:func:`masked`, cot_viewer/redact.py). :func:`json_text` is ``json.dumps`` with C1 controls
escaped too (JSON escapes C0 itself; a terminal showing raw JSON would act on C1).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import Any, TextIO

_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (title, hyperlinks), BEL or ST terminated
    r"|\x1b[@-Z\\-_]"  # other two-character escapes
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # C0 except \t \n, DEL, C1 (incl. a lone ESC)
)
_C1 = re.compile(r"[\x7f-\x9f\u2028\u2029]")


def terminal_safe(text: str) -> str:
    """``text`` with terminal control sequences and control characters removed."""
    return _CONTROL.sub("", text)


def masked(text: str, *, names: Iterable[str | None] = ()) -> str:
    """``text`` with secrets masked: the values of the key variables (``names`` and every
    ``*_KEY``/``*_TOKEN``/``*_SECRET``) and anything credential-shaped (cot_viewer/redact.py)."""
    from cot_viewer.redact import env_secrets, scrub

    return scrub(text, env_secrets(names=names))


def shown(text: str, *, names: Iterable[str | None] = ()) -> str:
    """``text`` ready for a terminal: secrets masked, control sequences removed."""
    return terminal_safe(masked(text, names=names))


def say(line: str, file: TextIO | None = None) -> None:
    """Print one message (to stderr unless ``file``) through :func:`shown`."""
    print(shown(line), file=file or sys.stderr)


def json_text(obj: Any, **kw: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False)`` with DEL, C1 controls and line separators
    escaped as ``\\uXXXX`` (they can only occur inside strings, so the JSON stays valid)."""
    text = json.dumps(obj, ensure_ascii=False, **kw)
    return _C1.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
