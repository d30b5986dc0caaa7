"""Evaluate summarisers: generate, score with khabar's Arabic-aware ROUGE, lead-k beside it.

Evaluation reads raw articles as inference does: the saved preprocessing is applied to the
input, the model generates, and the output is scored against the original references (the ROUGE
tokenizer normalises alef, ya, ta marbuta and diacritics on both sides).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from datasets import Dataset, DatasetDict
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from khabar._logging import get_logger
from khabar.config import RunConfig
from khabar.data import load_data, load_file
from khabar.errors import DataError
from khabar.metrics import lead_baseline, paired_bootstrap_mean, rouge_scores
from khabar.metrics.rouge import DEFAULT_ROUGE_TYPES, RougeTokenizer
from khabar.model_dir import TRUNCATION_RULES, ReadingSettings
from khabar.reading.seq2seq import generate_summaries, generation_settings, with_decoding
from khabar.text import TextPreprocessor

logger = get_logger(__name__)

ROUGE_METRICS = DEFAULT_ROUGE_TYPES
"""Metrics that can select the best checkpoint (``evaluation.metric``), besides ``loss``."""

SEQ2SEQ_TRAINING_DEFAULTS: dict[str, Any] = {
    "predict_with_generate": True,
    "per_device_eval_batch_size": 32,
}
"""khabar's ``Seq2SeqTrainingArguments`` defaults on top of the classifiers' (config wins)."""

COMPARED_ROUGE = ("rouge1", "rouge2", "rougeL")
"""The ROUGE F1 types whose model-baseline difference gets a paired-bootstrap interval."""

MULTI_REF: Literal["best", "mean"] = "best"
"""With several references (EASC: five), each example keeps its best-matching reference."""

N_EXAMPLES = 5
EXAMPLE_CHARS = 300


def rouge_tokenizer() -> RougeTokenizer:
    """The ROUGE tokenizer of every khabar summarisation score (Arabic normalisation on)."""
    return RougeTokenizer()


def rouge_settings(tokenizer: RougeTokenizer | None = None) -> dict[str, Any]:
    """How the scores were computed, for the report (and the model card)."""
    tok = tokenizer or rouge_tokenizer()
    fields = {k: v for k, v in asdict(tok).items() if not k.startswith("_")}
    return {
        "implementation": "khabar.metrics.rouge_scores (Arabic-aware ROUGE)",
        "rouge_types": list(ROUGE_METRICS),
        "tokenizer": fields,
        "multi_ref": MULTI_REF,
        "scores": "mean over examples of per-example F1 (precision, recall), in [0, 1]",
    }


# ------------------------------------------------------------------------------ evaluation


@dataclass
class SummaryEvalSettings:
    """How a summariser is evaluated: input reading, sample size, batch size, baseline."""

    max_length: int
    truncation: str = "head"
    max_samples: int | None = None
    """Score at most this many articles per split (a seeded random sample; generation is slow
    on CPU)."""
    seed: int = 42
    batch_size: int = 32
    lead_k: int = 1
    lead_unit: Literal["sentences", "words"] = "sentences"
    baseline: bool = True

    @classmethod
    def from_config(
        cls,
        config: RunConfig,
        *,
        max_length: int | None = None,
        truncation: str | None = None,
        batch_size: int | None = None,
        baseline: bool | None = None,
        max_samples: int | None = None,
    ) -> SummaryEvalSettings:
        ev = config.evaluation
        return cls(
            max_length=max_length or config.model.max_length,
            truncation=truncation or config.model.truncation,
            max_samples=max_samples if max_samples is not None else ev.max_samples,
            seed=config.seed,
            batch_size=batch_size or ev.batch_size,
            lead_k=ev.lead_k,
            lead_unit=ev.lead_unit,
            baseline=ev.baseline if baseline is None else baseline,
        )

    @property
    def baseline_name(self) -> str:
        return lead_name(self.lead_k, self.lead_unit)


def lead_name(k: int, unit: str) -> str:
    """``lead-1 sentences``, ``lead-20 words``."""
    return f"lead-{k} {unit}"


def sample_split(ds: Dataset, max_samples: int | None, seed: int) -> Dataset:
    """At most ``max_samples`` rows: a seeded random sample kept in the split's order."""
    if max_samples is None or len(ds) <= max_samples:
        return ds
    keep = sorted(random.Random(seed).sample(range(len(ds)), max_samples))
    return ds.select(keep)


def _references(ds: Dataset) -> list[list[str]]:
    return [list(refs) if refs else [ref] for refs, ref in zip(ds["summaries"], ds["summary"])]


def _per_example(
    predictions: Sequence[str], references: Sequence[Sequence[str]], tok: RougeTokenizer
) -> dict[str, list[float]]:
    return rouge_scores(  # type: ignore[no-any-return]
        predictions,
        references,
        rouge_types=ROUGE_METRICS,
        tokenizer=tok,
        multi_ref=MULTI_REF,
        return_per_example=True,
    )


