"""Thinking controls, DeepSeek's current models, the empty-answer message, balance and cost:
`cot-viewer` run in-process against the loopback server; what is asserted is the request
body the server received (and what the user is told)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from loopback import (
    deepseek_balance,
    deepseek_chunks,
    error_reply,
    ollama_chunks,
    openrouter_chunks,
    stream_reply,
    vllm_chunks,
)

from cot_viewer.cli import main

KEY = "sk-thinking-test-key-0123456789"


@pytest.fixture
def env(tmp_path, monkeypatch) -> Path:
    for k in ("DEEPSEEK_API_KEY", "OPENROUTER_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "COT_VIEWER_PROVIDER",
              "COT_VIEWER_CONFIG", "VLLM_API_KEY", "GROQ_API_KEY"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("COT_VIEWER_HOME", str(tmp_path))
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ask(server, capsys, provider: str, *flags: str, chunks=None, prompt: str = "Why?") -> tuple[int, dict, str]:
    """`ask --json --provider P` at the loopback server; (exit code, request body, stderr)."""
    base = server.root_url if provider == "deepseek" else server.base_url
    server.enqueue(stream_reply(chunks if chunks is not None else deepseek_chunks("Hmm.", "Yes.", model="deepseek-flash")))
    code, out, err = run(capsys, "ask", "--json", "--provider", provider, "--base-url", base, *flags, prompt)
    assert out, err
    return code, server.completions[-1].body, err


def without(body: dict, *keys: str) -> dict:
    return {k: v for k, v in body.items() if k not in ("messages", "stream", "stream_options", *keys)}


# -- DeepSeek ------------------------------------------------------------------------------

def test_newcomer_with_only_a_deepseek_key_gets_flash_with_thinking(server, env, capsys, monkeypatch):
    cfg = env / "config.toml"
    cfg.write_text(f'[providers.deepseek]\nbase_url = "{server.root_url}"\n')  # only to reach the loopback
    monkeypatch.setenv("COT_VIEWER_CONFIG", str(cfg))
    server.enqueue(stream_reply(deepseek_chunks("Let me count the primes.", "25", model="deepseek-flash")))
    code, out, err = run(capsys, "ask", "--plain", "How many primes below 100?")
    assert code == 0, err
    assert out == "25\n" and "Let me count the primes." in err
    req = server.completions[0]
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert without(req.body) == {"model": "deepseek-flash", "thinking": {"type": "enabled"}}


def test_deepseek_effort_max(server, env, capsys):
    code, body, err = ask(server, capsys, "deepseek", "--effort", "max")
    assert code == 0, err
    assert without(body) == {"model": "deepseek-flash", "thinking": {"type": "enabled"}, "reasoning_effort": "max"}
    assert "note:" not in err


def test_deepseek_no_think_and_param(server, env, capsys):
    code, body, err = ask(server, capsys, "deepseek", "--no-think", "--param", "temperature=0.2",
                          "--param", "response_format.type=\"text\"", "--param", "user=alice")
    assert code == 0, err
    assert without(body) == {"model": "deepseek-flash", "thinking": {"type": "disabled"}, "temperature": 0.2,
                             "response_format": {"type": "text"}, "user": "alice"}


def test_deepseek_medium_and_budget_are_said_not_dropped(server, env, capsys):
    code, body, err = ask(server, capsys, "deepseek", "--effort", "medium", "--thinking-budget", "1000")
    assert code == 0, err
    assert body["reasoning_effort"] == "high" and "thinking_token_budget" not in body and "max_tokens" not in body
    notes = [line for line in err.splitlines() if line.startswith("cot-viewer: note:")]
    assert len(notes) == 2
    assert "no effort 'medium'; sent 'high'" in notes[0] and "--thinking-budget 1000 not sent" in notes[1]


@pytest.mark.parametrize("old, thinking", [("deepseek-reasoner", "enabled"), ("deepseek-chat", "disabled")])
def test_retired_deepseek_names_are_mapped_with_a_notice(server, env, capsys, old, thinking):
    code, body, err = ask(server, capsys, "deepseek", "--model", old)
    assert code == 0, err
    assert body["model"] == "deepseek-flash" and body["thinking"] == {"type": thinking}
    [note] = [line for line in err.splitlines() if "note:" in line]
    assert old in note and "deepseek-flash" in note


def test_explicit_think_wins_over_the_retired_name(server, env, capsys):
    code, body, err = ask(server, capsys, "deepseek", "--model", "deepseek-chat", "--think", "--effort", "low")
    assert code == 0
    assert (body["model"], body["thinking"], body["reasoning_effort"]) == ("deepseek-flash", {"type": "enabled"}, "low")
    [note] = [line for line in err.splitlines() if "note:" in line]  # says what is sent, not the old default
    assert "deepseek-chat" in note and "thinking on" in note and "thinking off" not in note


def test_unknown_model_names_it_and_suggests_models(server, env, capsys):
    server.enqueue(error_reply(400, "Model Not Exist", type_="invalid_request_error"))
    code, out, err = run(capsys, "ask", "--plain", "--provider", "deepseek", "--base-url", server.root_url,
                         "--model", "deepseek-v9", "hi")
    assert code == 7
    line = err.strip().splitlines()[-1]
    assert "'deepseek-v9' does not exist" in line and "`cot-viewer models --provider deepseek`" in line
    assert KEY not in err


@pytest.mark.parametrize("status, said, code, words", [
    (400, "This model does not support reasoning_effort 'max'", 7, "the server rejected the request"),
    (422, "Unknown parameter 'thinking_token_budget' for this model", 7, "the server rejected the request"),
    (500, "Unknown error while the model was loading", 6, "server error"),
])
def test_a_rejected_setting_is_not_called_an_unknown_model(server, env, capsys, status, said, code, words):
    """Servers mention the model when they refuse a thinking field; that is not "no such model"."""
    server.enqueue(error_reply(status, said))
    got, out, err = run(capsys, "ask", "--plain", "--retries", "0", "--provider", "deepseek",
                        "--base-url", server.root_url, "--effort", "max", "hi")
    line = err.strip().splitlines()[-1]
    assert got == code and words in line and said in line
    assert "does not exist" not in line


def test_effort_none_turns_thinking_off_where_the_effort_field_has_no_none(server, env, capsys):
    """`--help` offers `none`; DeepSeek's reasoning_effort takes low/high/max only."""
    code, body, err = ask(server, capsys, "deepseek", "--effort", "none")
    assert code == 0, err
    assert without(body) == {"model": "deepseek-flash", "thinking": {"type": "disabled"}}
    assert "--effort none: sent as thinking off" in err
    code, body, err = ask(server, capsys, "ollama", "--effort", "none", chunks=ollama_chunks("Hmm.", "Yes."))
    assert without(body, "model") == {"reasoning_effort": "none"} and "note:" not in err  # Ollama's own word


