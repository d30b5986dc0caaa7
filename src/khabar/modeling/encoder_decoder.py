"""An encoder-decoder warm-started from an encoder checkpoint (BERT2BERT).

Rothe, Narayan and Severyn ("Leveraging Pre-trained Checkpoints for Sequence Generation
Tasks", TACL 2020) start both halves of a Transformer encoder-decoder from one BERT-style
checkpoint: the decoder is the same network run causally, with a cross-attention block added to
every layer (the only weights that start from scratch, with the output head's bias and
transform). BERT2BERT and its weight-sharing variant BERT2BERT-share are strong headline
generators, and the recipe is how an Arabic encoder (AraBERT, CAMeLBERT, MARBERT, multilingual
E5) becomes a summariser when no Arabic seq2seq checkpoint is at hand.

:func:`warm_start_encoder_decoder` builds a plain :class:`transformers.EncoderDecoderModel`
(``model_type: encoder-decoder``): the directory it saves loads with
``EncoderDecoderModel.from_pretrained``, ``AutoModelForSeq2SeqLM.from_pretrained`` and
:class:`khabar.Summarizer`, and its ``generation_config.json`` carries the decoding settings.
"""

from __future__ import annotations

import re
import types
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForCausalLM,
    EncoderDecoderModel,
    GenerationConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from khabar._logging import get_logger
from khabar.config import EncoderDecoderConfig
from khabar.errors import ConfigError, ModelDirError
from khabar.modeling.loading import apply_config_overrides, load_model, load_tokenizer

logger = get_logger(__name__)

# transformers warns at every training forward of an EncoderDecoderModel that models fine-tuned before
# v4.12 computed their loss differently; no khabar model ever did
warnings.filterwarnings(
    "ignore", message=r"Version v4\.12\.0 introduces a better way", category=FutureWarning
)

__all__ = [
    "copy_self_attention_to_cross_attention",
    "decoder_special_tokens",
    "share_encoder_weights",
    "warm_start_encoder_decoder",
]


def decoder_special_tokens(tokenizer: PreTrainedTokenizerBase) -> dict[str, int]:
    """The decoder's start, end and padding token ids for an encoder's tokenizer.

    A BERT-style tokenizer wraps every text as ``[CLS] … [SEP]`` (``<s> … </s>`` for
    RoBERTa/XLM-R), so the decoder starts from the CLS token and ends with SEP, as in
    Rothe et al. Falls back to BOS/EOS when the tokenizer has no CLS/SEP.

    Raises:
        ConfigError: the tokenizer lacks a start, end or padding token.
    """
    start = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    end = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    pad = tokenizer.pad_token_id
    missing = [n for n, v in (("CLS/BOS", start), ("SEP/EOS", end), ("padding", pad)) if v is None]
    if missing:
        raise ConfigError(
            f"the checkpoint's tokenizer has no {' or '.join(missing)} token, which the decoder of "
            "a warm-started encoder-decoder needs",
            key="model.checkpoint",
        )
    assert start is not None and end is not None and pad is not None
    return {"decoder_start_token_id": start, "eos_token_id": end, "pad_token_id": pad}