def _scores(
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    tok: RougeTokenizer,
    per_example: Mapping[str, Sequence[float]] | None = None,
) -> dict[str, float]:
    """Corpus ROUGE (the mean of ``per_example`` when given) and the mean length in words."""
    per_example = per_example or _per_example(predictions, references, tok)
    out = {k: round(float(np.mean(v)) if len(v) else 0.0, 4) for k, v in per_example.items()}
    out["mean_words"] = round(float(np.mean([len(p.split()) for p in predictions] or [0])), 2)
    return out


def compare_rouge(
    model: Mapping[str, Sequence[float]], baseline: Mapping[str, Sequence[float]]
) -> dict[str, dict[str, Any]]:
    """Per ROUGE F1 type, the paired bootstrap of the model-baseline difference of the means."""
    return {
        rt: paired_bootstrap_mean(model[rt], baseline[rt], metric=rt)
        for rt in COMPARED_ROUGE
        if rt in model and rt in baseline
    }


def _clip(text: str, limit: int = EXAMPLE_CHARS) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def evaluate_summarizer(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    eval_sets: Mapping[str, Dataset],
    *,
    preprocessor: TextPreprocessor,
    settings: SummaryEvalSettings,
    extra: Mapping[str, Dataset] | None = None,
) -> dict[str, Any]:
    """Generate for every (raw) split and score the model and the lead baseline on it.

    ``eval_sets`` and ``extra`` hold raw datasets (``id``, ``text``, ``summary``,
    ``summaries``); ``extra`` sets are reported as out-of-domain. Inputs get the model's
    preprocessing; predictions and the baseline are scored against the original references.
    """
    sets: dict[str, tuple[Dataset, str]] = {n: (ds, "in-domain") for n, ds in eval_sets.items()}
    sets.update({n: (ds, "out-of-domain") for n, ds in (extra or {}).items()})
    tok = rouge_tokenizer()
    report: dict[str, Any] = {
        "task": "summarization",
        "rouge": rouge_settings(tok),
        "generation": {
            **generation_settings(model.generation_config),
            "max_input_tokens": settings.max_length,
            "truncation": settings.truncation,
            "truncation_rule": TRUNCATION_RULES.get(settings.truncation, settings.truncation),
            "max_samples": settings.max_samples,
        },
        "baseline": (
            {"name": settings.baseline_name, "k": settings.lead_k, "unit": settings.lead_unit}
            if settings.baseline
            else None
        ),
        "splits": {},
    }
    for name, (full, domain) in sets.items():
        ds = sample_split(full, settings.max_samples, settings.seed)
        raw_texts = list(ds["text"])
        references = _references(ds)
        logger.info("generating %d summaries for %s", len(ds), name)
        predictions = generate_summaries(
            model,
            tokenizer,
            [preprocessor(t) for t in raw_texts],
            max_length=settings.max_length,
            truncation=settings.truncation,
            batch_size=settings.batch_size,
        )
        entry: dict[str, Any] = {
            "n": len(ds),
            "n_total": len(full),
            "domain": domain,
            "references_per_example": round(float(np.mean([len(r) for r in references])), 2),
        }
        model_scores = _per_example(predictions, references, tok)
        entry["model"] = _scores(predictions, references, tok, model_scores)
        lead: list[str] = []
        if settings.baseline:
            lead = lead_baseline(raw_texts, settings.lead_k, settings.lead_unit)
            lead_scores = _per_example(lead, references, tok)
            entry["baseline"] = _scores(lead, references, tok, lead_scores)
            if len(ds):
                entry["comparison"] = compare_rouge(model_scores, lead_scores)
        entry["examples"] = [
            {
                "id": ds[i]["id"],
                "text": _clip(raw_texts[i]),
                "reference": _clip(references[i][0]),
                "prediction": predictions[i],
                "baseline": lead[i] if lead else None,
            }
            for i in range(min(N_EXAMPLES, len(ds)))
        ]
        report["splits"][name] = entry
    logger.info("%s", format_summary_report(report))
    return report


