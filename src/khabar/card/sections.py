"""The card's prose, built from the gathered files: results tables, data, training, limits."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from khabar._logging import get_logger
from khabar.model_dir import (
    CONFUSION_MATRIX_FILE,
    DECODING_KEYS,
    LEARNING_CURVE_FILE,
)

if TYPE_CHECKING:
    from huggingface_hub import ModelCardData

from khabar.card.gather import (
    NO_EVAL_SENTENCE,
    SCRATCH_SENTENCE,
    ModelCardInfo,
    as_mapping,
    as_number,
)
from khabar.card.metadata import _ood_datasets
from khabar.card.results import (
    cell,
    classification_results,
    duration,
    fmt_int,
    fmt_number,
    label_meanings,
    summarization_results,
)

logger = get_logger(__name__)


def _data_context(info: ModelCardInfo) -> dict[str, Any]:
    splits = as_mapping(info.data_summary.get("splits"))
    rows = []
    notes: list[str] = []
    max_samples = as_mapping(info.data_config.get("max_samples"))
    length_limit = info.meta.max_length
    for name, raw in splits.items():
        s = as_mapping(raw)
        tokens = as_mapping(s.get("tokens")) or as_mapping(s.get("words"))
        unit = "tokens" if as_mapping(s.get("tokens")) else "words"
        trunc = as_mapping(s.get("truncated"))
        fraction = as_number(trunc.get("fraction"))
        rows.append(
            {
                "split": name,
                "rows": fmt_int(s.get("rows")),
                "labels": ", ".join(
                    f"{cell(k)} {fmt_int(v)}" for k, v in as_mapping(s.get("labels")).items()
                )
                or "—",
                "length": f"{fmt_number(tokens.get('p50'), 0)} / {fmt_number(tokens.get('p90'), 0)} / "
                f"{fmt_int(tokens.get('max'))} {unit}"
                if tokens
                else "—",
                "over_limit": f"{100 * fraction:.1f}%" if fraction is not None else "—",
                "summary_words": fmt_number(as_mapping(s.get("summary_words")).get("p50"), 0)
                if as_mapping(s.get("summary_words"))
                else "—",
            }
        )
        dup = as_number(s.get("duplicates_dropped"))
        if dup:
            notes.append(f"`{name}`: {int(dup):,} duplicate rows dropped.")
        skipped = as_mapping(s.get("skipped"))
        if skipped:
            what = ", ".join(f"{cell(k)}: {fmt_int(v)}" for k, v in skipped.items())
            notes.append(f"`{name}`: malformed rows skipped ({what}).")
        leak = as_number(s.get("leakage_with_train"))
        removed = as_number(s.get("leakage_removed_from_train"))
        if leak:
            notes.append(
                f"`{name}`: {int(leak):,} texts also occur in the training split"
                + (f" ({int(removed):,} removed from training)." if removed else " (not removed).")
            )
        cap = max_samples.get(name)
        known = next((d for d in info.datasets if name in d.sizes), None)
        if cap is not None and known is not None and len(info.datasets) == 1:
            notes.append(
                f"`{name}` was capped at {fmt_int(cap)} rows (`data.max_samples`): "
                f"{fmt_int(s.get('rows'))} of the {known.sizes[name]:,} rows of {known.name}'s "
                f"official {name} split."
            )
        elif cap is not None:
            notes.append(f"`{name}` was capped at {fmt_int(cap)} rows (`data.max_samples`).")
    return {"rows": rows, "notes": notes, "length_limit": length_limit}


MODEL_TRAINING_KEYS: dict[str, Any] = {
    "max_length": None,
    "truncation": None,
    "train_windows": 1,
    "train_aggregate": False,
    "class_weights": None,
    "pooling": "cls",
    "freeze_embeddings": False,
    "freeze_layers": 0,
    "config_overrides": {},
}
"""``model.*`` settings of the run config that shape training, with the value that means "not
set"; the card's hyper-parameter table lists the ones a run set."""


