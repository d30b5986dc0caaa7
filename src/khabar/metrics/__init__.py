"""Evaluation metrics for khabar: classification reports, Arabic-aware ROUGE, plots, baselines.

Everything here works offline: the ``evaluate`` metrics (:class:`ClassificationMetrics`,
:class:`ArabicRouge`) are defined in the package and instantiated directly, with no Hub
download. Each is a thin wrapper over a plain function (:func:`classification_report`,
:func:`rouge_scores`).
"""

from __future__ import annotations

from khabar.metrics.baselines import lead_baseline
from khabar.metrics.classification import ClassificationMetrics, classification_report
from khabar.metrics.plots import plot_confusion_matrix, plot_learning_curve
from khabar.metrics.rouge import ArabicRouge, RougeTokenizer, Score, rouge_scores, score_pair

__all__ = [
    "ArabicRouge",
    "ClassificationMetrics",
    "RougeTokenizer",
    "Score",
    "classification_report",
    "lead_baseline",
    "plot_confusion_matrix",
    "plot_learning_curve",
    "rouge_scores",
    "score_pair",
]