def format_summary_report(report: Mapping[str, Any]) -> str:
    """A plain-text table: per split, ROUGE-1/2/L F1 (×100) of the model and the baseline."""
    baseline = (report.get("baseline") or {}).get("name")
    lines = [f"evaluation (summarization) — model vs {baseline or 'no baseline'}"]
    head = f"{'R1':>6} {'R2':>6} {'RL':>6}"
    lines.append(f"  {'split':<16} {'n':>6}  {head}   base {head}")
    for name, entry in report.get("splits", {}).items():
        m, b = entry["model"], entry.get("baseline")

        def cells(s: Mapping[str, float]) -> str:
            return f"{100 * s['rouge1']:>6.2f} {100 * s['rouge2']:>6.2f} {100 * s['rougeL']:>6.2f}"

        base = cells(b) if b else f"{'-':>6} {'-':>6} {'-':>6}"
        tag = "" if entry.get("domain") == "in-domain" else " (ood)"
        lines.append(f"  {name + tag:<16} {entry['n']:>6}  {cells(m)}        {base}")
        comparison = entry.get("comparison") or {}
        if comparison:
            parts = [
                f"{rt} {100 * c['difference']:+.2f} [{100 * c['ci_low']:+.2f}, "
                f"{100 * c['ci_high']:+.2f}]"
                for rt, c in comparison.items()
            ]
            share = 100 * next(iter(comparison.values()))["confidence"]
            lines.append(
                f"  {'':<16} {'':>6}  model - baseline, {share:.0f}% paired-bootstrap intervals: "
                + ", ".join(parts)
            )
    return "\n".join(lines)


def extra_sets(config: RunConfig, files: Mapping[str, str]) -> dict[str, Dataset]:
    """Raw (unpreprocessed) evaluation files, name → dataset, read with the run's columns."""
    return {name: load_file(config, path, name=name) for name, path in files.items()}


def evaluate_saved_summarizer(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    config: RunConfig,
    reading: ReadingSettings,
    preprocessor: TextPreprocessor,
    *,
    splits: Sequence[str],
    files: Mapping[str, str],
    batch_size: int | None = None,
    baseline: bool = True,
    max_samples: int | None = None,
    generation: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The summarisation part of :func:`khabar.evaluation.evaluate_model_dir`: generate for
    the splits and files, score beside the lead baseline. ``generation`` overrides the saved
    decoding settings for this evaluation (the model directory is not changed)."""
    if generation:
        model.generation_config = with_decoding(model, tokenizer, generation)
    eval_sets: dict[str, Dataset] = {}
    if splits:
        data, _ = load_data(config, splits=list(splits))
        eval_sets = {s: data[s] for s in splits}
    settings = SummaryEvalSettings.from_config(
        config,
        max_length=reading.max_length,
        truncation=reading.truncation,
        batch_size=batch_size,
        baseline=baseline,
        max_samples=max_samples,
    )
    return evaluate_summarizer(
        model,
        tokenizer,
        eval_sets,
        preprocessor=preprocessor,
        settings=settings,
        extra=extra_sets(config, files),
    )


LEAD_PANEL: tuple[tuple[int, Literal["sentences", "words"]], ...] = (
    (1, "sentences"),
    (2, "sentences"),
    (3, "sentences"),
    (8, "words"),
    (12, "words"),
    (16, "words"),
    (20, "words"),
    (25, "words"),
    (30, "words"),
)
"""Common lead baselines printed beside the configured one, to choose ``evaluation.lead_k``."""


def run_lead_baseline(config: RunConfig) -> str:
    """Score the config's lead baseline (and the common alternatives) on its evaluation sets.

    Same articles as the model's evaluation (``evaluation.splits`` and ``evaluation.extra``, at
    most ``evaluation.max_samples`` each, same seed); returns the printed table. Choose the lead
    size on ``dev``, not on ``test``.
    """
    settings = SummaryEvalSettings.from_config(config)
    available = [
        s for s in config.evaluation.splits if s in config.data.files or config.data.dataset
    ]
    data, _ = load_data(config, splits=available) if available else (DatasetDict(), None)
    sets = {s: data[s] for s in available}
    sets.update(extra_sets(config, config.evaluation.extra))
    if not sets:
        raise DataError(
            "no evaluation sets: set evaluation.splits (with data.files) or evaluation.extra",
            file=config.source_file,
        )
    configured = (settings.lead_k, settings.lead_unit)
    panel = [configured, *(p for p in LEAD_PANEL if p != configured)]
    tok = rouge_tokenizer()
    lines = [
        f"baseline: {settings.baseline_name} (evaluation.lead_k / evaluation.lead_unit), "
        "with common alternatives; ROUGE F1 x 100, Arabic-aware tokenizer",
        f"  {'split':<10} {'n':>6}  {'baseline':<18} {'R1':>6} {'R2':>6} {'RL':>6}",
    ]
    for name, full in sets.items():
        ds = sample_split(full, settings.max_samples, settings.seed)
        texts, refs = list(ds["text"]), _references(ds)
        for k, unit in panel:
            s = _scores(lead_baseline(texts, k, unit), refs, tok)
            mark = "*" if (k, unit) == configured else " "
            lines.append(
                f"{mark} {name:<10} {len(ds):>6}  {lead_name(k, unit):<18} {100 * s['rouge1']:>6.2f} "
                f"{100 * s['rouge2']:>6.2f} {100 * s['rougeL']:>6.2f}"
            )
    return "\n".join(lines)