# -- the other presets -----------------------------------------------------------------------

def test_openrouter_mapping(server, env, capsys):
    chunks = openrouter_chunks("Hmm.", "Yes.")
    code, body, err = ask(server, capsys, "openrouter", "--effort", "max", chunks=chunks)
    assert code == 0, err
    assert without(body) == {"model": "deepseek/deepseek-v4-flash", "reasoning": {"effort": "xhigh"}}
    code, body, err = ask(server, capsys, "openrouter", "--no-think", chunks=chunks)
    assert without(body, "model") == {"reasoning": {"enabled": False}}
    code, body, err = ask(server, capsys, "openrouter", "--think", "--effort", "high", "--thinking-budget", "2000",
                          "--param", "reasoning.exclude=false", chunks=chunks)
    assert without(body, "model") == {"reasoning": {"enabled": True, "max_tokens": 2000, "exclude": False}}
    assert "not both; sent the budget" in err


def test_ollama_mapping(server, env, capsys):
    chunks = ollama_chunks("Hmm.", "Yes.")
    code, body, err = ask(server, capsys, "ollama", "--no-think", chunks=chunks)
    assert code == 0, err
    assert without(body) == {"model": "deepseek-r1", "reasoning_effort": "none"}
    code, body, err = ask(server, capsys, "ollama", "--effort", "low", "--thinking-budget", "300", chunks=chunks)
    assert without(body, "model") == {"reasoning_effort": "low"}
    assert "takes no thinking budget" in err


