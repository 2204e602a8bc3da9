"""Where cot-viewer keeps its data and config.

``COT_VIEWER_HOME`` overrides everything: the history database and ``config.toml`` both
live there. Otherwise the platform's user dirs: ``$XDG_DATA_HOME/cot-viewer`` (default
``~/.local/share/cot-viewer``) and ``$XDG_CONFIG_HOME/cot-viewer/config.toml`` on Linux;
``~/Library/Application Support/cot-viewer`` on macOS; ``%LOCALAPPDATA%\\cot-viewer`` on
Windows. ``COT_VIEWER_CONFIG`` names a config file explicitly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "cot-viewer"


def _env(environ: dict[str, str] | None) -> dict[str, str] | os._Environ[str]:
    return os.environ if environ is None else environ


def data_dir(environ: dict[str, str] | None = None) -> Path:
    env = _env(environ)
    if env.get("COT_VIEWER_HOME"):
        return Path(env["COT_VIEWER_HOME"]).expanduser()
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / APP
    if os.name == "nt":
        return Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local") / APP
    return Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / APP


def config_file(environ: dict[str, str] | None = None) -> Path:
    env = _env(environ)
    if env.get("COT_VIEWER_CONFIG"):
        return Path(env["COT_VIEWER_CONFIG"]).expanduser()
    if env.get("COT_VIEWER_HOME"):
        return Path(env["COT_VIEWER_HOME"]).expanduser() / "config.toml"
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / APP / "config.toml"
    if os.name == "nt":
        return Path(env.get("APPDATA") or home / "AppData" / "Roaming") / APP / "config.toml"
    return Path(env.get("XDG_CONFIG_HOME") or home / ".config") / APP / "config.toml"


def db_path(environ: dict[str, str] | None = None) -> Path:
    return data_dir(environ) / "history.db"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the user only; tighten it if it exists."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name != "nt" and (path.stat().st_mode & 0o077):
        os.chmod(path, 0o700)
    return path
