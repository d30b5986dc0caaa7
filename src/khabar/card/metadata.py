"""The card's Hub metadata: ``ModelCardData`` and ``model-index`` ``EvalResult`` entries."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from khabar._logging import get_logger
from khabar.data.datasets_info import DatasetInfo, find_dataset

if TYPE_CHECKING:
    from huggingface_hub import EvalResult, ModelCardData

from khabar.card.gather import (
    CLASSIFICATION_METRICS,
    ROUGE_METRICS,
    ModelCardInfo,
    as_mapping,
    as_number,
)

logger = get_logger(__name__)


def _extra_path(info: ModelCardInfo, split: str) -> str | None:
    """The file an out-of-domain evaluation set came from (``evaluation.extra`` of the run)."""
    extra = as_mapping(as_mapping(info.run_config.get("evaluation")).get("extra"))
    path = extra.get(split)
    return str(path) if path else None


def eval_dataset(info: ModelCardInfo, split: str) -> DatasetInfo | None:
    """The known data set an evaluated split comes from (training data for in-domain splits)."""
    entry = info.splits.get(split, {})
    if entry.get("domain", "in-domain") == "out-of-domain":
        return find_dataset(_extra_path(info, split) or split)
    return info.datasets[0] if len(info.datasets) == 1 else None


def _ood_datasets(info: ModelCardInfo) -> list[DatasetInfo]:
    out: list[DatasetInfo] = []
    for split, entry in info.splits.items():
        if entry.get("domain") == "out-of-domain":
            known = eval_dataset(info, split)
            if known is not None and known not in info.datasets and known not in out:
                out.append(known)
    return out


# ------------------------------------------------------------------------------ metadata


def _split_dataset(
    info: ModelCardInfo, split: str, entry: Mapping[str, Any]
) -> tuple[str, str, str | None]:
    """(dataset type, dataset name, dataset split) of an evaluated split, for the model-index."""
    domain = entry.get("domain", "in-domain")
    if domain != "out-of-domain":
        if len(info.datasets) == 1:
            d = info.datasets[0]
            return d.hub_id or d.key, d.name, split
        if info.unknown_datasets:
            return info.unknown_datasets[0], info.unknown_datasets[0], split
        return info.model_name, f"{info.model_name} data", split
    path = _extra_path(info, split)
    known = eval_dataset(info, split)
    file_split = None
    if path:
        file_split = Path(str(path)).name.split(".")[0] or None
    if known is not None:
        return known.hub_id or known.key, f"{known.name} (out-of-domain)", file_split or split
    return split, f"{split} (out-of-domain)", file_split or split


def eval_results_for_card(info: ModelCardInfo) -> list[EvalResult]:
    """One ``EvalResult`` per (evaluated split, metric) of the model (not of the baseline)."""
    from huggingface_hub import EvalResult

    results: list[EvalResult] = []
    task_name = info.task_words[:1].upper() + info.task_words[1:]
    for split, entry in info.splits.items():
        model = as_mapping(entry.get("model"))
        ds_type, ds_name, ds_split = _split_dataset(info, split, entry)
        metrics: list[tuple[str, str, str, dict[str, str] | None]]
        if info.is_summarizer:
            metrics = [(key, key, name, None) for key, name in ROUGE_METRICS]
        else:
            metrics = list(CLASSIFICATION_METRICS)
        for key, metric_type, name, args in metrics:
            value = as_number(model.get(key))
            if value is None:
                continue
            results.append(
                EvalResult(
                    task_type=info.pipeline_tag,
                    task_name=task_name,
                    dataset_type=ds_type,
                    dataset_name=ds_name,
                    dataset_split=ds_split,
                    metric_type=metric_type,
                    metric_name=name,
                    metric_value=round(value, 4),
                    metric_args=args,
                )
            )
    return results


def build_card_data(info: ModelCardInfo) -> ModelCardData:
    """The card's metadata block as :class:`huggingface_hub.ModelCardData`."""
    from huggingface_hub import ModelCardData

    lic, lic_name, _ = info.license()
    tags = ["khabar", "arabic", "news"]
    tags += list(info.spec.card_tags)
    if info.is_summarizer and info.target_kind == "headline":
        tags.append("headline-generation")
    if info.meta.base_model is None:
        tags.append("trained-from-scratch")
    tags += [str(t) for t in info.hub.get("tags") or [] if isinstance(t, str | int)]
    results = eval_results_for_card(info)
    metrics = sorted({r.metric_type for r in results}) or None
    return ModelCardData(
        language="ar",
        license=lic,
        license_name=lic_name,
        library_name="transformers",
        base_model=info.base_model_id,
        datasets=info.dataset_ids or None,
        metrics=metrics,
        pipeline_tag=info.pipeline_tag,
        tags=tags,
        model_name=info.model_name,
        eval_results=results or None,
    )
