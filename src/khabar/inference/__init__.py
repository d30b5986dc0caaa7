"""Inference: load khabar model directories and analyse Arabic news articles.

>>> from khabar.inference import TopicClassifier  # doctest: +SKIP
>>> TopicClassifier.from_pretrained("outputs/topic-ant-offline").predict(article)  # doctest: +SKIP

Every predictor applies the preprocessing saved with its model, reads long texts in windows, and
returns typed results (:mod:`khabar.inference.results`) flagged where the input was unusual.
"""

from __future__ import annotations

from khabar.device import resolve_device
from khabar.inference.analyzer import NewsAnalyzer
from khabar.inference.base import Predictor
from khabar.inference.classifier import SequenceClassifier, StanceDetector, TopicClassifier
from khabar.inference.results import (
    FLAGS,
    Analysis,
    ClassificationResult,
    StanceResult,
    SummaryResult,
)
from khabar.inference.summarizer import Summarizer
from khabar.modeling.loading import resolve_model_dir

__all__ = [
    "FLAGS",
    "Analysis",
    "ClassificationResult",
    "NewsAnalyzer",
    "Predictor",
    "SequenceClassifier",
    "StanceDetector",
    "StanceResult",
    "Summarizer",
    "SummaryResult",
    "TopicClassifier",
    "resolve_device",
    "resolve_model_dir",
]
