"""The colour of each step label, shared by the terminal outline and the HTML handout."""

from __future__ import annotations

LABEL_ORDER = ("Read", "Analyze", "Plan", "Implement", "Explore", "Verify", "Monitor")
#: label → (truecolour, ANSI colour name): hues far enough apart to tell seven labels apart.
LABEL_COLOURS = {
    "Read": ("#5b9bd5", "blue"),
    "Analyze": ("#3fb8af", "cyan"),
    "Plan": ("#b487e0", "magenta"),
    "Implement": ("#6cc04a", "green"),
    "Explore": ("#e0b341", "yellow"),
    "Verify": ("#e8743b", "red"),
    "Monitor": ("#9a9a9a", "bright_black"),
}
