"""The cleaner's rules for markers anywhere in a line: tails, notices, embeds, author boxes
(:mod:`khabar.text.clean`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from khabar.text.clean_lexicon import (
    _BOUNDED_FAMILIES,
    _EMBED_HANDLE_RE,
    _INITIALS_CREDIT_RE,
    _INLINE_RE,
    _LATIN_CREDIT_RE,
    _RAW_MEDIA_RE,
    _REPORT_WORDS,
    _STOPWORDS,
    _TAIL_KIND,
    _TAIL_RE,
    _TERMINATOR_RE,
    _content,
    _is_separator,
    _is_terminator,
    _is_word,
    _overlap,
    _wordset,
)
from khabar.text.clean_page import (
    _covering,
    _is_prose,
    _is_teaser,
    _joined,
    _Page,
    _prose_words,
    _sentence_spans,
)

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


def _iter_raw_matches(
    page: _Page, regex: re.Pattern[str], start: int, end: int
) -> Iterable[tuple[int, int]]:
    """``(first token, end token)`` of each match of ``regex`` in the raw text of kept lines."""
    for number in sorted({page.toks[i].line for i in page.kept(start, end)}):
        indices = [i for i in page.by_line[number] if start <= i < end]
        line_start, line_end = page.line_spans[number]
        for match in regex.finditer(page.text, line_start, line_end):
            inside = [
                i
                for i in indices
                if page.toks[i].start < match.end() and page.toks[i].end > match.start()
            ]
            if inside and all(page.kind[i] is None for i in inside):
                yield inside[0], inside[-1] + 1


def _mark_embeds(page: _Page, start: int, end: int) -> None:
    """Video-player ids, and embedded social posts ("text - Name ( @ handle )")."""
    for first, last in list(_iter_raw_matches(page, _RAW_MEDIA_RE, start, end)):
        page.drop(first, last, "media")
    for first, last in list(_iter_raw_matches(page, _EMBED_HANDLE_RE, start, end)):
        line = page.toks[first].line
        begin = first
        for index in range(first - 1, max(start, first - 60) - 1, -1):
            if page.toks[index].line != line or page.kind[index] is not None:
                break
            if _is_terminator(page.keys, index):
                break
            begin = index
        page.drop(begin, last, "media")


def _mark_inline(page: _Page, start: int, end: int) -> None:
    _mark_embeds(page, start, end)
    for family, first, last in list(_iter_line_matches(page, _INLINE_RE, start, end)):
        if family == "author":
            if not _at_boundary(page, first, start):
                continue
            last = _author_name_end(page, last, end)
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


_NAME_PARTS = _wordset("عبد ابو ابن بن ام ال اولاد")


def _author_name_end(page: _Page, index: int, end: int) -> int:
    """End of the name after "بقلم /", "كتب -", "الكاتب :": two words, or three before a stop."""
    line = page.toks[index - 1].line if index else 0
    words: list[int] = []
    for position in range(index, min(index + 3, end)):
        if page.toks[position].line != line or not _is_word(page.keys[position]):
            break
        words.append(position)
    if not words:
        return index

    def stops_before(position: int) -> bool:
        return (
            position >= end
            or page.toks[position].line != line
            or not _is_word(page.keys[position])
            or page.keys[position] in _STOPWORDS
        )

    compound = page.keys[words[0]] in _NAME_PARTS
    three = len(words) == 3 and (compound or stops_before(words[2] + 1))
    name = words[:3] if three else words[:2]
    after = name[-1] + 1
    if after < end and page.keys[after] == ":":
        after += 1
    return after


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
            if family in _NOTICE_FAMILIES and _is_notice(
                family, [page.keys[i] for i in sentence], first=position == 0
            ):
                skipped += len(sentence)
                continue  # the notice's own text ("عزيزي المستخدم … الإعلانات …")
            if _is_prose(page, sentence):
                if head:
                    cut_to = sentence[0]
                    break
                window = [i for s in sentences[position : position + 3] for i in s]
                overlap = _overlap(_content(page.keys[i] for i in window), before)
                continues = overlap >= 0.3 or (
                    page.keys[sentence[0]].startswith("و") and overlap >= 0.15
                )
                if continues and not _marker_soon(page, matches, sentence[0], end):
                    cut_to = sentence[0]
                    break
            skipped += len(sentence)
            if skipped > 80 and not head:
                break
        if cut_to == end and not head:
            first = _tail_lead_in(page, before_tokens, first)
        elif family in _NOTICE_FAMILIES:
            first = _notice_start(page, before_tokens, first)
        page.drop(first, cut_to, family)
        if cut_to == end:
            _assign_tail_kinds(page, first, end, family, matches)
            _mark_teaser_tail(page, start, first)
            return
    _mark_teaser_tail(page, start, end)


# The wording of a notice, after its marker ("عزيزي المستخدم العائد من الإعلانات …").
_NOTICE_WORDS: dict[str, re.Pattern[str]] = {
    "ad": re.compile(r"\b(?:ال)?اعلان(?:ات)?\b|مانع\s+(?:ال)?اعلانات|ad\s*block"),
    "cookie": re.compile(
        r"ملفات\s+(?:تعريف\s+)?(?:ال)?ارتباط|\b(?:ال)?كوكيز\b|(?:ال)?خصوصيه\b|cookies?"
    ),
    "newsletter": re.compile(
        r"\b(?:ال)?اشتراك\S*|\bاشترك\b|\b(?:ال)?بريد(?:ك)?\b|\bنشرت\S*|\bالنشره\b"
    ),
    "login": re.compile(r"كلمه\s+(?:ال)?(?:سر|مرور)|\bتسجيل\b|\b(?:ال)?مستخدم\b"),
}
_NOTICE_FAMILIES = frozenset(_NOTICE_WORDS)


def _is_notice(family: str, keys: Sequence[str], *, first: bool = False) -> bool:
    """Whether a sentence is the wording of a notice of ``family`` (dense in its words)."""
    hits = len(_NOTICE_WORDS[family].findall(" ".join(keys)))
    words = sum(1 for k in keys if _is_word(k))
    return hits >= 2 or (hits == 1 and words <= (35 if first else 25))


def _notice_start(page: _Page, before: Sequence[int], first: int) -> int:
    """Back to the start of a notice's sentence ("يستخدم هذا الموقع ملفات تعريف الارتباط …")."""
    line = page.toks[first].line
    stretch: list[int] = []
    for index in reversed(before):
        if page.toks[index].line != line or _is_terminator(page.keys, index):
            break
        stretch.append(index)
        if len(stretch) > 8:
            return first
    return stretch[-1] if stretch else first


