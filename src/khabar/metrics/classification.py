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
