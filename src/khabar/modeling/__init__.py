"""Models and tokenizers: the factory (:mod:`khabar.modeling.factory`: a pretrained checkpoint, a
warm-started encoder-decoder, or a small model from scratch), the one safe way to load a model
directory (:mod:`khabar.modeling.loading`), from-scratch models and tokenizers.

Names are imported on first use, so that ``khabar.modeling.loading`` stays light to import.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "base_model_info": "khabar.modeling.factory",
    "build_classifier": "khabar.modeling.factory",
    "build_seq2seq": "khabar.modeling.factory",
    "check_checkpoint": "khabar.modeling.factory",
    "load_checkpoint_model": "khabar.modeling.factory",
    "load_pretrained_tokenizer": "khabar.modeling.factory",
    "models_dir": "khabar.modeling.factory",
    "freeze": "khabar.modeling.factory",
    "resolve_checkpoint": "khabar.modeling.factory",
    "is_t5_model": "khabar.modeling.scratch",
    "scratch_classifier": "khabar.modeling.scratch",
    "scratch_seq2seq": "khabar.modeling.scratch",
    "train_unigram_tokenizer": "khabar.modeling.tokenizers",
    "train_wordpiece_tokenizer": "khabar.modeling.tokenizers",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'khabar.modeling' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = sorted(_LAZY)
