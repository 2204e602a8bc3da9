"""Which endpoint: provider presets, the TOML config file, environment and flags.

Precedence, highest first (documented in the README):

* provider: ``--provider`` › ``COT_VIEWER_PROVIDER`` › the config file's ``default`` ›
  ``deepseek``. ``--base-url`` without ``--provider`` means a custom endpoint.
* base URL: ``--base-url`` › ``OPENAI_BASE_URL`` (custom endpoints only) › the config
  file's ``[providers.NAME] base_url`` › the preset.
* model: ``--model`` › config › preset › the first model the server lists.
* API key variable: ``--api-key-env`` › config › preset › ``OPENAI_API_KEY`` (custom).
  The key itself is only ever read from the environment, never from flags or files.
* thinking controls (``effort``, ``think``, ``thinking_budget``, ``params``): flags › the
  conversation being continued › config › the server's default. ``dialect`` says which
  request fields they become (see thinking.py); presets name theirs.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping


@dataclass(frozen=True)
class Preset:
    base_url: str
    model: str | None
    api_key_env: str | None
    key_required: bool
    dialect: str = "openai"  # how thinking settings are sent (thinking.DIALECTS)


# Default models checked against each provider's documentation (2026-11): DeepSeek's pricing
# page lists deepseek-flash; OpenRouter lists deepseek/deepseek-v4-flash; Ollama's library
# still serves deepseek-r1; Groq's reasoning guide lists qwen/qwen3-32b; Together documents
# deepseek-ai/DeepSeek-R1.
PRESETS: dict[str, Preset] = {
    "deepseek": Preset("https://api.deepseek.com", "deepseek-flash", "DEEPSEEK_API_KEY", True, "deepseek"),
    "openrouter": Preset("https://openrouter.ai/api/v1", "deepseek/deepseek-v4-flash", "OPENROUTER_API_KEY", True, "openrouter"),
    "ollama": Preset("http://localhost:11434/v1", "deepseek-r1", None, False, "ollama"),
    "vllm": Preset("http://localhost:8000/v1", None, "VLLM_API_KEY", False, "vllm"),
    "llamacpp": Preset("http://localhost:8080/v1", None, None, False, "llamacpp"),
    "lmstudio": Preset("http://localhost:1234/v1", None, None, False, "openai"),
    "groq": Preset("https://api.groq.com/openai/v1", "qwen/qwen3-32b", "GROQ_API_KEY", True, "groq"),
    "together": Preset("https://api.together.xyz/v1", "deepseek-ai/DeepSeek-R1", "TOGETHER_API_KEY", True, "openai"),
}
DEFAULT_PROVIDER = "deepseek"


class ConfigError(Exception):
    """A configuration problem, with one line that says how to fix it."""


@dataclass(frozen=True)
class Resolved:
    provider: str
    base_url: str
    model: str | None
    api_key_env: str | None
    api_key: str | None
    key_required: bool
    dialect: str = "openai"
    thinking: Any = None  # thinking.ThinkingSettings: the config file's defaults

    def __repr__(self) -> str:  # never show the key
        return f"Resolved(provider={self.provider!r}, base_url={self.base_url!r}, model={self.model!r})"


def _dialect_by_host(url: str) -> str:
    """A custom endpoint on a provider's own host speaks that provider's fields."""
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # not a URL at all: the command says so before any request
        return "openai"
    for name in ("deepseek", "openrouter", "groq"):
        p = PRESETS[name]
        if host == urlsplit(p.base_url).hostname:
            return p.dialect
    return "openai"


def load_config(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as f:
            doc = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"the config file {path} is not UTF-8 text") from None
    except RecursionError:
        raise ConfigError(f"the config file {path} is nested too deeply to read") from None
    providers = doc.get("providers", {})
    if not isinstance(providers, dict) or not all(isinstance(v, dict) for v in providers.values()):
        raise ConfigError(f"{path}: [providers.NAME] tables expected")
    prices = doc.get("prices", {})
    if not isinstance(prices, dict) or not all(isinstance(v, dict) for v in prices.values()):
        raise ConfigError(f'{path}: [prices."MODEL"] tables expected (input, output, cached_input, currency)')
    check_types(doc, path)
    return doc


#: The type each known config key must have (other keys are left to whoever reads them).
KEY_TYPES: dict[str, type] = {
    "preset": str, "base_url": str, "model": str, "api_key_env": str, "key_required": bool,
}


def check_types(doc: Mapping[str, Any], path: Path) -> None:
    """Refuse, with the key's name, a config value of the wrong type (``model = ["a"]``)."""
    if "default" in doc and not isinstance(doc["default"], str):
        raise ConfigError(f"{path}: 'default' must be a provider name in quotes")
    for name, table in doc.get("providers", {}).items():
        for key, want in KEY_TYPES.items():
            if key in table and not isinstance(table[key], want):
                what = "true or false" if want is bool else "a string in quotes"
                raise ConfigError(f"{path}: [providers.{name}] {key} must be {what}, not {table[key]!r}")
        env_name = table.get("api_key_env")
        if env_name is not None and (not env_name or "=" in env_name or "\0" in env_name):
            raise ConfigError(f"{path}: [providers.{name}] api_key_env must name an environment variable")


def resolve(
    *,
    provider: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    api_key_env: str | None = None,
    config: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Resolved:
    env = os.environ if environ is None else environ
    config = config or {}
    table: dict[str, dict[str, Any]] = config.get("providers", {})

    name = provider or (None if base_url else env.get("COT_VIEWER_PROVIDER") or config.get("default"))
    if not name:
        name = "custom" if base_url else DEFAULT_PROVIDER
    entry = table.get(name, {})
    preset_name = entry.get("preset", name)
    preset = PRESETS.get(preset_name)
    if preset is None and name != "custom" and not entry:
        known = ", ".join([*PRESETS, *[n for n in table if n not in PRESETS], "custom"])
        raise ConfigError(f"unknown provider {name!r}; choose one of: {known}")
    if preset is None and entry.get("preset"):
        raise ConfigError(f"provider {name!r} names an unknown preset {entry['preset']!r}")
    custom = preset is None

    url = base_url or (env.get("OPENAI_BASE_URL") if custom else None) or entry.get("base_url") or (preset.base_url if preset else None)
    if not url:
        raise ConfigError("a custom endpoint needs a base URL: pass --base-url URL or set OPENAI_BASE_URL")
    chosen_model = model or entry.get("model") or (preset.model if preset else None)
    key_env = api_key_env or entry.get("api_key_env") or (preset.api_key_env if preset else "OPENAI_API_KEY")
    key = env.get(key_env) if key_env else None
    required = bool(entry.get("key_required", preset.key_required if preset else False))
    dialect = entry.get("dialect") or (preset.dialect if preset else _dialect_by_host(str(url)))
    from cot_viewer.thinking import DIALECTS, SettingsError, ThinkingSettings

    if dialect not in DIALECTS:
        raise ConfigError(f"provider {name!r}: unknown dialect {dialect!r}; choose one of: {', '.join(DIALECTS)}")
    try:
        defaults = ThinkingSettings.from_dict(entry, f"[providers.{name}]")
    except SettingsError as exc:
        raise ConfigError(str(exc)) from None
    return Resolved(name, str(url), chosen_model, key_env, key or None, required, dialect, defaults)
