"""Reduce a scraped news page to its main article.

Pages saved by scrapers carry leftovers around — and inside — the article: the site's name and
navigation menus glued to the headline, dates and author boxes, a source line (``المصدر: …``),
keyword and tag lists, "read also" blocks (``اقرأ أيضا:``) that may hold a whole second article,
"most read" / "related" headline lists, share / like / follow prompts, copyright lines, cookie,
ad, newsletter and login notices, comment forms, video-player notices, photo captions ending in an
agency credit (``… (الأناضول)``) and repeated site boilerplate. Scrapers often glue several of them
into one paragraph, so they are found wherever they sit in a line.

:func:`clean_article` keeps the main article and reports everything it dropped;
:func:`split_articles` returns every article on the page (main first).

How it works. The page is split into tokens that remember their line and offsets. Rules mark
tokens to drop, family by family:

* whole lines: source, keywords and tag lines, related headings and the headlines under them,
  share prompts, bullet headline lists, short lines repeated on the page (a repeated *sentence*
  keeps its first copy), lines given as site boilerplate;
* "read also" markers: the text after one is dropped as a second article only when it reads as
  a different article (it opens with a headline, or shares few content words with the article
  before it); when the same story continues, only the marker goes;
* the page head: a headline repeated around the site's name, menus and dates (everything up to
  its last copy is page furniture), the site name after the headline;
* markers found anywhere in a line: end-of-article families (copyright, related / most read,
  tags, share and follow prompts, comments, newsletter, login, cookie, ad, contact) drop the
  marker and what follows it — unless article prose that continues the story follows, in which
  case only the marker and the non-prose right after it go; in-line notices (video player,
  "accessibility links", font size, search boxes, update stamps, photo credits, author bylines)
  drop just themselves;
* other articles' headlines and teasers listed after the article with no heading (questions,
  exclamations, ``X : …`` and ``… . .`` headlines that share few words with the article);
  video-player ids and embedded social posts (``… - Name ( @ handle )``);
* stand-alone dates (not dates inside a sentence), photo captions ending in a bracketed agency
  credit (never an attribution inside a sentence, a dated citation, or Arabic words that look
  like agency abbreviations: ``آب``, ``أب``, ``وأم``), picture-gallery captions (a long phrase
  that opens four or more short blocks of the page);
* site boilerplate learned from a corpus (:class:`khabar.text.site.SiteBoilerplate`), given as
  ``boilerplate=``.

Markers are matched after light normalisation (diacritics, tanween and tatweel dropped, alef
variants unified, ى→ي, ة→ه, digits made ASCII, case folded). Lines of the article are kept as
written; a line loses only what was dropped from it.

Measured on 68 hand-labelled Baly pages (``benchmarks/cleaner``, ``scripts/evaluate_cleaner.py``):
boilerplate recall 0.89 (characters), article-sentence retention 1.0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from khabar.text.clean_credits import _mark_captions, _mark_dates, _mark_galleries, _mark_residue
from khabar.text.clean_inline import _mark_inline, _mark_tail
from khabar.text.clean_lexicon import _STRIP_CHARS, _TRAIL_RE, _marker_key, page_tokens, token_key
from khabar.text.clean_page import SpanBoilerplate, _Page
from khabar.text.clean_rules import (
    _mark_bullet_lists,
    _mark_fitted,
    _mark_given_lines,
    _mark_head,
    _mark_line_markers,
    _mark_repeated_lines,
    _split_articles,
)

__all__ = [
    "REMOVED_KINDS",
    "CleanedArticle",
    "RemovedBlock",
    "SpanBoilerplate",
    "clean_article",
    "page_tokens",
    "split_articles",
    "token_key",
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
    "navigation",
    "date",
    "author",
    "copyright",
    "comments",
    "newsletter",
    "login",
    "cookie",
    "ad",
    "media",
    "duplicate",
    "site",
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


# --- putting it together -------------------------------------------------------------------------


@dataclass
class _Article:
    marker: str | None
    text: str
    removed: list[RemovedBlock]


def _analyse(page: str, boilerplate: object) -> tuple[_Page, list[_Article]]:
    """Mark everything to drop on ``page``; return it and its articles (main first)."""
    doc = _Page(page)
    given: set[str] = set()
    fitted: list[SpanBoilerplate] = []
    single = isinstance(boilerplate, (str, SpanBoilerplate)) or not isinstance(
        boilerplate, Iterable
    )
    items: Iterable[object] = [boilerplate] if single else boilerplate  # type: ignore[assignment]
    for item in items:
        if isinstance(item, SpanBoilerplate):
            fitted.append(item)
            continue
        for line in str(item).splitlines():
            key = _TRAIL_RE.sub("", _marker_key(line))
            if key:
                given.add(key)
    all_lines = list(range(len(doc.line_spans)))
    _mark_given_lines(doc, given)
    _mark_line_markers(doc, all_lines)
    _mark_bullet_lists(doc, all_lines)
    _mark_repeated_lines(doc, all_lines, given)
    _split_articles(doc)
    for position, (start, end) in enumerate(doc.articles):
        _mark_inline(doc, start, end)
        if position == 0:
            _mark_head(doc, start, end)
        _mark_tail(doc, start, end)
        _mark_dates(doc, start, end)
        _mark_captions(doc, start, end)
        _mark_galleries(doc, start, end)
        for item in fitted:
            _mark_fitted(doc, item, start, end)
        _mark_residue(doc, start, end)
    articles = [_assemble(doc, start, end) for start, end in doc.articles]
    for position, (start, _end) in enumerate(doc.articles):
        marker = doc.markers.get(start)
        if marker is not None:
            articles[position].marker = _raw(doc, marker[0], marker[1])
    return doc, articles


def _raw(page: _Page, start: int, end: int) -> str:
    """The page text from token ``start`` to token ``end - 1``, lines joined with ``\\n``."""
    pieces: list[str] = []
    current_line = None
    piece_start = piece_end = 0
    for index in range(start, end):
        tok = page.toks[index]
        if tok.line != current_line:
            if current_line is not None:
                pieces.append(page.text[piece_start:piece_end])
            current_line = tok.line
            piece_start = tok.start
        piece_end = tok.end
    if current_line is not None:
        pieces.append(page.text[piece_start:piece_end])
    return "\n".join(piece.strip(_STRIP_CHARS) for piece in pieces)


def _assemble(page: _Page, start: int, end: int) -> _Article:
    """Kept text of tokens ``[start, end)`` (lines as written) and the blocks dropped from it.

    Kept tokens of one line are copied as written; where something was dropped between two of
    them, a space joins them. A new paragraph starts after a blank line or after a dropped
    block that ended a line or filled one.
    """
    paragraphs: list[list[str]] = []
    removed: list[RemovedBlock] = []
    block_kind: str | None = None
    block_start = 0
    line_text: list[str] = []  # pieces of the current output line
    current_line: int | None = None
    run_start = run_end = -1
    dropped_since = False  # something dropped since the last kept token
    last_kept_line: int | None = None

    def flush_run() -> None:
        nonlocal run_start
        if run_start >= 0:
            line_text.append(page.text[run_start:run_end])
            run_start = -1

    def flush_line() -> None:
        flush_run()
        text = " ".join(piece.strip(_STRIP_CHARS) for piece in line_text).strip(_STRIP_CHARS)
        line_text.clear()
        if text:
            paragraphs[-1].append(text)

    for index in range(start, end):
        tok = page.toks[index]
        kind = page.kind[index]
        if kind is not None:
            if kind != block_kind:
                if block_kind is not None:
                    removed.append(RemovedBlock(block_kind, _raw(page, block_start, index)))
                block_kind, block_start = kind, index
            flush_run()
            dropped_since = True
            continue
        if block_kind is not None:
            removed.append(RemovedBlock(block_kind, _raw(page, block_start, index)))
            block_kind = None
        if tok.line != current_line:
            if current_line is not None:
                flush_line()
            blank = last_kept_line is not None and any(
                not page.by_line[n] for n in range(last_kept_line + 1, tok.line)
            )
            if (not paragraphs or blank or dropped_since) and (not paragraphs or paragraphs[-1]):
                paragraphs.append([])
            current_line = tok.line
        elif dropped_since:
            flush_run()
        if run_start < 0:
            run_start = tok.start
        run_end = tok.end
        dropped_since = False
        last_kept_line = tok.line
    if current_line is not None:
        flush_line()
    if block_kind is not None:
        removed.append(RemovedBlock(block_kind, _raw(page, block_start, end)))
    text = "\n\n".join("\n".join(lines) for lines in paragraphs if lines)
    return _Article(None, text, removed)


def clean_article(
    page: str, *, boilerplate: Iterable[str] | SpanBoilerplate = ()
) -> CleanedArticle:
    """Return the main article of a scraped page and what was removed.

    A "read also" marker (``اقرأ أيضا``, ``إقرأ أيضاً:``, ``شاهد أيضا``, ``للمزيد``…) followed by
    a different article ends the main one: the marker and that article are removed. When the
    same story continues after the marker, only the marker goes. If nothing of the article
    precedes the first marker, the first non-empty article after one is the main article.

    Args:
        page: The page text as scraped.
        boilerplate: Site boilerplate to drop wherever it appears: lines (matched after light
            normalisation), and/or a fitted :class:`~khabar.text.site.SiteBoilerplate`. Short
            lines that occur more than once on the page are dropped too.

    Never raises for a ``str``.
    """
    _doc, articles = _analyse(page, boilerplate)
    main = next((i for i, article in enumerate(articles) if article.text), 0)
    removed: list[RemovedBlock] = []
    for index, article in enumerate(articles):
        if article.marker is not None:
            removed.append(RemovedBlock("read_also", article.marker))
        if index != main and article.text:
            removed.append(RemovedBlock("second_article", article.text))
        removed.extend(article.removed)
    text = articles[main].text if articles else ""
    return CleanedArticle(text=text, removed=tuple(removed))


def split_articles(page: str, *, boilerplate: Iterable[str] | SpanBoilerplate = ()) -> list[str]:
    """Every article on the page, main first (e.g. then the one inside a "read also" block).

    Each article is cleaned like :func:`clean_article` cleans the main one. Never raises for a
    ``str``.
    """
    _doc, articles = _analyse(page, boilerplate)
    texts = [article.text for article in articles if article.text]
    return texts
