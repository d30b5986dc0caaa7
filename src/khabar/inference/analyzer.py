"""Topic, stance and summary of news articles in one call, from any subset of the three models."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from khabar._logging import get_logger
from khabar.errors import ModelDirError, OptionError
from khabar.inference.base import TextInput, as_list, check_top_k
from khabar.inference.classifier import StanceDetector, TopicClassifier, expand_targets
from khabar.inference.results import Analysis, ClassificationResult, StanceResult, SummaryResult
from khabar.inference.summarizer import Summarizer
from khabar.model_dir import META_FILE, ModelMeta

if TYPE_CHECKING:
    import torch

logger = get_logger(__name__)

__all__ = ["SUBDIRS", "NewsAnalyzer"]

SUBDIRS = {"topic": "topic", "stance": "stance", "summary": "summary"}
"""Sub-directory of a combined model directory that holds each part."""

_TASK_PART = {"topic": "topic", "stance": "stance", "summarization": "summary"}


class NewsAnalyzer:
    """Analyse articles with whichever of a topic, a stance and a summary model it is given.

    Each part may be a loaded predictor, a model directory (or Hub id), or ``None``::

        analyzer = NewsAnalyzer(topic="models/topic", summary="models/summary")
        analyzer = NewsAnalyzer.from_pretrained("models/")  # holds topic/ stance/ summary/

    With ``clean=True`` a scraped page is reduced to its main article
    (:func:`khabar.text.clean_article`) and every part analyses that article.
    """

    def __init__(
        self,
        topic: TopicClassifier | str | Path | None = None,
        stance: StanceDetector | str | Path | None = None,
        summary: Summarizer | str | Path | None = None,
        **load_kwargs: Any,
    ) -> None:
        """Args:
        topic, stance, summary: A predictor, or a model directory / Hub id to load.
        **load_kwargs: Passed to each ``from_pretrained`` (``device``, ``batch_size``, ...).

        Raises:
            ValueError: no part given.
        """
        self.topic = _load(TopicClassifier, topic, load_kwargs)
        self.stance = _load(StanceDetector, stance, load_kwargs)
        self.summary = _load(Summarizer, summary, load_kwargs)
        if self.topic is None and self.stance is None and self.summary is None:
            raise ValueError("NewsAnalyzer needs at least one of topic, stance and summary")

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path,
        *,
        device: str | int | torch.device | None = "auto",
        **load_kwargs: Any,
    ) -> NewsAnalyzer:
        """Load a directory of sub-models (``topic/``, ``stance/``, ``summary/``; any subset),
        or a single model directory (its task decides the part).

        Raises:
            ModelDirError: the directory holds no khabar model.
        """
        root = Path(path).expanduser()
        if not root.is_dir():
            what = "is a file, not a model directory" if root.exists() else "does not exist"
            raise ModelDirError(f"model directory '{root}' {what}")
        kwargs = {"device": device, **load_kwargs}
        if (root / META_FILE).is_file():
            part = _TASK_PART.get(ModelMeta.load(root).task)
            if part is None:
                raise ModelDirError(f"'{root}': unknown task in {META_FILE}")
            return cls(**{part: root}, **kwargs)
        parts = {
            part: root / sub for part, sub in SUBDIRS.items() if (root / sub / META_FILE).is_file()
        }
        if not parts:
            raise ModelDirError(
                f"'{root}' holds no khabar model: expected {META_FILE}, or sub-directories "
                f"{', '.join(s + '/' for s in SUBDIRS.values())} holding model directories"
            )
        return cls(**parts, **kwargs)  # type: ignore[arg-type]

    @property
    def parts(self) -> list[str]:
        """The parts this analyzer has (``topic``, ``stance``, ``summary``)."""
        return [
            name
            for name, part in (
                ("topic", self.topic),
                ("stance", self.stance),
                ("summary", self.summary),
            )
            if part is not None
        ]

    @overload
    def predict(  # type: ignore[overload-overlap]
        self,
        texts: TextInput,
        target: str | bytes | Iterable[TextInput] | None = ...,
        *,
        clean: bool = ...,
        top_k: int | None = ...,
        **generate_kwargs: Any,
    ) -> Analysis: ...

    @overload
    def predict(
        self,
        texts: Iterable[TextInput],
        target: str | bytes | Iterable[TextInput] | None = ...,
        *,
        clean: bool = ...,
        top_k: int | None = ...,
        **generate_kwargs: Any,
    ) -> list[Analysis]: ...

    def predict(
        self,
        texts: TextInput | Iterable[TextInput],
        target: str | bytes | Iterable[TextInput] | None = None,
        *,
        clean: bool = False,
        top_k: int | None = None,
        **generate_kwargs: Any,
    ) -> Analysis | list[Analysis]:
        """Topic, stance (toward ``target``) and summary of each text.

        Args:
            texts: One text or an iterable of texts.
            target: Stance target, one for all texts or one per text. Without a target the
                stance part of each result is flagged ``no_target`` (no label).
            clean: Treat each text as a scraped page and analyse its main article only.
            top_k: Best labels kept in ``scores``.
            **generate_kwargs: Summary generation overrides (``num_beams``, ``max_new_tokens``).

        Raises:
            TypeError: texts or targets of the wrong kind (see :meth:`StanceDetector.predict`).
            ValueError: a list of targets whose length differs from the texts'.
            OptionError: (a ``ValueError``) a bad ``top_k`` or generation setting, or generation
                settings without a summary model.

        Every argument is checked before the first model runs.
        """
        # every argument is checked before the first model runs
        items, single = as_list(texts)
        n = len(items)
        check_top_k(top_k)
        targets: list[str | None] = [None] * n
        if target is not None:
            targets = expand_targets(target, n)
            if self.stance is None:
                logger.warning("no stance model in this analyzer: the target is not used")
        self.check_generation(**generate_kwargs)
        topics: list[ClassificationResult | None] = [None] * n
        stances: list[StanceResult | None] = [None] * n
        summaries: list[SummaryResult | None] = [None] * n
        if self.topic is not None:
            topics = list(self.topic.predict(items, clean=clean, top_k=top_k))
        if self.stance is not None:
            stances = list(self.stance.predict(items, targets, clean=clean, top_k=top_k))
        if self.summary is not None:
            summaries = list(self.summary.predict(items, clean=clean, **generate_kwargs))
        results = [Analysis(t, s, m) for t, s, m in zip(topics, stances, summaries)]
        return results[0] if single else results

    __call__ = predict

    def check_generation(self, **generate_kwargs: Any) -> None:
        """Refuse summary generation settings that cannot work, or that no part would use.

        Raises:
            OptionError: (a ``ValueError``) a bad setting (see :meth:`Summarizer.check_generation`),
                or settings given to an analyzer without a summary model.
        """
        if self.summary is not None:
            self.summary.check_generation(**generate_kwargs)
            return
        given = sorted(k for k, v in generate_kwargs.items() if v is not None)
        if given:
            raise OptionError(
                f"generation settings {given} given, but this analyzer has no summary model"
            )


def _load(cls: Any, part: Any, kwargs: dict[str, Any]) -> Any:
    if part is None or isinstance(part, cls):
        return part
    if isinstance(part, str | Path):
        return cls.from_pretrained(part, **kwargs)
    raise TypeError(
        f"expected a {cls.__name__}, a model directory or None, got {type(part).__name__}"
    )
