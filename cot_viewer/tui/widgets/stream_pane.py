"""A virtualised pane for long streamed text (the monologue).

Why not Textual's ``Markdown``: a 60,000-token monologue is ~2,500 paragraphs; a widget per
block means laying out thousands of widgets on every append (measured in docs/tui.md). This
pane keeps the text as *source lines* and draws with the Line API:

* appending text touches only the last source line (re-wrapped incrementally from its last
  visual line but one), so a chunk costs the same at token 60,000 as at token 1;
* wrapping is lazy per width: each source line keeps the offsets where its visual lines
  start, computed with ``str.rfind`` (fast, in C) for ASCII and a cell-width walk otherwise;
  a cumulative count maps a screen row to (source line, visual line) by bisection;
* only visible rows are rendered, each into a cached :class:`Strip`;
* Markdown is styled lightly (headings, ``**strong**``, ``*emphasis*``, ``code``, ``$math$``,
  lists, quotes, code fences) from plain strings and Rich ``Style`` objects — markup is never
  parsed, so ``[bold]`` or ``[/]`` in model text is just text;
* every character of the text is shown as exactly one character: control characters become
  visible control pictures (ESC → ``␛``), tabs a space. Screen offsets therefore equal offsets
  into the transcript's text, which is what :meth:`scroll_to_offset`, :meth:`highlight` and
  :meth:`set_labels` (per-span background colours, for the analysis view) rely on.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterable

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

# -- pure text helpers (no Textual) ------------------------------------------------------------

#: One display character per source character: C0/C1 controls → control pictures (or ·).
_DISPLAY = {c: 0x2400 + c for c in range(0x20) if c != 0x0A}
_DISPLAY[0x09] = 0x20  # tab → one space
_DISPLAY[0x7F] = 0x2421  # DEL → ␡
_DISPLAY.update({c: 0xB7 for c in range(0x80, 0xA0)})  # C1 → ·


def display_text(text: str) -> str:
    """``text`` with every control character replaced by one harmless visible character."""
    return text.translate(_DISPLAY)


def wrap_starts(s: str, width: int, first: int = 0, starts: list[int] | None = None) -> list[int]:
    """Offsets where each visual line of ``s`` starts when word-wrapped at ``width`` cells.

    ``starts`` (with ``first`` its last trusted entry) lets a growing line be re-wrapped from
    a known break instead of from the beginning. A space at a break stays at the end of the
    line it ends (it may hang one cell past the edge; it is cropped when drawn).
    Widths are those of the text as drawn (:func:`display_text`: a tab or a control character
    is one visible cell), so the wrap and the drawing agree.
    """
    width = max(1, width)
    s = display_text(s)
    out = starts if starts is not None else [0]
    n = len(s)
    pos = first
    if s.isascii():
        rfind = s.rfind
        while n - pos > width:
            cut = rfind(" ", pos + 1, pos + width + 1)
            pos = cut + 1 if cut > pos else pos + width
            out.append(pos)
        return out
    # cell widths: walk characters
    cell = get_character_cell_size
    while pos < n:
        w = 0
        i = pos
        last_space = -1
        while i < n:
            cw = cell(s[i])
            if w + cw > width:
                break
            if s[i] == " ":
                last_space = i
            w += cw
            i += 1
        if i >= n:
            break
        if i < n and s[i] == " ":
            nxt = i + 1
        elif last_space > pos:
            nxt = last_space + 1
        else:
            nxt = max(i, pos + 1)
        if nxt >= n:
            break
        out.append(nxt)
        pos = nxt
    return out


_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s")
_LIST = re.compile(r"^(\s*)([-*+]|\d{1,3}[.)])\s")
_QUOTE = re.compile(r"^\s{0,3}>")
_INLINE = re.compile(
    r"(?P<strong>\*\*(?=\S)[^*\n]+?\*\*)"
    r"|(?P<code>`[^`\n]+`)"
    r"|(?P<em>(?<![*\w])\*(?=[^*\s])[^*\n]*?[^*\s]\*(?!\*)|(?<![*\w])\*[^*\s]\*(?!\*))"
    r"|(?P<math>\$(?=\S)[^$\n]+?\$)"
)

P, HEADING, LIST, QUOTE, FENCE, CODE = "p", "h", "li", "q", "fence", "code"


def line_kind(line: str, in_fence: bool) -> tuple[str, bool]:
    """The block kind of a source line and whether a code fence is open after it."""
    if _FENCE.match(line):
        return FENCE, not in_fence
    if in_fence:
        return CODE, True
    if _HEADING.match(line):
        return HEADING, False
    if _LIST.match(line):
        return LIST, False
    if _QUOTE.match(line):
        return QUOTE, False
    return P, False


# -- the widget ----------------------------------------------------------------------------


class StreamPane(ScrollView, can_focus=True):
    """Long Markdown-ish text, appended in chunks, drawn lazily. See the module docstring."""

    COMPONENT_CLASSES = {
        "stream-pane--heading",
        "stream-pane--marker",
        "stream-pane--strong",
        "stream-pane--em",
        "stream-pane--code",
        "stream-pane--math",
        "stream-pane--quote",
        "stream-pane--bullet",
        "stream-pane--placeholder",
        "stream-pane--highlight",
    }

    DEFAULT_CSS = """
    StreamPane {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        height: 1fr;
    }
    StreamPane > .stream-pane--heading { color: $accent; text-style: bold; }
    StreamPane > .stream-pane--marker { color: $text-muted; }
    StreamPane > .stream-pane--strong { text-style: bold; }
    StreamPane > .stream-pane--em { text-style: italic; }
    StreamPane > .stream-pane--code { color: $text-warning; }
    StreamPane > .stream-pane--math { color: $text-success; }
    StreamPane > .stream-pane--quote { color: $text-muted; text-style: italic; }
    StreamPane > .stream-pane--bullet { color: $accent; }
    StreamPane > .stream-pane--placeholder { color: $text-muted; text-style: italic; }
    StreamPane > .stream-pane--highlight { background: $warning 40%; }
    """

    BINDINGS = [
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "End", show=False),
    ]

    def __init__(self, text: str = "", *, placeholder: str = "", name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.placeholder = placeholder
        self._lines: list[str] = [""]  # source lines (raw text)
        self._starts: list[int] = [0]  # global char offset of each source line
        self._kinds: list[str] = [P]
        self._fence_before: list[bool] = [False]
        self._length = 0
        self._width = 0  # the width the wraps are for
        self._wraps: list[list[int]] = [[0]]
        self._cum: list[int] = [0, 1]  # cum[i] = visual rows before source line i; cum[-1] = total
        self._styled: dict[int, tuple[int, str, list[tuple[int, int, Style]]]] = {}
        self._strips: dict[tuple[int, int], Strip] = {}
        self._styles: dict[str, Style] | None = None
        self._overlays: list[tuple[int, int, Style]] = []
        self._overlay_reach: list[int] = []  # running max of the overlays' ends (for bisection)
        self._highlight: tuple[int, int] | None = None
        self._size_seen = None
        if text:
            self.set_text(text)

    def action_scroll_end(self) -> None:
        # no animation: jumping 20,000 rows should be one frame, and re-arm following the tail
        self.anchor()

    def action_scroll_home(self) -> None:
        self.release_anchor()
        self.scroll_to(y=0, animate=False, immediate=True)

    # -- public API ------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return "\n".join(self._lines)

    def __len__(self) -> int:
        return self._length

    def clear(self) -> None:
        self.set_text("")

    def set_text(self, text: str) -> None:
        """Replace the whole text (opening a saved transcript)."""
        lines = text.split("\n")
        self._lines = lines
        starts, kinds, fences = [], [], []
        pos = 0
        fence = False
        for line in lines:
            starts.append(pos)
            pos += len(line) + 1
            fences.append(fence)
            kind, fence = line_kind(line, fence)
            kinds.append(kind)
        self._starts, self._kinds, self._fence_before = starts, kinds, fences
        self._length = len(text)
        self._styled.clear()
        self._width = 0  # force a full re-wrap
        self._rewrap_all()

    def append(self, text: str) -> None:
        """Append a chunk: only the last source line (and any new ones) are touched."""
        if not text:
            return
        parts = text.split("\n")
        lines = self._lines
        last = len(lines) - 1
        old_rows = self._cum[-1]
        lines[last] += parts[0]
        self._length += len(text)
        self._relayout_tail(last, grew=True)
        for part in parts[1:]:
            fence_before = self._fence_after(len(lines) - 1)
            self._starts.append(self._starts[-1] + len(lines[-1]) + 1)
            lines.append(part)
            self._fence_before.append(fence_before)
            self._kinds.append(P)
            self._wraps.append([0])
            self._cum.append(self._cum[-1])
            self._relayout_tail(len(lines) - 1, grew=False)
        if self._cum[-1] != old_rows or self.virtual_size.height != self._cum[-1]:
            self._grow(self._cum[-1])
        self._refresh_tail(last)

    def offset_to_row(self, offset: int) -> int:
        """The virtual row showing character ``offset`` of the text."""
        self._ensure_width()
        offset = max(0, min(offset, self._length))
        i = bisect_right(self._starts, offset) - 1
        j = bisect_right(self._wraps[i], offset - self._starts[i]) - 1
        return self._cum[i] + max(0, j)

    def row_to_offset(self, row: int) -> int:
        """Character offset of the first character on virtual row ``row``."""
        self._ensure_width()
        row = max(0, min(row, self._cum[-1] - 1))
        i = bisect_right(self._cum, row) - 1
        i = min(i, len(self._lines) - 1)
        return self._starts[i] + self._wraps[i][row - self._cum[i]]

    def scroll_to_offset(self, offset: int, *, center: bool = True, animate: bool = False) -> None:
        """Scroll so that character ``offset`` is visible (centred by default)."""
        row = self.offset_to_row(offset)
        if center:
            row = max(0, row - self.scrollable_content_region.height // 2)
        self.release_anchor()
        self.scroll_to(y=row, animate=animate, immediate=True)

    def highlight(self, start: int, end: int) -> None:
        """Highlight the span ``[start, end)`` of the text (one at a time)."""
        self._highlight = (start, end)
        self._invalidate_overlays()

    def clear_highlight(self) -> None:
        self._highlight = None
        self._invalidate_overlays()

    def set_labels(self, spans: Iterable[tuple[int, int, str | Style]]) -> None:
        """Background colours for spans ``(start, end, colour)`` — e.g. step labels."""
        out = []
        for s, e, colour in spans:
            style = colour if isinstance(colour, Style) else Style(bgcolor=colour)
            out.append((s, e, style))
        out.sort(key=lambda x: x[0])
        reach: list[int] = []
        m = 0
        for _, e, _ in out:
            m = max(m, e)
            reach.append(m)
        self._overlays, self._overlay_reach = out, reach
        self._invalidate_overlays()

    @property
    def has_labels(self) -> bool:
        """Some spans are tinted (``set_labels``)."""
        return bool(self._overlays)

    def slice(self, start: int, end: int) -> str:
        """``text[start:end]`` without joining the whole text (for outline entries)."""
        start, end = max(0, start), min(end, self._length)
        if end <= start:
            return ""
        starts, lines = self._starts, self._lines
        i = bisect_right(starts, start) - 1
        out: list[str] = []
        pos = start
        while pos < end and i < len(lines):
            a = pos - starts[i]
            piece = lines[i][a:end - starts[i]]
            out.append(piece)
            pos += len(piece)
            if pos < end:
                out.append("\n")
                pos += 1
            i += 1
        return "".join(out)

    # -- layout --------------------------------------------------------------------------------
    def _fence_after(self, i: int) -> bool:
        return line_kind(self._lines[i], self._fence_before[i])[1]

    def _wrap_width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _ensure_width(self) -> None:
        if self._width != self._wrap_width() and self.is_mounted:
            self._rewrap_all()

    def _rewrap_all(self) -> None:
        width = self._wrap_width() if self.is_mounted else max(self._width, 80)
        self._width = width
        wraps = [wrap_starts(line, width) if len(line) > width else [0] for line in self._lines]
        cum = [0]
        total = 0
        for w in wraps:
            total += len(w)
            cum.append(total)
        self._wraps, self._cum = wraps, cum
        self._strips.clear()
        self.virtual_size = Size(width, total)
        self.refresh()

    def _relayout_tail(self, i: int, *, grew: bool) -> None:
        """Re-wrap source line ``i`` (the last one) from its last-but-one visual line."""
        line = self._lines[i]
        self._kinds[i] = line_kind(line, self._fence_before[i])[0]
        old = self._wraps[i]
        if grew and len(old) > 2:
            keep = old[:-2]
            starts = wrap_starts(line, self._width or 80, keep[-1], keep)
        else:
            starts = wrap_starts(line, self._width or 80) if len(line) > (self._width or 80) else [0]
        self._wraps[i] = starts
        self._cum[i + 1] = self._cum[i] + len(starts)
        self._styled.pop(i, None)

    def _grow(self, rows: int) -> None:
        """New virtual height without a screen layout (the pane's size did not change).

        Setting ``virtual_size`` asks the whole screen for a layout (every flush, ~20/s);
        here only the pane's own scroll state is updated. What it mirrors of Textual (pinned
        ``<9`` in pyproject.toml; there is no public call for it):
        ``ScrollView._size_updated`` on a new virtual size — ``_scroll_update`` sets the
        scrollbars' window sizes and clamps the scroll offsets — and the compositor's
        following of an anchored widget: anchored (``anchor()``) and not released by the
        reader, it stays at the bottom. Released and back at the bottom, Textual re-anchors
        it; so "anchored and at the bottom before growing" is the same test, from public API.
        """
        size = Size(self._width, rows)
        if not self.is_mounted or not self.container_size:
            self.virtual_size = size
            return
        follow = self.is_anchored and self.scroll_y >= self.max_scroll_y
        had_bar = self.show_vertical_scrollbar
        self.set_reactive(ScrollView.virtual_size, size)
        self._scroll_update(size)
        if self.show_vertical_scrollbar != had_bar:
            self.refresh(layout=True)
        if follow:
            self.scroll_y = self.scroll_target_y = self.max_scroll_y
        self.refresh()

    def _refresh_tail(self, first_line: int) -> None:
        strips = self._strips
        for key in [k for k in strips if k[0] >= first_line]:
            del strips[key]
        top = self._cum[first_line]
        scroll_y = int(self.scroll_offset.y)
        height = self.size.height
        if top < scroll_y + height:
            self.refresh()  # the changed rows are (or may be) on screen

    def _invalidate_overlays(self) -> None:
        self._strips.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    def on_resize(self) -> None:
        self._size_seen = self.size
        self._ensure_width()

    # -- drawing -------------------------------------------------------------------------------
    def _pane_styles(self) -> dict[str, Style]:
        if self._styles is None:
            names = [n.removeprefix("stream-pane--") for n in self.COMPONENT_CLASSES]
            self._styles = {
                n: self.get_component_rich_style(f"stream-pane--{n}", partial=True) for n in names
            }
            self._styles["_base"] = self.rich_style
        return self._styles

    def _style_line(self, i: int) -> tuple[str, list[tuple[int, int, Style]]]:
        line = self._lines[i]
        cached = self._styled.get(i)
        if cached is not None and cached[0] == len(line):
            return cached[1], cached[2]
        st = self._pane_styles()
        disp = display_text(line)
        kind = self._kinds[i]
        spans: list[tuple[int, int, Style]] = []
        if kind == FENCE:
            spans.append((0, len(disp), st["marker"]))
        elif kind == CODE:
            spans.append((0, len(disp), st["code"]))
        elif kind == HEADING:
            m = _HEADING.match(line)
            spans.append((0, m.end(1), st["marker"]))
            spans.extend(self._inline(disp, m.end(1), st, st["heading"]))
        else:
            base = Style()
            start = 0
            if kind == LIST:
                m = _LIST.match(line)
                b0, b1 = m.span(2)
                if m.group(2) in "-*+":
                    disp = disp[:b0] + "•" + disp[b1:]
                spans.append((0, b1, st["bullet"]))
                start = b1
            elif kind == QUOTE:
                base = st["quote"]
            spans.extend(self._inline(disp, start, st, base))
        self._styled[i] = (len(line), disp, spans)
        return disp, spans

    @staticmethod
    def _inline(disp: str, start: int, st: dict[str, Style], base: Style) -> list[tuple[int, int, Style]]:
        spans: list[tuple[int, int, Style]] = []
        pos = start
        for m in _INLINE.finditer(disp, start):
            s, e = m.span()
            if s > pos:
                spans.append((pos, s, base))
            kind = m.lastgroup
            if kind in ("strong", "em"):
                k = 2 if kind == "strong" else 1
                marker = st["marker"]
                spans.append((s, s + k, marker))
                spans.append((s + k, e - k, base + st[kind]))
                spans.append((e - k, e, marker))
            else:
                spans.append((s, e, base + st[kind]))
            pos = e
        if pos < len(disp):
            spans.append((pos, len(disp), base))
        return spans

    def _render_row(self, i: int, j: int) -> Strip:
        key = (i, j)
        strip = self._strips.get(key)
        if strip is not None:
            return strip
        disp, spans = self._style_line(i)
        wraps = self._wraps[i]
        a = wraps[j]
        b = wraps[j + 1] if j + 1 < len(wraps) else len(disp)
        segments: list[Segment] = []
        for s, e, style in spans:
            if e <= a or s >= b:
                continue
            segments.append(Segment(disp[max(s, a):min(e, b)], style))
        overlays = self._row_overlays(self._starts[i] + a, self._starts[i] + b)
        selected = self._selection_overlay(i, self._starts[i] + a, self._starts[i] + b)
        if selected is not None:
            overlays = [*overlays, (*selected, self.screen.get_component_rich_style("screen--selection"))]
        if overlays:
            segments = self._apply_overlays(segments, self._starts[i] + a, overlays)
        base = self._pane_styles()["_base"]
        # offsets for Textual's text selection: (character in the source line, source line),
        # so that a selection maps straight back to the text (get_selection)
        strip = Strip(segments).crop_extend(0, self._width, base).apply_style(base).apply_offsets(a, i)
        if len(self._strips) > 4000:
            self._strips.clear()
        self._strips[key] = strip
        return strip

    # -- text selection (drag with the mouse; Ctrl+C or y copies) -----------------------------
    def get_selection(self, selection) -> tuple[str, str] | None:
        return selection.extract(self.text), "\n"

    def selection_updated(self, selection) -> None:
        self._strips.clear()
        self.refresh()

    def _selection_overlay(self, i: int, ga: int, gb: int) -> tuple[int, int] | None:
        """The selected part of source line ``i`` within global offsets [ga, gb), if any."""
        selection = self.text_selection
        if selection is None:
            return None
        span = selection.get_span(i)
        if span is None:
            return None
        start, end = span
        line_start = self._starts[i]
        s = line_start + start
        e = line_start + (len(self._lines[i]) if end == -1 else end)
        return (s, e) if s < gb and e > ga else None

    def _row_overlays(self, ga: int, gb: int) -> list[tuple[int, int, Style]]:
        found = []
        if self._overlays:
            overlays = self._overlays
            # spans before k all end at or before ga (the running max of ends is sorted)
            for k in range(bisect_right(self._overlay_reach, ga), len(overlays)):
                s, e, style = overlays[k]
                if s >= gb:
                    break
                if e > ga:
                    found.append((s, e, style))
        if self._highlight is not None:
            s, e = self._highlight
            if s < gb and e > ga:
                found.append((s, e, self._pane_styles()["highlight"]))
        return found

    @staticmethod
    def _apply_overlays(segments: list[Segment], ga: int, overlays: list[tuple[int, int, Style]]) -> list[Segment]:
        # split segments at overlay boundaries (offsets relative to the row start)
        cuts = set()
        for s, e, _ in overlays:
            cuts.add(s - ga)
            cuts.add(e - ga)
        out: list[Segment] = []
        pos = 0
        for seg in segments:
            text, style = seg.text, seg.style
            seg_start = pos
            pieces = sorted(c - seg_start for c in cuts if seg_start < c < seg_start + len(text))
            prev = 0
            for c in [*pieces, len(text)]:
                piece = text[prev:c]
                if piece:
                    g = ga + seg_start + prev
                    st = style
                    for s, e, ost in overlays:
                        if s <= g < e:
                            st = (st or Style()) + ost
                    out.append(Segment(piece, st))
                prev = c
            pos += len(text)
        return out

    def render_line(self, y: int) -> Strip:
        if self._size_seen != self.size:
            self._size_seen = self.size
            self._ensure_width()
        width = self._width
        styles = self._pane_styles()
        base = styles["_base"]
        row = int(self.scroll_offset.y) + y
        if self._length == 0:
            if y == 0 and self.placeholder:
                strip = Strip([Segment(self.placeholder, styles["placeholder"])])
                return strip.crop_extend(0, width, base).apply_style(base)
            return Strip.blank(width, base)
        if row >= self._cum[-1]:
            return Strip.blank(width, base)
        i = bisect_right(self._cum, row) - 1
        return self._render_row(i, row - self._cum[i])
