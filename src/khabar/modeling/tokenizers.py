"""Tokenizers trained on a run's training split, for models trained from scratch."""

from __future__ import annotations

import random
from collections.abc import Iterable

from transformers import PreTrainedTokenizerFast

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


__all__ = ["train_unigram_tokenizer", "train_wordpiece_tokenizer"]
