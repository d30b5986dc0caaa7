"""Arabic character classes: the one home of every code point set khabar normalises or detects.

The normaliser (:mod:`khabar.text.normalize`), the scraped-page cleaner, the ROUGE tokenizer
(:mod:`khabar.metrics`) and the inference layer's "is this Arabic?" check all import from here,
so that a letter class is never written twice. Each constant is a plain ``str`` of characters (to
build ``str.translate`` tables or regex classes) or a ``frozenset`` of code points.
"""

from __future__ import annotations

import re

__all__ = [
    "ALEF",
    "ALEF_MAQSURA",
    "ALEF_VARIANTS",
    "ARABIC_INDIC_DIGITS",
    "ARABIC_LETTER_CLASS",
    "ARABIC_LETTER_RE",
    "HA",
    "INVISIBLE_CODEPOINTS",
    "PERSIAN_DIGITS",
    "QURANIC_SIGNS",
    "TASHKEEL",
    "TASHKEEL_CODEPOINTS",
    "TATWEEL",
    "TA_MARBUTA",
    "YA",
    "ZERO_WIDTH_JOINERS",
    "has_arabic_letter",
]

#: Combining Arabic diacritics: harakat, tanwin, shadda, sukun, the combining hamza/madda marks
#: (U+064B-065F), the dagger alef (U+0670), the Quranic honorifics and small marks (U+0610-061A)
#: and the Quranic small high/low marks (U+06D6-06ED) that combine with the letter before them.
TASHKEEL = (
    "".join(chr(c) for c in range(0x0610, 0x061B))
    + "".join(chr(c) for c in range(0x064B, 0x0660))
    + "\u0670"
    + "".join(chr(c) for c in range(0x06D6, 0x06DD))
    + "".join(chr(c) for c in range(0x06DF, 0x06E5))
    + "\u06e7\u06e8"
    + "".join(chr(c) for c in range(0x06EA, 0x06EE))
)
#: The non-combining signs of the Quranic annotation block (end of ayah, rub el hizb, small waw
#: and ya, place of sajdah): removed with the diacritics by the normaliser, but not marks.
QURANIC_SIGNS = "\u06dd\u06de\u06e5\u06e6\u06e9"
#: What the normaliser's ``strip_tashkeel`` deletes: :data:`TASHKEEL` and :data:`QURANIC_SIGNS`
#: (U+064B-065F, U+0670, U+0610-061A, U+06D6-06ED).
TASHKEEL_CODEPOINTS: frozenset[int] = frozenset(map(ord, TASHKEEL + QURANIC_SIGNS))

TATWEEL = "\u0640"  # ـ (kashida)
ALEF = "\u0627"  # ا
#: Hamza and wasla forms of alef written as bare alef by ``unify_alef``: أ إ آ ٱ ٲ ٳ.
ALEF_VARIANTS = "\u0623\u0625\u0622\u0671\u0672\u0673"
ALEF_MAQSURA = "\u0649"  # ى
YA = "\u064a"  # ي
TA_MARBUTA = "\u0629"  # ة
HA = "\u0647"  # ه
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # extended Arabic-Indic digits

#: Invisible format characters: zero-width space, LRM/RLM, word joiner, BOM, soft hyphen, the
#: Arabic letter mark and the bidi embeddings, overrides and isolates.
INVISIBLE_CODEPOINTS: frozenset[int] = frozenset(
    [0x00AD, 0x061C, 0x200B, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F)]
).union(range(0x2066, 0x206A))
#: Zero-width non-joiner and joiner. The normaliser keeps them (they shape Persian and Urdu words
#: and emoji sequences); ROUGE deletes them so that they never split a word.
ZERO_WIDTH_JOINERS = "\u200c\u200d"

#: A regex character class of Arabic letters (basic block, supplement, extended-A and the
#: presentation forms); no digits, diacritics or punctuation.
ARABIC_LETTER_CLASS = (
    "[\u0621-\u063a\u0641-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06fa-\u06fc"
    "\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdfb\ufe70-\ufefc]"
)
ARABIC_LETTER_RE = re.compile(ARABIC_LETTER_CLASS)


def has_arabic_letter(text: str) -> bool:
    """True when ``text`` holds at least one Arabic letter."""
    return ARABIC_LETTER_RE.search(text) is not None
