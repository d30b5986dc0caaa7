"""Private helpers for the metrics: Arabic character maps, a light stemmer, a sentence splitter.

These are deliberately local (and small) so that :mod:`khabar.metrics` has no dependency on the
rest of the package's text processing: a metric must not change when a preprocessing default
elsewhere changes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# --- character classes -------------------------------------------------------------------------

#: Arabic diacritics (harakat, tanwin, shadda, sukun, Quranic annotation marks, dagger alef).
TASHKEEL_CHARS = (
    "".join(chr(c) for c in range(0x0610, 0x061B))  # Quranic honorifics / small marks
    + "".join(chr(c) for c in range(0x064B, 0x0660))  # fathatan .. wavy hamza below
    + "\u0670"  # superscript (dagger) alef
    + "".join(chr(c) for c in range(0x06D6, 0x06DD))  # Quranic small high ligatures
    + "".join(chr(c) for c in range(0x06DF, 0x06E5))
    + "\u06e7\u06e8"
    + "".join(chr(c) for c in range(0x06EA, 0x06EE))
)
TATWEEL = "\u0640"
#: Invisible format characters that are always deleted (zero-width (non-)joiners, bidi marks, BOM).
INVISIBLE_CHARS = (
    "".join(chr(c) for c in range(0x200B, 0x2010))
    + "".join(chr(c) for c in range(0x202A, 0x202F))
    + "".join(chr(c) for c in range(0x2066, 0x206A))
    + "\u061c\ufeff\u00ad"
)
#: Combining marks that may occur inside a token when diacritics are kept (Arabic + Latin).
_COMBINING = TASHKEEL_CHARS + "".join(chr(c) for c in range(0x0300, 0x0370))

ALEF_VARIANTS = "\u0623\u0625\u0622\u0671"  # أ إ آ ٱ
ALEF = "\u0627"  # ا
ALEF_MAQSURA = "\u0649"  # ى
YEH = "\u064a"  # ي
TA_MARBUTA = "\u0629"  # ة
HEH = "\u0647"  # ه
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
EXTENDED_ARABIC_INDIC_DIGITS = "۰۱۲۳۴۵۶۷۸۹"

_DELETE_TASHKEEL = {ord(c): None for c in TASHKEEL_CHARS}
_DELETE_TATWEEL = {ord(TATWEEL): None}
_DELETE_INVISIBLE = {ord(c): None for c in INVISIBLE_CHARS}
_ALEF_MAP = {ord(c): ALEF for c in ALEF_VARIANTS}
_MAQSURA_MAP = {ord(ALEF_MAQSURA): YEH}
_TA_MARBUTA_MAP = {ord(TA_MARBUTA): HEH}
_DIGIT_MAP = {
    ord(c): str(i)
    for digits in (ARABIC_INDIC_DIGITS, EXTENDED_ARABIC_INDIC_DIGITS)
    for i, c in enumerate(digits)
}

#: A token: letters/digits (no underscore), optionally carrying combining marks.
TOKEN_RE = re.compile(rf"(?:[^\W_]|[{_COMBINING}])+")


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

    Invisible format characters (ZWJ/ZWNJ, bidi marks, BOM, soft hyphen) are always deleted.
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
    """True when the first character of ``token`` is in the Arabic block (U+0600..U+06FF)."""
    return bool(token) and "\u0600" <= token[0] <= "\u06ff"


# --- light stemmer ----------------------------------------------------------------------------

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


# --- sentence splitting -----------------------------------------------------------------------

#: Sentence-final punctuation (Latin and Arabic), optionally followed by closing quotes/brackets,
#: and then whitespace or the end of the text. ``3.5`` or ``www.x.com`` do not split.
_SENT_END_RE = re.compile(r"[.!?؟؛…۔]+[\"'»”’)\]]*(?=\s|$)")


def _split_on_punctuation(line: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _SENT_END_RE.finditer(line):
        piece = line[start : match.end()].strip()
        if piece:
            out.append(piece)
        start = match.end()
    rest = line[start:].strip()
    if rest:
        out.append(rest)
    return out


def split_sentences(text: str, *, always_split_punctuation: bool = False) -> list[str]:
    """Split ``text`` into sentences.

    By default (the ROUGE-Lsum convention) a text that contains newlines is split on newlines
    only; a text without newlines is split after ``. ! ? ؟ ؛ … ۔`` followed by whitespace.
    With ``always_split_punctuation=True`` every line is additionally split on punctuation.
    Blank sentences are dropped.
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > 1 and not always_split_punctuation:
        return lines
    out: list[str] = []
    for line in lines:
        out.extend(_split_on_punctuation(line))
    return out
