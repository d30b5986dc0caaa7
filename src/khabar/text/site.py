"""Site boilerplate learned from a corpus: the lines and spans a site prints on every page.

Scraped corpora carry the same menus, footers, "about us" blurbs, newsletter boxes and sidebars
on every page of a site, often glued into the article's paragraphs. :class:`SiteBoilerplate`
learns them from the user's own pages: a run of words that recurs on many *different* pages
(of the same source, when sources are given) is boilerplate. Near-duplicate pages — the same
story scraped twice, or syndicated by several outlets — count once, so that a story's sentences
are not taken for boilerplate because the story was copied.

>>> site = SiteBoilerplate.fit(pages, sources=sites)  # doctest: +SKIP
>>> clean_article(page, boilerplate=site).text  # doctest: +SKIP
>>> site.save_pretrained("outputs/model")  # doctest: +SKIP

It travels with a model through :class:`~khabar.text.TextPreprocessor` (saved as
``khabar_site_boilerplate.json`` beside ``khabar_preprocessing.json``) and is applied at
inference whenever the preprocessor cleans.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khabar._logging import get_logger
from khabar.errors import ConfigError
from khabar.io import write_json_atomic
from khabar.text.clean import page_tokens

__all__ = ["SITE_BOILERPLATE_FILE", "SiteBoilerplate"]

#: File name of a saved :class:`SiteBoilerplate` (beside ``khabar_preprocessing.json``).
SITE_BOILERPLATE_FILE = "khabar_site_boilerplate.json"

_LOG = get_logger(__name__)
_FORMAT = "khabar-site-boilerplate"
_FORMAT_VERSION = 1
_SKETCH_MOD = 8  # keep 1 shingle in 8 for the near-duplicate sketch
_SKETCH_SIZE = 6  # words per sketch shingle
_DUPLICATE_SHARE = 0.35  # pages sharing this share of their story sketch tell one story


def _hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _keys(page: str) -> list[str]:
    return [key for _, _, key in page_tokens(page)]


def _grams(keys: Sequence[str], n: int) -> Iterable[str]:
    for position in range(len(keys) - n + 1):
        yield " ".join(keys[position : position + n])


class _Groups:
    """Union-find over page indices (near-duplicate pages become one document)."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


_END_MARKS = frozenset({".", "!", "?", "؟", "…"})


def _story_keys(keys: Sequence[str]) -> list[str]:
    """The keys of the page's sentence-like stretches (10+ tokens ending in end punctuation).

    Menus and footers rarely end in a full stop after ten words; stories do. Sketching these
    stretches tells two copies of one story apart from two stories of one site.
    """
    out: list[str] = []
    current: list[str] = []
    for key in keys:
        current.append(key)
        if key[-1:] in _END_MARKS:
            if len(current) >= 10:
                out.extend(current)
            current = []
    return out


def _documents(keyed: Sequence[Sequence[str]]) -> list[int]:
    """A document id per page: pages telling the same story share one."""
    sketches: list[set[int]] = []
    for keys in keyed:
        shingles = {_hash(gram) for gram in _grams(_story_keys(keys), _SKETCH_SIZE)}
        if len(shingles) >= 8 * _SKETCH_MOD:  # long pages: a 1-in-8 sample is enough
            shingles = {h for h in shingles if h % _SKETCH_MOD == 0}
        sketch = shingles
        sketches.append(sketch)
    postings: dict[int, list[int]] = defaultdict(list)
    for page, sketch in enumerate(sketches):
        for h in sketch:
            postings[h].append(page)
    shared: Counter[tuple[int, int]] = Counter()
    for pages in postings.values():
        if len(pages) > 200:  # a shingle on hundreds of pages is boilerplate, not a story
            continue
        for i, a in enumerate(pages):
            for b in pages[i + 1 :]:
                shared[(a, b)] += 1
    groups = _Groups(len(keyed))
    for (a, b), count in shared.items():
        smaller = min(len(sketches[a]), len(sketches[b])) or 1
        if count / smaller >= _DUPLICATE_SHARE:
            groups.union(a, b)
    return [groups.find(page) for page in range(len(keyed))]


