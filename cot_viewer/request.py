"""One question's request: the endpoint with its thinking fields, the plan, and the price.

Built once from the flags, the config file and the conversation being continued
(:func:`resolve_request`: what ``cot-viewer ask`` does, and the home screen's new question
with no flags), then reused for every follow-up — the terminal UI re-plans it when a
follow-up names new settings (:meth:`AskRequest.with_settings`). Plain data: no HTTP, no screen.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any, Mapping

from cot_viewer.thinking import RequestPlan, SettingsError, ThinkingSettings, plan_request


def inherited_settings(previous: Any, provider: str, imported: bool = False) -> tuple[ThinkingSettings, list[str]]:
    """What a follow-up takes from the turn it continues (a Transcript, or None), and a note
    for what it leaves: effort, thinking and budget mean the same on every provider, the
    request fields of ``--param`` are one provider's and go along only on that provider —
    and never from an ``imported`` turn (a file can name any field: ``n``, tools, plugins…)."""
    record = getattr(previous, "settings", None)
    if not record:
        return ThinkingSettings(), []
    try:
        settings = ThinkingSettings.from_dict(record)
    except SettingsError:
        return ThinkingSettings(), []  # an unreadable stored record: nothing inherited
    if settings.params and imported:
        note = (f"the request fields of the turn before ({', '.join(settings.params)}) came from an "
                "imported file; not sent (give them with --param to send them)")
        return dataclasses.replace(settings, params={}), [note]
    if settings.params and previous.provider != provider:
        note = (f"the request fields of the turn before ({', '.join(settings.params)}) were for "
                f"{previous.provider}; not sent to {provider}")
        return dataclasses.replace(settings, params={}), [note]
    return settings, []


@dataclass(frozen=True)
class AskRequest:
    endpoint: Any  # stream.endpoint.Endpoint, ``body`` holding plan.fields
    plan: RequestPlan
    dialect: str
    config: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # for [prices] overrides

    @classmethod
    def build(cls, endpoint: Any, dialect: str, settings: ThinkingSettings,
              config: Mapping[str, Any] | None = None, notes: tuple[str, ...] | list[str] = ()) -> "AskRequest":
        """``notes``: said before the plan's own (what a follow-up did not inherit)."""
        plan = plan_request(dialect, endpoint.provider, endpoint.model, settings)
        if notes:
            plan = dataclasses.replace(plan, notices=[*notes, *plan.notices])
        endpoint = dataclasses.replace(endpoint, model=plan.model, body=plan.fields)
        return cls(endpoint, plan, dialect, config or {})

    def with_settings(self, override: ThinkingSettings) -> "AskRequest":
        """The same endpoint with ``override`` over the settings in use (a follow-up's flags)."""
        if override.empty:
            return self
        return AskRequest.build(self.endpoint, self.dialect, override.over(self.plan.settings), self.config)

    def new_notices(self, previous: Mapping[str, Any] | None) -> list[str]:
        """The plan's notes minus those already said on the turn being continued
        (``previous`` is its stored settings record): all stay on record, none is said twice."""
        said = (previous or {}).get("notices")
        said = said if isinstance(said, list) else []
        return [n for n in self.plan.notices if n not in said]

    def with_model(self, model: str | None) -> "AskRequest":
        """After a local server named its model."""
        return dataclasses.replace(self, endpoint=dataclasses.replace(self.endpoint, model=model))

    def prices(self, when: float | None = None) -> dict[str, Any] | None:
        from cot_viewer.pricing import price_for

        price = price_for(self.endpoint.model, time.time() if when is None else when, self.config)
        return price.to_dict() if price else None

    def stamp(self, tr: Any) -> Any:
        """Record on transcript ``tr`` what this request sends and the price in effect."""
        tr.settings = self.plan.record()
        tr.prices = self.prices(tr.created)
        tr.model = self.endpoint.model or tr.model
        return tr


class RequestError(Exception):
    """The endpoint or its settings cannot be used; ``message`` says how to fix it.
    ``kind``: ``"auth"`` (no usable API key) or ``"usage"`` (config, URL, price table)."""

    def __init__(self, message: str, kind: str = "usage") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


def resolve_endpoint_config(*, provider: str | None = None, base_url: str | None = None, model: str | None = None,
                            api_key_env: str | None = None) -> tuple[Any, dict]:
    """(config.Resolved with a checked key, the config file's contents): flags › environment ›
    config file › preset (cot_viewer/config.py). :class:`RequestError` if it cannot be used."""
    from dataclasses import replace

    from cot_viewer.config import ConfigError, load_config, resolve
    from cot_viewer.paths import config_file
    from cot_viewer.redact import BadKey, clean_api_key

    try:
        cfg = load_config(config_file())
        r = resolve(provider=provider, base_url=base_url, model=model, api_key_env=api_key_env, config=cfg)
    except ConfigError as exc:
        raise RequestError(str(exc)) from None
    try:
        key = clean_api_key(r.api_key, r.api_key_env)
    except BadKey as exc:
        raise RequestError(str(exc), "auth") from None
    _check_url(r.base_url)
    if r.key_required and not key:
        raise RequestError(
            f"no API key: set {r.api_key_env} (export {r.api_key_env}=...), or choose another --provider "
            f"(try `cot-viewer demo` for an example that needs none)", "auth")
    return replace(r, api_key=key), cfg


def endpoint_for(r: Any) -> Any:
    """The stream.endpoint.Endpoint of a config.Resolved (no thinking fields yet)."""
    from cot_viewer.stream.endpoint import Endpoint

    return Endpoint(r.provider, r.base_url, r.model, r.api_key, r.api_key_env)


def _check_url(url: str) -> None:
    """Refuse a base URL that cannot be requested, before any request is made."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise RequestError(f"the base URL {url!r} is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise RequestError(f"the base URL {url!r} is not an http(s) URL with a host, e.g. http://localhost:8000/v1")


def build_request(resolved: tuple, flags: ThinkingSettings | None = None, previous: Any = None,
                  imported: bool = False) -> AskRequest:
    """The request from a :func:`resolve_endpoint_config` result and the flags' thinking
    settings, with the settings of ``previous`` — the turn being continued, ``imported`` or
    not — between the flags and the config file's defaults."""
    from cot_viewer.pricing import PriceError

    r, cfg = resolved
    inherited, notes = inherited_settings(previous, r.provider, imported)
    settings = (flags or ThinkingSettings()).over(inherited.over(r.thinking or ThinkingSettings()))
    request = AskRequest.build(endpoint_for(r), r.dialect, settings, cfg, notes)
    try:
        request.prices()
    except PriceError as exc:
        raise RequestError(str(exc)) from None
    return request


def resolve_request(flags: ThinkingSettings | None = None, **choice: str | None) -> AskRequest:
    """What ``cot-viewer ask`` sends with these endpoint flags (``provider``, ``base_url``,
    ``model``, ``api_key_env``; none given: the environment and the config file)."""
    return build_request(resolve_endpoint_config(**choice), flags)
