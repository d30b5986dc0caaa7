"""The task registry: what khabar needs to know about each task, in one place.

Code asks :func:`get_task` instead of branching on the task string. A task says which columns its
records have, which of them the text preprocessing applies to, which ``transformers`` auto class
and problem type its models have, which metrics and baseline evaluate it, which predictor serves
it, and which pipeline tag and card template describe it. Adding a task (say, multi-label topics)
is one entry here plus the hooks of its kind (:mod:`khabar.training`, :mod:`khabar.evaluation`).

This module imports nothing heavy: classes are named by their import path and resolved where
they are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from khabar.errors import ConfigError

Kind = Literal["classification", "seq2seq"]


@dataclass(frozen=True)
class TaskSpec:
    """Everything khabar's flows need to know about one task."""

    name: str
    kind: Kind
    description: str
    """In words, for the card: "news topic classification"."""
    required_columns: tuple[str, ...]
    """Canonical columns every record must have."""
    preprocessed_columns: tuple[str, ...]
    """Columns the model's text preprocessing applies to (summaries get the same normalisation as
    articles, so the model learns to write what it reads)."""
    pair_column: str | None
    """The first text of a text pair (stance: the ``target``), or None for single texts."""
    auto_model: str
    """The ``transformers`` auto class that loads the task's models."""
    problem_type: str | None
    """``config.problem_type`` of the saved model (None for seq2seq)."""
    metrics: tuple[str, ...]
    """Metrics reported for the task; the first is the default for best-checkpoint selection."""
    baseline: Literal["tfidf_logreg", "lead"]
    predictor: str
    """The :mod:`khabar.inference` class that serves the task."""
    pipeline_tag: str
    card_template: str
    card_tags: tuple[str, ...]
    scratch_architectures: tuple[str, ...]
    """From-scratch model families for the task, default first."""
    intended_use: str = ""
    """The card's "intended use" sentence (``{what}``: headlines or summaries, for seq2seq)."""
    out_of_scope: tuple[str, ...] = ()
    """The card's "out of scope" uses."""

    @property
    def is_seq2seq(self) -> bool:
        return self.kind == "seq2seq"

    @property
    def is_pair(self) -> bool:
        return self.pair_column is not None

    @property
    def has_labels(self) -> bool:
        return "label" in self.required_columns

    @property
    def default_metric(self) -> str:
        return self.metrics[0]


CLASSIFICATION_METRICS = ("macro_f1", "accuracy", "weighted_f1")
ROUGE_METRICS = ("rougeL", "rouge1", "rouge2", "rougeLsum")

_SEQUENCE_CLASSIFICATION: dict[str, Any] = {
    "kind": "classification",
    "auto_model": "AutoModelForSequenceClassification",
    "problem_type": "single_label_classification",
    "metrics": CLASSIFICATION_METRICS,
    "baseline": "tfidf_logreg",
    "pipeline_tag": "text-classification",
    "card_template": "classification.md",
    "scratch_architectures": ("bert", "modernbert"),
}
"""What topic and stance share: single-label sequence classification."""

TASKS: dict[str, TaskSpec] = {
    "topic": TaskSpec(
        name="topic",
        description="news topic classification",
        required_columns=("text", "label"),
        preprocessed_columns=("text",),
        pair_column=None,
        predictor="TopicClassifier",
        card_tags=("topic-classification",),
        **_SEQUENCE_CLASSIFICATION,
        intended_use=(
            "Sorting Arabic news articles into the topics listed below, e.g. for routing and "
            "tagging in newsrooms, news aggregation and media research."
        ),
        out_of_scope=(
            "Topics outside the label set: every input gets one of these labels.",
            "Text unlike the training data (see Limitations) without evaluating on it first.",
        ),
    ),
    "stance": TaskSpec(
        name="stance",
        description="stance detection",
        required_columns=("target", "text", "label"),
        preprocessed_columns=("text", "target"),
        pair_column="target",
        predictor="StanceDetector",
        card_tags=("stance-detection", "text-pair-classification"),
        **_SEQUENCE_CLASSIFICATION,
        intended_use=(
            "Deciding the stance a text takes toward a given target (a claim, headline or topic), "
            "e.g. as a component of fact-checking and media-monitoring research."
        ),
        out_of_scope=(
            "Deciding whether a claim is true: the model judges the text's stance, not the facts.",
            "Automated moderation or decisions about people without human review.",
        ),
    ),
    "summarization": TaskSpec(
        name="summarization",
        kind="seq2seq",
        description="summarization",
        required_columns=("text", "summary"),
        preprocessed_columns=("text", "summary"),
        pair_column=None,
        auto_model="AutoModelForSeq2SeqLM",
        problem_type=None,
        metrics=ROUGE_METRICS,
        baseline="lead",
        predictor="Summarizer",
        pipeline_tag="summarization",
        card_template="summarization.md",
        card_tags=("summarization",),
        scratch_architectures=("t5", "bart"),
        intended_use=(
            "Drafting {what} of Arabic news articles for editors and researchers, to be "
            "reviewed by a person."
        ),
        out_of_scope=(
            "Publishing generated text unreviewed: generated text can state things the article "
            "does not say.",
            "Long documents: only the beginning of the input is read.",
        ),
    ),
}
"""Every task khabar trains, evaluates and serves."""

TASK_NAMES: tuple[str, ...] = tuple(TASKS)


def get_task(name: str) -> TaskSpec:
    """The registry entry of ``name``.

    Raises:
        ConfigError: ``name`` is not a known task (naming the known ones).
    """
    try:
        return TASKS[name]
    except KeyError:
        raise ConfigError(
            f"unknown task {name!r}; khabar knows {', '.join(TASK_NAMES)}", key="task"
        ) from None


def auto_model_class(spec: TaskSpec) -> type:
    """The ``transformers`` auto class of a task (imports ``transformers``)."""
    import transformers

    return getattr(transformers, spec.auto_model)  # type: ignore[no-any-return]


__all__ = [
    "CLASSIFICATION_METRICS",
    "ROUGE_METRICS",
    "TASKS",
    "TASK_NAMES",
    "TaskSpec",
    "auto_model_class",
    "get_task",
]
