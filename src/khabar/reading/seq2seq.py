"""Sequence-to-sequence inputs and generation: one truncation rule, one decoding loop.

Training, evaluation and inference all read an article the same way (:func:`encode_texts`):
inputs longer than ``max_length`` tokens are cut by a stated rule,

- ``head`` (default): keep the first ``max_length`` tokens, end-of-sequence token included;
  news articles put the essentials in the lead, which is what a headline or summary draws on;
- ``head_tail``: keep the head and the tail of the article (half the budget each, joined by
  `` … ``), for texts whose conclusion matters.

:func:`generate_summaries` decodes batches of similar length (sorted, padded per batch) under
``torch.inference_mode`` with the model's :class:`transformers.GenerationConfig`, which
:func:`build_generation_config` makes from the run config's ``generation`` section.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, cast

import torch
from transformers import GenerationConfig as HFGenerationConfig
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from khabar._logging import get_logger
from khabar.config import GenerationSettings
from khabar.config_schema import from_mapping
from khabar.errors import ConfigError
from khabar.model_dir import DECODING_KEYS, TRUNCATION_RULES
from khabar.reading.truncation import cut_head, head_tail

logger = get_logger(__name__)


def encode_texts(
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    max_length: int,
    *,
    truncation: str = "head",
    target: bool = False,
) -> tuple[list[list[int]], list[int]]:
    """Token ids of ``texts`` cut to ``max_length`` by the ``truncation`` rule, and full lengths.

    The full (uncut) lengths let the caller report how many texts were cut and by how much.
    ``target=True`` encodes summaries (``text_target``; always cut at the head).
    """
    if truncation not in TRUNCATION_RULES:
        raise ConfigError(
            f"unknown truncation rule {truncation!r} (use {', '.join(TRUNCATION_RULES)})",
            key="model.truncation",
        )
    texts = list(texts)
    if target:
        full = tokenizer(text_target=texts, verbose=False)["input_ids"]
    else:
        full = tokenizer(texts, verbose=False)["input_ids"]
    lengths = [len(ids) for ids in full]
    if target or truncation == "head":
        return [cut_head(ids, max_length, tokenizer) for ids in full], lengths
    budget = max(1, max_length - tokenizer.num_special_tokens_to_add(pair=False))
    out: list[list[int]] = []
    for text, ids in zip(texts, full):
        if len(ids) <= max_length:
            out.append(list(ids))
            continue
        short = tokenizer(head_tail(text, tokenizer, budget), verbose=False)["input_ids"]
        out.append(cut_head(short, max_length, tokenizer))
    return out, lengths


def build_generation_config(
    settings: GenerationSettings, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase
) -> HFGenerationConfig:
    """The model's generation settings from the run config's ``generation`` section.

    Starts from the model's own generation config (decoder start, end and pad tokens of a
    pretrained checkpoint stay as they are) and sets beams, new-token limits, length penalty and
    no-repeat n-gram size. Beam-only settings are left unset for greedy decoding (``num_beams:
    1``), where ``transformers`` rejects them.
    """
    base = getattr(model, "generation_config", None)
    gen = copy.deepcopy(base) if base is not None else HFGenerationConfig()
    values: dict[str, Any] = {
        "num_beams": settings.num_beams,
        "max_new_tokens": settings.max_new_tokens,
        "no_repeat_ngram_size": settings.no_repeat_ngram_size or None,
        "min_new_tokens": settings.min_new_tokens,
    }
    fallbacks = {
        "decoder_start_token_id": getattr(model.config, "decoder_start_token_id", None),
        "pad_token_id": tokenizer.pad_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }
    for key, fallback in fallbacks.items():
        if getattr(gen, key, None) is None and fallback is not None:
            values[key] = fallback
    if settings.num_beams > 1:
        values["length_penalty"] = settings.length_penalty
        values["early_stopping"] = settings.early_stopping
    else:
        values["length_penalty"] = None
        values["early_stopping"] = None
    # a checkpoint's own total-length limits (e.g. max_length 200, min_length 56) would silently
    # override or contradict the config's new-token limits
    values["max_length"] = None
    values["min_length"] = None
    gen.update(**values)
    try:
        gen.validate(strict=True)
    except ValueError as err:
        raise ConfigError(f"invalid generation settings: {err}", key="generation") from None
    return gen


def with_decoding(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, overrides: Mapping[str, Any]
) -> HFGenerationConfig:
    """The model's saved decoding settings with ``overrides`` (``generation`` section keys:
    ``num_beams``, ``length_penalty``, ...) on top, checked like the config section.

    Raises:
        ConfigError: an unknown key or a value of the wrong type, named ``generation.KEY``.
    """
    saved = getattr(model, "generation_config", None)
    current = {
        f.name: getattr(saved, f.name)
        for f in dataclasses.fields(GenerationSettings)
        if getattr(saved, f.name, None) is not None
    }
    # a saved config without the n-gram block has it off (build_generation_config stores 0 as
    # unset), not at the section's default of 3
    current["no_repeat_ngram_size"] = getattr(saved, "no_repeat_ngram_size", None) or 0
    settings = from_mapping(
        GenerationSettings, {**current, **overrides}, file=None, prefix="generation"
    )
    return build_generation_config(settings, model, tokenizer)


def generation_settings(gen: HFGenerationConfig) -> dict[str, Any]:
    """The decoding settings that matter for a report (beams, lengths, penalties)."""
    return {k: getattr(gen, k, None) for k in (*DECODING_KEYS, "do_sample")}


def generate_from_ids(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    ids: Sequence[Sequence[int]],
    *,
    generation_config: HFGenerationConfig | None = None,
    batch_size: int = 16,
    device: Any = None,
    **overrides: Any,
) -> list[list[str]]:
    """Decode every input (token ids, already cut) into its sequences, in the input order.

    Inputs are sorted by length and decoded in batches padded to their longest member, under
    ``torch.inference_mode``. Each input gets ``num_return_sequences`` outputs (1 by default),
    best first; ``overrides`` are ``generate`` settings on top of ``generation_config``.
    """
    gen = copy.deepcopy(generation_config or model.generation_config)
    if overrides:
        gen.update(**overrides)
    per_input = int(getattr(gen, "num_return_sequences", None) or 1)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]), reverse=True)
    device = device if device is not None else model.device
    step = max(1, batch_size)
    was_training = model.training
    model.eval()
    outputs: list[list[str]] = [[] for _ in ids]
    try:
        with torch.inference_mode():
            for start in range(0, len(order), step):
                chunk = order[start : start + step]
                batch = tokenizer.pad(
                    {"input_ids": [list(ids[i]) for i in chunk]}, padding=True, return_tensors="pt"
                ).to(device)
                generated = cast(Any, model).generate(**batch, generation_config=gen)
                decoded = tokenizer.batch_decode(
                    generated, skip_special_tokens=True, clean_up_tokenization_spaces=False
                )
                for k, i in enumerate(chunk):
                    group = decoded[k * per_input : (k + 1) * per_input]
                    outputs[i] = [text.strip() for text in group]
    finally:
        model.train(was_training)
    return outputs


def generate_summaries(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    *,
    max_length: int,
    truncation: str = "head",
    generation_config: HFGenerationConfig | None = None,
    batch_size: int = 16,
) -> list[str]:
    """Generate one summary per (already preprocessed) text, in the input order.

    Texts are encoded by :func:`encode_texts` (one truncation rule for training, evaluation
    and inference) and decoded by :func:`generate_from_ids`.
    """
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings, not a single string")
    if not texts:
        return []
    ids, _ = encode_texts(tokenizer, texts, max_length, truncation=truncation)
    outputs = generate_from_ids(
        model, tokenizer, ids, generation_config=generation_config, batch_size=batch_size
    )
    return [group[0] if group else "" for group in outputs]


__all__ = [
    "TRUNCATION_RULES",
    "build_generation_config",
    "encode_texts",
    "generate_from_ids",
    "generate_summaries",
    "generation_settings",
]