def warm_start_encoder_decoder(
    checkpoint: str | Path,
    settings: EncoderDecoderConfig,
    *,
    max_target_length: int | None = None,
    revision: str | None = None,
    config_overrides: Mapping[str, Any] | None = None,
) -> tuple[EncoderDecoderModel, PreTrainedTokenizerBase]:
    """An :class:`~transformers.EncoderDecoderModel` whose encoder and decoder both start from
    the encoder ``checkpoint``, and the checkpoint's tokenizer.

    - encoder: the checkpoint as it is (``AutoModel``; a pooler the checkpoint lacks is created
      but unused, so that the saved model reloads without missing weights);
    - decoder: the checkpoint's first ``settings.decoder_layers`` layers (default: all) as a
      causal LM (``AutoModelForCausalLM``, ``is_decoder``) with new cross-attention in each
      layer; its output projection is tied to its input embeddings (``tie_embeddings``) or
      starts as a copy of them;
    - ``share_weights``: the decoder's embeddings and layers *are* the encoder's (module
      parameters shared, BERT2BERT-share); saving writes a copy for each side, since
      ``transformers`` 5 cannot re-tie them on load;
    - weights in float32 whatever the stored dtype (bf16/fp16 checkpoints train with float32
      master weights; mixed precision is the trainer's business);
    - ``config``: ``decoder_start_token_id`` (CLS, or BOS), ``eos_token_id`` (SEP, or EOS),
      ``pad_token_id``, ``vocab_size``; ``generation_config`` the same ids (beams and lengths
      are added from the run config's ``generation`` section).

    Logs one line naming the newly initialised parameters instead of ``transformers``' load
    report.

    Args:
        checkpoint: a local directory or Hub id of an encoder (BERT, RoBERTa, XLM-R,
            ELECTRA, ... any architecture ``transformers`` can run as a decoder with
            cross-attention).
        settings: the ``model.encoder_decoder`` section.
        max_target_length: summary tokens the decoder must hold (checked against its
            positions).
        revision: a Hub revision.
        config_overrides: ``model.config_overrides``, set on both halves' configs (e.g. no
            attention dropout).

    Raises:
        ConfigError: the checkpoint cannot be loaded, cannot be a decoder, has fewer layers or
            positions than asked, or its tokenizer lacks special tokens.
    """
    where = str(checkpoint)
    try:
        tokenizer = load_tokenizer(where, revision=revision)
    except ModelDirError as err:
        raise ConfigError(
            f"cannot load the tokenizer of '{where}': {err}", key="model.checkpoint"
        ) from None
    special = decoder_special_tokens(tokenizer)

    try:
        encoder_config = AutoConfig.from_pretrained(
            where, revision=revision, trust_remote_code=False
        )
    except (OSError, ValueError) as err:
        raise ConfigError(
            f"cannot read the config of '{where}': {err}", key="model.checkpoint"
        ) from None
    apply_config_overrides(encoder_config, config_overrides or {})
    encoder_config.is_decoder = False
    encoder_config.add_cross_attention = False
    total_layers = int(getattr(encoder_config, "num_hidden_layers", 0) or 0)
    layers = settings.decoder_layers or total_layers
    if total_layers and layers > total_layers:
        raise ConfigError(
            f"the checkpoint has {total_layers} layers; the decoder cannot take {layers}",
            key="model.encoder_decoder.decoder_layers",
        )
    positions = getattr(encoder_config, "max_position_embeddings", None)
    if max_target_length is not None and positions and max_target_length + 1 > positions:
        raise ConfigError(
            f"the decoder has {positions} positions: model.max_target_length "
            f"({max_target_length}) must be below that",
            key="model.max_target_length",
        )
    decoder_config = AutoConfig.from_pretrained(where, revision=revision, trust_remote_code=False)
    apply_config_overrides(decoder_config, config_overrides or {})
    decoder_config.is_decoder = True
    decoder_config.add_cross_attention = True
    decoder_config.num_hidden_layers = layers
    decoder_config.tie_word_embeddings = settings.tie_embeddings

    with _quiet_load_report():
        encoder, encoder_info = _load(AutoModel, where, encoder_config, revision)
        try:
            decoder, decoder_info = _load(AutoModelForCausalLM, where, decoder_config, revision)
        except ConfigError as err:
            raise ConfigError(
                f"{err.message}. The decoder of a warm-started encoder-decoder needs an "
                f"architecture that transformers runs as a causal LM with cross-attention "
                f"('{encoder_config.model_type}' may not be one): BERT, RoBERTa, XLM-R, "
                "ELECTRA, ...",
                key="model.checkpoint",
            ) from None
    if not settings.tie_embeddings:
        _copy_output_embeddings(decoder)
    if settings.cross_attention_init == "self_attention":
        copy_self_attention_to_cross_attention(decoder)
    try:
        model = EncoderDecoderModel(encoder=encoder, decoder=decoder)
    except ValueError as err:  # e.g. a decoder that takes no encoder states
        raise ConfigError(
            f"'{where}' cannot be warm-started as an encoder-decoder: {err}", key="model.checkpoint"
        ) from None
    shared = share_encoder_weights(model) if settings.share_weights else 0

    model.config.decoder_start_token_id = special["decoder_start_token_id"]
    model.config.pad_token_id = special["pad_token_id"]
    model.config.eos_token_id = special["eos_token_id"]
    model.config.vocab_size = decoder.config.vocab_size
    model.generation_config = GenerationConfig(
        bos_token_id=special["decoder_start_token_id"], **special
    )
    _log_warm_start(
        where, model, encoder_info, decoder_info, layers, total_layers, settings, shared
    )
    return model, tokenizer


def share_encoder_weights(model: EncoderDecoderModel) -> int:
    """Make the decoder use the encoder's parameters wherever both have the same one
    (embeddings, and each decoder layer's self-attention and feed-forward those of the encoder
    layer with its index); cross-attention and the output head stay the decoder's own.

    ``model.save_pretrained`` then writes a copy for each side, so that plain ``transformers``
    (which cannot re-tie them) loads the directory. Returns how many tensors are shared.
    """
    decoder_base = model.decoder.base_model
    encoder_params = dict(model.encoder.named_parameters())
    shared = 0
    for name, param in list(decoder_base.named_parameters()):
        source = encoder_params.get(name)
        if source is None or source.shape != param.shape or source is param:
            continue
        owner, _, attr = name.rpartition(".")
        setattr(decoder_base.get_submodule(owner) if owner else decoder_base, attr, source)
        shared += 1
    if model.decoder.config.tie_word_embeddings:
        output = model.decoder.get_output_embeddings()
        if output is not None:
            output.weight = model.decoder.get_input_embeddings().weight
    # an instance attribute: the saved directory stays a plain EncoderDecoderModel
    model.save_pretrained = types.MethodType(_save_with_copies, model)  # type: ignore[method-assign]
    return shared


