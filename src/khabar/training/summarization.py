"""Fine-tune an Arabic summariser or headline generator from a :class:`~khabar.config.RunConfig`.

One flow, shared with the classifiers wherever it can be: data (:func:`~khabar.data.load_data`,
canonical ``text`` / ``summary`` / ``summaries``) → the model's text preprocessing, applied to
articles *and* summaries → model factory (:func:`~khabar.modeling.build_seq2seq`: a pretrained
encoder-decoder, or a small T5 or BART with a unigram tokenizer trained on the training split) →
``Seq2SeqTrainer`` (dynamic padding, label padding ignored in the loss, ``predict_with_generate``,
best checkpoint by ROUGE, and at each evaluation a check that the model still reads its input:
:mod:`khabar.training.diagnostics`) → evaluation with khabar's Arabic-aware ROUGE beside a lead-k
baseline on the same articles → an atomically written, HF-native model directory whose
``generation_config.json`` holds the config's decoding settings.

Evaluation reads raw articles as inference does: the saved preprocessing is applied to the
input, the model generates, and the output is scored against the original references (the ROUGE
tokenizer normalises alef, ya, ta marbuta and diacritics on both sides).
"""

from __future__ import annotations

import copy
import random
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from datasets import Dataset, DatasetDict
from transformers import (
    DataCollatorForSeq2Seq,
    EvalPrediction,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    Seq2SeqTrainer,
    Seq2SeqTrainingArguments,
    TrainerCallback,
    set_seed,
)

from khabar._logging import get_logger
from khabar.config import RunConfig, is_t5_family
from khabar.data import DataSummary, load_data, load_file
from khabar.errors import ConfigError, DataError
from khabar.generation import (
    TRUNCATION_RULES,
    build_generation_config,
    encode_texts,
    generate_summaries,
    generation_settings,
)
from khabar.metrics import lead_baseline, plot_learning_curve, rouge_scores
from khabar.metrics.rouge import DEFAULT_ROUGE_TYPES, RougeTokenizer
from khabar.model_dir import CHECKPOINTS_DIR, LEARNING_CURVE_FILE, LOG_HISTORY_FILE, ModelMeta
from khabar.modeling import build_seq2seq, check_checkpoint, is_t5_model, scratch_seq2seq
from khabar.text import TextPreprocessor
from khabar.training.classification import (
    _dataset_names,
    preprocess_dataset,
)
from khabar.training.common import (
    RunTimer,
    TrainOutcome,
    build_callbacks,
    build_training_arguments,
    prepare_output_dir,
    require_dev_for_evaluation,
    save_model_directory,
    tokenizer_cache,
    train_and_measure,
)
from khabar.training.diagnostics import SourceUseCallback

logger = get_logger(__name__)

ROUGE_METRICS = DEFAULT_ROUGE_TYPES
"""Metrics that can select the best checkpoint (``evaluation.metric``), besides ``loss``."""

SEQ2SEQ_TRAINING_DEFAULTS: dict[str, Any] = {
    "predict_with_generate": True,
    "per_device_eval_batch_size": 32,
}
"""khabar's ``Seq2SeqTrainingArguments`` defaults on top of the classifiers' (config wins)."""

MULTI_REF: Literal["best", "mean"] = "best"
"""With several references (EASC: five), each example keeps its best-matching reference."""

N_EXAMPLES = 5
EXAMPLE_CHARS = 300


# ------------------------------------------------------------------------------ checks


def selection_metric(config: RunConfig) -> tuple[str, bool]:
    """The metric that selects the best checkpoint, and whether greater is better.

    ``evaluation.metric`` may be a ROUGE type (``rouge1``, ``rouge2``, ``rougeL``,
    ``rougeLsum``) or ``loss``; the classifiers' default ``macro_f1`` (a config that does not
    set it) means ``rougeL``.
    """
    metric = config.evaluation.metric
    if metric in ROUGE_METRICS:
        return metric, True
    if metric == "loss":
        return "loss", False
    if metric == "macro_f1":  # the EvaluationConfig default, i.e. not set for this task
        return "rougeL", True
    raise ConfigError(
        f"'{metric}' is not a summarisation metric; use one of {', '.join(ROUGE_METRICS)} or loss",
        file=config.source_file,
        key="evaluation.metric",
    )


