"""thinking.py: the settings object, --param parsing, the TUI's inline flags, precedence."""

from __future__ import annotations

import pytest

from cot_viewer.thinking import SettingsError, ThinkingSettings, parse_param, plan_request, split_inline_flags


def test_inline_flags_before_a_question():
    s, q = split_inline_flags("--effort high --no-think --thinking-budget=300 --param top_k=20 why is the sky blue?")
    assert (s.effort, s.think, s.budget, dict(s.params), q) == ("high", False, 300, {"top_k": 20}, "why is the sky blue?")
    s, q = split_inline_flags('--effort low what\'s "x"?  ')
    assert s.effort == "low" and q == 'what\'s "x"?'  # the question as typed
    s, q = split_inline_flags("what does --effort mean?")
    assert s.empty and q == "what does --effort mean?"
    s, q = split_inline_flags("--verbose question")  # an unknown flag is part of the question
    assert s.empty and q == "--verbose question"
    with pytest.raises(SettingsError):
        split_inline_flags("--thinking-budget lots why?")


def test_param_values_are_json_else_text():
    assert parse_param('stop=["\\n\\n"]') == ("stop", ["\n\n"])
    assert parse_param("seed=7") == ("seed", 7)
    assert parse_param("user=alice") == ("user", "alice")
    for bad in ("=1", "model=x", "stream.x=1"):
        with pytest.raises(SettingsError):
            parse_param(bad)


def test_precedence_and_params_merge():
    config = ThinkingSettings(effort="high", params={"top_p": 0.9, "seed": 1})
    previous = ThinkingSettings(think=False, params={"seed": 2})
    flags = ThinkingSettings(effort="low")
    s = flags.over(previous.over(config))
    assert (s.effort, s.think, dict(s.params)) == ("low", False, {"top_p": 0.9, "seed": 2})


def test_record_round_trips_through_from_dict():
    plan = plan_request("openrouter", "openrouter", "m", ThinkingSettings(effort="max", budget=None, params={"a": 1}))
    again = ThinkingSettings.from_dict(plan.record())
    assert again == plan.settings
    assert plan.record()["sent"] == {"reasoning": {"effort": "xhigh"}, "a": 1}


def test_config_values_are_checked():
    for bad in ({"effort": 3}, {"think": "yes"}, {"thinking_budget": -1}, {"params": {"messages": []}}):
        with pytest.raises(SettingsError):
            ThinkingSettings.from_dict(bad)


def test_description_is_what_was_sent_not_what_was_asked():
    """The status line, `history show` and the exports describe the request as sent."""
    from cot_viewer.thinking import describe

    default = plan_request("deepseek", "deepseek", "deepseek-flash", ThinkingSettings())
    assert default.fields == {"thinking": {"type": "enabled"}}
    assert describe(default.record()) == "thinking on"  # DeepSeek's switch is always sent
    off = plan_request("deepseek", "deepseek", "deepseek-flash", ThinkingSettings(effort="max", think=False, budget=5))
    assert describe(off.record()) == "thinking off"  # effort and budget were not sent (notes say so)
    assert ThinkingSettings.from_dict(off.record()) == off.settings  # a follow-up still inherits what was asked
    mapped = plan_request("ollama", "ollama", "m", ThinkingSettings(effort="max"))
    assert describe(mapped.record()) == "effort high"
    assert describe(plan_request("openai", "custom", "m", ThinkingSettings(think=True)).record()) == ""


def test_a_reserved_key_in_the_config_file_names_the_table_not_a_flag():
    with pytest.raises(SettingsError) as caught:
        ThinkingSettings.from_dict({"params": {"model": "x"}}, "[providers.deepseek]")
    assert str(caught.value).startswith("[providers.deepseek]: params.model: cannot set 'model'")
    assert "--param" not in str(caught.value)
    with pytest.raises(SettingsError, match=r"^--param stream\.x: cannot set 'stream'"):
        parse_param("stream.x=1")


def test_notes_already_said_on_the_turn_before_are_not_repeated():
    from cot_viewer.request import AskRequest
    from cot_viewer.stream.endpoint import Endpoint

    first = AskRequest.build(Endpoint("deepseek", "http://x", "deepseek-flash"), "deepseek",
                             ThinkingSettings(effort="max", think=False))
    assert first.new_notices(None) == ["--effort max not sent: thinking is off"]
    record = first.plan.record()
    again = first.with_settings(ThinkingSettings(params={"seed": 1}))  # a follow-up changing something else
    assert again.plan.notices == ["--effort max not sent: thinking is off"]  # still on record…
    assert again.new_notices(record) == []  # …but not said twice
    budget = first.with_settings(ThinkingSettings(budget=10))
    assert budget.new_notices(record) == ["--thinking-budget 10 not sent: thinking is off"]
