"""The outline of the reasoning: phases and their steps, coloured by label (issue #5).

``OutlineList`` is a Line-API list like the monologue pane: its rows are phase headers and
steps, and only the rows on screen are drawn. Steps are appended as the analyser freezes
them (the open paragraph's provisional steps are replaced, nothing else), phases — a few
hundred at most — are replaced whole when a new snapshot arrives, and a row is found by
bisection over the phase headers. So growing it costs the new steps, never a rebuild.

``OutlinePanel`` adds a header (counts, metrics and the legend of the seven label colours)
above the list and a detail line (the selected entry and its notes) below it. Model text is
drawn from plain strings with Rich styles (control characters made visible as in the
monologue), never parsed as markup.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from cot_viewer.analysis.vocabulary import LABEL_COLOURS, LABELS, phase_name
from cot_viewer.tui.widgets.stream_pane import display_text

NOTE_MARK = "✎"


class LabelPalette:
    """Styles per label for one theme.

    ``tag``: the label's colour as foreground (outline, legend). ``span``: the monologue's
    tint — a subtle background blended into the theme's background, or, in the ANSI theme
    (whose background is the terminal's own, unknown), the ANSI colour as foreground.
    ``banner``: the label's colour reversed (the step-through banner).
    """

    def __init__(self, ansi: bool, background: str | None = None) -> None:
        self.ansi = ansi
        bg = None
        if not ansi and background:
            try:
                bg = Color.parse(background)
            except Exception:  # noqa: BLE001 - a theme variable we cannot parse
                bg = None
        self.tag: dict[str, Style] = {}
        self.span: dict[str, Style] = {}
        self.banner: dict[str, Style] = {}
        for label, (rgb, name) in LABEL_COLOURS.items():
            colour = name if ansi or bg is None else rgb
            self.tag[label] = Style(color=colour)
            self.banner[label] = Style(color=colour, reverse=True, bold=True)
            if bg is None:
                self.span[label] = Style(color=name if ansi else rgb)
            else:
                self.span[label] = Style(bgcolor=Color.parse(rgb).blend(bg, 0.78).hex)

    @classmethod
    def for_app(cls, app) -> "LabelPalette":
        try:
            ansi = bool(app.native_ansi_color)
            background = app.get_css_variables().get("background")
        except Exception:  # noqa: BLE001 - not running
            ansi, background = False, "#121212"
        if background and background.startswith("ansi"):
            ansi = True
        return cls(ansi, background)


def snippet(text: str, n: int) -> str:
    """One line of at most ``n`` characters, control characters made visible."""
    one = " ".join(display_text(text).split())
    return one if len(one) <= n else one[: max(0, n - 1)] + "…"


class OutlineList(ScrollView, can_focus=True):
    """Phase headers and steps; see the module docstring."""

    COMPONENT_CLASSES = {"outline--phase", "outline--cursor", "outline--number", "outline--note", "outline--text"}
    DEFAULT_CSS = """
    OutlineList { overflow-x: hidden; overflow-y: auto; scrollbar-gutter: stable; height: 1fr; }
    OutlineList > .outline--phase { text-style: bold; color: $text; background: $panel; }
    OutlineList > .outline--cursor { background: $accent 25%; }
    OutlineList:focus > .outline--cursor { background: $accent 55%; }
    OutlineList > .outline--number { color: $text-muted; }
    OutlineList > .outline--note { color: $text-warning; text-style: bold; }
    OutlineList > .outline--text { color: $text-muted; }
    """
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(0)", "First", show=False),
        Binding("end", "edge(1)", "Last", show=False),
        Binding("enter", "select", "Go to step", show=False),
    ]

    class Selected(Message):
        """Enter or a click on an entry: ``step`` (index) or ``phase`` (index) is set."""

        def __init__(self, step: int | None, phase: int | None) -> None:
            super().__init__()
            self.step = step
            self.phase = phase

    class Moved(Message):
        """The cursor moved (the detail line follows it)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.steps: list = []  # analysis Steps, index == position
        self.phases: list = []
        self.limit: int | None = None  # step-through: show only the first `limit` steps
        self.notes: dict[int, list[str]] = {}
        self.text_of: Callable[[int, int], str] = lambda s, e: ""
        self.palette = LabelPalette(False, "#121212")
        self.cursor = 0
        self.follow = True  # keep the last row in view while it grows (until the reader moves)
        self._firsts: list[int] = []  # first step of each shown phase
        self._headers: list[int] = []  # row of each shown phase header
        self._rows = 0
        self._strips: dict[int, Strip] = {}
        self._styles: dict[str, Style] | None = None

    # -- model -----------------------------------------------------------------------------
    @property
    def shown(self) -> int:
        """Steps shown (all of them, or the first ``limit`` in step-through)."""
        n = len(self.steps)
        return n if self.limit is None else min(n, self.limit)

    def set_steps_from(self, first: int, steps: Sequence) -> None:
        """Steps from index ``first`` on are replaced by ``steps`` (earlier ones are frozen)."""
        del self.steps[first:]
        self.steps.extend(steps)
        self._changed()

    def set_analysis(self, steps: Sequence, phases: Sequence) -> None:
        self.steps = list(steps)
        self.phases = list(phases)
        self._changed()

    def set_phases(self, phases: Sequence) -> None:
        self.phases = list(phases)
        self._changed()

    def set_limit(self, limit: int | None) -> None:
        self.limit = limit
        self._changed()

    def clear(self) -> None:
        self.steps, self.phases, self.limit = [], [], None
        self.cursor = 0
        self.follow = True
        self._changed()
        self.scroll_to(y=0, animate=False, immediate=True)

    @property
    def phases_shown(self) -> int:
        """Phase headers shown (those that start within the shown steps)."""
        return len(self._headers)

    def redraw(self) -> None:
        """Draw every row again (the notes or the palette changed)."""
        self._strips.clear()
        self.refresh()

    def _changed(self) -> None:
        n = self.shown
        firsts, headers = [], []
        for k, ph in enumerate(self.phases):
            if ph.first_step >= n:
                break
            firsts.append(ph.first_step)
            headers.append(ph.first_step + len(headers))
        self._firsts, self._headers = firsts, headers
        self._rows = n + len(headers)
        self.cursor = max(0, min(self.cursor, self._rows - 1))
        self._strips.clear()
        width = self.scrollable_content_region.width if self.is_mounted else 40
        if self.virtual_size.height != self._rows:
            self.virtual_size = Size(width, self._rows)
        if self.follow and self.is_mounted:
            self.call_after_refresh(self._follow_tail)
        self.refresh()

    def _follow_tail(self) -> None:
        if self.follow:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def row_of_step(self, i: int) -> int:
        return i + bisect_right(self._firsts, i)

    def row_of_phase(self, k: int) -> int:
        return self._headers[k] if k < len(self._headers) else 0

    def entry(self, row: int) -> tuple[str, int] | None:
        """("phase", index) or ("step", index) for a row."""
        if not 0 <= row < self._rows:
            return None
        k = bisect_right(self._headers, row) - 1
        if k >= 0 and self._headers[k] == row:
            return "phase", k
        return "step", row - (k + 1)

    def phase_of_step(self, i: int) -> int | None:
        k = bisect_right(self._firsts, i) - 1
        return k if k >= 0 else None

    def cursor_step(self) -> int | None:
        """The step under the cursor (a phase header: its first step)."""
        e = self.entry(self.cursor)
        if e is None:
            return None
        kind, i = e
        return self.phases[i].first_step if kind == "phase" else i

    def move_to_step(self, i: int) -> None:
        self.follow = False
        self.cursor = self.row_of_step(i)
        self._strips.clear()
        self.scroll_to_region_row(self.cursor)
        self.refresh()
        self.post_message(self.Moved())

    def scroll_to_region_row(self, row: int) -> None:
        h = self.scrollable_content_region.height or 1
        y = self.scroll_offset.y
        if row < y:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= y + h:
            self.scroll_to(y=row - h + 1, animate=False, immediate=True)

    # -- keys and mouse --------------------------------------------------------------------
    def _set_cursor(self, row: int) -> None:
        row = max(0, min(row, self._rows - 1))
        self.follow = row >= self._rows - 1 and self.scroll_offset.y >= self.max_scroll_y
        if row != self.cursor:
            self.cursor = row
            self._strips.clear()
            self.refresh()
            self.post_message(self.Moved())
        self.scroll_to_region_row(row)

    def action_move(self, d: int) -> None:
        self._set_cursor(self.cursor + d)

    def action_page(self, d: int) -> None:
        self._set_cursor(self.cursor + d * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, end: int) -> None:
        self._set_cursor(self._rows - 1 if end else 0)

    def action_select(self) -> None:
        e = self.entry(self.cursor)
        if e is not None:
            kind, i = e
            self.post_message(self.Selected(i if kind == "step" else None, i if kind == "phase" else None))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        self._set_cursor(int(self.scroll_offset.y) + offset.y)
        self.action_select()

    # -- drawing ---------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    def _own_styles(self) -> dict[str, Style]:
        if self._styles is None:
            self._styles = {
                n.removeprefix("outline--"): self.get_component_rich_style(n, partial=True)
                for n in self.COMPONENT_CLASSES
            }
            self._styles["_base"] = self.rich_style
        return self._styles

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = int(self.scroll_offset.y) + y
        st = self._own_styles()
        base = st["_base"]
        if row >= self._rows:
            return Strip.blank(width, base)
        strip = self._strips.get(row)
        if strip is None or strip.cell_length != width:
            strip = self._render_row(row, width, st)
            if len(self._strips) > 500:
                self._strips.clear()
            self._strips[row] = strip
        return strip

    def _render_row(self, row: int, width: int, st: dict[str, Style]) -> Strip:
        base = st["_base"]
        kind, i = self.entry(row)
        segs: list[Segment]
        if kind == "phase":
            ph = self.phases[i]
            last = self.phase_last(i)
            count = last - ph.first_step + 1
            right = f"{count} step{'s' if count != 1 else ''}"
            if ph.seconds is not None and self.limit is None:
                right += f" · {ph.seconds:.1f} s"
            left = f" {phase_name(ph.kind, ph.number)}"
            pad = max(1, width - len(left) - len(right) - 1)
            segs = [Segment(left + " " * pad + right + " ", st["phase"])]
            line_style = st["phase"]
        else:
            step = self.steps[i]
            mark = NOTE_MARK if i in self.notes else " "
            label = step.label
            head = f"{i + 1:>4}"
            tag = f" {label:<9} "
            room = max(0, width - len(head) - 1 - len(tag))
            body = snippet(self.text_of(step.start, min(step.end, step.start + room * 2 + 8)), room)
            segs = [
                Segment(head, st["number"]),
                Segment(mark, st["note"]),
                Segment(tag, self.palette.tag.get(label, Style())),
                Segment(body, st["text"]),
            ]
            line_style = Style()
        strip = Strip(segs).crop_extend(0, width, base + line_style)
        if row == self.cursor:
            cursor = st["cursor"]
            strip = Strip([Segment(seg.text, (seg.style or Style()) + cursor) for seg in strip], width)
        return strip.apply_style(base)

    def phase_last(self, k: int) -> int:
        """The last shown step of phase ``k`` (the live tail belongs to the last phase)."""
        n = self.shown
        if k + 1 < len(self._firsts):
            return min(self.phases[k].last_step, self._firsts[k + 1] - 1)
        return n - 1


class _Lines(Widget):
    """A fixed-height block of text whose update is a repaint, not a layout."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()

    def render(self) -> Text:
        return self._text

    @property
    def plain(self) -> str:
        return self._text.plain

    def show(self, text: Text) -> None:
        if text.plain != self._text.plain or text.spans != self._text.spans:
            self._text = text
            self.refresh()


class OutlinePanel(Vertical):
    """Header (counts, metrics, legend) · the list · the selected entry and its notes."""

    DEFAULT_CSS = """
    OutlinePanel { width: 44; height: 1fr; border: round $panel-lighten-2; border-title-color: $text-muted; }
    OutlinePanel:focus-within { border: round $accent; border-title-color: $text; }
    OutlinePanel > #outline-head { height: 5; padding: 0 1; text-wrap: nowrap; }
    OutlinePanel > #outline-detail { height: 3; padding: 0 1; background: $panel; }
    """

    def compose(self) -> ComposeResult:
        yield _Lines(id="outline-head")
        yield OutlineList(id="outline-list")
        yield _Lines(id="outline-detail")

    def on_mount(self) -> None:
        self.border_title = "Outline"

    @property
    def list(self) -> OutlineList:
        return self.query_one(OutlineList)

    @property
    def head(self) -> _Lines:
        return self.query_one("#outline-head", _Lines)

    @property
    def detail(self) -> _Lines:
        return self.query_one("#outline-detail", _Lines)

    def show_head(self, metrics, *, live: bool, stepping: bool) -> None:
        """Counts per label (the legend), steps per phase, and the metrics when known."""
        lst = self.list
        n = lst.shown
        counts = dict.fromkeys(LABELS, 0)
        for s in lst.steps[:n]:
            counts[s.label] = counts.get(s.label, 0) + 1
        phases = lst.phases_shown
        width = max(20, self.head.content_region.width or 40)
        first = Text()
        first.append(f"{n:,} step{'s' if n != 1 else ''} · {phases} phase{'s' if phases != 1 else ''}", "bold")
        if live:
            first.append(" · live, provisional")
        elif stepping:
            first.append(" · step-through")
        elif metrics is not None and metrics.first_answer_at is not None:
            first.append(f" · answer at {metrics.first_answer_at * 100:.0f}%")
        second = Text()
        if metrics is not None and not stepping:
            second.append(f"pivots {metrics.pivots} · verify episodes {metrics.verify_episodes} · cycles {len(metrics.cycles)}")
            if live and metrics.first_answer_at is not None:
                second.append(f" · answer at {metrics.first_answer_at * 100:.0f}%")
        elif stepping:
            second.append("metrics hidden until the end", "italic")
        lines = [first, second]
        # the legend: the seven label colours with their counts, wrapped by hand
        used = 0
        for label in LABELS:
            item = f"{label} {counts.get(label, 0):,}"
            need = len(item) + 2
            if used == 0 or used + 2 + need > width:
                lines.append(Text())
                used = 0
            else:
                lines[-1].append("  ")
                used += 2
            lines[-1].append("■ ", lst.palette.tag[label])
            lines[-1].append(item)
            used += need
        # one row per line, cut to the width (a wrapped metrics line pushed the legend's last
        # row out of the block); the block grows when the legend needs more rows
        for line in lines:
            line.truncate(width, overflow="ellipsis")
        if self.head.styles.height is None or self.head.styles.height.value != len(lines):
            self.head.styles.height = len(lines)
        self.head.show(Text("\n", no_wrap=True).join(lines))

    def show_detail(self, text_of: Callable[[int, int], str]) -> None:
        lst = self.list
        e = lst.entry(lst.cursor)
        t = Text(no_wrap=False, overflow="ellipsis")
        if e is None:
            t.append("Enter goes to a step · m adds a note", "italic")
        elif e[0] == "phase":
            ph = lst.phases[e[1]]
            t.append(phase_name(ph.kind, ph.number), "bold")
            t.append(f" · steps {ph.first_step + 1}–{lst.phase_last(e[1]) + 1}")
        else:
            i = e[1]
            step = lst.steps[i]
            t.append(f"Step {i + 1} ", "bold")
            t.append(step.label, lst.palette.tag.get(step.label, Style()))
            k = lst.phase_of_step(i)
            if k is not None:
                ph = lst.phases[k]
                t.append(f" · {phase_name(ph.kind, ph.number)}")
            for note in lst.notes.get(i, ()):
                t.append(f"\n{NOTE_MARK} ", "bold")
                t.append(snippet(note, 200))
        self.detail.show(t)
