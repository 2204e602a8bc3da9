"""What the terminal UI remembers between runs (the chosen theme), in ``ui.json`` beside
``config.toml``. The config file is the user's and is never written; this one is ours.
Reading or writing it never fails a command: a damaged or unwritable file is ignored."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cot_viewer.paths import config_file

NAME = "ui.json"


def state_path(environ: dict[str, str] | None = None) -> Path:
    return config_file(environ).parent / NAME


def load(environ: dict[str, str] | None = None) -> dict:
    try:
        data = json.loads(state_path(environ).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(key: str, value, environ: dict[str, str] | None = None) -> bool:
    """Set one value (atomically: a temporary file renamed over the old one)."""
    path = state_path(environ)
    data = load(environ)
    if data.get(key) == value:
        return True
    data[key] = value
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True)
        tmp = path.with_name(f".{NAME}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except OSError:
        return False
    return True
