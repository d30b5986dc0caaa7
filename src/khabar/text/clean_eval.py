"""Score a page cleaner against pages labelled span by span (boilerplate vs article).

A labelled page is a record of the shape::

    {"id": "ufc-R-583-04", "split": "train", "part": "test", "chars": 1795, "sha1": "…",
     "spans": [[0, 94, "neutral", "headline"], [95, 180, "boilerplate", "nav"],
               [181, 421, "article", "article"], …]}

Offsets index the raw ``text`` of the record with that ``id`` in the corpus; no page text is
stored. ``part`` puts a page in the development part (rules were tuned on it) or the held-out
``test`` part (scored at the end only). ``boilerplate`` spans should be removed, ``article`` spans kept, and ``neutral`` spans
(headlines, sub-headings, standfirsts, repeated copies, figure captions and embedded posts that
belong to the article) are scored neither way.

The cleaner under test is any ``str -> str`` function. Its output is aligned back onto the page
(it keeps the page's text in order, minus what it drops, with whitespace tidied), so a character
of the page is *kept* when the alignment finds it in the output. From that:

* **boilerplate recall** — share of boilerplate characters (non-space) removed, and share of
  boilerplate spans at least 80 % removed;
* **article-sentence retention** — article spans are split into sentences; a sentence is retained
  when at least 90 % of its characters are kept;
* **pages losing more than one article sentence**, and the article characters kept.

:func:`evaluate_cleaner` computes all of it; :func:`load_labels` and :func:`load_pages` read the
inputs.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from khabar.errors import DataError

__all__ = [
    "LABELS",
    "CleanerScore",
    "LabelledPage",
    "PageScore",
    "evaluate_cleaner",
    "kept_mask",
    "load_labels",
    "load_pages",
    "page_sha1",
]

#: The span labels a labelled page may use.
LABELS: tuple[str, ...] = ("boilerplate", "article", "neutral")

_TOKEN_RE = re.compile(r"\S+")
_SENTENCE_END_RE = re.compile(r"[.!?؟…]+[\"'”’»)\]]*(?=\s|$)")
_WORD_RE = re.compile(r"\w{2,}")
_SPAN_RECALL_SHARE = 0.8
_SENTENCE_KEPT_SHARE = 0.9
_MIN_SENTENCE_WORDS = 3


@dataclass(frozen=True)
class LabelledPage:
    """One labelled page: its id, split, length, checksum and ``(start, end, label, family)``."""

    id: str
    split: str
    chars: int
    sha1: str | None
    spans: tuple[tuple[int, int, str, str], ...]
    part: str = "dev"
    note: str = ""


@dataclass(frozen=True)
class PageScore:
    """What a cleaner did to one page."""

    id: str
    boilerplate_chars: int
    boilerplate_removed: int
    boilerplate_spans: int
    boilerplate_spans_removed: int
    article_chars: int
    article_kept: int
    sentences: int
    sentences_lost: int
    lost: tuple[tuple[int, int], ...] = ()  # offsets of the article sentences lost
    missed: tuple[tuple[int, int, str], ...] = ()  # boilerplate spans left (mostly) in place


@dataclass(frozen=True)
class CleanerScore:
    """Corpus-level figures (see the module docstring) and the per-page scores behind them."""

    pages: tuple[PageScore, ...]
    by_family: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def _share(self, part: str, whole: str) -> float:
        """``sum(part) / sum(whole)`` over the pages (1.0 when there is nothing to count)."""
        total = sum(getattr(p, whole) for p in self.pages)
        return sum(getattr(p, part) for p in self.pages) / total if total else 1.0

    @property
    def boilerplate_recall(self) -> float:
        return self._share("boilerplate_removed", "boilerplate_chars")

    @property
    def boilerplate_span_recall(self) -> float:
        return self._share("boilerplate_spans_removed", "boilerplate_spans")

    @property
    def sentence_retention(self) -> float:
        total = sum(p.sentences for p in self.pages)
        lost = sum(p.sentences_lost for p in self.pages)
        return (total - lost) / total if total else 1.0

    @property
    def article_char_retention(self) -> float:
        return self._share("article_kept", "article_chars")

    @property
    def pages_losing_more_than_one(self) -> int:
        return sum(1 for p in self.pages if p.sentences_lost > 1)

    @property
    def sentences(self) -> int:
        return sum(p.sentences for p in self.pages)

    @property
    def sentences_lost(self) -> int:
        return sum(p.sentences_lost for p in self.pages)

    def summary(self) -> dict[str, Any]:
        """The headline figures as a flat dict (rounded to 4 places)."""
        return {
            "pages": len(self.pages),
            "boilerplate_recall": round(self.boilerplate_recall, 4),
            "boilerplate_span_recall": round(self.boilerplate_span_recall, 4),
            "article_sentence_retention": round(self.sentence_retention, 4),
            "article_sentences": self.sentences,
            "article_sentences_lost": self.sentences_lost,
            "pages_losing_more_than_one_sentence": self.pages_losing_more_than_one,
            "article_char_retention": round(self.article_char_retention, 4),
        }


def page_sha1(text: str) -> str:
    """Checksum stored with a labelled page, to notice a changed corpus."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def load_labels(path: str | Path) -> list[LabelledPage]:
    """Read a labels file (JSON Lines, one :class:`LabelledPage` a line).

    Raises:
        DataError: for unreadable JSON, a missing field, an unknown label or a bad span.
    """
    path = Path(path)
    pages: list[LabelledPage] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(f"cannot read labels: {exc}", file=path) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            spans = tuple(
                (int(start), int(end), str(label), str(family))
                for start, end, label, family in record["spans"]
            )
            page = LabelledPage(
                id=str(record["id"]),
                split=str(record.get("split", "")),
                chars=int(record["chars"]),
                sha1=record.get("sha1"),
                spans=spans,
                part=str(record.get("part", "dev")),
                note=str(record.get("note", "")),
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise DataError(f"not a labelled page: {exc}", file=path, line=number) from exc
        for start, end, label, _ in spans:
            if label not in LABELS or not 0 <= start <= end <= page.chars:
                raise DataError(
                    f"bad span [{start}, {end}, {label!r}] (labels: {', '.join(LABELS)})",
                    file=path,
                    line=number,
                )
        pages.append(page)
    return pages


def load_pages(
    data_dir: str | Path, ids: Iterable[str], *, dataset: str = "stance/baly"
) -> dict[str, str]:
    """The raw ``text`` of the records named in ``ids``, read from ``<data_dir>/<dataset>/*.jsonl.gz``.

    Raises:
        DataError: if the folder has no split files or an id is not found.
    """
    wanted = set(ids)
    folder = Path(data_dir) / dataset
    files = sorted(folder.glob("*.jsonl.gz"))
    if not files:
        raise DataError(f"no *.jsonl.gz files in {folder}", file=folder)
    texts: dict[str, str] = {}
    for file in files:
        with gzip.open(file, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(f"invalid JSON: {exc}", file=file, line=number) from exc
                key = str(record.get("id"))
                if key in wanted and key not in texts:
                    texts[key] = str(record.get("text") or "")
    missing = sorted(wanted - set(texts))
    if missing:
        raise DataError(f"{len(missing)} labelled ids not in the corpus, e.g. {missing[:3]}")
    return texts


def kept_mask(page: str, cleaned: str) -> list[bool]:
    """For each character of ``page``, whether it survives in ``cleaned``.

    Whitespace-separated tokens are aligned first (order kept); inside unmatched stretches the
    characters are aligned, so a token the cleaner cut in two still counts what it kept.
    """
    page_tokens = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(page)]
    out_tokens = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(cleaned)]
    left = [page[s:e] for s, e in page_tokens]
    right = [cleaned[s:e] for s, e in out_tokens]
    mask = [False] * len(page)
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    a_pos = b_pos = 0
    for block in matcher.get_matching_blocks():
        _align_gap(page, cleaned, page_tokens[a_pos : block.a], out_tokens[b_pos : block.b], mask)
        for offset in range(block.size):
            start, end = page_tokens[block.a + offset]
            for index in range(start, end):
                mask[index] = True
        a_pos, b_pos = block.a + block.size, block.b + block.size
    return mask


