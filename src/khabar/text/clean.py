"""Reduce a scraped news page to its main article.

Pages saved by scrapers carry leftovers around the article: a source line (``المصدر: …``), a
keywords line (``كلمات دلالية: …``), a "read also" block (``اقرأ أيضا:``) that often holds a whole
second article, lists of related headlines (``مقالات مشابهة``), share/follow prompts, photo
captions ending in an agency credit (``… (الأناضول)``) and repeated site boilerplate.

:func:`clean_article` keeps the main article and reports everything it dropped;
:func:`split_articles` returns every article on the page (main first).

Markers are matched after light normalisation (diacritics, tanween and tatweel dropped, alef
variants unified, ى→ي, ة→ه, case folded), with or without a trailing colon. The page is handled
line by line: a "line" is a paragraph as the scraper saved it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from khabar.text.normalize import ALEF, ALEF_VARIANTS, INVISIBLE_CODEPOINTS, TASHKEEL_CODEPOINTS

__all__ = [
    "REMOVED_KINDS",
    "CleanedArticle",
    "RemovedBlock",
    "clean_article",
    "split_articles",
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


# --- light normalisation for matching --------------------------------------------------------

_KEY_TABLE: dict[int, str | None] = {
    **dict.fromkeys(TASHKEEL_CODEPOINTS),
    **dict.fromkeys(INVISIBLE_CODEPOINTS),
    0x0640: None,  # tatweel
    **{ord(ch): ALEF for ch in ALEF_VARIANTS},
    0x0649: "\u064a",  # ى -> ي
    0x0629: "\u0647",  # ة -> ه
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


def _marker_key(text: str) -> str:
    """``_key`` without leading bullets/quotes/brackets."""
    return _LEAD_RE.sub("", _key(text))


def _keyed(text: str) -> tuple[str, list[int]]:
    """``_key``-like form of ``text`` (whitespace kept) with each character's source index."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch).translate(_KEY_TABLE).casefold():
            chars.append(out)
            offsets.append(index)
    return "".join(chars), offsets


def _wordset(*chunks: str) -> frozenset[str]:
    return frozenset(word for chunk in chunks for word in chunk.split())


def _words(key: str) -> int:
    return len(key.split())


def _ends_sentence(text: str) -> bool:
    return text.rstrip(" \"'”’»)]").endswith((".", "!", "?", "؟", "…"))


# --- marker patterns (applied to _marker_key) ------------------------------------------------

_END = rf"(?=\s|{_SEP}|[.…]|$)"
_SOURCE_RE = re.compile(rf"^(?:(?:ال)?مصدر(?:\s+(?:الخبر|الصوره|المقال))?|المصادر|sources?){_END}")
_KEYWORDS_RE = re.compile(
    rf"^(?:(?:ال)?كلمات\s+(?:ال)?(?:دلاليه|مفتاحيه)|(?:ال)?وسوم|tags|keywords|هاشتاج|هاشتاغ){_END}"
)
_READ_ALSO_RE = re.compile(
    r"^(?:و?(?:اقرا|اقراوا|طالع|طالعوا|شاهد|شاهدوا)\s*(?:ايضا|كذلك)|(?:read|see)\s+also)"
    rf"(?=\s|{_SEP}|[.…]|$)"
)
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

# Photo credits: an agency name alone (or with a short note) in parentheses.
_AGENCIES = (
    r"الاناضول|رويترز|الفرنسيه|فرانس\s*برس|ا\s*\.?\s*ف\s*\.?\s*ب|اف\s*ب|غيتي(?:\s+ايميجز)?"
    r"|جيتي(?:\s+ايميجز)?|الجزيره(?:\s+نت)?|اسوشيتد\s*برس|ا\s*\.?\s*ب(?:\s*\.?\s*ا)?"
    r"|د\s*\.?\s*ب\s*\.?\s*ا|الاوروبيه|الالمانيه|وكالات|مواقع\s+التواصل(?:\s+الاجتماعي)?"
    r"|ارشيفيه|ارشيف|الصحافه\s+\w+|شترستوك|رويترز|وام|واس|سانا|بترا|كونا|غيتي|منصه\s+اكس"
    r"|getty(?:\s+images)?|reuters|afp|ap|epa|aa|shutterstock"
)
_CREDIT_SEP = r"[\s\-–—/،,|+]"
_CREDIT_RE = re.compile(
    rf"\(\s*(?:[^()]{{0,30}}?{_CREDIT_SEP})?(?:{_AGENCIES})(?:{_CREDIT_SEP}[^()]{{0,30}}?)?\s*\)"
)
# Words that introduce a named outlet inside a sentence ("told (Reuters)") rather than a credit.
_INTRO_WORDS = _wordset(
    "وكاله لوكاله بوكاله قناه لقناه موقع لموقع شبكه لشبكه صحيفه لصحيفه مراسل لمراسل مراسله",
    "مراسلو حسب بحسب وفق وفقا نقلا عن ل لـ تقرير لتقرير قال وقال قالت وقالت ذكرت وذكرت اكدت",
    "افادت نقلت اوردت ابلغ ابلغت اخبر تحدث صرح صرحت",
)


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
    if _READ_ALSO_RE.match(key):
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


