"""Two runs of a question side by side: the figures of each, lined up, and their phases
aligned by kind.  UI-free (no Textual); the faces are ``commands/compare.py`` (``--plain``,
``--json``, ``--export``), ``tui/screens/compare.py`` and the pair handout.

API
===

``compare(a, b) -> Comparison``
    Two :class:`~cot_viewer.transcript.Transcript` objects → the lined-up table
    (:class:`RunFigures` of each, whether the final answers agree by value) and the phases
    aligned by kind (:class:`AlignedPhase`).  Every figure is read from
    ``cot_viewer.analysis.analyze()`` of the transcript, from the transcript itself
    (tokens, thinking time, cost) or from ``analysis.answers`` (normalised answers).
``align_phases(a_phases, b_phases) -> [AlignedPhase]``
    definition ↔ definition, bloom ↔ bloom, reconstruction n ↔ reconstruction n, final ↔
    final; a phase without a counterpart is paired with None (a gap).
``Comparison.rows()`` / ``.to_dict()``
    the table as ``(measure, run A, run B)`` text rows, or as the ``--json`` document.
``render_text(comparison, a, b)``, ``handout.render_pair(a, b, fmt)``
    the plain-text table with both answers, and the Markdown / HTML handout of a pair.
"""

from __future__ import annotations

from cot_viewer.compare.align import AlignedPhase, align_phases, counterpart
from cot_viewer.compare.table import Comparison, Row, RunFigures, compare, figures_of

__all__ = ["AlignedPhase", "Comparison", "Row", "RunFigures", "align_phases", "compare", "counterpart", "figures_of"]
