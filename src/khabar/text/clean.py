"""Reduce a scraped news page to its main article.

Pages saved by scrapers carry leftovers around — and inside — the article: the site's name and
navigation menus glued to the headline, dates and author boxes, a source line (``المصدر: …``),
keyword and tag lists, "read also" blocks (``اقرأ أيضا:``) that may hold a whole second article,
"most read" / "related" headline lists, share / like / follow prompts, copyright lines, cookie,
ad, newsletter and login notices, comment forms, video-player notices, photo captions ending in an
agency credit (``… (الأناضول)``) and repeated site boilerplate. Scrapers often glue several of them
into one paragraph, so they are found wherever they sit in a line.

:func:`clean_article` keeps the main article and reports everything it dropped;
:func:`split_articles` returns every article on the page (main first).

How it works. The page is split into tokens that remember their line and offsets. Rules mark
tokens to drop, family by family:

* whole lines: source, keywords and tag lines, related headings and the headlines under them,
  share prompts, bullet headline lists, short lines repeated on the page (a repeated *sentence*
  keeps its first copy), lines given as site boilerplate;
* "read also" markers: the text after one is dropped as a second article only when it reads as
  a different article (it opens with a headline, or shares few content words with the article
  before it); when the same story continues, only the marker goes;
* the page head: a headline repeated around the site's name, menus and dates (everything up to
  its last copy is page furniture), the site name after the headline;
* markers found anywhere in a line: end-of-article families (copyright, related / most read,
  tags, share and follow prompts, comments, newsletter, login, cookie, ad, contact) drop the
  marker and what follows it — unless article prose that continues the story follows, in which
  case only the marker and the non-prose right after it go; in-line notices (video player,
  "accessibility links", font size, search boxes, update stamps, photo credits, author bylines)
  drop just themselves;
* stand-alone dates (not dates inside a sentence), photo captions ending in a bracketed agency
  credit (never an attribution inside a sentence, a dated citation, or Arabic words that look
  like agency abbreviations: ``آب``, ``أب``, ``وأم``), picture-gallery captions (a long phrase
  that opens three or more blocks of the page);
* site boilerplate learned from a corpus (:class:`khabar.text.site.SiteBoilerplate`), given as
  ``boilerplate=``.

Markers are matched after light normalisation (diacritics, tanween and tatweel dropped, alef
variants unified, ى→ي, ة→ه, digits made ASCII, case folded). Lines of the article are kept as
written; a line loses only what was dropped from it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from khabar.text.chars import ALEF, ALEF_VARIANTS, INVISIBLE_CODEPOINTS, TASHKEEL_CODEPOINTS

__all__ = [
    "REMOVED_KINDS",
    "CleanedArticle",
    "RemovedBlock",
    "SpanBoilerplate",
    "clean_article",
    "page_tokens",
    "split_articles",
    "token_key",
]

#: Every value :attr:`RemovedBlock.kind` can take.
REMOVED_KINDS: tuple[str, ...] = (
    "source",
    "keywords",
    "read_also",
    "related",
    "share",
    "caption",
    "boilerplate",
    "second_article",
    "navigation",
    "date",
    "author",
    "copyright",
    "comments",
    "newsletter",
    "login",
    "cookie",
    "ad",
    "media",
    "duplicate",
    "site",
)


@dataclass(frozen=True)
class RemovedBlock:
    """A piece of the page that :func:`clean_article` dropped.

    Attributes:
        kind: One of :data:`REMOVED_KINDS`.
        text: The dropped text (lines joined with ``"\\n"``).
    """

    kind: str
    text: str


@dataclass(frozen=True)
class CleanedArticle:
    """The main article of a page and what was removed to get it.

    Attributes:
        text: The article; paragraphs joined with ``"\\n\\n"``, lines within one with ``"\\n"``.
        removed: What was dropped, in page order.
    """

    text: str
    removed: tuple[RemovedBlock, ...]


@runtime_checkable
class SpanBoilerplate(Protocol):
    """Anything that can point at boilerplate spans in a page's token keys (a fitted cleaner)."""

    def spans(self, keys: Sequence[str]) -> list[tuple[int, int]]:
        """``(start, end)`` token ranges of ``keys`` that are boilerplate."""
        ...


# --- light normalisation for matching --------------------------------------------------------

_KEY_TABLE: dict[int, str | None] = {
    **dict.fromkeys(TASHKEEL_CODEPOINTS),
    **dict.fromkeys(INVISIBLE_CODEPOINTS),
    0x0640: None,  # tatweel
    **{ord(ch): ALEF for ch in ALEF_VARIANTS},
    0x0649: "\u064a",  # ى -> ي
    0x0629: "\u0647",  # ة -> ه
    0x06A9: "\u0643",  # keheh -> kaf
    0x06CC: "\u064a",  # farsi yeh -> yeh
    **{0x0660 + i: str(i) for i in range(10)},
    **{0x06F0 + i: str(i) for i in range(10)},
}
_STRIP_CHARS = "".join(chr(cp) for cp in INVISIBLE_CODEPOINTS) + " \t\n\r\f\v\u00a0\u3000"
_LEAD_RE = re.compile(r"^[\s\-–—•·▪▫◦‣⁃○●■□►▶◄◆◇➢➤✓✔*+>|«»\"'“”„()\[\]{}.:،؛]+")
_TRAIL_RE = re.compile(r"[\s:：.…\-–—|،,؛!]+$")
_SPACES_RE = re.compile(r"\s+")
_SEP = r"[:：\-–—|]"


def _key(text: str) -> str:
    """Lightly normalised form of ``text`` for matching markers (not for output)."""
    text = unicodedata.normalize("NFKC", text).translate(_KEY_TABLE).casefold()
    return _SPACES_RE.sub(" ", text).strip()


def token_key(token: str) -> str:
    """The normalised form of one token that markers and fitted boilerplate are matched on."""
    return _key(token)


def _marker_key(text: str) -> str:
    """``_key`` without leading bullets/quotes/brackets."""
    return _LEAD_RE.sub("", _key(text))


def _wordset(*chunks: str) -> frozenset[str]:
    return frozenset(word for chunk in chunks for word in chunk.split())


def _words(key: str) -> int:
    return len(key.split())


def _ends_sentence(text: str) -> bool:
    return text.rstrip(" \"'”’»)]").endswith((".", "!", "?", "؟", "…"))


# --- tokens ------------------------------------------------------------------------------------

# Whitespace-separated runs, further split at brackets and where Latin letters meet Arabic
# letters or digits ("Jebreiliوالأمير", "Kamran20"), so that a glued credit can be dropped alone.
_TOKEN_RE = re.compile(
    r"[()\[\]{}]"
    r"|[A-Za-z][A-Za-z'’.\-_@]*(?<![.\-])"
    r"|[^\sA-Za-z()\[\]{}]+"
)


@dataclass
class _Tok:
    start: int
    end: int
    line: int
    key: str


def page_tokens(page: str) -> list[tuple[int, int, str]]:
    """``(start, end, key)`` of each token of ``page``, as the cleaner and fitted boilerplate see it."""
    return [(tok.start, tok.end, tok.key) for tok in _tokenize(page)[0]]


def _tokenize(page: str) -> tuple[list[_Tok], list[tuple[int, int]]]:
    """Tokens of ``page`` and the ``(start, end)`` of each line (before stripping)."""
    tokens: list[_Tok] = []
    lines: list[tuple[int, int]] = []
    position = 0
    for number, line in enumerate(page.splitlines(keepends=True)):
        body = line.rstrip("\r\n")
        lines.append((position, position + len(body)))
        for match in _TOKEN_RE.finditer(body):
            raw = match.group(0)
            key = _key(raw)
            if not key:
                continue
            tokens.append(_Tok(position + match.start(), position + match.end(), number, key))
        position += len(line)
    return tokens, lines


# --- token classes -------------------------------------------------------------------------------

_TERMINATOR_RE = re.compile(r"[.!?؟…]+[\"'”’»)\]]*$")
_LETTER_RE = re.compile(r"[^\W\d_]")
_SEPARATOR_TOKENS = frozenset("| / \\ - – — > >> < : ، , ؛ ; • · * + » « _ ~ = ^".split())
_ELLIPSIS = frozenset({"...", "…", ". . .", ".."})


def _is_word(key: str) -> bool:
    return bool(_LETTER_RE.search(key))


_QUOTES = frozenset({'"', "'", "«", "»", "“", "”", "„", "’", "‘"})