def _split_caption(line: str) -> tuple[str, str] | None:
    """Return ``(caption, rest)`` when ``line`` starts with a photo caption, else ``None``."""
    if "(" not in line:
        return None
    key, offsets = _keyed(line)
    match = _CREDIT_RE.search(key)
    if match is None:
        return None
    prefix = key[: match.start()]
    words = prefix.split()
    if not 2 <= len(words) <= 40 or re.search(r"[.!?؟؛:]", prefix):
        return None
    if words[-1].strip("\"'«»“”()") in _INTRO_WORDS:
        return None
    after = key[match.end() :].lstrip()
    if after.startswith(("-", "–", "—", ":", "،", ",")):  # a dateline: "القدس (رويترز) - …"
        return None
    end = offsets[match.end() - 1] + 1
    return line[:end].strip(), line[end:].strip(_STRIP_CHARS + "-–—")


# --- page structure ------------------------------------------------------------------------------

_BLANK = "blank"
_KEEP = "keep"


@dataclass
class _Entry:
    kind: str  # _BLANK, _KEEP or one of REMOVED_KINDS
    text: str  # the line as written (stripped)
    kept: str = ""  # what survives of the line (a caption's remainder, or the whole kept line)


@dataclass
class _Segment:
    marker: str | None  # the "read also" line that opened it (None for the first one)
    entries: list[_Entry]


@dataclass
class _Article:
    marker: str | None
    text: str
    removed: list[RemovedBlock]


def _segments(lines: list[str]) -> list[_Segment]:
    segments = [_Segment(None, [])]
    for line in lines:
        if line and _is_read_also(_marker_key(line)):
            segments.append(_Segment(line, []))
        else:
            kind = _KEEP if line else _BLANK
            segments[-1].entries.append(_Entry(kind, line, line))
    return segments


def _mark_markers(entries: list[_Entry]) -> None:
    """Source, keywords, related headings (and the headlines under them) and share prompts."""
    in_related = False
    in_tags = False
    for entry in entries:
        if entry.kind == _BLANK:
            continue
        key = _marker_key(entry.text)
        keywords = _keywords_kind(key)
        if _is_source(key):
            entry.kind = "source"
        elif keywords is not None:
            entry.kind = "keywords"
            in_tags = keywords == "heading"
            continue
        elif _is_related_heading(key):
            entry.kind = "related"
            in_related = True
        elif _is_share(key):
            entry.kind = "share"
        elif in_related and (_headline_like(entry.text) or _BULLET_RE.match(entry.text)):
            entry.kind = "related"
        elif in_tags and _words(key) <= 4 and not re.search(r"[.!?؟؛]", key):
            entry.kind = "keywords"
            continue
        else:
            in_related = False
        in_tags = False


def _mark_bullet_lists(entries: list[_Entry]) -> None:
    """Runs of short bullet lines (related headlines) not introduced by a colon."""
    index = 0
    while index < len(entries):
        entry = entries[index]
        if entry.kind != _KEEP or not _is_bullet_headline(entry.text):
            index += 1
            continue
        run = [index]
        cursor = index + 1
        while cursor < len(entries):
            nxt = entries[cursor]
            if nxt.kind == _BLANK:
                cursor += 1
                continue
            if nxt.kind == _KEEP and _is_bullet_headline(nxt.text):
                run.append(cursor)
                cursor += 1
                continue
            break
        before = [e for e in entries[:index] if e.kind != _BLANK]
        introduced = bool(before) and before[-1].kind == _KEEP and before[-1].text.endswith(":")
        trailing = not any(e.kind == _KEEP for e in entries[cursor:])
        if not introduced and (len(run) >= 2 or trailing):
            for position in run:
                entries[position].kind = "related"
        index = cursor


