"""Tests for khabar.text.html: raw Arabic news pages reduced to the main article.

The pages below are written by hand for these tests; they mimic how Arabic news sites lay out an
article (RTL markup, menus, breadcrumbs, share bars, related and most-read lists, comment forms,
cookie and newsletter boxes, footers). No third-party text.
"""

from __future__ import annotations

import builtins
import logging

import pytest

pytest.importorskip("trafilatura")

from khabar.errors import KhabarError
from khabar.text import CleanedArticle, clean_html
from khabar.text.html import MissingDependencyError, extract_html

A1 = "أعلنت وزارة الزراعة اليوم الأحد عن خطة وطنية جديدة لدعم صغار المزارعين في المحافظات الجنوبية خلال الموسم المقبل."
A2 = "وقال وزير الزراعة في مؤتمر صحفي إن الخطة تشمل قروضا ميسرة وبذورا محسنة وتدريبا مجانيا على أساليب الري الحديثة."
A3 = "وأضاف الوزير أن الحكومة خصصت مبلغا إضافيا في ميزانية العام المقبل لتمويل مشروعات تخزين المياه في القرى البعيدة."
A4 = "وتوقع خبراء زراعيون أن تسهم الخطة في رفع إنتاج القمح وخفض أسعار الخضروات في الأسواق المحلية خلال عامين."
A5 = "من جهتها رحبت نقابة المزارعين بالخطة، لكنها طالبت بتبسيط إجراءات الحصول على القروض وتوسيع قائمة المستفيدين."

NEWS_SITE = f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
  <meta charset="utf-8">
  <title>الحكومة تعلن خطة لدعم صغار المزارعين | موقع الأخبار اليومية</title>
</head>
<body>
  <div id="cookie-banner" class="cookie-consent">
    يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك. <button>موافق</button>
  </div>
  <header class="site-header">
    <a class="logo" href="/">موقع الأخبار اليومية</a>
    <nav class="main-menu">
      <ul>
        <li><a href="/">الرئيسية</a></li>
        <li><a href="/politics">سياسة</a></li>
        <li><a href="/economy">اقتصاد</a></li>
        <li><a href="/sport">رياضة</a></li>
        <li><a href="/opinion">رأي</a></li>
      </ul>
    </nav>
  </header>
  <div class="breadcrumb"><a href="/">الرئيسية</a> &gt; <a href="/economy">اقتصاد</a></div>
  <main>
    <article class="post">
      <h1 class="post-title">الحكومة تعلن خطة لدعم صغار المزارعين</h1>
      <div class="post-meta"><span class="author">كتب: سامي الخطيب</span>
        <time datetime="2024-03-10">الأحد 10 مارس 2024 - 10:30 ص</time></div>
      <div class="share-bar">شارك الخبر: <a href="#">فيسبوك</a> <a href="#">تويتر</a> <a href="#">واتساب</a></div>
      <div class="post-body">
        <p>{A1}</p>
        <p>{A2}</p>
        <p>{A3}</p>
        <p>{A4}</p>
        <p>{A5}</p>
      </div>
      <div class="tags">الوسوم: <a href="#">زراعة</a> <a href="#">قروض</a> <a href="#">الحكومة</a></div>
    </article>
    <aside class="related">
      <h3>أخبار ذات صلة</h3>
      <ul>
        <li><a href="/a1">ارتفاع أسعار الذهب في الأسواق العالمية</a></li>
        <li><a href="/a2">المنتخب يفوز في مباراته الودية الأخيرة</a></li>
        <li><a href="/a3">افتتاح معرض الكتاب بمشاركة واسعة</a></li>
      </ul>
    </aside>
    <section id="comments" class="comments">
      <h3>التعليقات</h3>
      <div class="comment"><b>محمد</b>: خطة ممتازة ونتمنى التنفيذ السريع.</div>
      <form class="comment-form">
        <label>اسمك</label><input name="name">
        <label>أضف تعليقك</label><textarea></textarea>
        <p>لن يتم نشر عنوان بريدك الإلكتروني.</p>
        <button>إرسال</button>
      </form>
    </section>
  </main>
  <div class="newsletter">اشترك في النشرة البريدية ليصلك كل جديد <input type="email"></div>
  <footer class="site-footer">
    <ul><li><a href="/about">من نحن</a></li><li><a href="/contact">اتصل بنا</a></li></ul>
    <p>جميع الحقوق محفوظة © 2024 موقع الأخبار اليومية</p>
  </footer>
