"""Summaries of a ``batch analyze`` output directory, in SQL with DuckDB over its Parquet parts.

:func:`summarise` returns plain tables and matrices; ``report`` draws and prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cot_viewer.batch.rows import POSITION_BINS

NONE = "(none)"
MAX_SERIES = 8  # groups drawn in the histograms (the largest)
MAX_SUBSETS = 4  # groups with their own position and transition charts (the largest)
OUTCOME = "CASE WHEN correct THEN 'correct' WHEN NOT correct THEN 'incorrect' ELSE 'unknown' END"
GROUP = f"coalesce(\"group\", '{NONE}')"


class SummaryError(ValueError):
    """No results to summarise; the message says why in one line."""


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class Summary:
    labels: list[str]
    tables: list[Table]
    # "all traces", each of the largest groups (when there are several), "correct"/"incorrect":
    position: dict[str, list[list[int]]]  # -> [bin][label] step counts
    transitions: dict[str, list[list[int]]]  # -> [from][to] counts
    label_share: dict[str, list[float]] = field(default_factory=dict)  # group -> mean share per label
    # "group" (and "outcome" when correctness is known) -> series -> traces per bin:
    verify_hist: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # tenths of verify share
    cycle_hist: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # 0…9, 10+ cycles


def summarise(directory: str | Path) -> Summary:
    import duckdb

    from cot_viewer.analysis import LABELS

    root = Path(directory)
    parts = sorted((root / "traces").glob("part-*.parquet"))
    if not parts:
        raise SummaryError(f"{root} holds no results (run `cot-viewer batch analyze … -o {root}` first)")
    labels = list(LABELS)
    con = duckdb.connect()
    con.read_parquet([str(p) for p in parts]).create_view("traces")
    rejects = sorted((root / "rejects").glob("part-*.parquet"))
    if rejects:
        con.read_parquet([str(p) for p in rejects]).create_view("rejects")
    else:
        con.execute("CREATE VIEW rejects AS SELECT NULL::VARCHAR AS reason WHERE false")

    def q(sql: str) -> list[tuple]:
        return con.execute(sql).fetchall()

    has_correct = q("SELECT count(correct) FROM traces")[0][0] > 0
    metrics = (
        "count(*) AS traces, round(avg(reasoning_chars)) AS mean_chars, round(avg(steps), 1) AS mean_steps, "
        "round(avg(verify_share), 3) AS verify_share, round(avg(cycle_count), 2) AS cycles, "
        "round(avg(pivots), 2) AS pivots, round(median(first_answer_at), 3) AS first_answer_at, "
        "round(avg(answer_flips), 2) AS flips"
    )
    tables = []
    tables.append(_query_table(con, "Overview", f"SELECT {metrics}, count(DISTINCT \"group\") AS groups, (SELECT count(*) FROM rejects) AS rejects FROM traces"))
    acc = ", round(avg(CASE WHEN correct THEN 1.0 WHEN NOT correct THEN 0.0 END), 3) AS accuracy" if has_correct else ""
    tables.append(_query_table(con, "By group", f"SELECT {GROUP} AS \"group\", {metrics}{acc} FROM traces GROUP BY 1 ORDER BY 1"))
    shares = ", ".join(f"round(avg(share_{lab}), 3) AS {lab}" for lab in labels)
    share_table = _query_table(con, "Label share by group (mean share of step characters)", f"SELECT {GROUP} AS \"group\", {shares} FROM traces GROUP BY 1 ORDER BY 1")
    tables.append(share_table)
    if has_correct:
        tables.append(_query_table(con, "Correct vs incorrect", f"SELECT {OUTCOME} AS outcome, {metrics}, {shares} FROM traces GROUP BY 1 ORDER BY 1"))
    tables.append(_query_table(con, "Most frequent reasons for rejects", "SELECT reason, count(*) AS rows FROM rejects GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"))

    n = len(labels)
    subsets = {"all traces": "true"}
    groups = [r[0] for r in q(f"SELECT {GROUP} FROM traces GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {MAX_SUBSETS}")]
    if len(groups) > 1:
        subsets.update({f"group {g}": f"{GROUP} = {_literal(g)}" for g in groups})
    if has_correct:
        subsets.update({"correct": "correct", "incorrect": "NOT correct"})
    summary = Summary(
        labels=labels, tables=tables, position={}, transitions={},
        label_share={r[0]: [float(x or 0) for x in r[1:]] for r in share_table.rows},
    )
    for name, where in subsets.items():
        position = _summed(q, "label_by_position", POSITION_BINS * n, where)
        transitions = _summed(q, "transitions", n * n, where)
        summary.position[name] = [position[b * n : (b + 1) * n] for b in range(POSITION_BINS)]
        summary.transitions[name] = [transitions[i * n : (i + 1) * n] for i in range(n)]
    for name, series in (("group", GROUP), ("outcome", OUTCOME if has_correct else None)):
        if series is not None:
            summary.verify_hist[name] = _histogram(q, series, "least(floor(verify_share * 10), 9)", 10)
            summary.cycle_hist[name] = _histogram(q, series, "least(cycle_count, 10)", 11)
    con.close()
    return summary


def _histogram(q, series: str, bin_expr: str, bins: int) -> dict[str, list[int]]:
    """Traces per bin for each series value (the ``MAX_SERIES`` largest)."""
    top = [r[0] for r in q(f"SELECT {series} AS s FROM traces GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {MAX_SERIES}")]
    hist = {s: [0] * bins for s in sorted(top)}
    for s, b, c in q(f"SELECT {series}, {bin_expr}, count(*) FROM traces GROUP BY 1, 2"):
        if s in hist:
            hist[s][int(b)] = c
    return hist


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _summed(q, column: str, length: int, where: str = "true") -> list[int]:
    """The element-wise sum of a list column over the traces ``where`` holds."""
    out = [0] * length
    rows = q(f"SELECT i, sum(x) FROM (SELECT generate_subscripts({column}, 1) - 1 AS i, unnest({column}) AS x "
             f"FROM traces WHERE {where}) GROUP BY i")
    for i, total in rows:
        if 0 <= i < length:
            out[int(i)] = int(total)
    return out


def _query_table(con, title: str, sql: str) -> Table:
    cur = con.execute(sql)
    return Table(title, [d[0] for d in cur.description], [list(r) for r in cur.fetchall()])

