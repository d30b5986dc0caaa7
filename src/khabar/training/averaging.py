"""Stochastic weight averaging over the last part of a run (``training.average_weights_from_epoch``).

From the given epoch on, :class:`WeightAveraging` keeps the running mean of the trainable
weights after every optimiser step (SWA, Izmailov et al., UAI 2018, "Averaging Weights Leads to
Wider Optima and Better Generalization"; the averaged checkpoints of Vaswani et al., NeurIPS
2017, are the same idea at a coarser grain). When training ends, :func:`keep_better_average`
scores the average on dev with the run's own best-checkpoint metric and keeps it only where it
beats the checkpoint the ``Trainer`` selected: the average is a candidate, never a silent
replacement. The model stays one plain ``transformers`` model either way (encoders use layer
norm only, so no batch-norm statistics need recomputing).

Frozen weights are equal in every step and are not copied. On ``--resume`` the average starts
again at the resumed step (it is not part of a checkpoint).
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import (
    PreTrainedModel,
    Trainer,
    TrainerCallback,
    TrainerControl,
    TrainerState,
    TrainingArguments,
)

from khabar._logging import get_logger

logger = get_logger(__name__)


class WeightAveraging(TrainerCallback):
    """Running mean of the trainable parameters from epoch ``start_epoch`` on, one update per
    optimiser step."""

    def __init__(self, start_epoch: float):
        self.start_epoch = float(start_epoch)
        self.average: dict[str, torch.Tensor] = {}
        self.count = 0
        self.first_step: int | None = None
        """The step of the first snapshot (None: training ended before ``start_epoch``)."""

    def on_step_end(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        model: PreTrainedModel | None = None,
        **kw: Any,
    ) -> None:
        if model is None or state.epoch is None or state.epoch < self.start_epoch:
            return
        self.update(model, state.global_step)

    @torch.no_grad()
    def update(self, model: torch.nn.Module, step: int) -> None:
        """Fold the current trainable weights into the running mean."""
        if self.first_step is None:
            self.first_step = step
        self.count += 1
        for name, param in model.named_parameters():
            if not param.requires_grad:
                continue
            value = param.detach().float()
            mean = self.average.get(name)
            if mean is None:
                self.average[name] = value.clone()
            else:
                mean.add_(value - mean, alpha=1.0 / self.count)

    def swap(self, model: torch.nn.Module) -> dict[str, torch.Tensor]:
        """Load the average into ``model``; returns the weights it replaced."""
        return load_weights(model, self.average)


@torch.no_grad()
def load_weights(
    model: torch.nn.Module, weights: dict[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Copy ``weights`` (by parameter name) into ``model``; returns the values they replaced."""
    params = dict(model.named_parameters())
    replaced: dict[str, torch.Tensor] = {}
    for name, value in weights.items():
        param = params[name]
        replaced[name] = param.detach().clone()
        param.copy_(value.to(param.dtype))
    return replaced


def keep_better_average(trainer: Trainer, averaging: WeightAveraging) -> dict[str, Any] | None:
    """Score the average on dev with the run's best-checkpoint metric; keep it in
    ``trainer.model`` only if it beats the checkpoint the trainer ended with.

    Returns what was compared (for ``train_results.json`` and the card), or None where nothing
    was averaged or there is no dev evaluation to choose by. Call it on every process of a
    distributed run (evaluation is collective).
    """
    args = trainer.args
    if averaging.count == 0:
        logger.warning(
            "training.average_weights_from_epoch is %g, but training ended at epoch %.2f: "
            "nothing was averaged",
            averaging.start_epoch,
            trainer.state.epoch or 0.0,
        )
        return None
    if trainer.eval_dataset is None or args.eval_strategy == "no":
        logger.warning("weight averaging needs a dev split to be chosen by: the average is unused")
        return None
    metric = args.metric_for_best_model or "eval_loss"
    if not metric.startswith("eval_"):
        metric = f"eval_{metric}"
    greater = bool(args.greater_is_better)
    model = trainer.model
    assert model is not None
    history = len(trainer.state.log_history)

    def dev_score() -> float:
        score = float(trainer.evaluate()[metric])
        del trainer.state.log_history[history:]  # the choice is recorded in train_results
        return score

    selected = trainer.state.best_metric if args.load_best_model_at_end else None
    kept_score = float(selected) if selected is not None else dev_score()
    replaced = averaging.swap(model)
    average_score = dev_score()
    better = average_score > kept_score if greater else average_score < kept_score
    if not better:
        load_weights(model, replaced)
    logger.info(
        "weight average of %d steps (from step %d): dev %s %.4f vs %.4f for the selected "
        "checkpoint; %s",
        averaging.count,
        averaging.first_step,
        metric.removeprefix("eval_"),
        average_score,
        kept_score,
        "the average is kept" if better else "the checkpoint is kept",
    )
    return {
        "from_epoch": averaging.start_epoch,
        "from_step": averaging.first_step,
        "steps_averaged": averaging.count,
        "metric": metric.removeprefix("eval_"),
        "average": round(float(average_score), 6),
        "checkpoint": round(float(kept_score), 6),
        "kept": "average" if better else "checkpoint",
    }


__all__ = ["WeightAveraging", "keep_better_average", "load_weights"]