def _marker_soon(page: _Page, matches: list[tuple[str, int, int]], index: int, end: int) -> bool:
    """Whether another end-of-article marker follows within 60 kept tokens of ``index``."""
    horizon = page.kept(index, end)[:60]
    if not horizon:
        return False
    limit = horizon[-1]
    return any(
        index < first <= limit and group not in _BOUNDED_FAMILIES for group, first, _ in matches
    )


_LEAD_IN_CUES = _wordset("مختارات الكاتب تاريخ مواضيع المواضيع تصنيف القسم التصنيف")


def _assign_tail_kinds(
    page: _Page, start: int, end: int, family: str, matches: list[tuple[str, int, int]]
) -> None:
    """Inside a dropped tail, each later marker starts a block of its own kind."""
    points = sorted(
        (first, _TAIL_KIND[group]) for group, first, _ in matches if start < first < end
    )
    current = family
    cursor = start
    for point, point_kind in [*points, (end, family)]:
        for index in range(cursor, point):
            if page.kind[index] == family:
                page.kind[index] = current
        cursor, current = point, point_kind


def _tail_lead_in(page: _Page, before: Sequence[int], first: int) -> int:
    """Where a page tail really starts: back over what follows the article's last sentence.

    The text between the article's last full stop and a footer marker ("مختارات تاريخ
    09 . 03 . 2016 الكاتب … مواضيع , , ,") is footer too when it is short and looks like it.
    """
    line = page.toks[first].line
    stretch: list[int] = []
    for index in reversed(before):
        if (
            page.toks[index].line != line
            and page.toks[index].line != page.toks[(stretch or [first])[0]].line
        ):
            break
        if _is_terminator(page.keys, index):
            break
        stretch.append(index)
        if len(stretch) > 30:
            return first
    if not stretch:
        return first
    keys = [page.keys[i] for i in stretch]
    cue = any(
        k in _LEAD_IN_CUES
        or k.isdigit()
        or k in {",", "،", "|", "/"}
        or (k.isascii() and _is_word(k))
        for k in keys
    )
    starts_line = stretch[-1] == page.by_line[page.toks[stretch[-1]].line][0]
    if cue or (starts_line and len(stretch) <= 12 and page.toks[stretch[-1]].line == line):
        return stretch[-1]
    return first


def _headline_cues(page: _Page, line_indices: Sequence[int]) -> int:
    """How many headline-like chunks a line holds: questions, exclamations, ". .", "X : …"."""
    cues = 0
    for sentence in _sentence_spans(page, line_indices):
        keys = [page.keys[i] for i in sentence]
        if keys[-1] in {"?", "!", "؟"} or keys[-1].endswith(("?", "!", "؟")):
            cues += 1
        if _is_teaser(page, sentence):
            cues += 1
        joined = " ".join(keys)
        if joined.endswith(". .") and not joined.endswith(". . ."):
            cues += 1  # "headline . . second part"
        for position, key in enumerate(keys[:5]):
            if key == ":" and 1 <= position <= 4:
                lead = keys[:position]
                if not any(k in _REPORT_WORDS for k in lead) and all(_is_word(k) for k in lead):
                    cues += 1
                break
    return cues


def _mark_teaser_tail(page: _Page, start: int, end: int) -> None:
    """Other articles' headlines and leads listed after the article, with no heading."""
    lines: list[list[int]] = []
    for index in page.kept(start, end):
        if lines and page.toks[lines[-1][-1]].line == page.toks[index].line:
            lines[-1].append(index)
        else:
            lines.append([index])
    if len(lines) < 5:
        return
    total = sum(len(line) for line in lines)
    base_tokens: list[int] = []
    for line in lines:
        base_tokens.extend(line)
        if len(base_tokens) >= total * 0.6:
            break
    base = _content(page.keys[i] for i in base_tokens)
    block: list[list[int]] = []
    for line in reversed(lines[len(lines) // 2 :]):
        cues = _headline_cues(page, line)
        overlap = _overlap(_content(page.keys[i] for i in line), base)
        if (
            (cues >= 1 and overlap < 0.35)
            or (cues >= 3 and overlap < 0.6)
            or (len(block) >= 2 and overlap < 0.3)
        ):
            block.append(line)
        else:
            break
    while block and not _headline_cues(page, block[-1]):
        block.pop()  # the block starts at a headline-like line
    if len(block) < 3 or sum(len(line) for line in block) > total / 2:
        return
    for line in block:
        for index in line:
            page.kind[index] = "related"
