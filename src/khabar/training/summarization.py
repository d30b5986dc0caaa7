"""Summarisers and headline generators: the seq2seq hooks of the training runner.

The runner (:mod:`khabar.training.runner`) runs the shared flow; these hooks add what a
sequence-to-sequence model needs: the model factory (:func:`~khabar.modeling.build_seq2seq`: a
pretrained encoder-decoder, one warm-started from an encoder checkpoint, or a small T5 or BART
with a unigram tokenizer trained on the training split), tokenising articles and summaries with
one truncation rule (:mod:`khabar.reading.seq2seq`), a ``Seq2SeqTrainer`` (dynamic padding, label
padding ignored in the loss, ``predict_with_generate``, best checkpoint by ROUGE, and at each
evaluation a check that the model still reads its input: :mod:`khabar.training.diagnostics`),
evaluation with khabar's Arabic-aware ROUGE beside a lead-k baseline
(:mod:`khabar.evaluation.summarization`), and ``generation_config.json`` holding the config's
decoding settings.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from datasets import Dataset, DatasetDict
from transformers import (
    DataCollatorForSeq2Seq,
    EvalPrediction,
    GenerationConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    Seq2SeqTrainer,
    Seq2SeqTrainingArguments,
    Trainer,
    TrainingArguments,
)

from khabar._logging import get_logger
from khabar.config import RunConfig, is_t5_family
from khabar.data import DataSummary, percentiles
from khabar.errors import ConfigError
from khabar.evaluation.summarization import (
    ROUGE_METRICS,
    SummaryEvalSettings,
    evaluate_summarizer,
    extra_sets,
    rouge_tokenizer,
)
from khabar.metrics import rouge_scores
from khabar.modeling.factory import build_seq2seq
from khabar.modeling.scratch import is_t5_model, scratch_seq2seq
from khabar.reading.seq2seq import build_generation_config, encode_texts
from khabar.training.diagnostics import SourceUseCallback
from khabar.training.hooks import TaskHooks, TrainerParts, Writer

logger = get_logger(__name__)

SEQ2SEQ_TRAINING_DEFAULTS: dict[str, Any] = {
    "predict_with_generate": True,
    "per_device_eval_batch_size": 32,
}
"""khabar's ``Seq2SeqTrainingArguments`` defaults on top of the classifiers' (config wins)."""

SOURCE_USE_EXAMPLES = 32
"""Dev examples on which :class:`~khabar.training.diagnostics.SourceUseCallback` measures
whether the model reads its input."""


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
    """Refuse inputs longer than a model with absolute positions (BART, BERT2BERT) can read."""
    encoder_config = getattr(model.config, "encoder", None) or model.config
    limit = getattr(encoder_config, "max_position_embeddings", None)
    if isinstance(limit, int) and config.model.max_length > limit:
        raise ConfigError(
            f"model.max_length ({config.model.max_length}) exceeds the encoder's limit of {limit} "
            f"positions of '{config.model.checkpoint}'; set model.max_length <= {limit}",
            file=config.source_file,
            key="model.max_length",
        )


def tokenize_for_seq2seq(
    dataset: Dataset, tokenizer: PreTrainedTokenizerBase, config: RunConfig
) -> Dataset:
    """Tokenise (preprocessed) articles and summaries for the ``Seq2SeqTrainer``.

    Inputs are cut to ``model.max_length`` by ``model.truncation`` and targets to
    ``model.max_target_length`` (see :func:`khabar.reading.seq2seq.encode_texts`); nothing is
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
    out: dict[str, Dataset] = {}
    for split, ds in dataset.items():
        encoded = tokenize_for_seq2seq(ds, tokenizer, config)
        inputs = list(encoded["input_tokens"])
        targets = list(encoded["target_tokens"])
        s = summary.splits[split]
        s.tokens = percentiles(inputs)
        s.truncated = truncation_stats(
            inputs,
            targets,
            max_length=config.model.max_length,
            max_target_length=config.model.max_target_length,
        )
        out[split] = encoded.remove_columns(["input_tokens", "target_tokens"])
    return out


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


