"""One question's request: the endpoint with its thinking fields, the plan, and the price.

Built once from the flags, the config file and the conversation being continued
(commands/common.py), then reused for every follow-up — the terminal UI re-plans it when a
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
