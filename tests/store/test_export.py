"""The exports: versioned JSON (round trip, notes, old files), Markdown and HTML."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from cot_viewer.export import html as html_export
from cot_viewer.export import markdown as md_export
from cot_viewer.export.sections import Section
from cot_viewer.export.transcript_json import FORMAT, VERSION, FormatError, dumps, from_doc, loads, to_doc
from cot_viewer.store.history import History

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_json_round_trip_with_notes(home, make_transcript):
    with History.open() as h:
        tr = make_transcript("q", "some reasoning here", "an answer")
        h.save(tr)
        h.add_note(tr.id, "look here", span=(5, 14))
        h.add_note(tr.id, "step note", step=2)
        full = h.get(tr.id)
    doc = to_doc(full)
    assert doc["format"] == FORMAT and doc["version"] == VERSION == 1
    assert [n["text"] for n in doc["notes"]] == ["look here", "step note"]
    assert doc["notes"][0]["start"] == 5 and doc["notes"][0]["created"].endswith("Z")
    [back] = loads(dumps([full]))
    assert (back.id, back.prompt, back.reasoning, back.answer) == (tr.id, tr.prompt, tr.reasoning, tr.answer)
    assert back.timeline.to_list() == full.timeline.to_list()
    assert [(n["text"], n["start"], n["end"], n["step"]) for n in back.notes] == [("look here", 5, 14, None), ("step note", None, None, 2)]
    # several → JSON lines
    text = dumps([full, full])
    assert len(text.strip().splitlines()) == 2 and len(loads(text)) == 2


def test_version_1_without_notes_or_timeline_is_readable():
    doc = {"format": FORMAT, "version": 1, "id": "x1", "prompt": "p", "reasoning": "r", "answer": "a",
           "created": "2025-01-02T03:04:05Z", "status": "streaming", "unknown_future_key": 1}
    tr = from_doc(doc)
    assert (tr.reasoning, tr.answer, tr.status, tr.notes) == ("r", "a", "interrupted", [])


@pytest.mark.parametrize("doc, why", [
    ({"format": "other"}, "not a cot-viewer transcript"),
    ({"format": FORMAT, "version": 2, "id": "x"}, "newer"),
    ({"format": FORMAT, "version": 1}, "id"),
    ({"format": FORMAT, "version": 1, "id": "x", "reasoning": "abc", "timeline": [[0.1, "r", 5]]}, "timeline"),
    ({"format": FORMAT, "version": 1, "id": "x", "notes": "no"}, "notes"),
    ({"format": FORMAT, "version": 1, "id": "x", "notes": [{"text": "t", "start": 3}]}, "span"),
    ({"format": FORMAT, "version": 1, "id": "x", "reasoning": "ab", "notes": [{"text": "t", "start": 0, "end": 9}]}, "past the end"),
    ({"format": FORMAT, "version": 1, "id": "x", "notes": [{"text": "t", "part": "prompt"}]}, "part"),
])
def test_bad_documents_are_one_line_errors(doc, why):
    with pytest.raises(FormatError, match=why) as err:
        from_doc(doc)
    assert "\n" not in str(err.value)


def test_markdown_handout(make_transcript):
    tr = make_transcript("Why is the sky blue?", "Rayleigh scattering.\n\nShorter wavelengths scatter more.",
                         "Because of **Rayleigh** scattering.\n\n```html\n<b>kept in code</b>\n```\n")
    tr.notes = [{"part": "reasoning", "step": None, "start": 0, "end": 8, "text": "key idea", "created": 1.0}]
    md = md_export.render([tr])
    assert md.startswith("# Why is the sky blue?")
    assert "> Why is the sky blue?" in md
    assert "<details>" in md and "<summary>Reasoning" in md and "</details>" in md
    assert "> Rayleigh scattering.\n>\n> Shorter wavelengths scatter more." in md
    assert "Because of **Rayleigh** scattering." in md
    assert "<b>kept in code</b>" in md  # inside a code fence: untouched
    assert "| Model | test-model |" in md and "| Reasoning tokens | 12 |" in md
    assert "key idea" in md and "“Rayleigh”" in md


def test_markdown_disarms_html_in_model_text(make_transcript):
    tr = make_transcript("p", "x < 5 and </details> here " + EVIL, "Answer " + EVIL + " and `<code>` span")
    md = md_export.render([tr])
    assert "<script" not in md and "</details> here" not in md and "<img" not in md
    assert "&lt;script>" in md and "x < 5" in md and "`<code>`" in md
    assert md.count("</details>") == 1


def test_markdown_several_and_sections(make_transcript):
    a, b = make_transcript("first"), make_transcript("second")
    md = md_export.render([a, b], sections=lambda t: [Section("Outline", lines=("step <one>",), rows=(("k|x", "v"),))])
    assert md.startswith("# cot-viewer transcripts (2)")
    assert "## first" in md and "## second" in md and "\n---\n" in md
    assert md.count("### Outline") == 2 and "- step &lt;one>" in md and "k\\|x" in md


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_html_escapes_model_text_and_has_no_script(make_transcript):
    tr = make_transcript("prompt " + EVIL, "reasoning " + EVIL, "answer " + EVIL)
    tr.notes = [{"part": "answer", "step": None, "start": 0, "end": 6, "text": "note " + EVIL, "created": 1.0}]
    page = html_export.render([tr], sections=lambda t: [Section(EVIL, lines=(EVIL,), rows=((EVIL, EVIL),))])
    p = _Collect()
    p.feed(page)
    assert "script" not in p.tags and "img" not in p.tags
    assert not any(k.startswith("on") for k, _ in p.attrs)
    text = "".join(p.text)
    assert text.count('<script>alert("x")</script>') >= 6  # shown as text, every time
    assert "&lt;script&gt;" in page


def test_html_is_self_contained_side_by_side(make_transcript):
    tr = make_transcript("q", "thinking hard", "done")
    page = html_export.render([tr])
    p = _Collect()
    p.feed(page)
    assert page.startswith("<!DOCTYPE html>")
    assert "details" in p.tags and "summary" in p.tags and "style" in p.tags
    assert 'class="panes"' in page and "grid-template-columns" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # nothing loaded from elsewhere: no src attributes, no external links, no @import/url()
    assert not [v for k, v in p.attrs if k == "src"]
    assert not [v for k, v in p.attrs if k == "href" and not v.startswith("#")]
    assert not re.search(r"@import|url\(", page)
    assert "Thinking time" in page and "test-model" in page


def test_html_several_has_contents(make_transcript):
    a, b = make_transcript("first"), make_transcript("second")
    page = html_export.render([a, b])
    assert page.count("<article") == 2 and f'href="#t-{a.id}"' in page and f'id="t-{b.id}"' in page


def test_export_of_the_demo_is_valid_json(tmp_path):
    from cot_viewer.commands.replay import demo_transcript

    tr = demo_transcript()
    doc = json.loads(dumps([tr]))
    assert doc["id"] == tr.id and from_doc(doc).reasoning == tr.reasoning


def test_renderers_accept_a_bare_transcript(make_transcript):
    tr = make_transcript("bare one")
    assert md_export.render(tr) == md_export.render([tr])
    assert html_export.render(tr) == html_export.render([tr])
