"""Choose how a classifier reads long texts, on dev.

A classifier reads a long text as windows and combines their logits (``max_windows`` of them,
spread over the text; ``lead_weight`` on the first). Which pair suits a model is a question for
its dev split, like a summariser's decoding settings: :func:`score_readings` scores a whole grid
of pairs from one pass of the model over every window of every text, and :func:`save_reading`
stores the chosen pair in the model directory, where evaluation and inference read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from khabar.errors import ConfigError
from khabar.model_dir import ModelMeta, ReadingSettings, check_model_dir

DEFAULT_MAX_WINDOWS: tuple[int, ...] = (1, 2, 4, 8, 0)
"""Window limits tried by default (0 = every window of the text)."""
DEFAULT_LEAD_WEIGHTS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75)
"""Shares of the first window tried by default (0 = the plain mean)."""


@dataclass(frozen=True)
class ReadingScore:
    """One reading of a split: the settings, the scores, and how many windows a text took."""

    max_windows: int
    lead_weight: float
    macro_f1: float
    accuracy: float
    windows_per_text: float

    def describe(self) -> str:
        limit = "all" if self.max_windows == 0 else str(self.max_windows)
        return f"max_windows={limit:<3} lead_weight={self.lead_weight:<4g}"


def score_readings(
    model_dir: str | Path,
    *,
    split: str = "dev",
    max_windows: Sequence[int] = DEFAULT_MAX_WINDOWS,
    lead_weights: Sequence[float] = DEFAULT_LEAD_WEIGHTS,
    batch_size: int = 32,
    dtype: str = "auto",
) -> list[ReadingScore]:
    """Macro-F1 and accuracy of a saved classifier on ``split`` of its data for every pair of
    ``max_windows`` × ``lead_weights``, in that order.

    The model runs once, over every window of every text (``max_windows=0``); each limit then
    keeps the windows :func:`khabar.reading.windows.encode_windows` would have kept, so a grid
    costs one evaluation. The texts are read and preprocessed as ``khabar evaluate`` reads them,
    with the model's other reading settings (window length, stride) and ``dtype`` as there.

    Raises:
        ConfigError: the model is a summariser, or a setting is out of range.
        DataError: ``split`` is not in the model's data config.
    """
    import torch

    from khabar.device import resolve_precision
    from khabar.evaluation.classification import _inputs, load_splits
    from khabar.evaluation.model_dir import check_splits, model_config
    from khabar.metrics import classification_report
    from khabar.modeling.loading import load_model, load_tokenizer
    from khabar.reading.windows import aggregate, encode_windows, pick_windows, window_logits
    from khabar.tasks import auto_model_class, get_task
    from khabar.text import TextPreprocessor

    root = check_model_dir(model_dir)
    meta = ModelMeta.load(root)
    spec = get_task(meta.task)
    if spec.is_seq2seq:
        raise ConfigError(
            f"{root} is a {meta.task} model; window settings apply to classifiers (choose a "
            "summariser's decoding with scripts/choose_decoding.py)"
        )
    for limit in max_windows:
        meta.reading.replace(max_windows=limit).validate()
    for weight in lead_weights:
        meta.reading.replace(lead_weight=weight).validate()
    config = model_config(root)
    check_splits(config, [split])
    ds = load_splits(config, TextPreprocessor.from_pretrained(root), [split])[split]
    texts, targets = _inputs(ds, meta.task)
    refs = list(ds["label"])

    precision = resolve_precision(dtype, torch.device("cpu"))
    model = load_model(auto_model_class(spec), root, dtype=precision.weights)
    tokenizer = load_tokenizer(root)
    every = meta.reading.replace(max_windows=0)
    windows, owners = encode_windows(tokenizer, texts, targets, every)
    logits = window_logits(
        model, tokenizer, windows, batch_size=batch_size, autocast=precision.autocast
    )

    scores: list[ReadingScore] = []
    for limit in max_windows:
        kept = pick_windows(owners, limit)
        for weight in lead_weights:
            combined = aggregate(logits[kept], owners[kept], len(texts), weight)
            preds = np.argmax(combined, axis=-1).tolist()
            report = classification_report(preds, refs, meta.labels)
            scores.append(
                ReadingScore(
                    max_windows=limit,
                    lead_weight=float(weight),
                    macro_f1=float(report["macro_f1"]),
                    accuracy=float(report["accuracy"]),
                    windows_per_text=len(kept) / max(len(texts), 1),
                )
            )
    return scores


def best_reading(scores: Sequence[ReadingScore]) -> ReadingScore:
    """The highest macro-F1; on a tie, the fewer windows (faster), then the smaller lead weight."""
    if not scores:
        raise ValueError("no readings were scored")
    return max(scores, key=lambda s: (round(s.macro_f1, 6), -s.windows_per_text, -s.lead_weight))


def save_reading(model_dir: str | Path, *, max_windows: int, lead_weight: float) -> ReadingSettings:
    """Store ``max_windows`` and ``lead_weight`` in the model's ``khabar_config.json`` (written
    atomically) and refresh its card; evaluation and inference read them from there."""
    from khabar.card import write_model_card

    root = check_model_dir(model_dir)
    meta = ModelMeta.load(root)
    reading = meta.reading.replace(max_windows=max_windows, lead_weight=lead_weight).validate()
    replace(meta, reading=reading).save(root)
    write_model_card(root)
    return reading


__all__ = [
    "DEFAULT_LEAD_WEIGHTS",
    "DEFAULT_MAX_WINDOWS",
    "ReadingScore",
    "best_reading",
    "save_reading",
    "score_readings",
]
