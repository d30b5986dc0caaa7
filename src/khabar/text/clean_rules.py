"""The cleaner's rules for whole lines, "read also" blocks and the page head
(:mod:`khabar.text.clean`)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from khabar.text.clean_inline import _NOTICE_WORDS, _at_boundary
from khabar.text.clean_lexicon import (
    _BULLET_RE,
    _INLINE_RE,
    _READ_ALSO_CORE,
    _TAIL_RE,
    _TRAIL_RE,
    _content,
    _ends_sentence,
    _headline_like,
    _is_bullet_headline,
    _is_read_also,
    _is_related_heading,
    _is_share,
    _is_source,
    _is_terminator,
    _is_word,
    _keywords_kind,
    _marker_key,
    _overlap,
    _stem,
    _words,
    _wordset,
)
from khabar.text.clean_page import (
    SpanBoilerplate,
    _covering,
    _is_prose,
    _is_teaser,
    _joined,
    _Page,
    _prose_words,
    _sentence_spans,
)

# --- rules: whole lines --------------------------------------------------------------------------


def _mark_given_lines(page: _Page, lines: set[str]) -> None:
    if not lines:
        return
    for number in range(len(page.line_spans)):
        text = page.line_text(number)
        if text and _TRAIL_RE.sub("", _marker_key(text)) in lines:
            page.drop_line(number, "boilerplate")


def _mark_fitted(page: _Page, fitted: SpanBoilerplate, start: int, end: int) -> None:
    """Spans learned from the corpus; pieces of the article's own story stay.

    Learned runs can include pieces of stories that many pages repeat (wire copy, background
    paragraphs). Within an article-like sentence, a covered piece is kept when it sits inside
    the sentence (boilerplate is glued at a sentence's start or end, not in its middle), when
    most of the page's prose is covered (the page *is* such a story), or when its content words
    recur in the rest of the page's prose (it belongs to this article, not to the site).
    """
    indices = page.kept(start, end)
    if not indices:
        return
    keys = [page.keys[i] for i in indices]
    covered: set[int] = set()
    for a, b in fitted.spans(keys):
        covered.update(range(a, min(b, len(indices))))
    if not covered:
        return
    position_of = {index: position for position, index in enumerate(indices)}
    sentences = [[position_of[i] for i in s] for s in _sentence_spans(page, indices)]
    prose = [_is_prose(page, [indices[p] for p in s]) for s in sentences]
    prose_words = covered_words = 0
    prose_counts: Counter[str] = Counter()
    for sentence, is_prose in zip(sentences, prose):
        if not is_prose:
            continue
        for p in sentence:
            if _is_word(keys[p]):
                prose_words += 1
                covered_words += p in covered
            if len(keys[p]) >= 3:
                prose_counts[_stem(keys[p])] += 1
    story = prose_words > 0 and covered_words > prose_words / 2
    for sentence, is_prose in zip(sentences, prose):
        piece = [p for p in sentence if p in covered]
        if not piece:
            continue
        if is_prose:
            inside = sentence[0] not in covered and sentence[-1] not in covered
            if inside or story:
                continue
            own = Counter(_stem(keys[p]) for p in piece if len(keys[p]) >= 3)
            context = {stem for stem, count in prose_counts.items() if count > own.get(stem, 0)}
            content = _content(keys[p] for p in piece)
            if len(content) >= 3 and _overlap(content, context) >= 0.25:
                continue
        for p in piece:
            if page.kind[indices[p]] is None:
                page.kind[indices[p]] = "site"


def _mark_line_markers(page: _Page, line_numbers: Sequence[int]) -> None:
    """Source, keywords, related headings (and the headlines under them), share prompts."""
    in_related = False
    in_tags = False
    for number in line_numbers:
        text = page.line_text(number)
        if not text or all(page.kind[i] is not None for i in page.by_line[number]):
            continue
        key = _marker_key(text)
        keywords = _keywords_kind(key)
        if _is_source(key):
            page.drop_line(number, "source")
        elif keywords is not None:
            page.drop_line(number, "keywords")
            in_tags = keywords == "heading"
            continue
        elif _is_related_heading(key):
            page.drop_line(number, "related")
            in_related = True
        elif _is_share(key):
            page.drop_line(number, "share")
        elif in_related and (_headline_like(text) or _BULLET_RE.match(text)):
            page.drop_line(number, "related")
        elif in_tags and _words(key) <= 4 and not re.search(r"[.!?؟؛]", key):
            page.drop_line(number, "keywords")
            continue
        else:
            in_related = False
        in_tags = False


def _mark_bullet_lists(page: _Page, line_numbers: Sequence[int]) -> None:
    """Runs of short bullet lines (related headlines) not introduced by a colon."""
    texts = {n: page.line_text(n) for n in line_numbers}
    live = [
        n for n in line_numbers if texts[n] and any(page.kind[i] is None for i in page.by_line[n])
    ]
    position = 0
    while position < len(live):
        number = live[position]
        if not _is_bullet_headline(texts[number]):
            position += 1
            continue
        run = [number]
        cursor = position + 1
        while cursor < len(live) and _is_bullet_headline(texts[live[cursor]]):
            run.append(live[cursor])
            cursor += 1
        before = live[position - 1] if position else None
        introduced = before is not None and texts[before].endswith(":")
        trailing = cursor >= len(live)
        if not introduced and (len(run) >= 2 or trailing):
            for line in run:
                page.drop_line(line, "related")
        position = cursor


def _mark_repeated_lines(page: _Page, line_numbers: Sequence[int], given: set[str]) -> None:
    """Short lines that occur more than once: page furniture, or a sentence kept once."""
    keyed: dict[int, str] = {}
    for number in line_numbers:
        if any(page.kind[i] is None for i in page.by_line[number]):
            text = page.line_text(number)
            key = _TRAIL_RE.sub("", _marker_key(text))
            if key:
                keyed[number] = key
    counts = Counter(keyed.values())
    seen: set[str] = set()
    for number, key in keyed.items():
        text = page.line_text(number)
        short = _words(key) <= 8 or (_words(key) <= 12 and not _ends_sentence(text))
        if key in given:
            page.drop_line(number, "boilerplate")
        elif counts[key] > 1 and short:
            sentence = _ends_sentence(text) and _words(key) >= 4
            if not sentence:
                page.drop_line(number, "boilerplate")
            elif key in seen:
                page.drop_line(number, "duplicate")
        seen.add(key)


# --- rules: "read also" and the articles of a page ------------------------------------------------


def _read_also_markers(page: _Page) -> list[tuple[int, int, bool]]:
    """``(first token, end token, whole_line)`` of each "read also" marker, in page order."""
    found: list[tuple[int, int, bool]] = []
    for number, indices in enumerate(page.by_line):
        if not indices:
            continue
        text = page.line_text(number)
        if _is_read_also(_marker_key(text)):
            found.append((indices[0], indices[-1] + 1, True))
            continue
        joined, offsets = _joined(page.keys, indices)
        lengths = [len(page.keys[i]) for i in indices]
        for match in re.finditer(_READ_ALSO_CORE + r"(?:\s*[:：.…]+)?", joined):
            if match.start() and joined[match.start() - 1] not in " ":
                continue
            first, last = _covering(offsets, lengths, match.start(), match.end())
            found.append((indices[first], indices[min(last, len(indices)) - 1] + 1, False))
    return found


def _different_article(page: _Page, marker_end: int, stop: int, before: set[str]) -> bool:
    """Whether the text after a "read also" marker is another article, not the same story.

    It is when it opens with a headline (a short line, or a short first chunk without end
    punctuation) or shares few content words with the article before the marker.
    """
    indices = page.kept(marker_end, stop)
    if not indices or not before:
        return True
    sentences = _sentence_spans(page, indices)
    if any(_is_teaser(page, sentence) for sentence in sentences[:2]):
        return True  # "… . . ." : teasers of other articles
    first_keys = [page.keys[i] for i in sentences[0]]
    first_words = sum(1 for k in first_keys if _is_word(k))
    headline = first_words <= 20 and not _is_terminator(page.keys, sentences[0][-1])
    following = _content(page.keys[i] for i in indices[:200])
    overlap = _overlap(following, before)
    continues = first_keys[0].startswith("و") and len(first_keys[0]) > 2 and not headline
    if headline:
        return overlap < 0.6
    if continues:
        return overlap < 0.15
    return overlap < 0.3


def _split_articles(page: _Page) -> None:
    """Cut the page into articles at "read also" markers that open another article."""
    markers = _read_also_markers(page)
    starts: list[tuple[int, int]] = []  # (marker start, marker end = next article's start)
    article_start = 0
    for position, (m_start, m_end, whole_line) in enumerate(markers):
        if page.kind[m_start] is not None:
            continue
        stop = markers[position + 1][0] if position + 1 < len(markers) else len(page.toks)
        before_tokens = page.kept(article_start, m_start)
        before_words = sum(1 for i in before_tokens if _is_word(page.keys[i]))
        if whole_line and not before_words:
            # a page (or article) that opens with "read also": the article after it is the one
            if article_start == 0:
                starts.append((m_start, m_end))
                article_start = m_end
            page.drop(m_start, m_end, "read_also")
            continue
        if not whole_line and _prose_words(page, before_tokens) < 25:
            page.drop(m_start, m_end, "read_also")  # a marker in the page head
            continue
        before = _content(page.keys[i] for i in before_tokens)
        if _different_article(page, m_end, stop, before):
            starts.append((m_start, m_end))
            article_start = m_end
        page.drop(m_start, m_end, "read_also")
    page.articles = []
    begin = 0
    for m_start, m_end in starts:
        page.articles.append((begin, m_start))
        begin = m_end
        page.markers[begin] = (m_start, m_end)
    page.articles.append((begin, len(page.toks)))


# --- rules: the page head ------------------------------------------------------------------------

_HEAD_WINDOW = 160
_SITE_WORDS = _wordset(
    "موقع صحيفه جريده شبكه قناه وكاله بوابه مجله اذاعه تلفزيون مركز الموقع الرسمي نت news net com",
    "online arabic arabia tv press times post agency center centre network org",
)


def _mark_head(page: _Page, start: int, end: int) -> None:
    """A headline repeated around the site name, menus and dates: all of it is page furniture."""
    indices = page.kept(start, end)[:_HEAD_WINDOW]
    keys = [page.keys[i] for i in indices]
    n = len(keys)
    if n < 8:
        return
    grams: dict[tuple[str, ...], list[int]] = {}
    for position in range(n - 3):
        grams.setdefault(tuple(keys[position : position + 4]), []).append(position)
    best: tuple[int, int, int] | None = None  # (end of last copy, first copy start, length)
    for positions in grams.values():
        if len(positions) < 2 or positions[0] > 40:
            continue
        p = positions[0]
        if not _at_boundary(page, indices[p], start):
            continue
        if p and any(_is_prose(page, s, strict=True) for s in _sentence_spans(page, indices[:p])):
            continue  # a headline comes before the article, not after a sentence of it
        title = next(
            (t for t in range(p + 1, min(p + 40, n)) if keys[t] in {"-", "|", "–", "—"}), None
        )
        for q in positions[1:]:
            length = 4
            while q + length < n and p + length < q and keys[p + length] == keys[q + length]:
                length += 1
            if q < p + length:
                continue
            whole_title = title is not None and length >= max(5, 0.8 * (title - p))
            if not (
                whole_title or _at_boundary(page, indices[q], start) or _follows_copy(keys, p, q)
            ):
                continue
            words = sum(1 for k in keys[p : p + length] if _is_word(k))
            if words < 3:
                continue
            end_of_copy = p + length
            if end_of_copy < n and _is_terminator(keys, end_of_copy):
                continue  # the copy ends a sentence: a paragraph the article repeats, no headline
            between = _sentence_spans(page, indices[p + length : q])
            if any(_is_prose(page, s, strict=True) and not _has_marker(page, s) for s in between):
                continue
            candidate = (q + length, p, length)
            if best is None or candidate > best:
                best = candidate
    if best is not None:
        last_end, first, _ = best
        leading = _sentence_spans(page, indices[:first])
        cut_from = 0 if not any(_is_prose(page, s) for s in leading) else first
        for position in range(cut_from, last_end):
            index = indices[position]
            if page.kind[index] is None:
                page.kind[index] = "navigation"
        return
    _mark_site_name(page, indices)


def _has_marker(page: _Page, sentence: Sequence[int]) -> bool:
    """Whether a sentence holds an end-of-article marker or a notice's wording."""
    joined = " ".join(page.keys[i] for i in sentence)
    return bool(
        _TAIL_RE.search(joined)
        or _INLINE_RE.search(joined)
        or any(regex.search(joined) for regex in _NOTICE_WORDS.values())
    )


def _follows_copy(keys: Sequence[str], p: int, q: int) -> bool:
    """Whether position ``q`` comes right after a copy of the phrase that starts at ``p``."""
    for length in range(4, min(q - p, 40) + 1):
        if keys[q - length : q] == keys[p : p + length] and q - length >= p:
            return True
    return False


def _mark_site_name(page: _Page, indices: Sequence[int]) -> None:
    """``headline - Site Name`` / ``headline | Site``: the site name after the headline goes."""
    keys = [page.keys[i] for i in indices]
    first_line = page.toks[indices[0]].line
    for position, key in enumerate(keys[:30]):
        if page.toks[indices[position]].line != first_line:
            return
        if key not in {"-", "|", "–", "—"} or position < 3:
            continue
        name: list[int] = []
        for offset in range(position + 1, min(position + 8, len(keys))):
            if (
                keys[offset] in {"-", "|", "–", "—"}
                or page.toks[indices[offset]].line != first_line
            ):
                break
            name.append(offset)
        if not name or len(name) > 6:
            continue
        words = [keys[o] for o in name]
        if not all(_is_word(w) for w in words):
            continue  # "- 09 : 15" is a time, not a site
        if any(w in _SITE_WORDS for w in words) or all(w.isascii() for w in words):
            for offset in [position, *name]:
                index = indices[offset]
                if page.kind[index] is None:
                    page.kind[index] = "site"
            if name[-1] + 1 < len(keys) and keys[name[-1] + 1] in {"-", "|", "–", "—"}:
                page.kind[indices[name[-1] + 1]] = "site"
            return