def test_vllm_mapping(server, env, capsys):
    chunks = vllm_chunks("Hmm.", "Yes.")
    code, body, err = ask(server, capsys, "vllm", "--model", "Qwen/Qwen3-8B", "--no-think", chunks=chunks)
    assert code == 0, err
    assert without(body) == {"model": "Qwen/Qwen3-8B", "chat_template_kwargs": {"enable_thinking": False}}
    code, body, err = ask(server, capsys, "vllm", "--model", "Qwen/Qwen3-8B", "--think", "--effort", "high",
                          "--thinking-budget", "512", chunks=chunks)
    assert without(body, "model") == {"chat_template_kwargs": {"enable_thinking": True}, "reasoning_effort": "high",
                                      "thinking_token_budget": 512}
    assert "note:" not in err


def test_llamacpp_budget_and_custom_switch_are_warned(server, env, capsys):
    chunks = vllm_chunks("Hmm.", "Yes.")
    code, body, err = ask(server, capsys, "llamacpp", "--model", "q", "--thinking-budget", "64", chunks=chunks)
    assert code == 0 and "thinking_token_budget" not in body and "--reasoning-budget" in err
    server.enqueue(stream_reply(chunks))
    code, out, err = run(capsys, "ask", "--json", "--base-url", server.base_url, "--model", "m", "--no-think", "--effort", "xhigh", "q")
    body = server.completions[-1].body
    assert without(body) == {"model": "m", "reasoning_effort": "xhigh"}
    assert "no switch to turn thinking off" in err


def test_bad_param_is_a_usage_error(server, env, capsys):
    for bad in ("stream=false", "messages=[]", "noequals"):
        code, out, err = run(capsys, "ask", "--plain", "--provider", "deepseek", "--base-url", server.root_url, "--param", bad, "q")
        assert code == 2 and err.startswith("cot-viewer: --param") and len(err.strip().splitlines()) == 1
    assert server.completions == []


def test_config_file_defaults_per_provider(server, env, capsys, monkeypatch):
    cfg = env / "config.toml"
    cfg.write_text('[providers.deepseek]\neffort = "high"\nparams = { top_p = 0.9 }\n'
                   '[providers.lab]\npreset = "vllm"\nthink = false\n')
    monkeypatch.setenv("COT_VIEWER_CONFIG", str(cfg))
    code, body, err = ask(server, capsys, "deepseek")
    assert code == 0, err
    assert without(body, "model") == {"thinking": {"type": "enabled"}, "reasoning_effort": "high", "top_p": 0.9}
    code, body, err = ask(server, capsys, "deepseek", "--effort", "low")  # a flag beats the file
    assert body["reasoning_effort"] == "low" and body["top_p"] == 0.9
    code, body, err = ask(server, capsys, "lab", "--model", "q", chunks=vllm_chunks("Hmm.", "Yes."))
    assert without(body, "model") == {"chat_template_kwargs": {"enable_thinking": False}}


# -- stored, shown, reused -------------------------------------------------------------------