@dataclass(frozen=True)
class SiteBoilerplate:
    """Boilerplate word runs learned from a corpus, removed from pages wherever they appear.

    Build one with :meth:`fit`; pass it to :func:`~khabar.text.clean_article` as
    ``boilerplate=``, or to :class:`~khabar.text.TextPreprocessor` as ``site_boilerplate=``.

    Attributes:
        ngrams: The learned runs of ``n`` normalised tokens (the keys the cleaner matches on).
        n: Tokens per run.
        min_run: A page span is dropped when at least this many consecutive tokens are
            covered by learned runs.
        fitted_on: How it was fitted (pages, documents, sources, thresholds), for the record.
    """

    ngrams: frozenset[str] = frozenset()
    n: int = 8
    min_run: int = 8
    fitted_on: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.n, int) or isinstance(self.n, bool) or self.n < 2:
            raise ConfigError(f"must be an integer >= 2, got {self.n!r}", key="n")
        if (
            not isinstance(self.min_run, int)
            or isinstance(self.min_run, bool)
            or self.min_run < self.n
        ):
            raise ConfigError(
                f"must be an integer >= n ({self.n}), got {self.min_run!r}", key="min_run"
            )
        if not isinstance(self.ngrams, frozenset):
            object.__setattr__(self, "ngrams", frozenset(self.ngrams))
        bad = [
            gram
            for gram in self.ngrams
            if not isinstance(gram, str) or len(gram.split(" ")) != self.n
        ]
        if bad:
            raise ConfigError(f"{len(bad)} learned runs are not {self.n} tokens long", key="ngrams")

    # -- fitting ---------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        pages: Iterable[str],
        sources: Iterable[str | None] | None = None,
        *,
        n: int = 8,
        min_pages: int = 4,
        min_share: float = 0.0,
        min_run: int | None = None,
    ) -> SiteBoilerplate:
        """Learn the word runs repeated across many different pages of the same source.

        Args:
            pages: Page texts as scraped.
            sources: The site (or any grouping) of each page, same length as ``pages``;
                ``None`` treats the whole corpus as one source.
            n: Tokens per learned run.
            min_pages: A run is boilerplate when it occurs on at least this many different
                documents of one source (near-duplicate pages count once).
            min_share: ... and on at least this share of that source's documents.
            min_run: See the class attributes (default: ``n``).

        Raises:
            ConfigError: for bad settings, or ``sources`` of another length than ``pages``.
        """
        texts = [page if isinstance(page, str) else "" for page in pages]
        if sources is None:
            labels: list[str] = [""] * len(texts)
        else:
            labels = ["" if s is None else str(s) for s in sources]
            if len(labels) != len(texts):
                raise ConfigError(
                    f"got {len(labels)} sources for {len(texts)} pages", key="sources"
                )
        if not isinstance(min_pages, int) or min_pages < 2:
            raise ConfigError(f"must be an integer >= 2, got {min_pages!r}", key="min_pages")
        if not 0.0 <= float(min_share) <= 1.0:
            raise ConfigError(f"must be between 0 and 1, got {min_share!r}", key="min_share")
        keyed = [_keys(text) for text in texts]
        documents = _documents(keyed)
        per_source_docs: dict[str, set[int]] = defaultdict(set)
        for label, document in zip(labels, documents):
            per_source_docs[label].add(document)
        counts: Counter[tuple[str, int]] = Counter()
        seen: set[tuple[str, int, int]] = set()
        for keys, label, document in zip(keyed, labels, documents):
            for h in {_hash(gram) for gram in _grams(keys, n)}:
                marker = (label, document, h)
                if marker not in seen:
                    seen.add(marker)
                    counts[(label, h)] += 1
        del seen
        chosen: set[int] = set()
        for (label, h), count in counts.items():
            threshold = max(min_pages, min_share * len(per_source_docs[label]))
            if count >= threshold:
                chosen.add(h)
        grams: set[str] = set()
        if chosen:
            for keys in keyed:
                for gram in _grams(keys, n):
                    if _hash(gram) in chosen:
                        grams.add(gram)
        info = {
            "pages": len(texts),
            "documents": len(set(documents)),
            "sources": len(per_source_docs),
            "min_pages": min_pages,
            "min_share": min_share,
        }
        _LOG.info("learned %d boilerplate runs from %d pages", len(grams), len(texts))
        return cls(frozenset(grams), n=n, min_run=min_run or n, fitted_on=info)

    # -- applying ----------------------------------------------------------------------------

    def spans(self, keys: Sequence[str]) -> list[tuple[int, int]]:
        """``(start, end)`` ranges of ``keys`` covered by learned runs (at least ``min_run`` long)."""
        n = self.n
        if len(keys) < n or not self.ngrams:
            return []
        covered = [False] * len(keys)
        for position in range(len(keys) - n + 1):
            if " ".join(keys[position : position + n]) in self.ngrams:
                for index in range(position, position + n):
                    covered[index] = True
        spans: list[tuple[int, int]] = []
        position = 0
        while position < len(keys):
            if not covered[position]:
                position += 1
                continue
            end = position
            while end < len(keys) and covered[end]:
                end += 1
            if end - position >= self.min_run:
                spans.append((position, end))
            position = end
        return spans

    def __len__(self) -> int:
        return len(self.ngrams)

    # -- persistence ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (:meth:`from_dict` reads it back)."""
        return {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "n": self.n,
            "min_run": self.min_run,
            "fitted_on": dict(self.fitted_on),
            "ngrams": sorted(self.ngrams),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SiteBoilerplate:
        """Rebuild from :meth:`to_dict` output.

        Raises:
            ConfigError: if ``data`` is not a saved site boilerplate or holds bad values.
        """
        if not isinstance(data, Mapping) or data.get("format") != _FORMAT:
            raise ConfigError("not a saved site boilerplate (missing 'format')", key="format")
        version = data.get("version")
        if version != _FORMAT_VERSION:
            raise ConfigError(
                f"unsupported site boilerplate version {version!r} (this khabar reads "
                f"{_FORMAT_VERSION})",
                key="version",
            )
        grams = data.get("ngrams", [])
        if not isinstance(grams, list):
            raise ConfigError("must be a list of strings", key="ngrams")
        fitted_on = data.get("fitted_on") or {}
        if not isinstance(fitted_on, Mapping):
            raise ConfigError("must be a mapping", key="fitted_on")
        return cls(
            frozenset(str(g) for g in grams),
            n=data.get("n", 8),
            min_run=data.get("min_run", data.get("n", 8)),
            fitted_on=dict(fitted_on),
        )

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write ``<directory>/khabar_site_boilerplate.json`` atomically and return its path."""
        return write_json_atomic(Path(directory) / SITE_BOILERPLATE_FILE, self.to_dict())

    @classmethod
    def from_pretrained(cls, path: str | Path) -> SiteBoilerplate:
        """Load a saved site boilerplate (a directory holding the file, or the file itself).

        Raises:
            ConfigError: if the file is missing, not JSON, or not a saved site boilerplate.
        """
        path = Path(path)
        if path.is_dir():
            path = path / SITE_BOILERPLATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read site boilerplate: {exc}", file=path) from exc
        try:
            return cls.from_dict(data)
        except ConfigError as exc:
            error = ConfigError(exc.message, file=path)
            error.key = exc.key
            raise error from exc