def _training_context(info: ModelCardInfo) -> dict[str, Any]:
    training = as_mapping(info.run_config.get("training"))
    model_cfg = as_mapping(info.run_config.get("model"))
    hparams = [
        {"name": cell(k), "value": cell(json.dumps(v) if isinstance(v, dict | list) else v)}
        for k, v in training.items()
    ]
    for key in ("seed",):
        if key in info.run_config:
            hparams.append({"name": key, "value": cell(info.run_config[key])})
    # the model settings that change what training does (defaults are left out)
    for key, default in MODEL_TRAINING_KEYS.items():
        value = model_cfg.get(key, default)
        if value is not None and value != default:
            hparams.append(
                {
                    "name": cell(f"model.{key}"),
                    "value": cell(
                        json.dumps(value) if isinstance(value, dict | list | bool) else value
                    ),
                }
            )
    tr = info.train_results
    facts: list[str] = []
    if tr:
        if tr.get("hardware"):
            world = as_number(tr.get("world_size"))
            facts.append(
                f"Hardware: {cell(tr['hardware'])}"
                + (f", {int(world)} processes" if world and world > 1 else "")
            )
        if as_number(tr.get("train_runtime_s")) is not None:
            facts.append(
                f"Training time: {duration(tr['train_runtime_s'])}"
                + (
                    f" (whole run, evaluation included: {duration(tr['wall_time_s'])})"
                    if as_number(tr.get("wall_time_s")) is not None
                    else ""
                )
            )
        if as_number(tr.get("epochs")) is not None:
            facts.append(
                f"Epochs completed: {fmt_number(tr['epochs'], 2)} over {fmt_int(tr.get('train_samples'))} training examples"
            )
        if as_number(tr.get("train_samples_per_second")) is not None:
            facts.append(
                f"Throughput: {fmt_number(tr['train_samples_per_second'], 1)} examples/s"
                + (
                    f", {fmt_number(tr.get('train_tokens_per_second'), 0)} tokens/s"
                    if as_number(tr.get("train_tokens_per_second"))
                    else ""
                )
            )
        if as_number(tr.get("train_loss")) is not None:
            facts.append(f"Final training loss: {fmt_number(tr['train_loss'])}")
        mem = (
            [f"peak RAM {fmt_int(tr['peak_rss_mb'])} MB"]
            if as_number(tr.get("peak_rss_mb"))
            else []
        )
        if as_number(tr.get("peak_cuda_mb")):
            mem.append(f"peak GPU memory {fmt_int(tr['peak_cuda_mb'])} MB")
        if mem:
            facts.append("Memory: " + ", ".join(mem))
        if tr.get("stopped_by_time_budget") and tr.get("scheduled_to_time_budget"):
            facts.append(
                "**Training was stopped by its time budget** (`training.max_train_minutes`) before "
                "the configured epochs; the learning-rate schedule ran to the budget "
                "(`training.schedule_to_time_budget`), so it ended decayed as planned."
            )
        elif tr.get("stopped_by_time_budget"):
            facts.append(
                "**Training was stopped early by its time budget** (`training.max_train_minutes`): "
                "the model saw fewer epochs than configured."
            )
        averaged = tr.get("weight_average")
        if isinstance(averaged, dict) and as_number(averaged.get("average")) is not None:
            kept = "the average" if averaged.get("kept") == "average" else "the checkpoint"
            facts.append(
                f"Weight averaging (`training.average_weights_from_epoch`, SWA): the mean of the "
                f"weights over the last {fmt_int(averaged.get('steps_averaged'))} steps (from epoch "
                f"{as_number(averaged.get('from_epoch')) or 0:g}) scored dev "
                f"{averaged.get('metric', 'metric')} {fmt_number(averaged['average'])} against "
                f"{fmt_number(averaged.get('checkpoint'))} for the checkpoint selected in "
                f"training; {kept} is this model."
            )
        versions = [f"{k} {tr[k]}" for k in ("khabar", "torch") if tr.get(k)]
        if versions:
            facts.append("Software: " + ", ".join(versions))
    return {"hparams": hparams, "facts": facts}


def _architecture(info: ModelCardInfo) -> str:
    cfg = info.model_config
    if not cfg:
        return "—"
    archs = cfg.get("architectures") or []
    head = f"`{archs[0]}`" if archs else f"`{cfg.get('model_type', '?')}`"
    parts: list[str] = []
    for key, word in (
        ("num_hidden_layers", "layers"),
        ("encoder_layers", "encoder layers"),
        ("decoder_layers", "decoder layers"),
        ("num_layers", "layers"),
        ("hidden_size", "hidden size"),
        ("d_model", "hidden size"),
        ("num_attention_heads", "attention heads"),
        ("vocab_size", "vocabulary"),
        ("max_position_embeddings", "max positions"),
    ):
        if as_number(cfg.get(key)) is not None and not any(p.startswith(word + ":") for p in parts):
            parts.append(f"{word}: {fmt_int(cfg[key])}")
    if info.n_parameters:
        parts.append(f"parameters: {info.n_parameters:,}")
    return head + (f" ({', '.join(parts)})" if parts else "")


