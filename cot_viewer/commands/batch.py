"""``cot-viewer batch analyze|report``: analyse datasets of traces; report on the results."""

from __future__ import annotations

import argparse
import sys
from concurrent.futures.process import BrokenProcessPool

from cot_viewer.cli import CliError

EXIT_WORKER = 1
EXIT_CONNECT = 8
_EXTRA = {"pyarrow": "batch", "duckdb": "batch", "ray": "ray"}


def _missing(exc: ImportError) -> CliError:
    name = (exc.name or "").split(".")[0]
    extra = _EXTRA.get(name)
    if extra is None:
        raise exc
    return CliError(f"this needs {name}: pip install 'cot-viewer[{extra}]'")


def analyze(args: argparse.Namespace) -> int:
    from cot_viewer.batch.model import Spec
    from cot_viewer.batch.sources import SourceError
    from cot_viewer.batch.writer import OutputError

    if args.chunk_rows < 1 or (args.workers is not None and args.workers < 1):
        raise CliError("--chunk-rows and --workers must be at least 1")
    spec = Spec(
        format=args.format, reasoning_field=args.reasoning_field, answer_field=args.answer_field,
        id_field=args.id_field, group_field=args.group_field, correct_field=args.correct_field,
        prompt_field=args.prompt_field, steps=args.steps,
    )
    engine = "serial" if args.engine == "local" and args.workers == 1 else args.engine
    try:
        from cot_viewer.batch.run import analyse

        stats = analyse(
            args.sources, args.output, spec, engine=engine, workers=args.workers, address=args.address,
            chunk_rows=args.chunk_rows, resume=args.resume, progress=not args.quiet and sys.stderr.isatty(),
        )
    except ImportError as exc:
        raise _missing(exc) from None
    except (SourceError, OutputError) as exc:
        raise CliError(str(exc)) from None
    except ConnectionError as exc:
        raise CliError(f"could not reach the Ray cluster at {args.address}: {exc}", EXIT_CONNECT) from None
    except BrokenProcessPool:
        raise CliError(f"a worker process died (out of memory?); the finished chunks are kept in {args.output}: "
                       "run the same command with --resume to continue", EXIT_WORKER) from None
    if not args.quiet:
        done = f"{stats.skipped} chunks already done, " if stats.skipped else ""
        rejected = f"; {stats.rejects} rejected (reasons in {args.output}/rejects/)" if stats.rejects else ""
        print(f"{done}{stats.traces} traces analysed from {stats.rows} rows in {stats.seconds:.1f} s{rejected} → {args.output}", file=sys.stderr)
    return 0


def report(args: argparse.Namespace) -> int:
    from cot_viewer.batch.summary import SummaryError

    try:
        from cot_viewer.batch.report import write_report

        md = write_report(args.directory, args.output, args.markdown)
    except ImportError as exc:
        raise _missing(exc) from None
    except SummaryError as exc:
        raise CliError(str(exc)) from None
    print(f"report → {args.output} (tables also in {md})", file=sys.stderr)
    return 0
