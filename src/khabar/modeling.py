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
) -> PreTrainedTokenizerFast:
    """Train a BERT-style WordPiece tokenizer on (already preprocessed) texts.

    No lower-casing and no accent stripping (which would delete Arabic marks that
    normalisation, not the tokenizer, should decide about). Pair inputs get
    ``[CLS] A [SEP] B [SEP]`` with token type ids, like the pretrained Arabic BERTs.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

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
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
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
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    tokenizer = Tokenizer(models.Unigram())
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(r"\s+", " ")])
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
            raise ConfigError(f"cannot load '{model.checkpoint}': {err}", key="model.checkpoint") from None
        return net, tokenizer

    scratch = model.scratch or ScratchConfig()
    if model.max_length > scratch.max_positions:
        raise ConfigError(
            f"model.max_length ({model.max_length}) exceeds model.scratch.max_positions "
            f"({scratch.max_positions})",
            key="model.max_length",
        )
    logger.info("training a WordPiece tokenizer (vocab %d) on the training split", scratch.vocab_size)
    tokenizer = train_wordpiece_tokenizer(
        train_texts,
        vocab_size=scratch.vocab_size,
        min_frequency=scratch.min_frequency,
        model_max_length=scratch.max_positions,
        limit=scratch.tokenizer_samples,
        seed=seed,
    )
    return scratch_classifier(scratch, labels, tokenizer), tokenizer


def scratch_classifier(
    scratch: ScratchConfig, labels: Sequence[str], tokenizer: PreTrainedTokenizerBase
) -> PreTrainedModel:
    """A freshly initialised BERT classifier of the configured size for ``tokenizer``."""
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
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={name: i for i, name in enumerate(labels)},
    )
    net = BertForSequenceClassification(bert)
    logger.info(
        "from-scratch BERT: %d layers, hidden %d, %d heads, %.1fM parameters",
        scratch.layers,
        scratch.hidden,
        scratch.heads,
        net.num_parameters() / 1e6,
    )
    return net


__all__ = [
    "build_classifier",
    "scratch_classifier",
    "check_checkpoint",
    "load_pretrained_tokenizer",
    "train_unigram_tokenizer",
    "train_wordpiece_tokenizer",
]