def test_settings_stored_shown_and_reused_by_follow_ups(server, env, capsys):
    code, body, err = ask(server, capsys, "deepseek", "--effort", "max", "--param", "temperature=0.5")
    code, out, err = run(capsys, "history", "list", "--json")
    [row] = json.loads(out)
    code, out, _ = run(capsys, "history", "show", row["id"], "--json")
    doc = json.loads(out)
    assert doc["settings"]["effort"] == "max" and doc["settings"]["sent"]["reasoning_effort"] == "max"
    assert doc["settings"]["params"] == {"temperature": 0.5}
    code, out, _ = run(capsys, "history", "show", row["id"])
    assert "thinking: effort max · thinking on · temperature=0.5" in out and '"reasoning_effort": "max"' in out
    assert "cost: ~" in out and "USD (estimate)" in out

    # a follow-up reuses them…
    server.enqueue(stream_reply(deepseek_chunks("More.", "Sure.", model="deepseek-flash")))
    code, out, err = run(capsys, "ask", "--json", "--provider", "deepseek", "--base-url", server.root_url, "-c", "and then?")
    assert code == 0, err
    body = server.completions[-1].body
    assert body["reasoning_effort"] == "max" and body["temperature"] == 0.5 and len(body["messages"]) == 3
    assert json.loads(out)["settings"]["effort"] == "max"
    # …unless overridden
    server.enqueue(stream_reply(deepseek_chunks("More.", "Sure.", model="deepseek-flash")))
    code, out, err = run(capsys, "ask", "--json", "--provider", "deepseek", "--base-url", server.root_url, "-c", "--no-think", "why?")
    body = server.completions[-1].body
    assert body["thinking"] == {"type": "disabled"} and "reasoning_effort" not in body and body["temperature"] == 0.5
    assert "--effort max not sent: thinking is off" in err
    # the next follow-up sends the same, and the note said on the turn before is not repeated
    server.enqueue(stream_reply(deepseek_chunks("More.", "Sure.", model="deepseek-flash")))
    code, out, err = run(capsys, "ask", "--json", "--provider", "deepseek", "--base-url", server.root_url, "-c", "so?")
    assert code == 0, err
    body = server.completions[-1].body
    assert body["thinking"] == {"type": "disabled"} and "reasoning_effort" not in body
    assert "note:" not in err
    assert json.loads(out)["settings"]["notices"] == ["--effort max not sent: thinking is off"]  # still on record


def test_a_follow_up_on_another_provider_keeps_the_settings_but_not_the_request_fields(server, env, capsys):
    """--param fields are one provider's; effort, thinking and budget mean the same everywhere."""
    ask(server, capsys, "openrouter", "--effort", "high", "--param", "reasoning.exclude=false",
        chunks=openrouter_chunks("Hmm.", "Yes."))
    server.enqueue(stream_reply(deepseek_chunks("More.", "Sure.", model="deepseek-flash")))
    code, out, err = run(capsys, "ask", "--json", "--provider", "deepseek", "--base-url", server.root_url, "-c", "and?")
    assert code == 0, err
    body = server.completions[-1].body
    assert without(body) == {"model": "deepseek-flash", "thinking": {"type": "enabled"}, "reasoning_effort": "high"}
    [note] = [line for line in err.splitlines() if "note:" in line]
    assert "reasoning.exclude" in note and "openrouter" in note and "deepseek" in note
    assert json.loads(out)["settings"]["notices"] == [note.removeprefix("cot-viewer: note: ")]  # on record too
    # on the same provider they are kept
    server.enqueue(stream_reply(deepseek_chunks("More.", "Sure.", model="deepseek-flash")))
    run(capsys, "ask", "--json", "--provider", "deepseek", "--base-url", server.root_url, "--param", "seed=1", "fresh")
    server.enqueue(stream_reply(deepseek_chunks("More.", "Sure.", model="deepseek-flash")))
    code, out, err = run(capsys, "ask", "--json", "--provider", "deepseek", "--base-url", server.root_url, "-c", "and?")
    assert server.completions[-1].body["seed"] == 1 and "note:" not in err


