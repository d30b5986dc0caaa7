"""Tokenizers trained from scratch: the same texts give the same tokenizer, run after run."""

from __future__ import annotations

import pytest

from khabar.modeling import train_unigram_tokenizer, train_wordpiece_tokenizer

TEXTS = [
    "أعلنت وزارة الاقتصاد اليوم عن خطة جديدة لدعم المشاريع الصغيرة",
    "وقال الوزير إن الخطة تبدأ غدا وتستمر ثلاث سنوات",
    "فاز الفريق الوطني على منافسه بثلاثة أهداف مقابل هدف",
    "افتتح المهرجان الثقافي أبوابه أمام الزوار مساء الخميس",
    "أطلقت الشركة هاتفا ذكيا جديدا بكاميرا أفضل وبطارية أكبر",
    "ارتفعت أسعار النفط في الأسواق العالمية بنسبة 2% أمس",
    "Wel come to the Tok en izers libr ary, 2026!",
    "ناقش البرلمان مشروع قانون الموازنة العامة للدولة",
]


def _trained_eight_times(train: object, **kwargs: object) -> list[str]:
    return [
        train(TEXTS * 5, **kwargs).backend_tokenizer.to_str()  # type: ignore[operator]
        for _ in range(8)
    ]


@pytest.mark.parametrize(
    ("train", "kwargs"),
    [
        (train_wordpiece_tokenizer, {"vocab_size": 180, "min_frequency": 1}),
        (train_unigram_tokenizer, {"vocab_size": 150}),
    ],
    ids=["wordpiece", "unigram"],
)
def test_same_texts_give_the_same_tokenizer(train: object, kwargs: dict[str, object]) -> None:
    """``tokenizers`` numbers pieces in hash-map order (huggingface/tokenizers#1794); khabar's
    tokenizers must not, or a from-scratch model trained with one seed would not repeat."""
    first, *others = _trained_eight_times(train, **kwargs)
    assert all(other == first for other in others)


def test_wordpiece_continuation_pieces_stay_ordinary_tokens() -> None:
    """The ``##`` pieces handed to the trainer up front are vocabulary, not special tokens."""
    tokenizer = train_wordpiece_tokenizer(TEXTS * 5, vocab_size=180, min_frequency=1)
    assert set(tokenizer.all_special_tokens) == {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
    assert [tokenizer.convert_ids_to_tokens(i) for i in range(5)] == [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
    ]
    text = "أعلنت الشركة خطة جديدة"
    ids = tokenizer(text)["input_ids"]
    assert any(t.startswith("##") for t in tokenizer.convert_ids_to_tokens(ids))
    assert tokenizer.decode(ids, skip_special_tokens=True) == text
