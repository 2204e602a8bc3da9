"""Analyse whole datasets of reasoning traces (``cot-viewer batch``); see docs/batch.md.

The pieces, each in its own module:

* ``sources`` — inputs (Parquet, JSON Lines, JSON, globs, the history) → a deterministic
  plan of chunks (``model.Task``), and the rows of one chunk;
* ``adapters/`` — a row of each input format → ``model.Trace`` objects (one module a format);
* ``chunk.run_task`` — *the* batch function: a chunk → analysed, encoded output parts;
* ``engines/`` — where it runs: ``serial``, ``local`` (process pool, the default), ``ray``;
* ``rows`` — the output schemas; ``writer`` — the output directory (atomic parts, resume);
* ``run`` — the ``batch analyze`` pipeline with its progress bar;
* ``summary`` (DuckDB) and ``report`` / ``svg`` — ``batch report``: HTML and Markdown.

pyarrow (and DuckDB for reports) are the optional extra ``cot-viewer[batch]``, Ray is
``cot-viewer[ray]``; nothing here is imported by the rest of cot-viewer.
"""
