"""Tests for khabar.text.normalize: every step by example, plus properties over any string."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khabar.errors import ConfigError, KhabarError
from khabar.text import (
    EMAIL_TOKEN,
    MENTION_TOKEN,
    URL_TOKEN,
    ArabicNormalizer,
    normalize,
)
from khabar.text.normalize import TASHKEEL_CODEPOINTS, TATWEEL

# --- strategies ----------------------------------------------------------------------------------

_FRAGMENTS = [
    *"ابتثجحخدذرسشصضطظعغفقكلمنهوي",
    *"أإآٱٲٳىةؤئء",
    *"\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0655\u0670\u0615\u06e1",
    "\u0640",
    "\u0640\u0640\u0640",
    *"٠١٢٣٤٥٦٧٨٩۰۱۲۳0123456789٫٬",
    " ",
    "  ",
    "\n",
    "\n\n\n",
    "\t",
    "\r\n",
    "\u00a0",
    "\u200f",
    "\u200b",
    "\ufeff",
    "http://",
    "https://",
    "www.",
    ".com",
    ".net",
    ".co.uk",
    "/path",
    "?q=1",
    "@",
    "#",
    "_",
    ".",
    "..",
    ":",
    "/",
    "-",
    "!",
    "؟",
    "،",
    ")",
    "(",
    "»",
    '"',
    *"abcdehmoptwxyzAW",
    "[",
    "]",
    URL_TOKEN,
    EMAIL_TOKEN,
    MENTION_TOKEN,
    "ههههه",
    "ااااا",
    "!!!!",
    "ـــ",
    "ﷲ",
    "ﻻ",
    "\ufe70",
    "\ufc5e",
    "e\u0301",
    "\u0301",
    "x@y.com",
    "@user",
    "#وسم_عربي",
]

arabic_heavy = st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join)
any_text = st.one_of(st.text(), arabic_heavy)

_MODES = st.sampled_from(["placeholder", "remove", "keep"])
normalizers = st.builds(
    ArabicNormalizer,
    unicode_nfkc=st.booleans(),
    strip_tashkeel=st.booleans(),
    strip_tatweel=st.booleans(),
    unify_alef=st.booleans(),
    alef_maqsura_to_ya=st.booleans(),
    ta_marbuta_to_ha=st.booleans(),
    ascii_digits=st.booleans(),
    urls=_MODES,
    emails=_MODES,
    mentions=_MODES,
    split_hashtags=st.booleans(),
    max_repeat=st.one_of(st.none(), st.integers(min_value=1, max_value=4)),
    collapse_whitespace=st.booleans(),
)

_PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DEFAULT = ArabicNormalizer()


# --- properties ----------------------------------------------------------------------------------


@_PROPERTY
@given(text=any_text)
def test_default_never_raises_and_is_idempotent(text: str) -> None:
    once = DEFAULT(text)
    assert isinstance(once, str)
    assert DEFAULT(once) == once


@_PROPERTY
@given(normalizer=normalizers, text=any_text)
def test_every_setting_combination_is_idempotent(normalizer: ArabicNormalizer, text: str) -> None:
    once = normalizer(text)
    assert normalizer(once) == once


_ENTITYISH = st.lists(
    st.sampled_from([*"abcwWxyz019.-_@:/#? ıس", "com", "www.", "http://", "ftp://"]), max_size=20
).map("".join)


@_PROPERTY
@given(text=st.one_of(any_text, _ENTITYISH))
def test_entity_prefilter_never_skips_an_entity(text: str) -> None:
    # the normaliser skips the URL/e-mail/mention pattern when the cheap hint finds nothing
    from khabar.text.normalize import _ENTITY_HINT_RE, _ENTITY_RE

    if _ENTITY_HINT_RE.search(text) is None:
        assert _ENTITY_RE.search(text) is None


@_PROPERTY
@given(normalizer=normalizers, text=arabic_heavy)
def test_every_setting_combination_is_idempotent_on_arabic(
    normalizer: ArabicNormalizer, text: str
) -> None:
    once = normalizer(text)
    assert normalizer(once) == once


@_PROPERTY
@given(normalizer=normalizers, text=any_text)
def test_enabled_steps_leave_nothing_behind(normalizer: ArabicNormalizer, text: str) -> None:
    out = normalizer(text)
    if normalizer.strip_tashkeel:
        assert not any(ord(ch) in TASHKEEL_CODEPOINTS for ch in out)
    if normalizer.strip_tatweel:
        assert TATWEEL not in out
    if normalizer.unify_alef:
        assert not set(out) & set("أإآٱٲٳ")
    if normalizer.alef_maqsura_to_ya:
        assert "ى" not in out
    if normalizer.ta_marbuta_to_ha:
        assert "ة" not in out
    if normalizer.ascii_digits:
        assert not set(out) & set("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹")
    if normalizer.collapse_whitespace:
        assert out == out.strip()
        assert "  " not in out
        assert "\n\n\n" not in out
        assert "\t" not in out


@_PROPERTY
@given(texts=st.lists(arabic_heavy, max_size=5))
def test_batch_matches_single_calls(texts: list[str]) -> None:
    assert DEFAULT.normalize_batch(texts) == [DEFAULT(t) for t in texts]


# --- each step by example ------------------------------------------------------------------------


def test_nfkc_unfolds_presentation_forms_and_ligatures() -> None:
    assert normalize("\ufef7") == "لا"  # lam-alef ligature with hamza -> unified alef
    assert normalize("ﷲ") == "الله"
    assert normalize("ﷲ", unicode_nfkc=False) == "ﷲ"


def test_nfkc_composes_before_unifying() -> None:
    # bare alef + combining hamza is the same letter as أ once composed
    assert normalize("ا\u0654", strip_tashkeel=False, unify_alef=False) == "أ"
    assert normalize("ا\u0654", strip_tashkeel=False) == "ا"


def test_strip_tashkeel() -> None:
    assert normalize("مُحَمَّدٌ") == "محمد"
    assert normalize("هٰذا") == "هذا"  # dagger alef
    assert normalize("ٱلرَّحْمَٰنِ ۝") == "الرحمن"  # Quranic marks
    assert normalize("مُحَمَّدٌ", strip_tashkeel=False) == "مُحَمَّدٌ"


def test_strip_tatweel() -> None:
    assert normalize("مـــصـــر") == "مصر"
    assert normalize("مـصر", strip_tatweel=False) == "مـصر"


def test_unify_alef() -> None:
    assert normalize("أحمد إبراهيم آمال ٱلعلم") == "احمد ابراهيم امال العلم"
    assert normalize("أحمد", unify_alef=False) == "أحمد"


def test_alef_maqsura_and_ta_marbuta() -> None:
    assert normalize("مستشفى") == "مستشفي"
    assert normalize("مستشفى", alef_maqsura_to_ya=False) == "مستشفى"
    assert normalize("مدرسة") == "مدرسة"  # off by default
    assert normalize("مدرسة", ta_marbuta_to_ha=True) == "مدرسه"


def test_ascii_digits() -> None:
    assert normalize("عام ٢٠٢٤ و۱۴۰۳ و٣٫٥") == "عام 2024 و1403 و3.5"
    assert normalize("٢٠٢٤", ascii_digits=False) == "٢٠٢٤"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("placeholder", f"زوروا {URL_TOKEN}. شكرا"),
        ("remove", "زوروا . شكرا"),
        ("keep", "زوروا https://example.com/a?b=1. شكرا"),
    ],
)
def test_urls(mode: str, expected: str) -> None:
    assert normalize("زوروا https://example.com/a?b=1. شكرا", urls=mode) == expected


def test_url_forms() -> None:
    assert normalize("www.aljazeera.net/news") == URL_TOKEN
    assert normalize("موقع bbc.co.uk/arabic") == f"موقع {URL_TOKEN}"
    assert normalize("(https://t.co/x)") == f"({URL_TOKEN})"
    assert normalize("3.5 مليار") == "3.5 مليار"  # not a domain


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("placeholder", f"راسلونا عبر {EMAIL_TOKEN}"),
        ("remove", "راسلونا عبر"),
        ("keep", "راسلونا عبر news.desk@example.org"),
    ],
)
def test_emails(mode: str, expected: str) -> None:
    assert normalize("راسلونا عبر news.desk@example.org", emails=mode) == expected


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("placeholder", f"{MENTION_TOKEN} شكرا"),
        ("remove", "شكرا"),
        ("keep", "@AJArabic شكرا"),
    ],
)
def test_mentions(mode: str, expected: str) -> None:
    assert normalize("@AJArabic شكرا", mentions=mode) == expected


def test_email_is_not_a_mention() -> None:
    assert normalize("a@b.com", emails="keep") == "a@b.com"


def test_placeholders_survive_a_second_pass() -> None:
    text = f"{URL_TOKEN} {EMAIL_TOKEN} {MENTION_TOKEN}"
    for max_repeat in (None, 1, 2):
        assert normalize(text, max_repeat=max_repeat) == text


def test_split_hashtags() -> None:
    assert normalize("#وقف_إطلاق_النار الآن") == "وقف اطلاق النار الان"
    assert normalize("#غزة") == "غزة"
    assert normalize("#hash_tag") == "hash tag"
    assert normalize("#غزة", split_hashtags=False) == "#غزة"
    assert normalize("C# code") == "C# code"  # not a hashtag


def test_max_repeat() -> None:
    assert normalize("هههههههه") == "هه"
    assert normalize("رااااائع!!!!!") == "راائع!!"
    assert normalize("هههه", max_repeat=1) == "ه"
    assert normalize("هههه", max_repeat=None) == "هههه"
    assert normalize("1000000 دولار") == "1000000 دولار"  # digits are never squeezed


def test_collapse_whitespace() -> None:
    text = "  سطر   أول\t\tهنا  \r\nسطر ثان\n\n\n\n\nفقرة\u200f ثانية  "
    assert normalize(text) == "سطر اول هنا\nسطر ثان\n\nفقرة ثانية"
    assert normalize("a  b", collapse_whitespace=False) == "a  b"


def test_empty_and_whitespace_only() -> None:
    assert normalize("") == ""
    assert normalize(" \n\t ") == ""


def test_non_str_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        DEFAULT(None)  # type: ignore[arg-type]


# --- settings ------------------------------------------------------------------------------------


def test_dict_round_trip() -> None:
    custom = ArabicNormalizer(ta_marbuta_to_ha=True, urls="remove", max_repeat=None)
    assert ArabicNormalizer.from_dict(custom.to_dict()) == custom
    assert ArabicNormalizer.from_dict({}) == ArabicNormalizer()


def test_unknown_key_names_the_closest() -> None:
    with pytest.raises(KhabarError, match="Did you mean 'strip_tashkeel'"):
        ArabicNormalizer.from_dict({"strip_tashkil": True})
    with pytest.raises(ValueError, match="url"):
        ArabicNormalizer.from_dict({"url": "keep"})


def test_invalid_values() -> None:
    with pytest.raises(ConfigError, match="Did you mean 'placeholder'"):
        ArabicNormalizer(urls="placeholdr")
    with pytest.raises(ConfigError, match="emails"):
        ArabicNormalizer.from_dict({"emails": "drop"})
    with pytest.raises(ConfigError, match="max_repeat"):
        ArabicNormalizer(max_repeat=0)
    with pytest.raises(ConfigError, match="strip_tatweel"):
        ArabicNormalizer(strip_tatweel="yes")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        normalize("x", mentions="hide")


def test_is_hashable_comparable_and_picklable() -> None:
    normalizer = ArabicNormalizer(urls="keep")
    normalizer("warm the compiled plan")
    clone = pickle.loads(pickle.dumps(normalizer))
    assert clone == normalizer
    assert hash(clone) == hash(normalizer)
    assert clone("أهلا https://x.com") == "اهلا https://x.com"


def test_describe_lists_enabled_steps() -> None:
    steps = ArabicNormalizer().describe()
    assert "Diacritics (tashkeel) removed" in steps
    assert any(URL_TOKEN in s for s in steps)
    assert not any("Ta marbuta" in s for s in steps)
    off = ArabicNormalizer(
        unicode_nfkc=False,
        strip_tashkeel=False,
        strip_tatweel=False,
        unify_alef=False,
        alef_maqsura_to_ya=False,
        ascii_digits=False,
        urls="keep",
        emails="keep",
        mentions="keep",
        split_hashtags=False,
        max_repeat=None,
        collapse_whitespace=False,
    )
    assert off.describe() == []
    assert off("  أَ  ") == "  أَ  "
