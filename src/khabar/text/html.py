"""Raw HTML news pages: extract the main article, then clean it like a scraped text page.

Users often hold the page itself rather than a scraper's text. :func:`clean_html` hands the HTML
to `trafilatura <https://trafilatura.readthedocs.io>`_ (a maintained main-content extractor,
run offline, tuned for precision: comments, tables, images and links left out), then applies
the same Arabic cleaning as :func:`~khabar.text.clean_article` to what it returns — extractors
keep some boilerplate that sits inside the article container (share prompts, "read also"
blocks, captions, copyright lines), and the Arabic rules catch it.

trafilatura is a regular dependency of khabar; if it is missing, :func:`clean_html` raises
:class:`MissingDependencyError` naming the package to install.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from khabar._logging import get_logger
from khabar.errors import KhabarError
from khabar.text.clean import CleanedArticle, SpanBoilerplate, clean_article

__all__ = [
    "MissingDependencyError",
    "clean_html",
    "extract_html",
    "html_to_text",
]

_LOG = get_logger(__name__)


class MissingDependencyError(KhabarError, ImportError):
    """An optional package a feature needs is not installed; the message says what to install."""


def _trafilatura() -> Any:
    try:
        import trafilatura
    except ImportError as exc:  # trafilatura itself, or one of its parts (lxml_html_clean)
        raise MissingDependencyError(
            "clean_html needs trafilatura to find the article in an HTML page: "
            f"pip install trafilatura ({exc})"
        ) from exc
    return trafilatura


def extract_html(
    html: str | bytes,
    *,
    url: str | None = None,
    include_title: bool = False,
    favor_precision: bool = True,
) -> str:
    """The main text of an HTML page, paragraphs separated by blank lines (``""`` if none).

    Args:
        html: The page's HTML (``bytes`` are decoded by trafilatura).
        url: The page's address, if known (helps trafilatura; nothing is fetched).
        include_title: Open with the page's title when the extracted text does not already
            start with it (a headline inside the article body is kept either way).
        favor_precision: Prefer leaving text out to letting boilerplate in.

    Raises:
        MissingDependencyError: if trafilatura is not installed.
    """
    trafilatura = _trafilatura()
    if isinstance(html, str) and not html.strip():
        return ""
    options: dict[str, Any] = {
        "url": url,
        "favor_precision": favor_precision,
        "include_comments": False,
        "include_tables": False,
        "include_images": False,
        "include_links": False,
        "include_formatting": False,
        "deduplicate": True,
    }
    try:
        document = trafilatura.bare_extraction(html, with_metadata=include_title, **options)
    except Exception as exc:  # a malformed page must not stop a batch
        _LOG.warning("trafilatura could not parse the page (%s); no text extracted", exc)
        return ""
    text = ""
    title = ""
    if document is not None:
        text = getattr(document, "text", None) or ""
        title = (getattr(document, "title", None) or "") if include_title else ""
    if not text.strip():
        try:
            text = trafilatura.html2txt(html) or ""
        except Exception:  # pragma: no cover - html2txt is a plain traversal
            text = ""
    paragraphs = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    text = "\n\n".join(line for line in paragraphs if line)
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}" if text else title
    return text


def html_to_text(pages: list[str | None]) -> list[str | None]:
    """The main article of each raw HTML page, cleaned (``None`` stays ``None``; a page with no
    article becomes empty text, which predictors flag ``empty``, and is counted in a warning)."""
    texts = [clean_html(p).text if p else p for p in pages]
    lost = sum(1 for page, text in zip(pages, texts) if page and page.strip() and not text)
    if lost:
        _LOG.warning(
            "%d of %d page(s) gave no article: are they HTML? (plain text is read without --html)",
            lost,
            len(pages),
        )
    return texts


def clean_html(
    html: str | bytes,
    *,
    boilerplate: Iterable[str] | SpanBoilerplate = (),
    url: str | None = None,
    include_title: bool = False,
    favor_precision: bool = True,
) -> CleanedArticle:
    """The main article of an HTML news page and what the Arabic cleaning removed from it.

    The article is extracted with trafilatura (:func:`extract_html`), then cleaned by
    :func:`~khabar.text.clean_article` (with ``boilerplate``, e.g. a fitted
    :class:`~khabar.text.site.SiteBoilerplate`). ``removed`` lists what the Arabic cleaning
    dropped; what trafilatura left out of the page is not listed.

    Raises:
        MissingDependencyError: if trafilatura is not installed.
    """
    text = extract_html(html, url=url, include_title=include_title, favor_precision=favor_precision)
    if not text:
        return CleanedArticle("", ())
    return clean_article(text, boilerplate=boilerplate)
