"""Arabic text layer: normalisation, scraped-page cleaning, sentence splitting, preprocessing."""

from __future__ import annotations

from khabar.text.clean import CleanedArticle, RemovedBlock, clean_article, split_articles
from khabar.text.html import clean_html, extract_html
from khabar.text.normalize import (
    EMAIL_TOKEN,
    ENTITY_MODES,
    MENTION_TOKEN,
    PLACEHOLDERS,
    URL_TOKEN,
    ArabicNormalizer,
    normalize,
)
from khabar.text.preprocess import PREPROCESSING_FILE, TextPreprocessor
from khabar.text.sentences import split_sentences
from khabar.text.site import SITE_BOILERPLATE_FILE, SiteBoilerplate

__all__ = [
    "EMAIL_TOKEN",
    "ENTITY_MODES",
    "MENTION_TOKEN",
    "PLACEHOLDERS",
    "PREPROCESSING_FILE",
    "SITE_BOILERPLATE_FILE",
    "URL_TOKEN",
    "ArabicNormalizer",
    "CleanedArticle",
    "RemovedBlock",
    "SiteBoilerplate",
    "TextPreprocessor",
    "clean_article",
    "clean_html",
    "extract_html",
    "normalize",
    "split_articles",
    "split_sentences",
]
