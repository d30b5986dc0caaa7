"""The steps of a training run that differ between task kinds: :class:`TaskHooks`.

The runner (:mod:`khabar.training.runner`) calls them in order; each kind of task subclasses
them once (:mod:`khabar.training.classification`, :mod:`khabar.training.summarization`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from datasets import Dataset, DatasetDict
from transformers import (
    PreTrainedModel,
    PreTrainedTokenizerBase,
    Trainer,
    TrainerCallback,
    TrainingArguments,
)

from khabar.config import RunConfig
from khabar.data import DataSummary
from khabar.tasks import TaskSpec, get_task
from khabar.text import TextPreprocessor

Writer = Callable[[Path], object]


@dataclass
class RunData:
    """What a run has read: the raw and the preprocessed splits, the labels, the summary."""

    raw: DatasetDict
    dataset: DatasetDict
    labels: list[str]
    preprocessor: TextPreprocessor
    summary: DataSummary


@dataclass
class TrainerParts:
    """What the runner has built for the ``Trainer``: model, tokenizer, arguments, tokenised
    splits (``train``, and ``dev`` when there is one) and callbacks."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    args: TrainingArguments
    tokenized: dict[str, Dataset]
    callbacks: list[TrainerCallback]


class TaskHooks:
    """The steps of a training run that depend on the kind of task.

    Subclasses: :class:`khabar.training.classification.ClassificationHooks` (topic, stance) and
    :class:`khabar.training.summarization.Seq2SeqHooks` (summarisation). The runner gives them
    the data it read (:attr:`data`) before asking for the model.
    """

    args_class: type[TrainingArguments] = TrainingArguments

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self.spec: TaskSpec = get_task(config.task)
        self._data: RunData | None = None

    @property
    def data(self) -> RunData:
        if self._data is None:
            raise RuntimeError("the runner has not read the data yet")
        return self._data

    @data.setter
    def data(self, value: RunData) -> None:
        self._data = value

    # ------------------------------------------------------------------ before any work
    def check(self) -> None:
        """Refuse a config that cannot train, before anything is read or deleted."""

    def argument_defaults(self) -> tuple[dict[str, Any], bool]:
        """khabar's ``TrainingArguments`` defaults for the kind, and whether greater is better
        for the best-checkpoint metric."""
        return {}, True

    def check_arguments(self, args: TrainingArguments) -> None:
        """Refuse argument combinations that cannot work for the kind."""

    # ------------------------------------------------------------------ model
    def tokenizer_texts(self) -> list[str]:
        """What a from-scratch tokenizer is trained on."""
        raise NotImplementedError

    def build_model(self, texts: Sequence[str]) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
        """The model and tokenizer: a checkpoint, a warm start, or scratch + a new tokenizer."""
        raise NotImplementedError

    def scratch_model(self, tokenizer: PreTrainedTokenizerBase) -> PreTrainedModel:
        """A from-scratch model for a tokenizer trained earlier in the same run (``--resume``)."""
        raise NotImplementedError

    def prepare_model(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> None:
        """Checks and settings once the model exists (label count, precision, generation)."""

    # ------------------------------------------------------------------ data
    def tokenize(self, tokenizer: PreTrainedTokenizerBase) -> dict[str, Dataset]:
        """Tokenised splits for the trainer; fills the data summary's token lengths."""
        raise NotImplementedError

    # ------------------------------------------------------------------ training
    def build_trainer(self, parts: TrainerParts) -> Trainer:
        """The ``Trainer`` on the tokenised ``train`` split (``dev`` for evaluation, if any)."""
        raise NotImplementedError

    def finish_model(self, model: PreTrainedModel) -> None:
        """Last touches on the trained model before evaluation and saving."""

    # ------------------------------------------------------------------ after training
    def evaluate(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        autocast: torch.dtype | None = None,
    ) -> dict[str, Any]:
        """The evaluation report (``eval_results.json``): model beside the baseline per split.

        ``autocast`` is the dtype training ran under (``torch.autocast``), or None.
        """
        raise NotImplementedError

    def extra_writers(self, model: PreTrainedModel, report: dict[str, Any]) -> list[Writer]:
        """Files of the kind written into the model directory (plots, generation config)."""
        return []


__all__ = ["RunData", "TaskHooks", "TrainerParts", "Writer"]
