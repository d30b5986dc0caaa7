"""Model and tokenizer factory: a pretrained checkpoint, a warm-started encoder-decoder, or a
small model from scratch.

``model.checkpoint`` names a Hub id (``aubmindlab/bert-base-arabertv02``), a local directory, or a
directory under the models directory the user names (``--models-dir`` / ``$KHABAR_MODELS_DIR``:
``multilingual-e5-small-ar``). Every checkpoint loads with float32 master weights whatever dtype
it is stored in, safetensors only and no remote code (:mod:`khabar.modeling.loading`), and one log
line names the parameters that are new (pooler, head, cross-attention).
``model.encoder_decoder`` warm-starts a seq2seq model from an encoder checkpoint
(:mod:`khabar.modeling.encoder_decoder`). ``model.scratch`` builds a small model of the configured
size with a tokenizer trained on the training split (:mod:`khabar.modeling.scratch`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from transformers import PreTrainedModel, PreTrainedTokenizerBase

from khabar._logging import get_logger
from khabar.config import MODELS_DIR_ENV, ModelConfig, ScratchConfig
from khabar.errors import ConfigError
from khabar.model_dir import custom_code_request
from khabar.modeling.known_models import describe_base_model
from khabar.modeling.loading import apply_config_overrides, load_model, load_tokenizer
from khabar.modeling.pooling import apply_pooling
from khabar.modeling.scratch import is_t5_model, scratch_classifier, scratch_seq2seq
from khabar.modeling.tokenizers import train_unigram_tokenizer, train_wordpiece_tokenizer

logger = get_logger(__name__)


def _looks_like_hub_id(name: str) -> bool:
    """``org/name``: one slash, no leading ``.``, ``/`` or ``~``."""
    return name.count("/") == 1 and not name.startswith((".", "/", "~"))


def models_dir() -> Path | None:
    """The models directory the user named (``--models-dir`` sets ``$KHABAR_MODELS_DIR``)."""
    raw = os.environ.get(MODELS_DIR_ENV)
    return Path(os.path.expandvars(os.path.expanduser(raw))) if raw else None


def resolve_checkpoint(checkpoint: str) -> str:
    """Where ``model.checkpoint`` is: a local directory (absolute, relative to the working
    directory, or under the models directory), or a Hub id.

    Raises:
        ConfigError: naming ``model.checkpoint``, the paths tried and the fix.
    """
    path = Path(os.path.expandvars(os.path.expanduser(checkpoint)))
    base = models_dir()
    candidates = [path] if path.is_absolute() else [p for p in (base and base / path, path) if p]
    for candidate in candidates:
        if candidate.exists():
            if not (candidate / "config.json").is_file():
                raise ConfigError(
                    f"'{candidate}' has no config.json: not a transformers model directory",
                    key="model.checkpoint",
                )
            return str(candidate)
    if _looks_like_hub_id(checkpoint) and not path.is_absolute():
        return checkpoint
    if base is None:
        fix = (
            f"name the directory that holds it with --models-dir DIR (or ${MODELS_DIR_ENV}), "
            "give an absolute path, or a Hub id such as aubmindlab/bert-base-arabertv02"
        )
    elif not base.is_dir():
        fix = f"the models directory '{base}' (--models-dir / ${MODELS_DIR_ENV}) does not exist"
    else:
        fix = f"'{base / path}' does not exist; check the name or the models directory"
    tried = ", ".join(f"'{c}'" for c in candidates)
    raise ConfigError(
        f"checkpoint '{checkpoint}' does not exist as a local model directory (tried {tried}) "
        f"and is not a Hub id (org/name): {fix}",
        key="model.checkpoint",
    )


def check_checkpoint(checkpoint: str) -> None:
    """Fail early, with a clear message, for a checkpoint that cannot be found, or a local one
    whose ``config.json`` asks to run its own code (every load also passes
    ``trust_remote_code=False``)."""
    where = Path(resolve_checkpoint(checkpoint))
    request = custom_code_request(where) if where.is_dir() else None
    if request:
        raise ConfigError(
            f"'{where}/config.json' asks to run the checkpoint's own Python code ({request}); "
            "khabar never runs code from a model directory",
            key="model.checkpoint",
        )


def load_pretrained_tokenizer(model: ModelConfig) -> PreTrainedTokenizerBase:
    """Load the tokenizer of ``model.checkpoint`` with a clear error when it cannot be had."""
    assert model.checkpoint is not None
    where = resolve_checkpoint(model.checkpoint)
    try:
        return load_tokenizer(where, revision=model.revision)  # type: ignore[no-any-return]
    except Exception as err:
        raise ConfigError(
            f"cannot load the tokenizer of '{model.checkpoint}': {err}. Without the Hub, use a local "
            "directory (--models-dir) or model.scratch",
            key="model.checkpoint",
        ) from None


def load_checkpoint_model(auto_class: Any, model: ModelConfig, **kwargs: Any) -> PreTrainedModel:
    """``auto_class`` from ``model.checkpoint`` with float32 master weights, safetensors only, no
    remote code; logs one line naming the newly initialised parameters."""
    import torch
    from transformers import AutoConfig

    assert model.checkpoint is not None
    where = resolve_checkpoint(model.checkpoint)
    if model.config_overrides:
        try:
            config = AutoConfig.from_pretrained(
                where, revision=model.revision, trust_remote_code=False
            )
        except (OSError, ValueError) as err:
            raise ConfigError(
                f"cannot read the config of '{model.checkpoint}': {err}", key="model.checkpoint"
            ) from None
        apply_config_overrides(config, model.config_overrides)
        kwargs = {**model.config_overrides, **kwargs}
    try:
        net = load_model(
            auto_class,
            where,
            dtype=torch.float32,
            revision=model.revision,
            report_new=True,
            **kwargs,
        )
    except Exception as err:
        raise ConfigError(
            f"cannot load '{model.checkpoint}' as {auto_class.__name__}: {err}",
            key="model.checkpoint",
        ) from None
    return net  # type: ignore[no-any-return]


def freeze(net: PreTrainedModel, model: ModelConfig) -> None:
    """Fix the embeddings and the lowest ``model.freeze_layers`` encoder layers (no gradient).

    For an encoder-decoder these are the encoder's: a warm-started decoder that shares the
    encoder's weights (``model.encoder_decoder.share_weights``) then keeps the shared ones fixed
    too, and only its cross-attention and output head train (the log line says so).

    Raises:
        ConfigError: the model has no embeddings module, or fewer layers than asked for.
    """
    if not model.freeze_embeddings and not model.freeze_layers:
        return
    base = getattr(net, net.base_model_prefix, net)
    encoder = base.get_encoder() if hasattr(base, "get_encoder") else base
    if model.freeze_embeddings:
        # the whole embeddings module (word, position and token-type tables and their layer
        # norm): a trainable piece under the frozen layers would pull the backward pass through
        # all of them. BERT-family models keep it on the base model (``bert.embeddings``), not on
        # what ``get_encoder()`` returns; T5-style encoders have only the token table.
        embeddings = (
            getattr(encoder, "embeddings", None)
            or getattr(base, "embeddings", None)
            or net.get_input_embeddings()
        )
        for p in embeddings.parameters():
            p.requires_grad_(False)
    if model.freeze_layers:
        layers = getattr(getattr(encoder, "encoder", encoder), "layer", None)
        if layers is None or len(layers) < model.freeze_layers:
            raise ConfigError(
                f"cannot freeze {model.freeze_layers} layers of {type(net).__name__} "
                f"({len(layers) if layers is not None else 'no'} encoder layers found)",
                key="model.freeze_layers",
            )
        for layer in layers[: model.freeze_layers]:
            for p in layer.parameters():
                p.requires_grad_(False)
    total = sum(p.numel() for p in net.parameters())
    trained = sum(p.numel() for p in net.parameters() if p.requires_grad)
    logger.info(
        "frozen: %s%s (%.1fM of %.1fM parameters are not trained)%s",
        "embeddings" if model.freeze_embeddings else "",
        f"{', ' if model.freeze_embeddings else ''}the lowest {model.freeze_layers} layers"
        if model.freeze_layers
        else "",
        (total - trained) / 1e6,
        total / 1e6,
        "; the decoder shares them with the encoder, so they are fixed there too"
        if _decoder_shares_frozen(net)
        else "",
    )


def _decoder_shares_frozen(net: PreTrainedModel) -> bool:
    """Whether the decoder uses any of the encoder's frozen parameters (a BERT2BERT-share
    model, or T5's shared embeddings)."""
    decoder = getattr(net, "decoder", None)
    encoder = getattr(net, "encoder", None)
    if decoder is None or encoder is None:
        return False
    frozen = {id(p) for p in encoder.parameters() if not p.requires_grad}
    return any(id(p) in frozen for p in decoder.parameters())


