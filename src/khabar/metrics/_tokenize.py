"""Private helpers of the ROUGE tokenizer: character maps, token rules, stemmers.

The character classes come from :mod:`khabar.text.chars` and sentences from
:func:`khabar.text.split_sentences` (facts about Arabic script, defined once for the package);
the normalisation a score applies is chosen by :class:`khabar.metrics.RougeTokenizer` alone, so
a metric never changes when a preprocessing default elsewhere changes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

from khabar.text.chars import (
    ALEF,
    ALEF_MAQSURA,
    ALEF_VARIANTS,
    ARABIC_INDIC_DIGITS,
    ARABIC_LETTER_RE,
    HA,
    INVISIBLE_CODEPOINTS,
    PERSIAN_DIGITS,
    TA_MARBUTA,
    TASHKEEL,
    TATWEEL,
    YA,
    ZERO_WIDTH_JOINERS,
)

# --- character maps ----------------------------------------------------------------------------

#: Combining marks that may occur inside a token when diacritics are kept (Arabic + Latin).
_COMBINING = TASHKEEL + "".join(chr(c) for c in range(0x0300, 0x0370))

_DELETE_TASHKEEL = {ord(c): None for c in TASHKEEL}
_DELETE_TATWEEL = {ord(TATWEEL): None}
#: Invisible format characters are always deleted, the zero-width (non-)joiners included: none
#: of them may split a word.
_DELETE_INVISIBLE = {
    c: None for c in sorted(INVISIBLE_CODEPOINTS | set(map(ord, ZERO_WIDTH_JOINERS)))
}
_ALEF_MAP = {ord(c): ALEF for c in ALEF_VARIANTS}
_MAQSURA_MAP = {ord(ALEF_MAQSURA): YA}
_TA_MARBUTA_MAP = {ord(TA_MARBUTA): HA}
_DIGIT_MAP = {
    ord(c): str(i) for digits in (ARABIC_INDIC_DIGITS, PERSIAN_DIGITS) for i, c in enumerate(digits)
}

#: khabar's token: letters/digits (no underscore), optionally carrying combining marks.
TOKEN_RE = re.compile(rf"(?:[^\W_]|[{_COMBINING}])+")
#: The same tokens, cut where letters meet digits (``تشكيل1`` → ``تشكيل``, ``1``).
TOKEN_SPLIT_RE = re.compile(rf"(?:\d[{_COMBINING}]*)+|(?:[^\W\d_]|[{_COMBINING}])+")


def build_char_map(
    *,
    strip_tashkeel: bool,
    strip_tatweel: bool,
    unify_alef: bool,
    alef_maqsura: bool,
    ta_marbuta: bool,
    unify_digits: bool,
) -> dict[int, str | None]:
    """Build a ``str.translate`` table for the selected Arabic normalisations.

    Invisible format characters (ZWJ/ZWNJ, bidi marks, word joiner, BOM, soft hyphen) are always
    deleted.
    """
    table: dict[int, str | None] = dict(_DELETE_INVISIBLE)
    if strip_tashkeel:
        table.update(_DELETE_TASHKEEL)
    if strip_tatweel:
        table.update(_DELETE_TATWEEL)
    if unify_alef:
        table.update(_ALEF_MAP)
    if alef_maqsura:
        table.update(_MAQSURA_MAP)
    if ta_marbuta:
        table.update(_TA_MARBUTA_MAP)
    if unify_digits:
        table.update(_DIGIT_MAP)
    return table


def nfkc(text: str) -> str:
    """NFKC-normalise ``text`` (folds Arabic presentation forms such as ``ﻻ`` to base letters)."""
    return unicodedata.normalize("NFKC", text)


def is_arabic_word(token: str) -> bool:
    """True when ``token`` starts with an Arabic letter."""
    return ARABIC_LETTER_RE.match(token) is not None


# --- XL-Sum's token rule ------------------------------------------------------------------------
#
# XL-Sum's multilingual rouge scorer (csebuetnlp/xl-sum, multilingual_rouge_scoring: a fork of
# rouge_score) tokenises a text for a language without a word segmenter (Arabic among them) as:
# lowercase; delete NUL, U+FFFD and every character of a Unicode "C" category but tab and line
# breaks; split on whitespace and on punctuation (Unicode "P" categories and every ASCII
# character that is neither a letter nor a digit), which is dropped; then OpenNMT Tokenizer's
# "aggressive" mode, which cuts each piece where letters, numbers and other characters meet
# (a symbol such as ``°`` or an emoji is a token of its own; combining marks stay with the
# character before them); CJK ideographs become one token each. Its ROUGE-Lsum path skips the
# OpenNMT step (and the CJK split).

_SEPARATOR, _DELETE, _LETTER, _NUMBER, _MARK, _OTHER = range(6)
_ESCAPED_SPACE = "\uff050020"


@lru_cache(maxsize=8192)
def _xlsum_class(ch: str) -> int:
    cp = ord(ch)
    if ch in " \t\n\r":
        return _SEPARATOR
    if cp == 0 or cp == 0xFFFD:
        return _DELETE
    cat = unicodedata.category(ch)
    if cat == "Zs":
        return _SEPARATOR
    if cat.startswith("C"):
        return _DELETE
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return _SEPARATOR
    if cat.startswith("P"):
        return _SEPARATOR
    if cat.startswith("L"):
        return _LETTER
    if cat.startswith("N"):
        return _NUMBER
    if cat.startswith("M"):
        return _MARK
    return _OTHER


_CJK_RE = re.compile(
    "[\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002a6df\U0002a700-\U0002ceaf"
    "\uf900-\ufaff\U0002f800-\U0002fa1f]"
)


def xlsum_tokens(text: str, *, segment: bool) -> list[str]:
    """Tokens of (already lowercased) ``text`` by XL-Sum's rule; ``segment`` runs the OpenNMT
    "aggressive" step (letters | numbers | each other character; CJK ideographs alone)."""
    out: list[str] = []
    current: list[str] = []
    kind = _SEPARATOR

    def flush() -> None:
        if current:
            out.append("".join(current))
            current.clear()

    for ch in text:
        cls = _xlsum_class(ch)
        if cls == _DELETE:
            continue
        if cls == _SEPARATOR:
            flush()
            kind = _SEPARATOR
            continue
        if not segment or (cls == _MARK and current):
            current.append(ch)  # a combining mark stays with the character before it
            continue
        if cls == _MARK and out:
            # OpenNMT keeps a mark that follows a space with the space, written "％0020"
            current.append(_ESCAPED_SPACE)
            kind = _MARK
        if cls != kind or kind == _OTHER:
            flush()
        current.append(ch)
        kind = cls
    flush()
    if segment and _CJK_RE.search("".join(out)):
        out = [piece for tok in out for piece in _CJK_RE.sub(r" \g<0> ", tok).split()]
    return out


# --- stemmers -----------------------------------------------------------------------------------

#: Prefixes, tried longest first; at most one is removed.
STEM_PREFIXES: tuple[str, ...] = (
    "وال",
    "بال",
    "كال",
    "فال",
    "لل",
    "ال",
    "و",
    "ف",
    "ب",
    "ل",
    "ك",
)
#: Suffixes, tried longest first; at most one is removed.
STEM_SUFFIXES: tuple[str, ...] = (
    "هما",
    "كما",
    "ها",
    "هم",
    "هن",
    "كم",
    "كن",
    "نا",
    "ات",
    "ون",
    "ين",
    "ان",
    "ية",
    "ه",
    "ي",
    "ة",
)
#: A multi-letter prefix or any suffix is only removed when at least this many letters remain.
STEM_MIN_REMAINDER = 3
#: A single-letter prefix (و ف ب ل ك) needs a longer remainder, so that common four-letter words
#: starting with these letters (كتاب، فريق، وزير، بلاد، لبنان) are left alone.
STEM_MIN_REMAINDER_SINGLE = 4


def _normalised_affixes(affixes: Iterable[str], table: dict[int, str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for affix in affixes:
        norm = affix.translate(table)
        if norm:
            seen.setdefault(norm, None)
    return tuple(sorted(seen, key=len, reverse=True))


class LightStemmer:
    """A tiny, deterministic Arabic light stemmer (in the spirit of Larkey's *light10*).

    For a token that starts with an Arabic letter it removes at most one prefix from
    :data:`STEM_PREFIXES` and then at most one suffix from :data:`STEM_SUFFIXES`, each time
    trying the longest affix first and only when at least :data:`STEM_MIN_REMAINDER` letters
    remain (:data:`STEM_MIN_REMAINDER_SINGLE` for a single-letter prefix). Affixes are
    normalised with the same character table as the text, so ``ية`` also matches ``يه`` when
    ta marbuta is mapped to heh. Non-Arabic tokens are returned unchanged.

    The stemmer is deliberately simple and approximate (``كتابة`` → ``تاب``): for ROUGE only
    consistency between prediction and reference matters.
    """

    def __init__(self, table: dict[int, str | None] | None = None) -> None:
        table = table or {}
        self.prefixes = _normalised_affixes(STEM_PREFIXES, table)
        self.suffixes = _normalised_affixes(STEM_SUFFIXES, table)

    def __call__(self, token: str) -> str:
        """Return the light stem of ``token``."""
        if not is_arabic_word(token):
            return token
        for prefix in self.prefixes:
            minimum = STEM_MIN_REMAINDER_SINGLE if len(prefix) == 1 else STEM_MIN_REMAINDER
            if token.startswith(prefix) and len(token) - len(prefix) >= minimum:
                token = token[len(prefix) :]
                break
        for suffix in self.suffixes:
            if token.endswith(suffix) and len(token) - len(suffix) >= STEM_MIN_REMAINDER:
                token = token[: -len(suffix)]
                break
        return token


#: XL-Sum stems only tokens longer than this many characters.
SNOWBALL_MIN_CHARS = 3


class SnowballStemmer:
    """NLTK's Snowball Arabic stemmer as XL-Sum's scorer applies it (``lang="arabic"``).

    Every token longer than :data:`SNOWBALL_MIN_CHARS` characters is stemmed (Latin and digits
    too, which the Arabic rules leave alone); with ``stopwords`` (XL-Sum's setting) the words of
    NLTK's Arabic stopword list are returned with only their diacritics and tatweel removed, as
    ``SnowballStemmer("arabic", ignore_stopwords=True)`` does.

    Raises:
        ImportError: nltk is not installed.
        LookupError: ``stopwords`` is set and NLTK's ``stopwords`` corpus is not installed.
    """

    def __init__(self, *, stopwords: bool = True) -> None:
        try:
            from nltk.stem.snowball import SnowballStemmer as _Snowball
        except ImportError as err:
            raise ImportError(
                "the Snowball stemmer (XL-Sum's ROUGE protocol) needs nltk: pip install nltk"
            ) from err
        stemmer = _Snowball("arabic")
        if stopwords:
            stemmer.stemmer.stopwords = set(_nltk_arabic_stopwords())
        self._stem: Callable[[str], str] = lru_cache(maxsize=65536)(stemmer.stem)

    def __call__(self, token: str) -> str:
        """Return the Snowball stem of ``token`` (short tokens unchanged)."""
        return self._stem(token) if len(token) > SNOWBALL_MIN_CHARS else token


def _nltk_arabic_stopwords() -> list[str]:
    from nltk.corpus import stopwords

    try:
        return list(stopwords.words("arabic"))
    except LookupError:
        raise LookupError(
            "XL-Sum's scorer leaves NLTK's Arabic stopwords unstemmed, and NLTK's 'stopwords' "
            "corpus is not installed: run `python -m nltk.downloader stopwords` once (where the "
            "network is reachable), or pass snowball_stopwords=False to stem stopwords too (the "
            "scores then differ slightly from XL-Sum's)"
        ) from None