class Seq2SeqHooks(TaskHooks):
    """Sequence-to-sequence (summarisation, headlines): ROUGE evaluation, lead-k baseline."""

    args_class = Seq2SeqTrainingArguments

    def __init__(self, config: RunConfig) -> None:
        super().__init__(config)
        self.metric, self.greater_is_better = selection_metric(config)
        self.final_generation: GenerationConfig | None = None

    def check(self) -> None:
        check_precision(self.config)

    def argument_defaults(self) -> tuple[dict[str, Any], bool]:
        defaults = {**SEQ2SEQ_TRAINING_DEFAULTS, "metric_for_best_model": f"eval_{self.metric}"}
        return defaults, self.greater_is_better

    def check_arguments(self, args: TrainingArguments) -> None:
        assert isinstance(args, Seq2SeqTrainingArguments)
        if not args.predict_with_generate and self.metric != "loss" and args.eval_strategy != "no":
            raise ConfigError(
                f"training.predict_with_generate is false, so there is no {self.metric} to select "
                "the best checkpoint by: set evaluation.metric: loss, or remove "
                "predict_with_generate",
                file=self.config.source_file,
                key="training.predict_with_generate",
            )

    def tokenizer_texts(self) -> list[str]:
        # the tokenizer learns from what the model reads and writes: the heads of the articles (a
        # token is at most a word, so max_length words hold every input token under the head
        # rule) and the summaries
        model = self.config.model
        words = model.max_length
        return [
            f"{' '.join(t.split()[:words]) if model.truncation == 'head' else t}\n{s}"
            for t, s in zip(
                self.data.dataset["train"]["text"], self.data.dataset["train"]["summary"]
            )
        ]

    def build_model(self, texts: Sequence[str]) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
        return build_seq2seq(self.config.model, list(texts), seed=self.config.seed)

    def scratch_model(self, tokenizer: PreTrainedTokenizerBase) -> PreTrainedModel:
        assert self.config.model.scratch is not None
        return scratch_seq2seq(self.config.model.scratch, tokenizer)

    def prepare_model(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> None:
        check_precision(self.config, model)
        _check_encoder_limit(self.config, model)
        model.generation_config = build_generation_config(self.config.generation, model, tokenizer)
        # the trainer fills in generation defaults while evaluating; the saved config stays as set
        self.final_generation = copy.deepcopy(model.generation_config)

    def tokenize(self, tokenizer: PreTrainedTokenizerBase) -> dict[str, Dataset]:
        summary = self.data.summary
        tokenized = _tokenize_splits(self.data.dataset, tokenizer, self.config, summary)
        logger.info("%s", summary.format())
        return tokenized

    def build_trainer(self, parts: TrainerParts) -> Trainer:
        model, tokenizer, args = parts.model, parts.tokenizer, parts.args
        assert isinstance(args, Seq2SeqTrainingArguments)
        collator = seq2seq_collator(tokenizer, model)
        eval_ds = parts.tokenized.get("dev")
        probe = _source_use_probe(eval_ds, collator, model)
        return Seq2SeqTrainer(
            model=model,
            args=args,
            train_dataset=parts.tokenized["train"],
            eval_dataset=eval_ds,
            processing_class=tokenizer,
            data_collator=collator,
            compute_metrics=rouge_metrics_fn(tokenizer) if args.predict_with_generate else None,
            callbacks=[*parts.callbacks, probe] if probe is not None else parts.callbacks,
        )

    def finish_model(self, model: PreTrainedModel) -> None:
        if self.final_generation is not None:
            model.generation_config = self.final_generation

    def evaluate(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        autocast: torch.dtype | None = None,
    ) -> dict[str, Any]:
        # summaries are generated in the weights' dtype (float32), whatever training ran under
        config, raw = self.config, self.data.raw
        return evaluate_summarizer(
            model,
            tokenizer,
            {s: raw[s] for s in config.evaluation.splits if s in raw},
            preprocessor=self.data.preprocessor,
            settings=SummaryEvalSettings.from_config(config),
            extra=extra_sets(config, config.evaluation.extra),
        )

    def extra_writers(self, model: PreTrainedModel, report: dict[str, Any]) -> list[Writer]:
        return [model.generation_config.save_pretrained]


__all__ = [
    "FP16_T5_MESSAGE",
    "Seq2SeqHooks",
    "check_precision",
    "rouge_metrics_fn",
    "selection_metric",
    "seq2seq_collator",
    "tokenize_for_seq2seq",
    "truncation_stats",
]
