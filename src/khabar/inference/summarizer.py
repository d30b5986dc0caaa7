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
from khabar.errors import OptionError
from khabar.inference.base import Predictor, TextInput, as_list, has_visible_text
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

    @property
    def generation_config(self) -> Any:
        """The model directory's generation settings (``generation_config.json``)."""
        return self.model.generation_config

    @overload
    def predict(  # type: ignore[overload-overlap]
        self,
        texts: TextInput,
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
        from khabar.reading.seq2seq import encode_texts, generate_from_ids

        overrides = dict(generate_kwargs)
        if num_beams is not None:
            overrides["num_beams"] = num_beams
        if max_new_tokens is not None:
            overrides["max_new_tokens"] = max_new_tokens
        self.check_generation(**overrides)
        items, single = as_list(texts)
        prepared = self.prepare(items, clean=clean)
        results: list[SummaryResult] = [SummaryResult("", False, 0, p.flags) for p in prepared]
        usable = [i for i, p in enumerate(prepared) if p.usable]
        if usable:
            ids, lengths = encode_texts(
                self.tokenizer,
                [prepared[i].text for i in usable],
                self.max_length,
                truncation=self.reading.truncation,
            )
            outputs = generate_from_ids(
                self.model,
                self.tokenizer,
                ids,
                batch_size=self.batch_size,
                device=self.device,
                **overrides,
            )
            for j, i in enumerate(usable):
                flags = prepared[i].flags
                cut = lengths[j] > self.max_length
                if cut and "truncated_input" not in flags:
                    flags = (*flags, "truncated_input")
                best, *others = outputs[j] or [""]
                if not has_visible_text(best):
                    flags = (*flags, "empty_output")
                results[i] = SummaryResult(
                    text=best,
                    truncated=cut or "oversized" in flags,
                    input_tokens=lengths[j],
                    flags=flags,
                    alternatives=tuple(others),
                )
        return results[0] if single else results

    __call__ = predict

    def check_generation(self, **overrides: Any) -> None:
        """Refuse generation settings that cannot work (``num_beams=0``) before any article is
        read: :meth:`predict` calls it, and so does a corpus run before its first row.

        Unknown settings (a misspelt ``num_beam``) are refused too: ``generate`` would ignore
        them without a word. Integer settings may be numpy integers.

        Raises:
            OptionError: (a ``ValueError``) naming the setting (``num_beams`` / ``--num-beams``).
        """
        _check_generation(self.generation_config, overrides)


_GENERATE_ARGUMENTS = (
    "logits_processor",
    "stopping_criteria",
    "prefix_allowed_tokens_fn",
    "streamer",
)
"""Arguments of ``model.generate`` that are not ``GenerationConfig`` settings but may be passed."""

_COUNTS = {"num_beams": 1, "max_new_tokens": 1, "num_return_sequences": 1, "max_length": 1}
_COUNTS_FROM_ZERO = ("min_new_tokens", "min_length", "no_repeat_ngram_size", "top_k")
_REALS = ("length_penalty", "temperature", "top_p", "repetition_penalty", "diversity_penalty")


def _option(name: str) -> str:
    """``name`` with its CLI spelling, for the options the CLI has."""
    cli = ("num_beams", "max_new_tokens", "num_return_sequences")
    return f"{name} (--{name.replace('_', '-')})" if name in cli else name


def _check_generation(base: Any, overrides: dict[str, Any]) -> None:
    import copy
    import numbers

    from transformers import GenerationConfig

    known = set(GenerationConfig().to_dict()) | set(_GENERATE_ARGUMENTS)
    unknown = sorted(set(overrides) - known)
    if unknown:
        import difflib

        hints = [
            f"'{u}'"
            + (
                f" (did you mean '{c[0]}'?)"
                if (c := difflib.get_close_matches(u, known, 1))
                else ""
            )
            for u in unknown
        ]
        raise OptionError(
            f"unknown generation setting(s): {', '.join(hints)}; pass transformers "
            "GenerationConfig settings (num_beams, max_new_tokens, length_penalty, ...)"
        )
    for name, value in overrides.items():
        if value is None:
            continue
        if name in _COUNTS or name in _COUNTS_FROM_ZERO:
            least = _COUNTS.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
                raise OptionError(
                    f"{_option(name)} must be an integer of at least {least}, got {value!r}"
                )
            overrides[name] = int(value)
        elif name in _REALS and (
            isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value
        ):
            raise OptionError(f"{name} must be a number, got {value!r}")
    gen = copy.deepcopy(base)
    try:
        gen.update(**overrides)
    except (ValueError, TypeError) as err:
        raise OptionError(f"invalid generation settings {overrides}: {err}") from None
    beams = gen.num_beams if gen.num_beams is not None else 1
    returned = gen.num_return_sequences if gen.num_return_sequences is not None else 1
    sampling = bool(getattr(gen, "do_sample", False))
    if returned > beams and not sampling:
        raise OptionError(
            f"num_return_sequences ({returned}) cannot exceed num_beams ({beams}) without sampling"
        )
    if sampling and gen.temperature is not None and gen.temperature <= 0:
        raise OptionError(
            f"temperature must be above 0 when sampling, got {gen.temperature!r} (for the most "
            "likely summary, do not sample: do_sample=False)"
        )
    if sampling and gen.top_p is not None and not 0 < gen.top_p <= 1:
        raise OptionError(f"top_p must be in (0, 1] when sampling, got {gen.top_p!r}")
    least, most = gen.min_new_tokens, gen.max_new_tokens
    if least is not None and most is not None and most < least:
        raise OptionError(
            f"{_option('max_new_tokens')} is {most}, below min_new_tokens {least} (the model's "
            "saved setting, or yours): pass min_new_tokens too, or a larger max_new_tokens"
        )
