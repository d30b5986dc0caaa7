"""``khabar config check``, ``train``, ``evaluate`` and ``baseline``: the run sub-commands.

Module-level imports stay light (argparse only), so that ``khabar --help`` is fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from khabar.cli.predict import int_at_least
from khabar.errors import KhabarError


def _add_data_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        help="base directory for relative data files in the config (default: $KHABAR_DATA_DIR)",
    )
    p.add_argument(
        "--models-dir",
        help="directory holding local checkpoints named by model.checkpoint "
        "(default: $KHABAR_MODELS_DIR)",
    )


def _apply_data_dir(args: argparse.Namespace) -> None:
    """``--data-dir`` / ``--models-dir`` set the directories relative paths resolve against."""
    from khabar.config import DATA_DIR_ENV, MODELS_DIR_ENV

    if getattr(args, "data_dir", None):
        os.environ[DATA_DIR_ENV] = str(Path(args.data_dir).resolve())
    if getattr(args, "models_dir", None):
        os.environ[MODELS_DIR_ENV] = str(Path(args.models_dir).resolve())


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
    from khabar.config import apply_overrides
    from khabar.evaluation import evaluate_model_dir, format_report

    _apply_data_dir(args)
    generation = apply_overrides({}, args.generation or [])
    reading = apply_overrides({}, args.reading or [])
    report = evaluate_model_dir(
        args.model,
        splits=args.split,
        files=args.file,
        config_path=args.config,
        output=args.output,
        batch_size=args.batch_size,
        baseline=not args.no_baseline,
        generation=generation,
        reading=reading,
        dtype=args.dtype,
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


def add_run_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
        "--overwrite",
        action="store_true",
        help="replace the model (or interrupted run) khabar wrote in the output directory; a "
        "directory holding anything else is never replaced",
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
    p.add_argument("--batch-size", type=int_at_least(1), default=32)
    p.add_argument("--no-baseline", action="store_true", help="skip the baseline")
    p.add_argument(
        "--dtype",
        default="auto",
        choices=("auto", "float32", "bfloat16", "float16"),
        help="as `khabar predict --dtype` (the same numbers): auto is bfloat16 weights where the "
        "hardware has it natively, bf16 autocast over float32 weights for classifiers on CPUs "
        "with AVX512-BF16 only, else float32",
    )
    p.add_argument(
        "--generation",
        action="append",
        metavar="KEY=VALUE",
        help="summarisers: a decoding setting for this evaluation, e.g. num_beams=1 (repeatable; "
        "the saved generation_config.json is not changed)",
    )
    p.add_argument(
        "--reading",
        action="append",
        metavar="KEY=VALUE",
        help="classifiers: a window setting for this evaluation (max_windows, lead_weight or "
        "stride), e.g. max_windows=8 (repeatable; the model directory is not changed; "
        "scripts/choose_reading.py chooses them on dev)",
    )
    _add_data_dir(p)
    p.set_defaults(handler=cmd_evaluate)

    p = sub.add_parser(
        "baseline", help="TF-IDF + logistic regression (or lead-k) baseline for a config"
    )
    p.add_argument("config")
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE")
    _add_data_dir(p)
    p.set_defaults(handler=cmd_baseline)
