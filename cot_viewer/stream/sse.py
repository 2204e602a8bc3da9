"""Server-sent events: bytes in, ``(event, data)`` pairs out.

Incremental and tolerant: reads may split lines, CRLF pairs and UTF-8 characters
anywhere; ``\\n``, ``\\r\\n`` and bare ``\\r`` all end a line; several ``data:`` lines
make one multi-line event; comment lines (``: keep-alive``) are skipped. Unlike the
spec (and like a user would want), an event cut off by the end of the stream without
its blank line is still delivered by :meth:`SSEParser.close`.
"""

from __future__ import annotations


class SSEParser:
    __slots__ = ("_buf", "_data", "_event")

    def __init__(self) -> None:
        self._buf = b""
        self._data: list[bytes] = []
        self._event = ""

    def feed(self, chunk: bytes) -> list[tuple[str, str]]:
        """Parse the next bytes; return the events they completed."""
        buf = self._buf + chunk if self._buf else chunk
        if b"\r" in buf:
            held = b""
            if buf.endswith(b"\r"):  # maybe the first half of a CRLF pair
                buf, held = buf[:-1], b"\r"
            buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            lines = buf.split(b"\n")
            self._buf = lines.pop()
            if held:
                # a held CR ends the pending line; keep it so "\r" + "\n" counts once
                self._buf += held
        else:
            lines = buf.split(b"\n")
            self._buf = lines.pop()
        out: list[tuple[str, str]] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    out.append(self._dispatch())
                    data = self._data
                else:
                    self._event = ""
            elif line[0] == 0x3A:  # ':' comment / keep-alive
                continue
            elif line.startswith(b"data:"):
                data.append(line[6:] if line[5:6] == b" " else line[5:])
            elif line.startswith(b"event:"):
                self._event = line[6:].strip().decode("utf-8", "replace")
            # id:, retry: and unknown fields are ignored
        return out

    def _dispatch(self) -> tuple[str, str]:
        data = self._data
        raw = data[0] if len(data) == 1 else b"\n".join(data)
        event = (self._event, raw.decode("utf-8", "replace"))
        self._data = []
        self._event = ""
        return event

    def close(self) -> list[tuple[str, str]]:
        """The stream ended: deliver an event left without its closing blank line."""
        out = []
        tail = self._buf.rstrip(b"\r")
        self._buf = b""
        if tail:
            out.extend(self.feed(tail + b"\n"))
        if self._data:
            out.append(self._dispatch())
        return out
