"""The card's results tables and the small formatters the card's sections share."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from khabar._logging import get_logger

if TYPE_CHECKING:
    pass

from khabar.card.gather import (
    ROUGE_METRICS,
    ModelCardInfo,
    as_mapping,
    as_number,
)
from khabar.card.metadata import eval_dataset
from khabar.model_dir import ReadingSettings

logger = get_logger(__name__)


def fmt_number(value: Any, digits: int = 4) -> str:
    number = as_number(value)
    if number is None:
        return "—"
    if float(number).is_integer() and digits == 0:
        return f"{int(number):,}"
    return f"{number:.{digits}f}"


def fmt_int(value: Any) -> str:
    number = as_number(value)
    return "—" if number is None else f"{round(number):,}"


def cell(value: Any) -> str:
    """Text made safe for a Markdown table cell."""
    text = "" if value is None else str(value)
    return re.sub(r"\s+", " ", text).replace("|", "\\|").strip() or "—"


def quote(text: Any, limit: int = 400) -> str:
    """Text for a Markdown blockquote: one paragraph, shortened with an ellipsis."""
    s = re.sub(r"\s+", " ", str(text or "")).strip()
    return s if len(s) <= limit else s[:limit].rsplit(" ", 1)[0] + " …"


def duration(seconds: Any) -> str:
    s = as_number(seconds)
    if s is None:
        return "—"
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def label_meanings(info: ModelCardInfo) -> dict[str, str]:
    label_map = {str(k): str(v) for k, v in as_mapping(info.data_config.get("label_map")).items()}
    known: dict[str, str] = {}
    for d in info.datasets:
        for k, v in d.labels.items():
            known.setdefault(k, v)
    meanings: dict[str, str] = {}
    for label in info.meta.labels:
        origins = [o for o, new in label_map.items() if new == label and o != label]
        if origins:
            parts = [f"`{o}` ({known[o]})" if o in known else f"`{o}`" for o in origins]
            if label in known:
                parts.insert(0, f"`{label}` ({known[label]})")
            meanings[label] = "merged from " + " and ".join(parts)
        else:
            meanings[label] = known.get(label, "—")
    return meanings


def main_split(info: ModelCardInfo) -> str | None:
    splits = info.splits
    if "test" in splits:
        return "test"
    in_domain = [k for k, v in splits.items() if v.get("domain", "in-domain") == "in-domain"]
    candidates = in_domain or list(splits)
    return candidates[0] if candidates else None


def comparison_sentence(comparison: Mapping[str, Any], split: str) -> str:
    """The paired-bootstrap interval of the model-baseline difference, in words ("" if none)."""
    low, high = as_number(comparison.get("ci_low")), as_number(comparison.get("ci_high"))
    share = as_number(comparison.get("confidence"))
    if low is None or high is None or share is None:
        return ""
    if low > 0:
        reading = "the model is ahead beyond the test set's sampling noise"
    elif high < 0:
        reading = "the baseline is ahead beyond the test set's sampling noise"
    else:
        reading = "the interval holds 0, so this test set does not tell the two apart"
    return (
        f" The {100 * share:.0f}% paired-bootstrap interval of the difference is "
        f"{low:+.4f} to {high:+.4f} ({comparison.get('n_resamples')} resamples of `{split}`): "
        f"{reading}."
    )


def classification_results(info: ModelCardInfo) -> dict[str, Any]:
    rows = []
    for split, entry in info.splits.items():
        model = as_mapping(entry.get("model"))
        base = as_mapping(entry.get("baseline"))
        rows.append(
            {
                "split": split,
                "domain": entry.get("domain", "in-domain"),
                "n": n_cell(entry),
                "accuracy": fmt_number(model.get("accuracy")),
                "macro_f1": fmt_number(model.get("macro_f1")),
                "weighted_f1": fmt_number(model.get("weighted_f1")),
                "b_accuracy": fmt_number(base.get("accuracy")) if base else "—",
                "b_macro_f1": fmt_number(base.get("macro_f1")) if base else "—",
                "b_weighted_f1": fmt_number(base.get("weighted_f1")) if base else "—",
            }
        )
    main = main_split(info)
    verdict = None
    per_class: list[dict[str, str]] = []
    confusion: dict[str, Any] | None = None
    never_predicted: list[str] = []
    if main is not None:
        entry = info.splits[main]
        model = as_mapping(entry.get("model"))
        base = as_mapping(entry.get("baseline"))
        m_f1, b_f1 = as_number(model.get("macro_f1")), as_number(base.get("macro_f1"))
        if m_f1 is not None and b_f1 is not None:
            interval = comparison_sentence(as_mapping(entry.get("comparison")), main)
            if m_f1 < b_f1:
                verdict = (
                    f"On `{main}` the model's macro-F1 ({m_f1:.4f}) is **below** the baseline's "
                    f"({b_f1:.4f})"
                    + (
                        f".{interval}"
                        if interval
                        else ": for this data the baseline is the better classifier."
                    )
                )
            else:
                verdict = (
                    f"On `{main}` the model's macro-F1 ({m_f1:.4f}) is above the baseline's "
                    f"({b_f1:.4f}), by {m_f1 - b_f1:.4f}.{interval}"
                )
        pcs = as_mapping(model.get("per_class"))
        bpcs = as_mapping(base.get("per_class"))
        for label in info.meta.labels or list(pcs):
            pc = as_mapping(pcs.get(label))
            bpc = as_mapping(bpcs.get(label))
            if not pc:
                continue
            per_class.append(
                {
                    "label": cell(label),
                    "precision": fmt_number(pc.get("precision")),
                    "recall": fmt_number(pc.get("recall")),
                    "f1": fmt_number(pc.get("f1")),
                    "support": fmt_int(pc.get("support")),
                    "b_f1": fmt_number(bpc.get("f1")) if bpc else "—",
                }
            )
        matrix = model.get("confusion_matrix")
        labels = list(model.get("labels") or info.meta.labels)
        if (
            isinstance(matrix, list)
            and matrix
            and len(matrix) == len(labels)
            and all(isinstance(r, list) and len(r) == len(labels) for r in matrix)
        ):
            confusion = {
                "split": main,
                "labels": [cell(x) for x in labels],
                "rows": [
                    {"label": cell(labels[i]), "cells": [fmt_int(c) for c in row]}
                    for i, row in enumerate(matrix)
                ],
            }
            column_sums = [sum(int(r[j]) for r in matrix) for j in range(len(labels))]
            never_predicted = [labels[j] for j, s in enumerate(column_sums) if s == 0]
    windowing = as_mapping(info.eval_results.get("windowing"))
    method = None
    if windowing:
        max_windows = windowing.get("max_windows")
        lead = as_number(windowing.get("lead_weight")) or 0.0
        combined = ReadingSettings(lead_weight=float(lead)).describe_aggregation()
        method = (
            f"Texts were scored whole, read as windows of {fmt_int(windowing.get('max_length'))} "
            f"tokens (stride {fmt_int(windowing.get('stride'))}, "
            + ("all windows" if max_windows == 0 else f"at most {fmt_int(max_windows)} windows")
            + f"), combined as {combined}."
        )
    return {
        "rows": rows,
        "main_split": main,
        "verdict": verdict,
        "method": method,
        "per_class": per_class,
        "confusion": confusion,
        "never_predicted": never_predicted,
    }


def n_cell(entry: Mapping[str, Any]) -> str:
    n, total = as_number(entry.get("n")), as_number(entry.get("n_total"))
    if n is not None and total is not None and total > n:
        return f"{fmt_int(n)} of {fmt_int(total)}"
    return fmt_int(entry.get("n", as_mapping(entry.get("model")).get("n")))


def summarization_results(info: ModelCardInfo) -> dict[str, Any]:
    rows = []
    empty: list[str] = []
    for split, entry in info.splits.items():
        model = as_mapping(entry.get("model"))
        base = as_mapping(entry.get("baseline"))
        known = eval_dataset(info, split)
        kind = known.target if known and known.target else "—"
        per = as_number(entry.get("references_per_example"))
        row: dict[str, Any] = {
            "split": split,
            "domain": entry.get("domain", "in-domain"),
            "n": n_cell(entry),
            "references": f"{kind} ×{per:g}" if per and per > 1 else kind,
            "words": f"{fmt_number(model.get('mean_words'), 1)} / {fmt_number(base.get('mean_words'), 1)}"
            if base
            else fmt_number(model.get("mean_words"), 1),
        }
        for key, _ in ROUGE_METRICS:
            row[key] = fmt_number(model.get(key))
            row["b_" + key] = fmt_number(base.get(key)) if base else "—"
        rows.append(row)
        if as_number(model.get("mean_words")) == 0:
            empty.append(split)
    main = main_split(info)
    verdict = None
    if main is not None:
        entry = info.splits[main]
        m, b = as_mapping(entry.get("model")), as_mapping(entry.get("baseline"))
        m_l, b_l = as_number(m.get("rougeL")), as_number(b.get("rougeL"))
        if m_l is not None and b_l is not None:
            relation = "**below**" if m_l < b_l else "above"
            verdict = f"On `{main}` the model's ROUGE-L ({m_l:.4f}) is {relation} the baseline's ({b_l:.4f})."
            comparison = as_mapping(as_mapping(entry.get("comparison")).get("rougeL"))
            verdict += comparison_sentence(comparison, main)
    examples: list[dict[str, str]] = []
    for split, entry in sorted(info.splits.items(), key=lambda kv: kv[0] != main):
        taken = 0
        for ex in entry.get("examples") or []:
            if not isinstance(ex, Mapping) or taken >= 2:
                continue
            taken += 1
            examples.append(
                {
                    "split": split,
                    "id": cell(ex.get("id")),
                    "text": quote(ex.get("text")),
                    "reference": quote(ex.get("reference"), 300) or "(empty)",
                    "prediction": quote(ex.get("prediction"), 300) or "(empty)",
                    "baseline": quote(ex.get("baseline"), 300) if ex.get("baseline") else "",
                }
            )
    rouge = as_mapping(info.eval_results.get("rouge"))
    generation = as_mapping(info.eval_results.get("generation"))
    method = []
    if rouge.get("implementation"):
        method.append(f"ROUGE implementation: {cell(rouge['implementation'])}")
    if rouge.get("scores"):
        method.append(f"scores: {cell(rouge['scores'])}")
    if rouge.get("multi_ref"):
        method.append(f"several references: the `{cell(rouge['multi_ref'])}` one counts")
    if as_number(generation.get("max_samples")):
        method.append(f"at most {fmt_int(generation['max_samples'])} articles scored per set")
    if generation.get("truncation_rule"):
        method.append(f"input: {cell(generation['truncation_rule'])}")
    return {
        "rows": rows,
        "main_split": main,
        "verdict": verdict,
        "examples": examples,
        "empty": empty,
        "method": method,
        "headline_splits": [r["split"] for r in rows if r["references"].startswith("headline")],
    }
