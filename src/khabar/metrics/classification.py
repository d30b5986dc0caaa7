"""Classification metrics: accuracy, macro/weighted F1, per-class P/R/F1, confusion matrix.

:func:`classification_report` checks its inputs (naming what is wrong) and lets
``sklearn.metrics`` compute the numbers (``zero_division=0``; every class reported, including
classes with no support and no predictions), in one JSON-serialisable dict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from khabar._logging import get_logger

__all__ = [
    "STANCEEVAL_LABELS",
    "classification_report",
    "default_label_names",
    "paired_bootstrap",
    "stanceeval_f1",
]

logger = get_logger(__name__)


def _as_label_array(values: Sequence[int] | np.ndarray, name: str, n_labels: int) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of class ids, got shape {arr.shape}")
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold integer class ids, got non-integer floats")
    elif arr.dtype.kind not in "iub":
        raise ValueError(f"{name} must hold integer class ids, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    bad = (arr < 0) | (arr >= n_labels)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name}[{first}] = {int(arr[first])} is not a valid class id: expected 0.."
            f"{n_labels - 1} for {n_labels} label names"
        )
    return arr


def default_label_names(*label_ids: Sequence[int] | np.ndarray) -> list[str]:
    """``["0", "1", ..., str(max_id)]`` for the largest id found in ``label_ids``."""
    highest = -1
    for ids in label_ids:
        arr = np.asarray(ids)
        if arr.size:
            highest = max(highest, int(arr.max()))
    return [str(i) for i in range(highest + 1)]


def classification_report(
    predictions: Sequence[int] | np.ndarray,
    references: Sequence[int] | np.ndarray,
    label_names: Sequence[str],
) -> dict[str, Any]:
    """Compute the standard single-label classification metrics.

    Args:
        predictions: predicted class ids, each in ``range(len(label_names))``.
        references: gold class ids, aligned with ``predictions``.
        label_names: the name of every class, indexed by class id. Every class is reported,
            including classes with no support and no predictions.

    Returns:
        A JSON-serialisable dict with ``accuracy``, ``macro_f1``, ``weighted_f1``,
        ``macro_precision``, ``macro_recall``, ``per_class`` (``{name: {"precision",
        "recall", "f1", "support"}}``), ``confusion_matrix`` (rows = true class, columns =
        predicted class, in ``label_names`` order), ``labels`` and ``n``. Any 0/0 is 0.0 (like
        scikit-learn's ``zero_division=0``); macro averages are over all classes, weighted
        averages are weighted by support.

    Raises:
        ValueError: on a length mismatch, an empty or duplicated ``label_names``, or a class
            id out of range.
    """
    names = [str(name) for name in label_names]
    if not names:
        raise ValueError("label_names must name at least one class")
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"label_names must be unique; duplicated: {dupes}")
    k = len(names)
    preds = _as_label_array(predictions, "predictions", k)
    refs = _as_label_array(references, "references", k)
    if preds.shape != refs.shape:
        raise ValueError(
            f"got {preds.size} predictions but {refs.size} references; they must be aligned"
        )
    n = int(refs.size)
    if n == 0:
        logger.warning("classification_report called with no examples; all scores are 0.0")

    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    ids = list(range(k))
    if n:
        matrix = confusion_matrix(refs, preds, labels=ids)
        precision, recall, f1, support = precision_recall_fscore_support(
            refs, preds, labels=ids, average=None, zero_division=0
        )
        _, _, weighted_f1, _ = precision_recall_fscore_support(
            refs, preds, labels=ids, average="weighted", zero_division=0
        )
        accuracy = float(accuracy_score(refs, preds))
    else:
        matrix = np.zeros((k, k), dtype=np.int64)
        precision = recall = f1 = np.zeros(k)
        support = np.zeros(k, dtype=np.int64)
        weighted_f1, accuracy = 0.0, 0.0
    report: dict[str, Any] = {
        "accuracy": accuracy,
        "macro_f1": float(np.mean(f1)),
        "weighted_f1": float(weighted_f1),
        "macro_precision": float(np.mean(precision)),
        "macro_recall": float(np.mean(recall)),
        "per_class": {
            name: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, name in enumerate(names)
        },
        "confusion_matrix": [[int(v) for v in row] for row in matrix],
        "labels": names,
        "n": n,
    }
    return report


STANCEEVAL_LABELS = ("favor", "against")
"""The labels the StanceEval 2024 ranking metric averages (the neutral class is left out)."""


def stanceeval_f1(
    predictions: Sequence[int] | np.ndarray,
    references: Sequence[int] | np.ndarray,
    targets: Sequence[str],
    label_names: Sequence[str],
) -> dict[str, Any] | None:
    """The StanceEval 2024 (Mawqif) ranking metric: per target, the mean of the F1 of ``favor``
    and of ``against``; then the mean over targets. None when the labels have no favor/against.

    Alturayeif et al., "StanceEval 2024: The First Arabic Stance Detection Shared Task",
    ArabicNLP 2024.
    """
    from sklearn.metrics import f1_score

    names = [str(n) for n in label_names]
    if not set(STANCEEVAL_LABELS) <= set(names):
        return None
    ids = [names.index(n) for n in STANCEEVAL_LABELS]
    preds, refs = np.asarray(predictions), np.asarray(references)
    per_target: dict[str, float] = {}
    for target in sorted(set(targets)):
        rows = np.asarray([t == target for t in targets])
        f1 = f1_score(refs[rows], preds[rows], labels=ids, average=None, zero_division=0)
        per_target[target] = float(np.mean(f1))
    return {"mean": float(np.mean(list(per_target.values()))), "per_target": per_target}


def paired_bootstrap(
    predictions_a: Sequence[int] | np.ndarray,
    predictions_b: Sequence[int] | np.ndarray,
    references: Sequence[int] | np.ndarray,
    n_labels: int,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """How sure the macro-F1 difference between two classifiers on one test set is.

    The paired bootstrap (Koehn, EMNLP 2004; Berg-Kirkpatrick et al., EMNLP 2012): resample the
    test examples with replacement ``n_resamples`` times, score both systems on each resample
    (the same examples for both), and read the spread of the difference ``a - b``. It measures
    the test set's sampling noise, not the training run's (another seed moves a fine-tuned model
    too).

    Args:
        predictions_a: class ids predicted by system ``a`` (the model).
        predictions_b: class ids predicted by system ``b`` (the baseline), aligned with ``a``.
        references: gold class ids.
        n_labels: the number of classes; macro-F1 averages over all of them, as
            :func:`classification_report` does (0/0 is 0).
        n_resamples: bootstrap resamples (1000 by default).
        confidence: the central share of the resampled differences the interval holds.
        seed: the resampling seed; one seed gives one answer.

    Returns:
        ``{"metric": "macro_f1", "difference": a - b on the whole set, "ci_low", "ci_high",
        "confidence", "a_better": the share of resamples where a scores higher,
        "n_resamples", "seed"}``.

    Raises:
        ValueError: on misaligned inputs, a class id out of range, ``n_resamples < 1`` or a
            ``confidence`` outside (0, 1).
    """
    if n_labels < 1:
        raise ValueError(f"n_labels must be >= 1, got {n_labels}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    a = _as_label_array(predictions_a, "predictions_a", n_labels)
    b = _as_label_array(predictions_b, "predictions_b", n_labels)
    refs = _as_label_array(references, "references", n_labels)
    if not (a.shape == b.shape == refs.shape):
        raise ValueError(
            f"got {a.size} and {b.size} predictions for {refs.size} references; "
            "they must be aligned"
        )
    n = int(refs.size)
    if n == 0:
        raise ValueError("paired_bootstrap needs at least one example")

    # every statistic macro-F1 needs is a sum over examples of a 0/1 indicator, so a resample is
    # a vector of counts (how often each example was drawn) times the indicator matrices
    classes = np.arange(n_labels)
    gold = (refs[:, None] == classes).astype(np.float64)
    indicators = []
    for preds in (a, b):
        predicted = (preds[:, None] == classes).astype(np.float64)
        indicators.append(np.concatenate([gold * predicted, predicted + gold], axis=1))
    stacked = np.concatenate(indicators, axis=1)  # (n, 4 * n_labels)

    def macro_f1(sums: np.ndarray) -> np.ndarray:
        tp, pred_plus_gold = sums[..., :n_labels], sums[..., n_labels:]
        f1 = np.divide(2 * tp, pred_plus_gold, out=np.zeros_like(tp), where=pred_plus_gold > 0)
        return f1.mean(axis=-1)  # type: ignore[no-any-return]

    def difference(sums: np.ndarray) -> np.ndarray:
        half = 2 * n_labels
        return macro_f1(sums[..., :half]) - macro_f1(sums[..., half:])

    rng = np.random.default_rng(seed)
    diffs = []
    chunk = max(1, 2_000_000 // n)  # bounds the (resamples, n) count matrix to ~16 MB
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        rows = rng.integers(0, n, (size, n)) + n * np.arange(size)[:, None]
        counts = np.bincount(rows.ravel(), minlength=size * n).reshape(size, n).astype(np.float64)
        diffs.append(difference(counts @ stacked))
    resampled = np.concatenate(diffs)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(resampled, [tail, 1.0 - tail])
    return {
        "metric": "macro_f1",
        "difference": float(difference(stacked.sum(axis=0))),
        "ci_low": float(low),
        "ci_high": float(high),
        "confidence": confidence,
        "a_better": float(np.mean(resampled > 0)),
        "n_resamples": n_resamples,
        "seed": seed,
    }
