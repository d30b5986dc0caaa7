"""Evaluation metrics for khabar: classification reports, Arabic-aware ROUGE, plots, baselines.

Everything here works offline, with no Hub download: ROUGE is the plain function
:func:`rouge_scores` over a :class:`RougeTokenizer` (khabar's Arabic protocol by default,
:meth:`RougeTokenizer.xlsum` for XL-Sum's), and :func:`lead_baseline` the lead-k summaries it
is compared with.
"""

from __future__ import annotations

from khabar.metrics.baselines import lead_baseline
from khabar.metrics.bootstrap import paired_bootstrap, paired_bootstrap_mean
from khabar.metrics.classification import classification_report
from khabar.metrics.plots import plot_confusion_matrix, plot_learning_curve
from khabar.metrics.rouge import RougeTokenizer, Score, rouge_scores, score_pair

__all__ = [
    "RougeTokenizer",
    "Score",
    "classification_report",
    "lead_baseline",
    "paired_bootstrap",
    "paired_bootstrap_mean",
    "plot_confusion_matrix",
    "plot_learning_curve",
    "rouge_scores",
    "score_pair",
]