def _is_separator(key: str) -> bool:
    if key in _QUOTES or key in {"(", ")", "[", "]"}:
        return False
    return key in _SEPARATOR_TOKENS or (not _is_word(key) and not key.isdigit() and len(key) <= 3)


def _is_terminator(keys: Sequence[str], index: int) -> bool:
    """Whether token ``index`` ends a sentence (not an initial like ``د.`` or ``ع .``)."""
    key = keys[index]
    if not _TERMINATOR_RE.search(key):
        return False
    body = _TERMINATOR_RE.sub("", key)
    if body:
        return len(body) >= 2 and not body.isdigit()
    if index == 0:
        return False
    previous = keys[index - 1]
    if _TERMINATOR_RE.search(previous) and not _TERMINATOR_RE.sub("", previous):
        return False  # ". . ." counts once, at its first dot
    return len(previous) >= 2 or previous in {")", "]", '"', "”", "»"}


# --- content words (for "is this the same story?") ---------------------------------------------

_STOPWORDS = _wordset(
    "في من الي علي عن مع ان او ثم قد لا لم لن ما ماذا هذا هذه ذلك تلك التي الذي الذين هو هي هم",
    "كان كانت يكون تكون كل بعد قبل حتي بين عند منذ خلال اي ايضا كما وقد وفي ومن وعلي وان فيما",
    "انه انها بان لان الا غير اذا اذ حيث لكن بل وهو وهي وكان وكانت عليه عليها اليه فيه فيها منه",
    "منها لها له لهم به بها امام نحو ضد دون اكثر اقل جدا اليوم امس يوم عام العام قال وقال قالت",
    "وقالت اضاف واضاف اكد واكد الي the of and to in a for on is",
)
_PREFIXES = ("وبال", "وال", "بال", "فال", "كال", "ولل", "لل", "ال", "و", "ف", "ب", "ل")
_SUFFIXES = ("هما", "ها", "هم", "ات", "ين", "ون", "ان", "يه", "ه", "ي")


def _stem(word: str) -> str:
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word


def _content(keys: Iterable[str]) -> set[str]:
    out = set()
    for key in keys:
        if len(key) >= 3 and _is_word(key) and key not in _STOPWORDS:
            out.add(_stem(key))
    return out


def _overlap(following: set[str], before: set[str]) -> float:
    return len(following & before) / len(following) if following else 0.0


# --- line-level markers (applied to _marker_key of a whole line) --------------------------------

_END = rf"(?=\s|{_SEP}|[.…]|$)"
_SOURCE_RE = re.compile(rf"^(?:(?:ال)?مصدر(?:\s+(?:الخبر|الصوره|المقال))?|المصادر|sources?){_END}")
_KEYWORDS_RE = re.compile(
    rf"^(?:(?:ال)?كلمات\s+(?:ال)?(?:دلاليه|مفتاحيه|دليليه|البحث)|(?:ال)?وسوم|tags|keywords"
    rf"|هاشتاج|هاشتاغ){_END}"
)
_READ_ALSO_CORE = (
    r"(?:و?(?:اقرا|اق\s*-\s*-\s*را|اقراوا|طالع|طالعوا|شاهد|شاهدوا)\s*(?:ايضا|ايض\s*ا|كذلك)"
    r"|(?:read|see)\s+also)"
)
_READ_ALSO_RE = re.compile(rf"^{_READ_ALSO_CORE}(?=\s|{_SEP}|[.…]|$)")
_MORE_RE = re.compile(r"^للمزيد(?:\s*(?:[:：\-–—|.…]|$)|\s+(?:اقرا|طالع|اضغط|انقر|تابع|شاهد))")
_RELATED_HEAD = (
    r"(?:ال)?(?:مقالات|مواضيع|موضوعات|اخبار|قصص|تقارير)\s+(?:ال)?"
    r"(?:مشابهه|متعلقه|مقترحه|مرتبطه|ذات\s+صله|ذات\s+علاقه|اخري)"
    r"|ذات\s+صله|اقرا\s+المزيد|(?:قد\s+)?(?:يعجبك|يهمك)(?:\s+ايضا)?"
    r"|الاكثر\s+(?:قراءه|مشاهده|تداولا|شعبيه)|(?:اخر|احدث)\s+الاخبار"
    r"|related(?:\s+(?:articles|stories|news|posts))?|more\s+stories|read\s+more"
    r"|you\s+may\s+also\s+like"
)
_RELATED_RE = re.compile(rf"^(?:{_RELATED_HEAD})(?P<rest>.*)$")
_SHARE_RES = (
    (
        re.compile(
            r"^(?:شارك|شاركوا|شاركها|شاركه|شاركي)(?:\s+(?:المقال|الخبر|الموضوع|هذا|هذه|الفيديو"
            r"|الصوره|الصفحه|علي|عبر|مع|الان|برايك|رايك|اصدقاءك|اصدقائك))?"
            rf"(?=\s|{_SEP}|$)"
        ),
        8,
    ),
    (
        re.compile(
            r"^(?:تابعونا|تابعنا|تابعوا|تابع\s+(?:اخبارنا|صفحتنا|قناتنا|حسابنا))\s*(?:علي|عبر|في|:)"
        ),
        15,
    ),
    (re.compile(r"^(?:انقر|اضغط|اشترك|سجل|حمل)\s+(?:هنا|الان|علي\s+الرابط)"), 15),
    (re.compile(r"^(?:follow\s+us|share(?:\s+this)?|click\s+here|subscribe)\b"), 15),
)
_SOCIAL_WORDS = _wordset(
    "فيسبوك فيس بوك تويتر اكس x واتساب واتس اب تلغرام تيليجرام تليجرام لينكدان لينكد ان",
    "انستغرام انستجرام يوتيوب تيك توك facebook twitter whatsapp telegram linkedin instagram",
    "youtube tiktok email print طباعه مشاركه نسخ الرابط حفظ | - ، ,",
)
_BULLET_RE = re.compile(r"^(?:[•·▪▫◦‣⁃○●■□►▶◆◇➢➤✓✔]|[-*+–—](?=\s))")


def _is_source(key: str) -> bool:
    match = _SOURCE_RE.match(key)
    if match is None:
        return False
    rest = key[match.end() :].strip()
    if not rest:
        return True
    if re.match(_SEP, rest):
        return _words(rest) <= 10
    return _words(rest) <= 3 and not _ends_sentence(rest)


def _keywords_kind(key: str) -> str | None:
    """``"heading"`` for a bare keywords heading, ``"line"`` for one with tags, else ``None``."""
    match = _KEYWORDS_RE.match(key)
    if match is None:
        return None
    rest = _TRAIL_RE.sub("", key[match.end() :]).strip()
    if not rest:
        return "heading"
    if re.match(_SEP, rest):
        return "line" if _words(rest) <= 40 else None
    return "line" if _words(rest) <= 8 and not _ends_sentence(rest) else None


def _is_read_also(key: str) -> bool:
    """A line that is a "read also" marker (perhaps with the other article's headline)."""
    match = _READ_ALSO_RE.match(key)
    if match:
        rest = key[match.end() :].strip(" :：.…-–—|")
        if _ends_sentence(rest) and _words(rest) >= 8:
            return False  # the marker opens a sentence of the article: an in-line marker
        return _words(key) <= 25
    return bool(_MORE_RE.match(key)) and _words(key) <= 15


def _is_related_heading(key: str) -> bool:
    match = _RELATED_RE.match(_TRAIL_RE.sub("", key))
    if match is None:
        return False
    rest = match.group("rest").strip()
    return not rest or (bool(re.match(_SEP, rest)) and _words(rest) <= 25)


def _is_share(key: str) -> bool:
    for pattern, max_words in _SHARE_RES:
        if pattern.match(key):
            return _words(key) <= max_words and not key.endswith(".")
    tokens = key.split()
    return bool(tokens) and all(token in _SOCIAL_WORDS for token in tokens)


def _headline_like(line: str) -> bool:
    return _words(line) <= 20 and not line.rstrip(" \"'”’»)]").endswith(".")


def _is_bullet_headline(line: str) -> bool:
    return bool(_BULLET_RE.match(line)) and _words(line) <= 26 and _headline_like(line)


# --- markers found anywhere in a line (applied to the line's joined token keys) ----------------

