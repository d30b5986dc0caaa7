"""Classification metrics: accuracy, macro/weighted F1, per-class P/R/F1, confusion matrix.

The real implementation is the plain numpy function :func:`classification_report` (no
scikit-learn at runtime; results match ``sklearn.metrics`` with ``zero_division=0``);
:class:`ClassificationMetrics` is a thin :class:`evaluate.Metric` wrapper around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import datasets
import numpy as np

import evaluate
from khabar._logging import get_logger

__all__ = ["ClassificationMetrics", "classification_report", "default_label_names"]

logger = get_logger(__name__)


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Element-wise ``num / den`` with 0.0 where ``den == 0``."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.zeros(np.broadcast(num, den).shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


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

    matrix = np.bincount(refs * k + preds, minlength=k * k).reshape(k, k)
    tp = np.diag(matrix).astype(np.float64)
    support = matrix.sum(axis=1)
    predicted = matrix.sum(axis=0)
    precision = _safe_div(tp, predicted)
    recall = _safe_div(tp, support)
    f1 = _safe_div(2 * tp, support + predicted)  # == 2PR/(P+R), and 0 where undefined

    total = float(support.sum())
    weights = support / total if total > 0 else np.zeros(k)
    report: dict[str, Any] = {
        "accuracy": float(tp.sum() / n) if n else 0.0,
        "macro_f1": float(f1.mean()),
        "weighted_f1": float((f1 * weights).sum()),
        "macro_precision": float(precision.mean()),
        "macro_recall": float(recall.mean()),
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


_DESCRIPTION = """\
Single-label classification metrics: accuracy, macro and weighted F1, macro precision and
recall, per-class precision/recall/F1/support and the confusion matrix (rows = true class,
columns = predicted class). 0/0 counts as 0.0. Pure numpy; matches scikit-learn.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of predicted class ids.
    references: list of gold class ids.
    label_names: optional list of class names indexed by id (alias: labels); defaults to
        ["0", "1", ..., str(max id)].
Returns:
    dict: accuracy, macro_f1, weighted_f1, macro_precision, macro_recall, per_class,
    confusion_matrix, labels, n.
Examples:
    >>> m = ClassificationMetrics()
    >>> m.compute(predictions=[0, 1], references=[0, 0], label_names=["a", "b"])["accuracy"]
    0.5
"""


class ClassificationMetrics(evaluate.Metric):
    """``evaluate`` metric wrapping :func:`classification_report`; needs no Hub download."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": datasets.Value("int64"),
                    "references": datasets.Value("int64"),
                }
            ),
            reference_urls=["https://en.wikipedia.org/wiki/F-score"],
        )

    def _compute(
        self,
        predictions: Sequence[int],
        references: Sequence[int],
        label_names: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        if label_names is not None and labels is not None and list(label_names) != list(labels):
            raise ValueError("pass label_names or its alias labels, not two different lists")
        names = label_names if label_names is not None else labels
        if names is None:
            names = default_label_names(predictions, references)
            if not names:
                raise ValueError("no examples and no label_names: cannot infer the classes")
        return classification_report(predictions, references, names)
