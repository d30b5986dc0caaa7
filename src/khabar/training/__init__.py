"""Training: one runner for every task (:mod:`khabar.training.runner`), with the hooks of each
task kind (:mod:`khabar.training.classification`, :mod:`khabar.training.summarization`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from khabar.config import RunConfig
from khabar.errors import ConfigError
from khabar.training.classification import ClassificationHooks
from khabar.training.common import TrainOutcome
from khabar.training.runner import run_training
from khabar.training.summarization import Seq2SeqHooks


def train(
    config: RunConfig,
    *,
    output_dir: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    **kwargs: Any,
) -> TrainOutcome:
    """Train the model a config describes and write its model directory."""
    return run_training(config, output_dir=output_dir, resume=resume, overwrite=overwrite, **kwargs)


def train_classifier(
    config: RunConfig,
    *,
    output_dir: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    callbacks: Sequence[TrainerCallback] = (),
) -> TrainOutcome:
    """Train, evaluate and save a topic or stance classifier (the runner with its hooks)."""
    hooks = ClassificationHooks(config)
    if hooks.spec.kind != "classification":
        raise ConfigError(
            f"train_classifier handles classification tasks, not {config.task}", key="task"
        )
    return run_training(
        config,
        output_dir=output_dir,
        resume=resume,
        overwrite=overwrite,
        callbacks=callbacks,
        hooks=hooks,
    )


def train_summarizer(
    config: RunConfig,
    *,
    output_dir: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    callbacks: Sequence[TrainerCallback] = (),
) -> TrainOutcome:
    """Train, evaluate and save a summariser or headline generator (the runner with its hooks)."""
    hooks = Seq2SeqHooks(config)
    if not hooks.spec.is_seq2seq:
        raise ConfigError(
            f"train_summarizer handles summarization, not {config.task}",
            file=config.source_file,
            key="task",
        )
    return run_training(
        config,
        output_dir=output_dir,
        resume=resume,
        overwrite=overwrite,
        callbacks=callbacks,
        hooks=hooks,
    )


__all__ = ["TrainOutcome", "run_training", "train", "train_classifier", "train_summarizer"]
