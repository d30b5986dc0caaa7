"""Topic and stance classifiers: the classification hooks of the training runner.

Topic is single-text classification; stance is the same machinery with a (``target``, ``text``)
pair (the task registry's ``pair_column``). The runner (:mod:`khabar.training.runner`) does the
rest: data → preprocessing → model factory → ``Trainer`` → windowed evaluation with a baseline
beside it → an atomically written, HF-native model directory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from datasets import Dataset, DatasetDict
from transformers import (
    DataCollatorWithPadding,
    EvalPrediction,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    Trainer,
)

from khabar._logging import get_logger
from khabar.config import RunConfig
from khabar.data import DataSummary, percentiles
from khabar.errors import ConfigError, DataError
from khabar.evaluation.classification import evaluate_classifier_splits, load_eval_file
from khabar.metrics import classification_report, plot_confusion_matrix
from khabar.model_dir import CONFUSION_MATRIX_FILE
from khabar.modeling.factory import build_classifier
from khabar.modeling.scratch import scratch_classifier
from khabar.reading.truncation import head_tail
from khabar.reading.windows import encode_windows, num_labels_of
from khabar.tasks import get_task
from khabar.training.hooks import TaskHooks, TrainerParts, Writer

logger = get_logger(__name__)


def tokenize_for_training(
    dataset: Dataset,
    tokenizer: PreTrainedTokenizerBase,
    config: RunConfig,
    *,
    windows: int = 1,
) -> Dataset:
    """Tokenise a split for the ``Trainer`` (no padding: the collator pads per batch).

    ``windows`` 1: one row per text, cut to ``model.max_length`` (``model.truncation``);
    otherwise one row per window, as :func:`window_rows`.
    """
    if windows != 1:
        return window_rows(dataset, tokenizer, config, windows)
    model = config.model
    pair = get_task(config.task).is_pair

    def encode(batch: dict[str, list[Any]]) -> dict[str, Any]:
        texts = batch["text"]
        if model.truncation == "head_tail":
            budget = model.max_length - 3
            if pair:
                texts = [
                    head_tail(t, tokenizer, max(16, budget - len(tokenizer.tokenize(g))))
                    for g, t in zip(batch["target"], texts)
                ]
            else:
                texts = [head_tail(t, tokenizer, budget) for t in texts]
        if pair:
            enc = tokenizer(
                batch["target"], texts, truncation="only_second", max_length=model.max_length
            )
        else:
            enc = tokenizer(texts, truncation=True, max_length=model.max_length)
        enc["labels"] = batch["label"]
        enc["length"] = [len(ids) for ids in enc["input_ids"]]
        return enc

    return dataset.map(encode, batched=True, remove_columns=dataset.column_names, desc="tokenizing")


def window_rows(
    dataset: Dataset, tokenizer: PreTrainedTokenizerBase, config: RunConfig, windows: int
) -> Dataset:
    """One row per window of each text (at most ``windows``, 0 = all, spread over the text as
    evaluation picks them; see :func:`khabar.reading.windows.encode_windows`), labelled with
    the text's label."""
    pair = get_task(config.task).is_pair
    found, owners = encode_windows(
        tokenizer,
        list(dataset["text"]),
        list(dataset["target"]) if pair else None,
        config.reading.replace(max_windows=windows),
    )
    labels = list(dataset["label"])
    keys = list(found[0]) if found else ["input_ids", "attention_mask"]
    columns: dict[str, list[Any]] = {key: [w[key] for w in found] for key in keys}
    columns["labels"] = [labels[int(t)] for t in owners]
    columns["length"] = [len(w["input_ids"]) for w in found]
    logger.info(
        "training on windows: %d texts give %d rows (at most %s windows each)",
        len(labels),
        len(found),
        windows or "all",
    )
    return Dataset.from_dict(columns)


def class_weights(
    config: RunConfig, labels: Sequence[str], train_labels: Sequence[int]
) -> torch.Tensor | None:
    """Loss weights: ``balanced`` (n / (k * count)) or the config's explicit map."""
    spec = config.model.class_weights
    if spec is None:
        return None
    if spec == "balanced":
        counts = Counter(train_labels)
        n, k = len(train_labels), len(labels)
        weights = [n / (k * counts.get(i, 1)) for i in range(k)]
    else:
        assert isinstance(spec, dict)
        unknown = sorted(set(spec) - set(labels))
        if unknown:
            raise ConfigError(
                f"labels {unknown} are not in the data (labels: {list(labels)})",
                key="model.class_weights",
            )
        weights = [float(spec.get(name, 1.0)) for name in labels]
    logger.info("class weights: %s", dict(zip(labels, (round(w, 3) for w in weights))))
    return torch.tensor(weights, dtype=torch.float32)


def _weighted_loss(weights: torch.Tensor):  # type: ignore[no-untyped-def]
    def compute_loss(
        outputs: Any, labels: torch.Tensor, num_items_in_batch: Any = None
    ) -> torch.Tensor:
        logits = outputs["logits"] if isinstance(outputs, dict) else outputs.logits
        return torch.nn.functional.cross_entropy(
            logits.float(), labels, weight=weights.to(logits.device)
        )

    return compute_loss


