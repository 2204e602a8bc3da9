"""The separator against every edge case in shared/reference/wire-formats.md (numbered as there)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cot_viewer.stream.events import AnswerDelta, Finish, ReasoningDelta, Reclassify, StreamError, Usage
from cot_viewer.stream.separator import Separator
from cot_viewer.transcript import Transcript


def chunk(delta=None, *, index=0, finish=None, usage=None, choices=True, **extra):
    c: dict = dict(extra)
    if choices:
        c["choices"] = [{"index": index, "delta": delta or {}, "finish_reason": finish}]
    else:
        c["choices"] = []
    if usage is not None:
        c["usage"] = usage
    return c


def run(chunks, *, finish=True):
    sep = Separator()
    out: list = []
    for i, c in enumerate(chunks):
        sep.feed(c, float(i), out)
    if finish:
        sep.finish(float(len(chunks)), out)
    return out


def texts(events, index=0):
    """(reasoning, answer) as a consumer sees them, Reclassify applied."""
    tr = Transcript(prompt="p", messages=[])
    for e in events:
        if getattr(e, "index", 0) == index:
            e = type(e)(**{**{s: getattr(e, s) for s in e.__slots__}, "index": 0}) if hasattr(e, "index") else e
            tr.apply(e)
    return tr.reasoning, tr.answer


def content_stream(text: str, n: int):
    return [chunk({"content": text[i : i + n]}) for i in range(0, len(text), n)] + [chunk(finish="stop")]


INLINE = "<think>\nLet me think: 2 + 2.\n\nWait, yes it is 4.\n</think>\n\nThe answer is **4**."


# OpenThoughts / Bespoke-Stratos: <|begin_of_thought|>…<|end_of_thought|>, answer in <|begin_of_solution|>…
THOUGHT = (
    "<|begin_of_thought|>\n\nLet me think: 2 + 2 < 5.\n\nWait, yes it is 4.\n\n<|end_of_thought|>\n\n"
    "<|begin_of_solution|>\n\nThe answer is **4**.\n\n<|end_of_solution|>"
)


# 1. tags split across chunks, down to one character per chunk
@pytest.mark.parametrize("text, reasoning", [(INLINE, "Let me think: 2 + 2."), (THOUGHT, "Let me think: 2 + 2 < 5.")])
def test_tags_split_down_to_one_character(text, reasoning):
    for n in range(1, len(text) + 1):
        r, a = texts(run(content_stream(text, n)))
        assert r == reasoning + "\n\nWait, yes it is 4.", n
        assert a == "The answer is **4**.", n


# 2. only the next expected tag: a later <think> is answer text
def test_literal_think_tag_in_answer_is_answer():
    text = "<think>plan</think>Use the <think> tag and </think> tag like this."
    r, a = texts(run(content_stream(text, 3)))
    assert r == "plan"
    assert a == "Use the <think> tag and </think> tag like this."


def test_think_tag_not_at_start_is_text():
    r, a = texts(run(content_stream("Hello <think>x</think> world", 2)))
    assert r == "Hello <think>x"  # bare </think> closes: everything before it was reasoning
    assert a == "world"


# 3. no <think> but a </think> later: everything before it was reasoning
def test_missing_open_tag_reclassifies():
    text = "I reason without an opening tag.\n</think>\n\nFinal."
    events = run(content_stream(text, 5))
    cut = next(i for i, e in enumerate(events) if isinstance(e, Reclassify))
    assert all(e.provisional for e in events[:cut] if isinstance(e, AnswerDelta))
    assert not any(e.provisional for e in events[cut:] if isinstance(e, AnswerDelta))
    r, a = texts(events)
    assert (r, a) == ("I reason without an opening tag.", "Final.")


def test_no_tags_at_all_is_answer():
    r, a = texts(run(content_stream("Just an answer with a < sign and </b>.", 4)))
    assert (r, a) == ("", "Just an answer with a < sign and </b>.")


# 4. empty reasoning: no empty block
def test_empty_reasoning_field_and_empty_think_block():
    events = run([chunk({"role": "assistant", "content": None, "reasoning_content": ""}), chunk({"content": "Hi", "reasoning_content": None}), chunk(finish="stop")])
    assert not any(isinstance(e, ReasoningDelta) for e in events)
    assert texts(events) == ("", "Hi")
    events = run(content_stream("<think>\n\n</think>\n\nHello there", 3))
    assert not any(isinstance(e, ReasoningDelta) for e in events)
    assert texts(events) == ("", "Hello there")


# 5. stream ends in reasoning: kept, answer empty
def test_stream_ends_in_reasoning():
    events = run([chunk({"content": "<think>\nstill thinking about it"}), chunk(finish="length")])
    assert texts(events) == ("still thinking about it", "")
    assert any(isinstance(e, Finish) and e.reason == "length" for e in events)
    events = run([chunk({"content": "<think>\ncut off mid </thi"})], finish=True)
    assert texts(events) == ("cut off mid </thi", "")


# 6. once a reasoning field appeared, content is answer (stray leading tag dropped)
def test_field_then_content_with_stray_tag():
    events = run([
        chunk({"reasoning_content": "Thinking."}),
        chunk({"content": "</thi"}), chunk({"content": "nk>\n\nAnswer"}), chunk({"content": " text."}),
        chunk(finish="stop"),
    ])
    assert texts(events) == ("Thinking.", "Answer text.")


# 7. duplicated fields counted once
def test_reasoning_and_reasoning_content_same_text_once():
    events = run([chunk({"reasoning": "abc", "reasoning_content": "abc"}), chunk({"reasoning": "def", "reasoning_content": "def"}), chunk({"content": "X"})])
    assert texts(events) == ("abcdef", "X")


def test_reasoning_details_duplicate_reasoning():
    d = {"reasoning": "one ", "reasoning_details": [{"type": "reasoning.text", "text": "one "}]}
    events = run([chunk(d), chunk({"reasoning_details": [{"type": "reasoning.text", "text": "two"}]}), chunk({"content": "ok"})])
    assert texts(events) == ("one two", "ok")
    # encrypted details carry no text
    events = run([chunk({"reasoning_details": [{"type": "reasoning.encrypted", "data": "xyz"}]}), chunk({"content": "ok"})])
    assert texts(events) == ("", "ok")


# 8. reasoning and content in one delta: reasoning first
def test_reasoning_and_content_same_delta():
    events = run([chunk({"reasoning": "end of thought."}), chunk({"reasoning": " last", "content": "Answer starts"})])
    kinds = [type(e).__name__ for e in events if isinstance(e, (ReasoningDelta, AnswerDelta))]
    assert kinds == ["ReasoningDelta", "ReasoningDelta", "AnswerDelta"]
    assert texts(events) == ("end of thought. last", "Answer starts")


# 9. whitespace after </think> stripped from the answer's start only
def test_whitespace_after_close_tag():
    r, a = texts(run(content_stream("<think>x</think>\n\n  \n  Answer\n\n  with gaps  ", 1)))
    assert a == "Answer\n\n  with gaps  "


# 10. tool_calls right after reasoning close it
def test_tool_calls_close_reasoning():
    events = run([
        chunk({"content": "<think>need a tool"}),
        chunk({"tool_calls": [{"index": 0, "id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}),
        chunk({"content": "After the tool."}),
        chunk(finish="tool_calls"),
    ])
    assert texts(events) == ("need a tool", "After the tool.")


# 11. n > 1: state per index
def test_multiple_choices_keep_separate_state():
    chunks = []
    a = "<think>alpha</think>A"
    b = "<think>beta</think>B"
    for i in range(max(len(a), len(b))):
        if i < len(a):
            chunks.append(chunk({"content": a[i]}, index=0))
        if i < len(b):
            chunks.append(chunk({"content": b[i]}, index=1))
    events = run(chunks)
    assert texts(events, 0) == ("alpha", "A")
    assert texts(events, 1) == ("beta", "B")


# 12. role repeated; content null vs ""
def test_role_repeated_and_null_content():
    events = run([chunk({"role": "assistant", "content": ""}), chunk({"role": "assistant", "content": None, "reasoning": "r"}), chunk({"role": "assistant", "content": "a"})])
    assert texts(events) == ("r", "a")


# 13. choices: [] chunks never indexed blindly; 14. usage in either place
def test_empty_choices_and_usage_either_place():
    usage = {"prompt_tokens": 3, "completion_tokens": 5, "completion_tokens_details": {"reasoning_tokens": 2}}
    events = run([
        {"choices": [], "prompt_filter_results": [{"prompt_index": 0}]},
        chunk({"reasoning_content": "r"}),
        chunk({"content": "a"}, finish="stop", usage=usage),  # DeepSeek: on the last choice chunk
    ])
    assert [e.usage for e in events if isinstance(e, Usage)] == [usage]
    events = run([chunk({"reasoning": "r"}), chunk(finish="stop"), {"choices": [], "usage": usage}])  # vLLM/OpenRouter
    assert [e.usage for e in events if isinstance(e, Usage)] == [usage]
    run([{"id": "x"}, {"choices": None}, {"choices": ["junk"]}])  # nothing to index: no crash


# 18. an error object in a 200 stream
def test_error_chunk_in_stream():
    events = run([chunk({"reasoning": "r"}), {"error": {"message": "Provider overloaded", "code": 502}, "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]}])
    errs = [e for e in events if isinstance(e, StreamError)]
    assert len(errs) == 1 and "Provider overloaded" in errs[0].message and errs[0].kind == "stream"
    assert texts(events) == ("r", "")


# 21. unknown finish_reason passed through
def test_unknown_finish_reason_passes_through():
    events = run([chunk({"content": "x"}, finish="something_new")])
    assert [e.reason for e in events if isinstance(e, Finish)] == ["something_new"]


# 22. markup, ANSI, HTML, LaTeX, fences: verbatim
def test_hostile_text_kept_verbatim():
    nasty = "[bold]x[/] \x1b[31mred\x1b[0m <script>alert(1)</script> $\\frac{1}{2}$ ```py\nprint(1)\n```"
    r, a = texts(run([chunk({"reasoning_content": nasty}), chunk({"content": nasty})]))
    assert r == nasty and a == nasty


def test_events_carry_time():
    sep = Separator()
    out: list = []
    sep.feed(chunk({"reasoning": "a"}), 1.25, out)
    sep.feed(chunk({"content": "b"}), 2.5, out)
    assert [e.t for e in out] == [1.25, 2.5]


# property: any split of the stream into chunks gives the same reasoning and answer
_TEXT = st.text(alphabet=st.sampled_from(list("ab <>/thinkTHINK\n é😀")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(reasoning=_TEXT, answer=_TEXT, cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=30), inline=st.booleans(), open_tag=st.booleans())
def test_any_split_gives_identical_result(reasoning, answer, cuts, inline, open_tag):
    if inline:
        text = ("<think>" if open_tag else "") + reasoning + "</think>" + answer
        whole = texts(run([chunk({"content": text}), chunk(finish="stop")]))
        bounds = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
        pieces = [text[a:b] for a, b in zip(bounds, bounds[1:])]
        split = texts(run([chunk({"content": p}) for p in pieces] + [chunk(finish="stop")]))
    else:
        whole = texts(run([chunk({"reasoning_content": reasoning}), chunk({"content": answer}), chunk(finish="stop")]))
        rb = sorted({c % (len(reasoning) + 1) for c in cuts} | {0, len(reasoning)})
        ab = sorted({c % (len(answer) + 1) for c in cuts} | {0, len(answer)})
        chunks = [chunk({"reasoning_content": reasoning[a:b]}) for a, b in zip(rb, rb[1:])]
        chunks += [chunk({"content": answer[a:b]}) for a, b in zip(ab, ab[1:])]
        split = texts(run(chunks + [chunk(finish="stop")]))
    assert split == whole


@settings(max_examples=200, deadline=None)
@given(reasoning=st.text(max_size=60).filter(lambda s: "</think>" not in s and s.strip() == s and s), answer=st.text(max_size=60).filter(lambda s: s.strip() == s), n=st.integers(min_value=1, max_value=9))
def test_inline_recovers_what_was_sent(reasoning, answer, n):
    text = "<think>\n" + reasoning + "\n</think>\n\n" + answer
    assert texts(run(content_stream(text, n))) == (reasoning, answer)



def test_thought_block_closes_only_on_its_own_tag():
    text = "<|begin_of_thought|>the </think> tag is text<|end_of_thought|>Answer: <think> too"
    r, a = texts(run(content_stream(text, 4)))
    assert r == "the </think> tag is text"
    assert a == "Answer: <think> too"


def test_solution_tags_only_matter_after_a_thought_block():
    text = "<think>r</think><|begin_of_solution|>x<|end_of_solution|>"
    assert texts(run(content_stream(text, 3))) == ("r", "<|begin_of_solution|>x<|end_of_solution|>")


def test_unclosed_solution_keeps_its_text():
    text = "<|begin_of_thought|>r<|end_of_thought|><|begin_of_solution|>final 4 <|end_of_sol"
    for n in (1, 2, 5, len(text)):
        assert texts(run(content_stream(text, n))) == ("r", "final 4 <|end_of_sol"), n


_THOUGHT_TEXT = st.text(alphabet=st.sampled_from(list("ab <>|/_thoughtsolution\n é")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(reasoning=_THOUGHT_TEXT, answer=_THOUGHT_TEXT, cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=30))
def test_thought_tags_any_split_gives_identical_result(reasoning, answer, cuts):
    text = "<|begin_of_thought|>" + reasoning + "<|end_of_thought|><|begin_of_solution|>" + answer + "<|end_of_solution|>"
    whole = texts(run([chunk({"content": text}), chunk(finish="stop")]))
    bounds = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    split = texts(run([chunk({"content": text[a:b]}) for a, b in zip(bounds, bounds[1:])] + [chunk(finish="stop")]))
    assert split == whole
