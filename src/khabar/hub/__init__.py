"""Publishing: stage a model directory's public files with a rendered card and upload them to the
Hugging Face Hub in one commit (:mod:`khabar.hub.publish`); convert pickle weights to
safetensors (:mod:`khabar.hub.convert`)."""

from __future__ import annotations

from khabar.hub.convert import convert_to_safetensors
from khabar.hub.publish import (
    PublishError,
    PublishResult,
    StagedFile,
    check_publishable,
    publish,
    stage_model_dir,
)

__all__ = [
    "PublishError",
    "PublishResult",
    "StagedFile",
    "check_publishable",
    "convert_to_safetensors",
    "publish",
    "stage_model_dir",
]