FP16_T5_MESSAGE = (
    "T5-family models (T5, mT5, AraT5 and khabar's from-scratch T5) overflow in float16 and train "
    "to NaN losses; use bf16: true on hardware that supports it, or fp32 (remove fp16)"
)


def check_precision(config: RunConfig, model: PreTrainedModel | None = None) -> None:
    """Refuse fp16 for T5-family models: by checkpoint name, scratch model or loaded model type.

    :func:`khabar.config.validate` already refuses it for T5-looking checkpoint names; this
    also covers the from-scratch T5 and local directories with other names.
    """
    if not config.training.get("fp16"):
        return
    t5 = (
        (config.model.scratch is not None and config.model.scratch.architecture != "bart")
        or is_t5_family(config.model.checkpoint)
        or (model is not None and is_t5_model(model))
    )
    if t5:
        raise ConfigError(FP16_T5_MESSAGE, file=config.source_file, key="training.fp16")


def _check_encoder_limit(config: RunConfig, model: PreTrainedModel) -> None:
    """Refuse inputs longer than a model with absolute positions (BART) can read."""
    limit = getattr(model.config, "max_position_embeddings", None)
    if isinstance(limit, int) and config.model.max_length > limit:
        raise ConfigError(
            f"model.max_length ({config.model.max_length}) exceeds the encoder's limit of {limit} "
            f"positions of '{config.model.checkpoint}'; set model.max_length <= {limit}",
            file=config.source_file,
            key="model.max_length",
        )


# ------------------------------------------------------------------------------ tokenizing


def tokenize_for_seq2seq(
    dataset: Dataset, tokenizer: PreTrainedTokenizerBase, config: RunConfig
) -> Dataset:
    """Tokenise (preprocessed) articles and summaries for the ``Seq2SeqTrainer``.

    Inputs are cut to ``model.max_length`` by ``model.truncation`` and targets to
    ``model.max_target_length`` (see :func:`khabar.generation.encode_texts`); nothing is
    padded (the collator pads per batch). The uncut lengths are kept in ``input_tokens`` and
    ``target_tokens`` for :func:`truncation_stats`.
    """
    model = config.model

    def encode(batch: dict[str, list[Any]]) -> dict[str, Any]:
        inputs, input_full = encode_texts(
            tokenizer, batch["text"], model.max_length, truncation=model.truncation
        )
        labels, target_full = encode_texts(
            tokenizer, batch["summary"], model.max_target_length, target=True
        )
        return {
            "input_ids": inputs,
            "attention_mask": [[1] * len(ids) for ids in inputs],
            "labels": labels,
            "length": [len(ids) for ids in inputs],
            "input_tokens": input_full,
            "target_tokens": target_full,
        }

    return dataset.map(
        encode, batched=True, batch_size=512, remove_columns=dataset.column_names, desc="tokenizing"
    )


def truncation_stats(
    input_tokens: Sequence[int],
    target_tokens: Sequence[int],
    *,
    max_length: int,
    max_target_length: int,
) -> dict[str, float]:
    """How many inputs (targets) were longer than the limit, and by how many tokens on average.

    ``count``/``fraction``/``mean_tokens_cut`` are about articles (inputs) over
    ``max_length``; the ``target_`` keys about summaries over ``max_target_length``.
    """

    def stats(lengths: Sequence[int], limit: int) -> tuple[int, float, float, float]:
        over = [n - limit for n in lengths if n > limit]
        n = max(1, len(lengths))
        mean_cut = round(float(np.mean(over)), 1) if over else 0.0
        share_cut = round(sum(over) / max(1, sum(lengths)), 4)
        return len(over), round(len(over) / n, 4), mean_cut, share_cut

    count, fraction, mean_cut, share = stats(input_tokens, max_length)
    t_count, t_fraction, t_mean_cut, _ = stats(target_tokens, max_target_length)
    return {
        "max_length": max_length,
        "count": count,
        "fraction": fraction,
        "mean_tokens_cut": mean_cut,
        "fraction_of_tokens_cut": share,
        "max_target_length": max_target_length,
        "target_count": t_count,
        "target_fraction": t_fraction,
        "target_mean_tokens_cut": t_mean_cut,
    }


