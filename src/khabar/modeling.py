"""Model and tokenizer factory: a pretrained checkpoint, or a small model from scratch.

``model.checkpoint`` names a hub id or a local directory (AraBERT, CAMeLBERT, MARBERT, ARBERT,
AraT5, mT5, AraBART, ...). ``model.scratch`` builds a small model of the configured size with a
tokenizer trained on the training split, after the same preprocessing the model will see: this is
the offline default, and it goes through the same trainer and produces the same outputs.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BertConfig,
    BertForSequenceClassification,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    PreTrainedTokenizerFast,
)

from khabar._logging import get_logger
from khabar.config import ModelConfig, ScratchConfig
from khabar.errors import ConfigError

logger = get_logger(__name__)

SPECIAL_TOKENS_BERT = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
SPECIAL_TOKENS_T5 = ("<pad>", "</s>", "<unk>")


def _sample(texts: Iterable[str], limit: int | None, seed: int) -> list[str]:
    items = list(texts)
    if limit is not None and len(items) > limit:
        items = random.Random(seed).sample(items, limit)
    return items


def train_wordpiece_tokenizer(
    texts: Iterable[str],
    *,
    vocab_size: int = 16000,
    min_frequency: int = 2,
    model_max_length: int = 512,
    limit: int | None = None,
    seed: int = 42,
    token_type_ids: bool = True,
) -> PreTrainedTokenizerFast:
    """Train a BERT-style WordPiece tokenizer on (already preprocessed) texts.

    No lower-casing and no accent stripping (which would delete Arabic marks that
    normalisation, not the tokenizer, should decide about). Pair inputs get
    ``[CLS] A [SEP] B [SEP]`` with token type ids, like the pretrained Arabic BERTs.
    """
    from tokenizers import (
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
        trainers,
    )

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Strip()])
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(SPECIAL_TOKENS_BERT),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_sample(texts, limit, seed), trainer=trainer)
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=model_max_length,
        # encoders without segment embeddings (ModernBERT) must not be fed token_type_ids
        model_input_names=(
            ["input_ids", "token_type_ids", "attention_mask"]
            if token_type_ids
            else ["input_ids", "attention_mask"]
        ),
    )


def train_unigram_tokenizer(
    texts: Iterable[str],
    *,
    vocab_size: int = 16000,
    model_max_length: int = 512,
    limit: int | None = None,
    seed: int = 42,
) -> PreTrainedTokenizerFast:
    """Train a SentencePiece-style unigram tokenizer (T5 conventions: ``<pad>`` = 0, ``</s>`` = 1)."""
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
        trainers,
    )

    tokenizer = Tokenizer(models.Unigram())
    # a plain-string pattern would be matched literally: runs of whitespace (line breaks between
    # paragraphs included) become one space only through a Regex
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS_T5),
        unk_token="<unk>",
        show_progress=False,
    )
    tokenizer.train_from_iterator(_sample(texts, limit, seed), trainer=trainer)
    eos_id = tokenizer.token_to_id("</s>")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", eos_id)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        model_max_length=model_max_length,
        model_input_names=["input_ids", "attention_mask"],
    )


def _looks_local(name: str) -> bool:
    """Hub ids are ``name`` or ``org/name``; anything else is a local path."""
    return name.startswith((".", "/", "~")) or name.count("/") > 1 or Path(name).exists()


def check_checkpoint(checkpoint: str) -> None:
    """Fail early, with a clear message, for a local checkpoint path that does not exist."""
    path = Path(os.path.expanduser(checkpoint))
    if _looks_local(checkpoint) and not path.exists():
        raise ConfigError(
            f"checkpoint directory '{checkpoint}' does not exist (give a local model directory or a hub id "
            "such as aubmindlab/bert-base-arabertv02)",
            key="model.checkpoint",
        )
    if path.exists() and not (path / "config.json").is_file():
        raise ConfigError(
            f"'{checkpoint}' has no config.json: not a transformers model directory",
            key="model.checkpoint",
        )


def load_pretrained_tokenizer(model: ModelConfig) -> PreTrainedTokenizerBase:
    """Load the tokenizer of ``model.checkpoint`` with a clear error when it cannot be had."""
    assert model.checkpoint is not None
    check_checkpoint(model.checkpoint)
    try:
        return AutoTokenizer.from_pretrained(model.checkpoint, revision=model.revision)
    except OSError as err:
        raise ConfigError(
            f"cannot load the tokenizer of '{model.checkpoint}': {err}. Without the Hub, use a local "
            "directory or model.scratch (the offline default)",
            key="model.checkpoint",
        ) from None


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
        tokenizer = load_pretrained_tokenizer(model)
        try:
            net = AutoModelForSequenceClassification.from_pretrained(
                model.checkpoint,
                revision=model.revision,
                num_labels=len(labels),
                id2label=id2label,
                label2id=label2id,
                ignore_mismatched_sizes=True,
            )
        except OSError as err:
            raise ConfigError(
                f"cannot load '{model.checkpoint}': {err}", key="model.checkpoint"
            ) from None
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


def scratch_classifier(
    scratch: ScratchConfig, labels: Sequence[str], tokenizer: PreTrainedTokenizerBase
) -> PreTrainedModel:
    """A freshly initialised classifier of the configured size and family for ``tokenizer``."""
    id2label = dict(enumerate(labels))
    label2id = {name: i for i, name in id2label.items()}
    net: PreTrainedModel
    if scratch.architecture == "modernbert":
        from transformers import ModernBertConfig, ModernBertForSequenceClassification

        modern = ModernBertConfig(
            vocab_size=len(tokenizer),
            hidden_size=scratch.hidden,
            num_hidden_layers=scratch.layers,
            num_attention_heads=scratch.heads,
            intermediate_size=scratch.intermediate,
            max_position_embeddings=scratch.max_positions,
            local_attention=min(128, scratch.max_positions),
            embedding_dropout=scratch.dropout,
            mlp_dropout=scratch.dropout,
            classifier_dropout=scratch.dropout,
            classifier_pooling=scratch.pooling,
            pad_token_id=tokenizer.pad_token_id,
            cls_token_id=tokenizer.cls_token_id,
            sep_token_id=tokenizer.sep_token_id,
            bos_token_id=tokenizer.cls_token_id,
            eos_token_id=tokenizer.sep_token_id,
            id2label=id2label,
            label2id=label2id,
        )
        net = ModernBertForSequenceClassification(modern)
    else:
        bert = BertConfig(
            vocab_size=len(tokenizer),
            hidden_size=scratch.hidden,
            num_hidden_layers=scratch.layers,
            num_attention_heads=scratch.heads,
            intermediate_size=scratch.intermediate,
            max_position_embeddings=scratch.max_positions,
            hidden_dropout_prob=scratch.dropout,
            attention_probs_dropout_prob=scratch.dropout,
            pad_token_id=tokenizer.pad_token_id,
            id2label=id2label,
            label2id=label2id,
        )
        net = BertForSequenceClassification(bert)
    logger.info(
        "from-scratch %s: %d layers, hidden %d, %d heads, %.1fM parameters",
        type(net).__name__,
        scratch.layers,
        scratch.hidden,
        scratch.heads,
        net.num_parameters() / 1e6,
    )
    return net


# ------------------------------------------------------------------------------ seq2seq

SEQ2SEQ_FEED_FORWARD = "gated-gelu_pytorch_tanh"
"""Feed-forward of the from-scratch T5: gated GELU (T5 v1.1, mT5, AraT5), which learns faster per
step than the ReLU of T5 v1.0 at the same width. ``gelu_pytorch_tanh`` is the same tanh
approximation as T5's ``gelu_new``, computed by one fused kernel (much faster on CPU)."""


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
    if model.checkpoint is not None:
        from transformers import AutoModelForSeq2SeqLM

        tokenizer = load_pretrained_tokenizer(model)
        try:
            net = AutoModelForSeq2SeqLM.from_pretrained(model.checkpoint, revision=model.revision)
        except (OSError, ValueError) as err:
            raise ConfigError(
                f"cannot load '{model.checkpoint}' as a sequence-to-sequence model: {err}. "
                "Summarisation needs an encoder-decoder checkpoint (AraT5, mT5, AraBART, ...)",
                key="model.checkpoint",
            ) from None
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


