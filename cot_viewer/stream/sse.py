"""Server-sent events: bytes in, ``(event, data)`` pairs out.

Incremental and tolerant: reads may split lines, CRLF pairs and UTF-8 characters
anywhere; ``\\n``, ``\\r\\n`` and bare ``\\r`` all end a line; several ``data:`` lines
make one multi-line event; comment lines (``: keep-alive``) are skipped. Unlike the
spec (and like a user would want), an event cut off by the end of the stream without
its blank line is still delivered by :meth:`SSEParser.close`.

Linear in the input however it is cut: reads that end no line are only collected, and
joined once the line ends. A line, or an event, longer than :data:`MAX_EVENT_BYTES`
raises :class:`EventTooLong` (a hostile server could otherwise grow memory without bound).
"""

from __future__ import annotations

MAX_EVENT_BYTES = 16 * 1024 * 1024  # a real chunk is a few hundred bytes


class EventTooLong(ValueError):
    """A line or an event passed :data:`MAX_EVENT_BYTES`."""


class SSEParser:
    __slots__ = ("_buf", "_data", "_event", "_parts", "_size", "_data_size", "max_bytes")

    def __init__(self, max_bytes: int = MAX_EVENT_BYTES) -> None:
        self._buf = b""
        self._data: list[bytes] = []
        self._event = ""
        self._parts: list[bytes] = []  # reads of a line not yet ended
        self._size = 0  # bytes in _buf and _parts
        self._data_size = 0  # bytes in _data
        self.max_bytes = max_bytes

    def feed(self, chunk: bytes) -> list[tuple[str, str]]:
        """Parse the next bytes; return the events they completed."""
        if b"\n" not in chunk and b"\r" not in chunk:
            self._size += len(chunk)
            if self._size > self.max_bytes:
                raise EventTooLong(f"a line of the event stream passed {self.max_bytes // 2**20} MiB")
            self._parts.append(chunk)
            return []
        if self._parts:
            buf = b"".join([self._buf, *self._parts, chunk])
            self._parts = []
        else:
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
        self._size = len(self._buf)
        if self._size > self.max_bytes:
            raise EventTooLong(f"a line of the event stream passed {self.max_bytes // 2**20} MiB")
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
                self._data_size += len(line)
                if self._data_size > self.max_bytes:
                    raise EventTooLong(f"an event of the stream passed {self.max_bytes // 2**20} MiB")
            elif line.startswith(b"event:"):
                self._event = line[6:].strip().decode("utf-8", "replace")
            # id:, retry: and unknown fields are ignored
        return out

    def _dispatch(self) -> tuple[str, str]:
        data = self._data
        raw = data[0] if len(data) == 1 else b"\n".join(data)
        event = (self._event, raw.decode("utf-8", "replace"))
        self._data = []
        self._data_size = 0
        self._event = ""
        return event

    def close(self) -> list[tuple[str, str]]:
        """The stream ended: deliver an event left without its closing blank line."""
        out = []
        tail = b"".join([self._buf, *self._parts]).rstrip(b"\r")
        self._buf = b""
        self._parts = []
        self._size = 0
        if tail:
            out.extend(self.feed(tail + b"\n"))
        if self._data:
            out.append(self._dispatch())
        return out