def _metrics_fn(labels: Sequence[str]):  # type: ignore[no-untyped-def]
    def compute(pred: EvalPrediction) -> dict[str, float]:
        logits = pred.predictions[0] if isinstance(pred.predictions, tuple) else pred.predictions
        report = classification_report(
            np.argmax(logits, axis=-1).tolist(), np.asarray(pred.label_ids).tolist(), labels
        )
        return {k: float(report[k]) for k in ("accuracy", "macro_f1", "weighted_f1")}

    return compute


def _check_labels_fit(config: RunConfig, model_labels: int, labels: Sequence[str]) -> None:
    if model_labels != len(labels):
        raise DataError(
            f"the model has {model_labels} output labels but the data has {len(labels)}: {list(labels)}"
        )


def _add_token_lengths(
    summary: DataSummary,
    dataset: DatasetDict,
    tokenizer: PreTrainedTokenizerBase,
    config: RunConfig,
) -> None:
    """Token-length percentiles per split and how many inputs exceed ``model.max_length``."""
    for split, ds in dataset.items():
        sample = ds.select(range(min(len(ds), 2000)))
        if get_task(config.task).is_pair:
            enc = tokenizer(list(sample["target"]), list(sample["text"]), verbose=False)
        else:
            enc = tokenizer(list(sample["text"]), verbose=False)
        lengths = [len(ids) for ids in enc["input_ids"]]
        s = summary.splits[split]
        s.tokens = percentiles(lengths)
        over = [n - config.model.max_length for n in lengths if n > config.model.max_length]
        s.truncated = {
            "count_in_sample": len(over),
            "sample": len(lengths),
            "fraction": round(len(over) / max(1, len(lengths)), 4),
            "mean_tokens_cut": round(float(np.mean(over)), 1) if over else 0.0,
        }


class ClassificationHooks(TaskHooks):
    """Sequence classification (topic, stance): windowed evaluation, TF-IDF baseline."""

    def tokenizer_texts(self) -> list[str]:
        train = self.data.dataset["train"]
        texts = list(train["text"])
        pair = self.spec.pair_column
        if pair is not None:
            texts += sorted(set(train[pair]))
        return texts

    def build_model(self, texts: Sequence[str]) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
        return build_classifier(self.config.model, self.data.labels, texts, seed=self.config.seed)

    def scratch_model(self, tokenizer: PreTrainedTokenizerBase) -> PreTrainedModel:
        assert self.config.model.scratch is not None
        return scratch_classifier(self.config.model.scratch, self.data.labels, tokenizer)

    def prepare_model(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> None:
        _check_labels_fit(self.config, num_labels_of(model), self.data.labels)

    def tokenize(self, tokenizer: PreTrainedTokenizerBase) -> dict[str, Dataset]:
        dataset = self.data.dataset
        _add_token_lengths(self.data.summary, dataset, tokenizer, self.config)
        # dev (the epoch-end evaluations) reads the head of each text, as before
        return {
            split: tokenize_for_training(
                dataset[split],
                tokenizer,
                self.config,
                windows=self.config.model.train_windows if split == "train" else 1,
            )
            for split in ("train", "dev")
            if split in dataset
        }

    def build_trainer(self, parts: TrainerParts) -> Trainer:
        labels, tokenizer = self.data.labels, parts.tokenizer
        # balanced over the rows the loss sees (texts, or their windows)
        weights = class_weights(self.config, labels, list(parts.tokenized["train"]["labels"]))
        return Trainer(
            model=parts.model,
            args=parts.args,
            train_dataset=parts.tokenized["train"],
            eval_dataset=parts.tokenized.get("dev"),
            processing_class=tokenizer,
            data_collator=DataCollatorWithPadding(tokenizer),
            compute_metrics=_metrics_fn(labels),
            compute_loss_func=_weighted_loss(weights) if weights is not None else None,
            callbacks=parts.callbacks,
        )

    def evaluate(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        autocast: torch.dtype | None = None,
    ) -> dict[str, Any]:
        config, data = self.config, self.data
        return evaluate_classifier_splits(
            model,
            tokenizer,
            {s: data.dataset[s] for s in config.evaluation.splits if s in data.dataset},
            labels=data.labels,
            task=config.task,
            settings=config.reading,
            batch_size=config.evaluation.batch_size,
            baseline_train=data.dataset["train"] if config.evaluation.baseline else None,
            extra={
                name: load_eval_file(config, path, data.preprocessor, data.labels)
                for name, path in config.evaluation.extra.items()
            },
            autocast=autocast,
        )

    def extra_writers(self, model: PreTrainedModel, report: dict[str, Any]) -> list[Writer]:
        def write_confusion_matrix(stage: Path) -> None:
            last = _last_split(report)
            if last is not None:
                plot_confusion_matrix(
                    report["splits"][last]["model"]["confusion_matrix"],
                    self.data.labels,
                    stage / CONFUSION_MATRIX_FILE,
                    title=f"{self.config.task} — {last}",
                )

        return [write_confusion_matrix]


def _last_split(report: dict[str, Any]) -> str | None:
    splits = list(report.get("splits", {}))
    return "test" if "test" in splits else (splits[-1] if splits else None)


__all__ = ["ClassificationHooks", "class_weights", "tokenize_for_training", "window_rows"]