def test_exports_carry_settings_and_cost(server, env, capsys, tmp_path, monkeypatch):
    ask(server, capsys, "deepseek", "--effort", "low")
    code, out, _ = run(capsys, "history", "list", "--json")
    tid = json.loads(out)[0]["id"]
    code, md, _ = run(capsys, "history", "export", tid, "--format", "md")
    assert "| Thinking settings | effort low · thinking on |" in md and "USD (estimate)" in md
    code, page, _ = run(capsys, "history", "export", tid, "--format", "html")
    assert "effort low" in page and "USD (estimate)" in page
    code, exported, _ = run(capsys, "history", "export", tid, "--format", "json")
    doc = json.loads(exported)
    assert doc["settings"]["sent"] == {"thinking": {"type": "enabled"}, "reasoning_effort": "low"}
    assert doc["prices"]["currency"] == "USD" and doc["cost"]["estimate"] is True
    # imported elsewhere, the settings and the price come along
    f = tmp_path / "t.json"
    f.write_text(exported)
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("COT_VIEWER_HOME", str(other))
    assert run(capsys, "history", "import", str(f))[0] == 0
    code, out, _ = run(capsys, "history", "show", tid, "--json")
    again = json.loads(out)
    assert again["settings"] == doc["settings"] and again["cost"] == doc["cost"]


def test_exports_carry_the_thinking_notes(server, env, capsys):
    ask(server, capsys, "deepseek", "--effort", "max", "--thinking-budget", "5")
    code, out, _ = run(capsys, "history", "list", "--json")
    code, md, _ = run(capsys, "history", "export", json.loads(out)[0]["id"], "--format", "md")
    assert "| Thinking settings | effort max · thinking on |" in md
    assert "| Thinking notes | deepseek takes no thinking budget in the request; --thinking-budget 5 not sent |" in md


# -- cost ---------------------------------------------------------------------------------------

def test_cost_uses_cache_hits_misses_and_reasoning_tokens(server, env, capsys, monkeypatch):
    usage = {"prompt_tokens": 1000, "completion_tokens": 3000, "total_tokens": 4000,
             "prompt_cache_hit_tokens": 800, "prompt_cache_miss_tokens": 200,
             "completion_tokens_details": {"reasoning_tokens": 2500}}
    cfg = env / "config.toml"
    cfg.write_text('[prices."deepseek-flash"]\ncurrency = "CNY"\ninput = 2\ncached_input = 0.5\noutput = 8\n')
    monkeypatch.setenv("COT_VIEWER_CONFIG", str(cfg))
    server.enqueue(stream_reply(deepseek_chunks("Hmm.", "Yes.", model="deepseek-flash", usage=usage)))
    code, out, err = run(capsys, "ask", "--json", "--provider", "deepseek", "--base-url", server.root_url, "q")
    cost = json.loads(out)["cost"]
    # 200 × 2 + 800 × 0.5 + 3000 × 8, per million
    assert cost == {"amount": pytest.approx(0.0248), "currency": "CNY", "estimate": True, "source": "config file"}


def test_openrouter_reported_cost_wins(server, env, capsys):
    usage = {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30, "cost": 0.00123}
    code, body, err = ask(server, capsys, "openrouter", chunks=openrouter_chunks("Hmm.", "Yes.", usage=usage))
    code, out, _ = run(capsys, "history", "list", "--json")
    code, out, _ = run(capsys, "history", "show", json.loads(out)[0]["id"], "--json")
    assert json.loads(out)["cost"] == {"amount": 0.00123, "currency": "USD", "estimate": False,
                                      "source": "reported by the server (usage.cost)"}


# -- why the answer is empty ---------------------------------------------------------------------

def test_reasoning_used_up_max_tokens(server, env, capsys):
    usage = {"prompt_tokens": 9, "completion_tokens": 100, "total_tokens": 109,
             "completion_tokens_details": {"reasoning_tokens": 100}}
    server.enqueue(stream_reply(deepseek_chunks("Thinking " * 30, "", finish_reason="length", usage=usage,
                                                model="deepseek-flash")))
    code, out, err = run(capsys, "ask", "--plain", "--provider", "deepseek", "--base-url", server.root_url,
                         "--max-tokens", "100", "--effort", "max", "q")
    assert code == 10 and out == ""
    line = err.strip().splitlines()[-1]
    assert line == ("cot-viewer: the answer is empty: the reasoning used the whole token limit (--max-tokens 100; "
                    "100 reasoning + 0 answer tokens) — raise --max-tokens "
                    "(e.g. --max-tokens 4096) or lower --effort")
    assert server.completions[0].body["max_tokens"] == 100