_AL = r"(?:ال)?"
# Families that end the article: the marker and what follows go, unless the story continues.
_TAIL_PATTERNS: dict[str, str] = {
    "copyright": (
        r"(?:جميع|كافه|كل)\s*(?:ال)?حقوق(?:\s+\S+){0,3}?\s+(?:محفوظه|محفوظة)"
        r"|حقوق\s+(?:ال)?(?:نشر|طبع|ملكيه|موقع|تاليف)\s+محفوظه|الحقوق\s+محفوظه"
        r"|copyrights?\b|all\s+rights\s+reserved|©"
    ),
    "related": (
        rf"{_AL}(?:مقالات|مواضيع|موضوعات|اخبار|قصص|تقارير|روابط|عناوين|فيديوهات|مقاطع)\s+{_AL}"
        r"(?:ذات\s+صله|ذات\s+علاقه|مشابهه|متعلقه|مرتبطه|مقترحه|ذات\s+الصله)"
        r"|ذات\s+صله\s*:|الاكثر\s*(?:قراءه|مشاهده|تعليقا|تقييما|قراء)"
        r"|مواضيع\s+قد\s+تهمك|قد\s+(?:يعجبك|يهمك|ينال\s+اعجابك)|اخترنا\s+لك"
        r"|اختيارات\s+(?:المحرر|القراء)|الخبر\s+التالي|متعلقه\s+بالموضوع|متعلقه\s+بالبحث"
        r"|(?:مقالات|اعمال)\s+اخري\s+للكاتب"
        r"|recommended\b|related\s+(?:articles|stories|posts|news)|you\s+may\s+also\s+like"
        r"|most\s+(?:read|popular|viewed)|more\s+stories"
        r"|هل\s+تريد\s+تصفح|تصفح\s+(?:عدد\s+اليوم|ايضا)"
    ),
    "keywords": (
        r"(?:ال)?كلمات\s+(?:ال)?(?:دلاليه|مفتاحيه|دليليه|البحث|دال\s*ه)|(?:ال)?وسوم\b"
        r"|الوسم\s*:|\btags\s*:|هاشتاج"
    ),
    "share": (
        r"شارك(?:ها|ه|وا)?\s+(?:المقال|الخبر|الموضوع|تعليقك|بتقييم|مع\s+اصدقائك|عبر|علي\s+(?:"
        r"فيس|تويتر|واتس))|تابع(?:ونا|نا|وا)\s*(?:علي|عبر|في)\s*(?:فيس|تويتر|تلغرام|تليجرام|"
        r"انستغرام|يوتيوب|الشبكات|مواقع|صفحتنا|قناتنا|x\b|:)|تابعوا\s+ابرز|لا\s+تنسوا\s+(?:عمل|"
        r"الاشتراك)|(?:عمل|اعمل|اضغط)\s+لايك|قيم\s+(?:الخبر|الموضوع|المقال)|هل\s+اعجبك\s+الموضوع"
        r"|طباعه\s+الرابط|telegram\s*whatsapp|share\s+(?:this|on)\b|follow\s+us\b"
        r"|تابع\s+\S+\s+علي\s+(?:فيسبوك|تويتر)"
    ),
    "comments": (
        r"(?:اضف|اكتب|اترك|ارسل)\s+(?:تعليق|تعليقك|تعليقا|ردا)|لن\s+يتم\s+نشر\s+(?:عنوان\s+)?"
        r"بريدك|الحقول\s+(?:الالزاميه|المطلوبه)|مشاركتك\s+بالتعليق|انتهت\s+الفتره\s+المسموحه"
        r"|انقر\s+لاضافه\s+تعليق|تعليقات\s+(?:فيسبوك|القراء|الزوار)|لا\s+توجد\s+تعليقات"
        r"|التعليقات\s+(?:علي\s+.{0,120}?)?مغلقه|اسم\s+المرسل|leave\s+a\s+(?:reply|comment)"
        r"|تم\s+ارسال\s+تعليقك|بروتوكول\s+نشر\s+التعليقات"
    ),
    "newsletter": (
        r"اشترك\s+(?:الان|معنا|في\s+(?:قائمتنا|نشرتنا|ال)?(?:نشر|قائم|قنا|خدم)\S*)"
        r"|(?:ال)?نشره\s+(?:ال)?(?:بريديه|اخباريه|الدوريه)|(?:ال)?قائمه\s+(?:ال)?بريديه"
        r"|ادخل\s+(?:عنوان\s+)?بريدك|عنوانك\s+البريدي|email\s+address|newsletter|subscribe\b"
        r"|سجل\s+(?:ايميلك|بريدك)|لتلقي\s+اهم\s+الاخبار|سنرسل\s+لك"
    ),
    "login": (
        r"تسجيل\s+(?:ال)?دخول|user\s+login|كلمه\s+(?:ال)?(?:سر|مرور)|اسم\s+المستخدم"
        r"|نسيت\s+كلمه|\bsign\s+in\b|\blog\s*in\b"
    ),
    "cookie": (
        r"ملفات\s+(?:تعريف\s+)?(?:ال)?ارتباط|(?:ال)?كوكيز|\bcookies?\b|سياسه\s+(?:ال)?خصوصيه"
        r"|privacy\s+policy"
    ),
    "ad": r"مانع\s+(?:ال)?اعلانات|\badvertisement\b|\bads\s+by\b|اعلانات\s+جوجل",
    "site": (
        r"من\s+نحن\s*(?:\.\s*\.|\?|$|\s+(?:اتصل|اعلن|سياسه))|اتصل\s+بنا|تواصل\s+معنا|"
        r"خريطه\s+الموقع|شروط\s+(?:ال)?استخدام|تصميم\s+و\s*تطوير|تم\s+التصميم|"
        r"please\s+enable\s+javascript|جميع\s+الحقول\s+المعلمه|هيئه\s+التحرير\s*:?"
        r"|\bpowered\s+by\b|كلمه\s+الموقع|عن\s+الموقع"
    ),
    "source": r"(?<!\S)(?:ال)?مصدر\s*:\s*(?=\S)|(?<!\S)المصادر\s*:",
}
# Bounded groups need a boundary before them (they start a sentence, not continue one).
_TAIL_PATTERNS["related_b"] = (
    r"(?:اخر|احدث|اهم)\s+(?:الاخبار|المقالات|العناوين|الاضافات|المواضيع|الاعداد)"
    r"|المزيد\s+من\s+(?:الاخبار|المقالات|الموضوعات)|اقرا\s+المزيد|المزيد\s+من\s*-"
)
_TAIL_KIND = {name: ("related" if name == "related_b" else name) for name in _TAIL_PATTERNS}
_TAIL_RE = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _TAIL_PATTERNS.items()))
_BOUNDED_FAMILIES = frozenset({"share", "comments", "source", "login", "site", "newsletter", "related_b"})

