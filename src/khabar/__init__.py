"""khabar (خبر): fine-tune and serve Arabic transformers for news topic, stance and summarisation."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