def _mark_boilerplate(segments: list[_Segment], boilerplate: Iterable[str]) -> None:
    """Given boilerplate lines, and short lines kept more than once on the page."""
    given = {
        _TRAIL_RE.sub("", _marker_key(line))
        for item in boilerplate
        for line in str(item).splitlines()
    }
    given.discard("")
    kept = [e for segment in segments for e in segment.entries if e.kind == _KEEP]
    keys = {id(e): _TRAIL_RE.sub("", _marker_key(e.text)) for e in kept}
    counts = Counter(keys.values())
    for entry in kept:
        key = keys[id(entry)]
        if not key:
            continue
        short = _words(key) <= 8 or (_words(key) <= 12 and not _ends_sentence(entry.text))
        if key in given or (counts[key] > 1 and short):
            entry.kind = "boilerplate"


def _mark_captions(entries: list[_Entry]) -> list[_Entry]:
    """Split photo captions off kept lines; returns the new entry list."""
    out: list[_Entry] = []
    for entry in entries:
        if entry.kind != _KEEP:
            out.append(entry)
            continue
        rest = entry.text
        for _ in range(3):  # a line may hold several captions in a row
            split = _split_caption(rest)
            if split is None:
                break
            caption, rest = split
            out.append(_Entry("caption", caption))
        if rest:
            out.append(entry if rest == entry.text else _Entry(_KEEP, rest, rest))
    return out


def _assemble(segment: _Segment) -> _Article:
    paragraphs: list[str] = []
    current: list[str] = []
    removed: list[RemovedBlock] = []
    open_kind: str | None = None  # kind of the removed block that can still grow
    open_lines: list[str] = []

    def close_block() -> None:
        nonlocal open_kind, open_lines
        if open_kind is not None:
            removed.append(RemovedBlock(open_kind, "\n".join(open_lines)))
        open_kind, open_lines = None, []

    for entry in segment.entries:
        if entry.kind == _KEEP:
            current.append(entry.kept)
            close_block()
            continue
        if current:
            paragraphs.append("\n".join(current))
            current = []
        if entry.kind == _BLANK:
            continue
        if entry.kind != open_kind:
            close_block()
            open_kind = entry.kind
        open_lines.append(entry.text)
    close_block()
    if current:
        paragraphs.append("\n".join(current))
    return _Article(segment.marker, "\n\n".join(paragraphs), removed)


def _articles(page: str, boilerplate: Iterable[str]) -> list[_Article]:
    if isinstance(boilerplate, str):
        boilerplate = [boilerplate]
    lines = [line.strip(_STRIP_CHARS) for line in page.splitlines()]
    segments = _segments(lines)
    for segment in segments:
        _mark_markers(segment.entries)
        _mark_bullet_lists(segment.entries)
    _mark_boilerplate(segments, boilerplate)
    for segment in segments:
        segment.entries = _mark_captions(segment.entries)
    return [_assemble(segment) for segment in segments]


def clean_article(page: str, *, boilerplate: Iterable[str] = ()) -> CleanedArticle:
    """Return the main article of a scraped page and what was removed.

    A "read also" marker (``اقرأ أيضا``, ``إقرأ أيضاً:``, ``شاهد أيضا``, ``للمزيد``…) ends the
    main article: the marker and everything after it (typically a second article) are removed.
    If nothing of the article precedes the first marker, the first non-empty article after one
    is the main article.

    Args:
        page: The page text as scraped.
        boilerplate: Site lines to drop wherever they appear (matched after light
            normalisation). Short lines that occur more than once on the page are dropped too.

    Never raises for a ``str``.
    """
    articles = _articles(page, boilerplate)
    main = next((i for i, article in enumerate(articles) if article.text), 0)
    removed: list[RemovedBlock] = []
    for index, article in enumerate(articles):
        if article.marker is not None:
            removed.append(RemovedBlock("read_also", article.marker))
        if index != main and article.text:
            removed.append(RemovedBlock("second_article", article.text))
        removed.extend(article.removed)
    return CleanedArticle(text=articles[main].text, removed=tuple(removed))


def split_articles(page: str) -> list[str]:
    """Every article on the page, main first (e.g. then the one inside a "read also" block).

    Each article is cleaned like :func:`clean_article` cleans the main one. Never raises for a
    ``str``.
    """
    return [article.text for article in _articles(page, ()) if article.text]
