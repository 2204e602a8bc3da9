"""A real HTTP server on 127.0.0.1 that speaks the providers' wire formats.

Stdlib only: this file is imported by the test suite (``from loopback import ...``) and by
the benchmarks (which add ``tests/`` to ``sys.path``), and run as a subprocess::

    python tests/loopback.py --port 0 --format deepseek --synthetic-reasoning-tokens 60000

which prints exactly one line, ``http://127.0.0.1:PORT/v1``, once it is ready, serves the
same pre-encoded stream to every request and exits on SIGTERM/SIGINT.

See /work/shared/reference/wire-formats.md for what each provider sends; every builder
below returns chunk dicts shaped exactly like that provider's ``data:`` payloads.

Pieces
------
* :class:`LoopbackServer` -- the server (context manager). ``enqueue(Reply, ...)``.
* :class:`Reply` -- status, headers, body parts: ``bytes`` | ``float`` (sleep) | ``DROP`` |
  ``RESET`` | ``STALL``.
* :func:`sse` -- chunk dicts -> SSE bytes, with every framing variation.
* ``*_chunks`` -- provider streams as lists of chunk dicts.
* :func:`stream_reply`, :func:`error_reply`, :func:`json_reply` -- ready-made replies.
"""

from __future__ import annotations

import argparse
import json
import random
import select
import signal
import socket
import struct
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Sequence

__all__ = [
    "DROP",
    "RESET",
    "STALL",
    "Reply",
    "Request",
    "LoopbackServer",
    "sse",
    "sse_events",
    "split_every",
    "split_at",
    "split_utf8_midchar",
    "split_random",
    "with_delays",
    "token_split",
    "deepseek_chunks",
    "vllm_chunks",
    "sglang_chunks",
    "llamacpp_chunks",
    "openrouter_chunks",
    "ollama_chunks",
    "inline_think_chunks",
    "qwen3_no_thinking_chunks",
    "groq_chunks",
    "azure_prefilter_chunk",
    "error_chunk",
    "multi_choice_chunks",
    "tool_call_chunks",
    "deepseek_completion",
    "deepseek_balance",
    "stream_reply",
    "error_reply",
    "json_reply",
    "ERROR_DEFAULTS",
    "FORMATS",
    "synthetic_reasoning",
    "synthetic_answer",
    "HOSTILE",
    "hostile_chunks",
    "main",
]


# --------------------------------------------------------------------------------------
# Body part sentinels
# --------------------------------------------------------------------------------------


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: Close the connection abruptly, mid-response (chunked: an incomplete chunked read).
DROP = _Sentinel("DROP")
#: Close with a TCP RST (SO_LINGER 0): the client sees "connection reset by peer".
RESET = _Sentinel("RESET")
#: Send nothing more until the client goes away or the server stops (idle-timeout tests).
STALL = _Sentinel("STALL")

#: Size of one chunked frame / one socket write for big ``bytes`` parts.
WRITE_BLOCK = 64 * 1024

Part = bytes | float | int | str | _Sentinel


@dataclass
class Reply:
    """One HTTP response.

    ``body`` is a list of parts, served in order:

    * ``bytes`` (or ``str``, UTF-8 encoded): written and flushed at once (big parts are
      written in 64 KiB blocks -- one chunked frame each);
    * ``float``/``int``: sleep that many seconds (interrupted when the server stops);
    * ``DROP``: shut the socket down without finishing the response;
    * ``RESET``: close the socket with an RST;
    * ``STALL``: send nothing until the client disconnects or the server stops.

    ``chunked=True`` (default): ``Transfer-Encoding: chunked``, so a DROP is detectable.
    ``chunked=False``: ``Connection: close`` and no length (the body ends when the socket
    closes -- a DROP is then indistinguishable from a clean end, as with real proxies),
    unless ``content_length=True``, which sends the total length of the ``bytes`` parts
    (a DROP then is an incomplete read again).
    ``content_type=None`` picks ``text/event-stream`` for 2xx and ``application/json``
    otherwise; a ``Content-Type`` in ``headers`` wins.
    ``delay`` is waited *before* the status line (a float, or ``STALL``).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: list[Part] = field(default_factory=list)
    chunked: bool = True
    content_type: str | None = None
    content_length: bool = False
    delay: float | _Sentinel = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.body, (bytes, bytearray, str)):
            self.body = [self.body]
        else:
            self.body = list(self.body)


@dataclass
class Request:
    """A request as the server received it. ``headers`` keys are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or None
    raw: bytes = b""
    t_start: float = 0.0
    t_end: float | None = None
    #: "complete", "dropped", "reset", "client_gone", "stopped" (server stopped mid-reply)
    outcome: str | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def json(self) -> Any:
        return self.body


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------


class _ClientGone(Exception):
    pass