def _tokenize_splits(
    dataset: DatasetDict,
    tokenizer: PreTrainedTokenizerBase,
    config: RunConfig,
    summary: DataSummary,
) -> dict[str, Dataset]:
    """Tokenise every split, fill the data summary's token lengths and truncation counts."""
    from khabar.data import _percentiles

    out: dict[str, Dataset] = {}
    for split, ds in dataset.items():
        encoded = tokenize_for_seq2seq(ds, tokenizer, config)
        inputs = list(encoded["input_tokens"])
        targets = list(encoded["target_tokens"])
        s = summary.splits[split]
        s.tokens = _percentiles(inputs)
        s.truncated = truncation_stats(
            inputs,
            targets,
            max_length=config.model.max_length,
            max_target_length=config.model.max_target_length,
        )
        out[split] = encoded.remove_columns(["input_tokens", "target_tokens"])
    return out


# ------------------------------------------------------------------------------ metrics


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


def rouge_metrics_fn(
    tokenizer: PreTrainedTokenizerBase,
) -> Callable[[EvalPrediction], dict[str, float]]:
    """``compute_metrics`` for the ``Seq2SeqTrainer``: ROUGE of generated vs reference ids."""
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    tok = rouge_tokenizer()

    def compute(pred: EvalPrediction) -> dict[str, float]:
        predictions = (
            pred.predictions[0] if isinstance(pred.predictions, tuple) else pred.predictions
        )
        predictions = np.where(np.asarray(predictions) < 0, pad_id, predictions)
        labels = np.where(np.asarray(pred.label_ids) < 0, pad_id, pred.label_ids)
        decoded = [t.strip() for t in tokenizer.batch_decode(predictions, skip_special_tokens=True)]
        refs = [t.strip() for t in tokenizer.batch_decode(labels, skip_special_tokens=True)]
        scores = rouge_scores(decoded, refs, rouge_types=ROUGE_METRICS, tokenizer=tok)
        out = {name: round(float(scores[name]), 4) for name in ROUGE_METRICS}
        out["gen_words"] = round(float(np.mean([len(t.split()) for t in decoded])), 2)
        return out

    return compute


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


def _scores(
    predictions: Sequence[str], references: Sequence[Sequence[str]], tok: RougeTokenizer
) -> dict[str, float]:
    scores = rouge_scores(
        predictions, references, rouge_types=ROUGE_METRICS, tokenizer=tok, multi_ref=MULTI_REF
    )
    out = {k: round(float(v), 4) for k, v in scores.items()}
    out["mean_words"] = round(float(np.mean([len(p.split()) for p in predictions] or [0])), 2)
    return out


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
            "model": _scores(predictions, references, tok),
        }
        lead: list[str] = []
        if settings.baseline:
            lead = lead_baseline(raw_texts, settings.lead_k, settings.lead_unit)
            entry["baseline"] = _scores(lead, references, tok)
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
    return "\n".join(lines)


def _extra_sets(config: RunConfig, files: Mapping[str, str]) -> dict[str, Dataset]:
    return {name: load_file(config, path, name=name) for name, path in files.items()}


def evaluate_summarizer_dir(
    model_dir: str | Path,
    *,
    splits: Sequence[str] | None = None,
    files: Sequence[str] | None = None,
    config_path: str | Path | None = None,
    output: str | Path | None = None,
    batch_size: int | None = None,
    baseline: bool = True,
    max_samples: int | None = None,
) -> dict[str, Any]:
    """Score a saved summariser on splits of its data or on other files (``[name=]path``).

    Default: the ``test`` split (or only the files, when given). At most
    ``evaluation.max_samples`` articles per set (``max_samples`` overrides). The report is
    merged into the model's ``eval_results.json`` unless ``output`` names another file.
    """
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from khabar.card import write_model_card
    from khabar.evaluation import _model_config, _parse_file_arg, merge_eval_results
    from khabar.io import write_json_atomic
    from khabar.model_dir import check_model_dir

    root = check_model_dir(model_dir)
    meta = ModelMeta.load(root)
    config = _model_config(root, config_path)
    preprocessor = TextPreprocessor.from_pretrained(root)
    wanted = list(splits or ([] if files else ["test"]))
    eval_sets: dict[str, Dataset] = {}
    if wanted:
        available = [s for s in wanted if s in config.data.files or config.data.dataset]
        missing = sorted(set(wanted) - set(available))
        if missing:
            raise DataError(
                f"split(s) {missing} are not in the model's data config (data.files); evaluate "
                "other data with --file NAME=PATH",
                file=config.source_file,
            )
        data, _ = load_data(config, splits=available)
        eval_sets = {s: data[s] for s in available}
    extra = _extra_sets(config, dict(map(_parse_file_arg, files or [])))
    model = AutoModelForSeq2SeqLM.from_pretrained(root, use_safetensors=True)
    tokenizer = AutoTokenizer.from_pretrained(root)
    settings = SummaryEvalSettings.from_config(
        config,
        max_length=meta.max_length,
        truncation=meta.truncation,
        batch_size=batch_size,
        baseline=baseline,
        max_samples=max_samples,
    )
    report = evaluate_summarizer(
        model, tokenizer, eval_sets, preprocessor=preprocessor, settings=settings, extra=extra
    )
    if output:
        write_json_atomic(output, report)
        return report
    merged = merge_eval_results(root, report)
    write_model_card(root)
    return merged


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
    sets.update(_extra_sets(config, config.evaluation.extra))
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


