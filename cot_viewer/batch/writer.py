"""The output directory: a manifest, and per chunk one Parquet part per output, written
atomically (a temporary file, fsync, rename). A chunk is done when its ``traces`` part exists
(written last), so a run killed at any moment resumes with ``--resume`` and redoes at most
the chunks that were in flight.

Layout::

    OUT/_batch.json                   what was asked (inputs, options): checked on --resume
    OUT/traces/part-FFFFF-CCCCCC.parquet    one row per trace
    OUT/steps/part-….parquet          one row per step (--steps)
    OUT/rejects/part-….parquet        rows and traces not analysed, with the reason
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cot_viewer.batch.model import ChunkResult

MANIFEST = "_batch.json"
FORMAT = "cot-viewer/batch"
VERSION = 1
OUTPUTS = ("steps", "rejects", "traces")  # the order they are written in: traces last


class OutputError(ValueError):
    """The output directory cannot be used as asked; the message says why in one line."""


class OutputDir:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def part(self, name: str, key: str) -> Path:
        return self.root / name / f"{key}.parquet"

    def prepare(self, manifest: dict[str, Any], *, resume: bool) -> set[str]:
        """Create or reopen the directory; the keys of the chunks already done."""
        manifest = {"format": FORMAT, "version": VERSION, **manifest}
        path = self.root / MANIFEST
        if path.exists():
            if not resume:
                raise OutputError(f"{self.root} already holds a batch run: add --resume to continue it, or choose a new directory")
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise OutputError(f"{path} is unreadable ({exc}); choose a new directory") from None
            if old != manifest:
                changed = sorted(k for k in set(old) | set(manifest) if old.get(k) != manifest.get(k))
                raise OutputError(f"{self.root} was started with other inputs or options ({', '.join(changed)} differ); use the same ones, or a new directory")
        elif self.root.exists() and any(self.root.iterdir()):
            raise OutputError(f"{self.root} is not empty and holds no batch run; choose a new directory")
        for name in OUTPUTS:
            (self.root / name).mkdir(parents=True, exist_ok=True)
            for stale in (self.root / name).glob(".*.tmp"):
                stale.unlink()
        if not path.exists():
            self._atomic(path, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
        return {p.stem for p in (self.root / "traces").glob("part-*.parquet")}

    def write(self, result: ChunkResult) -> None:
        for name in OUTPUTS:
            data = result.parts.get(name)
            if data is not None:
                self._atomic(self.part(name, result.key), data)

    @staticmethod
    def _atomic(path: Path, data: bytes) -> None:
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
