"""Imported once by the process pool's fork server, so that every worker is forked with the
batch function, the analysis' rules and pyarrow already loaded (and pyarrow's lazy imports
done) instead of importing them itself: the import cost is paid once per run, not per worker."""

from __future__ import annotations

from cot_viewer.analysis import analyze
from cot_viewer.batch.chunk import run_task  # noqa: F401
from cot_viewer.batch.rows import encode, schemas

analyze("Warm up.")  # loads the labeller's rules
encode([], schemas()["traces"])  # loads pyarrow's writer and whatever it imports lazily