# ------------------------------------------------------------------------------ training


def train_summarizer(
    config: RunConfig,
    *,
    output_dir: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    callbacks: Sequence[TrainerCallback] = (),
) -> TrainOutcome:
    """Train, evaluate and save a summariser or headline generator. See the module docstring."""
    if config.task != "summarization":
        raise ConfigError(
            f"train_summarizer handles summarization, not {config.task}",
            file=config.source_file,
            key="task",
        )
    out = Path(output_dir or config.output.dir)
    timer = RunTimer()
    check_precision(config)
    metric, greater_is_better = selection_metric(config)
    if config.model.checkpoint:
        check_checkpoint(config.model.checkpoint)
    prepare_output_dir(out, resume=resume, overwrite=overwrite or config.output.overwrite)
    set_seed(config.seed)

    raw, summary = load_data(config)
    if "train" not in raw:
        raise DataError(
            "the config names no train split (data.files.train)", file=config.source_file
        )
    logger.info("%s", summary.format())
    timer.mark("data")

    preprocessor = TextPreprocessor.from_dict(config.text) if config.text else TextPreprocessor()
    dataset = preprocess_dataset(raw, preprocessor, config.task)
    timer.mark("preprocessing")

    args = build_training_arguments(
        config,
        out,
        args_class=Seq2SeqTrainingArguments,
        defaults={**SEQ2SEQ_TRAINING_DEFAULTS, "metric_for_best_model": f"eval_{metric}"},
        greater_is_better=greater_is_better,
    )
    assert isinstance(args, Seq2SeqTrainingArguments)
    if not args.predict_with_generate and metric != "loss" and args.eval_strategy != "no":
        raise ConfigError(
            f"training.predict_with_generate is false, so there is no {metric} to select the best "
            "checkpoint by: set evaluation.metric: loss, or remove predict_with_generate",
            file=config.source_file,
            key="training.predict_with_generate",
        )
    cache = tokenizer_cache(out)
    tokenizer: PreTrainedTokenizerBase
    model: PreTrainedModel
    with args.main_process_first(desc="model and tokenizer"):
        if config.model.scratch is not None and cache.is_dir():
            from transformers import AutoTokenizer

            logger.info("reusing the tokenizer trained earlier in this run (%s)", cache)
            tokenizer = AutoTokenizer.from_pretrained(cache)
            model = scratch_seq2seq(config.model.scratch, tokenizer)
        else:
            # the tokenizer learns from what the model reads and writes: the heads of the
            # articles (a token is at most a word, so max_length words hold every input token
            # under the head rule) and the summaries
            words = config.model.max_length
            texts = [
                f"{' '.join(t.split()[:words]) if config.model.truncation == 'head' else t}\n{s}"
                for t, s in zip(dataset["train"]["text"], dataset["train"]["summary"])
            ]
            model, tokenizer = build_seq2seq(config.model, texts, seed=config.seed)
            if config.model.scratch is not None and args.should_save:
                tokenizer.save_pretrained(cache)
    check_precision(config, model)
    _check_encoder_limit(config, model)
    model.generation_config = build_generation_config(config.generation, model, tokenizer)
    # the trainer fills in generation defaults while evaluating; the saved config stays as set
    final_generation = copy.deepcopy(model.generation_config)
    timer.mark("model")

    with args.main_process_first(desc="tokenizing"):
        tokenized = _tokenize_splits(dataset, tokenizer, config, summary)
    logger.info("%s", summary.format())
    train_ds, eval_ds = tokenized["train"], tokenized.get("dev")
    require_dev_for_evaluation(args, eval_ds is not None)
    timer.mark("tokenizing")

    collator = seq2seq_collator(tokenizer, model)
    all_callbacks, time_cb = build_callbacks(config, callbacks)
    probe = _source_use_probe(eval_ds, collator, model)
    if probe is not None:
        all_callbacks.append(probe)
    trainer = Seq2SeqTrainer(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        processing_class=tokenizer,
        data_collator=collator,
        compute_metrics=rouge_metrics_fn(tokenizer) if args.predict_with_generate else None,
        callbacks=all_callbacks,
    )
    metrics = train_and_measure(trainer, out, resume=resume, timer=timer, time_cb=time_cb)
    if not trainer.is_world_process_zero():
        return TrainOutcome(out, metrics, {})

    model = trainer.model  # type: ignore[assignment]
    model.generation_config = final_generation
    meta = ModelMeta(
        task=config.task,
        base_model=config.model.checkpoint,
        max_length=config.model.max_length,
        truncation=config.model.truncation,
        max_target_length=config.model.max_target_length,
        datasets=_dataset_names(config),
    )
    settings = SummaryEvalSettings.from_config(config)
    eval_sets = {s: raw[s] for s in config.evaluation.splits if s in raw}
    report = evaluate_summarizer(
        model,
        tokenizer,
        eval_sets,
        preprocessor=preprocessor,
        settings=settings,
        extra=_extra_sets(config, config.evaluation.extra),
    )
    timer.mark("evaluation")
    metrics["phases_s"] = dict(timer.marks)
    log_history = list(trainer.state.log_history)
    best_metric = f"eval_{metric}"

    def write_extras(stage: Path) -> None:
        from khabar.io import write_json_atomic

        model.generation_config.save_pretrained(stage)
        plot_learning_curve(log_history, stage / LEARNING_CURVE_FILE, metric=best_metric)
        write_json_atomic(stage / LOG_HISTORY_FILE, log_history)

    save_model_directory(
        out,
        model=model,
        tokenizer=tokenizer,
        preprocessor=preprocessor,
        meta=meta,
        config=config,
        summary=summary,
        train_metrics=metrics,
        eval_report=report,
        extra_writers=[write_extras],
    )
    if not config.output.save_checkpoints:
        shutil.rmtree(out / CHECKPOINTS_DIR, ignore_errors=True)
    return TrainOutcome(out, metrics, report)


