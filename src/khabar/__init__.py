"""khabar (خبر): fine-tune and serve Arabic transformers for news topic, stance and summarisation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from khabar._version import __version__

_LAZY = {
    "TopicClassifier": "khabar.inference",
    "StanceDetector": "khabar.inference",
    "Summarizer": "khabar.inference",
    "NewsAnalyzer": "khabar.inference",
    "ClassificationResult": "khabar.inference",
    "StanceResult": "khabar.inference",
    "SummaryResult": "khabar.inference",
    "Analysis": "khabar.inference",
}
"""Public classes imported on first use (PEP 562), so that ``import khabar`` stays light."""

if TYPE_CHECKING:
    from khabar.inference import (
        Analysis,
        ClassificationResult,
        NewsAnalyzer,
        StanceDetector,
        StanceResult,
        Summarizer,
        SummaryResult,
        TopicClassifier,
    )


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'khabar' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "Analysis",
    "ClassificationResult",
    "NewsAnalyzer",
    "StanceDetector",
    "StanceResult",
    "Summarizer",
    "SummaryResult",
    "TopicClassifier",
    "__version__",
]
