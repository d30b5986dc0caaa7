"""Small models initialised from scratch: classifiers (BERT, ModernBERT) and encoder-decoders
(T5, BART), sized by ``model.scratch``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from transformers import (
    BertConfig,
    BertForSequenceClassification,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from khabar._logging import get_logger
from khabar.config import ScratchConfig
from khabar.errors import ConfigError

logger = get_logger(__name__)


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


__all__ = ["SEQ2SEQ_FEED_FORWARD", "is_t5_model", "scratch_classifier", "scratch_seq2seq"]