# Notices dropped where they are (the rest of the line stays).
_INLINE_PATTERNS: dict[str, str] = {
    "media": (
        r"جهازك\s+لا\s+يدعم\s+تشغيل\s+(?:ال)?فيديو|your\s+browser\s+does\s+not\s+support\s+the"
        r"\s+(?:video|audio)(?:\s+tag)?\s*\.?|(?:\d{9,}\s+)?[0-9a-f]{8}\s*-\s*[0-9a-f]{4}\s*-\s*"
        r"[0-9a-f]{4}\s*-\s*[0-9a-f]{4}\s*-\s*[0-9a-f]{12}(?:\s+[0-9a-f]{8}\s*-\s*[0-9a-f]{4}\s*-"
        r"\s*[0-9a-f]{4}\s*-\s*[0-9a-f]{4}\s*-\s*[0-9a-f]{12})?(?:\s+video)?"
        r"|enable\s+javascript\s+to\s+view(?:\s+the)?|view\s+the\s+results\s+at\s+google"
        r"|(?:لمشاهده|شاهد)\s+(?:ال)?فيديو\s*:|اضغط\s+(?:هنا\s+)?لمشاهده\s+(?:ال)?فيديو"
    ),
    "navigation": (
        r"accessibility\s+links|روابط\s+الدخول|search\s+(?:this\s+site|for)\s*:?(?:\s*\"\s*)*"
        r"|بحث\s+متقدم|حجم\s+(?:ال)?خط|untitled\s+document|skip\s+to\s+(?:main\s+)?content"
        r"|انتقل\s+الي\s+المحتوي|اختر\s+(?:ال)?(?:مدينه|لغه|اللغه)(?:\s+اختر\s+(?:ال)?مدينه)?"
        r"|لقد\s+اخترت\s+.{0,40}?كلغه\s+(?:ال)?اعدادات\s+(?:ال)?خاصه\s+بك\s*\.?"
        r"|(?:البث\s+المباشر\s+البرنامج\s+المقبل\s*)+|مختارات\s+صوتيه|خيارات\s+اخري"
        r"|تاريخ\s+النشر\s*:|(?:^|\s)a\s+a(?=\s|$)|انت\s+الان\s+تقوم\s+بتصفح.{0,60}?(?=\S+\s|$)"
        r"|الصفحه\s+الرئيسيه\s*(?:>|/)|تصفح\s+محتوي\s+التغطيه|اللغات\s+متوفر\s+ب\s*-?"
    ),
    "author": (
        r"(?:بقلم|كتب|كتبت|اعداد|الكاتب|تحرير)\s*(?:[:/\-]\s*)+(?:[^\s:|.]{2,}\s+){0,2}[^\s:|.]{2,}"
        r"(?:\s*:)?"
    ),
    "date": (
        r"(?:اخر\s+)?تحديث\s*(?::|\(|\s)\s*(?:\S+\s+){0,2}?\d{1,2}\s*:\s*\d{2}(?:\s*:\s*\d{2})?"
        r"(?:\s*\))?(?:\s*ت\s*\.\s*غ)?(?:\s*\))?\s*:?"
    ),
}
_INLINE_RE = re.compile(
    "|".join(f"(?P<{name}>{pattern})" for name, pattern in _INLINE_PATTERNS.items())
)
# Latin photo credits: "AP Photo / Name", "REUTERS / NAME", "AFP 2017 / Name", "Getty Images".
_LATIN_CREDIT_RE = re.compile(
    r"\b(?:ap\s+photo|ap|afp|epa|reuters|getty\s+images|getty|anadolu|aa|shutterstock)\b"
    r"(?:\s+\d{4})?\s*/\s*(?:[a-z][a-z'’\-]*\s*){0,3}"
    r"|\b(?:getty\s+images|ap\s+photo)\b"
)
# DW-style initials credit: "ع . أ . ج / أ . ح ( أ ف ب , د ب أ )".
_INITIALS_CREDIT_RE = re.compile(
    r"(?:(?<=\s)|^)(?:[^\W\d_]\s*[./]\s*){2,}[^\W\d_](?:\s+[^\W\d_]){0,3}\s*"
    r"\(\s*(?:[^()]{1,12}\s*[,،]\s*){0,3}[^()]{1,12}\)"
)

# --- dates ---------------------------------------------------------------------------------------

_MONTHS = _wordset(
    "يناير فبراير مارس ابريل مايو يونيو يونيه يوليو يوليه اغسطس سبتمبر اكتوبر نوفمبر ديسمبر",
    "كانون شباط اذار نيسان ايار حزيران تموز اب ايلول تشرين",
    "محرم صفر ربيع جمادي رجب شعبان رمضان شوال القعده الحجه",
    "january february march april may june july august september october november december",
    "jan feb mar apr jun jul aug sep sept oct nov dec",
)
_MONTH_PARTS = _wordset("الثاني الاول الاولي الاخر الاخره ثاني اول ذو ذي")
_WEEKDAYS = _wordset(
    "الاحد الاثنين الثلاثاء الثلثاء الاربعاء الخميس الجمعه السبت",
    "sunday monday tuesday wednesday thursday friday saturday",
)
_DATE_WORDS = _wordset(
    "gmt est utc بتوقيت غرينتش جرينتش جرينيتش جرنتش مكه المكرمه الساعه تحديث نشر بتاريخ العدد",
    "رقم ه هـ م ص مساء صباحا صباح ميلادي هجري الموافق ل ت غ am pm اخر القدس دمشق",
)
_DATE_STRONG = _wordset("gmt est utc بتوقيت غرينتش جرينتش الساعه تحديث نشر العدد الموافق")
_PREPOSITIONS = _wordset(
    "في من منذ حتي حتى الي علي يوم اليوم بتاريخ خلال قبل بعد مطلع نهايه اواخر اوائل منتصف",
    "عام العام شهر شهري شهور اشهر وفي ومنذ وحتي ويوم مساء صباح ليل ليله فجر ظهر عصر اعتبارا",
    "بين وبين او و تاريخ",
)


def _date_class(keys: Sequence[str], index: int) -> str:
    """``"num"``, ``"month"``, ``"day"``, ``"word"``, ``"sep"`` or ``""`` for token ``index``."""
    key = keys[index]
    if key.isdigit():
        return "num"
    if re.fullmatch(r"\d{1,4}(?:[./:\-]\d{1,4})+", key):
        return "num"
    if key in _MONTHS or (key.startswith("و") and key[1:] in _MONTHS and len(key) > 3):
        return "month"
    if key in _MONTH_PARTS and index and keys[index - 1] in {"كانون", "تشرين", "ربيع", "جمادي"}:
        return "month"
    if key in _WEEKDAYS:
        return "day"
    if key in _DATE_WORDS:
        return "word"
    if key in {"/", "-", ":", ",", "،", "|", ".", "(", ")", "[", "]", "–", "—"}:
        return "sep"
    return ""


# --- photo captions ------------------------------------------------------------------------------

# Agency names as written in a credit (matched on the key of the bracketed text).
_AGENCIES = (
    r"الاناضول|رويترز|الفرنسيه|فرانس\s*برس|ا\s*[.\s]\s*ف\s*[.\s]\s*ب|اف\s*ب|غيتي(?:\s+ايميجز)?"
    r"|جيتي(?:\s+ايميجز)?|الجزيره(?:\s+نت)?|اسوشيتد\s*برس|اسوشيتدبرس|الاسوشيتد\s*برس"
    r"|ا\s*[.\s]\s*ب(?:\s*[.\s]\s*ا)?|د\s*[.\s]\s*ب\s*[.\s]\s*ا|الاوروبيه|الالمانيه|وكالات"
    r"|مواقع\s+التواصل(?:\s+الاجتماعي)?|ارشيفيه|ارشيف|شترستوك|وام|واس|سانا|بترا|كونا|قنا"
    r"|منصه\s+اكس|انترنت|الانترنت|الدرر\s+الشاميه|getty(?:\s+images)?|reuters|afp|ap|epa|aa"
    r"|shutterstock|الصوره\s+(?:من|عن)\s+\S+"
)
_CREDIT_BODY_RE = re.compile(
    rf"^(?:{_AGENCIES})(?:\s*[/\-–—+|،,]\s*(?:{_AGENCIES}|صوره|خاص|ارشيفيه?))*$"
)
# Written forms (before alef is unified) that are Arabic words, not agency abbreviations.
_NOT_AGENCY_RAW = frozenset({"آب", "أب", "وأم", "أم", "إب"})
_POSITION_NOTES = _wordset("وسط يمين يسار اليمين اليسار الوسط يمينا يسارا")
# Words that introduce a named outlet inside a sentence ("told (Reuters)") rather than a credit.
_INTRO_WORDS = _wordset(
    "وكاله لوكاله بوكاله قناه لقناه موقع لموقع شبكه لشبكه صحيفه لصحيفه مراسل لمراسل مراسله",
    "مراسلو حسب بحسب وفق وفقا نقلا عن ل لـ تقرير لتقرير قال وقال قالت وقالت ذكرت وذكرت اكدت",
    "افادت نقلت اوردت ابلغ ابلغت اخبر تحدث صرح صرحت الانباء للانباء انباء",
)
# Verbs and attribution words that make the text before a bracket a sentence, not a caption.
_REPORT_WORDS = _wordset(
    "قال وقال قالت وقالت اكد واكد اكدت واكدت ذكر وذكر ذكرت وذكرت اعلن واعلن اعلنت واعلنت افاد",
    "وافاد افادت وافادت نقل ونقل نقلت ونقلت اضاف واضاف اضافت واضافت اوضح واوضح اوضحت واوضحت",
    "تصريح تصريحات بيان حديث مقابله لوكاله وكاله بحسب وفق وفقا نقلا يقول وتقول تقول ويقول صرح",
    "وصرح اشار واشار اشارت واشارت كشف وكشف كشفت وكشفت اعتبر واعتبر",
)


# --- the page model ------------------------------------------------------------------------------


