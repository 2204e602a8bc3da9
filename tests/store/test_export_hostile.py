"""The Markdown handout against hostile model text (issue 13, item 3): the export is rendered
with a real CommonMark parser (markdown-it-py, html enabled, as GitHub-style viewers do) and
the HTML it gives must hold no tag the model wrote."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from cot_viewer.export import markdown as md_export

PAYLOADS = {
    "backtick in the fence info string": "```x`\n</details><script>alert(1)</script>\n```\n",
    "escaped backticks around a tag": "\\`<script>alert(1)</script>\\`",
    "fence inside a list item": "- item\n  ```\n</details><script>alert(1)</script>\n",
    "tilde fence with backtick info": "~~~ `\n<img src=x onerror=alert(1)>\n~~~\n",
    "unbalanced code span": "``<script>alert(1)</script>`",
    "html comment": "<!-- </details> --><script>alert(1)</script>",
    "fence in a blockquote closes early": "> ```\n> x\n\n<script>alert(1)</script>",
    "indented line after a paragraph": "para\n    <script>alert(1)</script>",
}
OURS = {"details", "summary"}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        self.tags.append("/" + tag)


def rendered_tags(markdown: str) -> list[str]:
    html = MarkdownIt("commonmark").render(markdown)
    p = Tags()
    p.feed(html)
    return p.tags


@pytest.mark.parametrize("name", list(PAYLOADS))
@pytest.mark.parametrize("where", ["answer", "reasoning", "prompt"])
def test_no_model_tag_survives_rendering(make_transcript, name, where):
    evil = PAYLOADS[name]
    parts = {"prompt": "p", "reasoning": "Let me think.", "answer": "Fine."}
    parts[where] = parts[where] + "\n\n" + evil
    tr = make_transcript(parts["prompt"], parts["reasoning"], parts["answer"])
    md = md_export.render([tr])
    tags = rendered_tags(md)
    assert not {"script", "img"} & set(tags), (name, md)
    assert tags.count("details") == 1 and tags.count("/details") == 1
    # the reasoning block still closes after the reasoning: the answer heading follows it
    html = MarkdownIt("commonmark").render(md)
    assert html.index("</details>") < html.index("<h2>Answer</h2>")


def test_code_keeps_its_angle_brackets(make_transcript):
    answer = "Use `List<int>` here.\n\n```cpp\nstd::vector<int> v;\n```\n\n    <b>indented</b>\n\n- a\n\n  ```\n  <i>in list</i>\n  ```\n"
    md = md_export.render([make_transcript("p", "r", answer)])
    html = MarkdownIt("commonmark").render(md)
    assert "<code>List&lt;int&gt;</code>" in html
    assert "std::vector&lt;int&gt; v;" in html and "&lt;b&gt;indented&lt;/b&gt;" in html
    assert "&lt;i&gt;in list&lt;/i&gt;" in html
    assert "&amp;lt;" not in html  # nothing escaped twice inside code
