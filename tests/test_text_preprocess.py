"""Tests for khabar.text.preprocess.TextPreprocessor."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import khabar
from khabar.errors import ConfigError, KhabarError
from khabar.text import (
    PREPROCESSING_FILE,
    URL_TOKEN,
    ArabicNormalizer,
    TextPreprocessor,
)

ARTICLE = "أعلنت الحكومةُ اليوم خطة جديدة https://example.com\n\nالمصدر: وكالات"


def test_default_normalises_without_cleaning() -> None:
    pre = TextPreprocessor()
    assert pre.normalizer == ArabicNormalizer()
    assert pre.clean is False
    assert pre(ARTICLE) == f"اعلنت الحكومة اليوم خطة جديدة {URL_TOKEN}\n\nالمصدر: وكالات"


def test_clean_then_normalise() -> None:
    pre = TextPreprocessor(clean=True)
    assert pre(ARTICLE) == f"اعلنت الحكومة اليوم خطة جديدة {URL_TOKEN}"


def test_no_normaliser_and_no_cleaning_is_identity() -> None:
    pre = TextPreprocessor(normalizer=None)
    assert pre(ARTICLE) == ARTICLE


def test_cleaning_that_leaves_nothing_keeps_the_text() -> None:
    pre = TextPreprocessor(normalizer=None, clean=True)
    assert pre("  المصدر: وكالات ") == "المصدر: وكالات"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(), clean=st.booleans())
def test_never_raises(text: str, clean: bool) -> None:
    assert isinstance(TextPreprocessor(clean=clean)(text), str)


def test_dict_round_trip() -> None:
    for pre in (
        TextPreprocessor(),
        TextPreprocessor(normalizer=None, clean=True),
        TextPreprocessor(normalizer=ArabicNormalizer(ta_marbuta_to_ha=True, urls="remove")),
    ):
        data = pre.to_dict()
        assert set(data) == {"clean", "normalizer", "khabar_version"}
        assert data["khabar_version"] == khabar.__version__
        assert TextPreprocessor.from_dict(data) == pre
        json.dumps(data)


def test_from_dict_defaults_and_errors() -> None:
    assert TextPreprocessor.from_dict({}) == TextPreprocessor()
    assert TextPreprocessor.from_dict({"khabar_version": "0.0.1", "clean": True}).clean
    with pytest.raises(KhabarError, match="Did you mean 'normalizer'"):
        TextPreprocessor.from_dict({"normaliser": None})
    with pytest.raises(ConfigError, match="Did you mean 'strip_tatweel'"):
        TextPreprocessor.from_dict({"normalizer": {"strip_tatwil": True}})
    with pytest.raises(ConfigError, match="clean"):
        TextPreprocessor.from_dict({"clean": "yes"})
    with pytest.raises(ConfigError, match="normalizer"):
        TextPreprocessor.from_dict({"normalizer": True})


def test_save_and_load(tmp_path: Path) -> None:
    pre = TextPreprocessor(normalizer=ArabicNormalizer(max_repeat=3), clean=True)
    path = pre.save_pretrained(tmp_path / "model")
    assert path == tmp_path / "model" / PREPROCESSING_FILE
    assert sorted(p.name for p in path.parent.iterdir()) == [PREPROCESSING_FILE]  # no temp left
    assert json.loads(path.read_text(encoding="utf-8"))["clean"] is True
    assert TextPreprocessor.from_pretrained(tmp_path / "model") == pre
    assert TextPreprocessor.from_pretrained(str(path)) == pre
    # saving again replaces the file
    TextPreprocessor(normalizer=None).save_pretrained(tmp_path / "model")
    assert TextPreprocessor.from_pretrained(tmp_path / "model").normalizer is None


def test_missing_file_means_no_preprocessing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="khabar"):
        pre = TextPreprocessor.from_pretrained(tmp_path)
    assert pre == TextPreprocessor(normalizer=None, clean=False)
    assert pre("  نص  ") == "  نص  "
    assert PREPROCESSING_FILE in caplog.text


def test_broken_files_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / PREPROCESSING_FILE
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match=PREPROCESSING_FILE):
        TextPreprocessor.from_pretrained(tmp_path)
    path.write_text(json.dumps({"clean": False, "extra": 1}), encoding="utf-8")
    with pytest.raises(ConfigError, match="extra") as info:
        TextPreprocessor.from_pretrained(tmp_path)
    assert info.value.key == "extra"


def test_describe() -> None:
    steps = TextPreprocessor(clean=True).describe()
    assert steps[0].startswith("Scraped pages reduced to the main article")
    assert "Diacritics (tashkeel) removed" in steps
    assert TextPreprocessor(normalizer=None).describe() == ["No text normalisation"]


def test_invalid_construction() -> None:
    with pytest.raises(ConfigError):
        TextPreprocessor(normalizer={"urls": "keep"})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        TextPreprocessor()(None)  # type: ignore[arg-type]
