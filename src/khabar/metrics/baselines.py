"""Trivial summarisation baselines that a trained summariser must beat."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from khabar.text.sentences import split_sentences

__all__ = ["TFIDF_BASELINE_NAME", "lead_baseline", "tfidf_logreg_baseline"]


def lead_baseline(
    texts: Sequence[str],
    k: int = 1,
    unit: Literal["sentences", "words"] = "sentences",
    *,
    joiner: str = "\n",
) -> list[str]:
    """The lead-``k`` baseline: the first ``k`` sentences or words of every text.

    Args:
        texts: the source articles.
        k: how many sentences (or words) to keep; must be >= 1.
        unit: ``"sentences"`` uses :func:`khabar.text.split_sentences` (line breaks and
            sentence punctuation end a sentence; abbreviations such as ``د.``, decimals, URLs
            and quoted speech do not); ``"words"`` splits on whitespace and keeps punctuation
            attached to its word.
        joiner: separator between kept sentences (default newline, the ROUGE-Lsum
            convention); words are always joined with a single space.

    Returns:
        One summary per text (an empty string for an empty text).
    """
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings, not a single string")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if unit == "sentences":
        return [joiner.join(split_sentences(t)[:k]) for t in texts]
    if unit == "words":
        return [" ".join(t.split()[:k]) for t in texts]
    raise ValueError(f"unit must be 'sentences' or 'words', got {unit!r}")


TFIDF_BASELINE_NAME = "TF-IDF (word 1-2 grams + char 2-5 grams) + logistic regression"


def tfidf_logreg_baseline(
    train_texts: Sequence[str],
    train_labels: Sequence[int],
    eval_texts: Mapping[str, Sequence[str]],
    *,
    max_features: int = 200_000,
    seed: int = 42,
) -> dict[str, list[int]]:
    """The bag-of-words baseline a classifier must be compared with.

    Word uni/bi-grams and character 2-5-grams (inside word boundaries), sublinear TF-IDF, and
    a class-balanced logistic regression. Returns the predicted label ids for every eval set.
    Needs scikit-learn.
    """
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    words = TfidfVectorizer(
        ngram_range=(1, 2), min_df=2, max_features=max_features, sublinear_tf=True
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        min_df=3,
        max_features=max_features,
        sublinear_tf=True,
    )
    x_train = hstack([words.fit_transform(train_texts), chars.fit_transform(train_texts)]).tocsr()
    clf = LogisticRegression(max_iter=1000, C=10.0, class_weight="balanced", random_state=seed)
    clf.fit(x_train, list(train_labels))
    out: dict[str, list[int]] = {}
    for name, texts in eval_texts.items():
        x = hstack([words.transform(texts), chars.transform(texts)]).tocsr()
        out[name] = [int(p) for p in clf.predict(x)]
    return out
