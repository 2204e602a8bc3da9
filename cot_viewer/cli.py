"""Command line: argparse only. Each subcommand names the module that runs it, imported late,
so ``cot-viewer --help`` pays for neither httpx nor Textual.

Exit codes (also in the README):
  0 ok · 1 unexpected error (a bug: please report it) · 2 usage or configuration
  3 authentication (wrong or missing key) · 4 insufficient balance · 5 rate limited
  6 server error or overloaded · 7 request rejected (bad parameters, unknown model)
  8 connection failed or dropped, idle timeout (partial transcript kept)
  9 malformed stream or an error inside the stream · 10 answer truncated (max tokens)
  11 history could not be read or written · 130 stopped with Ctrl-C (partial transcript kept)
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from cot_viewer import __version__

from cot_viewer.exit_codes import EXIT_BUG, EXIT_CANCELLED, EXIT_OK, EXIT_STORE, EXIT_USAGE


class CliError(Exception):
    """An expected failure: print ``message`` on one line and exit with ``code``."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _seconds(text: str) -> float:
    """A positive, finite number of seconds (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value < float("inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _endpoint_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("endpoint (flags › environment › config file › preset)")
    g.add_argument("--provider", help="deepseek (default), openrouter, ollama, vllm, llamacpp, lmstudio, groq, together, custom, or a name from the config file")
    g.add_argument("--base-url", help="an OpenAI-compatible base URL, e.g. http://localhost:8000/v1")
    g.add_argument("--model", help="model name (default: the provider's)")
    g.add_argument("--api-key-env", metavar="VAR", help="read the API key from this environment variable")
    g.add_argument("--idle-timeout", type=_seconds, default=300.0, metavar="S", help="end the stream after S seconds without any data (default 300)")
    g.add_argument("--deadline", type=_seconds, metavar="S", help="end the response after S seconds in all, however the server trickles (default: none)")
    g.add_argument("--retries", type=int, default=3, metavar="N", help="retries on 429/5xx before the first token (default 3)")


def _thinking_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "thinking (flags › the conversation continued with -c › config file; mapped per provider, see the README)")
    g.add_argument("--effort", metavar="LEVEL", help="how hard to think: low, medium, high, max, or the provider's own word (xhigh, minimal, none…)")
    think = g.add_mutually_exclusive_group()
    think.add_argument("--think", dest="think", action="store_const", const=True, default=None, help="turn thinking on")
    think.add_argument("--no-think", dest="think", action="store_const", const=False, help="turn thinking off")
    g.add_argument("--thinking-budget", type=int, metavar="N", help="cap on reasoning tokens, where the server takes one (OpenRouter, vLLM)")
    g.add_argument("--param", action="append", metavar="KEY=JSON", help="any request field, merged into the body last (repeatable; KEY may be dotted: reasoning.exclude=true)")


def _speed(p: argparse.ArgumentParser, default: float = 1.0) -> None:
    p.add_argument("--speed", type=float, default=default, metavar="X", help=f"replay speed: 2 is twice as fast, 0 instant, 0.01 the slowest (default {default:g})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cot-viewer",
        description="Watch a reasoning model think: its monologue and its answer side by side.",
        epilog=(
            "Run `cot-viewer demo` to see a bundled example (no key, no server).\n"
            "With no command, opens the history in a terminal.\n\n"
            "exit codes: 0 ok · 1 bug · 2 usage/config · 3 auth or no key · 4 no balance\n"
            "  5 rate limited · 6 server error/overloaded · 7 request rejected/unknown model\n"
            "  8 connection failed/dropped/idle (partial kept) · 9 error in the stream\n"
            "  10 truncated at the token limit · 11 history unreadable/unwritable · 130 Ctrl-C"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cot-viewer {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and request details (never the API key)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)

    p = sub.add_parser("ask", help="ask a question and watch the reasoning stream", description="Stream a response. In a terminal opens the two-pane view; otherwise (or with --plain) reasoning goes to stderr and the answer to stdout.")
    p.add_argument("prompt", nargs="?", help="the question ('-' or nothing with piped stdin reads it from stdin)")
    p.add_argument("-c", "--continue", dest="cont", nargs="?", const="", default=None, metavar="ID", help="follow up in a conversation: the latest, or the one holding transcript ID")
    p.add_argument("--system", help="a system prompt")
    p.add_argument("--max-tokens", type=int, metavar="N", help="cap on completion tokens (reasoning included)")
    p.add_argument("--no-save", action="store_true", help="do not write this exchange to the history")
    p.add_argument("--compare", metavar="SPEC", help="also ask with SPEC changed, both live side by side and saved as a pair: model=NAME, effort=low, provider=ollama,model=qwen3:8b, base_url=URL, think=off")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--plain", action="store_true", help="plain text: reasoning to stderr, answer to stdout")
    out.add_argument("--json", action="store_true", help="one JSON object on stdout when the stream ends")
    _thinking_flags(p)
    _endpoint_flags(p)
    p.set_defaults(handler="cot_viewer.commands.ask:run")

    p = sub.add_parser("demo", help="replay the bundled example (no key, no server needed)")
    p.add_argument("--plain", action="store_true", help="plain text instead of the two-pane view")
    _speed(p)
    p.set_defaults(handler="cot_viewer.commands.replay:run_demo")

    p = sub.add_parser("replay", help="replay a saved transcript with its original timing")
    p.add_argument("source", metavar="ID|FILE", help="a transcript id (or prefix) from the history, or an exported JSON file")
    p.add_argument("--plain", action="store_true", help="plain text instead of the two-pane view")
    _speed(p)
    p.set_defaults(handler="cot_viewer.commands.replay:run")

    p = sub.add_parser("compare", help="two saved runs side by side, replayed on one clock, with their analysis lined up")
    p.add_argument("first", metavar="ID1|FILE1", help="run A: a transcript id (or prefix) from the history, or an exported JSON file")
    p.add_argument("second", metavar="ID2|FILE2", help="run B, likewise")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--plain", action="store_true", help="the lined-up table and both answers as text")
    out.add_argument("--json", action="store_true", help="the lined-up table as one JSON object")
    p.add_argument("--export", metavar="FILE.md|FILE.html", help="write the pair's handout (both traces and the table)")
    p.add_argument("--save-pair", action="store_true", help="link the two runs in the history as a pair")
    _speed(p)
    p.set_defaults(handler="cot_viewer.commands.compare:run")

    p = sub.add_parser("history", help="list, search, show, export, import and delete saved transcripts")
    hs = p.add_subparsers(dest="history_command", metavar="ACTION", parser_class=_CommandParser)
    q = hs.add_parser("list", help="newest first")
    q.add_argument("--limit", type=int, default=20, metavar="N", help="show at most N (default 20)")
    q.add_argument("--json", action="store_true", help="one JSON array of summaries")
    q.set_defaults(handler="cot_viewer.commands.history:list_")
    q = hs.add_parser("search", help="full-text search over prompts, reasoning and answers")
    q.add_argument("query", help="words to find (FTS5 syntax: \"exact phrase\", OR, prefix*)")
    q.add_argument("--limit", type=int, default=20, metavar="N", help="show at most N hits (default 20)")
    q.add_argument("--json", action="store_true", help="one JSON array of hits")
    q.set_defaults(handler="cot_viewer.commands.history:search")
    q = hs.add_parser("show", help="one transcript")
    q.add_argument("id", metavar="ID", help="a transcript id, or a unique prefix of one")
    q.add_argument("--json", action="store_true", help="the transcript in the exchange format")
    q.set_defaults(handler="cot_viewer.commands.history:show")
    q = hs.add_parser("delete", help="delete transcripts")
    q.add_argument("ids", nargs="+", metavar="ID", help="transcript ids (or unique prefixes)")
    q.add_argument("--yes", "-y", action="store_true", help="do not ask")
    q.set_defaults(handler="cot_viewer.commands.history:delete")
    q = hs.add_parser("export", help="export transcripts as JSON, Markdown or HTML")
    q.add_argument("ids", nargs="*", metavar="ID", help="transcript ids (or unique prefixes); or --all")
    q.add_argument("--all", action="store_true", help="every transcript")
    from cot_viewer.export import FORMATS  # the registry of export formats (imports nothing heavy)

    q.add_argument("--format", "-f", choices=tuple(FORMATS), default="json",
                   help="; ".join(f"{f.name}: {f.description}" for f in FORMATS.values()) + " (default json)")
    q.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    q.add_argument("--no-outline", action="store_true", help="md/html: leave out the step outline, metrics and teacher's notes")
    q.set_defaults(handler="cot_viewer.commands.history:export")
    q = hs.add_parser("import", help="import exported JSON transcripts (importing twice adds nothing)")
    q.add_argument("files", nargs="+", metavar="FILE", help="JSON or JSON Lines files written by `history export`")
    q.set_defaults(handler="cot_viewer.commands.history:import_")
    q = hs.add_parser("note", help="attach a teacher's note to a transcript or one of its reasoning steps")
    q.add_argument("id", metavar="ID", help="a transcript id, or a unique prefix of one")
    q.add_argument("text", help="the note")
    q.add_argument("--step", type=int, metavar="N", help="the step number, as `cot-viewer analyze` numbers them")
    q.set_defaults(handler="cot_viewer.commands.history:note")
    q = hs.add_parser("reset", help="move the history database aside and start a fresh one")
    q.add_argument("--yes", "-y", action="store_true", help="do not ask")
    q.set_defaults(handler="cot_viewer.commands.history:reset")
    p.set_defaults(handler="cot_viewer.commands.history:list_", limit=20, json=False)

    p = sub.add_parser("analyze", help="steps, labels, phases and metrics of a transcript's reasoning")
    p.add_argument("source", metavar="ID|FILE", help="a transcript in the history, or an exported JSON file")
    p.add_argument("--json", action="store_true", help="the stable JSON form (see the README)")
    p.add_argument("--labeller", choices=("trained", "llm"), default="trained",
                   help="trained: the shipped model (default); llm: ask the configured endpoint (cached per transcript)")
    _endpoint_flags(p)
    p.set_defaults(handler="cot_viewer.commands.analyze:run")

    _batch(sub)

    for name, what, json_help in (
        ("models", "list the models an endpoint serves", "one JSON array of model ids"),
        ("balance", "what is left on the account (DeepSeek, OpenRouter)",
         "one JSON object: the amounts per currency and whether requests can be made"),
    ):  # questions to an endpoint that are not a prompt
        p = sub.add_parser(name, help=what)
        p.add_argument("--json", action="store_true", help=json_help)
        _endpoint_flags(p)
        p.set_defaults(handler=f"cot_viewer.commands.{name}:run")
    return parser


def _batch(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("batch", help="analyse whole datasets of traces (Parquet, JSON Lines, the history); report on them")
    bs = p.add_subparsers(dest="batch_command", metavar="ACTION", required=True, parser_class=_CommandParser)
    q = bs.add_parser("analyze", help="one Parquet row per trace (and per step), resumable; see docs/batch.md")
    q.add_argument("sources", nargs="+", metavar="SOURCE", help="Parquet/JSONL/JSON files or globs; history: (all) or history:WORDS (a search)")
    q.add_argument("-o", "--output", required=True, metavar="OUT", help="the output directory")
    q.add_argument("--format", default="auto", choices=("auto", "exchange", "openr1", "openthoughts", "thinkarm", "fields"), help="the input format (default: by each row's keys)")
    for name, what in (("reasoning", "the reasoning (or a tagged output)"), ("answer", "the answer"), ("id", "the trace id"), ("group", "the group, e.g. model"), ("correct", "true/false correctness"), ("prompt", "the problem")):
        q.add_argument(f"--{name}-field", metavar="FIELD", help=f"the column holding {what}; a.b paths work")
    q.add_argument("--steps", action="store_true", help="also write one row per step")
    q.add_argument("--resume", action="store_true", help="continue a run that stopped, skipping finished chunks")
    q.add_argument("--engine", choices=("local", "serial", "ray"), default="local", help="local: a process pool (default); ray: Ray Data (pip install 'cot-viewer[ray]')")
    q.add_argument("--workers", type=int, metavar="N", help="processes (default: all cores)")
    q.add_argument("--address", metavar="ADDR", help="--engine ray: an existing cluster (ray://host:10001 or auto)")
    q.add_argument("--chunk-rows", type=int, default=64, metavar="N", help="rows per chunk, the unit of work and of resuming (default 64)")
    q.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary line")
    q.set_defaults(handler="cot_viewer.commands.batch:analyze")
    q = bs.add_parser("report", help="a self-contained HTML report with plots, and Markdown tables")
    q.add_argument("directory", metavar="OUT", help="a batch analyze output directory")
    q.add_argument("-o", "--output", default="report.html", metavar="FILE", help="the HTML file (default report.html)")
    q.add_argument("--markdown", metavar="FILE", help="the Markdown tables (default: the HTML file's name with .md)")
    q.set_defaults(handler="cot_viewer.commands.batch:report")


class _CommandParser(argparse.ArgumentParser):
    """A command's parser: it accepts --debug after the command too (`cot-viewer ask --debug …`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if sys.stdout.isatty() and sys.stdin.isatty():
            args.handler = "cot_viewer.commands.home:run"
        else:
            parser.print_help()
            return EXIT_OK
    module, _, func = args.handler.partition(":")
    try:
        handler = getattr(importlib.import_module(module), func)
        code = int(handler(args) or 0)
        if argv is None and "textual.app" in sys.modules:
            _fast_exit(code)
        return code
    except CliError as exc:
        _traceback(args)
        say(f"cot-viewer: {exc.message}")
        return exc.code
    except KeyboardInterrupt:
        _traceback(args)
        say("cot-viewer: stopped")
        return EXIT_CANCELLED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        _traceback(args)
        from cot_viewer.store.db import StoreError

        if isinstance(exc, StoreError):
            say(f"cot-viewer: {exc}")
            return EXIT_STORE
        say(f"cot-viewer: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details, and please report it)")
        return EXIT_BUG


def say(line: str) -> None:
    from cot_viewer.safe import say as _say

    _say(line)


def _traceback(args: argparse.Namespace) -> None:
    """With --debug: the traceback, with secrets and control sequences removed."""
    if getattr(args, "debug", False):
        import traceback

        from cot_viewer.safe import shown

        sys.stderr.write(shown(traceback.format_exc(), names=[getattr(args, "api_key_env", None)]))


def _fast_exit(code: int) -> None:
    """After the terminal UI has closed and every file is saved and closed: leave without
    tearing down Textual's object graph one object at a time (a tenth of a second)."""
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    raise SystemExit(main())
