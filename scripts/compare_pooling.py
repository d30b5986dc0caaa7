#!/usr/bin/env python
"""CLS pooling vs mean pooling for a pretrained classifier, on dev, with one config's recipe.

    python scripts/compare_pooling.py configs/stance/mawqif_e5.yaml \\
        --data-dir ../shared/data --models-dir ../shared/models [--set training.num_train_epochs=1]

khabar's classifiers are ``AutoModelForSequenceClassification`` models: BERT-family heads pool the
first token (``[CLS]``/``<s>``) through the pooler layer, which is what plain
``pipeline("text-classification")`` runs. E5 was pre-trained with mean pooling of the last
layer instead. This script fine-tunes the config twice through khabar's own training flow, the same
seed, data, steps and evaluation, and differs in one thing only: the pooler reads the first
token's state (``cls``) or the mask-weighted mean of all token states (``mean``); the pooler's
dense layer and the head are new in both. Each run is scored on the dev split (windowed reading,
as ``khabar evaluate``), and the difference is printed.

The mean-pooled model exists only in this process: its saved directory would load in plain
``transformers`` as a CLS model, so both model directories are written to a temporary folder
and deleted. Nothing is asserted; run it alone (the two trainings take the cores).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

POOLINGS = ("cls", "mean")


def mean_pool(model: Any) -> None:
    """Make a BERT-family classifier's pooler read the mask-weighted mean of the token states
    instead of the first token's (the pooler's dense layer and activation stay)."""
    import torch

    pooler = getattr(model.base_model, "pooler", None)
    if pooler is None or not hasattr(pooler, "dense"):
        raise SystemExit(
            f"{type(model).__name__} has no BERT-style pooler to switch to mean pooling"
        )
    state: dict[str, torch.Tensor | None] = {"mask": None}

    def remember_mask(_module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        state["mask"] = kwargs.get("attention_mask")

    def forward(self: Any, hidden_states: torch.Tensor) -> torch.Tensor:
        mask = state["mask"]
        if mask is None:
            mask = torch.ones(hidden_states.shape[:2], device=hidden_states.device)
        weights = mask.unsqueeze(-1).to(hidden_states.dtype)
        mean = (hidden_states * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return self.activation(self.dense(mean))  # type: ignore[no-any-return]

    model.base_model.register_forward_pre_hook(remember_mask, with_kwargs=True)
    pooler.forward = types.MethodType(forward, pooler)


def run(config_path: Path, pooling: str, overrides: Sequence[str], workdir: Path) -> dict[str, Any]:
    """Train the config with ``pooling`` and return its dev scores."""
    from khabar.config import load_config
    from khabar.training import train
    from khabar.training.classification import ClassificationHooks

    config = load_config(
        config_path, [*overrides, "evaluation.splits=[dev]", "evaluation.baseline=false"]
    )
    if config.model.checkpoint is None:
        raise SystemExit("pooling is compared for a pretrained checkpoint (model.checkpoint)")

    class PoolingHooks(ClassificationHooks):
        def build_model(self, texts: Sequence[str]) -> tuple[Any, Any]:
            model, tokenizer = super().build_model(texts)
            if pooling == "mean":
                mean_pool(model)
            return model, tokenizer

    outcome = train(
        config, hooks=PoolingHooks(config), output_dir=workdir / pooling, overwrite=True
    )
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
