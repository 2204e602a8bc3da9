"""What the terminal UI remembers between runs (the chosen theme), in ``ui.json`` beside
``config.toml``. The config file is the user's and is never written; this one is ours.
Reading or writing it never fails a command: a damaged or unwritable file is ignored."""

from __future__ import annotations

import json
from pathlib import Path

from cot_viewer.paths import config_file, ensure_private_dir, write_private_file

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
    """Set one value (atomically, through :func:`cot_viewer.paths.write_private_file`)."""
    path = state_path(environ)
    data = load(environ)
    if data.get(key) == value:
        return True
    data[key] = value
    try:
        ensure_private_dir(path.parent)
        write_private_file(path, json.dumps(data))
    except (OSError, ValueError):  # ValueError: not a regular file there
        return False
    return True