def scratch_seq2seq(scratch: ScratchConfig, tokenizer: PreTrainedTokenizerBase) -> PreTrainedModel:
    """A freshly initialised encoder-decoder of the configured size and family for ``tokenizer``.

    ``layers`` encoder and ``decoder_layers`` (default ``layers``) decoder blocks, ``hidden``
    model dimension, ``heads`` attention heads, ``intermediate`` feed-forward size; input and
    output embeddings are shared and tied. The tokenizer's ``<pad>`` (0) and ``</s>`` (1) are
    the model's pad and end tokens.

    - ``architecture: t5`` (default): T5 with gated-GELU feed-forward, relative positions
      (``max_positions`` only bounds the tokenizer), decoder output scaled by ``hidden ** -0.5``
      (T5 v1.0, as tying requires); ``<pad>`` starts the decoder.
    - ``architecture: bart``: BART with learned absolute positions (up to ``max_positions``) in
      encoder and decoder and scaled embeddings; ``</s>`` starts the decoder (BART convention).
      Absolute positions let cross-attention line up with the article from the start: trained
      from scratch it learns to copy from the lead several times sooner than T5.

    (``pooling`` is a classifier setting and is not read here.)
    """
    pad_id, eos_id = tokenizer.pad_token_id, tokenizer.eos_token_id
    if pad_id is None or eos_id is None:
        raise ConfigError(
            "the tokenizer of a from-scratch encoder-decoder needs <pad> and </s> tokens",
            key="model.scratch",
        )
    decoder_layers = scratch.decoder_layers or scratch.layers
    net: PreTrainedModel
    if scratch.architecture == "bart":
        from transformers import BartConfig, BartForConditionalGeneration

        bart = BartConfig(
            vocab_size=len(tokenizer),
            d_model=scratch.hidden,
            encoder_layers=scratch.layers,
            decoder_layers=decoder_layers,
            encoder_attention_heads=scratch.heads,
            decoder_attention_heads=scratch.heads,
            encoder_ffn_dim=scratch.intermediate,
            decoder_ffn_dim=scratch.intermediate,
            max_position_embeddings=scratch.max_positions,
            dropout=scratch.dropout,
            attention_dropout=0.0,
            activation_dropout=0.0,
            scale_embedding=True,
            pad_token_id=pad_id,
            eos_token_id=eos_id,
            bos_token_id=eos_id,
            decoder_start_token_id=eos_id,
            forced_eos_token_id=eos_id,
            tie_word_embeddings=True,
        )
        net = BartForConditionalGeneration(bart)
    else:
        from transformers import T5Config, T5ForConditionalGeneration

        # passed through to PretrainedConfig (not T5Config's own fields)
        special: dict[str, Any] = {"tie_word_embeddings": True, "decoder_start_token_id": pad_id}
        t5 = T5Config(
            vocab_size=len(tokenizer),
            d_model=scratch.hidden,
            d_kv=scratch.hidden // scratch.heads,
            d_ff=scratch.intermediate,
            num_layers=scratch.layers,
            num_decoder_layers=decoder_layers,
            num_heads=scratch.heads,
            dropout_rate=scratch.dropout,
            feed_forward_proj=SEQ2SEQ_FEED_FORWARD,
            pad_token_id=pad_id,
            eos_token_id=eos_id,
            **special,
        )
        net = T5ForConditionalGeneration(t5)
    logger.info(
        "from-scratch %s: %d encoder / %d decoder layers, d_model %d, %d heads, ffn %d, "
        "%.1fM parameters",
        "BART" if scratch.architecture == "bart" else "T5",
        scratch.layers,
        decoder_layers,
        scratch.hidden,
        scratch.heads,
        scratch.intermediate,
        net.num_parameters() / 1e6,
    )
    return net


def is_t5_model(model: PreTrainedModel) -> bool:
    """Whether a loaded model is a T5-family model (unsafe in float16)."""
    return str(getattr(model.config, "model_type", "")) in ("t5", "mt5", "umt5", "byt5")


__all__ = [
    "build_classifier",
    "build_seq2seq",
    "check_checkpoint",
    "is_t5_model",
    "load_pretrained_tokenizer",
    "scratch_classifier",
    "scratch_seq2seq",
    "train_unigram_tokenizer",
    "train_wordpiece_tokenizer",
]
