"""The ``khabar`` command line: one entry point, a sub-command per job, ``--help`` on each.

The sub-commands are an explicit table (:data:`COMMANDS`); each module of this package adds its
parsers. Every failure a user can fix is printed as ``khabar: error: …`` with exit code 2 and no
traceback; ``--debug`` (or ``KHABAR_DEBUG=1``) shows the traceback as well.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from khabar._logging import enable_console_logging, get_logger
from khabar._version import __version__
from khabar.cli.predict import add_analyze, add_predict
from khabar.cli.publish import add_publish_commands
from khabar.cli.run import add_run_commands
from khabar.errors import KhabarError

logger = get_logger("cli")

Handler = Callable[[argparse.Namespace], int]
AddCommands = Callable[[argparse._SubParsersAction], None]  # type: ignore[type-arg]

COMMANDS: tuple[AddCommands, ...] = (
    add_run_commands,  # config check, train, evaluate, baseline
    add_analyze,
    add_predict,
    add_publish_commands,  # publish, convert-weights
)
"""Every sub-command of ``khabar``, in ``--help`` order."""

DEBUG_ENV = "KHABAR_DEBUG"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="khabar",
        description="Fine-tune and run Arabic news models: topic, stance, summarisation.",
    )
    parser.add_argument("--version", action="version", version=f"khabar {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    parser.add_argument(
        "--debug",
        action="store_true",
        help=f"print the traceback of an error (also ${DEBUG_ENV}=1)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``khabar`` console script."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    # dotted overrides may come after options (``train CFG --resume a.b=1``)
    overrides = [u for u in unknown if "=" in u and not u.startswith("-")]
    rest = [u for u in unknown if u not in overrides]
    if rest or (overrides and not hasattr(args, "overrides")):
        parser.error(f"unrecognized arguments: {' '.join(rest or overrides)}")
    if overrides:
        args.overrides = [*args.overrides, *overrides]
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    enable_console_logging(level)
    _quiet_dependencies()
    debug = args.debug or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    try:
        return int(args.handler(args))
    except KhabarError as err:
        if debug:
            traceback.print_exc()
        print(f"khabar: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("khabar: interrupted", file=sys.stderr)
        return 130
    except OSError as err:
        if debug:
            traceback.print_exc()
        where = f" ({err.filename})" if getattr(err, "filename", None) else ""
        print(f"khabar: error: {err.strerror or err}{where}", file=sys.stderr)
        return 2
    except Exception as err:
        if debug:
            traceback.print_exc()
        print(
            f"khabar: error: unexpected {type(err).__name__}: {err} (run with --debug for the "
            "traceback, and please report it)",
            file=sys.stderr,
        )
        return 1


def _quiet_dependencies() -> None:
    """Keep the output readable: khabar logs its own progress; no per-map progress bars."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import datasets

        datasets.disable_progress_bars()
        datasets.logging.set_verbosity_warning()
    except ImportError:  # pragma: no cover
        pass


if __name__ == "__main__":
    raise SystemExit(main())