def _align_gap(
    page: str,
    cleaned: str,
    page_tokens: Sequence[tuple[int, int]],
    out_tokens: Sequence[tuple[int, int]],
    mask: list[bool],
) -> None:
    if not page_tokens or not out_tokens:
        return
    a_start, a_end = page_tokens[0][0], page_tokens[-1][1]
    b_start, b_end = out_tokens[0][0], out_tokens[-1][1]
    if (a_end - a_start) * (b_end - b_start) > 4_000_000:  # too big to align by character
        return
    a_chars = page[a_start:a_end]
    b_chars = cleaned[b_start:b_end]
    for block in SequenceMatcher(None, a_chars, b_chars, autojunk=False).get_matching_blocks():
        if block.size >= 2:
            for index in range(a_start + block.a, a_start + block.a + block.size):
                mask[index] = True


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence offsets inside ``text[start:end]`` (ends at terminators followed by space)."""
    pieces: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END_RE.finditer(text, start, end):
        pieces.append((cursor, match.end()))
        cursor = match.end()
    if cursor < end:
        pieces.append((cursor, end))
    out = []
    for s, e in pieces:
        while s < e and text[s].isspace():
            s += 1
        if len(_WORD_RE.findall(text[s:e])) >= _MIN_SENTENCE_WORDS:
            out.append((s, e))
    return out


def _count(mask: Sequence[bool], text: str, start: int, end: int) -> tuple[int, int]:
    """(non-space characters, of which kept) in ``text[start:end]``."""
    total = kept = 0
    for index in range(start, end):
        if not text[index].isspace():
            total += 1
            kept += mask[index]
    return total, kept


def _score_page(
    page: LabelledPage, text: str, cleaned: str, families: dict[str, list[int]]
) -> PageScore:
    mask = kept_mask(text, cleaned)
    bp_chars = bp_removed = bp_spans = bp_spans_removed = 0
    art_chars = art_kept = n_sentences = n_lost = 0
    lost: list[tuple[int, int]] = []
    missed: list[tuple[int, int, str]] = []
    for start, end, label, family in page.spans:
        total, kept = _count(mask, text, start, end)
        if not total:
            continue
        if label == "boilerplate":
            bp_chars += total
            bp_removed += total - kept
            bp_spans += 1
            removed_share = (total - kept) / total
            if removed_share >= _SPAN_RECALL_SHARE:
                bp_spans_removed += 1
            else:
                missed.append((start, end, family))
            tally = families.setdefault(family, [0, 0])
            tally[0] += total
            tally[1] += total - kept
        elif label == "article":
            art_chars += total
            art_kept += kept
            for s_start, s_end in _sentences(text, start, end):
                s_total, s_kept = _count(mask, text, s_start, s_end)
                if not s_total:
                    continue
                n_sentences += 1
                if s_kept / s_total < _SENTENCE_KEPT_SHARE:
                    n_lost += 1
                    lost.append((s_start, s_end))
    return PageScore(
        id=page.id,
        boilerplate_chars=bp_chars,
        boilerplate_removed=bp_removed,
        boilerplate_spans=bp_spans,
        boilerplate_spans_removed=bp_spans_removed,
        article_chars=art_chars,
        article_kept=art_kept,
        sentences=n_sentences,
        sentences_lost=n_lost,
        lost=tuple(lost),
        missed=tuple(missed),
    )


def evaluate_cleaner(
    cleaner: Callable[[str], str],
    labels: Iterable[LabelledPage],
    texts: Mapping[str, str],
    *,
    check_sha1: bool = True,
) -> CleanerScore:
    """Run ``cleaner`` on each labelled page and score it (see the module docstring).

    Args:
        cleaner: Page text in, cleaned text out.
        labels: The labelled pages (:func:`load_labels`).
        texts: Page id → raw text (:func:`load_pages`).
        check_sha1: Refuse a page whose text no longer matches its stored checksum.

    Raises:
        DataError: if a page is missing from ``texts`` or its text changed.
    """
    scores: list[PageScore] = []
    families: dict[str, list[int]] = {}
    for page in labels:
        if page.id not in texts:
            raise DataError(f"labelled page {page.id!r} is not in the corpus")
        text = texts[page.id]
        if len(text) != page.chars or (check_sha1 and page.sha1 and page_sha1(text) != page.sha1):
            raise DataError(f"page {page.id!r} differs from the one that was labelled")
        scores.append(_score_page(page, text, cleaner(text), families))
    return CleanerScore(
        pages=tuple(scores),
        by_family={name: (total, removed) for name, (total, removed) in sorted(families.items())},
    )
