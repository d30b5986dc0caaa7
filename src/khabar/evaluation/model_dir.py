"""Evaluate a saved model directory: one flow for every task.

model dir ─► checks ─► its config and preprocessing ─► splits / files to score
          ─► the model (loaded the one safe way) ─► the task kind's evaluator
          ─► eval_results.json merged (or another file) ─► plots and card refreshed
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from khabar._logging import get_logger
from khabar.card import write_model_card
from khabar.config import RunConfig, load_config
from khabar.device import resolve_precision
from khabar.errors import ConfigError, DataError, ModelDirError, OptionError
from khabar.evaluation.classification import (
    evaluate_saved_classifier,
    format_classification_report,
    run_tfidf_baseline,
)
from khabar.evaluation.summarization import (
    evaluate_saved_summarizer,
    format_summary_report,
    run_lead_baseline,
)
from khabar.io import check_writable_file, read_json, write_json_atomic
from khabar.metrics import plot_confusion_matrix
from khabar.model_dir import (
    CONFUSION_MATRIX_FILE,
    EVAL_RESULTS_FILE,
    RUN_CONFIG_FILE,
    ModelMeta,
    check_model_dir,
)
from khabar.modeling.loading import load_model, load_tokenizer
from khabar.tasks import auto_model_class, get_task
from khabar.text import TextPreprocessor

logger = get_logger(__name__)


READING_OVERRIDES = ("max_windows", "lead_weight", "stride")
"""The window settings of a classifier that an evaluation may override."""


def model_config(model_dir: Path, config_path: str | Path | None = None) -> RunConfig:
    """The run config a model was trained with (or ``config_path`` instead)."""
    path = Path(config_path) if config_path else model_dir / RUN_CONFIG_FILE
    return load_config(path)


def check_splits(config: RunConfig, splits: Sequence[str], *, hint: str = "") -> None:
    """Refuse splits the model's data config does not name; ``hint`` ends the message (how the
    caller's user reaches other data)."""
    missing = [s for s in splits if s not in config.data.files and not config.data.dataset]
    if missing:
        raise DataError(
            f"split(s) {missing} are not in the model's data config (data.files){hint}",
            file=config.source_file,
        )


