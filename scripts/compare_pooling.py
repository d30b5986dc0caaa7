#!/usr/bin/env python
"""CLS pooling vs mean pooling for a pretrained classifier, on dev, with one config's recipe.

    python scripts/compare_pooling.py configs/stance/mawqif_e5.yaml \\
        --data-dir ../shared/data --models-dir ../shared/models [--set training.num_train_epochs=1]

khabar's classifiers are ``AutoModelForSequenceClassification`` models: BERT-family heads pool the
first token (``[CLS]``/``<s>``) through the pooler layer. E5 was pre-trained with mean pooling of
the last layer instead, which ``model.pooling: mean`` gives a classifier through a fixed averaging
layer (:mod:`khabar.modeling.pooling`; the saved model still loads with plain ``pipeline()``).
This script fine-tunes the config once per pooling through khabar's own training flow, the same
seed, data, steps and evaluation, differing in ``model.pooling`` only. Each run is scored on the
dev split (windowed reading, as ``khabar evaluate``), and the difference is printed. The model
directories go to a temporary folder and are deleted. Nothing is asserted; run it alone (the
trainings take the cores).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

POOLINGS = ("cls", "mean")


def run(config_path: Path, pooling: str, overrides: Sequence[str], workdir: Path) -> dict[str, Any]:
    """Train the config with ``pooling`` and return its dev scores."""
    from khabar.config import load_config
    from khabar.training import train

    config = load_config(
        config_path,
        [
            *overrides,
            f"model.pooling={pooling}",
            "evaluation.splits=[dev]",
            "evaluation.baseline=false",
        ],
    )
    if config.model.checkpoint is None:
        raise SystemExit("pooling is compared for a pretrained checkpoint (model.checkpoint)")
    outcome = train(config, output_dir=workdir / pooling, overwrite=True)
    dev = outcome.eval_results["splits"]["dev"]["model"]
    return {
        "macro_f1": dev["macro_f1"],
        "accuracy": dev.get("accuracy"),
        "train_minutes": round(outcome.train_results.get("train_runtime_s", 0.0) / 60, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--models-dir", type=Path, required=True)
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="config override for both runs (repeatable), e.g. training.max_steps=20",
    )
    parser.add_argument("--poolings", nargs="+", choices=POOLINGS, default=list(POOLINGS))
    parser.add_argument("--json", type=Path, help="also write the scores here")
    args = parser.parse_args()

    import os

    os.environ["KHABAR_DATA_DIR"] = str(args.data_dir)
    os.environ["KHABAR_MODELS_DIR"] = str(args.models_dir)
    scores: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="khabar-pooling-") as tmp:
        for pooling in args.poolings:
            scores[pooling] = run(args.config, pooling, args.overrides, Path(tmp))
            print(f"{pooling:>4}: dev macro-F1 {scores[pooling]['macro_f1']:.4f}", flush=True)
    print(f"\n{args.config} (dev)")
    print(f"{'pooling':<8} {'macro-F1':>9} {'accuracy':>9} {'train min':>10}")
    for pooling, s in scores.items():
        acc = f"{s['accuracy']:.4f}" if s["accuracy"] is not None else "-"
        print(f"{pooling:<8} {s['macro_f1']:>9.4f} {acc:>9} {s['train_minutes']:>10}")
    if len(scores) == 2:
        print(f"mean - cls: {scores['mean']['macro_f1'] - scores['cls']['macro_f1']:+.4f}")
    if args.json:
        args.json.write_text(json.dumps(scores, indent=2) + "\n")


if __name__ == "__main__":
    main()
