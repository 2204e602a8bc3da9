"""The request: auth, retries before the first token, idle timeout, bytes → events.

One sans-IO :class:`_Reader` (SSE parser + separator + clock) under one loop,
:meth:`StreamClient.stream_batches` (every face reaches it through ``cot_viewer.run``, on a
thread of its own). Every failure becomes a :class:`StreamError` event followed by
:class:`StreamEnd`; the loop never raises for expected failures, so consumers keep whatever arrived.

Why httpx and not the ``openai`` SDK for streaming: the SDK's stream reader stops at the
first malformed line, raises on any ``error`` chunk, drops a final event without its
blank line and costs ~0.6 s to import. The small replies (a model list, a balance) go through
:func:`get_small`: a capped size and a limit in time, whatever the server does.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from cot_viewer.stream.events import (
    Event,
    Retrying,
    StreamEnd,
    StreamError,
    StreamWarning,
)
from cot_viewer.stream.endpoint import Endpoint, StreamOptions  # noqa: F401 - re-exported
from cot_viewer import jsonin
from cot_viewer.redact import endpoint_secrets, server_text
from cot_viewer.stream.separator import Separator
from cot_viewer.stream.sse import EventTooLong, SSEParser
from cot_viewer.stream.surrogates import SurrogateJoiner, clean_surrogates, might_hold_surrogates

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 529})
MAX_ERROR_BODY = 64 * 1024  # bytes of an error response read (the message is in the first few hundred)
MAX_JSON_BODY = 32 * 1024 * 1024  # a whole non-streamed completion
_scan = jsonin.DECODER.scan_once  # NaN, Infinity, 1e400: null (cot_viewer/jsonin.py)


def build_body(
    model: str | None, messages: list[dict[str, Any]], max_tokens: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict:
    """The request body; ``extra`` (thinking controls, ``--param``) is merged in last."""
    body: dict[str, Any] = {
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if model:
        body["model"] = model
    if max_tokens:
        body["max_tokens"] = max_tokens
    if extra:
        body.update(extra)
    return body


class _Reader:
    """Bytes in, events out; knows nothing about sockets."""

    __slots__ = ("sse", "sep", "t0", "clock", "done", "error", "surrogates", "_late")

    def __init__(self, t0: float, clock: Callable[[], float]) -> None:
        self.sse = SSEParser()
        self.sep = Separator()
        self.surrogates = SurrogateJoiner()
        self._late: StreamError | None = None  # the --deadline passed
        self.t0 = t0
        self.clock = clock
        self.done = False
        self.error: StreamError | None = None  # an error object received inside the stream

    def feed(self, data: bytes) -> list[Event]:
        t = self.clock() - self.t0
        out: list[Event] = []
        try:
            pairs = self.sse.feed(data)
        except EventTooLong as exc:
            self._fail(StreamError(t, "stream", f"{exc} — not a chat completion stream; stopped reading"), out)
            return out
        for event, payload in pairs:
            self._event(event, payload, t, out)
        return out

    def _fail(self, err: StreamError, out: list[Event]) -> None:
        if self.error is None:
            self.error = err
            out.append(err)
        self.done = True

    def take(self, data: bytes, deadline: float | None) -> tuple[list[Event], bool]:
        """The events of one read of the stream, and whether to stop reading."""
        batch = self.feed(data)
        return batch, self.done or self.past(deadline)

    def past(self, deadline: float | None) -> bool:
        """True (and the stream ended with an error) once ``deadline`` seconds have passed."""
        if deadline is None or self.done:
            return False
        t = self.clock() - self.t0
        if t <= deadline:
            return False
        self._late = StreamError(t, "connection", f"the response took longer than the --deadline of {deadline:g} s — stream ended")
        return True

    def _event(self, event: str, payload: str, t: float, out: list[Event]) -> None:
        if self.done:
            return
        if payload == "[DONE]":
            self.done = True
            return
        try:
            chunk, end = _scan(payload, 0)  # the C scanner: json.loads minus two regex passes
            if end != len(payload) and payload[end:].strip():
                raise ValueError("trailing data")
        except (ValueError, StopIteration, RecursionError):
            out.append(StreamWarning(t, f"skipped a malformed line: {payload[:80]!r}"))
            return
        if self.surrogates.pending or might_hold_surrogates(payload):
            chunk = self.surrogates.fix(chunk)
        if not isinstance(chunk, dict):
            out.append(StreamWarning(t, f"skipped an unexpected line: {payload[:80]!r}"))
            return
        if event == "error" and "error" not in chunk:
            chunk = {"error": chunk}
        sep = self.sep
        sep.feed(chunk, t, out)
        if sep.error is not None and self.error is None:
            # an error inside a 200 stream: stop there (it goes last), keep what arrived
            self.error = sep.error
            out.remove(sep.error)
            out.append(sep.error)
            self.done = True

    def feed_json_body(self, body: bytes, too_big: bool = False) -> list[Event]:
        """A server that ignored ``stream: true`` and sent one JSON completion."""
        t = self.clock() - self.t0
        out: list[Event] = []
        if too_big:
            self._fail(StreamError(t, "stream", f"the server sent a JSON response over {MAX_JSON_BODY // 2**20} MiB; stopped reading"), out)
            return out
        try:
            doc = self.surrogates.fix(jsonin.loads(body))
        except (ValueError, RecursionError):
            doc = None
        if not isinstance(doc, dict):
            out.append(StreamError(t, "stream", "the server sent a response that is not an event stream"))
            return out
        choices = doc.get("choices")
        for ch in choices if isinstance(choices, list) else []:
            if isinstance(ch, dict) and isinstance(ch.get("message"), dict):
                ch = dict(ch, delta=ch["message"])
                doc = dict(doc, choices=[ch])
        self.sep.feed(doc, t, out)
        self.done = True
        return out

    def end(self, error: StreamError | None = None) -> list[Event]:
        t = self.clock() - self.t0
        out: list[Event] = []
        if error is None and self._late is not None:
            error = self._late
        for event, payload in self.sse.close() if self.error is None else ():
            self._event(event, payload, t, out)
        for chunk in self.surrogates.release():  # a high surrogate whose pair never came
            self.sep.feed(chunk, t, out)
        self.sep.finish(t, out)
        if error is not None:
            out.append(error)
        elif self.error is not None:
            pass  # already reported, in its place in the stream
        elif not self.done and not self.sep.finished:
            out.append(
                StreamError(t, "connection", "the stream ended before the model finished (no [DONE])")
            )
        elif not self.done:
            out.append(StreamWarning(t, "the stream closed without [DONE] after the model finished"))
        out.append(StreamEnd(t, self.done))
        return out


class StreamClient:
    """Streams one chat completion from an OpenAI-compatible endpoint as events."""

    def __init__(
        self,
        endpoint: Endpoint,
        options: StreamOptions | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoint = endpoint
        self.options = options or StreamOptions()
        self.clock = clock

    def _http_options(self) -> dict[str, Any]:
        o = self.options
        opts: dict[str, Any] = {
            "timeout": httpx.Timeout(connect=o.connect_timeout, read=o.idle_timeout, write=30.0, pool=30.0),
            "follow_redirects": True,
        }
        if self.endpoint.base_url.lower().startswith("http://"):
            # Plain HTTP (a local server): no TLS, so no CA bundle to load (~25 ms). Redirects
            # are then reported instead of followed, so we never reach https unverified.
            opts.update(verify=False, follow_redirects=False)
        return opts

    # -- sync --------------------------------------------------------------------
    def stream(
        self, messages: list[dict[str, Any]], *, max_tokens: int | None = None
    ) -> Iterator[Event]:
        for batch in self.stream_batches(messages, max_tokens=max_tokens):
            yield from batch

    def stream_batches(
        self, messages: list[dict[str, Any]], *, max_tokens: int | None = None
    ) -> Iterator[list[Event]]:
        """The events of each network read as one list (what :meth:`stream` flattens)."""
        clean = _Scrub(self.endpoint)
        for batch in self._stream_batches(messages, max_tokens=max_tokens):
            yield clean(batch)

    def _stream_batches(
        self, messages: list[dict[str, Any]], *, max_tokens: int | None = None
    ) -> Iterator[list[Event]]:
        t0 = self.clock()
        body = build_body(self.endpoint.model, messages, max_tokens, self.endpoint.body)
        attempt, retry = -1, None
        with httpx.Client(**self._http_options()) as http:
            while attempt < 0 or retry is not None:  # until the request is not retried
                attempt += 1
                if retry is not None:
                    time.sleep(retry.wait)
                    if reader.past(self.options.deadline):
                        yield reader.end()
                        return
                reader = _Reader(t0, self.clock)
                try:
                    with http.stream(
                        "POST", self.endpoint.chat_url, json=body, headers=self.endpoint.headers()
                    ) as resp:
                        kind = _kind(resp)
                        if kind == "stream":
                            for data in resp.iter_bytes():
                                batch, stop = reader.take(data, self.options.deadline)
                                if batch:
                                    yield batch
                                if stop:
                                    break
                        raw = _read_capped(resp.iter_bytes(), _CAPS[kind]) if kind in _CAPS else (b"", False)
                        events, retry = self._settle(kind, resp, raw, reader, attempt, t0)
                except httpx.HTTPError as exc:
                    events, retry = reader.end(transport_error(exc, self.endpoint, self.options, self.clock() - t0)), None
                yield events

    def _settle(self, kind: str, resp: httpx.Response, raw: tuple[bytes, bool], reader: "_Reader", attempt: int,
                t0: float) -> tuple[list[Event], Retrying | None]:
        """How a response ends (``kind`` from :func:`_kind`; ``raw``: its capped body, read
        unless it is a stream or a web page): its last events, or ``[Retrying]`` and the
        Retrying when the request is to be sent again."""
        if kind == "stream":  # read to its end, or stopped
            return reader.end(), None
        if kind == "json":  # a server that ignored ``stream: true``
            return reader.feed_json_body(*raw) + reader.end(), None
        if kind == "html":
            return reader.end(not_a_stream(resp, self.endpoint, self.clock() - t0)), None
        err = http_error(resp.status_code, _body_text(resp, raw[0]), self.endpoint, self.clock() - t0,
                         resp.headers.get("location"))
        retry = self._retry(resp, attempt, err, t0)
        return (reader.end(err), None) if retry is None else ([retry], retry)

    def _retry(self, resp: httpx.Response, attempt: int, err: StreamError, t0: float) -> Retrying | None:
        """A Retrying event if this failed response should be sent again, else None."""
        o = self.options
        if resp.status_code not in RETRY_STATUSES or attempt >= o.max_retries:
            return None
        wait = retry_after(resp.headers.get("retry-after"))
        if wait is None:
            wait = o.backoff * (2**attempt)
        if wait > o.max_retry_wait:
            err.message += f" (the server asks to wait {wait:.0f} s; not waiting that long)"
            return None
        return Retrying(self.clock() - t0, attempt + 1, wait, resp.status_code, err.message)


_TEXT_EVENTS = (StreamError, Retrying, StreamWarning)


class _Scrub:
    """Secrets out of the text of error, retry and warning events (see cot_viewer/redact.py),
    and lone UTF-16 surrogates (a server's JSON error may carry one) replaced."""

    __slots__ = ("secrets",)

    def __init__(self, endpoint: Endpoint) -> None:
        self.secrets = endpoint_secrets(endpoint)

    def __call__(self, batch: list[Event]) -> list[Event]:
        for e in batch:
            if isinstance(e, _TEXT_EVENTS):
                e.message = server_text(e.message, self.secrets)
                if isinstance(e, StreamError) and e.detail:
                    e.detail = server_text(e.detail, self.secrets)
        return batch


class ListFailed(Exception):
    """The model list could not be read; ``error`` says why, as a stream failure would."""

    def __init__(self, error: StreamError) -> None:
        super().__init__(error.message)
        self.error = error


def list_models(endpoint: Endpoint, timeout: float = 10.0) -> list[str]:
    """The model ids a server lists (``GET /models``), in its order: strings only (an id
    that is not one names nothing), lone surrogates replaced. Read through
    :func:`get_small`; every failure is :class:`ListFailed`, secrets masked."""
    url = endpoint.models_url
    try:
        status, body, too_big = get_small(url, endpoint.headers(), timeout)
    except httpx.HTTPError as exc:
        options = StreamOptions(idle_timeout=timeout, connect_timeout=timeout)
        raise ListFailed(_Scrub(endpoint)([transport_error(exc, endpoint, options, 0.0)])[0]) from None
    if status != 200:
        raise ListFailed(_Scrub(endpoint)([http_error(status, body.decode("utf-8", "replace"), endpoint, 0.0)])[0])
    try:
        data = None if too_big else jsonin.loads(body).get("data")
    except (ValueError, RecursionError, AttributeError):
        data = None
    if not isinstance(data, list):
        raise ListFailed(StreamError(0.0, "stream", f"{url} did not answer with a list of models"))
    ids = (m.get("id") for m in data if isinstance(m, dict))
    return [clean_surrogates(i) for i in ids if isinstance(i, str) and i.strip()]


def first_model(endpoint: Endpoint) -> str | None:
    """The first model a local server (vLLM, LM Studio, llama.cpp) lists, if any."""
    try:
        models = list_models(endpoint)
    except ListFailed:
        return None
    return models[0] if models else None


MAX_SMALL_BODY = 16 * 1024 * 1024  # a balance or a model list (OpenRouter's lists hundreds, described)


def get_small(url: str, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes, bool]:
    """GET a small JSON reply (a balance, a model list): (status, at most
    :data:`MAX_SMALL_BODY` bytes of the body, whether there was more). Given up with
    ``httpx.ReadTimeout`` after ``timeout`` seconds in all, however slowly the server sends."""
    until = time.monotonic() + timeout
    with httpx.Client(timeout=timeout) as http, http.stream("GET", url, headers=dict(headers)) as resp:
        body, more = _read_capped(resp.iter_bytes(), MAX_SMALL_BODY, until)
        return resp.status_code, body, more


def _read_capped(parts: Iterator[bytes], cap: int, until: float | None = None) -> tuple[bytes, bool]:
    """At most ``cap`` bytes of a body, and whether there was more (the rest is not read);
    past the monotonic time ``until``, ``httpx.ReadTimeout``."""
    got: list[bytes] = []
    size = 0
    for part in parts:
        got.append(part)
        size += len(part)
        if size > cap:
            return b"".join(got)[:cap], True
        if until is not None and time.monotonic() > until:
            raise httpx.ReadTimeout("the reply took too long")
    return b"".join(got), False


def _body_text(resp: httpx.Response, body: bytes) -> str:
    try:
        return body.decode(resp.encoding or "utf-8", "replace")
    except LookupError:
        return body.decode("utf-8", "replace")


#: how much of a body that is not an event stream is read, by its kind (an HTML page: none)
_CAPS = {"error": MAX_ERROR_BODY, "json": MAX_JSON_BODY}


def _kind(resp: httpx.Response) -> str:
    """"error" (a status other than 200), "json" (one completion), "html" (a web page) or "stream"."""
    if resp.status_code != 200:
        return "error"
    return "json" if _is_json(resp) else "html" if _is_html(resp) else "stream"


def _is_json(resp: httpx.Response) -> bool:
    return resp.headers.get("content-type", "").split(";")[0].strip() == "application/json"


def _is_html(resp: httpx.Response) -> bool:
    return resp.headers.get("content-type", "").split(";")[0].strip() == "text/html"


def not_a_stream(resp: httpx.Response, endpoint: Endpoint, t: float) -> StreamError:
    return StreamError(
        t, "stream",
        f"{endpoint.chat_url} answered with a web page, not an event stream — check the base URL (it usually ends in /v1)",
        resp.status_code,
    )


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _server_message(text: str) -> str:
    try:
        doc = jsonin.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        doc = None
    msg = ""
    if isinstance(doc, dict):
        err = doc.get("error", doc)
        if isinstance(err, dict):
            msg = str(err.get("message") or err.get("detail") or "")
        elif isinstance(err, str):
            msg = err
    if not msg:
        msg = text.strip()
    msg = " ".join(msg.split())
    return msg[:200]


#: how servers say a model does not exist (DeepSeek, OpenAI, vLLM, Ollama, OpenRouter); a
#: reply that only mentions the model ("this model does not support …") is a rejected request
_NO_SUCH_MODEL = ("not exist", "not found", "no such model", "unknown model", "invalid model", "not a valid model")


def http_error(status: int, text: str, endpoint: Endpoint, t: float, location: str | None = None) -> StreamError:
    """One line a person can act on, for an HTTP error status."""
    if 300 <= status < 400:
        where = f" to {location}" if location else ""
        return StreamError(t, "bad_request", f"the server redirected{where} (HTTP {status}) — use that address as --base-url", status, text)
    said = _server_message(text)
    suffix = f": {said}" if said else ""
    key = endpoint.api_key_env or "the API key"
    lowered = said.lower()
    if status in (401, 403):
        hint = f"check {key}" if endpoint.api_key else f"set {key}" if endpoint.api_key_env else "check the API key"
        return StreamError(t, "auth", f"authentication failed (HTTP {status}){suffix} — {hint}", status, text)
    if status == 402:
        return StreamError(t, "balance", f"insufficient balance (HTTP 402){suffix} — top up your account with {endpoint.provider}", status, text)
    if status == 429:
        return StreamError(t, "rate_limit", f"rate limited (HTTP 429){suffix} — retry later", status, text)
    if status in (400, 404, 422) and "model" in lowered and any(w in lowered for w in _NO_SUCH_MODEL):
        models = "cot-viewer models" + ("" if endpoint.provider == "custom" else f" --provider {endpoint.provider}")
        return StreamError(
            t, "bad_request",
            f"the model {endpoint.model!r} does not exist on {endpoint.provider} (HTTP {status}){suffix} — "
            f"`{models}` lists the models you can use; pass one with --model",
            status, text,
        )
    if status == 404:
        return StreamError(
            t, "bad_request",
            f"not found (HTTP {status}){suffix} — check the model name and base URL; `cot-viewer models` lists the server's models",
            status, text,
        )
    if status in (400, 422):
        return StreamError(t, "bad_request", f"the server rejected the request (HTTP {status}){suffix}", status, text)
    if status in (503, 529):
        return StreamError(t, "server", f"server overloaded (HTTP {status}){suffix} — retry later", status, text)
    if status >= 500:
        return StreamError(t, "server", f"server error (HTTP {status}){suffix} — retry later", status, text)
    return StreamError(t, "bad_request", f"unexpected HTTP {status}{suffix}", status, text)


def transport_error(exc: httpx.HTTPError, endpoint: Endpoint, options: StreamOptions, t: float) -> StreamError:
    if isinstance(exc, httpx.ConnectTimeout):
        msg = f"could not connect to {endpoint.base_url} within {options.connect_timeout:g} s — is the server up?"
    elif isinstance(exc, httpx.ConnectError):
        msg = f"could not connect to {endpoint.base_url} — is the server running? ({_short(exc)})"
    elif isinstance(exc, httpx.ReadTimeout):
        msg = f"no data from the server for {options.idle_timeout:g} s — stream ended"
    elif isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        msg = "the connection dropped mid-stream"
    elif isinstance(exc, httpx.UnsupportedProtocol):
        msg = f"the base URL {endpoint.base_url!r} is not an http(s) URL"
        return StreamError(t, "bad_request", msg, None, repr(exc))
    else:
        msg = f"network error: {_short(exc)}"
    return StreamError(t, "connection", msg, None, repr(exc))


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]
