"""Neutralise model text for display. Stored text is never altered; only what is shown.

Terminal control: CSI/OSC/other ESC sequences and C0/C1 control characters are removed
(``\\n`` and ``\\t`` kept). Removing ESC alone is enough to disarm a sequence split across
chunks: the rest of it is then plain, harmless text.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (title, hyperlinks), BEL or ST terminated
    r"|\x1b[@-Z\\-_]"  # other two-character escapes
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # C0 except \t \n, DEL, C1 (incl. a lone ESC)
)


def terminal_safe(text: str) -> str:
    """``text`` with terminal control sequences and control characters removed."""
    return _CONTROL.sub("", text)
