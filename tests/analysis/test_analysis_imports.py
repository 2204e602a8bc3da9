"""The analysis package imports its parts on first use: the TUI reads a child's results with
the result types alone, without paying for the labeller's rules (~60 ms of regexes)."""

from __future__ import annotations

import json
import subprocess
import sys


def _modules_after(code: str) -> list[str]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('cot_viewer'))))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


def test_the_result_types_come_without_the_rules():
    mods = _modules_after("from cot_viewer.analysis.model import Analysis, Step, LABELS\n"
                          "from cot_viewer.analysis import Phase, Metrics, PHASE_KINDS")
    assert "cot_viewer.analysis.model" in mods
    assert not {"cot_viewer.analysis.labels", "cot_viewer.analysis.core", "cot_viewer.analysis.metrics"} & set(mods)


def test_the_package_names_are_the_functions_and_classes():
    import cot_viewer.analysis as analysis
    from cot_viewer.analysis import core, labeller, model, segment as segment_fn

    assert analysis.analyze is core.analyze and analysis.IncrementalAnalyzer is core.IncrementalAnalyzer
    assert analysis.label_spans is labeller.label_spans and analysis.LABELS is model.LABELS is labeller.LABELS
    assert callable(segment_fn) and segment_fn is analysis.segment  # the function, not the submodule
    assert set(analysis.__all__) <= set(dir(analysis))
    assert all(getattr(analysis, name) is not None for name in analysis.__all__)
    try:
        analysis.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")
