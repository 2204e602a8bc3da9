"""A pair in the history: `compare --save-pair`, `history show` naming the other run, and one
handout of both (`history export` of either id, `compare --export`) in HTML and Markdown."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from compare_runs import ANSWER_A, ANSWER_B, REASONING_A, REASONING_B
from markdown_it import MarkdownIt
from test_compare_cli import ask, cli

from cot_viewer.export.html import CSP


class Page(HTMLParser):
    """The tags, the CSP and the comparison table's rows of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.csp = None
        self.rows: list[list[str]] = []
        self._in_comparison = 0
        self._cell: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a.get("content")
        if tag == "table" and a.get("class") == "comparison":
            self._in_comparison = 1
        if self._in_comparison and tag == "tr":
            self.rows.append([])
        if self._in_comparison and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if self._in_comparison and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        if tag == "table":
            self._in_comparison = 0

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _paired(server, tmp_path):
    home = tmp_path / "home"
    a = ask(server, home, REASONING_A, ANSWER_A, "model-a")
    b = ask(server, home, REASONING_B, ANSWER_B, "model-b")
    r = cli("compare", a, b, "--save-pair", home=home)
    assert r.returncode == 0 and f"Paired {a} (A) with {b} (B)" in r.stderr, r.stderr
    return home, a, b


def test_history_show_names_the_other_run(server, tmp_path):
    home, a, b = _paired(server, tmp_path)
    r = cli("history", "show", b, home=home)
    assert r.returncode == 0 and f"paired with {a}" in r.stdout
    assert json.loads(cli("history", "show", a, "--json", home=home).stdout)["paired_with"] == [b]
    c = ask(server, home, "Just think.", "7", "model-c")
    assert "paired with" not in cli("history", "show", c, home=home).stdout


def test_export_of_either_id_is_one_html_handout_of_both(server, tmp_path):
    home, a, b = _paired(server, tmp_path)
    out = tmp_path / "pair.html"
    r = cli("history", "export", b, "--format", "html", "-o", str(out), home=home)
    assert r.returncode == 0, r.stderr
    html = out.read_text()
    page = Page()
    page.feed(html)
    assert page.csp == CSP and "script" not in page.tags  # the answer's <script> is text, not a tag
    assert "<script>alert(1)</script>" in "".join(page.text)
    assert page.tags.count("article") == 2 and page.tags.count("details") == 2  # both traces, run A first
    assert html.index(f'id="t-{a}"') < html.index(f'id="t-{b}"')
    rows = {r[0]: r[1:] for r in page.rows}
    assert rows["Answers agree"] == ["yes", "yes"] and rows["Run"] == [a, b]
    assert rows["Phase: Reconstruction 1"][1] == "(none)"
    assert "Outline — Definition" in "".join(page.text)  # each trace's outline, as history export writes it
    # the same handout from the other id and from `compare --export`
    out2 = tmp_path / "pair2.html"
    assert cli("history", "export", a, "--format", "html", "-o", str(out2), home=home).returncode == 0
    out3 = tmp_path / "pair3.html"
    r = cli("compare", a, b, "--export", str(out3), home=home)
    assert r.returncode == 0 and f"to {out3}" in r.stderr
    assert out2.read_text() == html == out3.read_text()


def test_markdown_handout_has_the_table_and_no_live_html(server, tmp_path):
    home, a, b = _paired(server, tmp_path)
    r = cli("history", "export", a, "--format", "md", home=home)
    assert r.returncode == 0, r.stderr
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(r.stdout)
    assert not [t for t in tokens if t.type == "html_block" and "script" in t.content]
    inline_html = [c.content for t in tokens if t.type == "inline" for c in t.children or () if c.type == "html_inline"]
    assert not [h for h in inline_html if "script" in h]
    tables = [i for i, t in enumerate(tokens) if t.type == "table_open"]
    assert tables, "the comparison table"
    first = tokens[tables[0]:next(i for i, t in enumerate(tokens) if t.type == "table_close")]
    assert len([t for t in first if t.type == "th_open"]) == 3  # measure, run A, run B
    cells = [t.content for t in first if t.type == "inline"]
    assert "Answers agree" in cells and a in " ".join(cells) and b in " ".join(cells)
    assert r.stdout.count("<details>") == 2
    plain = cli("history", "export", a, "--format", "md", "--no-outline", home=home).stdout
    assert "Comparison of the two runs" in plain and "Outline —" not in plain


def test_save_pair_needs_both_in_the_history(server, tmp_path):
    home, a, b = _paired(server, tmp_path)
    f = tmp_path / "b.json"
    assert cli("history", "export", b, "-o", str(f), home=home).returncode == 0
    other = tmp_path / "other"
    ask(server, other, "Think.", "1", "model-x")
    r = cli("compare", str(f), json.loads(cli("history", "list", "--json", home=other).stdout)[0]["id"],
            "--save-pair", home=other)
    assert r.returncode == 2 and "history import" in r.stderr and "Traceback" not in r.stderr
