"""``cot-viewer history …``: list, search, show, export, import, delete, reset."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from cot_viewer.cli import CliError
from cot_viewer.exit_codes import EXIT_STORE, EXIT_USAGE
from cot_viewer.commands.common import open_history
from cot_viewer.safe import json_text, say, terminal_safe


def _when(ts: float) -> str:
    from cot_viewer.timestamps import local_text

    return local_text(ts)


def _short(text: str, n: int = 60) -> str:
    one = " ".join(terminal_safe(text).split())
    return one if len(one) <= n else one[: n - 1] + "…"


def _secs(v: float | None) -> str:
    return f"{v:5.1f}s" if v is not None else "    -"


def list_(args: argparse.Namespace) -> int:
    history, _ = open_history()
    with history:
        rows = history.list(limit=max(1, args.limit))
        total = history.count() if rows and sys.stdout.isatty() else None
    if args.json:
        print(json_text([r.to_dict() for r in rows]))
        return 0
    if not rows:
        print("No transcripts yet. Try: cot-viewer ask \"…\"  (or cot-viewer demo)", file=sys.stderr)
        return 0
    if total is not None:
        print(f"{'ID':12}  {'WHEN':16}  {'MODEL':22}  {'STATUS':11}  {'THINK':>6}  {'REASON/ANSWER':>14}  PROMPT")
    for r in rows:
        print(f"{_short(r.id, 40):12}  {_when(r.created)}  {_short(r.model or '-', 22):22}  {_short(r.status, 11):11}  {_secs(r.thinking_s)}  "
              f"{r.reasoning_len:>7}/{r.answer_len:<6}  {_short(r.prompt)}")
    if total is not None and total > len(rows):
        print(f"({len(rows)} of {total}: --limit N for more, `cot-viewer history search WORDS` to find one)", file=sys.stderr)
    return 0


def search(args: argparse.Namespace) -> int:
    history, _ = open_history()
    with history:
        hits = history.search(args.query, limit=max(1, args.limit))
    if args.json:
        print(json_text([h.to_dict() for h in hits]))
        return 0
    if not hits:
        say(f"No transcript matches {args.query!r}.")
        return 0
    for h in hits:
        print(f"{_short(h.id, 40)}  {_when(h.created)}  {_short(h.model or '-', 22)}  {_short(h.status, 11)}  {_short(h.prompt, 70)}")
        print(f"    {h.where}: {_short(h.snippet, 200)}")
    return 0


def show(args: argparse.Namespace) -> int:
    from cot_viewer.store.history import NotFound

    history, _ = open_history()
    with history:
        try:
            tr = history.get(args.id)
            partners = history.partners(tr.id)
        except NotFound as exc:
            raise CliError(str(exc)) from None
    if args.json:
        doc = tr.to_dict()
        doc["notes"] = tr.notes
        doc["paired_with"] = partners
        print(json_text(doc))
        return 0
    from cot_viewer.export.sections import note_label

    t = tr.timing
    print(terminal_safe(f"# {tr.id} · {tr.model} ({tr.provider}) · {_when(tr.created)} · {tr.status}"))
    for line in request_lines(tr):
        print(terminal_safe(line))
    if partners:
        print(terminal_safe(f"paired with {', '.join(partners)} (`cot-viewer compare {tr.id} {partners[0]}`)"))
    print(f"\n## Prompt\n\n{terminal_safe(tr.prompt)}")
    if tr.reasoning:
        think = f" ({t.thinking_s:.1f} s)" if t.thinking_s is not None else ""
        print(f"\n## Reasoning{think}\n\n{terminal_safe(tr.reasoning)}")
    print(f"\n## Answer\n\n{terminal_safe(tr.answer) or '(none)'}")
    if tr.error:
        print(f"\n(error: {terminal_safe(tr.error)})")
    if tr.notes:
        print("\n## Notes\n")
        for n in tr.notes:
            where, covered = note_label(n, tr)
            quoted = f" “{_short(covered, 80)}”" if covered else ""
            print(f"- [{where}]{quoted}: {terminal_safe(n['text'])}")
    return 0


def request_lines(tr) -> list[str]:
    """The thinking settings sent and the cost, for `history show`."""
    from cot_viewer.pricing import format_cost
    from cot_viewer.thinking import describe

    lines = []
    if tr.settings is not None:
        sent = json_text(tr.settings.get("sent") or {})
        lines.append(f"thinking: {describe(tr.settings) or 'server default'} · sent {sent}")
        lines += [f"note: {n}" for n in tr.settings.get("notices") or []]
    cost = format_cost(tr.cost)
    if cost:
        lines.append(f"cost: {cost} — {tr.cost['source']}")
    return lines


def _confirm(question: str, action: str) -> None:
    """Ask y/N on a terminal; refuse (nothing done) when there is no terminal to ask on."""
    if not sys.stdin.isatty():
        raise CliError(f"{action} needs --yes when not run in a terminal (nothing was changed)")
    print(terminal_safe(f"{question} [y/N] "), end="", file=sys.stderr, flush=True)
    try:
        answer = sys.stdin.readline()
    except KeyboardInterrupt:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise CliError("nothing was changed", 1)


def delete(args: argparse.Namespace) -> int:
    from cot_viewer.store.history import NotFound

    history, _ = open_history()
    with history:
        try:
            ids = list(dict.fromkeys(history.resolve_id(ref) for ref in args.ids))
        except NotFound as exc:
            raise CliError(f"{exc} (nothing was deleted)") from None
        busy = history.live_writers(ids)
        if busy:
            tid, pid = next(iter(busy.items()))
            raise CliError(f"{tid} is still streaming (process {pid}); stop it first, then delete it (nothing was deleted)")
        if not args.yes:
            what = ids[0] if len(ids) == 1 else f"{len(ids)} transcripts ({', '.join(ids[:5])}{'…' if len(ids) > 5 else ''})"
            _confirm(f"Delete {what} from the history?", "history delete")
        n = history.delete(ids)
    say(f"Deleted {n} transcript{'s' if n != 1 else ''}.")
    return 0


def write_output(text: str, output: str | None) -> None:
    """``text`` to ``output`` (a new private file renamed into place) or, for None or ``-``, stdout."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from cot_viewer.paths import write_private_file

    try:
        write_private_file(Path(output).expanduser(), text)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from None


