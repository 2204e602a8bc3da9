"""Thinking controls: one user-facing set of settings, each provider's own request fields.

``--effort``, ``--think``/``--no-think``, ``--thinking-budget`` and ``--param`` (and the same
keys in the config file) become a :class:`ThinkingSettings`. :func:`plan_request` maps them
through the endpoint's :class:`Dialect` to the JSON fields that provider reads, with one line
for each setting it cannot honour — never a silent drop. The mapping table lives in
:data:`DIALECTS` (and, for users, in the README). DeepSeek's retired model names are mapped
to the current model here too (:data:`DEEPSEEK_RENAMED`).

Plain data, no HTTP and no screen: the command line, the config file, the terminal UI and
the stored transcript all use this one module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

#: keys ``--param`` may not set: the client owns them
RESERVED_PARAMS = frozenset({"messages", "stream", "model"})


class SettingsError(ValueError):
    """A thinking setting that cannot be used; the message is one line for a person."""


@dataclass(frozen=True)
class ThinkingSettings:
    """What the user asked for. ``None`` means "not set" (the server's default)."""

    effort: str | None = None
    think: bool | None = None
    budget: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def over(self, base: "ThinkingSettings") -> "ThinkingSettings":
        """These settings where set, ``base`` for the rest (``params`` merged, ours last)."""
        return ThinkingSettings(
            effort=self.effort if self.effort is not None else base.effort,
            think=self.think if self.think is not None else base.think,
            budget=self.budget if self.budget is not None else base.budget,
            params={**base.params, **self.params},
        )

    @property
    def empty(self) -> bool:
        return self.effort is None and self.think is None and self.budget is None and not self.params

    def to_dict(self) -> dict[str, Any]:
        return {"effort": self.effort, "think": self.think, "thinking_budget": self.budget,
                "params": dict(self.params)}

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any] | None, where: str = "settings") -> "ThinkingSettings":
        """From a config table or a stored transcript's ``settings`` (unknown keys ignored)."""
        doc = doc or {}
        effort, think = doc.get("effort"), doc.get("think")
        budget, params = doc.get("thinking_budget"), doc.get("params") or {}
        if effort is not None and (not isinstance(effort, str) or not effort.strip()):
            raise SettingsError(f"{where}: 'effort' must be a word such as low, medium, high or max")
        if think is not None and not isinstance(think, bool):
            raise SettingsError(f"{where}: 'think' must be true or false")
        if budget is not None and (not isinstance(budget, int) or isinstance(budget, bool) or budget < 0):
            raise SettingsError(f"{where}: 'thinking_budget' must be a whole number of tokens")
        if not isinstance(params, Mapping):
            raise SettingsError(f"{where}: 'params' must be a table of request fields")
        for key, value in params.items():
            check_param_key(str(key), f"{where}: params.{key}")
            check_param_value(value, f"{where}: params.{key}")
        return cls(effort.strip().lower() if effort else None, think, budget, dict(params))


def check_param_key(key: str, what: str | None = None) -> None:
    """Refuse a request field the client owns, or a dotted key with an empty part (``a.``,
    ``.b``); ``what`` names where it was given."""
    what = what or f"--param {key or '(empty)'}"
    if not key or key.split(".")[0] in RESERVED_PARAMS:
        raise SettingsError(f"{what}: cannot set {key.split('.')[0] or 'an empty key'!r} "
                            "(use --model, and the prompt, for those)")
    if "" in key.split("."):
        raise SettingsError(f"{what}: a dotted key needs a name on each side of every dot")


