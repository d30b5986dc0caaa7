"""Tests for khabar.text.site.SiteBoilerplate: boilerplate learned from a corpus of pages.

The corpus is written by hand: two made-up sites whose pages glue the same menu and footer to
different stories, and a story syndicated on several pages that must not be learned.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khabar.errors import ConfigError
from khabar.text import (
    PREPROCESSING_FILE,
    SITE_BOILERPLATE_FILE,
    SiteBoilerplate,
    TextPreprocessor,
    clean_article,
)

MENU_A = "الصفحة الأولى أخبار محلية أخبار دولية اقتصاد وأعمال رياضة وشباب ثقافة وفنون منوعات"
FOOTER_A = (
    "صحيفة النهار الجديد مؤسسة إعلامية مستقلة تصدر كل صباح وتقدم تغطية شاملة للشأن المحلي "
    "والدولي على مدار الساعة"
)
MENU_B = "بوابة المدينة الإخبارية الصفحة الرئيسية تقارير خاصة حوارات مقالات الرأي صور وفيديو"

STORIES = [
    "افتتح وزير الصحة مستشفى جديدا في شمال المدينة يضم مئتي سرير وقسما متطورا للطوارئ.",
    "أعلنت بلدية العاصمة خطة لتوسيع شبكة النقل العام بإضافة خطوط حافلات جديدة العام المقبل.",
    "فاز المنتخب الوطني لكرة اليد على منافسه في المباراة النهائية للبطولة الإقليمية أمس.",
    "ارتفعت صادرات البلاد من الفواكه والخضروات بنسبة كبيرة خلال الربع الأول من العام.",
    "بدأت وزارة التعليم تدريب المعلمين على المناهج الجديدة قبل انطلاق العام الدراسي المقبل.",
    "حذرت هيئة الأرصاد من موجة حر تضرب المناطق الجنوبية حتى نهاية الأسبوع الجاري.",
    "وقعت الحكومة اتفاقية مع شركة دولية لإنشاء محطة للطاقة الشمسية في الصحراء الغربية.",
    "استقبل متحف المدينة آلاف الزوار في اليوم الأول لمعرض الآثار الإسلامية النادرة.",
]
WIRE = (
    "قالت مصادر دبلوماسية إن جولة جديدة من المفاوضات بين الطرفين ستعقد في جنيف الشهر المقبل "
    "بمشاركة ممثلين عن الأمم المتحدة والدول الراعية للاتفاق."
)


FOLLOWS = [
    "وقال مدير المستشفى إن الأطباء سيبدؤون استقبال المرضى مطلع الشهر المقبل بعد اكتمال التجهيزات.",
    "وأوضح رئيس البلدية أن المشروع يهدف إلى تخفيف الازدحام في وسط المدينة خلال ساعات الذروة.",
    "واحتفل اللاعبون مع الجماهير في أرض الملعب حتى ساعة متأخرة من الليل بعد تسلم الكأس.",
    "وعزا خبراء الزيادة إلى فتح أسواق جديدة في آسيا وتحسن جودة المنتجات الزراعية المصدرة.",
    "وتشمل الدورات التدريبية أساليب التعليم الحديثة واستخدام التقنيات الرقمية داخل الفصول.",
    "ونصحت الهيئة المواطنين بتجنب التعرض لأشعة الشمس المباشرة وشرب كميات كافية من الماء.",
    "وتبلغ قدرة المحطة المتوقعة ما يكفي لتزويد مئات الآلاف من المنازل بالكهرباء النظيفة.",
    "ويضم المعرض قطعا نادرة من المخطوطات والعملات والأواني تعود إلى قرون مختلفة.",
]


def _page_a(story: str, n: int = 0) -> str:
    return f"{MENU_A} {story}\n\n{FOLLOWS[n]} {FOOTER_A}"


def _page_b(story: str, n: int = 0) -> str:
    return f"{MENU_B}\n\n{story}\n\n{FOLLOWS[n]}"


def _corpus() -> tuple[list[str], list[str]]:
    pages = [_page_a(s, n) for n, s in enumerate(STORIES[:5])]
    pages += [_page_b(s, n) for n, s in enumerate(STORIES[3:], start=3)]
    sources = ["a"] * 5 + ["b"] * 5
    # the same wire story on pages of four different sites (each its own menu)
    for number in range(4):
        pages.append(f"موقع رقم {number} للأخبار العاجلة\n\n{WIRE}")
        sources.append(f"wire{number}")
    return pages, sources


@pytest.fixture(scope="module")
def site() -> SiteBoilerplate:
    pages, sources = _corpus()
    return SiteBoilerplate.fit(pages, sources=sources, min_pages=4)


def test_fit_learns_the_site_menus_and_footer(site: SiteBoilerplate) -> None:
    assert len(site) > 0
    page = _page_a("أعلنت الشرطة القبض على عصابة متخصصة في سرقة السيارات في الأحياء الشرقية.", 0)
    result = clean_article(page, boilerplate=site)
    assert "عصابة متخصصة في سرقة السيارات" in result.text
    assert FOLLOWS[0] in result.text
    for leftover in ["أخبار محلية", "رياضة وشباب", "مؤسسة إعلامية مستقلة", "على مدار الساعة"]:
        assert leftover not in result.text
    assert "site" in {block.kind for block in result.removed}
    other = clean_article(_page_b(STORIES[0], 6), boilerplate=site)
    assert "تقارير خاصة" not in other.text
    assert STORIES[0] in other.text


def test_a_syndicated_story_is_not_learned(site: SiteBoilerplate) -> None:
    page = f"موقع آخر للأخبار\n\n{WIRE}"
    assert WIRE in clean_article(page, boilerplate=site).text


def test_without_sources_the_corpus_is_one_source() -> None:
    pages, _ = _corpus()
    learned = SiteBoilerplate.fit(pages, min_pages=4)
    assert clean_article(_page_a(STORIES[0], 7), boilerplate=learned).text.startswith(STORIES[0])


def test_round_trip_through_dict_and_files(site: SiteBoilerplate, tmp_path: Path) -> None:
    again = SiteBoilerplate.from_dict(json.loads(json.dumps(site.to_dict())))
    assert again == site
    path = site.save_pretrained(tmp_path)
    assert path.name == SITE_BOILERPLATE_FILE
    loaded = SiteBoilerplate.from_pretrained(tmp_path)
    assert loaded == site
    assert loaded.fitted_on == site.fitted_on
    page = _page_a(STORIES[2], 2)
    assert clean_article(page, boilerplate=loaded) == clean_article(page, boilerplate=site)


def test_preprocessor_saves_it_beside_the_model_and_applies_it(
    site: SiteBoilerplate, tmp_path: Path
) -> None:
    pre = TextPreprocessor(normalizer=None, clean=True, site_boilerplate=site)
    pre.save_pretrained(tmp_path)
    saved = json.loads((tmp_path / PREPROCESSING_FILE).read_text(encoding="utf-8"))
    assert saved["site_boilerplate"] == SITE_BOILERPLATE_FILE
    assert (tmp_path / SITE_BOILERPLATE_FILE).is_file()
    loaded = TextPreprocessor.from_pretrained(tmp_path)
    assert loaded == pre
    page = _page_a(STORIES[1], 1)
    assert loaded(page) == pre(page)
    assert "أخبار محلية" not in loaded(page)
    assert "أخبار محلية" in TextPreprocessor(normalizer=None, clean=True)(page)
    assert any("Site boilerplate" in line for line in loaded.describe())


def test_preprocessor_dict_round_trip_inline(site: SiteBoilerplate) -> None:
    pre = TextPreprocessor(clean=True, site_boilerplate=site)
    data = json.loads(json.dumps(pre.to_dict()))
    assert TextPreprocessor.from_dict(data) == pre


def test_old_preprocessing_files_still_load(tmp_path: Path) -> None:
    (tmp_path / PREPROCESSING_FILE).write_text(
        json.dumps({"clean": True, "normalizer": None, "khabar_version": "0.1.0"}),
        encoding="utf-8",
    )
    pre = TextPreprocessor.from_pretrained(tmp_path)
    assert pre.clean is True and pre.site_boilerplate is None
    assert set(pre.to_dict()) == {"clean", "normalizer", "khabar_version"}


def test_missing_or_broken_site_file_is_a_config_error(
    site: SiteBoilerplate, tmp_path: Path
) -> None:
    TextPreprocessor(clean=True, site_boilerplate=site).save_pretrained(tmp_path)
    (tmp_path / SITE_BOILERPLATE_FILE).unlink()
    with pytest.raises(ConfigError, match="not found"):
        TextPreprocessor.from_pretrained(tmp_path)
    (tmp_path / SITE_BOILERPLATE_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match=SITE_BOILERPLATE_FILE):
        TextPreprocessor.from_pretrained(tmp_path)
    with pytest.raises(ConfigError):
        SiteBoilerplate.from_dict({"format": "something-else"})
    with pytest.raises(ConfigError):
        TextPreprocessor.from_dict({"site_boilerplate": 3})


def test_bad_fit_settings() -> None:
    with pytest.raises(ConfigError, match="sources"):
        SiteBoilerplate.fit(["a", "b"], sources=["x"])
    with pytest.raises(ConfigError, match="min_pages"):
        SiteBoilerplate.fit(["a"], min_pages=1)
    assert len(SiteBoilerplate.fit([])) == 0
    assert clean_article("نص قصير", boilerplate=SiteBoilerplate()).text == "نص قصير"
