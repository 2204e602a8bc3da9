"""Every argument of every command says what it does in --help (issue #13 item 25)."""

from __future__ import annotations

import argparse

from cot_viewer.cli import build_parser


def _parsers(p: argparse.ArgumentParser, path: str = "cot-viewer"):
    yield path, p
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def test_every_argument_has_help():
    missing = []
    for path, p in _parsers(build_parser()):
        for action in p._actions:
            if isinstance(action, (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)):
                continue
            if not action.help or action.help == argparse.SUPPRESS and not action.option_strings:
                missing.append(f"{path}: {'/'.join(action.option_strings) or action.dest}")
    assert not missing, missing
