"""The page cleaner's vocabulary: matching keys, tokens, token classes, marker patterns, dates and
caption credits (:mod:`khabar.text.clean`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from khabar.text.chars import ALEF, ALEF_VARIANTS, INVISIBLE_CODEPOINTS, TASHKEEL_CODEPOINTS

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
    return _key(token).replace(" ", "")


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
            key = token_key(match.group(0))
            if not key:
                continue
            tokens.append(_Tok(position + match.start(), position + match.end(), number, key))
        position += len(line)
    return tokens, lines


# --- token classes -------------------------------------------------------------------------------

_TERMINATOR_RE = re.compile(r"[.!?؟…]+[\"'”’»)\]]*$")
_LETTER_RE = re.compile(r"[^\W\d_]")
_SEPARATOR_TOKENS = frozenset(
    [
        "|",
        "/",
        "\\",
        "-",
        "–",
        "—",
        ">",
        ">>",
        "<",
        ":",
        "،",
        ",",
        "؛",
        ";",
        "•",
        "·",
        "*",
        "+",
        "»",
        "«",
        "_",
        "~",
        "=",
        "^",
    ]
)


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
    if key == "." and previous.isdigit() and index + 1 < len(keys) and keys[index + 1].isdigit():
        return False  # "09 . 03 . 2016", "87 . 4 %"
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
        rest = key[match.end() :].lstrip(" :：.…-–—|")
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
        r"|هل\s+تريد\s+تصفح|تصفح\s+(?:عدد\s+اليوم|ايضا)|اكثر\s+الكلمات\s+انتشارا|must\s+reads?\b"
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
        r"|(?:ال)?اشتراك\s+(?:في|ب)\s*(?:نشرت|النشر|قائمت|القائم|خدم)\S*|اشترك\s+الان\s+بخدمه"
        r"|هذا\s+البريد\s+الالكتروني\s+مسج\s*ل|شكر\s*ا\s+لاشتراكك|الرجاء\s+ادخال\s+بريدك"
    ),
    "login": (
        r"تسجيل\s+(?:ال)?دخول|user\s+login|كلمه\s+(?:ال)?(?:سر|مرور)|اسم\s+المستخدم"
        r"|نسيت\s+كلمه|\bsign\s+in\b|\blog\s*in\b|خطا\s+في\s+ا?سم\s+المستخدم"
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
_TAIL_RE = re.compile(
    "|".join(f"(?P<{name}>{pattern})" for name, pattern in _TAIL_PATTERNS.items())
)
_BOUNDED_FAMILIES = frozenset(
    {"share", "comments", "source", "login", "site", "newsletter", "related_b"}
)

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
        r"|لقد\s+اختار\S*\s+.{0,40}?كلغه\s+(?:ال)?اعدادات\s+(?:ال)?خاصه\s+بك\s*\.?"
        r"|(?:البث\s+المباشر\s+البرنامج\s+المقبل\s*)+|مختارات\s+صوتيه|خيارات\s+اخري"
        r"|تاريخ\s+النشر\s*:|(?:^|\s)a\s+a(?=\s|$)|انت\s+الان\s+تقوم\s+بتصفح.{0,60}?(?=\S+\s|$)"
        r"|الصفحه\s+الرئيسيه\s*(?:>|/)|تصفح\s+محتوي\s+التغطيه|اللغات\s+متوفر\s+ب\s*-?"
    ),
    "site": (
        r"عنوان\s+البريد\s+الالكتروني\s+هذا\s+محمي\s+من\s+روبوتات\s+(?:ال)?سبام"
        r"(?:\s*[,،.]?\s*يجب\s+(?:عليك\s+)?تفعيل\s+(?:ال)?جافا\s*سكربت\s+(?:لر\S*يته|لمشاهدته))?"
        r"(?:\s*\.)?"
    ),
    "author": r"(?:بقلم|كتب|كتبت|اعداد|الكاتب|تحرير)\s*(?:[:/\-]\s*)+",
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
# Video-player ids ("4161033842001 786c6dc0 - c624 - … video") and embedded posts ("… - Name ( @ handle )").
_UUID = r"[0-9a-f]{8}\s*-\s*[0-9a-f]{4}\s*-\s*[0-9a-f]{4}\s*-\s*[0-9a-f]{4}\s*-\s*[0-9a-f]{12}"
_RAW_MEDIA_RE = re.compile(
    rf"(?:\b\d{{9,}}\s+)?{_UUID}(?:\s+{_UUID})*(?:\s+video\b)?", re.IGNORECASE
)
_EMBED_HANDLE_RE = re.compile(r"(?:^|\s)-\s[^()\n]{1,40}?\(\s*@\s*[\w\-]+\s*\)")
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
    "gmt est utc بتوقيت غرينتش جرينتش جرينيتش جرنتش مكه المكرمه الساعه تحديث نشر بتاريخ العدد شهر",
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
