"""Tests for khabar.text.sentences.split_sentences."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khabar.text import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ذهب الولد. عاد البنت.", ["ذهب الولد.", "عاد البنت."]),
        ("هل حضرت؟ نعم حضرت!", ["هل حضرت؟", "نعم حضرت!"]),
        ("Is it? Yes it is!", ["Is it?", "Yes it is!"]),
        ("أولا؛ ثانيا", ["أولا؛", "ثانيا"]),
        ("ربما… لا أعرف", ["ربما…", "لا أعرف"]),
        ("ربما... لا أعرف", ["ربما...", "لا أعرف"]),
        ("ربما.. لا أعرف", ["ربما..", "لا أعرف"]),
        ("حقا؟! لا أصدق", ["حقا؟!", "لا أصدق"]),
    ],
)
def test_terminators(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_line_breaks_end_sentences() -> None:
    assert split_sentences("عنوان الخبر\nنص الخبر هنا.\r\n\n  فقرة ثانية  ") == [
        "عنوان الخبر",
        "نص الخبر هنا.",
        "فقرة ثانية",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "ارتفع النمو إلى 3.5 في المئة هذا العام.",
        "ارتفع النمو إلى ٣٫٥ في المئة هذا العام.",
        "صدر القرار في 31.5.2024 بعد مشاورات.",
        "التقى د. أحمد بالوزير أمس.",
        "حاضر أ. محمد في الجامعة.",
        "وصل م. خالد إلى الموقع.",
        "انظر ص. 12 من التقرير.",
        "بني المعبد في القرن الثالث ق.م. على ضفاف النهر.",
        "قال ع. س. إن الوضع هادئ.",
        "The U.S. delegation arrived today.",
        "Apples, pears, etc. were sold.",
        "Mr. Smith met Dr. Jones.",
        "زوروا www.example.com/news.html للمزيد.",
        "راسلونا على news.desk@example.org للتفاصيل.",
        'وقال الوزير "انتهت المرحلة الأولى. وبدأت الثانية" ثم غادر القاعة.',
        "وقال الوزير «انتهت المرحلة الأولى. وبدأت الثانية» ثم غادر القاعة.",
        "وقال الوزير “انتهت المرحلة الأولى! وبدأت الثانية” ثم غادر القاعة.",
        "وقال «إنها “النهاية. حقا” كما ترى» ثم صمت.",
    ],
)
def test_no_split_inside(text: str) -> None:
    assert split_sentences(text) == [text]


def test_quote_ending_a_sentence() -> None:
    assert split_sentences('وقال "سنواصل العمل." ثم غادر.') == [
        'وقال "سنواصل العمل."',
        "ثم غادر.",
    ]
    assert split_sentences("وقال «سنواصل العمل». ثم غادر.") == ["وقال «سنواصل العمل».", "ثم غادر."]


def test_unclosed_quote_does_not_swallow_the_line() -> None:
    assert split_sentences('قال "لن نتراجع. ثم غادر. وعاد') == [
        'قال "لن نتراجع.',
        "ثم غادر.",
        "وعاد",
    ]


def test_url_at_sentence_end() -> None:
    assert split_sentences("التفاصيل في https://example.com/a. وشكرا") == [
        "التفاصيل في https://example.com/a.",
        "وشكرا",
    ]


def test_numbered_list_items() -> None:
    assert split_sentences("1. البند الأول\n2. البند الثاني. وتفصيله") == [
        "1. البند الأول",
        "2. البند الثاني.",
        "وتفصيله",
    ]


def test_number_at_sentence_end_still_splits() -> None:
    assert split_sentences("قتل 25. وأصيب آخرون.") == ["قتل 25.", "وأصيب آخرون."]


def test_empty_inputs() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []
    assert split_sentences("...") == ["..."]


_PIECES = [
    "كلمة",
    "نص",
    " ",
    "\n",
    ".",
    "..",
    "...",
    "؟",
    "?",
    "!",
    "؛",
    "…",
    '"',
    "«",
    "»",
    "“",
    "”",
    "(",
    ")",
    "د.",
    "3.5",
    "U.S.",
    "www.x.com",
    "a@b.com",
    "1.",
]
texts = st.one_of(st.text(), st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_never_raises_and_loses_nothing(text: str) -> None:
    sentences = split_sentences(text)
    assert all(s and s == s.strip() for s in sentences)
    assert all("\n" not in s and "\r" not in s for s in sentences)

    def squash(value: str) -> str:
        return "".join(ch for ch in value if not ch.isspace())

    assert squash("".join(sentences)) == squash(text)