def _input_notes(info: ModelCardInfo) -> list[str]:
    meta = info.meta
    notes: list[str] = []
    spec = info.spec
    if info.data_config.get("prepend_title") and not spec.is_pair and not spec.is_seq2seq:
        notes.append(
            "The headline (when there is one) is put before the article text, on its own line."
        )
    if spec.is_pair:
        notes.append(
            "Input is a pair: the target (claim, headline or topic) first, the text second; only "
            "the text is cut into windows, the target is repeated in each."
        )
    if spec.is_seq2seq:
        kept = (
            f"their first and last {meta.max_length // 2} tokens"
            if meta.truncation == "head_tail"
            else f"their first {meta.max_length} tokens"
        )
        notes.append(
            f"Articles are cut to {kept}; reference "
            f"{'headlines' if info.target_kind == 'headline' else 'summaries'} to "
            f"{meta.max_target_length or '—'} tokens. Text beyond that is not read."
        )
    else:
        windows = (
            "all windows"
            if meta.max_windows == 0
            else f"at most {meta.max_windows} window{'s' if meta.max_windows > 1 else ''}"
        )
        notes.append(
            f"Training reads the first {meta.max_length} tokens of each input "
            f"({'head and tail' if meta.truncation == 'head_tail' else 'head'} truncation). "
            f"Evaluation and khabar's inference read long inputs as overlapping windows of "
            f"{meta.max_length} tokens (stride {meta.stride}, {windows}); a text's prediction "
            f"is {meta.reading.describe_aggregation()}."
        )
    return notes


def _intended_use(info: ModelCardInfo) -> dict[str, Any]:
    what = "headlines" if info.target_kind == "headline" else "short summaries"
    return {
        "use": info.spec.intended_use.format(what=what),
        "out_of_scope": list(info.spec.out_of_scope),
    }


def _limitations(info: ModelCardInfo, results: Mapping[str, Any]) -> list[str]:
    items: list[str] = []
    for d in info.datasets:
        items.append(
            f"Coverage: trained on {d.name} — {d.coverage}. Other outlets, periods and topics may be handled worse."
        )
        items.append(
            f"Language variety: {d.genre}; dialectal Arabic outside the training data is not represented."
        )
        items.extend(f"{d.name}: {c}" for c in d.caveats)
    for d in _ood_datasets(info):
        items.extend(f"{d.name} (evaluation only): {c}" for c in d.caveats)
    if info.unknown_datasets:
        items.append(
            "The training data ("
            + ", ".join(f"`{u}`" for u in info.unknown_datasets)
            + ") is not described beyond the counts above: check its coverage, dialects and "
            "label quality before relying on the model."
        )
    meta = info.meta
    summary = as_mapping(info.data_summary.get("splits"))
    train = as_mapping(summary.get("train"))
    frac = as_number(as_mapping(train.get("truncated")).get("fraction"))
    if frac == 0:
        items.append(
            f"Long inputs: no training input was longer than {meta.max_length} tokens, so "
            "long articles are outside what the model was trained on."
        )
    elif frac is not None:
        if info.is_summarizer:
            items.append(
                f"Long articles: {100 * frac:.1f}% of the training inputs were longer than "
                f"{meta.max_length} tokens; only their beginning is read."
            )
        else:
            model_cfg = as_mapping(info.run_config.get("model"))
            windows = as_number(model_cfg.get("train_windows"))
            trained_on = (
                "their first window only"
                if windows in (None, 1)
                else f"up to {int(windows)} windows each"
                if windows
                else "all their windows"
            )
            if windows not in (None, 1) and model_cfg.get("train_aggregate"):
                trained_on += ", the loss on the windows' aggregate as inference reads it"
            items.append(
                f"Long articles: {100 * frac:.1f}% of the training inputs were longer than "
                f"{meta.max_length} tokens and were trained on {trained_on}; at inference "
                "khabar reads them in windows, plain `transformers` reads only the first window."
            )
    never = results.get("never_predicted") or []
    if never:
        items.append(
            f"On `{results.get('main_split')}` the model never predicts: "
            + ", ".join(f"`{n}`" for n in never)
            + "."
        )
    train_labels = {k: as_number(v) or 0 for k, v in as_mapping(train.get("labels")).items()}
    total = sum(train_labels.values())
    if total and len(train_labels) > 1:
        small = [k for k, v in train_labels.items() if v / total < 0.05]
        if small:
            items.append(
                "Class imbalance: few training examples of "
                + ", ".join(f"`{k}` ({100 * train_labels[k] / total:.1f}%)" for k in small)
                + "; expect lower recall there."
            )
    if not info.has_preprocessing_file:
        items.append("No preprocessing settings were saved with this model.")
    return items


