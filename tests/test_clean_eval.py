"""Scoring a cleaner against labelled pages (khabar.text.clean_eval) on a hand-written page."""

from __future__ import annotations

import pytest

from khabar.errors import DataError
from khabar.text.clean_eval import LabelledPage, evaluate_cleaner, page_sha1

NAV = "الرئيسية | سياسة | اقتصاد"
ONE = "أعلنت الوزارة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية."
TWO = "وقال الوزير إن الخطة تشمل قروضا ميسرة وتدريبا للشباب."
FOOT = "جميع الحقوق محفوظة 2024"
PAGE = f"{NAV}\n{ONE} {TWO}\n{FOOT}"


def _labels() -> list[LabelledPage]:
    spans = []
    for piece, label in ((NAV, "boilerplate"), (f"{ONE} {TWO}", "article"), (FOOT, "boilerplate")):
        start = PAGE.index(piece)
        spans.append((start, start + len(piece), label, label))
    return [LabelledPage("p1", "dev", len(PAGE), page_sha1(PAGE), tuple(spans))]


def test_a_perfect_a_lazy_and_a_greedy_cleaner() -> None:
    texts = {"p1": PAGE}
    perfect = evaluate_cleaner(lambda t: f"{ONE} {TWO}", _labels(), texts)
    assert perfect.boilerplate_recall == 1.0 and perfect.sentence_retention == 1.0
    assert perfect.pages_losing_more_than_one == 0

    lazy = evaluate_cleaner(lambda t: t, _labels(), texts)
    assert lazy.boilerplate_recall == 0.0 and lazy.sentence_retention == 1.0

    greedy = evaluate_cleaner(lambda t: "", _labels(), texts)
    assert greedy.boilerplate_recall == 1.0 and greedy.sentence_retention == 0.0
    assert greedy.pages_losing_more_than_one == 1 and greedy.article_char_retention == 0.0


def test_a_changed_page_is_refused() -> None:
    with pytest.raises(DataError, match="differs"):
        evaluate_cleaner(lambda t: t, _labels(), {"p1": PAGE + " "})
    with pytest.raises(DataError, match="not in the corpus"):
        evaluate_cleaner(lambda t: t, _labels(), {})