def export(args: argparse.Namespace) -> int:
    from cot_viewer.store.history import NotFound

    if args.all and args.ids:
        raise CliError("give transcript ids or --all, not both")
    if not args.all and not args.ids:
        raise CliError("which transcripts? give their ids (see `cot-viewer history list`) or --all")
    history, _ = open_history()
    with history:
        try:
            ids = history.ids() if args.all else list(dict.fromkeys(history.resolve_id(r) for r in args.ids))
            transcripts = [history.get(i) for i in ids]
            pair = None
            if args.format != "json" and not args.all and len(ids) in (1, 2):  # a compared pair: one handout of both
                pair = history.pair_of(*ids)
                if pair is not None:
                    transcripts = [history.get(i) for i in pair]
        except NotFound as exc:
            raise CliError(str(exc)) from None
    if not transcripts:
        raise CliError("the history is empty: nothing to export", 1)
    if pair is not None:
        from cot_viewer.compare.handout import render_pair

        text = render_pair(*transcripts, args.format, outline=not args.no_outline)
    else:
        from cot_viewer.export import render

        text = render(transcripts, args.format, outline=not args.no_outline)
    write_output(text, args.output)
    if args.output and args.output != "-":
        n = len(transcripts)
        say(f"Exported {n} transcript{'s' if n != 1 else ''} to {args.output}.")
    return 0


def import_(args: argparse.Namespace) -> int:
    from cot_viewer.export.transcript_json import FormatError, load_file

    transcripts = []
    errors = []
    for f in args.files:
        try:
            transcripts.extend(load_file(f))
        except FormatError as exc:
            msg = str(exc)
            errors.append(msg if msg.startswith(str(f)) else f"{f}: {msg}")
    if errors:
        for e in errors[:-1]:
            say(f"cot-viewer: {e}")
        raise CliError(f"{errors[-1]} — nothing was imported", EXIT_USAGE)
    history, _ = open_history()
    with history:
        result = history.import_transcripts(transcripts)
    n, k = len(result.imported), len(result.skipped)
    line = f"Imported {n} transcript{'s' if n != 1 else ''}"
    if k:
        line += f"; skipped {k} already in the history ({', '.join(result.skipped[:5])}{'…' if k > 5 else ''})"
    say(line + ".")
    return 0


def reset(args: argparse.Namespace) -> int:
    """Move the database (and its -wal/-shm) aside, never deleting it, and start a fresh one."""
    from cot_viewer.paths import db_path
    from cot_viewer.store.db import StoreError
    from cot_viewer.store.history import History

    path = db_path()
    if not path.exists():
        print(f"There is no history database at {path}; nothing to reset.", file=sys.stderr)
        return 0
    if not args.yes:
        _confirm(f"Move {path} aside (kept as {path.name}.broken-…) and start an empty history?", "history reset")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.broken-{stamp}")
    n = 1
    while any(Path(str(target) + s).exists() for s in ("", "-wal", "-shm")):
        n += 1
        target = path.with_name(f"{path.name}.broken-{stamp}-{n}")
    try:
        # the log first: a database renamed without its log would lose what the log holds
        for side in ("-wal", "-shm"):
            src = Path(str(path) + side)
            if src.exists():
                os.rename(src, str(target) + side)
        os.rename(path, target)
    except OSError as exc:
        raise CliError(f"cannot move {path} aside: {exc.strerror or exc} (nothing was deleted)", EXIT_STORE) from None
    print(f"Moved the old history to {target} (kept; delete it yourself once you are sure).", file=sys.stderr)
    try:
        History.open(path).close()
    except StoreError as exc:
        raise CliError(str(exc), EXIT_STORE) from None
    print(f"Started a fresh history at {path}.", file=sys.stderr)
    return 0


def note(args: argparse.Namespace) -> int:
    """Attach a teacher's note to a transcript, or to one of its reasoning steps."""
    from cot_viewer.store.history import NotFound

    history, _ = open_history()
    with history:
        try:
            tr = history.get(args.id)
            if args.step is not None:
                from cot_viewer.analysis import segment

                n_steps = len(segment(tr.reasoning))
                if not 1 <= args.step <= n_steps:
                    raise CliError(f"step {args.step} does not exist: the reasoning has {n_steps} steps (see `cot-viewer analyze {tr.id}`)")
            history.add_note(tr.id, args.text, step=None if args.step is None else args.step - 1)
        except NotFound as exc:
            raise CliError(str(exc)) from None
        except ValueError as exc:
            raise CliError(str(exc)) from None
    where = f"step {args.step} of " if args.step is not None else ""
    say(f"Noted on {where}{tr.id}.")
    return 0
