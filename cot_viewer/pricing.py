"""Cost estimates: token usage × a price table (per million tokens), or the server's own figure.

The price in effect when a request starts is stored with its transcript (``prices``), so an
old transcript keeps the estimate of its day. :data:`PRICES` holds the prices we know, from
the providers' pricing pages; a ``[prices."MODEL"]`` table in the config file overrides or adds
one. OpenRouter reports what a request cost in ``usage.cost``; that wins over any estimate.

DeepSeek bills at two rates — peak (01:00–04:00 and 06:00–10:00 UTC, Monday to Friday) and
off-peak (half) — and splits the prompt into cache hits and misses; both are taken into account.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Mapping


@dataclass(frozen=True)
class Price:
    """Per million tokens. ``cached_input`` applies to prompt cache hits."""

    currency: str
    input: float
    cached_input: float
    output: float
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# DeepSeek, api-docs.deepseek.com/quick_start/pricing (USD; checked 2026-11): deepseek-flash
# is V4.1 Flash; the legacy deepseek-v4-flash and (since 2026-09-14) deepseek-v4-pro are served
# by it but deepseek-v4-pro keeps its own price column.
_DS = "DeepSeek pricing page"
PEAK_PRICES: dict[str, Price] = {
    "deepseek-flash": Price("USD", 0.30, 0.006, 1.20, _DS + ", peak"),
    "deepseek-v4-flash": Price("USD", 0.30, 0.006, 1.20, _DS + ", peak"),
    "deepseek-v4-pro": Price("USD", 1.32, 0.044, 3.96, _DS + ", peak"),
}
PRICES: dict[str, Price] = {
    "deepseek-flash": Price("USD", 0.15, 0.003, 0.60, _DS + ", off-peak"),
    "deepseek-v4-flash": Price("USD", 0.15, 0.003, 0.60, _DS + ", off-peak"),
    "deepseek-v4-pro": Price("USD", 0.66, 0.022, 1.98, _DS + ", off-peak"),
}
_PEAK_HOURS_UTC = ((1, 4), (6, 10))


def deepseek_peak(ts: float) -> bool:
    when = datetime.fromtimestamp(ts, timezone.utc)
    return when.weekday() < 5 and any(a <= when.hour < b for a, b in _PEAK_HOURS_UTC)


class PriceError(ValueError):
    """A ``[prices]`` table in the config file that cannot be used."""


def price_from_config(model: str, table: Mapping[str, Any]) -> Price:
    try:
        inp = float(table["input"])
        return Price(
            currency=str(table.get("currency", "USD")), input=inp,
            cached_input=float(table.get("cached_input", inp)), output=float(table["output"]),
            source="config file",
        )
    except (KeyError, TypeError, ValueError):
        raise PriceError(
            f'[prices."{model}"] needs input and output (per million tokens), optionally cached_input and currency'
        ) from None


def price_for(model: str | None, when: float, config: Mapping[str, Any] | None = None) -> Price | None:
    """The price of ``model`` at time ``when``: the config file's, else the built-in one."""
    if not model:
        return None
    table = ((config or {}).get("prices") or {}).get(model)
    if isinstance(table, Mapping):
        return price_from_config(model, table)
    if model in PEAK_PRICES and deepseek_peak(when):
        return PEAK_PRICES[model]
    return PRICES.get(model)


def _int(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def estimate(usage: Mapping[str, Any] | None, prices: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``{"amount", "currency", "estimate", "source"}``, or None when nothing can be said.

    Reasoning tokens are billed as output: ``completion_tokens`` already includes them.
    """
    if not usage:
        return None
    reported = usage.get("cost")
    if isinstance(reported, (int, float)) and not isinstance(reported, bool):
        return {"amount": float(reported), "currency": "USD", "estimate": False, "source": "reported by the server (usage.cost)"}
    if not prices:
        return None
    prompt = _int(usage.get("prompt_tokens"))
    hit = _int(usage.get("prompt_cache_hit_tokens"))
    if not hit:
        details = usage.get("prompt_tokens_details")
        hit = _int(details.get("cached_tokens")) if isinstance(details, Mapping) else 0
    miss = _int(usage.get("prompt_cache_miss_tokens")) or max(0, prompt - hit)
    out = _int(usage.get("completion_tokens"))
    try:
        amount = (miss * float(prices["input"]) + hit * float(prices["cached_input"])
                  + out * float(prices["output"])) / 1_000_000
    except (KeyError, TypeError, ValueError):
        return None
    return {"amount": round(amount, 8), "currency": str(prices.get("currency", "USD")), "estimate": True,
            "source": str(prices.get("source") or "price table")}


def format_cost(cost: Mapping[str, Any] | None) -> str:
    """``~0.0012 USD (estimate)`` or ``0.0031 USD``; empty when unknown."""
    if not cost:
        return ""
    amount = float(cost["amount"])
    text = f"{amount:.4f}" if amount >= 0.01 or amount == 0 else f"{amount:.6f}"
    if cost.get("estimate"):
        return f"~{text} {cost['currency']} (estimate)"
    return f"{text} {cost['currency']}"
