"""Training: one runner for every task (:mod:`khabar.training.runner`), with the hooks of each
task kind (:mod:`khabar.training.classification`, :mod:`khabar.training.summarization`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from khabar.config import RunConfig
from khabar.errors import ConfigError
from khabar.training.classification import ClassificationHooks
from khabar.training.common import TrainOutcome
from khabar.training.hooks import TaskHooks
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


def _train_with(hooks: TaskHooks, kind: str, **kwargs: Any) -> TrainOutcome:
    if hooks.spec.kind != kind:
        raise ConfigError(
            f"this trains {kind} tasks, not {hooks.config.task}; use khabar.training.train",
            file=hooks.config.source_file,
            key="task",
        )
    return run_training(hooks.config, hooks=hooks, **kwargs)


def train_classifier(config: RunConfig, **kwargs: Any) -> TrainOutcome:
    """Train, evaluate and save a topic or stance classifier (see :func:`train`)."""
    return _train_with(ClassificationHooks(config), "classification", **kwargs)


def train_summarizer(config: RunConfig, **kwargs: Any) -> TrainOutcome:
    """Train, evaluate and save a summariser or headline generator (see :func:`train`)."""
    return _train_with(Seq2SeqHooks(config), "seq2seq", **kwargs)


__all__ = ["TrainOutcome", "run_training", "train", "train_classifier", "train_summarizer"]
