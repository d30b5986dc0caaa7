"""Tokenizers trained on a run's training split, for models trained from scratch."""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Iterable
from typing import Any

from transformers import PreTrainedTokenizerFast

SPECIAL_TOKENS_BERT = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
SPECIAL_TOKENS_T5 = ("<pad>", "</s>", "<unk>")


def _sample(texts: Iterable[str], limit: int | None, seed: int) -> list[str]:
    items = list(texts)
    if limit is not None and len(items) > limit:
        items = random.Random(seed).sample(items, limit)
    return items


def _continuing_pieces(texts: list[str], prefix: str = "##") -> list[str]:
    """``##c`` for every character ``c`` that can continue a word (not a space, not punctuation,
    which the BERT pre-tokenizer always splits off), sorted."""
    chars: set[str] = set()
    for text in texts:
        chars.update(unicodedata.normalize("NFC", text))
    return sorted(
        prefix + c
        for c in chars
        if not c.isspace() and not unicodedata.category(c).startswith("P") and c not in _ASCII_PUNCT
    )


_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _repeatable_wordpiece(tokenizer: Any, special_tokens: list[str], seeded: list[str]) -> Any:
    """The trained WordPiece tokenizer with ids in a fixed order and ``seeded`` pieces as plain
    vocabulary.

    The ``tokenizers`` trainer numbers the ``##`` pieces it meets in hash-map order, and those ids
    break ties between merges of equal count, so two runs on the same texts give different
    vocabularies (huggingface/tokenizers#1794): a model trained from scratch with one seed would not
    repeat. :func:`train_wordpiece_tokenizer` hands the trainer every ``##`` piece up front (as
    special tokens, the only way in), in sorted order; here they become ordinary pieces again, and
    the vocabulary is numbered specials first, then sorted. WordPiece matches the longest piece
    whatever its id, so renumbering changes no tokenization.
    """
    from tokenizers import Tokenizer, models

    data = json.loads(tokenizer.to_str())
    seeded_set = set(seeded)
    data["added_tokens"] = [t for t in data["added_tokens"] if t["content"] not in seeded_set]
    tokenizer = Tokenizer.from_str(json.dumps(data))
    model = tokenizer.model
    rest = sorted(set(tokenizer.get_vocab()) - set(special_tokens))
    tokenizer.model = models.WordPiece(
        vocab={token: i for i, token in enumerate([*special_tokens, *rest])},
        unk_token=model.unk_token,
        max_input_chars_per_word=model.max_input_chars_per_word,
        continuing_subword_prefix=model.continuing_subword_prefix,
    )
    return tokenizer


def _repeatable_unigram(tokenizer: Any, special_tokens: list[str]) -> Any:
    """The trained unigram tokenizer with scores rounded to 1e-6 and pieces numbered specials
    first, then by score, ties by piece.

    The trainer sums its EM statistics in hash-map order, so scores differ between runs in the
    last digits, and it appends the characters it had to keep in hash-map order too, each 1e-4
    below the one before (or level with it). Rounded, with that tail re-dealt in character order and sorted, the
    same texts give the same tokenizer. A log-probability moved by under 1e-6 decides no
    segmentation the unrounded one would not tie on; which rare character gets which of the
    tail's scores was arbitrary already.
    """
    from tokenizers import Tokenizer

    data = json.loads(tokenizer.to_str())
    pieces = [(piece, round(score, 6)) for piece, score in data["model"]["vocab"]]
    specials = [p for p in pieces if p[0] in special_tokens]
    rest = sorted((p for p in pieces if p[0] not in special_tokens), key=lambda p: (-p[1], p[0]))
    # the trailing run of single characters, each 1e-4 below the one before or level with it
    start = len(rest) - 1
    while (
        start > 0
        and len(rest[start - 1][0]) == 1
        and min(abs(rest[start - 1][1] - rest[start][1] - step) for step in (0.0, 1e-4)) < 1e-6
    ):
        start -= 1
    if rest and len(rest[-1][0]) == 1:
        chars = sorted(piece for piece, _ in rest[start:])
        rest[start:] = [(c, score) for c, (_, score) in zip(chars, rest[start:], strict=True)]
    data["model"]["vocab"] = [[p, score] for p, score in [*specials, *rest]]
    data["model"]["unk_id"] = [p for p, _ in [*specials, *rest]].index("<unk>")
    return Tokenizer.from_str(json.dumps(data))


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
    sample = _sample(texts, limit, seed)
    seeded = _continuing_pieces(sample)
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=[*SPECIAL_TOKENS_BERT, *seeded],
        show_progress=False,
    )
    tokenizer.train_from_iterator(sample, trainer=trainer)
    tokenizer = _repeatable_wordpiece(tokenizer, list(SPECIAL_TOKENS_BERT), seeded)
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
    tokenizer = _repeatable_unigram(tokenizer, list(SPECIAL_TOKENS_T5))
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
