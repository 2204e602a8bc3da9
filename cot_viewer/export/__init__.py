"""Exports of transcripts: one entry point, :func:`render`, and the registry of formats.

``render(transcripts, fmt, outline=True)`` is what ``cot-viewer history export`` and the
home screen's ``x`` key call, so both write the same file.  With ``outline`` the handout
formats add the analysis' sections after the answer: the steps by phase with their labels,
the metrics, the label transitions and the teacher's notes (``outline.py``).

Adding a format: a module here with ``render(transcripts, *, sections=None) -> str`` (see
``markdown.py``; ``sections`` is ``None`` or a :data:`sections.SectionHook`, which a format
without room for them ignores, as JSON does), and one
:class:`Format` line in ``FORMATS``.  The command line's ``--format`` choices and the file
suffix come from the registry.  This module imports nothing heavy (not even dataclasses or
typing: the CLI reads the registry at start-up); the renderers are imported on use.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

TYPE_CHECKING = False  # typing is not imported: the CLI's parser reads FORMATS at start-up
if TYPE_CHECKING:
    from cot_viewer.transcript import Transcript

__all__ = ["Format", "FORMATS", "render"]


class Format:
    """An export format: ``name`` (the --format value), ``suffix`` (the file name's
    extension), ``module`` (``cot_viewer.export.<module>`` holds its ``render``),
    ``title`` (the home screen's button), ``description`` (for --help)."""

    __slots__ = ("name", "suffix", "module", "title", "description")

    def __init__(self, name: str, suffix: str, module: str, title: str, description: str) -> None:
        self.name, self.suffix, self.module, self.title, self.description = name, suffix, module, title, description

    def __repr__(self) -> str:
        return f"Format({self.name!r}, {self.suffix!r}, {self.module!r}, {self.title!r}, {self.description!r})"


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("md", "md", "markdown", "Markdown", "a Markdown handout"),
    Format("html", "html", "html", "HTML", "a self-contained web page"),
    Format("json", "json", "transcript_json", "JSON", "the exchange format (`history import` reads it back)"),
)}


def render(transcripts: Sequence[Transcript] | Transcript, fmt: str, *, outline: bool = True) -> str:
    """``transcripts`` (one or several) in the format ``fmt`` (a key of ``FORMATS``); for a
    handout format with ``outline``, the analysis' sections after each answer."""
    from cot_viewer.transcript import Transcript

    try:
        spec = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})") from None
    if isinstance(transcripts, Transcript):
        transcripts = [transcripts]
    module = importlib.import_module(f"{__name__}.{spec.module}")
    sections = None
    if outline:
        from cot_viewer.export.outline import outline_sections as sections
    return module.render(list(transcripts), sections=sections)
