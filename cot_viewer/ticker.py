"""A clock for consumers that otherwise act only when the next event comes.

The half-second save and the plain printer's flush must happen while a server sends only
keep-alives, or nothing at all. :class:`Ticker` calls them every ``interval`` seconds on a
daemon thread, holding :attr:`Ticker.lock`; the stream loop holds the same lock while it
applies a batch of events, so the two never touch the transcript at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Ticker:
    def __init__(self, interval: float, *calls: Callable[[], object] | None) -> None:
        self.interval = interval
        self.calls = [c for c in calls if c is not None]
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cot-viewer-ticker", daemon=True)

    def __enter__(self) -> "Ticker":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self.lock:
                if self._stop.is_set():
                    return
                for call in self.calls:
                    try:
                        call()
                    except Exception:  # noqa: BLE001 - a failed tick must not end the stream; the final save reports
                        pass
