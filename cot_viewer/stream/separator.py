"""Chunk dicts → typed events: reasoning vs answer, incrementally, per choice.

Reasoning reaches us in one of two ways (each case is a test in ``tests/stream/test_separator.py``):

* a field of the delta: ``reasoning_content`` (DeepSeek, vLLM, SGLang, llama.cpp),
  ``reasoning`` (vLLM, Ollama, OpenRouter, Groq) or ``reasoning_details[].text``
  (OpenRouter, a duplicate of ``reasoning``). Servers may send two of them with the same
  text; we take exactly one per delta.
* inline in ``content``: ``<think>…</think>answer``, with the opening tag sometimes left
  out (the template opened it). Tags may be split anywhere, down to one character a chunk.
  OpenThoughts / Bespoke-Stratos style text uses ``<|begin_of_thought|>…<|end_of_thought|>``
  for the reasoning and wraps the answer in ``<|begin_of_solution|>…<|end_of_solution|>``
  (those two tags are dropped, with the whitespace inside them).

The rules, each covered by a test: a ``<think>`` counts only at the very start (after
whitespace); while reasoning we look only for the block's closing tag; a bare ``</think>`` with no
opening tag turns everything before it into reasoning (a :class:`Reclassify` event); once
a reasoning field has been seen, content is answer (a stray leading tag is dropped);
whitespace right after ``</think>`` is dropped; ``tool_calls`` close the reasoning.
"""

from __future__ import annotations

from typing import Any

from cot_viewer.stream.events import (
    AnswerDelta,
    Event,
    Finish,
    ReasoningDelta,
    Reclassify,
    StreamError,
    StreamWarning,
    Usage,
)

OPEN = "<think>"
CLOSE = "</think>"
THOUGHT_OPEN = "<|begin_of_thought|>"
THOUGHT_CLOSE = "<|end_of_thought|>"
SOLUTION_OPEN = "<|begin_of_solution|>"
SOLUTION_CLOSE = "<|end_of_solution|>"
_PAIRS = ((OPEN, CLOSE), (THOUGHT_OPEN, THOUGHT_CLOSE))
_STRAY = (CLOSE, OPEN)

# states of one choice
_START = 0  # nothing but whitespace yet: may open with <think>
_THINK = 1  # inside an inline <think> block
_MAYBE = 2  # content with no opening tag: answer, unless a bare </think> comes (provisional)
_ANSWER = 3  # answer text, after </think> or with no inline reasoning
_FIELD = 4  # reasoning came in a field: all content is answer


