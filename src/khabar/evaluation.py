"""Evaluate classifiers: windowed model predictions, a baseline beside them, one report format.

The report (``eval_results.json``) has one entry per evaluated split or file::

    {"task": ..., "labels": [...], "windowing": {...}, "baseline": {"name": ...},
     "splits": {"test": {"n": ..., "domain": "in-domain", "model": {...}, "baseline": {...}}}}

where ``model`` and ``baseline`` hold :func:`khabar.metrics.classification_report` dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from datasets import Dataset
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from khabar._logging import get_logger
from khabar.config import RunConfig
from khabar.metrics import classification_report
from khabar.metrics.baselines import TFIDF_BASELINE_NAME, tfidf_logreg_baseline
from khabar.text import TextPreprocessor
from khabar.windows import WindowSettings, classify_logits

logger = get_logger(__name__)


def _inputs(ds: Dataset, task: str) -> tuple[list[str], list[str] | None]:
    return list(ds["text"]), (list(ds["target"]) if task == "stance" else None)


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
    settings: WindowSettings,
    batch_size: int = 32,
    baseline_train: Dataset | None = None,
    extra: Mapping[str, Dataset] | None = None,
) -> dict[str, Any]:
    """Score the model (whole texts, windowed) and, given training data, the baseline.

    ``eval_sets`` and ``extra`` hold preprocessed datasets with ``text`` (``target``) and
    integer ``label`` columns; ``extra`` sets are reported as out-of-domain.
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
            model, tokenizer, texts, targets, settings=settings, batch_size=batch_size
        )
        refs = list(ds["label"])
        entry: dict[str, Any] = {
            "n": len(ds),
            "domain": domain,
            "model": classification_report(np.argmax(logits, axis=-1).tolist(), refs, labels),
        }
        if name in baseline_preds:
            entry["baseline"] = classification_report(baseline_preds[name], refs, labels)
        report["splits"][name] = entry
    logger.info("%s", format_report(report))
    return report


def format_report(report: Mapping[str, Any]) -> str:
    """A plain-text table: per split, the model's and the baseline's accuracy and F1."""
    if report.get("task") == "summarization":
        from khabar.training.summarization import format_summary_report

        return format_summary_report(report)
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
    return "\n".join(lines)


def load_eval_file(
    config: RunConfig, path: str | Path, preprocessor: TextPreprocessor, labels: Sequence[str]
) -> Dataset:
    """Read an evaluation file with the run's column and label mapping, then preprocess it."""
    from khabar.data import load_file

    ds = load_file(config, path, labels=labels)
    columns = ["text", "target"] if config.task == "stance" else ["text"]
    return ds.map(
        lambda b: {c: [preprocessor(t) for t in b[c]] for c in columns},
        batched=True,
        desc="preprocessing",
    )


def _model_config(model_dir: Path, config_path: str | Path | None) -> RunConfig:
    from khabar.config import load_config
    from khabar.model_dir import RUN_CONFIG_FILE

    path = Path(config_path) if config_path else model_dir / RUN_CONFIG_FILE
    return load_config(path)


def merge_eval_results(model_dir: Path, report: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``report`` into the model's ``eval_results.json`` (new splits replace old ones of
    the same name, the others stay) and return the merged report."""
    from khabar.io import read_json, write_json_atomic
    from khabar.model_dir import EVAL_RESULTS_FILE

    path = model_dir / EVAL_RESULTS_FILE
    existing = read_json(path) if path.is_file() else {}
    merged = {**existing, **{k: v for k, v in report.items() if k != "splits"}}
    merged["splits"] = {**existing.get("splits", {}), **report["splits"]}
    write_json_atomic(path, merged)
    return merged


def _parse_file_arg(spec: str) -> tuple[str, str]:
    if "=" in spec and not Path(spec).exists():
        name, path = spec.split("=", 1)
        return name, path
    return Path(spec).name.split(".")[0], spec


def evaluate_model_dir(
    model_dir: str | Path,
    *,
    splits: Sequence[str] | None = None,
    files: Sequence[str] | None = None,
    config_path: str | Path | None = None,
    output: str | Path | None = None,
    batch_size: int = 32,
    baseline: bool = True,
) -> dict[str, Any]:
    """Score a saved classifier on splits of its data or on other files (``[name=]path``).

    The report is merged into the model's ``eval_results.json`` (and its confusion matrix
    redrawn) unless ``output`` names another file.
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from khabar.data import load_data
    from khabar.io import write_json_atomic
    from khabar.metrics import plot_confusion_matrix
    from khabar.model_dir import (
        CONFUSION_MATRIX_FILE,
        ModelMeta,
        check_model_dir,
    )

    root = check_model_dir(model_dir)
    meta = ModelMeta.load(root)
    if meta.task == "summarization":
        from khabar.training.summarization import evaluate_summarizer_dir

        return evaluate_summarizer_dir(
            root,
            splits=splits,
            files=files,
            config_path=config_path,
            output=output,
            batch_size=batch_size,
            baseline=baseline,
        )
    config = _model_config(root, config_path)
    preprocessor = TextPreprocessor.from_pretrained(root)
    labels = meta.labels
    wanted = list(splits or ([] if files else ["test"]))
    eval_sets: dict[str, Dataset] = {}
    train_ds = None
    if wanted or baseline:
        need = sorted(set(wanted) | ({"train"} if baseline else set()))
        need = [s for s in need if s in config.data.files or config.data.dataset]
        if need:
            data, _ = load_data(config, splits=need)
            from khabar.training.classification import preprocess_dataset

            data = preprocess_dataset(data, preprocessor, config.task)
            eval_sets = {s: data[s] for s in wanted if s in data}
            train_ds = data["train"] if baseline and "train" in data else None
    missing = [s for s in wanted if s not in eval_sets]
    if missing:
        from khabar.errors import DataError

        raise DataError(
            f"split(s) {missing} are not in the model's data config", file=config.source_file
        )
    extra = {
        name: load_eval_file(config, path, preprocessor, labels)
        for name, path in map(_parse_file_arg, files or [])
    }
    model = AutoModelForSequenceClassification.from_pretrained(root, use_safetensors=True)
    tokenizer = AutoTokenizer.from_pretrained(root)
    settings = meta.window_settings()
    report = evaluate_classifier_splits(
        model,
        tokenizer,
        eval_sets,
        labels=labels,
        task=meta.task,
        settings=settings,
        batch_size=batch_size,
        baseline_train=train_ds,
        extra=extra,
    )
    if output:
        write_json_atomic(output, report)
        return report
    merged = merge_eval_results(root, report)
    last = "test" if "test" in merged["splits"] else next(iter(report["splits"]), None)
    if last:
        plot_confusion_matrix(
            merged["splits"][last]["model"]["confusion_matrix"],
            labels,
            root / CONFUSION_MATRIX_FILE,
            title=f"{meta.task} — {last}",
        )
    from khabar.card import write_model_card

    write_model_card(root)
    return merged


def run_baseline(config: RunConfig) -> str:
    """Fit and score the config's baseline on its eval splits; return the printed table."""
    from khabar.data import load_data
    from khabar.training.classification import preprocess_dataset

    if config.task == "summarization":
        from khabar.training.summarization import run_lead_baseline

        return run_lead_baseline(config)
    data, summary = load_data(config)
    preprocessor = TextPreprocessor.from_dict(config.text) if config.text else TextPreprocessor()
    data = preprocess_dataset(data, preprocessor, config.task)
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
    "evaluate_model_dir",
    "format_report",
    "load_eval_file",
    "run_baseline",
]