class _Page:
    """Tokens of one page and, for each, the kind of block it was dropped as (or ``None``)."""

    def __init__(self, page: str) -> None:
        self.text = page
        self.toks, self.line_spans = _tokenize(page)
        self.keys = [tok.key for tok in self.toks]
        self.kind: list[str | None] = [None] * len(self.toks)
        self.by_line: list[list[int]] = [[] for _ in self.line_spans]
        for index, tok in enumerate(self.toks):
            self.by_line[tok.line].append(index)
        # token index ranges of each article; the main one first
        self.articles: list[tuple[int, int]] = []
        self.markers: dict[int, tuple[int, int]] = {}  # article start -> its read-also marker

    def line_text(self, line: int) -> str:
        start, end = self.line_spans[line]
        return self.text[start:end].strip(_STRIP_CHARS)

    def drop(self, start: int, end: int, kind: str, *, force: bool = False) -> None:
        for index in range(start, end):
            if force or self.kind[index] is None:
                self.kind[index] = kind

    def drop_line(self, line: int, kind: str) -> None:
        for index in self.by_line[line]:
            if self.kind[index] is None:
                self.kind[index] = kind

    def kept(self, start: int, end: int) -> list[int]:
        return [i for i in range(start, end) if self.kind[i] is None]


def _joined(keys: Sequence[str], indices: Sequence[int]) -> tuple[str, list[int]]:
    """The keys of ``indices`` joined by spaces, and each token's offset in that string."""
    offsets: list[int] = []
    parts: list[str] = []
    position = 0
    for index in indices:
        offsets.append(position)
        parts.append(keys[index])
        position += len(keys[index]) + 1
    return " ".join(parts), offsets


def _covering(offsets: list[int], lengths: list[int], start: int, end: int) -> tuple[int, int]:
    """Positions (into ``offsets``) of the first and one-past-last token touching [start, end)."""
    first = max(0, bisect.bisect_right(offsets, start) - 1)
    if offsets[first] + lengths[first] <= start:
        first += 1
    last = bisect.bisect_left(offsets, end)
    return first, max(last, first + 1)


def _sentence_spans(page: _Page, indices: Sequence[int]) -> list[list[int]]:
    """``indices`` (kept tokens in order) cut into sentences at terminators and line ends."""
    keys = page.keys
    sentences: list[list[int]] = []
    current: list[int] = []
    for position, index in enumerate(indices):
        if current and page.toks[index].line != page.toks[current[-1]].line:
            sentences.append(current)
            current = []
        current.append(index)
        if _is_terminator(keys, index):
            nxt = indices[position + 1] if position + 1 < len(indices) else None
            if nxt is not None and _TERMINATOR_RE.fullmatch(keys[nxt] or "x"):
                continue  # ". . ." : end at the last dot
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def _is_prose(page: _Page, sentence: Sequence[int], *, min_words: int = 8) -> bool:
    """A sentence of the article: long enough, ends like a sentence, not a teaser or a menu."""
    keys = [page.keys[i] for i in sentence]
    words = [k for k in keys if _is_word(k)]
    if len(words) < min_words:
        return False
    if not _is_terminator(keys, len(keys) - 1):
        return False
    tail = " ".join(keys[-3:])
    if tail.endswith((". . .", "...", "…")):
        return False
    separators = sum(1 for k in keys if k in {"|", "/", ">", "•"})
    latin = sum(1 for k in words if k.isascii())
    return separators <= 2 and latin <= len(words) // 2


# --- rules: whole lines --------------------------------------------------------------------------


def _mark_given_lines(page: _Page, lines: set[str]) -> None:
    if not lines:
        return
    for number in range(len(page.line_spans)):
        text = page.line_text(number)
        if text and _TRAIL_RE.sub("", _marker_key(text)) in lines:
            page.drop_line(number, "boilerplate")


def _mark_fitted(page: _Page, fitted: SpanBoilerplate, start: int, end: int) -> None:
    """Spans learned from the corpus; a covered sentence of the article's own story stays.

    Learned runs can include sentences of stories that many pages repeat (wire copy,
    background paragraphs). A covered prose sentence is kept when most of the page's prose is
    covered (the page *is* such a story) or when it shares its content words with the page's
    uncovered prose (it belongs to this article).
    """
    indices = page.kept(start, end)
    if not indices:
        return
    keys = [page.keys[i] for i in indices]
    covered: set[int] = set()
    for a, b in fitted.spans(keys):
        covered.update(range(a, min(b, len(indices))))
    if not covered:
        return
    position_of = {index: position for position, index in enumerate(indices)}
    sentences = _sentence_spans(page, indices)
    prose = [_is_prose(page, sentence) for sentence in sentences]
    prose_words = covered_words = 0
    uncovered: set[str] = set()
    for sentence, is_prose in zip(sentences, prose):
        if not is_prose:
            continue
        words = [i for i in sentence if _is_word(page.keys[i])]
        prose_words += len(words)
        hits = sum(1 for i in words if position_of[i] in covered)
        covered_words += hits
        if hits < len(words) / 2:
            uncovered |= _content(page.keys[i] for i in sentence)
    story = prose_words and covered_words > prose_words / 2
    for sentence, is_prose in zip(sentences, prose):
        hit = [position_of[i] for i in sentence if position_of[i] in covered]
        if not hit:
            continue
        if is_prose:
            if story:
                continue
            if _overlap(_content(page.keys[i] for i in sentence), uncovered) >= 0.35:
                continue
        for position in hit:
            page.kind[indices[position]] = "site"


def _mark_line_markers(page: _Page, line_numbers: Sequence[int]) -> None:
    """Source, keywords, related headings (and the headlines under them), share prompts."""
    in_related = False
    in_tags = False
    for number in line_numbers:
        text = page.line_text(number)
        if not text or all(page.kind[i] is not None for i in page.by_line[number]):
            continue
        key = _marker_key(text)
        keywords = _keywords_kind(key)
        if _is_source(key):
            page.drop_line(number, "source")
        elif keywords is not None:
            page.drop_line(number, "keywords")
            in_tags = keywords == "heading"
            continue
        elif _is_related_heading(key):
            page.drop_line(number, "related")
            in_related = True
        elif _is_share(key):
            page.drop_line(number, "share")
        elif in_related and (_headline_like(text) or _BULLET_RE.match(text)):
            page.drop_line(number, "related")
        elif in_tags and _words(key) <= 4 and not re.search(r"[.!?؟؛]", key):
            page.drop_line(number, "keywords")
            continue
        else:
            in_related = False
        in_tags = False


def _mark_bullet_lists(page: _Page, line_numbers: Sequence[int]) -> None:
    """Runs of short bullet lines (related headlines) not introduced by a colon."""
    texts = {n: page.line_text(n) for n in line_numbers}
    live = [n for n in line_numbers if texts[n] and any(page.kind[i] is None for i in page.by_line[n])]
    position = 0
    while position < len(live):
        number = live[position]
        if not _is_bullet_headline(texts[number]):
            position += 1
            continue
        run = [number]
        cursor = position + 1
        while cursor < len(live) and _is_bullet_headline(texts[live[cursor]]):
            run.append(live[cursor])
            cursor += 1
        before = live[position - 1] if position else None
        introduced = before is not None and texts[before].endswith(":")
        trailing = cursor >= len(live)
        if not introduced and (len(run) >= 2 or trailing):
            for line in run:
                page.drop_line(line, "related")
        position = cursor


def _mark_repeated_lines(page: _Page, line_numbers: Sequence[int], given: set[str]) -> None:
    """Short lines that occur more than once: page furniture, or a sentence kept once."""
    keyed: dict[int, str] = {}
    for number in line_numbers:
        if any(page.kind[i] is None for i in page.by_line[number]):
            text = page.line_text(number)
            key = _TRAIL_RE.sub("", _marker_key(text))
            if key:
                keyed[number] = key
    counts = Counter(keyed.values())
    seen: set[str] = set()
    for number, key in keyed.items():
        text = page.line_text(number)
        short = _words(key) <= 8 or (_words(key) <= 12 and not _ends_sentence(text))
        if key in given:
            page.drop_line(number, "boilerplate")
        elif counts[key] > 1 and short:
            sentence = _ends_sentence(text) and _words(key) >= 4
            if not sentence:
                page.drop_line(number, "boilerplate")
            elif key in seen:
                page.drop_line(number, "duplicate")
        seen.add(key)


# --- rules: "read also" and the articles of a page ------------------------------------------------


