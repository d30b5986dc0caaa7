"""Evaluation: classifiers (windowed, beside the TF-IDF baseline), summarisers (Arabic-aware
ROUGE, beside lead-k), and one flow for a saved model directory. Never imports training."""

from __future__ import annotations

from khabar.evaluation.classification import (
    baseline_texts,
    evaluate_classifier_splits,
    load_eval_file,
)
from khabar.evaluation.model_dir import (
    evaluate_model_dir,
    format_report,
    merge_eval_results,
    run_baseline,
)
from khabar.evaluation.reading import ReadingScore, best_reading, save_reading, score_readings
from khabar.evaluation.summarization import SummaryEvalSettings, evaluate_summarizer

__all__ = [
    "ReadingScore",
    "SummaryEvalSettings",
    "baseline_texts",
    "best_reading",
    "evaluate_classifier_splits",
    "evaluate_model_dir",
    "evaluate_summarizer",
    "format_report",
    "load_eval_file",
    "merge_eval_results",
    "run_baseline",
    "save_reading",
    "score_readings",
]
