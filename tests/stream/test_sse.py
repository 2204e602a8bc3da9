"""The SSE parser: framing edge cases (15, 16, 17, 20 in wire-formats.md)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cot_viewer.stream.sse import SSEParser


def parse(parts):
    p = SSEParser()
    out = []
    for part in parts:
        out += p.feed(part)
    return out + p.close()


def test_comments_and_blank_lines_ignored():
    raw = b": keep-alive\n\n: OPENROUTER PROCESSING\n\ndata: {\"a\":1}\n\n\n\ndata: [DONE]\n\n"
    assert parse([raw]) == [("", '{"a":1}'), ("", "[DONE]")]


def test_crlf_and_cr_line_endings_even_split_between_cr_and_lf():
    for raw in (b"data: x\r\n\r\ndata: y\r\n\r\n", b"data: x\r\rdata: y\r\r"):
        for cut in range(len(raw) + 1):
            assert parse([raw[:cut], raw[cut:]]) == [("", "x"), ("", "y")], (raw, cut)


def test_multiline_data_and_event_name():
    raw = b"event: error\ndata: line1\ndata: line2\n\ndata:nospace\n\n"
    assert parse([raw]) == [("error", "line1\nline2"), ("", "nospace")]


def test_utf8_split_across_reads():
    raw = 'data: {"t":"é😀中"}\n\n'.encode()
    for cut in range(len(raw) + 1):
        assert parse([raw[:cut], raw[cut:]]) == [("", '{"t":"é😀中"}')]


def test_final_event_without_blank_line_is_delivered():
    assert parse([b"data: a\n\ndata: last"]) == [("", "a"), ("", "last")]
    assert parse([b"data: last\n"]) == [("", "last")]


@settings(max_examples=200, deadline=None)
@given(payloads=st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=20), max_size=8), cuts=st.lists(st.integers(0, 400), max_size=20), ending=st.sampled_from([b"\n", b"\r\n", b"\r"]))
def test_any_split_same_events(payloads, cuts, ending):
    raw = b"".join(b"data: " + p.encode() + ending + ending for p in payloads)
    bounds = sorted({c % (len(raw) + 1) for c in cuts} | {0, len(raw)})
    parts = [raw[a:b] for a, b in zip(bounds, bounds[1:])]
    assert parse(parts) == [("", p) for p in payloads]
