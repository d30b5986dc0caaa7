"""Summarise Arabic news articles with a khabar summarisation (seq2seq) model directory.

The model reads the first ``max_length`` tokens of each (preprocessed) article, as it did in
training; what it cuts is stated in :attr:`SummaryResult.truncated`. Generation uses the model
directory's ``generation_config.json`` (beam search settings chosen at training), with per-call
overrides. Articles are sorted by length and padded per batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, overload

from khabar._logging import get_logger
from khabar.inference.base import Predictor, TextInput, as_list
from khabar.inference.results import SummaryResult

logger = get_logger(__name__)

__all__ = ["Summarizer"]


class Summarizer(Predictor):
    """Headline-style or short summaries of Arabic news articles.

    >>> summarizer = Summarizer.from_pretrained("outputs/summarizer")  # doctest: +SKIP
    >>> summarizer.predict(article).text  # doctest: +SKIP
    """

    tasks: ClassVar[tuple[str, ...]] = ("summarization",)

    @classmethod
    def _auto_model_class(cls) -> Any:
        from transformers import AutoModelForSeq2SeqLM

        return AutoModelForSeq2SeqLM

    def _check_lengths(self) -> None:
        if self.max_length < 8:
            raise ValueError(f"max_length must be at least 8, got {self.max_length}")

    @property
    def generation_config(self) -> Any:
        """The model directory's generation settings (``generation_config.json``)."""
        return self.model.generation_config

    @overload
    def predict(  # type: ignore[overload-overlap]
        self,
        texts: str | bytes | None,
        *,
        clean: bool = ...,
        num_beams: int | None = ...,
        max_new_tokens: int | None = ...,
        **generate_kwargs: Any,
    ) -> SummaryResult: ...

    @overload
    def predict(
        self,
        texts: Iterable[TextInput],
        *,
        clean: bool = ...,
        num_beams: int | None = ...,
        max_new_tokens: int | None = ...,
        **generate_kwargs: Any,
    ) -> list[SummaryResult]: ...

    def predict(
        self,
        texts: TextInput | Iterable[TextInput],
        *,
        clean: bool = False,
        num_beams: int | None = None,
        max_new_tokens: int | None = None,
        **generate_kwargs: Any,
    ) -> SummaryResult | list[SummaryResult]:
        """Summarise one article or many (raw text: the model's preprocessing is applied here).

        Args:
            texts: One article or an iterable of articles.
            clean: Treat each text as a scraped page and summarise its main article only.
            num_beams: Override the saved beam count (1 = greedy, fastest).
            max_new_tokens: Override the saved summary length limit.
            **generate_kwargs: Other ``model.generate`` settings (``length_penalty``, ...).

        Returns:
            One :class:`SummaryResult` for one text, else a list in input order.
        """
        import torch

        items, single = as_list(texts)
        prepared = self.prepare(items, clean=clean)
        results: list[SummaryResult] = [SummaryResult("", False, 0, p.flags) for p in prepared]
        usable = [i for i, p in enumerate(prepared) if p.usable]
        if usable:
            tok = self.tokenizer
            sources = [prepared[i].text for i in usable]
            full = tok(
                sources,
                add_special_tokens=False,
                return_attention_mask=False,
                verbose=False,
            )["input_ids"]
            enc = tok(sources, truncation=True, max_length=self.max_length)
            keys = [k for k in enc if k in tok.model_input_names]
            order = sorted(range(len(usable)), key=lambda j: -len(enc["input_ids"][j]))
            overrides = {k: v for k, v in generate_kwargs.items()}
            if num_beams is not None:
                overrides["num_beams"] = num_beams
            if max_new_tokens is not None:
                overrides["max_new_tokens"] = max_new_tokens
            budget = self.max_length - tok.num_special_tokens_to_add(pair=False)
            with torch.inference_mode():
                for start in range(0, len(order), self.batch_size):
                    batch = order[start : start + self.batch_size]
                    features = [{k: enc[k][j] for k in keys} for j in batch]
                    padded = tok.pad(features, padding=True, return_tensors="pt")
                    inputs = {k: v.to(self.device) for k, v in padded.items()}
                    out = self.model.generate(**inputs, **overrides)
                    summaries = tok.batch_decode(
                        out, skip_special_tokens=True, clean_up_tokenization_spaces=False
                    )
                    for j, summary in zip(batch, summaries):
                        i = usable[j]
                        flags = prepared[i].flags
                        cut = len(full[j]) > budget
                        if cut and "truncated_input" not in flags:
                            flags = (*flags, "truncated_input")
                        results[i] = SummaryResult(
                            text=summary.strip(),
                            truncated=cut or "oversized" in flags,
                            input_tokens=len(full[j]),
                            flags=flags,
                        )
        return results[0] if single else results

    __call__ = predict
