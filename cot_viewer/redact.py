"""Secrets out of every text we store or show.

An error text can carry a secret: httpx quotes a rejected ``Authorization`` header whole, a
server may echo the key, a URL may hold ``user:key@`` or ``?api_key=…``. :func:`scrub`
replaces the known secrets (the API key, the URL's credentials) and anything shaped like a
credential (URL userinfo, key-like query parameters, bearer tokens) with ``***``. Every
error text the stream client emits passes through it (see ``StreamClient``), and so does
``--debug`` output.

:func:`clean_api_key` strips the whitespace ``$(cat key.txt)`` leaves and refuses a key
that cannot travel in an HTTP header, before any request is made.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

MASK = "***"
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#'\"]*@")
_QUERY = re.compile(
    r"(?i)([?&;](?:api[-_]?key|key|token|access[-_]?token|auth|password|passwd|secret|sig|signature)=)[^&\s#'\"]*"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)(\s+)[^\s'\"\\,]+")
_MIN_SECRET = 4  # shorter "secrets" would mask ordinary words


class BadKey(ValueError):
    """The API key cannot be sent; the message names the variable, never the key."""


def clean_api_key(raw: str | None, source: str | None) -> str | None:
    """The key without surrounding whitespace; None if empty. Raises :class:`BadKey` if
    it holds a character an HTTP header cannot carry (space, control, non-ASCII)."""
    if raw is None:
        return None
    key = raw.strip()
    if not key:
        return None
    if any(not ("\x21" <= c <= "\x7e") for c in key):
        where = f"${source}" if source else "the API key"
        raise BadKey(
            f"the API key in {where} contains a space, control or non-ASCII character "
            f"and cannot be sent — check {where}"
        )
    return key


def url_secrets(url: str | None) -> list[str]:
    """The credentials a URL carries: its userinfo (raw and decoded) and query values."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
        user, password = parts.username, parts.password
    except ValueError:
        return []
    out = []
    for v in (password, user):
        if v:
            out += [v, unquote(v)]
    for pair in parts.query.split("&"):
        _, _, value = pair.partition("=")
        if value:
            out += [value, unquote(value)]
    return out


def endpoint_secrets(endpoint: Any) -> list[str]:
    """What an endpoint (stream.endpoint.Endpoint) must never show: its key and URL credentials."""
    return [endpoint.api_key, *url_secrets(endpoint.base_url)]


def env_secrets(environ: Mapping[str, str] | None = None, names: Iterable[str | None] = ()) -> list[str]:
    """Values of the environment variables that hold keys: the named ones and ``*_KEY``/``*_TOKEN``."""
    env = os.environ if environ is None else environ
    wanted = {n for n in names if n}
    out = []
    for name, value in env.items():
        if name in wanted or name.endswith(("_KEY", "_TOKEN", "_SECRET")):
            out.append(value)
            out.append(value.strip())
    return out


def server_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """A server's error text ready to store or show: secrets masked (:func:`scrub`), lone UTF-16
    surrogates (a JSON error may carry one) replaced so that it can be written anywhere."""
    from cot_viewer.stream.surrogates import clean_surrogates

    return clean_surrogates(scrub(text, secrets))


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with the given secrets and anything credential-shaped replaced by ``***``."""
    if not text:
        return text
    for s in sorted({s for s in secrets if s and len(s) >= _MIN_SECRET}, key=len, reverse=True):
        if s in text:
            text = text.replace(s, MASK)
    text = _USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)
    text = _QUERY.sub(lambda m: m.group(1) + MASK, text)
    return _BEARER.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
