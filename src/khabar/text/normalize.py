"""Arabic text normalisation: named, individually switchable steps.

The normaliser runs in four stages, each compiled once per instance:

1. character level (Unicode NFKC, then one ``str.translate`` table for diacritics, tatweel,
   alef/ya/ta-marbuta unification, digits and invisible format characters);
2. entities (e-mail addresses, URLs and @mentions become placeholders, vanish, or stay);
3. hashtags are split into words and runs of a repeated character are squeezed;
4. whitespace is tidied.

Every setting combination is idempotent: ``n(n(x)) == n(x)`` for any string ``x``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from typing import Any

from khabar.errors import ConfigError

# the character classes live in khabar.text.chars (also importable from here, as before)
from khabar.text.chars import (
    ALEF,
    ALEF_MAQSURA,
    ALEF_VARIANTS,
    ARABIC_INDIC_DIGITS,
    HA,
    INVISIBLE_CODEPOINTS,
    PERSIAN_DIGITS,
    TA_MARBUTA,
    TASHKEEL_CODEPOINTS,
    TATWEEL,
    YA,
)

__all__ = [
    "EMAIL_TOKEN",
    "ENTITY_MODES",
    "MENTION_TOKEN",
    "PLACEHOLDERS",
    "URL_TOKEN",
    "ArabicNormalizer",
    "normalize",
]

URL_TOKEN = "[رابط]"
EMAIL_TOKEN = "[بريد]"
MENTION_TOKEN = "[مستخدم]"
PLACEHOLDERS: tuple[str, ...] = (URL_TOKEN, EMAIL_TOKEN, MENTION_TOKEN)

#: Valid values of the ``urls``, ``emails`` and ``mentions`` settings.
ENTITY_MODES: tuple[str, ...] = ("placeholder", "remove", "keep")

# --- entity patterns (shared with the sentence splitter) -----------------------------------------

_TLDS = (
    "com|net|org|info|biz|gov|edu|mil|int|io|co|me|tv|ly|news|online|site|app|ai|uk|us|de|fr|"
    "ru|cn|sa|ae|eg|qa|kw|bh|om|jo|lb|sy|iq|ps|ma|dz|tn|sd|ye|tr|ir"
)
EMAIL_PATTERN = r"[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,}"
URL_PATTERN = (
    r"(?:(?:https?|ftp)://|www\d{0,3}\.)\S+"
    r"|(?<![A-Za-z0-9\-.])[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)*"
    rf"\.(?:{_TLDS})(?![A-Za-z0-9\-])(?:[/?#]\S*)?"
)
MENTION_PATTERN = r"(?<![\w@])@[A-Za-z0-9_]+"
#: Punctuation that ends a sentence or closes a bracket and is not part of a URL that ends with it.
URL_TRAILING = ".,;:!?؟،؛…)]}>»\"'”’"

_ENTITY_RE = re.compile(
    rf"(?P<email>{EMAIL_PATTERN})|(?P<url>{URL_PATTERN})|(?P<mention>{MENTION_PATTERN})",
    re.IGNORECASE,
)
_ENTITY_HINT_RE = re.compile(r"@|://|www|\.[a-z]", re.IGNORECASE)
"""Every match of ``_ENTITY_RE`` contains one of these (an ``@``, a scheme, ``www`` or a dot
before a top-level domain): a text without them is skipped, most news has none."""
_PLACEHOLDER_PATTERN = "|".join(re.escape(token) for token in PLACEHOLDERS)
_HASHTAG_BODY = rf"(?:[^\W_]|[{''.join(map(chr, sorted(TASHKEEL_CODEPOINTS)))}])+"
_HASHTAG_PATTERN = rf"(?<![\w#])#+(?P<tag>{_HASHTAG_BODY}(?:_+{_HASHTAG_BODY})*)"
_UNDERSCORES_RE = re.compile("_+")
_HSPACE_RE = re.compile(r"\s+")
_MANY_NEWLINES_RE = re.compile(r"\n{3,}")

_BOOL_FIELDS = (
    "unicode_nfkc",
    "strip_tashkeel",
    "strip_tatweel",
    "unify_alef",
    "alef_maqsura_to_ya",
    "ta_marbuta_to_ha",
    "ascii_digits",
    "split_hashtags",
    "collapse_whitespace",
)
_ENTITY_FIELDS = ("urls", "emails", "mentions")
_ENTITY_TOKENS = {"url": URL_TOKEN, "email": EMAIL_TOKEN, "mention": MENTION_TOKEN}
_MAX_ROUNDS = 6


def _suggest(word: str, options: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest option, or an empty string."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f" Did you mean '{close[0]}'?" if close else ""


def _split_trailing(match_text: str) -> tuple[str, str]:
    """Split a URL match into the URL and the sentence punctuation glued to its end."""
    url = match_text.rstrip(URL_TRAILING)
    if not url:
        return match_text, ""
    return url, match_text[len(url) :]


class _Plan:
    """The compiled form of one :class:`ArabicNormalizer` (regexes and translate table)."""

    def __init__(self, settings: ArabicNormalizer) -> None:
        self.nfkc = settings.unicode_nfkc
        self.table = self._build_table(settings)
        # str.translate looks every character up in a dict; a character class finds the few
        # that change ~5x faster on Arabic news, with the same result
        self.table_re: re.Pattern[str] | None = (
            re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(self.table)) + "]")
            if self.table
            else None
        )
        self.modes = {
            "url": settings.urls,
            "email": settings.emails,
            "mention": settings.mentions,
        }
        self.entities_active = any(mode != "keep" for mode in self.modes.values())
        self.max_repeat = settings.max_repeat
        self.split_hashtags = settings.split_hashtags
        self.collapse_whitespace = settings.collapse_whitespace

        protected = [_PLACEHOLDER_PATTERN]
        if settings.emails == "keep":
            protected.append(EMAIL_PATTERN)
        if settings.urls == "keep":
            protected.append(URL_PATTERN)
        if settings.mentions == "keep":
            protected.append(MENTION_PATTERN)
        alternatives = [f"(?P<keep>(?i:{'|'.join(protected)}))"]
        if settings.split_hashtags:
            alternatives.append(_HASHTAG_PATTERN)
        if settings.max_repeat is not None:
            alternatives.append(rf"(?P<rep>(?P<ch>[^\d\s])(?P=ch){{{settings.max_repeat},}})")
        self.tidy_re: re.Pattern[str] | None = (
            re.compile("|".join(alternatives)) if len(alternatives) > 1 else None
        )
        self.squeeze_re: re.Pattern[str] | None = (
            re.compile(rf"([^\d\s])\1{{{settings.max_repeat},}}")
            if settings.max_repeat is not None
            else None
        )

    @staticmethod
    def _build_table(settings: ArabicNormalizer) -> dict[int, str | None]:
        table: dict[int, str | None] = {}
        if settings.collapse_whitespace:
            table.update(dict.fromkeys(INVISIBLE_CODEPOINTS))
        if settings.strip_tashkeel:
            table.update(dict.fromkeys(TASHKEEL_CODEPOINTS))
        if settings.strip_tatweel:
            table[ord(TATWEEL)] = None
        if settings.unify_alef:
            table.update({ord(ch): ALEF for ch in ALEF_VARIANTS})
        if settings.alef_maqsura_to_ya:
            table[ord(ALEF_MAQSURA)] = YA
        if settings.ta_marbuta_to_ha:
            table[ord(TA_MARBUTA)] = HA
        if settings.ascii_digits:
            for digits in (ARABIC_INDIC_DIGITS, PERSIAN_DIGITS):
                table.update({ord(ch): str(i) for i, ch in enumerate(digits)})
            table[0x066B] = "."  # Arabic decimal separator
            table[0x066C] = ","  # Arabic thousands separator
        return table

    # -- stages ----------------------------------------------------------------------------------

    def characters(self, text: str) -> str:
        """NFKC and the translate table, repeated until both leave the text alone."""
        for _ in range(_MAX_ROUNDS):
            if self.nfkc and not unicodedata.is_normalized("NFKC", text):
                text = unicodedata.normalize("NFKC", text)
            translated = self.table_re.sub(self._translate, text) if self.table_re else text
            if translated == text or not self.nfkc:
                return translated
            text = translated
        return text

    def _translate(self, match: re.Match[str]) -> str:
        return self.table[ord(match.group())] or ""

    def _entity(self, match: re.Match[str]) -> str:
        kind = match.lastgroup or "url"
        mode = self.modes[kind]
        text = match.group(0)
        if mode == "keep":
            return text
        trailing = ""
        if kind == "url":
            text, trailing = _split_trailing(text)
        return (_ENTITY_TOKENS[kind] if mode == "placeholder" else "") + trailing

    def _tidy(self, match: re.Match[str]) -> str:
        tag = match.group("tag") if self.split_hashtags else None
        if tag is not None:
            words = _UNDERSCORES_RE.sub(" ", tag)
            if self.squeeze_re is not None:
                words = self.squeeze_re.sub(self._squeeze, words)
            return words
        if self.max_repeat is not None and match.group("rep") is not None:
            return match.group("ch") * self.max_repeat
        return match.group(0)

    def _squeeze(self, match: re.Match[str]) -> str:
        return match.group(1) * (self.max_repeat or 1)

    def words(self, text: str) -> str:
        """Entities, hashtags and repeats, repeated until the text is stable."""
        for _ in range(_MAX_ROUNDS):
            before = text
            if self.entities_active and _ENTITY_HINT_RE.search(text):
                text = _ENTITY_RE.sub(self._entity, text)
            if self.tidy_re is not None:
                text = self.tidy_re.sub(self._tidy, text)
            if text == before:
                break
        return text

    @staticmethod
    def whitespace(text: str) -> str:
        """Collapse whitespace within lines, strip lines, keep at most one blank line."""
        lines = [_HSPACE_RE.sub(" ", line).strip() for line in text.splitlines()]
        return _MANY_NEWLINES_RE.sub("\n\n", "\n".join(lines)).strip()

    def run_once(self, text: str) -> str:
        text = self.characters(text)
        text = self.words(text)
        if self.collapse_whitespace:
            text = self.whitespace(text)
        return text

    def __call__(self, text: str) -> str:
        text = self.run_once(text)
        # Deleting characters can leave combining sequences that NFKC would compose (and the
        # composed letter may need unifying): run again until the output is a fixed point.
        for _ in range(_MAX_ROUNDS):
            if not self.nfkc or unicodedata.is_normalized("NFKC", text):
                break
            text = self.run_once(text)
        return text


@dataclass(frozen=True)
class ArabicNormalizer:
    """Named, individually switchable steps; defaults suit Arabic BERTs.

    Attributes:
        unicode_nfkc: Apply Unicode NFKC (unfolds presentation forms and ligatures such as ﷲ).
        strip_tashkeel: Remove harakat, tanween, shadda, sukun, combining hamza/madda, dagger
            alef (U+0670) and Quranic marks (U+0610-061A, U+06D6-06ED).
        strip_tatweel: Remove tatweel/kashida (U+0640).
        unify_alef: Write أ إ آ ٱ ٲ ٳ as bare alef ا.
        alef_maqsura_to_ya: Write ى as ي.
        ta_marbuta_to_ha: Write ة as ه.
        ascii_digits: Write Arabic-Indic (٠-٩) and Persian (۰-۹) digits as 0-9, and the Arabic
            decimal/thousands separators ٫ ٬ as ``.`` and ``,``.
        urls: ``"placeholder"`` (→ ``[رابط]``), ``"remove"`` or ``"keep"``.
        emails: Same choices for e-mail addresses (→ ``[بريد]``).
        mentions: Same choices for @mentions (→ ``[مستخدم]``).
        split_hashtags: ``#وقف_إطلاق_النار`` → ``وقف إطلاق النار``.
        max_repeat: Squeeze runs of the same character longer than this (``هههههه`` → ``هه``);
            digits and whitespace are never squeezed; ``None`` switches the step off.
        collapse_whitespace: Within each line, runs of whitespace become one space and the line
            is stripped; line breaks are kept, but at most one blank line survives between
            paragraphs; the text is stripped; zero-width spaces, bidi marks and the BOM are
            deleted.
    """

    unicode_nfkc: bool = True
    strip_tashkeel: bool = True
    strip_tatweel: bool = True
    unify_alef: bool = True
    alef_maqsura_to_ya: bool = True
    ta_marbuta_to_ha: bool = False
    ascii_digits: bool = True
    urls: str = "placeholder"
    emails: str = "placeholder"
    mentions: str = "placeholder"
    split_hashtags: bool = True
    max_repeat: int | None = 2
    collapse_whitespace: bool = True

    def __post_init__(self) -> None:
        for name in _BOOL_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise ConfigError(f"must be true or false, got {value!r}", key=name)
        for name in _ENTITY_FIELDS:
            value = getattr(self, name)
            if value not in ENTITY_MODES:
                hint = _suggest(value, ENTITY_MODES) if isinstance(value, str) else ""
                raise ConfigError(
                    f"must be one of {', '.join(ENTITY_MODES)}; got {value!r}.{hint}", key=name
                )
        repeat = self.max_repeat
        if repeat is not None and (
            isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1
        ):
            raise ConfigError(
                f"must be a whole number >= 1 or null (off), got {repeat!r}", key="max_repeat"
            )

    @cached_property
    def _plan(self) -> _Plan:
        return _Plan(self)

    def __call__(self, text: str) -> str:
        """Normalise one text. Never raises for a ``str``."""
        if not isinstance(text, str):
            raise TypeError(f"ArabicNormalizer expects a str, got {type(text).__name__}")
        return self._plan(text)

    def normalize_batch(self, texts: Iterable[str]) -> list[str]:
        """Normalise many texts with the same settings."""
        plan = self._plan
        out = []
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"ArabicNormalizer expects a str, got {type(text).__name__}")
            out.append(plan(text))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as a JSON-ready dict (round-trips through :meth:`from_dict`)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ArabicNormalizer:
        """Build a normaliser from settings; missing keys take their defaults.

        Raises:
            ConfigError: for an unknown key (naming the closest valid one) or an invalid value.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"normaliser settings must be a mapping, got {type(data).__name__}")
        names = [f.name for f in fields(cls)]
        for key in data:
            if key not in names:
                hint = _suggest(str(key), names)
                raise ConfigError(
                    f"unknown normaliser setting.{hint} Valid settings: {', '.join(names)}",
                    key=str(key),
                )
        return cls(**dict(data))

    def describe(self) -> list[str]:
        """Human-readable sentences, one per enabled step (for model cards)."""
        lines: list[str] = []
        if self.unicode_nfkc:
            lines.append("Unicode NFKC normalisation (presentation forms and ligatures unfolded)")
        if self.strip_tashkeel:
            lines.append("Diacritics (tashkeel) removed")
        if self.strip_tatweel:
            lines.append("Tatweel (kashida, ـ) removed")
        if self.unify_alef:
            lines.append("Alef variants (أ إ آ ٱ) written as bare alef (ا)")
        if self.alef_maqsura_to_ya:
            lines.append("Alef maqsura (ى) written as ya (ي)")
        if self.ta_marbuta_to_ha:
            lines.append("Ta marbuta (ة) written as ha (ه)")
        if self.ascii_digits:
            lines.append("Arabic-Indic and Persian digits written as ASCII digits (0-9)")
        for name, label, token in (
            ("urls", "URLs", URL_TOKEN),
            ("emails", "E-mail addresses", EMAIL_TOKEN),
            ("mentions", "@mentions", MENTION_TOKEN),
        ):
            mode = getattr(self, name)
            if mode == "placeholder":
                lines.append(f"{label} replaced by {token}")
            elif mode == "remove":
                lines.append(f"{label} removed")
        if self.split_hashtags:
            lines.append("Hashtags split into words (#وقف_إطلاق_النار → وقف إطلاق النار)")
        if self.max_repeat is not None:
            n = self.max_repeat
            lines.append(
                f"Runs of a repeated character (digits excepted) shortened to {n} "
                f"(هههههه → {'ه' * n})"
            )
        if self.collapse_whitespace:
            lines.append(
                "Whitespace collapsed (one space within lines, at most one blank line between "
                "paragraphs) and invisible formatting characters removed"
            )
        return lines


@lru_cache(maxsize=32)
def _cached_normalizer(settings: tuple[tuple[str, Any], ...]) -> ArabicNormalizer:
    return ArabicNormalizer.from_dict(dict(settings))


def normalize(text: str, **settings: Any) -> str:
    """Normalise ``text`` with :class:`ArabicNormalizer` settings given as keywords.

    >>> normalize("أَهْلاً   بِكُم")
    'اهلا بكم'
    """
    items = tuple(sorted(settings.items()))
    try:
        normalizer = _cached_normalizer(items)
    except TypeError:  # an unhashable setting value: validate without the cache
        normalizer = ArabicNormalizer.from_dict(settings)
    return normalizer(text)
