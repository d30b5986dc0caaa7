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
from khabar.reading.windows import encode_windows, num_labels_of, text_spans, window_weights
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
        if config.model.train_aggregate:
            return text_window_rows(dataset, tokenizer, config, windows)
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


def _training_windows(
    dataset: Dataset, tokenizer: PreTrainedTokenizerBase, config: RunConfig, windows: int
) -> tuple[list[dict[str, list[int]]], np.ndarray, list[str]]:
    """The windows evaluation would read of each text (at most ``windows``, 0 = all), their
    owners and the input keys they carry."""
    pair = get_task(config.task).is_pair
    found, owners = encode_windows(
        tokenizer,
        list(dataset["text"]),
        list(dataset["target"]) if pair else None,
        config.reading.replace(max_windows=windows),
    )
    return found, owners, list(found[0]) if found else ["input_ids", "attention_mask"]


def window_rows(
    dataset: Dataset, tokenizer: PreTrainedTokenizerBase, config: RunConfig, windows: int
) -> Dataset:
    """One row per window of each text (at most ``windows``, 0 = all, spread over the text as
    evaluation picks them; see :func:`khabar.reading.windows.encode_windows`), labelled with
    the text's label."""
    found, owners, keys = _training_windows(dataset, tokenizer, config, windows)
    labels = list(dataset["label"])
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


def text_window_rows(
    dataset: Dataset, tokenizer: PreTrainedTokenizerBase, config: RunConfig, windows: int
) -> Dataset:
    """One row per text holding its windows (the windows of :func:`window_rows`, each input a
    list of per-window token lists), for a loss on the text's aggregate
    (``model.train_aggregate``; :class:`TextWindowsCollator` flattens them per batch)."""
    found, owners, keys = _training_windows(dataset, tokenizer, config, windows)
    columns: dict[str, list[Any]] = {key: [] for key in keys}
    spans = text_spans(owners)
    for start, end in spans:
        for key in keys:
            columns[key].append([found[i][key] for i in range(start, end)])
    labels = list(dataset["label"])
    columns["labels"] = [labels[int(owners[start])] for start, _ in spans]
    columns["length"] = [sum(len(ids) for ids in text) for text in columns["input_ids"]]
    logger.info(
        "training on the aggregate of each text's windows: %d texts, %d windows (at most %s each)",
        len(columns["labels"]),
        len(found),
        windows or "all",
    )
    return Dataset.from_dict(columns)


class TextWindowsCollator:
    """Pads a batch for the ``Trainer``. Rows of :func:`text_window_rows` (texts holding windows)
    become one batch of their windows plus ``window_owner`` (the text of each window, in the
    batch) and ``window_weight`` (its weight in the text's aggregate,
    :func:`khabar.reading.windows.window_weights`); plain rows (one per text or window, as the
    dev split's) are padded as :class:`transformers.DataCollatorWithPadding` does."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, lead_weight: float) -> None:
        self.plain = DataCollatorWithPadding(tokenizer)
        self.lead_weight = lead_weight

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        ids = features[0]["input_ids"]
        if not ids or not isinstance(ids[0], list):
            return self.plain(features)
        keys = [k for k in features[0] if k not in ("labels", "length")]
        windows: list[dict[str, list[int]]] = []
        owners: list[int] = []
        for t, feature in enumerate(features):
            for w in range(len(feature["input_ids"])):
                windows.append({k: feature[k][w] for k in keys})
                owners.append(t)
        batch = dict(self.plain(windows))
        owner = np.asarray(owners, dtype=np.int64)
        batch["window_owner"] = torch.from_numpy(owner)
        batch["window_weight"] = torch.from_numpy(
            window_weights(owner, self.lead_weight).astype(np.float32)
        )
        batch["labels"] = torch.tensor([int(f["labels"]) for f in features], dtype=torch.long)
        return batch


class TextAggregateTrainer(Trainer):
    """A ``Trainer`` whose loss, on batches of :class:`TextWindowsCollator`'s windows, is taken
    on each text's aggregated logits (by ``compute_loss_func`` when it is given, as the class-
    weighted loss; else cross-entropy); other batches (the dev split's) take the ``Trainer``'s
    own loss."""

    def compute_loss(  # type: ignore[override]
        self,
        model: PreTrainedModel,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: Any = None,
    ) -> Any:
        if "window_owner" not in inputs:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        inputs = dict(inputs)
        owner, weight = inputs.pop("window_owner"), inputs.pop("window_weight")
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        logits = outputs.logits.float() * weight.to(outputs.logits.device)[:, None]
        texts = logits.new_zeros((len(labels), logits.shape[-1]))
        texts = texts.index_add(0, owner.to(logits.device), logits)
        labels = labels.to(logits.device)
        loss_func = self.compute_loss_func or _classification_loss(None, 0.0)
        loss = loss_func({"logits": texts}, labels, num_items_in_batch)
        return (loss, outputs) if return_outputs else loss


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


def _classification_loss(  # type: ignore[no-untyped-def]
    weights: torch.Tensor | None, label_smoothing: float
):
    """Cross-entropy with the class weights and ``training.label_smoothing_factor``: the Trainer
    drops its own label smoother when a ``compute_loss_func`` is given, so this applies both.

    The Trainer also takes such a loss as already scaled for gradient accumulation (it does not
    divide it by the accumulation steps): the batch's mean counts by its share of the
    ``num_items_in_batch`` labels of the whole optimiser step (and of every device), so the
    micro-batches add up to the step's mean.
    """

    def compute_loss(
        outputs: Any, labels: torch.Tensor, num_items_in_batch: Any = None
    ) -> torch.Tensor:
        logits = outputs["logits"] if isinstance(outputs, dict) else outputs.logits
        loss = torch.nn.functional.cross_entropy(
            logits.float(),
            labels,
            weight=weights.to(logits.device) if weights is not None else None,
            label_smoothing=label_smoothing,
        )
        if num_items_in_batch is not None:
            total = torch.as_tensor(num_items_in_batch, device=loss.device, dtype=loss.dtype)
            loss = loss * labels.numel() / total
        return loss

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
        smoothing = float(parts.args.label_smoothing_factor)
        loss = (
            _classification_loss(weights, smoothing) if weights is not None or smoothing else None
        )
        common: dict[str, Any] = {
            "model": parts.model,
            "args": parts.args,
            "train_dataset": parts.tokenized["train"],
            "eval_dataset": parts.tokenized.get("dev"),
            "processing_class": tokenizer,
            "compute_metrics": _metrics_fn(labels),
            "compute_loss_func": loss,
            "callbacks": parts.callbacks,
        }
        if self.config.model.train_aggregate:
            collator = TextWindowsCollator(tokenizer, self.config.model.lead_weight)
            return TextAggregateTrainer(data_collator=collator, **common)
        return Trainer(data_collator=DataCollatorWithPadding(tokenizer), **common)

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


__all__ = [
    "ClassificationHooks",
    "TextAggregateTrainer",
    "TextWindowsCollator",
    "class_weights",
    "text_window_rows",
    "tokenize_for_training",
    "window_rows",
]
