"""Account balance: DeepSeek's ``GET /user/balance`` and OpenRouter's ``GET /credits``.

Used by ``cot-viewer balance`` and appended to the insufficient-balance (exit 4) message.
Amounts are kept as the strings/numbers the server sent and formatted for people here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from cot_viewer.stream.surrogates import clean_surrogates

#: dialects (thinking.DIALECTS) whose servers report a balance
SUPPORTED = ("deepseek", "openrouter")


class BalanceError(Exception):
    """The balance could not be read; ``kind`` is an ERROR_KINDS key (auth, connection…)."""

    def __init__(self, message: str, kind: str = "bad_request") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


@dataclass(frozen=True)
class Amount:
    currency: str
    total: float
    granted: float | None = None
    topped_up: float | None = None
    used: float | None = None  # OpenRouter: credits used so far
    bought: float | None = None  # OpenRouter: credits bought


@dataclass(frozen=True)
class Balance:
    provider: str
    available: bool
    amounts: list[Amount] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"provider": self.provider, "is_available": self.available,
                "balances": [{k: v for k, v in a.__dict__.items() if v is not None} for a in self.amounts]}

    def lines(self) -> list[str]:
        out = []
        for a in self.amounts:
            if a.bought is not None:
                out.append(f"{a.total:.2f} {a.currency} left ({a.bought:.2f} bought, {a.used or 0:.2f} used)")
            else:
                parts = [f"granted {a.granted:.2f}" if a.granted is not None else "",
                         f"topped up {a.topped_up:.2f}" if a.topped_up is not None else ""]
                detail = ", ".join(p for p in parts if p)
                out.append(f"{a.total:.2f} {a.currency}" + (f" ({detail})" if detail else ""))
        if not out:
            out.append("no balance reported")
        if not self.available:
            out[-1] += " — not enough to make requests"
        return out

    def summary(self) -> str:
        return "; ".join(self.lines())


def balance_url(base_url: str, dialect: str) -> str:
    base = base_url.rstrip("/")
    if dialect == "deepseek":
        return (base[:-3] if base.endswith("/v1") else base) + "/user/balance"
    return base + "/credits"


def _num(value: Any, what: str) -> float:
    """An amount: a finite number, or a string holding one (DeepSeek sends strings)."""
    try:
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            number = float(value)
            if math.isfinite(number):
                return number
    except ValueError:
        pass
    raise BalanceError(f"the server sent an unreadable {what}: {str(value)[:40]!r}", "stream")


def parse(dialect: str, provider: str, doc: Any) -> Balance:
    if not isinstance(doc, dict):
        raise BalanceError("the server's balance reply is not a JSON object", "stream")
    if dialect == "deepseek":
        infos, available = doc.get("balance_infos") or [], doc.get("is_available")
        if not isinstance(infos, list) or not isinstance(available, bool):
            raise BalanceError("the server's balance reply has no 'balance_infos' list or "
                               "no true/false 'is_available'", "stream")
        amounts = []
        for info in infos:
            if not isinstance(info, dict):
                continue
            currency = info.get("currency")
            amounts.append(Amount(
                clean_surrogates(currency) if isinstance(currency, str) and currency else "?",
                _num(info.get("total_balance"), "total_balance"),
                _num(info.get("granted_balance", 0), "granted_balance"),
                _num(info.get("topped_up_balance", 0), "topped_up_balance"),
            ))
        return Balance(provider, available, amounts)
    data = doc.get("data")
    if not isinstance(data, dict):
        raise BalanceError("the server's credits reply has no 'data' object", "stream")
    bought, used = _num(data.get("total_credits"), "total_credits"), _num(data.get("total_usage"), "total_usage")
    left = bought - used
    return Balance(provider, left > 0, [Amount("USD", left, used=used, bought=bought)])


def fetch_balance(endpoint: Any, dialect: str, timeout: float = 10.0) -> Balance:
    """The account balance behind ``endpoint`` (DeepSeek or OpenRouter), or BalanceError."""
    if dialect not in SUPPORTED:
        raise BalanceError(f"{endpoint.provider} has no balance endpoint we know; "
                           "`cot-viewer balance` works with DeepSeek and OpenRouter", "usage")
    try:
        return _fetch(endpoint, dialect, timeout)
    except BalanceError as exc:  # a server may echo the key: never show it
        from cot_viewer.redact import endpoint_secrets, server_text

        raise BalanceError(server_text(exc.message, endpoint_secrets(endpoint)), exc.kind) from None


def _fetch(endpoint: Any, dialect: str, timeout: float) -> Balance:
    import httpx

    from cot_viewer import jsonin

    from cot_viewer.stream.client import get_small, http_error

    url = balance_url(endpoint.base_url, dialect)
    headers = dict(endpoint.headers(), Accept="application/json")
    try:
        status, body, too_big = get_small(url, headers, timeout)
    except httpx.HTTPError as exc:
        raise BalanceError(f"could not reach {url}: {' '.join(str(exc).split())[:120] or type(exc).__name__}",
                           "connection") from None
    text = body.decode("utf-8", "replace")
    if status != 200:
        err = http_error(status, text, endpoint, 0.0)
        hint = (" (OpenRouter's credits endpoint may need a management key)"
                if dialect == "openrouter" and status in (401, 403) else "")
        raise BalanceError(f"{url}: {err.message}{hint}", err.kind)
    try:
        doc = None if too_big else jsonin.loads(text)
    except (ValueError, RecursionError):
        doc = None
    if doc is None:
        raise BalanceError(f"{url} did not answer with a JSON balance", "stream")
    return parse(dialect, endpoint.provider, doc)


def balance_suffix(endpoint: Any, dialect: str | None) -> str:
    """`` — balance: 0.00 USD …`` for an error line, or nothing when it cannot be read."""
    if dialect not in SUPPORTED:
        return ""
    try:
        return f" — balance: {fetch_balance(endpoint, dialect, timeout=5.0).summary()}"
    except BalanceError:
        return ""
