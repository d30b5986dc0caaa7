"""How sure a difference between two systems on one test set is: the paired bootstrap.

Resample the test examples with replacement, score both systems on each resample (the same
examples for both), and read the spread of the difference (Koehn, "Statistical Significance
Tests for Machine Translation Evaluation", EMNLP 2004; Berg-Kirkpatrick et al., "An Empirical
Investigation of Statistical Significance in NLP", EMNLP-CoNLL 2012). This measures the test
set's sampling noise, not the training run's: another seed moves a fine-tuned model too.

Every statistic here is a function of sums over examples, so a resample is a vector of counts
(how often each example was drawn) times a per-example matrix: 1,000 resamples of 3,000 examples
take about a second.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from khabar.metrics.classification import _as_label_array

__all__ = ["paired_bootstrap", "paired_bootstrap_mean"]


def _check(n: int, n_resamples: int, confidence: float) -> None:
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    if n == 0:
        raise ValueError("a paired bootstrap needs at least one example")


def _interval(
    per_example: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    n_resamples: int,
    confidence: float,
    seed: int,
) -> dict[str, Any]:
    """Resample the rows of ``per_example`` (n, m); ``statistic`` maps column sums (..., m) to
    the difference a - b (...)."""
    n = per_example.shape[0]
    rng = np.random.default_rng(seed)
    diffs = []
    chunk = max(1, 2_000_000 // n)  # bounds the (resamples, n) count matrix to ~16 MB
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        rows = rng.integers(0, n, (size, n)) + n * np.arange(size)[:, None]
        counts = np.bincount(rows.ravel(), minlength=size * n).reshape(size, n)
        diffs.append(statistic(counts.astype(np.float64) @ per_example))
    resampled = np.concatenate(diffs)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(resampled, [tail, 1.0 - tail])
    return {
        "difference": float(statistic(per_example.sum(axis=0))),
        "ci_low": float(low),
        "ci_high": float(high),
        "confidence": confidence,
        "a_better": float(np.mean(resampled > 0)),
        "n_resamples": n_resamples,
        "seed": seed,
    }


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
    """The paired bootstrap of the macro-F1 difference between two classifiers.

    Args:
        predictions_a: class ids predicted by system ``a`` (the model).
        predictions_b: class ids predicted by system ``b`` (the baseline), aligned with ``a``.
        references: gold class ids.
        n_labels: the number of classes; macro-F1 averages over all of them, as
            :func:`khabar.metrics.classification_report` does (0/0 is 0).
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
    a = _as_label_array(predictions_a, "predictions_a", n_labels)
    b = _as_label_array(predictions_b, "predictions_b", n_labels)
    refs = _as_label_array(references, "references", n_labels)
    if not (a.shape == b.shape == refs.shape):
        raise ValueError(
            f"got {a.size} and {b.size} predictions for {refs.size} references; "
            "they must be aligned"
        )
    _check(int(refs.size), n_resamples, confidence)

    # per class: true positives, and predicted + gold (F1 = 2 TP / (predicted + gold))
    classes = np.arange(n_labels)
    gold = (refs[:, None] == classes).astype(np.float64)
    columns = []
    for preds in (a, b):
        predicted = (preds[:, None] == classes).astype(np.float64)
        columns += [gold * predicted, predicted + gold]
    per_example = np.concatenate(columns, axis=1)  # (n, 4 * n_labels)

    def macro_f1(sums: np.ndarray) -> np.ndarray:
        tp, pred_plus_gold = sums[..., :n_labels], sums[..., n_labels:]
        f1 = np.divide(2 * tp, pred_plus_gold, out=np.zeros_like(tp), where=pred_plus_gold > 0)
        return f1.mean(axis=-1)  # type: ignore[no-any-return]

    def difference(sums: np.ndarray) -> np.ndarray:
        half = 2 * n_labels
        return macro_f1(sums[..., :half]) - macro_f1(sums[..., half:])

    out = _interval(
        per_example, difference, n_resamples=n_resamples, confidence=confidence, seed=seed
    )
    return {"metric": "macro_f1", **out}


def paired_bootstrap_mean(
    scores_a: Sequence[float] | np.ndarray,
    scores_b: Sequence[float] | np.ndarray,
    *,
    metric: str = "mean",
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """The paired bootstrap of the difference of two means of per-example scores (corpus
    ROUGE is the mean of per-example F1: ``rouge_scores(..., return_per_example=True)``).

    Returns the same keys as :func:`paired_bootstrap`, with ``metric`` as given.

    Raises:
        ValueError: on misaligned or non-finite scores, ``n_resamples < 1`` or a
            ``confidence`` outside (0, 1).
    """
    a = np.asarray(scores_a, dtype=np.float64)
    b = np.asarray(scores_b, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"got {a.size} and {b.size} scores; they must be aligned, one per example")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("scores must be finite numbers")
    n = int(a.size)
    _check(n, n_resamples, confidence)
    out = _interval(
        (a - b)[:, None],
        lambda sums: sums[..., 0] / n,
        n_resamples=n_resamples,
        confidence=confidence,
        seed=seed,
    )
    return {"metric": metric, **out}
