"""Tests for khabar.text.clean: scraped news pages reduced to the main article."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khabar.text import CleanedArticle, RemovedBlock, clean_article, split_articles
from khabar.text.clean import REMOVED_KINDS

# Short fixtures written for these tests (no third-party text).
P1 = "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية."
P2 = "وقال الوزير إن الخطة ستبدأ الشهر المقبل وتشمل قروضا ميسرة للمزارعين."
P3 = "وتوقع خبراء أن تسهم الخطة في خفض أسعار الخضروات خلال العام المقبل."
OTHER = "افتتح المحافظ مستشفى جديدا في المدينة بحضور عدد كبير من الأهالي والمسؤولين."


def _kinds(result: CleanedArticle) -> list[str]:
    return [block.kind for block in result.removed]


def _page(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


# --- example pages ----------------------------------------------------------------------------


def test_plain_article_is_kept_as_is() -> None:
    result = clean_article(_page(P1, P2, P3))
    assert result.text == _page(P1, P2, P3)
    assert result.removed == ()


def test_paragraph_structure_is_kept_and_tidied() -> None:
    page = f"  {P1}\n{P2}  \r\n\n\n\n{P3}\n"
    assert clean_article(page).text == f"{P1}\n{P2}\n\n{P3}"


@pytest.mark.parametrize(
    "line",
    [
        "المصدر: الجزيرة",
        "المصدر : وكالات",
        "المصدر - رويترز",
        "المَصْدَر:الأناضول",
        "(المصدر: مواقع إلكترونية)",
        "مصدر الخبر: صحف محلية",
        "المصدر",
    ],
)
def test_source_lines(line: str) -> None:
    result = clean_article(_page(P1, line, P2))
    assert result.text == _page(P1, P2)
    assert result.removed == (RemovedBlock("source", line),)


def test_sentence_starting_with_source_word_is_kept() -> None:
    sentence = "المصدر الذي تحدث إلى الصحيفة قال إن المفاوضات ستستأنف الأسبوع المقبل."
    assert clean_article(_page(P1, sentence)).text == _page(P1, sentence)


@pytest.mark.parametrize(
    "line",
    [
        "كلمات دلالية: الزراعة الحكومة",
        "الكلمات المفتاحية: زراعة، قروض",
        "وسوم: اقتصاد",
        "الوسوم",
        "Tags: economy",
    ],
)
def test_keyword_lines(line: str) -> None:
    result = clean_article(_page(P1, P2, line))
    assert result.text == _page(P1, P2)
    assert _kinds(result) == ["keywords"]


def test_bare_keyword_heading_takes_the_tags_under_it() -> None:
    result = clean_article(_page(P1, "الكلمات الدلالية", "زراعة\nقروض\nريف", P2))
    assert result.text == _page(P1, P2)
    assert _kinds(result) == ["keywords"]


@pytest.mark.parametrize(
    "marker",
    [
        "اقرأ أيضا",
        "اقرأ أيضاً:",
        "إقرأ أيضاً:",
        "اقرأ ايضا:",
        "إقرأ أيضًا",
        "اقرأ أيضــا :",
        "شاهد أيضا",
        "للمزيد:",
        "اقرأ أيضا: المحافظ يفتتح مستشفى جديدا",
    ],
)
def test_read_also_cuts_the_page(marker: str) -> None:
    result = clean_article(_page(P1, P2, marker, "المحافظ يفتتح مستشفى", OTHER))
    assert result.text == _page(P1, P2)
    assert _kinds(result)[:2] == ["read_also", "second_article"]
    assert result.removed[0].text == marker
    assert OTHER in result.removed[1].text
    assert split_articles(_page(P1, marker, OTHER)) == [P1, OTHER]


def test_sentence_with_more_word_is_kept() -> None:
    sentence = "للمزيد من الدعم قررت الحكومة مضاعفة الميزانية المخصصة للقطاع الزراعي هذا العام."
    assert clean_article(_page(P1, sentence)).text == _page(P1, sentence)


def test_page_starting_with_read_also_uses_the_article_after_it() -> None:
    result = clean_article(_page("اقرأ أيضا:", P1, P2))
    assert result.text == _page(P1, P2)
    assert _kinds(result) == ["read_also"]


@pytest.mark.parametrize(
    "heading", ["مقالات مشابهة", "أخبار ذات صلة", "مواضيع ذات صلة:", "اقرأ المزيد", "قد يعجبك أيضا"]
)
def test_related_heading_and_its_headlines(heading: str) -> None:
    page = _page(P1, P2, heading, "الحكومة تدرس رفع الأجور\nتراجع أسعار الذهب عالميا")
    result = clean_article(page)
    assert result.text == _page(P1, P2)
    assert _kinds(result) == ["related"]
    assert "تراجع أسعار الذهب" in result.removed[0].text


def test_related_block_ends_at_a_paragraph() -> None:
    page = _page(P1, "مقالات مشابهة", "• الحكومة تدرس رفع الأجور", P3)
    assert clean_article(page).text == _page(P1, P3)


@pytest.mark.parametrize("bullet", ["•", "·", "-", "*", "▪"])
def test_bullet_headline_lists(bullet: str) -> None:
    headlines = "\n".join(
        f"{bullet} {h}" for h in ["الحكومة تدرس رفع الأجور", "تراجع أسعار الذهب عالميا"]
    )
    result = clean_article(_page(P1, P2, headlines))
    assert result.text == _page(P1, P2)
    assert _kinds(result) == ["related"]


def test_bullet_list_introduced_by_colon_is_article_content() -> None:
    page = _page("وتشمل الخطة ما يلي:", "- قروض ميسرة\n- بذور مدعومة\n- تدريب مجاني", P3)
    assert clean_article(page).text == page


@pytest.mark.parametrize(
    "line",
    [
        "شارك",
        "شارك الخبر",
        "شارك المقال على فيسبوك",
        "تابعونا على تويتر",
        "تابعنا على قناتنا في تلغرام",
        "انقر هنا للاشتراك في النشرة",
        "فيسبوك تويتر واتساب",
    ],
)
def test_share_prompts(line: str) -> None:
    result = clean_article(_page(P1, line, P2))
    assert result.text == _page(P1, P2)
    assert _kinds(result) == ["share"]


def test_sentence_starting_with_share_verb_is_kept() -> None:
    sentence = "شارك الرئيس في القمة الاقتصادية التي عقدت في العاصمة بحضور قادة المنطقة."
    assert clean_article(_page(sentence, P2)).text == _page(sentence, P2)


@pytest.mark.parametrize(
    "credit", ["(الأناضول)", "(رويترز)", "(الفرنسية)", "(أ ف ب)", "(غيتي)", "(إ ب أ)"]
)
def test_caption_line_is_dropped(credit: str) -> None:
    caption = f"وزير الزراعة يتفقد أحد الحقول في الريف {credit}"
    result = clean_article(_page(P1, caption, P2))
    assert result.text == _page(P1, P2)
    assert result.removed == (RemovedBlock("caption", caption),)


def test_caption_glued_to_subheading_keeps_the_subheading() -> None:
    line = "وزير الزراعة (وسط) يتفقد الحقول في الريف (الجزيرة) خطة الدعم"
    result = clean_article(_page(P1, line, P2))
    assert result.text == _page(P1, "خطة الدعم", P2)
    assert result.removed == (
        RemovedBlock("caption", "وزير الزراعة (وسط) يتفقد الحقول في الريف (الجزيرة)"),
    )


def test_several_captions_on_one_line() -> None:
    line = "حقل قمح في الريف (رويترز) مزارعون يحصدون القمح (الأناضول) موسم الحصاد"
    result = clean_article(_page(P1, line))
    assert result.text == _page(P1, "موسم الحصاد")
    assert _kinds(result) == ["caption"]


@pytest.mark.parametrize(
    "line",
    [
        "وزير الزراعة (وسط) يتفقد الحقول في الريف",  # a position note is not a credit
        "القاهرة (رويترز) - قال مسؤولون إن الخطة ستبدأ قريبا.",  # a dateline
        "وقال مسؤول في الوزارة لوكالة (رويترز) إن الخطة ستبدأ قريبا",
        "أعلنت الحكومة الخطة. وأكدت مصادر (رويترز) ذلك",
    ],
)
def test_not_captions(line: str) -> None:
    assert clean_article(_page(P1, line)).text == _page(P1, line)


def test_given_boilerplate_is_dropped() -> None:
    page = _page("جميع الحقوق محفوظة © 2024", P1, P2)
    result = clean_article(page, boilerplate=["جميع الحقوق محفوظة © 2024"])
    assert result.text == _page(P1, P2)
    assert _kinds(result) == ["boilerplate"]
    # a single string is one line, not a list of characters
    assert clean_article(page, boilerplate="جميع الحقوق محفوظة © 2024").text == _page(P1, P2)


def test_repeated_short_lines_are_boilerplate() -> None:
    page = _page("الصفحة الرئيسية", P1, "الصفحة الرئيسية", P2, "الصفحة الرئيسية")
    result = clean_article(page)
    assert result.text == _page(P1, P2)
    assert set(_kinds(result)) == {"boilerplate"}


def test_repeated_long_paragraphs_are_not_boilerplate() -> None:
    page = _page(P1, P2, P1)
    assert clean_article(page).text == page


def test_everything_at_once() -> None:
    page = _page(
        P1,
        "وزير الزراعة يتفقد أحد الحقول (أ ف ب)",
        P2,
        P3,
        "المصدر: وكالات",
        "كلمات دلالية: زراعة",
        "شارك الخبر",
        "اقرأ أيضا:",
        OTHER,
        "أخبار ذات صلة",
        "• الحكومة تدرس رفع الأجور",
        "• تراجع أسعار الذهب عالميا",
    )
    result = clean_article(page)
    assert result.text == _page(P1, P2, P3)
    assert _kinds(result) == [
        "caption",
        "source",
        "keywords",
        "share",
        "read_also",
        "second_article",
        "related",
    ]
    assert split_articles(page) == [_page(P1, P2, P3), OTHER]


def test_empty_pages() -> None:
    assert clean_article("") == CleanedArticle("", ())
    assert clean_article("\n \n\t") == CleanedArticle("", ())
    assert split_articles("") == []


# --- properties ----------------------------------------------------------------------------------

_LINES = [
    P1,
    P2,
    OTHER,
    "",
    "المصدر: الجزيرة",
    "كلمات دلالية",
    "اقرأ أيضا:",
    "إقرأ أيضاً",
    "مقالات مشابهة",
    "• عنوان قصير",
    "- عنوان آخر",
    "شارك",
    "صورة لمكان (الأناضول) عنوان",
    "(رويترز)",
    "(",
    ")",
    "عنوان",
]
pages = st.one_of(
    st.text(),
    st.lists(st.sampled_from(_LINES) | st.text(max_size=20), max_size=15).map("\n".join),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=pages)
def test_never_raises(page: str) -> None:
    result = clean_article(page, boilerplate=["عنوان"])
    assert isinstance(result.text, str)
    assert all(block.kind in REMOVED_KINDS for block in result.removed)
    articles = split_articles(page)
    assert all(articles)
    main = clean_article(page).text
    assert (main in articles) if main else not articles


# --- the real page -------------------------------------------------------------------------------


def _examples_dir() -> Path:
    configured = os.environ.get("KHABAR_EXAMPLES_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "shared" / "examples"


@pytest.fixture(scope="module")
def real_page() -> str:
    path = _examples_dir() / "scraped_news_page.txt"
    if not path.is_file():
        pytest.skip(f"example page not found at {path} (set KHABAR_EXAMPLES_DIR)")
    return path.read_text(encoding="utf-8")


def test_real_page_keeps_the_whole_main_article(real_page: str) -> None:
    text = clean_article(real_page).text
    assert text.startswith("دعا وزير الخارجية الأميركي")
    last = text.split("\n\n")[-1]
    assert last.startswith("وأعلنت حركة حماس أنها تنظر")
    assert "\n\nوقف القتال\n\n" in text
    # every paragraph of the article, in order, between its first and last
    page_paragraphs = [p.strip() for p in real_page.split("\n\n") if p.strip()]
    first = next(i for i, p in enumerate(page_paragraphs) if p.startswith("دعا وزير الخارجية"))
    end = next(i for i, p in enumerate(page_paragraphs) if p.startswith("وأعلنت حركة حماس"))
    kept = text.split("\n\n")
    for paragraph in page_paragraphs[first : end + 1]:
        assert paragraph in kept or "(الأناضول)" in paragraph


def test_real_page_drops_the_leftovers(real_page: str) -> None:
    result = clean_article(real_page)
    text = result.text
    for leftover in ["المصدر: الجزيرة", "كلمات دلالية", "أيضاً", "مقالات مشابهة", "سموتريتش"]:
        assert leftover not in text
    for beirut in ["عبد العاطي", "بيروت", "جوزيف عون"]:
        assert beirut not in text
    assert "(الأناضول)" not in text
    assert "إيصال المساعدات" in text  # the subheading glued to the caption survives
    kinds = _kinds(result)
    for kind in ["source", "keywords", "read_also", "second_article", "related", "caption"]:
        assert kind in kinds
    by_kind = {block.kind: block.text for block in result.removed}
    assert by_kind["source"] == "المصدر: الجزيرة"
    assert "عبد العاطي" in by_kind["second_article"]
    assert "سموتريتش" in by_kind["related"]
    assert by_kind["caption"].endswith("(الأناضول)")


def test_real_page_splits_into_two_articles(real_page: str) -> None:
    articles = split_articles(real_page)
    assert len(articles) == 2
    blinken, beirut = articles
    assert blinken == clean_article(real_page).text
    assert "بلينكن" in blinken
    assert "عبد العاطي" in beirut and "بيروت" in beirut
    for article in articles:
        assert "مقالات مشابهة" not in article
        assert "سموتريتش" not in article
        assert "•" not in article


# --- issue #13: boilerplate wherever it sits, and the article text that must stay -----------------
# Hand-written fixtures in the shapes real scraped pages take (furniture glued into paragraphs).

P4 = "وأوضح الوزير أن وزارته ستراقب تنفيذ الخطة في كل المحافظات وستنشر تقريرا شهريا عن نتائجها."
P5 = "ويعمل في القطاع الزراعي نحو ثلث السكان وفق أحدث الإحصاءات الرسمية الصادرة عن الحكومة."
TITLE = "الحكومة تطلق خطة لدعم المزارعين"
ARTICLE = _page(P1, P2, P3, P4, P5)


def _kept(page: str, *sentences: str) -> CleanedArticle:
    result = clean_article(page)
    for sentence in sentences:
        assert sentence in result.text, sentence
    return result


def _gone(result: CleanedArticle, *pieces: str) -> None:
    for piece in pieces:
        assert piece not in result.text, piece


def test_head_with_site_name_menus_and_dates_around_a_repeated_headline() -> None:
    head = (
        f"{TITLE} - موقع الخبر اليومي | الرئيسية | سياسة | اقتصاد | رياضة "
        f"الأحد 10 مارس 2024 - 10 : 30 بتوقيت مكة المكرمة {TITLE} {P1}"
    )
    result = _kept(_page(head, P2, P3, P4, P5), P1, P2, P5)
    _gone(result, "موقع الخبر اليومي", "الرئيسية", "رياضة", "10 مارس 2024", "بتوقيت")
    assert "navigation" in {block.kind for block in result.removed}


def test_site_name_after_a_single_headline() -> None:
    result = _kept(_page(f"{TITLE} - بوابة الخبر", P1, P2, P3, P4), P1, P4)
    _gone(result, "بوابة الخبر")


def test_accessibility_links_and_video_notices_go_where_they_are() -> None:
    page = _page(
        f"Accessibility links البث المباشر البرنامج المقبل البث المباشر البرنامج المقبل {P1}",
        f"{P2} جهازك لا يدعم تشغيل الفيديو {P3}",
        f"{P4} Your browser does not support the video tag . {P5}",
    )
    result = _kept(page, P1, P2, P3, P4, P5)
    _gone(result, "Accessibility", "البث المباشر", "جهازك لا يدعم", "browser")


def test_footer_glued_after_the_last_sentence() -> None:
    footer = (
        "الأكثر قراءة ارتفاع أسعار الذهب عالميا المنتخب يفوز وديا على ضيفه افتتاح معرض الكتاب "
        "مواضيع قد تهمك | | | جميع حقوق النشر محفوظة 2018"
    )
    result = _kept(_page(P1, P2, P3, P4, f"{P5} {footer}"), P1, P5)
    _gone(result, "الأكثر قراءة", "ارتفاع أسعار الذهب", "مواضيع قد تهمك", "محفوظة")
    kinds = {block.kind for block in result.removed}
    assert "related" in kinds


@pytest.mark.parametrize(
    ("tail", "kind"),
    [
        ("© 2024 جميع الحقوق محفوظة لموقع الخبر اليومي", "copyright"),
        ("لا تنسوا عمل لايك لصفحتنا على الفيسبوك", "share"),
        ("تابعونا على تويتر وفيسبوك لمتابعة آخر الأخبار", "share"),
        ("أضف تعليقك الاسم البريد الإلكتروني لن يتم نشر عنوان بريدك الإلكتروني", "comments"),
        ("اشترك في النشرة البريدية ليصلك كل جديد أدخل بريدك الإلكتروني", "newsletter"),
        ("تسجيل الدخول اسم المستخدم كلمة السر نسيت كلمة المرور", "login"),
        ("الوسوم : زراعة , قروض , الحكومة", "keywords"),
        ("المصدر : وكالات مقالات ذات صلة ارتفاع أسعار الذهب عالميا", "source"),
        ("اتصل بنا من نحن سياسة الخصوصية خريطة الموقع", "site"),
    ],
)
def test_end_of_article_families_glued_to_the_last_paragraph(tail: str, kind: str) -> None:
    result = _kept(_page(P1, P2, P3, P4, f"{P5} {tail}"), P1, P2, P3, P4, P5)
    assert result.text == ARTICLE
    assert kind in {block.kind for block in result.removed}


def test_cookie_and_ad_notices_in_the_page_head() -> None:
    page = _page(
        "يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك . موافق",
        "تم اكتشاف مانع الإعلانات عزيزي القارئ الإعلانات مصدر دخلنا الوحيد نرجو تعطيل مانع الإعلانات",
        ARTICLE,
    )
    result = _kept(page, P1, P5)
    _gone(result, "ملفات تعريف الارتباط", "يستخدم هذا الموقع", "مانع الإعلانات", "عزيزي القارئ")


def test_email_protection_notice() -> None:
    line = f"{P4} عنوان البريد الإلكتروني هذا محمي من روبوتات السبام , يجب عليك تفعيل الجافاسكربت لرؤيته ."
    result = _kept(_page(P1, P2, P3, line, P5), P4, P5)
    _gone(result, "روبوتات", "الجافاسكربت")


def test_author_boxes_and_photo_credits() -> None:
    page = _page(f"بقلم / سامي الخطيب {P1}", f"{P2} AFP / John Smith {P3}", P4, P5)
    result = _kept(page, P1, P2, P3)
    _gone(result, "بقلم", "سامي الخطيب", "AFP", "John Smith")


def test_dw_style_initials_credit() -> None:
    result = _kept(_page(P1, P2, f"{P3} ع . أ . ج / أ . ح ( أ ف ب , د ب أ )", P4), P3)
    _gone(result, "ع . أ . ج", "( أ ف ب")


def test_embedded_post_is_dropped() -> None:
    post = "الخطة خطوة مهمة لدعم الريف ونأمل تنفيذها سريعا - أحمد علي ( @ ahmad_ali )"
    result = _kept(_page(P1, f"{P2} {post} {P3}", P4), P2, P3)
    _gone(result, "@", "ahmad_ali", "نأمل تنفيذها")


def test_picture_gallery_captions() -> None:
    slide = "صور من معرض الزراعة الدولي في العاصمة"
    gallery = " ".join(
        f"{slide} {caption}"
        for caption in [
            "زوار يتجولون بين الأجنحة في اليوم الأول للمعرض .",
            "مزارعون يعرضون محاصيلهم من القمح والشعير .",
            "آلات زراعية حديثة تجذب اهتمام الزوار .",
            "أطفال يشاركون في ورشة لزراعة الشتلات .",
        ]
    )
    result = _kept(_page(P1, P2, P3, f"{P4} {gallery}", P5), P1, P4, P5)
    _gone(result, slide, "آلات زراعية")


def test_headline_list_after_the_article_without_a_heading() -> None:
    teasers = [
        "هل تنجح الحكومة في خفض الأسعار ? يتساءل كثيرون عن قدرة الحكومة على ضبط الأسواق .",
        "وزير المالية : الميزانية الجديدة بلا عجز يقول الوزير إن الإيرادات تكفي النفقات .",
        "غضب في الشارع بسبب الضرائب . . لماذا ? خرج محتجون إلى الساحات رفضا للقرار .",
        "مباراة القمة . . من يفوز ? يترقب المشجعون لقاء الفريقين الكبيرين مساء اليوم .",
    ]
    page = _page(P1, P2, P3, P4, P5, P1.replace("اليوم", "أمس"), *teasers)
    result = _kept(page, P1, P5)
    _gone(result, "الميزانية الجديدة", "مباراة القمة", "الضرائب")


def test_most_read_and_related_headings_glued_in_the_head_keep_the_article() -> None:
    result = _kept(_page(f"{TITLE} مواضيع ذات صلة : {P1}", P2, P3), P1, P2, P3)
    _gone(result, "مواضيع ذات صلة")


# must keep ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "وقال المصدر في تصريح لوكالة الأنباء الأردنية ( بترا ) إن الأمطار ستستمر حتى نهاية الأسبوع",
        "وأكد مسؤول في الوزارة لوكالة ( الأناضول ) أن الخطة ستنفذ على مراحل خلال العام",
        "وقصفت الطائرات مواقع للمسلحين في ريف المدينة ( الجزيرة , 15 آذار / مارس 2017 ) .",
        "ويعود الأب إلى منزله بعد العمل في الحقل ( أب )",
        "ارتفعت درجات الحرارة في المدينة خلال شهر ( آب )",
        "حضر الحفل عدد من الأهالي برفقة أطفالهم ( وأم )",
        "وفي 21 آب 2013 قصفت الطائرات عدة بلدات في الريف الشرقي للمدينة .",
        "03 يناير 2015 م : - البرلمان يقرر إعادة عدد من الضباط إلى الخدمة العسكرية .",
        "الرياض - واس أعلنت وزارة الزراعة عن خطة لدعم المزارعين في المناطق الشمالية .",
    ],
)
def test_article_text_that_looks_like_furniture_is_kept(sentence: str) -> None:
    page = _page(P1, sentence, P2)
    assert clean_article(page).text == page


def test_read_also_when_the_same_story_continues() -> None:
    continuation = (
        "اقرأ أيضا : وأضاف الوزير أن الخطة الجديدة لدعم المزارعين ستشمل قروضا ميسرة "
        "للمزارعين في المناطق الريفية ابتداء من الشهر المقبل ."
    )
    page = _page(P1, P2, P3, P4, continuation, P5)
    result = clean_article(page)
    assert "وأضاف الوزير أن الخطة الجديدة" in result.text
    assert P5 in result.text
    assert "اقرأ أيضا" not in result.text
    assert "second_article" not in {block.kind for block in result.removed}


def test_read_also_followed_by_another_story_inline() -> None:
    other = "افتتح المحافظ مستشفى جديدا في المدينة بحضور عدد كبير من الأهالي والمسؤولين المحليين ."
    page = _page(P1, P2, P3, P4, f"{P5} اقرأ أيضا : المحافظ يفتتح مستشفى جديدا {other}")
    result = clean_article(page)
    assert result.text == ARTICLE
    assert "second_article" in {block.kind for block in result.removed}


def test_repeated_sentence_keeps_its_first_copy() -> None:
    sentence = "وقال الوزير إن الخطة ستنجح."
    page = _page(P1, sentence, P2, sentence, P3)
    result = clean_article(page)
    assert result.text == _page(P1, sentence, P2, P3)
    assert "duplicate" in {block.kind for block in result.removed}


def test_dates_inside_sentences_stay_and_stand_alone_dates_go() -> None:
    page = _page("الاثنين , 11 مارس 2024 - 09 : 15", P1, "نشر بتاريخ 11 / 03 / 2024", P2)
    result = clean_article(page)
    assert result.text == _page(P1, P2)
    assert {block.kind for block in result.removed} == {"date"}


def test_every_kind_is_declared() -> None:
    page = _page(
        f"{TITLE} - موقع الخبر | الرئيسية {TITLE} {P1}",
        f"{P2} AFP / John Smith بقلم / سامي الخطيب",
        f"{P3} الأكثر قراءة جميع الحقوق محفوظة 2024 تسجيل الدخول",
    )
    assert all(block.kind in REMOVED_KINDS for block in clean_article(page).removed)


def test_a_paragraph_the_article_repeats_is_not_taken_for_a_headline() -> None:
    """A lead sentence that the next paragraph repeats and extends is article text, not a
    headline copied around the page furniture."""
    lead = "أعلنت وزارة الاقتصاد عن خطة جديدة لدعم الشركات الصغيرة وزيادة الصادرات هذا العام"
    page = f"خطة لدعم الشركات\n\n{lead}.\n\n{lead} في المناطق كلها."
    text = clean_article(page).text
    assert f"{lead}." in text and "في المناطق كلها" in text