SOURCE_USE_EXAMPLES = 32
"""Dev examples on which :class:`~khabar.training.diagnostics.SourceUseCallback` measures
whether the model reads its input."""


def _source_use_probe(
    eval_ds: Dataset | None, collator: DataCollatorForSeq2Seq, model: PreTrainedModel
) -> SourceUseCallback | None:
    """The source-use diagnostics on the first dev examples (when there are two or more)."""
    if eval_ds is None or len(eval_ds) < 2 or not hasattr(model, "get_encoder"):
        return None
    columns = [c for c in ("input_ids", "attention_mask", "labels") if c in eval_ds.column_names]
    n = min(SOURCE_USE_EXAMPLES, len(eval_ds))
    features = eval_ds.select(range(n)).select_columns(columns)
    return SourceUseCallback(list(features), collator)


def seq2seq_collator(
    tokenizer: PreTrainedTokenizerBase, model: PreTrainedModel | None = None
) -> DataCollatorForSeq2Seq:
    """Pads inputs per batch and labels with -100 (ignored by the loss); with the model, it also
    builds ``decoder_input_ids`` from the labels."""
    return DataCollatorForSeq2Seq(tokenizer, model=model, label_pad_token_id=-100)


__all__ = [
    "FP16_T5_MESSAGE",
    "ROUGE_METRICS",
    "SummaryEvalSettings",
    "check_precision",
    "evaluate_summarizer",
    "evaluate_summarizer_dir",
    "format_summary_report",
    "lead_name",
    "rouge_metrics_fn",
    "rouge_settings",
    "run_lead_baseline",
    "sample_split",
    "selection_metric",
    "seq2seq_collator",
    "tokenize_for_seq2seq",
    "train_summarizer",
    "truncation_stats",
]
