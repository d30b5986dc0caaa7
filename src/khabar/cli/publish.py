"""``khabar publish`` and ``khabar convert-weights``."""

from __future__ import annotations

import argparse
import sys

from khabar.hub import convert_to_safetensors, publish


def _write(text: str) -> None:
    sys.stdout.write(text + "\n")


def cmd_publish(args: argparse.Namespace) -> int:
    result = publish(
        args.model,
        args.repo_id,
        private=True if args.private else None,
        dry_run=args.dry_run,
        output=args.output,
        overwrite=args.overwrite,
        allow_no_eval=args.allow_no_eval,
        convert_weights=args.convert_weights,
        endpoint=args.endpoint,
        commit_message=args.message,
        revision=args.revision,
    )
    _write(result.format())
    if not result.dry_run:
        _write(result.url or "")
    return 0


def cmd_convert_weights(args: argparse.Namespace) -> int:
    files = convert_to_safetensors(args.model, delete_pickles=args.delete_pickles)
    _write("safetensors weights: " + ", ".join(str(f) for f in files))
    return 0


def add_publish_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "publish",
        help="push a model directory to the Hugging Face Hub with a rendered model card",
        description=(
            "Stage the files of MODEL_DIR that belong on the Hub (safetensors weights, config, "
            "tokenizer, khabar settings and results, plots, a freshly rendered README.md card), "
            "validate the card, create the repository and upload everything in one commit. The "
            "token comes from HF_TOKEN or `hf auth login`; it is never written anywhere."
        ),
    )
    p.add_argument("model", metavar="MODEL_DIR", help="khabar model directory")
    p.add_argument("--repo-id", help="ORG/NAME on the Hub (default: hub.repo_id of the run config)")
    p.add_argument("--private", action="store_true", help="create the repository private")
    p.add_argument(
        "--dry-run", action="store_true", help="stage and list the files; upload nothing"
    )
    p.add_argument(
        "--output",
        metavar="STAGE_DIR",
        help="where --dry-run stages (default: a temporary directory)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an earlier stage in --output")
    p.add_argument(
        "--allow-no-eval",
        action="store_true",
        help="publish a model without evaluation results (the card says so)",
    )
    p.add_argument(
        "--convert-weights",
        action="store_true",
        help="convert pickle weights (.bin/.pt) to safetensors first",
    )
    p.add_argument(
        "--endpoint", help="Hub URL (default: $HF_ENDPOINT, then https://huggingface.co)"
    )
    p.add_argument(
        "--message", help="commit message (default: khabar version and headline results)"
    )
    p.add_argument("--revision", help="branch to commit to (default: main)")
    p.set_defaults(handler=cmd_publish)

    c = sub.add_parser(
        "convert-weights",
        help="convert a model directory's pickle weights (.bin/.pt) to safetensors",
    )
    c.add_argument("model", metavar="MODEL_DIR")
    c.add_argument(
        "--delete-pickles",
        action="store_true",
        help="remove the pickle files once the conversion is checked",
    )
    c.set_defaults(handler=cmd_convert_weights)
