"""Training flows: classification (topic, stance) and summarisation, behind one ``train``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from khabar.config import RunConfig
from khabar.training.classification import train_classifier
from khabar.training.common import TrainOutcome


def train(
    config: RunConfig,
    *,
    output_dir: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    **kwargs: Any,
) -> TrainOutcome:
    """Train the model a config describes and write its model directory."""
    if config.task == "summarization":
        from khabar.training.summarization import train_summarizer

        return train_summarizer(
            config, output_dir=output_dir, resume=resume, overwrite=overwrite, **kwargs
        )
    return train_classifier(
        config, output_dir=output_dir, resume=resume, overwrite=overwrite, **kwargs
    )


__all__ = ["TrainOutcome", "train", "train_classifier"]
