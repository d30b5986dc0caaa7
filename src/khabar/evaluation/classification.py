"""Evaluate classifiers: windowed model predictions, the TF-IDF baseline beside them.

The report (``eval_results.json``) has one entry per evaluated split or file::

    {"task": ..., "labels": [...], "windowing": {...}, "baseline": {"name": ...},
     "splits": {"test": {"n": ..., "domain": "in-domain", "model": {...}, "baseline": {...}}}}

where ``model`` and ``baseline`` hold :func:`khabar.metrics.classification_report` dicts and,
beside a baseline, ``comparison`` holds the paired bootstrap of the macro-F1 difference
(:func:`khabar.metrics.paired_bootstrap`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from datasets import Dataset
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from khabar._logging import get_logger
from khabar.config import RunConfig
from khabar.data import load_data, load_file, preprocess_dataset
from khabar.metrics import classification_report, paired_bootstrap
from khabar.metrics.baselines import TFIDF_BASELINE_NAME, tfidf_logreg_baseline
from khabar.metrics.classification import stanceeval_f1
from khabar.model_dir import ReadingSettings
from khabar.reading.windows import classify_logits
from khabar.tasks import get_task
from khabar.text import TextPreprocessor

logger = get_logger(__name__)


def _inputs(ds: Dataset, task: str) -> tuple[list[str], list[str] | None]:
    pair = get_task(task).pair_column
    return list(ds["text"]), (list(ds[pair]) if pair is not None else None)


def baseline_texts(ds: Dataset, task: str) -> list[str]:
    """What the bag-of-words baseline reads: the text, with the stance target prepended."""
    texts, targets = _inputs(ds, task)
    return texts if targets is None else [f"{g} ||| {t}" for g, t in zip(targets, texts)]


def evaluate_classifier_splits(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    eval_sets: Mapping[str, Dataset],
    *,
    labels: Sequence[str],
    task: str,
    settings: ReadingSettings,
    batch_size: int = 32,
    baseline_train: Dataset | None = None,
    extra: Mapping[str, Dataset] | None = None,
    autocast: torch.dtype | None = None,
) -> dict[str, Any]:
    """Score the model (whole texts, windowed) and, given training data, the baseline.

    ``eval_sets`` and ``extra`` hold preprocessed datasets with ``text`` (``target``) and
    integer ``label`` columns; ``extra`` sets are reported as out-of-domain. ``autocast``: run
    the model under ``torch.autocast`` to this dtype (the training run's bf16 autocast).
    """
    sets: dict[str, tuple[Dataset, str]] = {
        name: (ds, "in-domain") for name, ds in eval_sets.items()
    }
    sets.update({name: (ds, "out-of-domain") for name, ds in (extra or {}).items()})
    baseline_preds: dict[str, list[int]] = {}
    if baseline_train is not None and sets:
        baseline_preds = tfidf_logreg_baseline(
            baseline_texts(baseline_train, task),
            list(baseline_train["label"]),
            {name: baseline_texts(ds, task) for name, (ds, _) in sets.items()},
        )
    report: dict[str, Any] = {
        "task": task,
        "labels": list(labels),
        "windowing": asdict(settings),
        "baseline": {"name": TFIDF_BASELINE_NAME} if baseline_preds else None,
        "splits": {},
    }
    for name, (ds, domain) in sets.items():
        texts, targets = _inputs(ds, task)
        logits = classify_logits(
            model,
            tokenizer,
            texts,
            targets,
            settings=settings,
            batch_size=batch_size,
            autocast=autocast,
        )
        refs = list(ds["label"])
        preds = np.argmax(logits, axis=-1).tolist()
        entry: dict[str, Any] = {
            "n": len(ds),
            "domain": domain,
            "model": _report(preds, refs, labels, targets),
        }
        if name in baseline_preds:
            entry["baseline"] = _report(baseline_preds[name], refs, labels, targets)
            if refs:
                entry["comparison"] = paired_bootstrap(
                    preds, baseline_preds[name], refs, len(labels)
                )
        report["splits"][name] = entry
    logger.info("%s", format_classification_report(report))
    return report


def _report(
    preds: Sequence[int], refs: Sequence[int], labels: Sequence[str], targets: list[str] | None
) -> dict[str, Any]:
    """The classification report, with the StanceEval metric for favor/against stance sets."""
    report = classification_report(preds, refs, labels)
    if targets is not None:
        stanceeval = stanceeval_f1(preds, refs, targets, labels)
        if stanceeval is not None:
            report["stanceeval_f1"] = stanceeval
    return report


def format_classification_report(report: Mapping[str, Any]) -> str:
    """A plain-text table: per split, the model's and the baseline's accuracy and F1."""
    baseline = (report.get("baseline") or {}).get("name")
    lines = [f"evaluation ({report.get('task')}) — model vs {baseline or 'no baseline'}"]
    lines.append(
        f"  {'split':<16} {'n':>6}  {'acc':>6} {'macroF1':>8} {'wF1':>6}   {'base acc':>8} {'base mF1':>8}"
    )
    for name, entry in report.get("splits", {}).items():
        m = entry["model"]
        b = entry.get("baseline")
        base = f"{b['accuracy']:>8.4f} {b['macro_f1']:>8.4f}" if b else f"{'-':>8} {'-':>8}"
        tag = "" if entry.get("domain") == "in-domain" else " (ood)"
        lines.append(
            f"  {name + tag:<16} {entry['n']:>6}  {m['accuracy']:>6.4f} {m['macro_f1']:>8.4f} "
            f"{m['weighted_f1']:>6.4f}   {base}"
        )
        if "stanceeval_f1" in m:
            b_se = (b or {}).get("stanceeval_f1")
            base_se = f"{b_se['mean']:.4f}" if b_se else "-"
            lines.append(
                f"  {'':<16} {'':>6}  StanceEval F1 (favor/against, mean over targets): "
                f"{m['stanceeval_f1']['mean']:.4f}, baseline {base_se}"
            )
        if entry.get("comparison"):
            lines.append(f"  {'':<16} {'':>6}  {format_comparison(entry['comparison'])}")
    return "\n".join(lines)


def format_comparison(comparison: Mapping[str, Any]) -> str:
    """One line for a :func:`khabar.metrics.paired_bootstrap` result."""
    share = 100 * comparison["confidence"]
    return (
        f"model - baseline macro-F1 {comparison['difference']:+.4f}, {share:.0f}% paired-bootstrap "
        f"interval {comparison['ci_low']:+.4f} to {comparison['ci_high']:+.4f} (model ahead in "
        f"{100 * comparison['a_better']:.0f}% of {comparison['n_resamples']} resamples)"
    )


def load_splits(
    config: RunConfig, preprocessor: TextPreprocessor, splits: Sequence[str]
) -> dict[str, Dataset]:
    """The named splits of a model's data that its config has, read and preprocessed as the
    model was trained (others are left out: callers check the ones they require)."""
    need = [s for s in splits if s in config.data.files or config.data.dataset]
    if not need:
        return {}
    data, _ = load_data(config, splits=need)
    data = preprocess_dataset(data, preprocessor, get_task(config.task).preprocessed_columns)
    return {s: data[s] for s in need if s in data}


def load_eval_file(
    config: RunConfig, path: str | Path, preprocessor: TextPreprocessor, labels: Sequence[str]
) -> Dataset:
    """Read an evaluation file with the run's column and label mapping, then preprocess it."""
    ds = load_file(config, path, labels=labels)
    return preprocess_dataset(ds, preprocessor, get_task(config.task).preprocessed_columns)


def evaluate_saved_classifier(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    config: RunConfig,
    reading: ReadingSettings,
    preprocessor: TextPreprocessor,
    *,
    labels: Sequence[str],
    splits: Sequence[str],
    files: Mapping[str, str],
    batch_size: int = 32,
    baseline: bool = True,
    autocast: torch.dtype | None = None,
) -> dict[str, Any]:
    """The classification part of :func:`khabar.evaluation.evaluate_model_dir`: windowed
    predictions on the splits and files (under ``torch.autocast`` to ``autocast`` when given),
    the baseline refitted on the training split."""
    need = sorted(set(splits) | ({"train"} if baseline else set()))
    data = load_splits(config, preprocessor, need)
    eval_sets = {s: data[s] for s in splits if s in data}
    train_ds = data["train"] if baseline and "train" in data else None
    extra = {
        name: load_eval_file(config, path, preprocessor, labels) for name, path in files.items()
    }
    return evaluate_classifier_splits(
        model,
        tokenizer,
        eval_sets,
        labels=labels,
        task=config.task,
        settings=reading,
        batch_size=batch_size,
        baseline_train=train_ds,
        extra=extra,
        autocast=autocast,
    )


def run_tfidf_baseline(config: RunConfig) -> str:
    """Fit and score the TF-IDF baseline on the config's eval splits; return the printed table."""
    data, summary = load_data(config)
    preprocessor = TextPreprocessor.from_dict(config.text) if config.text else TextPreprocessor()
    data = preprocess_dataset(data, preprocessor, get_task(config.task).preprocessed_columns)
    sets = {s: data[s] for s in config.evaluation.splits if s in data}
    preds = tfidf_logreg_baseline(
        baseline_texts(data["train"], config.task),
        list(data["train"]["label"]),
        {name: baseline_texts(ds, config.task) for name, ds in sets.items()},
    )
    lines = [
        f"baseline: {TFIDF_BASELINE_NAME}",
        f"  {'split':<8} {'n':>6}  {'acc':>6} {'macroF1':>8} {'wF1':>6}",
    ]
    for name, ds in sets.items():
        r = classification_report(preds[name], list(ds["label"]), summary.labels)
        lines.append(
            f"  {name:<8} {len(ds):>6}  {r['accuracy']:>6.4f} {r['macro_f1']:>8.4f} {r['weighted_f1']:>6.4f}"
        )
    return "\n".join(lines)


__all__ = [
    "baseline_texts",
    "evaluate_classifier_splits",
    "evaluate_saved_classifier",
    "format_classification_report",
    "load_eval_file",
    "run_tfidf_baseline",
]
