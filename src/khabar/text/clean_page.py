"""The page model the cleaner's rules mark: tokens with their lines and offsets, sentences, prose
tests (:mod:`khabar.text.clean`)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from khabar.text.clean_lexicon import _STRIP_CHARS, _is_terminator, _is_word, _tokenize

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
    dots = False  # inside ". . ." after a terminator
    for position, index in enumerate(indices):
        if current and page.toks[index].line != page.toks[current[-1]].line:
            sentences.append(current)
            current = []
            dots = False
        current.append(index)
        if dots or _is_terminator(keys, index):
            nxt = indices[position + 1] if position + 1 < len(indices) else None
            if nxt is not None and keys[nxt] in {".", "..", "...", "…"}:
                dots = True
                continue  # ". . ." : end at the last dot
            dots = False
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def _is_teaser(page: _Page, sentence: Sequence[int]) -> bool:
    """A cut-off lead ending in ``. . .`` (a teaser of another article)."""
    keys = [page.keys[i] for i in sentence[-4:]]
    return " ".join(keys).endswith((". . .", "...", "…")) and len(sentence) >= 6


def _is_prose(
    page: _Page, sentence: Sequence[int], *, min_words: int = 8, strict: bool = False
) -> bool:
    """A sentence of the article: long enough, ends like a sentence, not a teaser or a menu.

    ``strict`` also refuses sentences that end in ``. .``, ``?`` or ``!`` (headline styles).
    """
    keys = [page.keys[i] for i in sentence]
    words = [k for k in keys if _is_word(k)]
    if len(words) < min_words:
        return False
    if strict and (
        " ".join(keys[-2:]) == ". ." or keys[-1][-1:] in {"?", "!", "؟"} or keys[-1] in {"?", "!"}
    ):
        return False
    last = len(keys) - 1
    while last > 0 and keys[last] in {".", ".."} and keys[last - 1] in {".", ".."}:
        last -= 1  # ". ." / ". . .": the first dot is the one that ends the sentence
    if not _is_terminator(keys, last):
        return False
    tail = " ".join(keys[-3:])
    if tail.endswith((". . .", "...", "…")):
        return False
    separators = sum(1 for k in keys if k in {"|", "/", ">", "•"})
    latin = sum(1 for k in words if k.isascii())
    return separators <= 2 and latin <= len(words) // 2


def _prose_words(page: _Page, indices: Sequence[int]) -> int:
    """Words in the article-like sentences among ``indices``."""
    return sum(
        sum(1 for i in sentence if _is_word(page.keys[i]))
        for sentence in _sentence_spans(page, indices)
        if _is_prose(page, sentence)
    )


@runtime_checkable
class SpanBoilerplate(Protocol):
    """Anything that can point at boilerplate spans in a page's token keys (a fitted cleaner)."""

    def spans(self, keys: Sequence[str]) -> list[tuple[int, int]]:
        """``(start, end)`` token ranges of ``keys`` that are boilerplate."""
        ...
