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
        return _home_dir(Path(env["COT_VIEWER_HOME"]).expanduser())
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


def _home_dir(home: Path) -> Path:
    """Where the data goes under ``COT_VIEWER_HOME``: the folder itself when it is ours (we
    create it, it is private, or it already holds the history), else our own subfolder —
    a user's shared folder (``/tmp``, a team directory) is never chmodded."""
    if os.name == "nt" or not home.exists() or (home / "history.db").exists():
        return home
    try:
        st = home.stat()
    except OSError:
        return home
    if st.st_mode & 0o077 == 0 and st.st_uid == os.getuid():
        return home
    return home / APP


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the user only. An existing folder is
    tightened only when it is our own (named cot-viewer); anyone else's is left as it is."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name != "nt" and path.name == APP and (path.stat().st_mode & 0o077):
        os.chmod(path, 0o700)
    return path


def write_private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a new 0600 file in the same folder, renamed
    over it), so a reader never sees half a file. Refuses a target that is not a regular
    file — a symlink, a device, a pipe, a folder — rather than replace or write through it."""
    import stat
    import tempfile

    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = "a symlink" if stat.S_ISLNK(st.st_mode) else "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise ValueError(f"{path} is {kind}; refusing to replace it (use -o - to write to stdout)")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