def _read_also_markers(page: _Page) -> list[tuple[int, int, bool]]:
    """``(first token, end token, whole_line)`` of each "read also" marker, in page order."""
    found: list[tuple[int, int, bool]] = []
    for number, indices in enumerate(page.by_line):
        if not indices:
            continue
        text = page.line_text(number)
        if _is_read_also(_marker_key(text)):
            found.append((indices[0], indices[-1] + 1, True))
            continue
        joined, offsets = _joined(page.keys, indices)
        lengths = [len(page.keys[i]) for i in indices]
        for match in re.finditer(_READ_ALSO_CORE + r"(?:\s*[:：.…]+)?", joined):
            if match.start() and joined[match.start() - 1] not in " ":
                continue
            first, last = _covering(offsets, lengths, match.start(), match.end())
            found.append((indices[first], indices[min(last, len(indices)) - 1] + 1, False))
    return found


def _different_article(page: _Page, marker_end: int, stop: int, before: set[str]) -> bool:
    """Whether the text after a "read also" marker is another article, not the same story.

    It is when it opens with a headline (a short line, or a short first chunk without end
    punctuation) or shares few content words with the article before the marker.
    """
    indices = page.kept(marker_end, stop)
    if not indices or not before:
        return True
    sentences = _sentence_spans(page, indices)
    first_keys = [page.keys[i] for i in sentences[0]]
    first_words = sum(1 for k in first_keys if _is_word(k))
    headline = first_words <= 20 and not _is_terminator(page.keys, sentences[0][-1])
    following = _content(page.keys[i] for i in indices[:200])
    overlap = _overlap(following, before)
    continues = first_keys[0].startswith("و") and len(first_keys[0]) > 2 and not headline
    if headline:
        return overlap < 0.6
    if continues:
        return overlap < 0.15
    return overlap < 0.3


def _split_articles(page: _Page) -> None:
    """Cut the page into articles at "read also" markers that open another article."""
    markers = _read_also_markers(page)
    starts: list[tuple[int, int]] = []  # (marker start, marker end = next article's start)
    article_start = 0
    for position, (m_start, m_end, whole_line) in enumerate(markers):
        if page.kind[m_start] is not None:
            continue
        stop = markers[position + 1][0] if position + 1 < len(markers) else len(page.toks)
        before_tokens = page.kept(article_start, m_start)
        before_words = sum(1 for i in before_tokens if _is_word(page.keys[i]))
        if whole_line and not before_words:
            # a page (or article) that opens with "read also": the article after it is the one
            if article_start == 0:
                starts.append((m_start, m_end))
                article_start = m_end
            page.drop(m_start, m_end, "read_also")
            continue
        if not whole_line and _prose_words(page, before_tokens) < 25:
            page.drop(m_start, m_end, "read_also")  # a marker in the page head
            continue
        before = _content(page.keys[i] for i in before_tokens)
        if _different_article(page, m_end, stop, before):
            starts.append((m_start, m_end))
            article_start = m_end
        page.drop(m_start, m_end, "read_also")
    page.articles = []
    begin = 0
    for m_start, m_end in starts:
        page.articles.append((begin, m_start))
        begin = m_end
        page.markers[begin] = (m_start, m_end)
    page.articles.append((begin, len(page.toks)))


# --- rules: the page head ------------------------------------------------------------------------

_HEAD_WINDOW = 160
_SITE_WORDS = _wordset(
    "موقع صحيفه جريده شبكه قناه وكاله بوابه مجله اذاعه تلفزيون مركز الموقع الرسمي نت news net com",
    "online arabic arabia tv press times post agency center centre network org",
)


def _mark_head(page: _Page, start: int, end: int) -> None:
    """A headline repeated around the site name, menus and dates: all of it is page furniture."""
    indices = page.kept(start, end)[:_HEAD_WINDOW]
    keys = [page.keys[i] for i in indices]
    n = len(keys)
    if n < 8:
        return
    grams: dict[tuple[str, ...], list[int]] = {}
    for position in range(n - 3):
        grams.setdefault(tuple(keys[position : position + 4]), []).append(position)
    best: tuple[int, int, int] | None = None  # (end of last copy, first copy start, length)
    for positions in grams.values():
        if len(positions) < 2 or positions[0] > 40:
            continue
        p = positions[0]
        if not _at_boundary(page, indices[p], start):
            continue
        for q in positions[1:]:
            if not _at_boundary(page, indices[q], start) and not _follows_copy(keys, p, q):
                continue
            length = 4
            while q + length < n and p + length < q and keys[p + length] == keys[q + length]:
                length += 1
            if q < p + length:
                continue
            words = sum(1 for k in keys[p : p + length] if _is_word(k))
            if words < 3:
                continue
            between = _sentence_spans(page, indices[p + length : q])
            if any(_is_prose(page, s) for s in between):
                continue
            candidate = (q + length, p, length)
            if best is None or candidate > best:
                best = candidate
    if best is not None:
        last_end, first, _ = best
        leading = _sentence_spans(page, indices[:first])
        cut_from = 0 if not any(_is_prose(page, s) for s in leading) else first
        for position in range(cut_from, last_end):
            index = indices[position]
            if page.kind[index] is None:
                page.kind[index] = "navigation"
        return
    _mark_site_name(page, indices)


def _follows_copy(keys: Sequence[str], p: int, q: int) -> bool:
    """Whether position ``q`` comes right after a copy of the phrase that starts at ``p``."""
    for length in range(4, min(q - p, 40) + 1):
        if keys[q - length : q] == keys[p : p + length] and q - length >= p:
            return True
    return False


def _mark_site_name(page: _Page, indices: Sequence[int]) -> None:
    """``headline - Site Name`` / ``headline | Site``: the site name after the headline goes."""
    keys = [page.keys[i] for i in indices]
    first_line = page.toks[indices[0]].line
    for position, key in enumerate(keys[:30]):
        if page.toks[indices[position]].line != first_line:
            return
        if key not in {"-", "|", "–", "—"} or position < 3:
            continue
        name: list[int] = []
        for offset in range(position + 1, min(position + 8, len(keys))):
            if keys[offset] in {"-", "|", "–", "—"}:
                break
            name.append(offset)
        if not name or len(name) > 6:
            continue
        words = [keys[o] for o in name]
        if any(w in _SITE_WORDS for w in words) or all(w.isascii() for w in words):
            for offset in [position, *name]:
                index = indices[offset]
                if page.kind[index] is None:
                    page.kind[index] = "site"
            if name[-1] + 1 < len(keys) and keys[name[-1] + 1] in {"-", "|", "–", "—"}:
                page.kind[indices[name[-1] + 1]] = "site"
            return


# --- rules: markers anywhere in a line ------------------------------------------------------------


def _iter_line_matches(
    page: _Page, regex: re.Pattern[str], start: int, end: int
) -> Iterable[tuple[str, int, int]]:
    """``(family, first token, end token)`` of each match of ``regex`` in the kept tokens."""
    lines: dict[int, list[int]] = {}
    for index in page.kept(start, end):
        lines.setdefault(page.toks[index].line, []).append(index)
    for indices in lines.values():
        joined, offsets = _joined(page.keys, indices)
        lengths = [len(page.keys[i]) for i in indices]
        for match in regex.finditer(joined):
            if match.end() <= match.start():
                continue
            family = match.lastgroup or ""
            first, last = _covering(offsets, lengths, match.start(), match.end())
            last = min(last, len(indices))
            if last <= first:
                continue
            yield family, indices[first], indices[last - 1] + 1


def _at_boundary(page: _Page, index: int, article_start: int) -> bool:
    """Whether token ``index`` starts a sentence or a block (line start, after punctuation...)."""
    previous = index - 1
    if previous < article_start or page.kind[previous] is not None:
        return True
    if page.toks[previous].line != page.toks[index].line:
        return True
    key = page.keys[previous]
    return _is_separator(key) or bool(_TERMINATOR_RE.search(key)) or key in {")", "]"}


def _mark_inline(page: _Page, start: int, end: int) -> None:
    for family, first, last in list(_iter_line_matches(page, _INLINE_RE, start, end)):
        if family == "author" and not _at_boundary(page, first, start):
            continue
        page.drop(first, last, family)
    for regex, kind in ((_LATIN_CREDIT_RE, "caption"), (_INITIALS_CREDIT_RE, "author")):
        for _, first, last in list(_iter_line_matches(page, regex, start, end)):
            page.drop(first, last, kind)
    # DW's "مختارات" (selections) glued between two sentences
    for index in page.kept(start, end):
        if page.keys[index] != "مختارات":
            continue
        nxt = index + 1
        if (
            _at_boundary(page, index, start)
            or nxt >= end
            or page.toks[nxt].line != page.toks[index].line
            or page.keys[nxt].startswith(("و", "من", "في"))
        ):
            page.kind[index] = "navigation"


