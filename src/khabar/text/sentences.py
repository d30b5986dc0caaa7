"""A rule-based Arabic (and English) sentence splitter for news text.

Sentences end at ``.`` ``؟`` ``?`` ``!`` ``؛`` ``…`` (and ``..``/``...``) followed by whitespace
or the end of the line, and at every line break. They do not end at a decimal point or inside a
date (no space follows the dot), after an abbreviation (``د.``, ``ق.م.``, ``U.S.``, ``etc.``,
any single letter), after a list number at the start of a line (``1.``), inside URLs and e-mail
addresses, or inside quoted speech (``"…"``, ``«…»``, ``“…”``) that closes on the same line; a
terminator just before a closing quote ends the sentence after the quote.
"""

from __future__ import annotations

import re

from khabar.text.normalize import EMAIL_PATTERN, URL_PATTERN, URL_TRAILING

__all__ = ["split_sentences"]

_TERMINATORS_RE = re.compile(r"[.!?؟؛…]+")
_CLOSERS = "\"'”’»)]}"
_PROTECTED_RE = re.compile(rf"{EMAIL_PATTERN}|{URL_PATTERN}", re.IGNORECASE)
_INITIALS_RE = re.compile(r"^(?:[^\W\d_]\.)*[^\W\d_]$")
_LIST_NUMBER_RE = re.compile(r"^\(?[0-9٠-٩]{1,3}$")
_OPENERS = "\"'“‘«([{"
#: Multi-letter abbreviations (lower case, without the final dot).
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "etc",
        "e.g",
        "i.e",
        "vs",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "gov",
        "sen",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "approx",
        "fig",
        "vol",
        "pp",
        "dept",
        "univ",
        "مج",  # مجلد
        "هـ",
    }
)
# Paired quotes: opening -> closing. The straight double quote pairs with itself.
_QUOTE_PAIRS = {"«": "»", "“": "”", '"': '"'}
_CLOSING_QUOTES = {"»": "«", "”": "“"}


def _quote_spans(line: str) -> list[tuple[int, int]]:
    """Half-open ``(start, end)`` spans of quotes that open and close within ``line``.

    Unclosed openers and stray closers are ignored; quotes may nest.
    """
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []  # (opening quote, index)

    def close(opener: str, index: int) -> None:
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == opener:
                spans.append((stack[depth][1], index + 1))
                del stack[depth:]
                return

    for index, ch in enumerate(line):
        if ch == '"':
            if any(opener == '"' for opener, _ in stack):
                close('"', index)
            else:
                stack.append((ch, index))
        elif ch in _QUOTE_PAIRS:
            stack.append((ch, index))
        elif ch in _CLOSING_QUOTES:
            close(_CLOSING_QUOTES[ch], index)
    return spans


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    """Whether a cut before ``position`` would fall strictly inside a span."""
    return any(start < position < end for start, end in spans)


def _is_abbreviation(line: str, dot: int) -> bool:
    """Whether the single ``.`` at ``dot`` ends an abbreviation or a leading list number."""
    start = dot
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    token = line[start:dot].lstrip(_OPENERS)
    if not token:
        return False
    if _INITIALS_RE.match(token) or token.casefold() in ABBREVIATIONS:
        return True
    return not line[:start].strip() and bool(_LIST_NUMBER_RE.match(token))


def _cuts(line: str) -> list[int]:
    protected = [
        (m.start(), m.start() + len(m.group(0).rstrip(URL_TRAILING)))
        for m in _PROTECTED_RE.finditer(line)
    ]
    quotes = _quote_spans(line)
    cuts: list[int] = []
    for match in _TERMINATORS_RE.finditer(line):
        start, end = match.span()
        if any(a <= start < b for a, b in protected):
            continue
        while end < len(line) and line[end] in _CLOSERS:
            end += 1
        if end >= len(line) or not line[end].isspace():
            continue
        if _inside(end, quotes):
            continue
        if match.group(0) == "." and _is_abbreviation(line, start):
            continue
        cuts.append(end)
    return cuts


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences; terminal punctuation stays with its sentence.

    Sentences are stripped and empty ones dropped. Never raises for a ``str``.

    >>> split_sentences("قال د. أحمد إن النمو بلغ 3.5% هذا العام. وأضاف: «سنواصل. ونعمل».")
    ['قال د. أحمد إن النمو بلغ 3.5% هذا العام.', 'وأضاف: «سنواصل. ونعمل».']
    """
    sentences: list[str] = []
    for line in text.splitlines():
        previous = 0
        for cut in [*_cuts(line), len(line)]:
            sentence = line[previous:cut].strip()
            if sentence:
                sentences.append(sentence)
            previous = cut
    return sentences