def saved_eval_results(model_dir: Path) -> dict[str, Any]:
    """The model's ``eval_results.json`` (empty when there is none).

    Raises:
        ModelDirError: the file is there but is not a JSON report (read before evaluating, so
            a damaged file costs no evaluation).
    """
    path = model_dir / EVAL_RESULTS_FILE
    if not path.is_file():
        return {}
    try:
        existing = read_json(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelDirError(
            f"{path} cannot be read ({err}); move it aside (the next evaluation writes a new "
            "one) or pass --output FILE"
        ) from None
    if not isinstance(existing, dict) or not isinstance(existing.get("splits", {}), dict):
        raise ModelDirError(
            f"{path} is not an evaluation report (an object with 'splits'); move it aside or "
            "pass --output FILE"
        )
    return existing


def merge_eval_results(model_dir: Path, report: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``report`` into the model's ``eval_results.json`` (new splits replace old ones of
    the same name, the others stay) and return the merged report."""
    path = model_dir / EVAL_RESULTS_FILE
    existing = saved_eval_results(model_dir)
    merged = {**existing, **{k: v for k, v in report.items() if k != "splits"}}
    if merged.get("baseline") is None and existing.get("baseline") is not None:
        merged["baseline"] = existing["baseline"]  # splits kept from before still carry it
    merged["splits"] = {**existing.get("splits", {}), **report["splits"]}
    write_json_atomic(path, merged)
    return merged


def parse_file_arg(spec: str) -> tuple[str, str]:
    """``NAME=PATH`` → (NAME, PATH); a bare path is named after its file (``ood.jsonl`` → ood).

    A relative PATH that exists from the current directory is read from there (made absolute);
    any other relative PATH is read from the data directory, as the config's data files are.
    """
    if "=" in spec and not Path(spec).exists():
        name, path = spec.split("=", 1)
    else:
        name, path = Path(spec).name.split(".")[0], spec
    if Path(path).exists():
        path = str(Path(path).resolve())
    return name, path


def evaluate_model_dir(
    model_dir: str | Path,
    *,
    splits: Sequence[str] | None = None,
    files: Sequence[str] | None = None,
    config_path: str | Path | None = None,
    output: str | Path | None = None,
    batch_size: int | None = None,
    baseline: bool = True,
    max_samples: int | None = None,
    generation: Mapping[str, Any] | None = None,
    reading: Mapping[str, Any] | None = None,
    dtype: str = "auto",
) -> dict[str, Any]:
    """Score a saved model on splits of its data or on other files (``[name=]path``).

    Default: the ``test`` split (or only the files, when given). The report is merged into the
    model's ``eval_results.json`` (plots and card refreshed) unless ``output`` names another
    file, or unless ``generation`` or ``reading`` overrides the saved settings: such a report
    describes settings the model does not have, so it is returned (and written to ``output``
    when given) but never merged into the card's results. Returns the report of this
    evaluation (the splits and files scored now). Summarisers score at most
    ``evaluation.max_samples`` articles per set (``max_samples`` overrides). ``generation``
    overrides a summariser's saved decoding settings (``{"num_beams": 1}``) for this
    evaluation; the report records the ones used.
    ``reading`` overrides a classifier's saved window settings (``{"max_windows": 8}``; keys
    :data:`READING_OVERRIDES`) in the same way.
    ``dtype`` is the predictors' (:meth:`khabar.inference.Predictor.from_pretrained`): on the
    same machine ``khabar evaluate`` and a predictor of the same ``dtype`` give the same labels.
    """
    if output:
        _check_report_path(output)  # before the model loads
    root = check_model_dir(model_dir)
    meta = ModelMeta.load(root)
    spec = get_task(meta.task)
    config = model_config(root, config_path)
    preprocessor = TextPreprocessor.from_pretrained(root)
    wanted = list(splits or ([] if files else ["test"]))
    check_splits(config, wanted, hint="; evaluate other data with --file NAME=PATH")
    if generation and not spec.is_seq2seq:
        raise ConfigError(
            f"decoding settings apply to summarisers; {root} is a {meta.task} model",
            key="generation",
        )
    if reading and spec.is_seq2seq:
        raise ConfigError(
            f"window settings apply to classifiers; {root} is a {meta.task} model", key="reading"
        )
    for name, values in (("reading", reading), ("generation", generation)):
        empty = sorted(k for k, v in (values or {}).items() if v is None)
        if empty:
            raise ConfigError(f"give a value (--{name} {empty[0]}=VALUE)", key=f"{name}.{empty[0]}")
    unknown = sorted(set(reading or {}) - set(READING_OVERRIDES))
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {unknown}; one of {', '.join(READING_OVERRIDES)}", key="reading"
        )
    settings = meta.reading.replace(**(reading or {}))
    if reading:
        settings.validate(prefix="reading.")
    named_files = dict(map(parse_file_arg, files or []))
    if not output and not (generation or reading):
        saved = saved_eval_results(root)  # a damaged file is named before the evaluation runs
        kept = [
            name
            for name in [*wanted, *named_files]
            if not baseline and "baseline" in saved.get("splits", {}).get(name, {})
        ]
        if kept:
            raise OptionError(
                f"--no-baseline would drop the baseline saved for {', '.join(kept)} in "
                f"{root / EVAL_RESULTS_FILE}; keep the baseline on, or write this report "
                "elsewhere with --output FILE"
            )
    import torch

    precision = resolve_precision(dtype, torch.device("cpu"))
    model = load_model(auto_model_class(spec), root, dtype=precision.weights)
    tokenizer = load_tokenizer(root)
    if spec.is_seq2seq:
        report = evaluate_saved_summarizer(
            model,
            tokenizer,
            config,
            meta.reading,
            preprocessor,
            splits=wanted,
            files=named_files,
            batch_size=batch_size,
            baseline=baseline,
            max_samples=max_samples,
            generation=generation,
        )
    else:
        report = evaluate_saved_classifier(
            model,
            tokenizer,
            config,
            settings,
            preprocessor,
            labels=meta.labels,
            splits=wanted,
            files=named_files,
            batch_size=batch_size or config.evaluation.batch_size,
            baseline=baseline,
            autocast=precision.autocast,
        )
    if output:
        write_json_atomic(output, report)
        return report
    if generation or reading:
        logger.warning(
            "scored with %s settings other than the model's own: the report is not merged into "
            "%s (keep it with --output FILE; save settings chosen on dev with %s --write)",
            "decoding" if generation else "window",
            root / EVAL_RESULTS_FILE,
            "scripts/choose_decoding.py" if generation else "scripts/choose_reading.py",
        )
        return report
    merged = merge_eval_results(root, report)
    if not spec.is_seq2seq:
        last = "test" if "test" in merged["splits"] else next(iter(report["splits"]), None)
        if last:
            plot_confusion_matrix(
                merged["splits"][last]["model"]["confusion_matrix"],
                meta.labels,
                root / CONFUSION_MATRIX_FILE,
                title=f"{meta.task} — {last}",
            )
    write_model_card(root)
    return report


def _check_report_path(output: str | Path) -> None:
    """``--output`` may replace an earlier evaluation report (said in the log), never another
    file: ``--output config.json`` inside a model directory would break the model."""
    path = check_writable_file(output, option="--output")
    if not path.exists():
        return
    try:
        earlier = read_json(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        earlier = None
    if not (isinstance(earlier, dict) and "splits" in earlier and "task" in earlier):
        raise OptionError(
            f"--output '{path}' exists and is not an evaluation report; choose a new file "
            "(nothing was written)"
        )
    logger.info("replacing the earlier evaluation report in %s", path)


def format_report(report: Mapping[str, Any]) -> str:
    """A plain-text table of an evaluation report (classification or summarisation)."""
    task = report.get("task")
    if task in (None, "") or not get_task(str(task)).is_seq2seq:
        return format_classification_report(report)
    return format_summary_report(report)


def run_baseline(config: RunConfig) -> str:
    """Fit and score the config's baseline (TF-IDF, or lead-k) on its evaluation sets; return
    the printed table."""
    if get_task(config.task).baseline == "lead":
        return run_lead_baseline(config)
    return run_tfidf_baseline(config)


__all__ = [
    "check_splits",
    "evaluate_model_dir",
    "format_report",
    "merge_eval_results",
    "model_config",
    "parse_file_arg",
    "run_baseline",
]