def _mark_tail(page: _Page, start: int, end: int) -> None:
    """End-of-article markers: drop them and what follows, unless the story goes on."""
    matches = sorted(_iter_line_matches(page, _TAIL_RE, start, end), key=lambda m: m[1])
    for group, first, last in matches:
        family = _TAIL_KIND[group]
        if page.kind[first] is not None:
            continue
        if group in _BOUNDED_FAMILIES and not _at_boundary(page, first, start):
            continue
        before_tokens = page.kept(start, first)
        after_tokens = page.kept(last, end)
        before_prose = _prose_words(page, before_tokens)
        # in the page head, or before most of the article: only the marker and what is not
        # article prose right after it go
        head = before_prose < 25 or _prose_words(page, after_tokens) > before_prose
        before = _content(page.keys[i] for i in before_tokens)
        sentences = _sentence_spans(page, after_tokens)
        cut_to = end
        skipped = 0
        for position, sentence in enumerate(sentences):
            if _is_prose(page, sentence):
                if head:
                    cut_to = sentence[0]
                    break
                window = [i for s in sentences[position : position + 3] for i in s]
                overlap = _overlap(_content(page.keys[i] for i in window), before)
                if overlap >= 0.3 or (page.keys[sentence[0]].startswith("و") and overlap >= 0.15):
                    cut_to = sentence[0]
                    break
            skipped += len(sentence)
            if skipped > 80 and not head:
                break
        page.drop(first, cut_to, family)
        if cut_to == end:
            _assign_tail_kinds(page, first, end, family, matches)
            return


def _assign_tail_kinds(
    page: _Page, start: int, end: int, family: str, matches: list[tuple[str, int, int]]
) -> None:
    """Inside a dropped tail, each later marker starts a block of its own kind."""
    points = sorted((first, _TAIL_KIND[group]) for group, first, _ in matches if start < first < end)
    current = family
    cursor = start
    for point, point_kind in [*points, (end, family)]:
        for index in range(cursor, point):
            if page.kind[index] == family:
                page.kind[index] = current
        cursor, current = point, point_kind


# --- rules: dates, captions, galleries -----------------------------------------------------------


def _mark_dates(page: _Page, start: int, end: int) -> None:
    """Stand-alone dates and timestamps (a date inside a sentence stays)."""
    indices = page.kept(start, end)
    keys = [page.keys[i] for i in indices]
    classes = [_date_class(keys, position) for position in range(len(keys))]
    position = 0
    while position < len(keys):
        if classes[position] in {"", "sep"}:
            position += 1
            continue
        line = page.toks[indices[position]].line
        run_end = position
        while run_end < len(keys) and classes[run_end] and page.toks[indices[run_end]].line == line:
            run_end += 1
        first, last = position, run_end
        while last > first and classes[last - 1] == "sep" and keys[last - 1] not in {")", "]"}:
            last -= 1
        position = run_end
        if _is_date_run(page, indices, keys, classes, first, last, start):
            for p in range(first, last):
                page.kind[indices[p]] = "date"


def _credit_at(page: _Page, open_index: int, stop: int) -> int | None:
    """If a bracketed agency credit opens at ``open_index``, the index after its ``)``."""
    close = None
    for index in range(open_index + 1, min(open_index + 9, stop)):
        if page.keys[index] == ")":
            close = index
            break
        if page.keys[index] == "(" or page.toks[index].line != page.toks[open_index].line:
            return None
    if close is None or close == open_index + 1:
        return None
    body = " ".join(page.keys[open_index + 1 : close])
    if not _CREDIT_BODY_RE.match(body):
        return None
    raw = [page.text[page.toks[i].start : page.toks[i].end] for i in range(open_index + 1, close)]
    raw_words = [w for w in raw if _is_word(w)]
    if len(raw_words) == 1 and raw_words[0] in _NOT_AGENCY_RAW:
        return None
    if body in {"اب", "ا ب"} and not any(w in {"أ", "ا", "إ"} for w in raw):
        return None  # "آب" (August) / "أب" (father), not AP
    return close + 1


def _mark_captions(page: _Page, start: int, end: int) -> None:
    """Photo captions that end in a bracketed agency credit, at the start of a block."""
    for number in sorted({page.toks[i].line for i in page.kept(start, end)}):
        indices = [i for i in page.by_line[number] if start <= i < end]
        position = 0
        while position < len(indices):
            index = indices[position]
            if page.kind[index] is not None:
                position += 1
                continue
            block_start = position
            if not (block_start == 0 or page.kind[indices[block_start - 1]] is not None):
                position += 1
                continue
            done = _caption_from(page, indices, block_start, end)
            position = done if done is not None else position + 1


def _caption_from(page: _Page, indices: list[int], first: int, stop: int) -> int | None:
    """Drop a caption opening at ``indices[first]``; return where scanning resumes."""
    words = 0
    for position in range(first, min(first + 45, len(indices))):
        index = indices[position]
        key = page.keys[index]
        if page.kind[index] is not None:
            return None
        if key == "(":
            end = _credit_at(page, index, stop)
            if end is None:
                continue
            prefix = [page.keys[i] for i in indices[first:position]]
            prefix_words = [k for k in prefix if _is_word(k) and k not in _POSITION_NOTES]
            if not 2 <= len(prefix_words) <= 40:
                return None
            if any(_TERMINATOR_RE.search(k) or k in {":", "؛"} for k in prefix):
                return None
            if any(k in _INTRO_WORDS for k in prefix_words[-4:]):
                return None
            if any(k in _REPORT_WORDS for k in prefix_words):
                return None
            after = [i for i in indices if i >= end]
            if after and page.keys[after[0]] in {"-", "–", "—", ":", "،", ","}:
                return None  # a dateline: "القدس (رويترز) - ..."
            page.drop(indices[first], end, "caption")
            resume = position
            while resume < len(indices) and indices[resume] < end:
                resume += 1
            return resume
        if _is_word(key):
            words += 1
        if _TERMINATOR_RE.search(key):
            return None
    return None


def _mark_galleries(page: _Page, start: int, end: int) -> None:
    """A long phrase that opens three or more blocks: picture-gallery captions."""
    indices = page.kept(start, end)
    keys = [page.keys[i] for i in indices]
    n = 6
    if len(keys) < 3 * n:
        return
    opens: dict[tuple[str, ...], list[int]] = {}
    for position in range(len(keys) - n + 1):
        gram = tuple(keys[position : position + n])
        if sum(1 for k in gram if _is_word(k)) < 5 or not _at_boundary(page, indices[position], start):
            continue
        opens.setdefault(gram, []).append(position)
    for positions in opens.values():
        spaced: list[int] = []
        for p in positions:
            if not spaced or p >= spaced[-1] + n:
                spaced.append(p)
        if len(spaced) < 3:
            continue
        for i, p in enumerate(spaced):
            nxt = spaced[i + 1] if i + 1 < len(spaced) else None
            if nxt is not None and nxt - p <= 120:
                stop = nxt
            else:
                stop = p + n
                for sentence in _sentence_spans(page, indices[p : p + 120]):
                    stop = indices.index(sentence[-1]) + 1
                    if stop > p + n:
                        break
            for q in range(p, stop):
                if page.kind[indices[q]] is None:
                    page.kind[indices[q]] = "media"


def _mark_residue(page: _Page, start: int, end: int) -> None:
    """Separators left beside dropped text, and lines left with no words."""
    for number in sorted({page.toks[i].line for i in range(start, end)}):
        indices = [i for i in page.by_line[number] if start <= i < end]
        kept = [i for i in indices if page.kind[i] is None]
        if not kept or len(kept) == len(indices):
            continue
        nearest = next(page.kind[i] for i in indices if page.kind[i] is not None) or "boilerplate"
        if not any(_is_word(page.keys[i]) for i in kept):
            for i in kept:
                page.kind[i] = nearest
            continue
        changed = True
        while changed:
            changed = False
            for i in [i for i in indices if page.kind[i] is None]:
                if not _is_separator(page.keys[i]):
                    continue
                left = page.kind[i - 1] if i - 1 >= indices[0] else "edge"
                right = page.kind[i + 1] if i + 1 <= indices[-1] else "edge"
                if left is not None and right is not None:
                    page.kind[i] = left if left != "edge" else (right if right != "edge" else nearest)
                    changed = True


def _neighbour_kind(page: _Page, index: int, indices: list[int]) -> int:
    for offset in range(1, 6):
        for candidate in (index - offset, index + offset):
            if candidate in indices and page.kind[candidate] is not None:
                return candidate
    return index


