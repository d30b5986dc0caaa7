"""Fine-tune a topic or stance classifier from a :class:`~khabar.config.RunConfig`.

Topic is single-text classification; stance is the same machinery with a (``target``, ``text``)
pair. One flow: data → preprocessing → model factory → ``Trainer`` → windowed evaluation with a
baseline beside it → an atomically written, HF-native model directory.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from datasets import Dataset, DatasetDict
from transformers import (
    DataCollatorWithPadding,
    EvalPrediction,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    Trainer,
    TrainerCallback,
    set_seed,
)

from khabar._logging import get_logger
from khabar.config import RunConfig
from khabar.data import DataSummary, load_data
from khabar.errors import ConfigError, DataError
from khabar.evaluation import evaluate_classifier_splits
from khabar.metrics import classification_report, plot_confusion_matrix, plot_learning_curve
from khabar.model_dir import (
    CHECKPOINTS_DIR,
    CONFUSION_MATRIX_FILE,
    LEARNING_CURVE_FILE,
    LOG_HISTORY_FILE,
    ModelMeta,
)
from khabar.modeling import build_classifier, check_checkpoint, scratch_classifier
from khabar.text import TextPreprocessor
from khabar.training.common import (
    RunTimer,
    TrainOutcome,
    build_callbacks,
    build_training_arguments,
    prepare_output_dir,
    require_dev_for_evaluation,
    save_model_directory,
    tokenizer_cache,
    train_and_measure,
)
from khabar.windows import num_labels_of

logger = get_logger(__name__)


PREPROCESSED_COLUMNS: dict[str, tuple[str, ...]] = {
    "topic": ("text",),
    "stance": ("text", "target"),
    "summarization": ("text", "summary"),
}
"""Columns the model's text preprocessing applies to, per task (summaries get the same
normalisation as articles, so the model learns to write what it reads)."""


def preprocess_dataset(
    dataset: DatasetDict,
    preprocessor: TextPreprocessor,
    task: str,
    columns: Sequence[str] | None = None,
) -> DatasetDict:
    """Apply the model's text preprocessing to the task's text columns of every split.

    ``columns`` overrides :data:`PREPROCESSED_COLUMNS` for the task.
    """
    if columns is None:
        columns = PREPROCESSED_COLUMNS.get(task, ("text",))

    def apply(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return {c: [preprocessor(t) for t in batch[c]] for c in columns}

    return dataset.map(apply, batched=True, batch_size=256, desc="preprocessing")


def head_tail(
    text: str, tokenizer: PreTrainedTokenizerBase, budget: int, head_fraction: float = 0.5
) -> str:
    """Keep the first and last tokens of ``text`` within ``budget`` tokens (cut at token offsets).

    News articles put the topic in the lead and often the conclusion at the end; this keeps both.
    """
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    offsets = enc["offset_mapping"]
    if len(offsets) <= budget:
        return text
    head = max(1, int(budget * head_fraction))
    tail = budget - head
    head_end = offsets[head - 1][1]
    tail_start = offsets[len(offsets) - tail][0] if tail > 0 else len(text)
    return f"{text[:head_end]} … {text[tail_start:]}" if tail > 0 else text[:head_end]


def tokenize_for_training(
    dataset: Dataset, tokenizer: PreTrainedTokenizerBase, config: RunConfig
) -> Dataset:
    """Tokenise a split for the ``Trainer`` (no padding: the collator pads per batch)."""
    model = config.model
    pair = config.task == "stance"

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


def train_classifier(
    config: RunConfig,
    *,
    output_dir: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    callbacks: Sequence[TrainerCallback] = (),
) -> TrainOutcome:
    """Train, evaluate and save a topic or stance classifier. See the module docstring."""
    if config.task not in ("topic", "stance"):
        raise ConfigError(
            f"train_classifier handles topic and stance, not {config.task}", key="task"
        )
    out = Path(output_dir or config.output.dir)
    timer = RunTimer()
    if config.model.checkpoint:
        check_checkpoint(config.model.checkpoint)
    prepare_output_dir(out, resume=resume, overwrite=overwrite or config.output.overwrite)
    set_seed(config.seed)

    dataset, summary = load_data(config)
    if "train" not in dataset:
        raise DataError(
            "the config names no train split (data.files.train)", file=config.source_file
        )
    labels = summary.labels
    logger.info("%s", summary.format())
    timer.mark("data")

    preprocessor = TextPreprocessor.from_dict(config.text) if config.text else TextPreprocessor()
    dataset = preprocess_dataset(dataset, preprocessor, config.task)
    timer.mark("preprocessing")

    args = build_training_arguments(config, out)
    cache = tokenizer_cache(out)
    with args.main_process_first(desc="model and tokenizer"):
        if config.model.scratch is not None and cache.is_dir():
            from transformers import AutoTokenizer

            logger.info("reusing the tokenizer trained earlier in this run (%s)", cache)
            tokenizer: PreTrainedTokenizerBase = AutoTokenizer.from_pretrained(cache)
            model = scratch_classifier(config.model.scratch, labels, tokenizer)
        else:
            train_texts = list(dataset["train"]["text"])
            if config.task == "stance":
                train_texts = train_texts + sorted(set(list(dataset["train"]["target"])))
            model, tokenizer = build_classifier(config.model, labels, train_texts, seed=config.seed)
            if config.model.scratch is not None and args.should_save:
                tokenizer.save_pretrained(cache)
    _check_labels_fit(config, num_labels_of(model), labels)
    _add_token_lengths(summary, dataset, tokenizer, config)
    timer.mark("model")

    with args.main_process_first(desc="tokenizing"):
        train_ds = tokenize_for_training(dataset["train"], tokenizer, config)
        eval_ds = (
            tokenize_for_training(dataset["dev"], tokenizer, config) if "dev" in dataset else None
        )
    require_dev_for_evaluation(args, eval_ds is not None)
    timer.mark("tokenizing")

    all_callbacks, time_cb = build_callbacks(config, callbacks)
    weights = class_weights(config, labels, list(dataset["train"]["label"]))
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        processing_class=tokenizer,
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=_metrics_fn(labels),
        compute_loss_func=_weighted_loss(weights) if weights is not None else None,
        callbacks=all_callbacks,
    )
    metrics = train_and_measure(trainer, out, resume=resume, timer=timer, time_cb=time_cb)
    if not trainer.is_world_process_zero():
        return TrainOutcome(out, metrics, {})

    model = cast(PreTrainedModel, trainer.model)
    meta = ModelMeta(
        task=config.task,
        labels=list(labels),
        base_model=config.model.checkpoint,
        max_length=config.model.max_length,
        stride=config.model.stride,
        max_windows=config.model.max_windows,
        truncation=config.model.truncation,
        lead_weight=config.model.lead_weight,
        datasets=_dataset_names(config),
    )
    settings = meta.window_settings()
    eval_sets = {s: dataset[s] for s in config.evaluation.splits if s in dataset}
    report = evaluate_classifier_splits(
        model,
        tokenizer,
        eval_sets,
        labels=labels,
        task=config.task,
        settings=settings,
        batch_size=config.evaluation.batch_size,
        baseline_train=dataset["train"] if config.evaluation.baseline else None,
        extra=_extra_eval_sets(config, preprocessor, labels),
    )
    timer.mark("evaluation")
    metrics["phases_s"] = dict(timer.marks)
    log_history = list(trainer.state.log_history)

    def write_plots(stage: Path) -> None:
        last = _last_split(report)
        if last is not None:
            plot_confusion_matrix(
                report["splits"][last]["model"]["confusion_matrix"],
                labels,
                stage / CONFUSION_MATRIX_FILE,
                title=f"{config.task} — {last}",
            )
        plot_learning_curve(
            log_history, stage / LEARNING_CURVE_FILE, metric=f"eval_{config.evaluation.metric}"
        )

    from khabar.io import write_json_atomic

    save_model_directory(
        out,
        model=model,
        tokenizer=tokenizer,
        preprocessor=preprocessor,
        meta=meta,
        config=config,
        summary=summary,
        train_metrics=metrics,
        eval_report=report,
        extra_writers=[
            write_plots,
            lambda stage: write_json_atomic(stage / LOG_HISTORY_FILE, log_history),
        ],
    )
    if not config.output.save_checkpoints:
        shutil.rmtree(out / CHECKPOINTS_DIR, ignore_errors=True)
    return TrainOutcome(out, metrics, report)


def _last_split(report: dict[str, Any]) -> str | None:
    splits = list(report.get("splits", {}))
    return "test" if "test" in splits else (splits[-1] if splits else None)


def _dataset_names(config: RunConfig) -> list[str]:
    if config.data.dataset:
        return [config.data.dataset]
    names = []
    for path in config.data.files.values():
        parent = Path(path).parent
        name = "/".join(parent.parts[-2:]) if len(parent.parts) >= 2 else parent.name
        if name and name not in names:
            names.append(name)
    return names


def _add_token_lengths(
    summary: DataSummary,
    dataset: DatasetDict,
    tokenizer: PreTrainedTokenizerBase,
    config: RunConfig,
) -> None:
    """Token-length percentiles per split and how many inputs exceed ``model.max_length``."""
    from khabar.data import _percentiles

    for split, ds in dataset.items():
        sample = ds.select(range(min(len(ds), 2000)))
        if config.task == "stance":
            enc = tokenizer(list(sample["target"]), list(sample["text"]), verbose=False)
        else:
            enc = tokenizer(list(sample["text"]), verbose=False)
        lengths = [len(ids) for ids in enc["input_ids"]]
        s = summary.splits[split]
        s.tokens = _percentiles(lengths)
        over = [n - config.model.max_length for n in lengths if n > config.model.max_length]
        s.truncated = {
            "count_in_sample": len(over),
            "sample": len(lengths),
            "fraction": round(len(over) / max(1, len(lengths)), 4),
            "mean_tokens_cut": round(float(np.mean(over)), 1) if over else 0.0,
        }


def _extra_eval_sets(
    config: RunConfig, preprocessor: TextPreprocessor, labels: Sequence[str]
) -> dict[str, Dataset]:
    """Out-of-domain evaluation files from ``evaluation.extra``, read with the same rules."""
    from khabar.evaluation import load_eval_file

    return {
        name: load_eval_file(config, path, preprocessor, labels)
        for name, path in config.evaluation.extra.items()
    }


__all__ = [
    "TrainOutcome",
    "head_tail",
    "preprocess_dataset",
    "tokenize_for_training",
    "train_classifier",
]
