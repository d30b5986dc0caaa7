"""Validate a card offline: the checks ``ModelCard.validate()`` would ask the Hub for."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from khabar._logging import get_logger

if TYPE_CHECKING:
    from huggingface_hub import EvalResult

from khabar.card.gather import (
    HUB_LICENSES,
    NO_EVAL_SENTENCE,
    SCRATCH_SENTENCE,
    CardError,
    ModelCardInfo,
    as_number,
)
from khabar.card.metadata import eval_results_for_card

logger = get_logger(__name__)


# ------------------------------------------------------------------------------ validation

_REQUIRED_SECTIONS = (
    "## Model description",
    "## Training data",
    "## Preprocessing",
    "## Training procedure",
    "## Evaluation",
    "## Limitations",
    "## How to use",
    "## Citation",
)


def _close(a: Any, b: Any) -> bool:
    x, y = as_number(a), as_number(b)
    return x is not None and y is not None and abs(x - y) <= 5e-5


def validate_card(text: str, *, model_dir: str | Path | None = None) -> list[str]:
    """Check a card offline; return warnings, raise :class:`CardError` listing every error.

    Checks that the metadata parses into :class:`huggingface_hub.ModelCardData` (including the
    ``model-index``), that the required fields are present and valid for the Hub (``language``,
    ``license``, ``pipeline_tag``, ``tags``, ``datasets``, ``metrics``, ``base_model`` or the body
    saying the model was trained from scratch), and that the body has the required sections.
    Given ``model_dir``, every ``model-index`` value must equal the one in its
    ``eval_results.json``, and a model without results must have a card that says so.

    ``ModelCard.validate()`` is not used: it sends the card to the Hub's API.
    """
    from huggingface_hub import ModelCard

    errors: list[str] = []
    warnings: list[str] = []
    try:
        card = ModelCard(text, ignore_metadata_errors=False)
    except Exception as err:  # yaml errors, bad model-index: the card cannot be parsed
        raise CardError([f"metadata does not parse: {err}"]) from None
    if not text.startswith("---"):
        errors.append("no YAML metadata block at the top of the card")
    data: Any = card.data  # ModelCardData (typed as CardData by huggingface_hub)
    language = data.get("language")
    langs = (
        [language] if isinstance(language, str) else language if isinstance(language, list) else []
    )
    if "ar" not in langs:
        errors.append("metadata 'language' must include 'ar'")
    lic = data.get("license")
    if not isinstance(lic, str) or not lic:
        errors.append("metadata 'license' is missing")
    elif lic not in HUB_LICENSES:
        errors.append(
            f"metadata 'license: {lic}' is not a Hub licence id (use 'other' with license_name)"
        )
    elif lic == "other" and not data.get("license_name"):
        errors.append("metadata 'license: other' needs a 'license_name'")
    elif lic == "unknown":
        warnings.append("the licence is unknown: set hub.license in the run configuration")
    tag = data.get("pipeline_tag")
    if tag not in ("text-classification", "summarization", "text2text-generation"):
        errors.append(
            f"metadata 'pipeline_tag' is {tag!r}; expected text-classification or summarization"
        )
    tags = data.get("tags")
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t for t in tags):
        errors.append("metadata 'tags' must be a non-empty list of strings")
    datasets = data.get("datasets")
    if datasets is not None and (
        not isinstance(datasets, list) or not all(isinstance(d, str) and d for d in datasets)
    ):
        errors.append("metadata 'datasets' must be a list of Hub dataset ids")
    base = data.get("base_model")
    if base is None:
        if SCRATCH_SENTENCE not in card.text and "the local checkpoint" not in card.text:
            errors.append(
                f"no 'base_model' and the card does not say the model was {SCRATCH_SENTENCE}"
            )
    elif not isinstance(base, str | list):
        errors.append("metadata 'base_model' must be a model id")
    if data.get("library_name") != "transformers":
        errors.append("metadata 'library_name' must be 'transformers'")
    results = data.eval_results or []
    metrics = data.get("metrics")
    if results:
        if not data.model_name:
            errors.append("model-index has no model name")
        if not isinstance(metrics, list) or not metrics:
            errors.append("metadata 'metrics' is missing although the card reports results")
        else:
            missing = sorted({r.metric_type for r in results} - set(metrics))
            if missing:
                errors.append(f"metrics {missing} are in the model-index but not in 'metrics'")
        seen: set[tuple[Any, ...]] = set()
        for r in results:
            if r.task_type != tag:
                errors.append(f"model-index task '{r.task_type}' differs from pipeline_tag '{tag}'")
            if as_number(r.metric_value) is None:
                errors.append(
                    f"model-index value for {r.dataset_name} {r.metric_name} is not a number"
                )
            ident = (*r.unique_identifier, r.metric_type, r.metric_name)
            if ident in seen:
                errors.append(
                    f"model-index repeats {r.dataset_name} / {r.dataset_split} / {r.metric_name}"
                )
            seen.add(ident)
    for section in _REQUIRED_SECTIONS:
        if not re.search(rf"^{re.escape(section)}", card.text, flags=re.MULTILINE):
            errors.append(f"the card has no '{section}' section")
    if model_dir is not None:
        errors += _check_against_files(Path(model_dir), results, card.text)
    if errors:
        raise CardError(errors)
    return warnings


def _check_against_files(root: Path, results: Iterable[EvalResult], body: str) -> list[str]:
    """Every model-index number must be the one in ``eval_results.json``; no results → said so."""
    errors: list[str] = []
    info = ModelCardInfo.from_model_dir(root)
    results = list(results)
    if not info.has_eval:
        if results:
            errors.append(
                "the card reports results but the model directory has no eval_results.json results"
            )
        if NO_EVAL_SENTENCE not in body:
            errors.append("the model has no evaluation results and the card does not say so")
        return errors
    expected = eval_results_for_card(info)
    if not results:
        errors.append(
            "the model directory has evaluation results but the card's model-index is empty"
        )
    want = {(*r.unique_identifier, r.metric_type, r.metric_name): r.metric_value for r in expected}
    for r in results:
        key = (*r.unique_identifier, r.metric_type, r.metric_name)
        if key not in want:
            errors.append(
                f"model-index entry {r.dataset_name} / {r.dataset_split} / {r.metric_name} is not in eval_results.json"
            )
        elif not _close(r.metric_value, want[key]):
            errors.append(
                f"model-index {r.dataset_name} / {r.dataset_split} / {r.metric_name} = {r.metric_value} "
                f"but eval_results.json says {want[key]}"
            )
    got = {(*r.unique_identifier, r.metric_type, r.metric_name) for r in results}
    for key in want:
        if key not in got:
            errors.append(
                f"model-index lacks {key[1]} / {key[3]} / {key[-1]} from eval_results.json"
            )
    return errors
