"""cot-viewer: watch a reasoning model think, side by side with its answer."""

__version__ = "0.1.0"
