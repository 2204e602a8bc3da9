"""Where a request goes and how patiently: plain data, no HTTP library.

Kept apart from the client so that the command line and the terminal UI can name an
endpoint without importing httpx (the request itself may run in another process).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Endpoint:
    """Where to send the request. ``api_key`` is never stored or printed (repr hides it).

    ``body`` holds request fields beyond the messages — the thinking controls and ``--param``
    values mapped for this provider (thinking.py) — merged into the request body last.
    """

    provider: str
    base_url: str
    model: str | None
    api_key: str | None = field(default=None, repr=False)
    api_key_env: str | None = None
    body: Mapping[str, Any] = field(default_factory=dict)

    @property
    def chat_url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    @property
    def models_url(self) -> str:
        return self.base_url.rstrip("/") + "/models"

    @property
    def public_url(self) -> str:
        """The base URL without credentials or query (some people put keys there): what we store."""
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(self.base_url)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def headers(self) -> dict[str, str]:
        h = {"Accept": "text/event-stream", "User-Agent": "cot-viewer"}
        if self.api_key:
            h["Authorization"] = f"Bearer {self.api_key}"
        return h


@dataclass
class StreamOptions:
    idle_timeout: float = 300.0  # no bytes at all (keep-alives included) for this long ends the stream
    connect_timeout: float = 15.0
    max_retries: int = 3
    max_retry_wait: float = 60.0  # a Retry-After longer than this is not waited for
    backoff: float = 1.0  # first backoff in seconds, doubled each retry
    deadline: float | None = None  # the whole response, retries included, ends after this many seconds