def check_param_value(value: Any, what: str) -> None:
    """Refuse a value the request body cannot carry as JSON: NaN or infinity, a date (TOML
    has them), nesting deeper than a JSON encoder goes."""
    try:
        json.dumps(value, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        raise SettingsError(f"{what}: not a value JSON can send (a finite number, text, "
                            "true/false, a list or a table)") from None


def parse_param(text: str) -> tuple[str, Any]:
    """``KEY=JSON`` → (key, value). A value that is not JSON is taken as a string.

    A dotted key (``reasoning.exclude=true``) sets a field inside an object.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise SettingsError(f"--param {text!r}: expected KEY=JSON, e.g. --param top_k=20")
    check_param_key(key)
    try:
        value = json.loads(raw, parse_constant=_not_json)  # NaN, Infinity: not JSON, so text
    except ValueError:
        value = raw
    except RecursionError:
        raise SettingsError(f"--param {key}: the value is nested too deeply") from None
    check_param_value(value, f"--param {key}")
    return key, value


def _not_json(word: str) -> Any:
    raise ValueError(word)


def settings_from_flags(
    effort: str | None = None, think: bool | None = None, budget: int | None = None,
    params: list[str] | None = None,
) -> ThinkingSettings:
    if budget is not None and budget < 0:
        raise SettingsError("--thinking-budget must be a whole number of tokens ≥ 0")
    if effort is not None and not effort.strip():
        raise SettingsError("--effort needs a level: low, medium, high or max (or the provider's own word)")
    return ThinkingSettings(
        effort=effort.strip().lower() if effort else None, think=think, budget=budget,
        params=dict(parse_param(p) for p in params or []),
    )


def split_inline_flags(text: str) -> tuple[ThinkingSettings, str]:
    """Leading ``--effort X``, ``--think``, ``--no-think``, ``--thinking-budget N`` and
    ``--param K=V`` typed before a question (the terminal UI's input) → (settings, question).

    Values are single words (``--param stop=["x"]``, no spaces); the question after the
    flags is kept exactly as typed, quotes and all.
    """
    effort = think = budget = None
    params: list[str] = []
    pos = 0
    while True:
        m = _WORD.match(text, pos)
        if m is None or not m.group(1).startswith("--"):
            break
        flag, _, inline = m.group(1).partition("=")
        if flag in ("--think", "--no-think") and not inline:
            think, pos = flag == "--think", m.end()
            continue
        if flag not in ("--effort", "--thinking-budget", "--param"):
            break
        value, pos = inline, m.end()
        if not inline:
            v = _WORD.match(text, pos)
            if v is None:
                raise SettingsError(f"{flag} needs a value")
            value, pos = v.group(1), v.end()
        if flag == "--effort":
            effort = value
        elif flag == "--param":
            params.append(value)
        else:
            try:
                budget = int(value)
            except ValueError:
                raise SettingsError(f"--thinking-budget {value!r}: a whole number of tokens expected") from None
    if pos == 0:
        return ThinkingSettings(), text
    return settings_from_flags(effort, think, budget, params), text[pos:].strip()


_WORD = re.compile(r"\s*(\S+)")


# -- per provider ------------------------------------------------------------------------

@dataclass(frozen=True)
class Dialect:
    """How one kind of server reads thinking settings. Paths are dotted field names."""

    name: str
    think_on: Mapping[str, Any] | None  # fields for "think", None: cannot switch it on
    think_off: Mapping[str, Any] | None  # fields for "do not think", None: cannot
    effort_field: str | None
    effort_words: Mapping[str, str] = field(default_factory=dict)  # our word → theirs
    budget_field: str | None = None
    think_default: bool | None = None  # the switch sent when none is asked (DeepSeek: on)
    budget_hint: str = ""  # how to get a budget where the request cannot carry one


_TEMPLATE_ON = {"chat_template_kwargs": {"enable_thinking": True}}
_TEMPLATE_OFF = {"chat_template_kwargs": {"enable_thinking": False}}

DIALECTS: dict[str, Dialect] = {
    "deepseek": Dialect(
        "deepseek", {"thinking": {"type": "enabled"}}, {"thinking": {"type": "disabled"}},
        "reasoning_effort", {"low": "low", "medium": "high", "high": "high", "max": "max"},
        think_default=True,
    ),
    "openrouter": Dialect(
        "openrouter", {"reasoning": {"enabled": True}}, {"reasoning": {"enabled": False}},
        "reasoning.effort", {"max": "xhigh"}, "reasoning.max_tokens",
    ),
    "ollama": Dialect(
        "ollama", {}, {"reasoning_effort": "none"}, "reasoning_effort", {"max": "high"},
    ),
    "vllm": Dialect(
        "vllm", _TEMPLATE_ON, _TEMPLATE_OFF, "reasoning_effort", {}, "thinking_token_budget",
    ),
    "sglang": Dialect(
        "sglang", _TEMPLATE_ON, _TEMPLATE_OFF, "reasoning_effort", {},
        budget_hint="use SGLang's server options, or --param",
    ),
    "llamacpp": Dialect(
        "llamacpp", _TEMPLATE_ON, _TEMPLATE_OFF, "reasoning_effort", {},
        budget_hint="start llama-server with --reasoning-budget N",
    ),
    "groq": Dialect("groq", {}, {"reasoning_effort": "none"}, "reasoning_effort", {"max": "high"}),
    "openai": Dialect("openai", None, None, "reasoning_effort", {}),
}

#: DeepSeek's retired names (2026-07-24) → (current model, thinking on?)
DEEPSEEK_CURRENT = "deepseek-flash"
DEEPSEEK_RENAMED: dict[str, tuple[str, bool]] = {
    "deepseek-reasoner": (DEEPSEEK_CURRENT, True),
    "deepseek-chat": (DEEPSEEK_CURRENT, False),
}


@dataclass(frozen=True)
class RequestPlan:
    """What goes into the request besides the messages, and what to tell the user."""

    model: str | None
    fields: dict[str, Any]
    notices: list[str]
    settings: ThinkingSettings  # as asked (what a follow-up inherits)
    applied: ThinkingSettings  # as sent: a setting the provider could not take is None

    def record(self) -> dict[str, Any]:
        """Stored with the transcript: what was asked, what was sent, what was said."""
        doc = self.settings.to_dict()
        applied = self.applied.to_dict()
        del applied["params"]  # always sent as asked
        doc["applied"] = applied
        doc["sent"] = self.fields
        doc["notices"] = list(self.notices)
        return doc


def _set(body: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = body
    for p in parents:
        child = node.get(p)
        if not isinstance(child, dict):
            child = node[p] = {}
        node = child
    node[last] = value


def _merge(body: dict[str, Any], fields: Mapping[str, Any]) -> None:
    for k, v in fields.items():
        if isinstance(v, Mapping) and isinstance(body.get(k), dict):
            _merge(body[k], v)
        else:
            body[k] = json.loads(json.dumps(v)) if isinstance(v, (dict, list)) else v


def plan_request(dialect_name: str, provider: str, model: str | None, settings: ThinkingSettings) -> RequestPlan:
    """Map ``settings`` to the request fields of ``dialect_name`` (see :data:`DIALECTS`)."""
    d = DIALECTS.get(dialect_name, DIALECTS["openai"])
    notices: list[str] = []
    fields: dict[str, Any] = {}
    if d.name == "deepseek" and model in DEEPSEEK_RENAMED:
        new, thinks = DEEPSEEK_RENAMED[model]
        if settings.think is None:
            settings = replace(settings, think=thinks)
        notices.append(f"{model} was retired by DeepSeek; using {new} with thinking {'on' if settings.think else 'off'}")
        model = new
    think = settings.think if settings.think is not None else d.think_default
    effort, budget = settings.effort, settings.budget
    if effort == "none" and settings.think is None and d.think_off is not None:
        # the provider's off switch, which on Ollama and Groq is this very field
        if not (d.effort_field and d.think_off == {d.effort_field: "none"}):
            notices.append("--effort none: sent as thinking off")
        think, effort = False, None
    sent_think = sent_effort = sent_budget = None

    if think is True:
        if d.think_on is None:
            notices.append(f"{provider} has no switch to turn thinking on; sending nothing for --think (the model decides)")
        else:
            _merge(fields, d.think_on)
            sent_think = True
    elif think is False:
        if d.think_off is None:
            notices.append(f"{provider} has no switch to turn thinking off; --no-think not sent "
                           "(try --effort none, or --param for your server's field)")
        else:
            _merge(fields, d.think_off)
            sent_think = False

    if effort is not None:
        if think is False and d.think_off is not None:
            notices.append(f"--effort {effort} not sent: thinking is off")
        elif d.effort_field is None:
            notices.append(f"{provider} has no effort setting; --effort {effort} not sent")
        else:
            word = d.effort_words.get(effort, effort)
            if word != effort:
                notices.append(f"{provider} has no effort {effort!r}; sent {word!r}")
            _set(fields, d.effort_field, word)
            sent_effort = word

    if budget is not None:
        if think is False and d.think_off is not None:
            notices.append(f"--thinking-budget {budget} not sent: thinking is off")
        elif d.budget_field is None:
            how = f" — {d.budget_hint}" if d.budget_hint else ""
            notices.append(f"{provider} takes no thinking budget in the request; --thinking-budget {budget} not sent{how}")
        else:
            if d.name == "openrouter" and effort is not None and "reasoning" in fields:
                fields["reasoning"].pop("effort", None)
                sent_effort = None
                notices.append("OpenRouter takes an effort or a token budget, not both; sent the budget")
            _set(fields, d.budget_field, budget)
            sent_budget = budget

    for key, value in settings.params.items():
        _set(fields, key, value)
    return RequestPlan(model, fields, notices, settings,
                       ThinkingSettings(sent_effort, sent_think, sent_budget, settings.params))


def describe(record: Mapping[str, Any] | None) -> str:
    """What a request sent, in a few words for a status line or a header:
    ``effort max · thinking on · budget 2000`` (settings the provider could not take are left
    out — the record's notices say why)."""
    if not record:
        return ""
    sent = record.get("applied")
    sent = sent if isinstance(sent, Mapping) else record
    parts = []
    if sent.get("effort"):
        parts.append(f"effort {sent['effort']}")
    if sent.get("think") is not None:
        parts.append("thinking on" if sent["think"] else "thinking off")
    if sent.get("thinking_budget") is not None:
        parts.append(f"budget {sent['thinking_budget']}")
    params = record.get("params") or {}
    if params:
        parts.append(" ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in params.items()))
    return " · ".join(parts)