def _save_with_copies(
    self: EncoderDecoderModel,
    save_directory: str | Path,
    *,
    state_dict: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """``save_pretrained`` with one tensor per name: parameters the decoder shares with the
    encoder are cloned (a declared tie, such as the output head, stays for transformers)."""
    state = dict(self.state_dict() if state_dict is None else state_dict)
    declared = set(getattr(self, "all_tied_weights_keys", None) or {})
    owners: dict[int, str] = {}
    for name, tensor in state.items():
        if name in declared or not isinstance(tensor, torch.Tensor):
            continue
        pointer = tensor.untyped_storage().data_ptr()
        if pointer in owners:
            state[name] = tensor.clone()
        else:
            owners[pointer] = name
    return EncoderDecoderModel.save_pretrained(self, save_directory, state_dict=state, **kwargs)


def copy_self_attention_to_cross_attention(decoder: PreTrainedModel) -> int:
    """Start every decoder layer's new cross-attention as a copy of that layer's pretrained
    self-attention (``layer.crossattention`` ← ``layer.attention``: query, key, value, output
    projection and LayerNorm). Returns the number of layers copied.

    Raises:
        ConfigError: the decoder's layers have no ``attention``/``crossattention`` pair of the
            same shape (an architecture other than the BERT family).
    """
    layers = getattr(getattr(decoder.base_model, "encoder", None), "layer", None) or []
    copied = 0
    for layer in layers:
        source = getattr(layer, "attention", None)
        target = getattr(layer, "crossattention", None)
        if source is None or target is None:
            break
        try:
            target.load_state_dict(source.state_dict())
        except RuntimeError:
            break
        copied += 1
    if not layers or copied != len(layers):
        raise ConfigError(
            f"cannot copy self-attention into cross-attention for {type(decoder).__name__}: its "
            "layers have no matching 'attention' and 'crossattention' blocks; use 'random'",
            key="model.encoder_decoder.cross_attention_init",
        )
    return copied


def _load(
    auto_class: Any, where: str, config: Any, revision: str | None
) -> tuple[PreTrainedModel, dict[str, Any]]:
    try:
        loaded = load_model(
            auto_class,
            where,
            dtype=torch.float32,
            config=config,
            revision=revision,
            output_loading_info=True,
        )
    except (ModelDirError, ValueError, OSError) as err:
        raise ConfigError(
            f"cannot load '{where}' as {auto_class.__name__}: {err}", key="model.checkpoint"
        ) from None
    model, info = loaded
    return model, info


def _copy_output_embeddings(decoder: PreTrainedModel) -> None:
    """Start an untied output projection from the pretrained word embeddings (not at random)."""
    output, embeddings = decoder.get_output_embeddings(), decoder.get_input_embeddings()
    if output is None or output.weight.shape != embeddings.weight.shape:
        return
    with torch.no_grad():
        output.weight.copy_(embeddings.weight)


@contextmanager
def _quiet_load_report() -> Iterator[None]:
    """No load-report table (the new cross-attention is expected; one line says what is new)."""
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)


def _group_names(names: list[str]) -> list[str]:
    """``bert.encoder.layer.0.crossattention.self.query.weight`` … → one
    ``bert.encoder.layer.N.crossattention``; names without a layer index keep two parts."""
    groups: dict[str, None] = {}
    for name in sorted(names):
        match = re.match(r"(.*?\.)\d+\.([^.]+)", name)
        if match:
            groups.setdefault(f"{match.group(1)}N.{match.group(2)}", None)
        else:
            groups.setdefault(".".join(name.split(".")[:2]), None)
    return list(groups)


def _log_warm_start(
    where: str,
    model: EncoderDecoderModel,
    encoder_info: dict[str, Any],
    decoder_info: dict[str, Any],
    layers: int,
    total_layers: int,
    settings: EncoderDecoderConfig,
    shared: int,
) -> None:
    new: list[str] = []
    count = 0
    for side, info, net in (
        ("encoder", encoder_info, model.encoder),
        ("decoder", decoder_info, model.decoder),
    ):
        missing = sorted(info.get("missing_keys") or [])
        state = net.state_dict()
        count += sum(state[k].numel() for k in missing if k in state)
        if missing:
            new.append(f"{side} {', '.join(_group_names(missing))}")
    copied = "" if settings.tie_embeddings else " (output projection copied from the embeddings)"
    if settings.cross_attention_init == "self_attention":
        copied += " (cross-attention copied from each layer's self-attention)"
    logger.info(
        "warm-started an encoder-decoder from %s (%s): encoder %d layers, decoder the first %d "
        "of %d, %s, decoder embeddings %s; %.1fM parameters; newly initialised (%.2fM): %s%s",
        where,
        model.encoder.config.model_type,
        total_layers,
        layers,
        total_layers,
        f"weights shared ({shared} tensors)" if settings.share_weights else "separate weights",
        "tied" if settings.tie_embeddings else "untied",
        model.num_parameters() / 1e6,
        count / 1e6,
        "; ".join(new) or "nothing",
        copied,
    )