def base_model_info(model: ModelConfig) -> dict[str, Any]:
    """Provenance of the base model for the model directory and its card (empty for scratch)."""
    if model.checkpoint is None:
        return {}
    return describe_base_model(model.checkpoint)


def _scratch_settings(model: ModelConfig) -> ScratchConfig:
    """The scratch model's settings, refusing inputs longer than its positions."""
    scratch = model.scratch or ScratchConfig()
    if model.max_length > scratch.max_positions:
        raise ConfigError(
            f"model.max_length ({model.max_length}) exceeds model.scratch.max_positions "
            f"({scratch.max_positions})",
            key="model.max_length",
        )
    return scratch


def build_classifier(
    model: ModelConfig,
    labels: Sequence[str],
    train_texts: Iterable[str] = (),
    *,
    seed: int = 42,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """A sequence classifier and its tokenizer, with real label names in ``id2label``.

    ``train_texts`` (already preprocessed) train the tokenizer of a scratch model; they are not
    read for a pretrained checkpoint.
    """
    id2label = dict(enumerate(labels))
    label2id = {name: i for i, name in id2label.items()}
    if model.checkpoint is not None:
        from transformers import AutoModelForSequenceClassification

        tokenizer = load_pretrained_tokenizer(model)
        net = load_checkpoint_model(
            AutoModelForSequenceClassification,
            model,
            num_labels=len(labels),
            id2label=id2label,
            label2id=label2id,
            ignore_mismatched_sizes=True,
        )
        apply_pooling(net, model.pooling)
        freeze(net, model)
        return net, tokenizer

    scratch = _scratch_settings(model)
    logger.info(
        "training a WordPiece tokenizer (vocab %d) on the training split", scratch.vocab_size
    )
    tokenizer = train_wordpiece_tokenizer(
        train_texts,
        vocab_size=scratch.vocab_size,
        min_frequency=scratch.min_frequency,
        model_max_length=scratch.max_positions,
        limit=scratch.tokenizer_samples,
        seed=seed,
        token_type_ids=scratch.architecture in (None, "bert"),
    )
    return scratch_classifier(scratch, labels, tokenizer), tokenizer


# ------------------------------------------------------------------------------ seq2seq


def build_seq2seq(
    model: ModelConfig,
    train_texts: Iterable[str] = (),
    *,
    seed: int = 42,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """A sequence-to-sequence model (``AutoModelForSeq2SeqLM``) and its tokenizer.

    ``model.checkpoint`` loads any pretrained encoder-decoder (AraT5, mT5, AraBART, ...).
    ``model.scratch`` trains a SentencePiece-style unigram tokenizer on ``train_texts``
    (already preprocessed articles and summaries) and builds a small T5 or BART with
    :func:`scratch_seq2seq`. ``train_texts`` are not read for a pretrained checkpoint.
    """
    if model.checkpoint is not None and model.encoder_decoder is not None:
        from khabar.modeling.encoder_decoder import warm_start_encoder_decoder

        warm, tokenizer = warm_start_encoder_decoder(
            resolve_checkpoint(model.checkpoint),
            model.encoder_decoder,
            max_target_length=model.max_target_length,
            revision=model.revision,
            config_overrides=model.config_overrides,
        )
        freeze(warm, model)
        return warm, tokenizer
    if model.checkpoint is not None:
        from transformers import AutoModelForSeq2SeqLM

        tokenizer = load_pretrained_tokenizer(model)
        try:
            net = load_checkpoint_model(AutoModelForSeq2SeqLM, model)
        except ConfigError as err:
            raise ConfigError(
                f"{err.message}. Summarisation needs an encoder-decoder checkpoint (AraT5, mT5, "
                "AraBART, ...), or model.encoder_decoder to warm-start one from an encoder",
                key="model.checkpoint",
            ) from None
        freeze(net, model)
        return net, tokenizer

    scratch = _scratch_settings(model)
    logger.info(
        "training a unigram (SentencePiece-style) tokenizer (vocab %d) on the training split",
        scratch.vocab_size,
    )
    tokenizer = train_unigram_tokenizer(
        train_texts,
        vocab_size=scratch.vocab_size,
        model_max_length=scratch.max_positions,
        limit=scratch.tokenizer_samples,
        seed=seed,
    )
    return scratch_seq2seq(scratch, tokenizer), tokenizer


__all__ = [
    "base_model_info",
    "build_classifier",
    "build_seq2seq",
    "check_checkpoint",
    "freeze",
    "is_t5_model",
    "load_checkpoint_model",
    "load_pretrained_tokenizer",
    "models_dir",
    "resolve_checkpoint",
    "scratch_classifier",
    "scratch_seq2seq",
    "train_unigram_tokenizer",
    "train_wordpiece_tokenizer",
]
