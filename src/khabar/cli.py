"""The ``khabar`` command line: one entry point, a sub-command per job, ``--help`` on each."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from khabar import __version__
from khabar._logging import enable_console_logging, get_logger
from khabar.errors import KhabarError

logger = get_logger("cli")

Handler = Callable[[argparse.Namespace], int]


def _add_data_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        help="base directory for relative data files in the config (default: $KHABAR_DATA_DIR)",
    )


def _apply_data_dir(args: argparse.Namespace) -> None:
    if getattr(args, "data_dir", None):
        os.environ["KHABAR_DATA_DIR"] = str(Path(args.data_dir).resolve())


# ----------------------------------------------------------------------------- commands


def cmd_config_check(args: argparse.Namespace) -> int:
    from khabar.config import load_config

    failed = 0
    for file in args.files:
        try:
            config = load_config(file, args.set or ())
        except KhabarError as err:
            failed += 1
            print(f"FAIL {err}", file=sys.stderr)
            continue
        what = config.model.checkpoint or "scratch model"
        print(f"ok   {file}: {config.task}, {what}, output {config.output.dir}")
    return 1 if failed else 0


def cmd_train(args: argparse.Namespace) -> int:
    from khabar.config import load_config
    from khabar.training import train

    _apply_data_dir(args)
    config = load_config(args.config, args.overrides)
    outcome = train(
        config, output_dir=args.output_dir, resume=args.resume, overwrite=args.overwrite
    )
    print(f"model saved to {outcome.output_dir}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from khabar.evaluation import evaluate_model_dir, format_report

    _apply_data_dir(args)
    report = evaluate_model_dir(
        args.model,
        splits=args.split,
        files=args.file,
        config_path=args.config,
        output=args.output,
        batch_size=args.batch_size,
        baseline=not args.no_baseline,
    )
    print(format_report(report))
    return 0


def cmd_baseline(args: argparse.Namespace) -> int:
    from khabar.config import load_config
    from khabar.evaluation import run_baseline

    _apply_data_dir(args)
    config = load_config(args.config, args.overrides)
    print(run_baseline(config))
    return 0


# ----------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="khabar",
        description="Fine-tune and run Arabic news models: topic, stance, summarisation.",
    )
    parser.add_argument("--version", action="version", version=f"khabar {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("config", help="work with run configuration files")
    config_sub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_sub.add_parser(
        "check", help="validate YAML config files without running anything"
    )
    check.add_argument("files", nargs="+", help="config files")
    check.add_argument(
        "--set", action="append", metavar="KEY=VALUE", help="dotted override (repeatable)"
    )
    check.set_defaults(handler=cmd_config_check)

    p = sub.add_parser("train", help="fine-tune a model from a YAML config")
    p.add_argument("config", help="YAML run configuration (see configs/)")
    p.add_argument(
        "overrides",
        nargs="*",
        metavar="KEY=VALUE",
        help="dotted overrides, e.g. training.num_train_epochs=1",
    )
    p.add_argument("--output-dir", help="where the model directory goes (default: output.dir)")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue from the last checkpoint in the output directory",
    )
    p.add_argument(
        "--overwrite", action="store_true", help="replace a model already in the output directory"
    )
    _add_data_dir(p)
    p.set_defaults(handler=cmd_train)

    p = sub.add_parser("evaluate", help="score a model directory on splits or files")
    p.add_argument("model", help="model directory")
    p.add_argument(
        "--split",
        action="append",
        help="split of the model's training data (repeatable; default: test)",
    )
    p.add_argument(
        "--file",
        action="append",
        metavar="[NAME=]PATH",
        help="another evaluation file, e.g. out-of-domain (repeatable)",
    )
    p.add_argument(
        "--config", help="read data settings from this config instead of the model's own"
    )
    p.add_argument(
        "--output", help="write the report here (default: update the model's eval_results.json)"
    )
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--no-baseline", action="store_true", help="skip the baseline")
    _add_data_dir(p)
    p.set_defaults(handler=cmd_evaluate)

    p = sub.add_parser(
        "baseline", help="TF-IDF + logistic regression (or lead-k) baseline for a config"
    )
    p.add_argument("config")
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE")
    _add_data_dir(p)
    p.set_defaults(handler=cmd_baseline)

    for extra in _EXTRA_COMMANDS:
        extra(sub)
    return parser


_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []  # type: ignore[type-arg]


def register_command(
    adder: Callable[[argparse._SubParsersAction], None],
) -> Callable[[argparse._SubParsersAction], None]:  # type: ignore[type-arg]
    """Register a function that adds a sub-command (used by khabar's other modules)."""
    _EXTRA_COMMANDS.append(adder)
    return adder


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``khabar`` console script."""
    _load_command_modules()
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
    try:
        return int(args.handler(args))
    except KhabarError as err:
        print(f"khabar: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("khabar: interrupted", file=sys.stderr)
        return 130


def _quiet_dependencies() -> None:
    """Keep the output readable: khabar logs its own progress; no per-map progress bars."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import datasets

        datasets.disable_progress_bars()
        datasets.logging.set_verbosity_warning()
    except ImportError:  # pragma: no cover
        pass


def _load_command_modules() -> None:
    """Import the modules that register further sub-commands (analyze, predict, publish)."""
    import importlib

    for name in ("khabar.inference.cli", "khabar.hub"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise


if __name__ == "__main__":
    raise SystemExit(main())
