"""The cleaner's rules for dates, photo captions and galleries (:mod:`khabar.text.clean`)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from khabar.text.clean_inline import _at_boundary
from khabar.text.clean_lexicon import (
    _CREDIT_BODY_RE,
    _DATE_STRONG,
    _INTRO_WORDS,
    _NOT_AGENCY_RAW,
    _POSITION_NOTES,
    _PREPOSITIONS,
    _REPORT_WORDS,
    _TERMINATOR_RE,
    _WEEKDAYS,
    _date_class,
    _is_separator,
    _is_terminator,
    _is_word,
)
from khabar.text.clean_page import _Page, _sentence_spans

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
    strong = clock or any(keys[p] in _DATE_STRONG for p in range(first, last))
    years = sum(1 for p in range(first, last) if re.fullmatch(r"(?:19|20)\d\d", keys[p]))
    if years >= 3 and not calendar:
        strong = True  # a list of dates: "17 - 01 - 2017 06 - 12 - 2016 ..."
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
    if not strong and after_key in {":", "-", "–"} and _entry_follows(page, indices[last - 1] + 1):
        return False  # a date that heads an entry: "03 يناير 2015 م : - ..."
    after = indices[last - 1] + 1
    ends_line = after >= len(page.toks) or page.toks[after].line != page.toks[index].line
    next_dropped = after < len(page.toks) and page.kind[after] is not None
    boundary = _at_boundary(page, index, start)
    if run[0] == "day" and not strong and not boundary:
        return False
    return boundary or strong or ends_line or next_dropped


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


def _entry_follows(page: _Page, index: int) -> bool:
    """Whether a sentence of 8+ words, ending in a full stop, follows ``index`` on its line."""
    line = page.toks[index].line
    words = 0
    for position in range(index + 1, min(index + 80, len(page.toks))):
        if page.toks[position].line != line or page.kind[position] is not None:
            return False
        if _date_class(page.keys, position) in {"num", "month", "day"} and words == 0:
            return False
        words += _is_word(page.keys[position])
        if _is_terminator(page.keys, position):
            return words >= 8
    return False


def _mark_galleries(page: _Page, start: int, end: int) -> None:
    """A long phrase that opens four or more short blocks: picture-gallery captions."""
    indices = page.kept(start, end)
    keys = [page.keys[i] for i in indices]
    n = 6
    if len(keys) < 3 * n:
        return
    opens: dict[tuple[str, ...], list[int]] = {}
    for position in range(len(keys) - n + 1):
        gram = tuple(keys[position : position + n])
        if sum(1 for k in gram if _is_word(k)) < 5 or not _at_boundary(
            page, indices[position], start
        ):
            continue
        opens.setdefault(gram, []).append(position)
    for positions in opens.values():
        spaced: list[int] = []
        for p in positions:
            if not spaced or p >= spaced[-1] + n:
                spaced.append(p)
        if len(spaced) < 4:
            continue  # a headline printed two or three times is not a gallery
        if any(b - a > 100 for a, b in itertools.pairwise(spaced)):
            continue  # slides are short
        for i, p in enumerate(spaced):
            nxt = spaced[i + 1] if i + 1 < len(spaced) else None
            if nxt is not None:
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
                    page.kind[i] = (
                        left if left != "edge" else (right if right != "edge" else nearest)
                    )
                    changed = True