# -- balance ---------------------------------------------------------------------------------------

def test_balance_deepseek(server, env, capsys):
    code, out, err = run(capsys, "balance", "--provider", "deepseek", "--base-url", server.root_url)
    assert code == 0, err
    assert out == "deepseek: 12.34 USD (granted 2.00, topped up 10.34)\n"
    req = server.requests[-1]
    assert (req.method, req.path, req.headers["authorization"]) == ("GET", "/user/balance", f"Bearer {KEY}")
    server.balance = deepseek_balance("0.00", granted="0.00", topped_up="0.00", currency="CNY", available=False)
    code, out, _ = run(capsys, "balance", "--json", "--provider", "deepseek", "--base-url", server.root_url)
    assert code == 4
    assert json.loads(out) == {"provider": "deepseek", "is_available": False, "balances": [
        {"currency": "CNY", "total": 0.0, "granted": 0.0, "topped_up": 0.0}]}


def test_balance_openrouter_and_errors(server, env, capsys):
    code, out, err = run(capsys, "balance", "--provider", "openrouter", "--base-url", server.base_url)
    assert code == 0, err
    assert out == "openrouter: 74.75 USD left (100.50 bought, 25.75 used)\n"
    assert server.requests[-1].path == "/v1/credits"
    server.credits = error_reply(403, "Forbidden")
    code, out, err = run(capsys, "balance", "--provider", "openrouter", "--base-url", server.base_url)
    assert code == 3 and "management key" in err
    code, out, err = run(capsys, "balance", "--provider", "ollama", "--base-url", server.base_url)
    assert code == 2 and "DeepSeek and OpenRouter" in err


def test_insufficient_balance_message_shows_the_balance(server, env, capsys):
    server.enqueue(error_reply(402, "Insufficient Balance"))
    server.balance = deepseek_balance("0.01", granted="0.00", topped_up="0.01", available=False)
    code, out, err = run(capsys, "ask", "--plain", "--provider", "deepseek", "--base-url", server.root_url, "q")
    assert code == 4
    line = err.strip().splitlines()[-1]
    assert "insufficient balance (HTTP 402)" in line
    assert line.endswith("— balance: 0.01 USD (granted 0.00, topped up 0.01) — not enough to make requests")


def test_help_lists_the_flags(capsys):
    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    out = capsys.readouterr().out
    for flag in ("--effort LEVEL", "--think", "--no-think", "--thinking-budget N", "--param KEY=JSON"):
        assert flag in out


def test_config_mistakes_are_one_line_usage_errors(server, env, capsys, monkeypatch):
    cfg = env / "config.toml"
    monkeypatch.setenv("COT_VIEWER_CONFIG", str(cfg))
    for text, said in (('[providers.deepseek]\ndialect = "klingon"\n', "unknown dialect 'klingon'"),
                       ('[providers.deepseek]\nthink = "yes"\n', "'think' must be true or false"),
                       ('[prices."deepseek-flash"]\ninput = "cheap"\noutput = 1\n', 'prices."deepseek-flash"'),
                       ('prices = 3\n', '[prices."MODEL"] tables expected'),
                       ('[prices]\n"deepseek-flash" = 3\n', '[prices."MODEL"] tables expected')):
        cfg.write_text(text)
        code, out, err = run(capsys, "ask", "--plain", "--provider", "deepseek", "--base-url", server.root_url, "q")
        assert code == 2 and said in err and len(err.strip().splitlines()) == 1, err
    assert server.completions == []
