"""Typed results of khabar's predictors, and the flags that qualify them.

Every result carries ``flags``: a tuple of the names below, saying what was unusual about its
input. A flagged result is still a defined outcome, never an exception for the whole batch.

=================  ===============================================================================
flag               meaning and outcome
=================  ===============================================================================
``empty``          The text is empty or whitespace (also after preprocessing). Nothing is
                   predicted: ``label`` is ``None``, ``score`` 0.0, ``scores`` empty; a summary
                   is the empty string.
``no_target``      Stance: the row's target is missing or empty. Treated like ``empty``.
``no_arabic``      The text has no Arabic letter. It is still classified (or summarised), but the
                   model was trained on Arabic: treat the prediction as unreliable.
``invalid_utf8``   The input came as bytes that are not valid UTF-8 (bytes that start with a
                   UTF-16 byte-order mark are read as UTF-16); undecodable bytes were
                   replaced by U+FFFD before prediction.
``oversized``      The text had more than ``max_chars`` characters (default 100,000, ~15,000
                   words); only its first ``max_chars`` characters (cut at a space) were used.
``truncated_target``  Stance: the target was longer than half a window; its beginning was
                   used.
``truncated_input``  Not every token was read. Classifiers read a text in overlapping windows
                   and at most ``max_windows`` of them, spread evenly from start to end; a longer
                   text (and every ``oversized`` one) is judged on those windows only. A
                   summariser reads the first ``max_length`` tokens.
``empty_output``   Summary: the model generated no text for a usable input (only end-of-sequence
                   or other special tokens); ``text`` is the empty string. Other generation
                   settings (``min_new_tokens``, ``num_beams``) may give a summary.
=================  ===============================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FLAGS",
    "Analysis",
    "ClassificationResult",
    "StanceResult",
    "SummaryResult",
]

FLAGS: tuple[str, ...] = (
    "empty",
    "no_target",
    "no_arabic",
    "invalid_utf8",
    "oversized",
    "truncated_target",
    "truncated_input",
    "empty_output",
)
"""Every flag a result can carry (see the module docstring for what each means)."""


@dataclass(frozen=True)
class ClassificationResult:
    """A topic (or any sequence-classification) prediction for one text.

    Attributes:
        label: The predicted label, or ``None`` when nothing could be predicted (``empty``).
        score: Probability of ``label`` (softmax of the window-averaged logits).
        scores: Label → probability, best first: every label, or the ``top_k`` best.
        flags: What was unusual about the input (see :data:`FLAGS`).
        n_windows: How many windows of ``max_length`` tokens the model read.
    """

    label: str | None
    score: float
    scores: dict[str, float] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    n_windows: int = 0

    @property
    def ok(self) -> bool:
        """True when a label was predicted."""
        return self.label is not None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: ``label``, ``score``, ``scores``, ``flags``, ``n_windows``."""
        return {
            "label": self.label,
            "score": round(self.score, 6),
            "scores": {k: round(v, 6) for k, v in self.scores.items()},
            "flags": list(self.flags),
            "n_windows": self.n_windows,
        }


@dataclass(frozen=True)
class StanceResult(ClassificationResult):
    """A stance prediction: the stance of the text toward ``target``."""

    target: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, **super().to_dict()}


@dataclass(frozen=True)
class SummaryResult:
    """A generated summary.

    Attributes:
        text: The summary ("" for an ``empty`` input, or when the model generated nothing:
            ``empty_output``).
        truncated: The article was longer than the model reads (``max_length`` tokens, or
            ``max_chars`` characters) and was cut; the summary covers its beginning only.
        input_tokens: Tokens of the (preprocessed) article before it was cut.
        flags: What was unusual about the input (see :data:`FLAGS`).
        alternatives: With ``num_return_sequences`` > 1, the other sequences for this article,
            best first (``text`` is the best one).
    """

    text: str
    truncated: bool = False
    input_tokens: int = 0
    flags: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "truncated": self.truncated,
            "input_tokens": self.input_tokens,
            "flags": list(self.flags),
        }
        if self.alternatives:
            out["alternatives"] = list(self.alternatives)
        return out


@dataclass(frozen=True)
class Analysis:
    """What :class:`~khabar.inference.NewsAnalyzer` says about one article.

    Each part is ``None`` when the analyzer has no model for it.
    """

    topic: ClassificationResult | None = None
    stance: StanceResult | None = None
    summary: SummaryResult | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            name: (part.to_dict() if part is not None else None)
            for name, part in (
                ("topic", self.topic),
                ("stance", self.stance),
                ("summary", self.summary),
            )
        }