def _partial_tag_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``tag``."""
    start = text.rfind("<", max(0, len(text) - len(tag) + 1))
    while start != -1:
        if tag.startswith(text[start:]):
            return len(text) - start
        start = text.rfind("<", max(0, len(text) - len(tag) + 1), start)
    return 0


class _Choice:
    __slots__ = ("state", "hold", "strip_lead", "answered", "finished", "close", "solution")

    def __init__(self) -> None:
        self.state = _START
        self.close = CLOSE  # the tag that ends the reasoning
        self.solution = False  # the answer is wrapped in <|begin_of_solution|>…<|end_of_solution|>
        self.hold = ""  # text held back: a possible partial tag, or leading whitespace
        self.strip_lead = True  # drop whitespace (and stray tags) before the answer's first character
        self.answered = False  # some answer text was emitted
        self.finished = False


class Separator:
    """Feed parsed chunk dicts; get events. One instance per stream."""

    __slots__ = ("_choices", "error", "finished")

    def __init__(self) -> None:
        self._choices: dict[int, _Choice] = {}
        self.error: StreamError | None = None  # the first error object the stream carried
        self.finished = False  # some choice has a finish_reason

    def feed(self, chunk: dict[str, Any], t: float, out: list[Event]) -> None:
        """Append to ``out`` the events carried by one chunk.

        A chunk of the wrong shape (``choices`` not a list, a choice not an object, an
        ``index`` not an integer, a ``delta`` not an object, a ``finish_reason`` not a
        string, ``usage`` not an object) is skipped whole with a warning, like a malformed
        line. The checks are exact class tests made where the values are read anyway: this
        is the hot path.
        """
        if chunk.__class__ is not dict:
            return _skip(out, len(out), t, f"a {type(chunk).__name__}, not an object")
        usage = chunk.get("usage")
        if usage is not None and usage.__class__ is not dict:
            return _skip(out, len(out), t, f"'usage' is a {type(usage).__name__}")
        start = len(out)
        if "error" in chunk and chunk["error"]:
            err = _stream_error(chunk["error"], t)
            if self.error is None:
                self.error = err
            out.append(err)
        choices = chunk.get("choices")
        if choices:
            if choices.__class__ is not list:
                return _skip(out, start, t, f"'choices' is a {type(choices).__name__}")
            for ch in choices:
                if ch.__class__ is not dict:
                    return _skip(out, start, t, f"a choice is a {type(ch).__name__}")
                index = ch.get("index")
                if index.__class__ is not int:
                    if index is not None:
                        return _skip(out, start, t, f"'index' is a {type(index).__name__}")
                    index = 0
                delta = ch.get("delta")
                if delta is not None and delta.__class__ is not dict:
                    return _skip(out, start, t, f"'delta' is a {type(delta).__name__}")
                reason = ch.get("finish_reason")
                if reason is not None and reason.__class__ is not str:
                    return _skip(out, start, t, f"'finish_reason' is a {type(reason).__name__}")
                state = self._choices.get(index)
                if state is None:
                    state = self._choices[index] = _Choice()
                if delta:
                    self._delta(state, index, delta, t, out)
                if reason is not None:
                    self._flush(state, index, t, out)
                    state.finished = True
                    self.finished = True
                    out.append(Finish(t, reason, index))
        if usage is None and "x_groq" in chunk:
            groq = chunk["x_groq"]  # Groq puts usage here on the last chunk
            usage = groq.get("usage") if isinstance(groq, dict) else None
        if usage and isinstance(usage, dict):
            out.append(Usage(t, usage))

    # -- one delta -------------------------------------------------------------
    def _delta(self, st: _Choice, index: int, delta: dict, t: float, out: list[Event]) -> None:
        reasoning = delta.get("reasoning_content")
        if not reasoning or reasoning.__class__ is not str:
            reasoning = delta.get("reasoning")
            if not reasoning or reasoning.__class__ is not str:
                reasoning = _details_text(delta["reasoning_details"]) if "reasoning_details" in delta else ""
        if reasoning:
            if st.state != _FIELD:
                self._enter_field_mode(st, index, t, out)
            out.append(ReasoningDelta(t, reasoning, index))
        content = delta.get("content")
        if content and content.__class__ is str:
            state = st.state
            if state == _THINK and not st.hold and not st.strip_lead and "<" not in content and not content[-1].isspace():
                out.append(ReasoningDelta(t, content, index))  # the common inline token
            elif (state == _FIELD or state == _ANSWER) and not st.solution:
                if st.strip_lead:
                    content = self._lead(st, content, state == _FIELD)
                if content:
                    st.answered = True
                    out.append(AnswerDelta(t, content, index))
            else:
                self._inline(st, index, content, t, out)
        if "tool_calls" in delta:
            self._tools(st, index, delta, t, out)

    def _tools(self, st: _Choice, index: int, delta: dict, t: float, out: list[Event]) -> None:
        if st.state == _THINK and delta.get("tool_calls"):
            self._flush(st, index, t, out)
            st.state = _ANSWER

    def _enter_field_mode(self, st: _Choice, index: int, t: float, out: list[Event]) -> None:
        if st.state == _THINK:  # inline block still open: what it held was reasoning
            if st.hold.strip():
                out.append(ReasoningDelta(t, st.hold, index))
        elif st.state == _MAYBE and st.hold:
            out.append(AnswerDelta(t, st.hold, index, provisional=True))
        st.hold = ""
        st.state = _FIELD
        if not st.answered:
            st.strip_lead = True

    def _lead(self, st: _Choice, text: str, strip_tags: bool) -> str:
        """Drop leading whitespace (and, after a reasoning field, stray think tags; before a
        wrapped answer, its opening tag)."""
        text = st.hold + text
        st.hold = ""
        tags = (_STRAY if strip_tags else ()) + ((SOLUTION_OPEN,) if st.solution else ())
        while True:
            stripped = text.lstrip()
            if not stripped:
                return ""
            tag = next((tag for tag in tags if stripped.startswith(tag)), None)
            if tag is not None:
                text = stripped[len(tag) :]
                continue
            if any(tag.startswith(stripped) for tag in tags):
                st.hold = stripped  # maybe a tag: wait for more
                return ""
            st.strip_lead = False
            return stripped

    def _solution(self, st: _Choice, text: str) -> str:
        """The answer text inside ``<|begin_of_solution|>…``: the closing tag and the
        whitespace before it are dropped (held back until we know)."""
        text = st.hold + text
        st.hold = ""
        pos = text.find(SOLUTION_CLOSE)
        if pos != -1:
            st.solution = False
            rest = text[pos + len(SOLUTION_CLOSE) :]
            return text[:pos].rstrip() + (rest if rest.strip() else "")
        keep = _partial_tag_suffix(text, SOLUTION_CLOSE)
        if keep:
            st.hold = text[-keep:]
            text = text[:-keep]
        body = text.rstrip()
        st.hold = text[len(body) :] + st.hold
        return body

    # -- inline tags -------------------------------------------------------------
    def _inline(self, st: _Choice, index: int, text: str, t: float, out: list[Event]) -> None:
        while text:
            state = st.state
            if state == _START:
                text = st.hold + text
                st.hold = ""
                stripped = text.lstrip()
                if not stripped or any(len(stripped) < len(o) and o.startswith(stripped) for o, _ in _PAIRS):
                    st.hold = text  # whitespace or a partial "<think>": wait
                    return
                pair = next((p for p in _PAIRS if stripped.startswith(p[0])), None)
                if pair is not None:
                    st.state = _THINK
                    st.close = pair[1]
                    st.solution = pair[1] == THOUGHT_CLOSE
                    text = stripped[len(pair[0]) :]
                    continue
                st.state = _MAYBE
                st.strip_lead = False
                text = stripped
                continue
            if state == _ANSWER:
                if st.strip_lead:
                    text = self._lead(st, text, False)
                    if not text:
                        return
                if st.solution:
                    text = self._solution(st, text)
                    if not text:
                        return
                st.answered = True
                out.append(AnswerDelta(t, text, index))
                return
            # _THINK or _MAYBE: look for </think> (or the tag that closes this block)
            close = st.close
            if st.hold:
                text = st.hold + text
                st.hold = ""
            elif "<" not in text and not text[-1].isspace():
                # fast path: the common token
                if state == _MAYBE:
                    st.answered = True
                    out.append(AnswerDelta(t, text, index, provisional=True))
                    return
                if st.strip_lead:
                    text = text.lstrip()
                    st.strip_lead = False
                out.append(ReasoningDelta(t, text, index))
                return
            pos = text.find(close)
            if pos == -1:
                keep = _partial_tag_suffix(text, close)
                if keep:
                    st.hold = text[-keep:]
                    text = text[:-keep]
                # hold trailing whitespace: dropped if </think> follows it
                body = text.rstrip()
                if len(body) != len(text):
                    st.hold = text[len(body) :] + st.hold
                    text = body
                if state == _THINK:
                    if st.strip_lead and text:
                        text = text.lstrip()
                        st.strip_lead = False
                if text:
                    if state == _THINK:
                        out.append(ReasoningDelta(t, text, index))
                    else:
                        st.answered = True
                        out.append(AnswerDelta(t, text, index, provisional=True))
                return
            before, text = text[:pos], text[pos + len(close) :]
            if state == _MAYBE and st.answered:
                out.append(Reclassify(t, index))
                st.answered = False
            before = before.rstrip()
            if st.strip_lead:
                before = before.lstrip()
            if before:
                out.append(ReasoningDelta(t, before, index))
            st.state = _ANSWER
            st.strip_lead = True

    def _flush(self, st: _Choice, index: int, t: float, out: list[Event]) -> None:
        """Release held-back text at the end of a choice."""
        hold, st.hold = st.hold, ""
        if not hold:
            return
        if st.state == _THINK:
            if hold.strip():  # a cut-off "</thi" is text; trailing whitespace is not
                out.append(ReasoningDelta(t, hold.lstrip() if st.strip_lead else hold, index))
        elif st.state == _MAYBE:
            st.answered = True
            out.append(AnswerDelta(t, hold, index, provisional=True))
        elif st.state == _START:
            stripped = hold.strip()
            if stripped:  # a lone "<thi" that never became a tag: it was answer
                out.append(AnswerDelta(t, stripped, index))
        elif not st.solution or hold.strip():  # _FIELD / _ANSWER: a held "<thi" at the very end was literal text
            st.answered = True
            out.append(AnswerDelta(t, hold, index))

    def finish(self, t: float, out: list[Event]) -> None:
        """The stream ended (with or without [DONE]): release anything held back."""
        for index, st in self._choices.items():
            if not st.finished:
                self._flush(st, index, t, out)


def _skip(out: list[Event], start: int, t: float, problem: str) -> None:
    """Drop what this chunk added to ``out`` and say why it was skipped."""
    del out[start:]
    out.append(StreamWarning(t, f"skipped a chunk of unexpected shape: {problem}"))


def _details_text(details: Any) -> str:
    if not details or not isinstance(details, list):
        return ""
    parts = [
        d.get("text") or d.get("summary") or ""
        for d in details
        if isinstance(d, dict) and d.get("type") in ("reasoning.text", "reasoning.summary")
    ]
    return "".join(p for p in parts if isinstance(p, str))


def _stream_error(err: Any, t: float) -> StreamError:
    if isinstance(err, dict):
        message = str(err.get("message") or err.get("code") or "unknown error")
        code = err.get("code")
    else:
        message, code = str(err), None
    status = code if isinstance(code, int) else None
    message = " ".join(message.split())[:300]  # one line, as for an HTTP error (the whole is in detail)
    return StreamError(t, "stream", f"the server reported an error mid-stream: {message}", status, str(err))
