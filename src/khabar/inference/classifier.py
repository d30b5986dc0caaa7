"""Topic and stance classifiers: one implementation, two front doors.

:class:`TopicClassifier` and :class:`StanceDetector` share :class:`SequenceClassifier`; stance only
adds the ``target`` that is paired with each text. Long texts go through
:func:`khabar.reading.windows.classify_logits`, the same windowing and aggregation evaluation uses: a text
is read as overlapping windows of ``max_length`` tokens (at most ``max_windows`` of them, spread
from its start to its end) and the window logits are aggregated: the mean over the windows, or
with the model's ``lead_weight`` a weighted sum of the first window and that mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast, overload

import numpy as np

from khabar._logging import get_logger
from khabar.inference.base import (
    Predictor,
    PreparedText,
    TextInput,
    as_list,
    check_top_k,
    decode_text,
    is_missing,
)
from khabar.inference.results import ClassificationResult, StanceResult

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

    from khabar.model_dir import ReadingSettings

logger = get_logger(__name__)

__all__ = ["SequenceClassifier", "StanceDetector", "TopicClassifier"]

_CHUNK = 512
"""Texts handled per pass (sorting by length happens inside a pass; bounds memory)."""

PAD_MULTIPLE = 16
"""Batches are padded to a multiple of this many tokens (see :class:`_WindowTokenizer`)."""


class _WindowTokenizer:
    """The model's tokenizer, as :func:`~khabar.reading.windows.classify_logits` sees it at inference.

    - It remembers which text each window of its last overflowing call came from
      (``overflow_to_sample_mapping``), so that the windows a text made before the
      ``max_windows`` cap are counted without tokenising the text a second time.
    - It pads each batch to a multiple of :data:`PAD_MULTIPLE` tokens: a handful of distinct
      batch shapes instead of one per length, which keeps oneDNN's per-shape kernel cache (and
      the memory it holds) small on CPU and suits AMX tiles and tensor cores. Padding is masked,
      so predictions do not change.

    Everything else is delegated to the wrapped tokenizer.
    """

    def __init__(self, tokenizer: PreTrainedTokenizerBase) -> None:
        self._tokenizer = tokenizer
        self.mapping: list[int] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        encoding = self._tokenizer(*args, **kwargs)
        if "overflow_to_sample_mapping" in encoding:
            self.mapping = [int(t) for t in encoding["overflow_to_sample_mapping"]]
        return encoding

    def pad(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("pad_to_multiple_of", PAD_MULTIPLE)
        return self._tokenizer.pad(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)


class SequenceClassifier(Predictor):
    """Shared machinery of :class:`TopicClassifier` and :class:`StanceDetector` (exported for
    type hints; it has no ``predict``, and ``from_pretrained`` on it names the class to use)."""

    tasks: ClassVar[tuple[str, ...]] = ("topic", "stance")

    @classmethod
    def _auto_model_class(cls) -> Any:
        from transformers import AutoModelForSequenceClassification

        return AutoModelForSequenceClassification

    # ------------------------------------------------------------------ labels
    @property
    def labels(self) -> list[str]:
        """Label names in the model's output order (``config.id2label``)."""
        id2label = self.model.config.id2label
        return [str(id2label[i]) for i in range(len(id2label))]

    @property
    def window_settings(self) -> ReadingSettings:
        """How texts are read in windows and aggregated (the model's, with any overrides)."""
        return self.reading

    # ------------------------------------------------------------------ core
    def _probabilities(
        self, texts: list[PreparedText], targets: list[PreparedText] | None
    ) -> tuple[np.ndarray, list[int], list[tuple[str, ...]]]:
        """Probabilities (NaN rows for unusable inputs), windows read, and flags per input."""
        from khabar.reading.windows import classify_logits, softmax

        n_labels = len(self.labels)
        probs = np.full((len(texts), n_labels), np.nan, dtype=np.float32)
        windows = [0] * len(texts)
        flags = [t.flags for t in texts]
        if targets is not None:
            flags = [f + tuple(x for x in g.flags if x not in f) for f, g in zip(flags, targets)]
        usable = [
            i for i, t in enumerate(texts) if t.usable and (targets is None or targets[i].usable)
        ]
        recorder = _WindowTokenizer(self.tokenizer)
        for start in range(0, len(usable), _CHUNK):
            idx = usable[start : start + _CHUNK]
            chunk_texts = [texts[i].text for i in idx]
            chunk_targets = [targets[i].text for i in idx] if targets is not None else None
            recorder.mapping = None
            logits = classify_logits(
                self.model,
                cast("PreTrainedTokenizerBase", recorder),
                chunk_texts,
                chunk_targets,
                settings=self.window_settings,
                batch_size=self.batch_size,
                device=self.device,
                autocast=self.autocast,
            )
            probs[idx] = softmax(logits.astype(np.float64)).astype(np.float32)
            if recorder.mapping is not None and len(recorder.mapping):
                counts = np.bincount(recorder.mapping, minlength=len(idx)).tolist()
            else:  # the tokenizer call was not seen: count the windows again
                counts = self.count_windows(chunk_texts, chunk_targets)
            for i, total in zip(idx, counts):
                read = total if self.max_windows <= 0 else min(total, self.max_windows)
                windows[i] = read
                if read < total and "truncated_input" not in flags[i]:
                    flags[i] = (*flags[i], "truncated_input")
        return probs, windows, flags

    def count_windows(
        self, texts: Sequence[str], targets: Sequence[str] | None = None
    ) -> list[int]:
        """How many windows each (preprocessed) text makes before the ``max_windows`` cap.

        The same arithmetic as the tokenizer's overflow with ``stride`` (windows of the content
        tokens that fit next to the special tokens and the target, each starting
        ``budget - stride`` tokens after the previous one).
        """
        tok = self.tokenizer
        plain: dict[str, Any] = {
            "add_special_tokens": False,
            "return_attention_mask": False,
            "return_token_type_ids": False,
            "verbose": False,
        }
        lengths = [len(ids) for ids in tok(list(texts), **plain)["input_ids"]]
        special = tok.num_special_tokens_to_add(pair=targets is not None)
        if targets is None:
            budgets = [self.max_length - special] * len(texts)
        else:
            unique = sorted(set(targets))
            target_len = dict(zip(unique, (len(x) for x in tok(unique, **plain)["input_ids"])))
            budgets = [self.max_length - special - target_len[g] for g in targets]
        counts = []
        for n, budget in zip(lengths, budgets):
            if budget <= 0 or n <= budget:
                counts.append(1)
                continue
            step = max(1, budget - self.stride)
            counts.append(1 + -(-(n - budget) // step))
        return counts

    def _results(
        self,
        probs: np.ndarray,
        windows: list[int],
        flags: list[tuple[str, ...]],
        top_k: int | None,
        targets: list[str | None] | None = None,
    ) -> list[ClassificationResult]:
        labels = self.labels
        check_top_k(top_k)
        k = len(labels) if top_k is None else min(int(top_k), len(labels))
        out: list[ClassificationResult] = []
        for i, row in enumerate(probs):
            extra: dict[str, Any] = {} if targets is None else {"target": targets[i]}
            cls = ClassificationResult if targets is None else StanceResult
            if np.isnan(row).any():
                out.append(cls(None, 0.0, {}, flags[i], 0, **extra))
                continue
            order = np.argsort(-row, kind="stable")[:k]
            scores = {labels[j]: float(row[j]) for j in order}
            best = int(order[0])
            out.append(cls(labels[best], float(row[best]), scores, flags[i], windows[i], **extra))
        return out


class TopicClassifier(SequenceClassifier):
    """Topic of Arabic news articles, from a khabar topic model directory.

    >>> clf = TopicClassifier.from_pretrained("outputs/topic-ant-offline")  # doctest: +SKIP
    >>> clf.predict("فاز المنتخب المغربي ...").label  # doctest: +SKIP
    'sport'
    """

    tasks: ClassVar[tuple[str, ...]] = ("topic",)

    @overload
    def predict(  # type: ignore[overload-overlap]
        self, texts: TextInput, *, clean: bool = ..., top_k: int | None = ...
    ) -> ClassificationResult: ...

    @overload
    def predict(
        self, texts: Iterable[TextInput], *, clean: bool = ..., top_k: int | None = ...
    ) -> list[ClassificationResult]: ...

    def predict(
        self,
        texts: TextInput | Iterable[TextInput],
        *,
        clean: bool = False,
        top_k: int | None = None,
    ) -> ClassificationResult | list[ClassificationResult]:
        """Classify one text or many (raw text: the model's preprocessing is applied here).

        Args:
            texts: One text or an iterable of texts (``str``, UTF-8 ``bytes`` or ``None``).
            clean: Treat each text as a scraped page and classify its main article only.
            top_k: Keep the ``k`` best labels in ``scores`` (default: every label; at least 1).

        Returns:
            One :class:`ClassificationResult` for one text, else a list in input order.
        """
        check_top_k(top_k)
        items, single = as_list(texts)
        probs, windows, flags = self._probabilities(self.prepare(items, clean=clean), None)
        results = self._results(probs, windows, flags, top_k)
        return results[0] if single else results

    def predict_proba(
        self, texts: TextInput | Iterable[TextInput], *, clean: bool = False
    ) -> np.ndarray:
        """Probabilities, ``(n_texts, n_labels)`` in :attr:`labels` order; NaN rows for
        inputs that cannot be classified (flag ``empty``)."""
        items, _ = as_list(texts)
        probs, _, _ = self._probabilities(self.prepare(items, clean=clean), None)
        return probs

    __call__ = predict


def expand_targets(target: TextInput | Iterable[TextInput], n: int) -> list[str | None]:
    """One decoded target per text: a single target (``str``, ``bytes``) is repeated, an
    iterable must hold exactly ``n``; ``None`` and missing values (``NaN``) stay ``None``.

    Raises:
        TypeError: a target that is not a text, or a mapping or table given as the targets.
        ValueError: an iterable of targets whose length is not ``n``.
    """
    items, single = as_list(target, name="target")
    if single:
        items = items * n
    elif len(items) != n:
        raise ValueError(
            f"{len(items)} targets for {n} texts: give one target for all texts, or exactly "
            "one per text"
        )
    out: list[str | None] = []
    for i, raw in enumerate(items):
        text, _ = decode_text(raw, i, name="target")
        out.append(text if not is_missing(raw) else None)
    return out


class StanceDetector(SequenceClassifier):
    """Stance of a text toward a target (a claim, a headline, a topic), from a khabar stance
    model directory. The model reads the pair (``target``, ``text``)."""

    tasks: ClassVar[tuple[str, ...]] = ("stance",)

    def _pairs(
        self,
        texts: TextInput | Iterable[TextInput],
        target: str | bytes | Iterable[TextInput],
        clean: bool,
    ) -> tuple[list[PreparedText], list[PreparedText], list[str | None], bool]:
        items, single = as_list(texts)
        if target is None:
            raise TypeError(
                "StanceDetector.predict needs a target: one string for every text, or one per text"
            )
        raw_targets = expand_targets(target, len(items))
        prepared = self.prepare(items, clean=clean)
        cache: dict[str, PreparedText] = {}
        targets = []
        for raw in raw_targets:
            key = raw or ""
            if key not in cache:
                cache[key] = self._prepare_target(key)
            targets.append(cache[key])
        return prepared, targets, raw_targets, single

    @property
    def max_target_tokens(self) -> int:
        """Tokens of a target kept at most: half a window, and room for ``stride`` + 1 text
        tokens (a longer target is cut and flagged ``truncated_target``)."""
        room = self.max_length - self.tokenizer.num_special_tokens_to_add(pair=True)
        return max(1, min(room // 2, room - self.stride - 1))

    def _prepare_target(self, raw: str) -> PreparedText:
        value = self.preprocessor(raw[: self.max_chars]) if raw.strip() else ""
        if not value.strip():
            return PreparedText("", ("no_target",))
        enc = self.tokenizer(
            value, add_special_tokens=False, return_offsets_mapping=True, verbose=False
        )
        offsets = enc["offset_mapping"]
        limit = self.max_target_tokens
        if len(offsets) <= limit:
            return PreparedText(value, ())
        end = offsets[limit - 1][1]
        space = value.rfind(" ", 0, end + 1)  # whole words: the prefix re-tokenises the same
        return PreparedText(value[: space if space > 0 else end], ("truncated_target",))

    @overload
    def predict(  # type: ignore[overload-overlap]
        self,
        texts: TextInput,
        target: str | bytes | Iterable[TextInput],
        *,
        clean: bool = ...,
        top_k: int | None = ...,
    ) -> StanceResult: ...

    @overload
    def predict(
        self,
        texts: Iterable[TextInput],
        target: str | bytes | Iterable[TextInput],
        *,
        clean: bool = ...,
        top_k: int | None = ...,
    ) -> list[StanceResult]: ...

    def predict(
        self,
        texts: TextInput | Iterable[TextInput],
        target: str | bytes | Iterable[TextInput],
        *,
        clean: bool = False,
        top_k: int | None = None,
    ) -> StanceResult | list[StanceResult]:
        """Stance of each text toward its target.

        Args:
            texts: One text or an iterable of texts.
            target: One target for every text, or one per text (a list, a pandas ``Series``).
                A missing (``None``, ``NaN``) or empty target in the list gives a result flagged
                ``no_target`` with no label.
            clean: Treat each text as a scraped page and read its main article only.
            top_k: Keep the ``k`` best labels in ``scores`` (default: every label).

        Raises:
            TypeError: ``target`` is ``None`` (none given at all), a mapping or table, or holds
                something that is not a text.
            ValueError: a list of targets whose length differs from the texts'.
        """
        check_top_k(top_k)
        prepared, targets, raw_targets, single = self._pairs(texts, target, clean)
        probs, windows, flags = self._probabilities(prepared, targets)
        results = self._results(probs, windows, flags, top_k, raw_targets)
        stance = [r for r in results if isinstance(r, StanceResult)]
        return stance[0] if single else stance

    def predict_proba(
        self,
        texts: TextInput | Iterable[TextInput],
        target: str | bytes | Iterable[TextInput],
        *,
        clean: bool = False,
    ) -> np.ndarray:
        """Probabilities, ``(n_texts, n_labels)`` in :attr:`labels` order; NaN rows for
        inputs that cannot be classified (``empty``, ``no_target``)."""
        prepared, targets, _, _ = self._pairs(texts, target, clean)
        probs, _, _ = self._probabilities(prepared, targets)
        return probs

    __call__ = predict