# --- putting it together -------------------------------------------------------------------------


@dataclass
class _Article:
    marker: str | None
    text: str
    removed: list[RemovedBlock]


def _analyse(page: str, boilerplate: object) -> tuple[_Page, list[_Article]]:
    doc = _Page(page)
    given: set[str] = set()
    fitted: list[SpanBoilerplate] = []
    items: Iterable[object]
    if isinstance(boilerplate, str) or isinstance(boilerplate, SpanBoilerplate):
        items = [boilerplate]
    else:
        items = boilerplate  # type: ignore[assignment]
    for item in items:
        if isinstance(item, SpanBoilerplate):
            fitted.append(item)
            continue
        for line in str(item).splitlines():
            key = _TRAIL_RE.sub("", _marker_key(line))
            if key:
                given.add(key)
    all_lines = list(range(len(doc.line_spans)))
    _mark_given_lines(doc, given)
    for item in fitted:
        _mark_fitted(doc, item, 0, len(doc.toks))
    _mark_line_markers(doc, all_lines)
    _mark_bullet_lists(doc, all_lines)
    _mark_repeated_lines(doc, all_lines, given)
    _split_articles(doc)
    for position, (start, end) in enumerate(doc.articles):
        _mark_inline(doc, start, end)
        if position == 0:
            _mark_head(doc, start, end)
        _mark_tail(doc, start, end)
        _mark_dates(doc, start, end)
        _mark_captions(doc, start, end)
        _mark_galleries(doc, start, end)
        _mark_residue(doc, start, end)
    articles = [_assemble(doc, start, end) for start, end in doc.articles]
    for position, (start, _end) in enumerate(doc.articles):
        marker = doc.markers.get(start)
        if marker is not None:
            articles[position].marker = _raw(doc, marker[0], marker[1])
    return doc, articles


def _raw(page: _Page, start: int, end: int) -> str:
    """The page text from token ``start`` to token ``end - 1``, lines joined with ``\\n``."""
    pieces: list[str] = []
    current_line = None
    piece_start = piece_end = 0
    for index in range(start, end):
        tok = page.toks[index]
        if tok.line != current_line:
            if current_line is not None:
                pieces.append(page.text[piece_start:piece_end])
            current_line = tok.line
            piece_start = tok.start
        piece_end = tok.end
    if current_line is not None:
        pieces.append(page.text[piece_start:piece_end])
    return "\n".join(piece.strip(_STRIP_CHARS) for piece in pieces)


def _assemble(page: _Page, start: int, end: int) -> _Article:
    """Kept text of tokens ``[start, end)`` (lines as written) and the blocks dropped from it.

    Kept tokens of one line are copied as written; where something was dropped between two of
    them, a space joins them. A new paragraph starts after a blank line or after a dropped
    block that ended a line or filled one.
    """
    paragraphs: list[list[str]] = []
    removed: list[RemovedBlock] = []
    block_kind: str | None = None
    block_start = 0
    line_text: list[str] = []  # pieces of the current output line
    current_line: int | None = None
    run_start = run_end = -1
    dropped_since = False  # something dropped since the last kept token
    last_kept_line: int | None = None

    def flush_run() -> None:
        nonlocal run_start
        if run_start >= 0:
            line_text.append(page.text[run_start:run_end])
            run_start = -1

    def flush_line() -> None:
        flush_run()
        text = " ".join(piece.strip(_STRIP_CHARS) for piece in line_text).strip(_STRIP_CHARS)
        line_text.clear()
        if text:
            paragraphs[-1].append(text)

    for index in range(start, end):
        tok = page.toks[index]
        kind = page.kind[index]
        if kind is not None:
            if kind != block_kind:
                if block_kind is not None:
                    removed.append(RemovedBlock(block_kind, _raw(page, block_start, index)))
                block_kind, block_start = kind, index
            flush_run()
            dropped_since = True
            continue
        if block_kind is not None:
            removed.append(RemovedBlock(block_kind, _raw(page, block_start, index)))
            block_kind = None
        if tok.line != current_line:
            if current_line is not None:
                flush_line()
            blank = last_kept_line is not None and any(
                not page.by_line[n] for n in range(last_kept_line + 1, tok.line)
            )
            if not paragraphs or blank or dropped_since:
                if not paragraphs or paragraphs[-1]:
                    paragraphs.append([])
            current_line = tok.line
        elif dropped_since:
            flush_run()
        if run_start < 0:
            run_start = tok.start
        run_end = tok.end
        dropped_since = False
        last_kept_line = tok.line
    if current_line is not None:
        flush_line()
    if block_kind is not None:
        removed.append(RemovedBlock(block_kind, _raw(page, block_start, end)))
    text = "\n\n".join("\n".join(lines) for lines in paragraphs if lines)
    return _Article(None, text, removed)


def clean_article(page: str, *, boilerplate: Iterable[str] | SpanBoilerplate = ()) -> CleanedArticle:
    """Return the main article of a scraped page and what was removed.

    A "read also" marker (``اقرأ أيضا``, ``إقرأ أيضاً:``, ``شاهد أيضا``, ``للمزيد``…) followed by
    a different article ends the main one: the marker and that article are removed. When the
    same story continues after the marker, only the marker goes. If nothing of the article
    precedes the first marker, the first non-empty article after one is the main article.

    Args:
        page: The page text as scraped.
        boilerplate: Site boilerplate to drop wherever it appears: lines (matched after light
            normalisation), and/or a fitted :class:`~khabar.text.site.SiteBoilerplate`. Short
            lines that occur more than once on the page are dropped too.

    Never raises for a ``str``.
    """
    _doc, articles = _analyse(page, boilerplate)
    main = next((i for i, article in enumerate(articles) if article.text), 0)
    removed: list[RemovedBlock] = []
    for index, article in enumerate(articles):
        if article.marker is not None:
            removed.append(RemovedBlock("read_also", article.marker))
        if index != main and article.text:
            removed.append(RemovedBlock("second_article", article.text))
        removed.extend(article.removed)
    text = articles[main].text if articles else ""
    return CleanedArticle(text=text, removed=tuple(removed))


def split_articles(page: str, *, boilerplate: Iterable[str] | SpanBoilerplate = ()) -> list[str]:
    """Every article on the page, main first (e.g. then the one inside a "read also" block).

    Each article is cleaned like :func:`clean_article` cleans the main one. Never raises for a
    ``str``.
    """
    _doc, articles = _analyse(page, boilerplate)
    texts = [article.text for article in articles if article.text]
    return texts



def _prose_words(page: _Page, indices: Sequence[int]) -> int:
    """Words in the article-like sentences among ``indices``."""
    return sum(
        sum(1 for i in sentence if _is_word(page.keys[i]))
        for sentence in _sentence_spans(page, indices)
        if _is_prose(page, sentence)
    )



def _is_date_run(
    page: _Page,
    indices: Sequence[int],
    keys: Sequence[str],
    classes: Sequence[str],
    first: int,
    last: int,
    start: int,
) -> bool:
    run = classes[first:last]
    solid = sum(1 for c in run if c in {"num", "month", "day", "word"})
    if "num" not in run or solid < 2:
        return False
    calendar = "month" in run or "day" in run
    clock = any(
        keys[p] == ":" and classes[p - 1] == "num" and classes[p + 1] == "num"
        for p in range(first + 1, last - 1)
    )
    strong = any(keys[p] in _DATE_STRONG for p in range(first, last))
    if not (calendar or clock or strong):
        return False
    index = indices[first]
    previous = index - 1
    prev_key = page.keys[previous] if previous >= start and page.kind[previous] is None else ""
    if prev_key in _PREPOSITIONS or prev_key in _WEEKDAYS:
        return False
    if prev_key in {",", "،", "(", "/", "-", "و"}:
        return False  # a dated citation "( تاس , 21 أيلول / سبتمبر 2017 )", or a date in a list
    after_key = page.keys[indices[last - 1] + 1] if indices[last - 1] + 1 < len(page.toks) else ""
    if after_key == ":" and not strong:
        return False  # a date that heads an entry: "03 يناير 2015 م : - ..."
    after = indices[last - 1] + 1
    ends_line = after >= len(page.toks) or page.toks[after].line != page.toks[index].line
    next_dropped = after < len(page.toks) and page.kind[after] is not None
    boundary = _at_boundary(page, index, start)
    if run[0] == "day" and not strong and not boundary:
        return False
    return boundary or strong or ends_line or next_dropped