class _Stopped(Exception):
    pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    loopback: "LoopbackServer"

    def handle_error(self, request, client_address) -> None:  # noqa: D401
        # Connection errors are expected here (clients cancel, we DROP); stay quiet.
        exc = sys.exc_info()[1]
        if isinstance(exc, (OSError, ValueError, _ClientGone, _Stopped)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    server_version = "loopback/1"

    def version_string(self) -> str:
        return self.server_version

    # -- plumbing ------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.server.loopback._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except (OSError, ValueError):
            pass
        finally:
            self.server.loopback._track(self.connection, add=False)

    def handle(self) -> None:
        try:
            super().handle()
        except (OSError, ValueError, _ClientGone, _Stopped):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.loopback.verbose:
            sys.stderr.write("loopback: " + (format % args) + "\n")

    # -- routing -------------------------------------------------------------------
    def _read_body(self) -> bytes:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = bytearray()
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline(65537)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _record(self) -> Request:
        raw = self._read_body()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        req = Request(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            raw=raw,
            t_start=time.monotonic(),
        )
        self.server.loopback._record(req)
        return req

    def _route(self) -> None:
        lb = self.server.loopback
        req = self._record()
        path = self.path.split("?", 1)[0].rstrip("/")
        try:
            if self.command == "POST" and path in ("/v1/chat/completions", "/chat/completions"):
                reply = lb._next_reply()
            elif self.command == "GET" and path in ("/v1/models", "/models"):
                reply = lb._models_reply()
            elif self.command == "GET" and path == "/user/balance":
                reply = lb._account_reply(lb.balance)
            elif self.command == "GET" and path in ("/v1/credits", "/api/v1/credits", "/credits"):
                reply = lb._account_reply(lb.credits)
            else:
                reply = error_reply(404, f"loopback: no route for {self.command} {self.path}",
                                    type_="invalid_request_error", code="not_found")
            req.outcome = self._serve(reply)
        except _ClientGone:
            req.outcome = "client_gone"
            self.close_connection = True
        except _Stopped:
            req.outcome = "stopped"
            self.close_connection = True
            self._abort()
        except (OSError, ValueError):
            req.outcome = "client_gone"
            self.close_connection = True
        finally:
            req.t_end = time.monotonic()
            req.done.set()

    do_POST = _route
    do_GET = _route
    do_PUT = _route
    do_DELETE = _route
    do_PATCH = _route

    # -- serving -------------------------------------------------------------------
    def _sleep(self, seconds: float) -> None:
        """Sleep, but notice a client that went away (-> _ClientGone) or a stop (-> _Stopped)."""
        self._wait(time.monotonic() + max(0.0, float(seconds)))

    def _stall(self) -> None:
        """Wait until the client goes away (EOF/error on the socket) or the server stops."""
        self._wait(None)
        raise _Stopped

    def _wait(self, deadline: float | None) -> None:
        stop = self.server.loopback._stop
        sock = self.connection
        while True:
            if stop.is_set():
                raise _Stopped
            left = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
            if left <= 0:
                return
            try:
                readable, _, _ = select.select([sock], [], [], left)
            except (OSError, ValueError):
                raise _ClientGone
            if readable:
                try:
                    data = sock.recv(1, socket.MSG_PEEK)
                except OSError:
                    raise _ClientGone
                if not data:
                    raise _ClientGone
                # The client sent something (a pipelined request?): don't spin on it.
                stop.wait(min(0.05, left))

    def _abort(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()
            self.connection.close()
        except OSError:
            pass

    def _send(self, data: bytes, chunked: bool) -> None:
        w = self.wfile
        mv = memoryview(data)
        for i in range(0, len(mv), WRITE_BLOCK):
            block = mv[i : i + WRITE_BLOCK]
            if chunked:
                w.write(b"%x\r\n" % len(block) + block + b"\r\n")
            else:
                w.write(block)

    def _serve(self, reply: Reply) -> str:
        if isinstance(reply.delay, _Sentinel):
            self._stall()
        elif reply.delay:
            self._sleep(reply.delay)

        parts: list[Part] = [p.encode("utf-8") if isinstance(p, str) else p for p in reply.body]
        chunked = reply.chunked
        self.send_response(reply.status)
        headers = {k.lower(): (k, v) for k, v in reply.headers.items()}
        if "content-type" not in headers:
            ctype = reply.content_type or (
                "text/event-stream" if 200 <= reply.status < 300 else "application/json"
            )
            self.send_header("Content-Type", ctype)
        for k, v in headers.values():
            self.send_header(k, str(v))
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif reply.content_length:
            total = sum(len(p) for p in parts if isinstance(p, (bytes, bytearray)))
            self.send_header("Content-Length", str(total))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        if "cache-control" not in headers and 200 <= reply.status < 300:
            self.send_header("Cache-Control", "no-cache")
        self.end_headers()

        for part in parts:
            if isinstance(part, (bytes, bytearray, memoryview)):
                if part:
                    self._send(bytes(part), chunked)
            elif part is DROP:
                self._abort()
                return "dropped"
            elif part is RESET:
                self._reset()
                return "reset"
            elif part is STALL:
                self._stall()
            elif isinstance(part, (int, float)):
                self._sleep(part)
            else:
                raise TypeError(f"loopback: bad body part {part!r}")
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        return "complete"


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 (port 0 unless given).

    ``base_url`` is ``http://127.0.0.1:PORT/v1``; ``root_url`` has no ``/v1`` (DeepSeek
    style base URL -- ``/chat/completions`` and ``/models`` are served there too).

    ``POST /v1/chat/completions`` serves the next queued reply (:meth:`enqueue`), else
    ``default`` (settable), else a 500 with an error body. ``GET /v1/models`` lists
    ``models`` (a list of ids; or set ``models`` to a :class:`Reply` to serve that).
    ``GET /user/balance`` serves ``balance`` (DeepSeek's shape) and ``GET /v1/credits``
    serves ``credits`` (OpenRouter's); either may be set to a dict or a :class:`Reply`.
    Every request is appended to ``requests`` before it is answered, its JSON body parsed
    (``Request.body``), so a test asserts on exactly what the client sent.
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1", *, verbose: bool = False) -> None:
        self.host = host
        self._port = port
        self.verbose = verbose
        self.requests: list[Request] = []
        self.default: Reply | None = None
        self.models: list[str] | Reply = ["deepseek-reasoner", "deepseek-chat"]
        self.balance: dict | Reply = deepseek_balance()
        self.credits: dict | Reply = {"data": {"total_credits": 100.5, "total_usage": 25.75}}
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._conns: set[socket.socket] = set()
        self._stop = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> "LoopbackServer":
        if self._httpd is not None:
            return self
        self._stop.clear()
        httpd = _HTTPServer((self.host, self._port), _Handler)
        httpd.loopback = self
        self._httpd = httpd
        self._port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
            name=f"loopback:{self._port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd = self._httpd
        if httpd is None:
            return
        self._stop.set()
        httpd.shutdown()
        with self._lock:
            conns = list(self._conns)
        for c in conns:  # unblock handlers waiting on keep-alive connections
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    close = stop

    def __enter__(self) -> "LoopbackServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._port

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    @property
    def url(self) -> str:
        """Full URL of the chat completions endpoint."""
        return self.base_url + "/chat/completions"

    # -- replies ---------------------------------------------------------------------
    def enqueue(self, *replies: Reply | bytes | list) -> "LoopbackServer":
        """Queue replies for ``POST .../chat/completions``, served in order.

        A ``bytes`` is a 200 stream of those bytes; a list of chunk dicts is encoded with
        :func:`sse` (``data: [DONE]`` included)."""
        with self._lock:
            for r in replies:
                self._queue.append(_as_reply(r))
        return self

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def reset(self) -> None:
        """Forget queued replies, the default and recorded requests."""
        with self._lock:
            self._queue.clear()
            self.requests.clear()
            self.default = None

    def _next_reply(self) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.default is not None:
            return _as_reply(self.default)
        return error_reply(500, "loopback: no reply queued", type_="loopback_error",
                           code="no_reply_queued")

    def _models_reply(self) -> Reply:
        if isinstance(self.models, Reply):
            return self.models
        return json_reply(
            {"object": "list",
             "data": [{"id": m, "object": "model", "owned_by": "loopback"} for m in self.models]}
        )

    def _account_reply(self, value: dict | Reply) -> Reply:
        return value if isinstance(value, Reply) else json_reply(value)

    # -- requests --------------------------------------------------------------------
    def _record(self, req: Request) -> None:
        with self._cond:
            self.requests.append(req)
            self._cond.notify_all()

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    @property
    def last_request(self) -> Request:
        return self.requests[-1]

    @property
    def completions(self) -> list[Request]:
        """Only the chat completion requests."""
        return [r for r in self.requests if r.path.split("?")[0].rstrip("/").endswith("/chat/completions")]

    def wait_for_requests(self, n: int = 1, timeout: float = 5.0) -> list[Request]:
        """Block until at least ``n`` requests arrived; raises TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"loopback: {len(self.requests)} of {n} requests arrived")
                self._cond.wait(left)
            return list(self.requests)


def _as_reply(r: Reply | bytes | list) -> Reply:
    if isinstance(r, Reply):
        return r
    if isinstance(r, (bytes, bytearray)):
        return Reply(body=[bytes(r)])
    if isinstance(r, list) and all(isinstance(c, dict) for c in r):
        return stream_reply(r)
    raise TypeError(f"loopback: cannot serve {type(r).__name__}")


# --------------------------------------------------------------------------------------
# SSE encoding and byte splitting
# --------------------------------------------------------------------------------------


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def sse_events(
    chunks: Iterable[dict | str | bytes],
    *,
    done: bool = True,
    crlf: bool = False,
    cr: bool = False,
    comments_every: int = 0,
    comment: str = ": keep-alive",
    leading_comments: int = 0,
    multiline: bool = False,
    final_blank: bool = True,
) -> list[bytes]:
    """Like :func:`sse` but one ``bytes`` per event / comment (for choosing write sizes).

    Items: a dict is JSON-encoded; a ``str`` is a raw data payload (e.g. ``"{broken"``;
    embedded newlines become several ``data:`` lines); a ``bytes`` is inserted verbatim.
    """
    eol = "\r\n" if crlf else ("\r" if cr else "\n")
    out: list[bytes] = []
    comment_b = (comment + eol + eol).encode("utf-8")
    for _ in range(leading_comments):
        out.append(comment_b)

    def data_event(payload: str) -> bytes:
        lines = payload.split("\n")
        return ("".join(f"data: {ln}{eol}" for ln in lines) + eol).encode("utf-8")

    n = 0
    for c in chunks:
        if isinstance(c, (bytes, bytearray)):
            out.append(bytes(c))
            continue
        if isinstance(c, dict):
            payload = json.dumps(c, ensure_ascii=False, indent=1) if multiline else _dumps(c)
        else:
            payload = str(c)
        out.append(data_event(payload))
        n += 1
        if comments_every and n % comments_every == 0:
            out.append(comment_b)
    if done:
        out.append(data_event("[DONE]"))
    if not final_blank and out:
        last = out[-1]
        e = eol.encode()
        if last.endswith(e + e):
            out[-1] = last[: -len(e)]
    return out


def sse(
    chunks: Iterable[dict | str | bytes],
    *,
    done: bool = True,
    crlf: bool = False,
    cr: bool = False,
    comments_every: int = 0,
    comment: str = ": keep-alive",
    split: None | int | Sequence[int] | str | Callable[[bytes], list[bytes]] = None,
    leading_comments: int = 0,
    multiline: bool = False,
    final_blank: bool = True,
) -> bytes | list[bytes]:
    """Encode chunk dicts as SSE: ``data: {json}\\n\\n`` ... ``data: [DONE]\\n\\n``.

    * ``crlf`` / ``cr``: ``\\r\\n`` or bare ``\\r`` line endings.
    * ``comments_every=k``: a ``comment`` line (``: keep-alive``) after every k events;
      ``leading_comments=n``: n of them before the first event.
    * ``multiline``: pretty-print each JSON over several ``data:`` lines.
    * ``final_blank=False``: the last event is not followed by a blank line.
    * ``split``: return ``list[bytes]`` parts instead of bytes -- an int (every n bytes),
      a list of offsets, ``"utf8"`` (inside every multibyte character), ``"random"``,
      or a callable ``bytes -> list[bytes]``.
    """
    data = b"".join(
        sse_events(chunks, done=done, crlf=crlf, cr=cr, comments_every=comments_every,
                   comment=comment, leading_comments=leading_comments, multiline=multiline,
                   final_blank=final_blank)
    )
    if split is None:
        return data
    if isinstance(split, int):
        return split_every(data, split)
    if split == "utf8":
        return split_utf8_midchar(data)
    if split == "random":
        return split_random(data)
    if callable(split):
        return list(split(data))
    return split_at(data, split)  # type: ignore[arg-type]


def split_every(data: bytes, n: int) -> list[bytes]:
    """Cut ``data`` into parts of ``n`` bytes (n=1: one byte per write)."""
    if n <= 0:
        raise ValueError("n must be positive")
    return [data[i : i + n] for i in range(0, len(data), n)]


def split_at(data: bytes, offsets: Iterable[int]) -> list[bytes]:
    """Cut ``data`` at the given byte offsets (any order; out-of-range ignored)."""
    cuts = sorted({o for o in offsets if 0 < o < len(data)})
    out, prev = [], 0
    for c in cuts:
        out.append(data[prev:c])
        prev = c
    out.append(data[prev:])
    return out


def split_utf8_midchar(data: bytes) -> list[bytes]:
    """Cut ``data`` just after the first byte of every multibyte UTF-8 character."""
    offsets = [i + 1 for i, b in enumerate(data) if b >= 0xC0]
    return split_at(data, offsets)


def split_random(data: bytes, *, seed: int = 0, max_size: int = 16) -> list[bytes]:
    """Cut ``data`` into parts of 1..max_size bytes at random (deterministic by seed)."""
    rng = random.Random(seed)
    out, i = [], 0
    while i < len(data):
        n = rng.randint(1, max_size)
        out.append(data[i : i + n])
        i += n
    return out


def with_delays(parts: Iterable[Part], delay: float) -> list[Part]:
    """Interleave ``delay`` (seconds) between parts so the client sees separate reads."""
    out: list[Part] = []
    for p in parts:
        if out:
            out.append(delay)
        out.append(p)
    return out


def token_split(text: str, n_chars: int = 4) -> list[str]:
    """Cut ``text`` into tokens of ``n_chars`` characters (the last may be shorter)."""
    if n_chars <= 0:
        raise ValueError("n_chars must be positive")
    return [text[i : i + n_chars] for i in range(0, len(text), n_chars)]


def _tokens(text: str | Sequence[str], token_chars: int) -> list[str]:
    if isinstance(text, str):
        return token_split(text, token_chars)
    return [t for t in text]


# --------------------------------------------------------------------------------------
# Provider streams
# --------------------------------------------------------------------------------------

CREATED = 1_760_000_000


class _Env:
    """Builds chunks sharing one id/model/created."""

    def __init__(self, model: str, *, id: str = "chatcmpl-loopback", fingerprint: str | None = None,
                 extra: dict | None = None) -> None:
        self.model = model
        self.id = id
        self.fingerprint = fingerprint
        self.extra = extra or {}

    def chunk(self, choices: list[dict], **extra: Any) -> dict:
        d: dict[str, Any] = {"id": self.id, "object": "chat.completion.chunk",
                             "created": CREATED, "model": self.model}
        if self.fingerprint is not None:
            d["system_fingerprint"] = self.fingerprint
        d.update(self.extra)
        d["choices"] = choices
        d.update(extra)
        return d

    def one(self, delta: dict, finish: str | None = None, *, index: int = 0,
            logprobs: bool = True, choice_extra: dict | None = None, **extra: Any) -> dict:
        ch: dict[str, Any] = {"index": index, "delta": delta}
        if logprobs:
            ch["logprobs"] = None
        ch["finish_reason"] = finish
        if choice_extra:
            ch.update(choice_extra)
        return self.chunk([ch], **extra)

    def usage_chunk(self, usage: dict, **extra: Any) -> dict:
        return self.chunk([], usage=usage, **extra)


def _usage_counts(n_reasoning: int, n_answer: int, prompt_tokens: int) -> tuple[int, int, int]:
    completion = n_reasoning + n_answer
    return prompt_tokens, completion, prompt_tokens + completion


def _deepseek_usage(nr: int, na: int, prompt_tokens: int) -> dict:
    p, c, t = _usage_counts(nr, na, prompt_tokens)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": t,
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": nr},
            "prompt_cache_hit_tokens": 0, "prompt_cache_miss_tokens": p}


def _plain_usage(nr: int, na: int, prompt_tokens: int, *, details: bool = False) -> dict:
    p, c, t = _usage_counts(nr, na, prompt_tokens)
    u: dict[str, Any] = {"prompt_tokens": p, "total_tokens": t, "completion_tokens": c}
    if details:
        u["completion_tokens_details"] = {"reasoning_tokens": nr}
    return u


def _pick_usage(usage: bool | dict, default: dict) -> dict | None:
    if usage is True:
        return default
    if isinstance(usage, dict):
        return usage
    return None


def deepseek_chunks(
    reasoning: str | Sequence[str],
    answer: str | Sequence[str],
    *,
    token_chars: int = 4,
    model: str = "deepseek-reasoner",
    usage: bool | dict = True,
    finish_reason: str | None = "stop",
    prompt_tokens: int = 12,
) -> list[dict]:
    """DeepSeek API thinking mode: ``delta.reasoning_content``.

    First chunk ``{"role":"assistant","content":null,"reasoning_content":""}``; reasoning
    chunks ``content: null``; answer chunks ``reasoning_content: null``; the last chunk
    has ``content: ""``, the ``finish_reason`` and the ``usage`` (no separate usage chunk).
    ``finish_reason=None`` ends without a finishing chunk (for truncated streams).
    """
    env = _Env(model, fingerprint="fp_loopback_prod0820")
    r, a = _tokens(reasoning, token_chars), _tokens(answer, token_chars)
    out = [env.one({"role": "assistant", "content": None, "reasoning_content": ""})]
    out += [env.one({"content": None, "reasoning_content": t}) for t in r]
    out += [env.one({"content": t, "reasoning_content": None}) for t in a]
    if finish_reason is not None:
        last = env.one({"content": "", "reasoning_content": None}, finish_reason)
        u = _pick_usage(usage, _deepseek_usage(len(r), len(a), prompt_tokens))
        if u is not None:
            last["usage"] = u
        out.append(last)
    return out


def deepseek_completion(
    reasoning: str,
    answer: str,
    *,
    model: str = "deepseek-reasoner",
    finish_reason: str = "stop",
    token_chars: int = 4,
    prompt_tokens: int = 12,
) -> dict:
    """A non-streaming DeepSeek ``chat.completion`` (``message.reasoning_content``)."""
    nr, na = len(token_split(reasoning, token_chars)), len(token_split(answer, token_chars))
    return {
        "id": "chatcmpl-loopback", "object": "chat.completion", "created": CREATED,
        "model": model, "system_fingerprint": "fp_loopback_prod0820",
        "choices": [{"index": 0,
                     "message": {"role": "assistant", "content": answer,
                                 "reasoning_content": reasoning},
                     "logprobs": None, "finish_reason": finish_reason}],
        "usage": _deepseek_usage(nr, na, prompt_tokens),
    }


def vllm_chunks(
    reasoning: str | Sequence[str],
    answer: str | Sequence[str],
    *,
    field: str = "reasoning",
    usage_chunk: bool = True,
    boundary_delta: bool = False,
    token_chars: int = 4,
    model: str = "Qwen/Qwen3-8B",
    usage: bool | dict = True,
    finish_reason: str | None = "stop",
    prompt_tokens: int = 12,
) -> list[dict]:
    """vLLM with ``--reasoning-parser``.

    ``field``: ``"reasoning"`` (new), ``"reasoning_content"`` (old) or ``"both"`` (the
    rename period: both keys, same text). Deltas carry only the keys that are set
    (vLLM serialises with ``exclude_unset``). ``boundary_delta=True``: one delta carries
    the last reasoning token *and* the first answer token. ``finish_reason`` rides on
    the last token's chunk (``stop_reason: null`` beside it). ``usage_chunk``: a final
    ``"choices": []`` chunk with usage (``stream_options.include_usage``).
    """
    if field not in ("reasoning", "reasoning_content", "both"):
        raise ValueError(field)
    env = _Env(model)
    keys = ["reasoning", "reasoning_content"] if field == "both" else [field]
    r, a = _tokens(reasoning, token_chars), _tokens(answer, token_chars)
    deltas: list[dict] = []
    r_deltas = [{k: t for k in keys} for t in r]
    a_deltas = [{"content": t} for t in a]
    if boundary_delta and r_deltas and a_deltas:
        merged = dict(r_deltas.pop())
        merged.update(a_deltas.pop(0))
        deltas = r_deltas + [merged] + a_deltas
    else:
        deltas = r_deltas + a_deltas
    out = [env.one({"role": "assistant", "content": ""}, choice_extra=None)]
    for i, d in enumerate(deltas):
        last = i == len(deltas) - 1
        fin = finish_reason if last else None
        out.append(env.one(d, fin, choice_extra={"stop_reason": None} if last and fin else None))
    if not deltas and finish_reason is not None:
        out.append(env.one({"content": ""}, finish_reason, choice_extra={"stop_reason": None}))
    if usage_chunk:
        u = _pick_usage(usage, _plain_usage(len(r), len(a), prompt_tokens))
        if u is not None:
            out.append(env.usage_chunk(u))
    return out


def sglang_chunks(reasoning: str | Sequence[str], answer: str | Sequence[str], **kw: Any) -> list[dict]:
    """SGLang: ``delta.reasoning_content``, usage in a ``choices: []`` chunk."""
    kw.setdefault("field", "reasoning_content")
    kw.setdefault("model", "deepseek-ai/DeepSeek-R1")
    return vllm_chunks(reasoning, answer, **kw)


def llamacpp_chunks(reasoning: str | Sequence[str], answer: str | Sequence[str], **kw: Any) -> list[dict]:
    """llama-server with ``--reasoning-format deepseek``: ``delta.reasoning_content``.
    (With ``--reasoning-format none`` use :func:`inline_think_chunks`, with
    ``open_tag=False`` when the template opened the think block.)"""
    kw.setdefault("field", "reasoning_content")
    kw.setdefault("model", "gpt-3.5-turbo")
    return vllm_chunks(reasoning, answer, **kw)


def openrouter_chunks(
    reasoning: str | Sequence[str],
    answer: str | Sequence[str],
    *,
    details: str = "text",
    token_chars: int = 4,
    model: str = "deepseek/deepseek-r1",
    usage: bool | dict = True,
    finish_reason: str | None = "stop",
    prompt_tokens: int = 12,
    provider: str = "DeepSeek",
) -> list[dict]:
    """OpenRouter: ``delta.reasoning`` **and** ``delta.reasoning_details[]`` with the same
    text (``details="text"`` -> ``reasoning.text``; ``"summary"`` -> ``reasoning.summary``;
    ``"none"`` -> no details). ``role`` and ``content: ""`` on every chunk. Usage in a
    ``choices: []`` chunk. Pair with ``sse(..., leading_comments=1,
    comment=": OPENROUTER PROCESSING")`` for the processing comments."""
    env = _Env(model, extra={"provider": provider})
    r, a = _tokens(reasoning, token_chars), _tokens(answer, token_chars)
    out = []
    for t in r:
        d: dict[str, Any] = {"role": "assistant", "content": "", "reasoning": t}
        if details == "text":
            d["reasoning_details"] = [{"type": "reasoning.text", "text": t, "format": "unknown", "index": 0}]
        elif details == "summary":
            d["reasoning_details"] = [{"type": "reasoning.summary", "summary": t, "format": "unknown", "index": 0}]
        out.append(env.one(d, logprobs=False, choice_extra={"native_finish_reason": None}))
    for t in a:
        out.append(env.one({"role": "assistant", "content": t, "reasoning": None}, logprobs=False,
                           choice_extra={"native_finish_reason": None}))
    if finish_reason is not None:
        out.append(env.one({"role": "assistant", "content": ""}, finish_reason, logprobs=False,
                           choice_extra={"native_finish_reason": finish_reason}))
        u = _pick_usage(usage, {**_plain_usage(len(r), len(a), prompt_tokens, details=True),
                                "cost": 0.0001, "is_byok": False,
                                "prompt_tokens_details": {"cached_tokens": 0}})
        if u is not None:
            out.append(env.usage_chunk(u))
    return out


def ollama_chunks(
    reasoning: str | Sequence[str],
    answer: str | Sequence[str],
    *,
    token_chars: int = 4,
    model: str = "qwen3:8b",
    usage: bool | dict = True,
    finish_reason: str | None = "stop",
    prompt_tokens: int = 12,
) -> list[dict]:
    """Ollama ``/v1``: ``delta.reasoning``; ``role`` and ``content: ""`` on every chunk."""
    env = _Env(model, id="chatcmpl-417", fingerprint="fp_ollama")
    r, a = _tokens(reasoning, token_chars), _tokens(answer, token_chars)
    out = [env.one({"role": "assistant", "content": "", "reasoning": t}, logprobs=False) for t in r]
    out += [env.one({"role": "assistant", "content": t}, logprobs=False) for t in a]
    if finish_reason is not None:
        out.append(env.one({"role": "assistant", "content": ""}, finish_reason, logprobs=False))
        u = _pick_usage(usage, _plain_usage(len(r), len(a), prompt_tokens))
        if u is not None:
            out.append(env.usage_chunk(u))
    return out


def _content_stream(env: _Env, tokens: list[str], finish_reason: str | None,
                    usage: dict | None) -> list[dict]:
    out = [env.one({"role": "assistant", "content": ""})]
    out += [env.one({"content": t}) for t in tokens]
    if finish_reason is not None:
        out.append(env.one({}, finish_reason))
        if usage is not None:
            out.append(env.usage_chunk(usage))
    return out


def inline_think_chunks(
    reasoning: str | Sequence[str],
    answer: str | Sequence[str],
    *,
    open_tag: bool = True,
    close_tag: bool = True,
    newline_after: bool = True,
    tags_as_tokens: bool = True,
    token_chars: int = 4,
    model: str = "deepseek-ai/DeepSeek-R1",
    usage: bool | dict = True,
    finish_reason: str | None = "stop",
    prompt_tokens: int = 12,
) -> list[dict]:
    """Reasoning inline in ``content``: ``<think>\\n…\\n</think>\\n\\nanswer`` (Together,
    Fireworks, LM Studio, Azure R1, vLLM/llama.cpp without a parser).

    ``open_tag=False``: llama.cpp ``thinking_forced_open`` -- no ``<think>``, but a
    ``</think>``. ``close_tag=False``: the block never closes (answer ignored).
    ``newline_after=False``: answer right after ``</think>``. ``tags_as_tokens``: tags are
    their own tokens (as real tokenizers emit them); ``False``: the whole content is cut
    every ``token_chars`` characters, so tags split across chunks (``token_chars=1``: one
    character per chunk).
    """
    r, a = _tokens(reasoning, token_chars), _tokens(answer, token_chars)
    toks: list[str] = []
    if open_tag:
        toks += ["<think>", "\n"]
    toks += r
    if close_tag:
        toks += ["\n", "</think>"]
        if newline_after:
            toks.append("\n\n")
        toks += a
    if not tags_as_tokens:
        toks = token_split("".join(toks), token_chars)
    env = _Env(model)
    u = _pick_usage(usage, _plain_usage(len(r), len(a), prompt_tokens))
    return _content_stream(env, toks, finish_reason, u)


def qwen3_no_thinking_chunks(answer: str | Sequence[str], **kw: Any) -> list[dict]:
    """Qwen3 with thinking off: an empty block ``<think>\\n\\n</think>\\n\\n`` then the answer."""
    kw.setdefault("model", "Qwen/Qwen3-8B")
    return inline_think_chunks("", answer, **kw)


def groq_chunks(
    reasoning: str | Sequence[str],
    answer: str | Sequence[str],
    *,
    reasoning_format: str = "parsed",
    token_chars: int = 4,
    model: str = "qwen/qwen3-32b",
    usage: bool | dict = True,
    finish_reason: str | None = "stop",
    prompt_tokens: int = 12,
) -> list[dict]:
    """Groq: ``reasoning_format="parsed"`` -> ``delta.reasoning``; ``"raw"`` -> inline
    ``<think>`` in content; ``"hidden"`` -> answer only. An ``x_groq`` object rides on the
    first chunk (``{"id": ...}``) and on the finishing chunk (with ``usage`` inside it)."""
    env = _Env(model, fingerprint="fp_loopback")
    r, a = _tokens(reasoning, token_chars), _tokens(answer, token_chars)
    xid = {"id": "req_loopback"}
    out = [env.one({"role": "assistant", "content": ""}, x_groq=dict(xid))]
    if reasoning_format == "parsed":
        out += [env.one({"reasoning": t}) for t in r]
        out += [env.one({"content": t}) for t in a]
    elif reasoning_format == "raw":
        toks = ["<think>", "\n", *r, "\n", "</think>", "\n\n", *a]
        out += [env.one({"content": t}) for t in toks]
    elif reasoning_format == "hidden":
        out += [env.one({"content": t}) for t in a]
    else:
        raise ValueError(reasoning_format)
    if finish_reason is not None:
        x = dict(xid)
        u = _pick_usage(usage, {**_plain_usage(len(r), len(a), prompt_tokens),
                                "queue_time": 0.01, "prompt_time": 0.002,
                                "completion_time": 0.1, "total_time": 0.102})
        if u is not None:
            x["usage"] = u
        out.append(env.one({}, finish_reason, x_groq=x))
    return out


def azure_prefilter_chunk() -> dict:
    """Azure's first chunk: ``choices: []`` with ``prompt_filter_results``."""
    safe = {"filtered": False, "severity": "safe"}
    return {
        "choices": [], "created": 0, "id": "", "model": "", "object": "",
        "prompt_filter_results": [{
            "prompt_index": 0,
            "content_filter_results": {"hate": safe, "self_harm": safe, "sexual": safe,
                                       "violence": safe,
                                       "jailbreak": {"filtered": False, "detected": False}},
        }],
    }


def error_chunk(message: str = "Provider returned error", code: int | str = 502, *,
                model: str = "deepseek/deepseek-r1", provider: str = "DeepSeek",
                metadata: dict | None = None) -> dict:
    """OpenRouter-style error inside a 200 stream:
    ``{"error":{...},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}``."""
    err: dict[str, Any] = {"code": code, "message": message}
    if metadata is not None:
        err["metadata"] = metadata
    return {"id": "gen-loopback", "object": "chat.completion.chunk", "created": CREATED,
            "model": model, "provider": provider, "error": err,
            "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error",
                         "native_finish_reason": "error"}]}


def multi_choice_chunks(
    pairs: Sequence[tuple[str | Sequence[str], str | Sequence[str]]] = (
        ("Think A one. Think A two.", "Answer A."),
        ("Reasoning B, longer than A's reasoning.", "Answer B."),
    ),
    *,
    field: str = "reasoning_content",
    token_chars: int = 4,
    model: str = "deepseek-ai/DeepSeek-R1",
    usage: bool | dict = True,
    finish_reason: str | None = "stop",
    prompt_tokens: int = 12,
) -> list[dict]:
    """``n = len(pairs)`` choices, interleaved round-robin, one choice per chunk (vLLM-like
    shape: reasoning in ``field``; finish per choice; usage in a ``choices: []`` chunk)."""
    env = _Env(model)
    streams: list[list[tuple[dict, str | None]]] = []
    nr = na = 0
    for reasoning, answer in pairs:
        r, a = _tokens(reasoning, token_chars), _tokens(answer, token_chars)
        nr += len(r)
        na += len(a)
        s: list[tuple[dict, str | None]] = [({"role": "assistant", "content": ""}, None)]
        s += [({field: t}, None) for t in r]
        s += [({"content": t}, None) for t in a]
        if finish_reason is not None:
            s.append(({}, finish_reason))
        streams.append(s)
    out = []
    for step in range(max(len(s) for s in streams)):
        for idx, s in enumerate(streams):
            if step < len(s):
                delta, fin = s[step]
                out.append(env.one(delta, fin, index=idx))
    u = _pick_usage(usage, _plain_usage(nr, na, prompt_tokens))
    if u is not None and finish_reason is not None:
        out.append(env.usage_chunk(u))
    return out


def tool_call_chunks(
    reasoning: str | Sequence[str],
    name: str = "get_weather",
    arguments: str = '{"city": "Paris"}',
    *,
    content: str = "",
    field: str = "reasoning_content",
    token_chars: int = 4,
    model: str = "deepseek-reasoner",
    usage: bool | dict = True,
    prompt_tokens: int = 12,
) -> list[dict]:
    """Reasoning, then (optionally some ``content``), then a streamed ``tool_calls`` delta
    (first fragment has id/type/name, then argument fragments), ``finish_reason:
    "tool_calls"`` with usage on it (DeepSeek-style)."""
    env = _Env(model, fingerprint="fp_loopback_prod0820")
    r, c = _tokens(reasoning, token_chars), _tokens(content, token_chars)
    first: dict[str, Any] = {"role": "assistant", "content": None}
    if field == "reasoning_content":
        first["reasoning_content"] = ""
    out = [env.one(first)]
    out += [env.one({"content": None, field: t}) for t in r]
    out += [env.one({"content": t}) for t in c]
    out.append(env.one({"tool_calls": [{"index": 0, "id": "call_loopback_0", "type": "function",
                                        "function": {"name": name, "arguments": ""}}]}))
    for frag in token_split(arguments, token_chars) if arguments else []:
        out.append(env.one({"tool_calls": [{"index": 0, "function": {"arguments": frag}}]}))
    last = env.one({"content": ""}, "tool_calls")
    u = _pick_usage(usage, _deepseek_usage(len(r), len(c) + 8, prompt_tokens))
    if u is not None:
        last["usage"] = u
    out.append(last)
    return out


# --------------------------------------------------------------------------------------
# Ready-made replies
# --------------------------------------------------------------------------------------


def stream_reply(
    chunks: Iterable[dict | str | bytes],
    *,
    delay: float = 0.0,
    events_per_write: int | None = None,
    drop_after: int | None = None,
    stall_after: int | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    chunked: bool = True,
    **sse_kw: Any,
) -> Reply:
    """A 200 SSE reply for ``chunks``.

    By default the whole body is one pre-encoded ``bytes`` part (fast: big bodies go out
    in 64 KiB frames). ``delay`` > 0 or ``events_per_write`` cut it into writes of that
    many events (default 1 when ``delay`` is set) with ``delay`` seconds between them.
    ``drop_after=n``: DROP the connection after the n-th data event (no ``[DONE]``).
    ``stall_after=n``: STALL after the n-th data event. Other keywords go to :func:`sse`.
    """
    events = sse_events(chunks, **sse_kw)
    cut_at = drop_after if drop_after is not None else stall_after
    tail: list[Part] = []
    if cut_at is not None:
        kept, n = [], 0
        for e in events:
            if n >= cut_at:
                break
            kept.append(e)
            if e.lstrip(b"\r\n").startswith(b"data:"):
                n += 1
        events = kept
        tail = [DROP if drop_after is not None else STALL]
    if events_per_write is None and not delay:
        body: list[Part] = [b"".join(events)] if events else []
    else:
        k = events_per_write or 1
        groups = [b"".join(events[i : i + k]) for i in range(0, len(events), k)]
        body = with_delays(groups, delay) if delay else list(groups)
    if delay and tail and body:
        body.append(delay)
    return Reply(status=status, headers=dict(headers or {}), body=body + tail, chunked=chunked)


#: DeepSeek's documented errors: status -> (message, type, code).
ERROR_DEFAULTS: dict[int, tuple[str, str, str | None]] = {
    400: ("Invalid request: the request body format is invalid", "invalid_request_error", "invalid_request_error"),
    401: ("Authentication Fails, Your api key: ****abcd is invalid", "authentication_error", "invalid_request_error"),
    402: ("Insufficient Balance", "unknown_error", "invalid_request_error"),
    403: ("Permission denied", "permission_error", "invalid_request_error"),
    404: ("Model Not Exist", "invalid_request_error", "invalid_request_error"),
    422: ("Invalid parameters: temperature must be <= 2", "invalid_request_error", "invalid_request_error"),
    429: ("Rate limit reached for requests", "rate_limit_error", "rate_limit_exceeded"),
    500: ("Internal server error", "server_error", "internal_error"),
    502: ("Bad gateway", "server_error", "bad_gateway"),
    503: ("Server overloaded, please try again later", "server_error", "server_overloaded"),
}


def error_reply(
    status: int,
    message: str | None = None,
    *,
    type_: str | None = None,
    code: str | int | None = ...,  # type: ignore[assignment]
    retry_after: float | int | str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """A JSON error, DeepSeek style: ``{"error":{"message","type","param":null,"code"}}``,
    with ``Content-Length``. Defaults per status come from :data:`ERROR_DEFAULTS`
    (400/401/402/403/404/422/429/500/502/503). ``retry_after`` sets ``Retry-After``."""
    d_msg, d_type, d_code = ERROR_DEFAULTS.get(status, (f"HTTP {status}", "api_error", None))
    body = {"error": {"message": d_msg if message is None else message,
                      "type": d_type if type_ is None else type_,
                      "param": None,
                      "code": d_code if code is ... else code}}
    h = dict(headers or {})
    if retry_after is not None:
        h["Retry-After"] = str(retry_after)
    return json_reply(body, status=status, headers=h)


def deepseek_balance(total: str = "12.34", *, granted: str = "2.00", topped_up: str = "10.34",
                     currency: str = "USD", available: bool = True) -> dict:
    """DeepSeek's ``GET /user/balance`` reply (amounts are strings, as the API sends them)."""
    return {"is_available": available, "balance_infos": [
        {"currency": currency, "total_balance": total, "granted_balance": granted,
         "topped_up_balance": topped_up}]}


def json_reply(obj: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    """A JSON body with ``Content-Length`` (non-streaming completions, /models, errors)."""
    return Reply(status=status, headers=dict(headers or {}), body=[_dumps(obj).encode("utf-8")],
                 chunked=False, content_length=True, content_type="application/json")


# --------------------------------------------------------------------------------------
# Hostile streams: what a broken proxy or a malicious server sends
# --------------------------------------------------------------------------------------


def _raw_delta(body: str, index: str = "0") -> str:
    return '{"id":"x","object":"chat.completion.chunk","choices":[{"index":%s,"delta":%s,"finish_reason":null}]}' % (index, body)


#: name -> data payloads (raw JSON text, sent verbatim) that go *between* a normal stream's
#: reasoning and its answer; see :func:`hostile_chunks`.
HOSTILE: dict[str, list[str]] = {
    # a proxy slicing by UTF-16 units: the two halves of U+1F600 in two events
    "split-surrogate": [_raw_delta('{"content":"smile \\ud83d"}'), _raw_delta('{"content":"\\ude00 done"}')],
    "lone-surrogate": [_raw_delta('{"content":"bad \\udc80 half"}'), _raw_delta('{"reasoning_content":"\\ud800"}')],
    "choices-int": ['{"choices":5}'],
    "delta-str": [_raw_delta('"str"')],
    "index-list": [_raw_delta('{"content":"x"}', index="[1]")],
    "body-list": ['[1,2,3]'],
    "deep-nesting": ['{"choices":' + "[" * 100000 + "]" * 100000 + "}"],
    "finish-object": ['{"choices":[{"index":0,"delta":{},"finish_reason":{"a":1}}]}'],
    "usage-list": ['{"choices":[],"usage":[1,2]}'],
}


def hostile_chunks(name: str, reasoning: str = "Let me think.", answer: str = "The answer is 4.") -> list[dict | str]:
    """A DeepSeek stream with :data:`HOSTILE` ``name`` payloads after the reasoning."""
    chunks: list[dict | str] = list(deepseek_chunks(reasoning, answer))
    cut = next(i for i, c in enumerate(chunks) if isinstance(c, dict) and c["choices"] and c["choices"][0]["delta"].get("content"))
    return chunks[:cut] + list(HOSTILE[name]) + chunks[cut:]


# --------------------------------------------------------------------------------------
# Synthetic R1-like monologue
# --------------------------------------------------------------------------------------

_OPENERS = ["Okay, so", "Wait,", "Hmm,", "Let me think.", "But", "So", "Alternatively,",
            "Actually,", "Let's check:", "Right,", "Hold on,", "Now,", "Then", "Hmm, wait."]
_CLAUSES = [
    "the question is asking for the number of ways to arrange the items",
    "if I square both sides I get $x^2 = 4y + 1$",
    "that doesn't seem right, the sign should be negative",
    "let me recompute the second term more carefully",
    "maybe I should try a smaller case first, say $n = 3$",
    "so the total is 12 + 30 = 42, which matches the earlier estimate",
    "the user probably wants a short answer with a brief justification",
    "I need to double-check the boundary condition at $x = 0$",
    "this is a geometric series with ratio $r = 1/2$",
    "the derivative of $x^2 \\ln x$ is $2x \\ln x + x$",
    "what if the list is empty? Then the function should return zero",
    "I think the loop invariant holds after each iteration",
    "we can rewrite the sum as $\\sum_{k=1}^{n} k^2$",
    "plugging in the numbers gives 3.75, not 4",
    "perhaps there is a simpler approach using symmetry",
    "the edge case with duplicate keys breaks the argument",
    "that means the probability is $1 - (5/6)^4$",
    "so the answer should be about 0.518",
]
_TAILS = ["", "", "", ".", " — let me verify.", ", right?", ", I think.", ". Yes.", "..."]


def synthetic_reasoning(n_tokens: int, *, token_chars: int = 4, seed: int = 0) -> str:
    """An R1-like monologue of exactly ``n_tokens * token_chars`` characters (so
    ``token_split(text, token_chars)`` gives ``n_tokens`` tokens): prose paragraphs full of
    "Wait," and "Hmm," with the occasional ``$x^2$``. Deterministic for a seed."""
    rng = random.Random(seed)
    target = n_tokens * token_chars
    paras: list[str] = []
    size = 0
    while size < target:
        sents = []
        for _ in range(rng.randint(2, 6)):
            s = f"{rng.choice(_OPENERS)} {rng.choice(_CLAUSES)}{rng.choice(_TAILS)}"
            if not s.endswith((".", "?", "!", "…")):
                s += "."
            sents.append(s)
        p = " ".join(sents)
        paras.append(p)
        size += len(p) + 2
    return "\n\n".join(paras)[:target]


def synthetic_answer(seed: int = 0) -> str:
    """A short markdown answer (a paragraph, a list, a code fence)."""
    return ("**Answer:** the probability is about $0.518$.\n\n"
            "- Each roll misses a six with probability $5/6$.\n"
            "- Four independent rolls: $1 - (5/6)^4 \\approx 0.518$.\n\n"
            "```python\nprint(1 - (5/6)**4)\n```\n")


# --------------------------------------------------------------------------------------
# CLI: serve one stream to every request
# --------------------------------------------------------------------------------------

#: ``--format`` name -> builder(reasoning, answer, token_chars=...) -> chunks.
FORMATS: dict[str, Callable[..., list[dict]]] = {
    "deepseek": deepseek_chunks,
    "vllm": vllm_chunks,
    "vllm-reasoning-content": lambda r, a, **k: vllm_chunks(r, a, field="reasoning_content", **k),
    "vllm-both": lambda r, a, **k: vllm_chunks(r, a, field="both", **k),
    "sglang": sglang_chunks,
    "llamacpp": llamacpp_chunks,
    "openrouter": openrouter_chunks,
    "ollama": ollama_chunks,
    "groq": groq_chunks,
    "inline": inline_think_chunks,
    "inline-open": lambda r, a, **k: inline_think_chunks(r, a, open_tag=False, **k),
    "qwen3-nothink": lambda r, a, **k: qwen3_no_thinking_chunks(a, **k),
}


def _build_cli_reply(args: argparse.Namespace) -> Reply:
    if args.error:
        return error_reply(args.error, retry_after=args.retry_after)
    tc = args.tokens
    if args.synthetic_reasoning_tokens is not None:
        reasoning = synthetic_reasoning(args.synthetic_reasoning_tokens, token_chars=tc)
    elif args.reasoning_file:
        with open(args.reasoning_file, encoding="utf-8") as f:
            reasoning = f.read()
    else:
        reasoning = args.reasoning if args.reasoning is not None else synthetic_reasoning(200, token_chars=tc)
    if args.answer_file:
        with open(args.answer_file, encoding="utf-8") as f:
            answer = f.read()
    else:
        answer = args.answer if args.answer is not None else synthetic_answer()
    chunks = FORMATS[args.format](reasoning, answer, token_chars=tc)
    sse_kw: dict[str, Any] = {}
    if args.keepalive:
        sse_kw.update(leading_comments=args.keepalive)
    if args.format == "openrouter":
        sse_kw.update(comment=": OPENROUTER PROCESSING")
    reply = stream_reply(chunks, delay=args.delay_ms / 1000.0, drop_after=args.drop_after, **sse_kw)
    if args.first_delay_ms:
        reply.body.insert(0, args.first_delay_ms / 1000.0)
    return reply


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="loopback.py",
        description="Serve one pre-encoded chat-completions stream to every request.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--format", default="deepseek", choices=sorted(FORMATS))
    p.add_argument("--reasoning-file")
    p.add_argument("--answer-file")
    p.add_argument("--reasoning", help="reasoning text (instead of a file)")
    p.add_argument("--answer", help="answer text (instead of a file)")
    p.add_argument("--synthetic-reasoning-tokens", type=int, metavar="N",
                   help="generate an R1-like monologue of N tokens")
    p.add_argument("--tokens", "--token-chars", dest="tokens", type=int, default=4, metavar="N",
                   help="characters per streamed token (default 4)")
    p.add_argument("--delay-ms", type=float, default=0.0, help="pause between events")
    p.add_argument("--first-delay-ms", type=float, default=0.0,
                   help="pause after the headers, before the first event")
    p.add_argument("--keepalive", type=int, default=0, metavar="N",
                   help="N ': keep-alive' comments before the first event")
    p.add_argument("--drop-after", type=int, default=None, metavar="N",
                   help="drop the connection after N events")
    p.add_argument("--error", type=int, default=None, metavar="STATUS",
                   help="answer every request with this HTTP error instead")
    p.add_argument("--retry-after", default=None)
    p.add_argument("--repeat", action="store_true",
                   help="serve the stream to every request (the default; kept for clarity)")
    p.add_argument("--once", action="store_true",
                   help="serve the stream to the first request only, then 500s")
    p.add_argument("--verbose", action="store_true", help="log requests on stderr")
    args = p.parse_args(argv)

    reply = _build_cli_reply(args)
    server = LoopbackServer(args.port, args.host, verbose=args.verbose)
    if args.once:
        server.enqueue(reply)
    else:
        server.default = reply

    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server.start()
    try:
        sys.stdout.write(server.base_url + "\n")
        sys.stdout.flush()
        while not stop.wait(0.2):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