def _citations(info: ModelCardInfo) -> list[dict[str, str]]:
    out = [{"what": d.name, "text": d.citation} for d in [*info.datasets, *_ood_datasets(info)]]
    base = info.base_model_id
    if base:
        cited = info.meta.base_model_info.get("citation")
        text = cited or f"see the citation on its card: https://huggingface.co/{base}"
        out.append({"what": f"Base model {base}", "text": str(text)})
    return out


def template_context(info: ModelCardInfo, card_data: ModelCardData) -> dict[str, Any]:
    """The values the Jinja templates render (all derived from ``info``)."""
    lic, lic_name, lic_note = info.license()
    results = summarization_results(info) if info.is_summarizer else classification_results(info)
    description = info.run_config.get("description")
    model_ref = info.repo_id or info.hub.get("repo_id") or "path/to/this/model"
    meanings = label_meanings(info)
    data_splits = as_mapping(info.data_summary.get("splits"))
    train_counts = as_mapping(as_mapping(data_splits.get("train")).get("labels"))
    test_counts = as_mapping(as_mapping(data_splits.get("test")).get("labels"))
    labels = [
        {
            "id": i,
            "label": cell(label),
            "meaning": cell(meanings.get(label)),
            "train": fmt_int(train_counts.get(label)),
            "test": fmt_int(test_counts.get(label)),
        }
        for i, label in enumerate(info.meta.labels)
    ]
    gen = info.generation_config
    generation = [
        {"name": k, "value": cell(gen[k])} for k in DECODING_KEYS if k in gen and gen[k] is not None
    ]
    return {
        "card_data": card_data.to_yaml(),
        "title": info.model_name,
        "description": str(description).strip() if description else None,
        "task": info.task,
        "task_words": info.task_words,
        "pipeline_tag": info.pipeline_tag,
        "base_model": info.base_model_id or info.meta.base_model,
        "base_model_link": info.base_model_id is not None,
        "base_model_note": info.base_model_note,
        "scratch_sentence": SCRATCH_SENTENCE,
        "architecture": _architecture(info),
        "dataset_label": info.dataset_label,
        "datasets": info.datasets,
        "eval_only_datasets": _ood_datasets(info),
        "unknown_datasets": info.unknown_datasets,
        "license": lic,
        "license_name": lic_name,
        "license_note": lic_note,
        "khabar_version": info.meta.khabar_version,
        "intended": _intended_use(info),
        "labels": labels,
        "data": _data_context(info),
        "preprocessing": info.preprocessing,
        "has_preprocessing_file": info.has_preprocessing_file,
        "input_notes": _input_notes(info),
        "training": _training_context(info),
        "generation": generation,
        "has_eval": info.has_eval,
        "no_eval_sentence": NO_EVAL_SENTENCE,
        "baseline_name": info.baseline_name,
        "results": results,
        "confusion_png": CONFUSION_MATRIX_FILE in info.files,
        "confusion_png_file": CONFUSION_MATRIX_FILE,
        "learning_curve_png": LEARNING_CURVE_FILE in info.files,
        "learning_curve_file": LEARNING_CURVE_FILE,
        "limitations": _limitations(info, results),
        "citations": _citations(info),
        "model_ref": model_ref,
        "is_repo": bool(info.repo_id or info.hub.get("repo_id")),
        "max_length": info.meta.max_length,
        "example_text": "نص الخبر هنا",
        "example_target": "الادعاء أو العنوان هنا",
        "problems": info.problems,
    }