</body>
</html>
"""

B1 = "شهدت العاصمة أمطارا غزيرة منذ ساعات الصباح الأولى تسببت في ارتفاع منسوب المياه في عدد من الشوارع الرئيسية."
B2 = "وأعلنت هيئة الدفاع المدني رفع درجة الاستعداد ونشر فرق الإنقاذ في الأحياء المنخفضة تحسبا لأي طارئ."
B3 = "وأكد مدير الهيئة أن فرقه تعاملت مع أكثر من مئة بلاغ دون تسجيل إصابات، داعيا السكان إلى تجنب الخروج إلا للضرورة."
B4 = "وتوقعت الأرصاد الجوية استمرار الأمطار حتى مساء الغد مع انخفاض ملحوظ في درجات الحرارة ونشاط للرياح."
OTHER = "أكد رئيس نادي المدينة الرياضي أن الفريق سيخوض معسكرا تدريبيا في الخارج استعدادا للموسم الجديد من الدوري."

WEATHER_SITE = f"""<html dir="rtl" lang="ar"><head><meta charset="utf-8">
<title>أمطار غزيرة تغرق شوارع العاصمة - بوابة الخبر</title></head>
<body>
<div class="top-bar"><a href="#">تسجيل الدخول</a> | <a href="#">English</a> | <span>الاثنين 11 مارس 2024</span></div>
<nav><a href="/">الرئيسية</a> <a href="/local">محليات</a> <a href="/world">عربي ودولي</a> <a href="/video">فيديو</a></nav>
<div class="content">
  <div class="main-article">
    <h1>أمطار غزيرة تغرق شوارع العاصمة</h1>
    <figure><img src="rain.jpg" alt="">
      <figcaption>سيارات عالقة في أحد شوارع العاصمة (الأناضول)</figcaption></figure>
    <p>{B1}</p>
    <p>{B2}</p>
    <p>{B3}</p>
    <p>اقرأ أيضا:</p>
    <p>رئيس النادي يعلن موعد المعسكر الخارجي</p>
    <p>{OTHER}</p>
  </div>
  <div class="sidebar">
    <div class="most-read"><h4>الأكثر قراءة</h4>
      <ol><li><a href="#">تعرف على أسعار العملات اليوم</a></li>
      <li><a href="#">وزير التعليم يعلن موعد الامتحانات</a></li></ol></div>
    <div class="ad">إعلان</div>
  </div>
</div>
<div class="footer">تابعونا على فيسبوك وتويتر | جميع الحقوق محفوظة لبوابة الخبر 2024</div>
</body></html>
"""

# A page whose article sits in plain <div>s and whose paragraphs carry site furniture glued in,
# as badly built sites do.
GLUED_SITE = f"""<html dir="rtl"><body>
<div>القائمة الرئيسية أخبار رياضة فن تكنولوجيا</div>
<div class="story">
<div>{B1} {B2}</div>
<div>{B3} جهازك لا يدعم تشغيل الفيديو {B4}</div>
<div>{B4} المصدر: وكالات مواضيع ذات صلة الأكثر مشاهدة جميع الحقوق محفوظة 2024</div>
</div>
</body></html>
"""


def test_news_page_keeps_the_article_and_drops_the_furniture() -> None:
    result = clean_html(NEWS_SITE)
    assert isinstance(result, CleanedArticle)
    for sentence in (A1, A2, A3, A4, A5):
        assert sentence in result.text
    for leftover in [
        "ملفات تعريف الارتباط",
        "الرئيسية",
        "ارتفاع أسعار الذهب",
        "أضف تعليقك",
        "خطة ممتازة",
        "اشترك في النشرة",
        "جميع الحقوق محفوظة",
        "من نحن",
        "شارك الخبر",
        "الوسوم",
    ]:
        assert leftover not in result.text


def test_headline_on_request() -> None:
    text = extract_html(NEWS_SITE, include_title=True)
    assert text.splitlines()[0].startswith("الحكومة تعلن خطة لدعم صغار المزارعين")
    assert A1 in text


def test_read_also_block_with_another_article_is_dropped() -> None:
    result = clean_html(WEATHER_SITE)
    for sentence in (B1, B2, B3):
        assert sentence in result.text
    assert OTHER not in result.text
    assert "الأكثر قراءة" not in result.text
    assert "أسعار العملات" not in result.text
    assert "جميع الحقوق محفوظة" not in result.text
    assert "سيارات عالقة" not in result.text  # the photo caption
    kinds = [block.kind for block in result.removed]
    assert "second_article" in kinds or "read_also" in kinds or OTHER not in result.text


def test_glued_furniture_inside_paragraphs_is_cleaned() -> None:
    result = clean_html(GLUED_SITE)
    for sentence in (B1, B2, B3, B4):
        assert sentence in result.text
    for leftover in ["جهازك لا يدعم", "مواضيع ذات صلة", "الأكثر مشاهدة", "جميع الحقوق", "وكالات"]:
        assert leftover not in result.text


def test_empty_and_broken_input() -> None:
    assert clean_html("") == CleanedArticle("", ())
    assert clean_html("<html><body></body></html>").text == ""
    assert isinstance(clean_html("<div><p>نص قصير جدا</p"), CleanedArticle)
    assert isinstance(clean_html(NEWS_SITE.encode("utf-8")).text, str)


def test_missing_trafilatura_is_a_clear_khabar_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "trafilatura" or name.startswith("trafilatura."):
            raise ImportError("No module named 'trafilatura'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(MissingDependencyError, match="pip install trafilatura") as info:
        clean_html(NEWS_SITE)
    assert isinstance(info.value, KhabarError)
    assert isinstance(info.value, ImportError)


def test_pages_without_an_article_are_counted_in_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from khabar.text.html import html_to_text

    plain = "فاز الفريق بالمباراة النهائية في الملعب أمام الجماهير"
    with caplog.at_level(logging.WARNING, logger="khabar"):
        assert html_to_text([plain, None, ""]) == ["", None, ""]
    assert "1 of 3 page(s) gave no article: are they HTML?" in caplog.text
