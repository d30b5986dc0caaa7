"""Is a sequence-to-sequence model reading its input? Measured at every evaluation.

An encoder-decoder trained from scratch can fall into a state where its encoder gives (almost) the
same output for every article; the decoder then learns to write one fluent, memorised headline
for all of them, the loss still falls (the decoder becomes a language model) and nothing in the
usual curves says why ROUGE stays near zero. Two numbers on a fixed batch of dev examples do:

- ``source_gain``: the mean loss per summary token when each summary is paired with *another*
  article, minus the loss with its own article (nats). Near 0: the output does not depend on the
  input. It grows as the model learns to use the article.
- ``encoder_spread``: the standard deviation, across articles, of the encoder's output at the
  first positions, averaged over positions and channels. About 1 for a freshly initialised
  encoder; near 0 when the encoder has collapsed.

:class:`SourceUseCallback` adds both to the trainer's log history at each evaluation (so they are
saved with the model in :data:`~khabar.model_dir.LOG_HISTORY_FILE`) and warns when the encoder has collapsed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from transformers import (
    PreTrainedModel,
    TrainerCallback,
    TrainerControl,
    TrainerState,
    TrainingArguments,
)

from khabar._logging import get_logger

logger = get_logger(__name__)

COLLAPSE_SPREAD = 0.05
"""Below this ``encoder_spread`` the encoder is treated as collapsed (fresh encoders give ~1)."""

SPREAD_POSITIONS = 8
"""Encoder positions compared across articles (the head of the article, never padding)."""


def source_use(model: PreTrainedModel, batch: Mapping[str, torch.Tensor]) -> dict[str, float]:
    """``source_gain`` and ``encoder_spread`` (see the module docstring) on one collated batch.

    ``batch`` is what :class:`~transformers.DataCollatorForSeq2Seq` returns for at least two
    examples: ``input_ids``, ``attention_mask`` and ``labels`` (and ``decoder_input_ids``).
    """
    if batch["input_ids"].shape[0] < 2:
        raise ValueError("source_use needs a batch of at least two examples")
    device = next(model.parameters()).device
    inputs = {k: v.to(device) for k, v in batch.items()}
    # every article paired with the next one's summary: same summaries, other articles
    shifted = {
        **inputs,
        "input_ids": inputs["input_ids"].roll(1, dims=0),
        "attention_mask": inputs["attention_mask"].roll(1, dims=0),
    }
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            encoded = model.get_encoder()(
                input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]
            )
            own = float(model(**inputs, encoder_outputs=encoded).loss)
            other = float(model(**shifted).loss)
            hidden = encoded.last_hidden_state
            shortest = int(inputs["attention_mask"].sum(dim=1).min())
            head = hidden[:, : max(1, min(SPREAD_POSITIONS, shortest))].float()
            spread = float(head.std(dim=0).mean())
    finally:
        model.train(was_training)
    return {"source_gain": round(other - own, 4), "encoder_spread": round(spread, 4)}


class SourceUseCallback(TrainerCallback):
    """Log :func:`source_use` on a fixed dev batch at every evaluation; warn on a collapse."""

    def __init__(
        self,
        features: Sequence[Mapping[str, Any]],
        collator: Callable[[list[Any]], Mapping[str, torch.Tensor]],
    ) -> None:
        if len(features) < 2:
            raise ValueError("SourceUseCallback needs at least two dev examples")
        self.batch = collator([dict(f) for f in features])

    def on_evaluate(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        model: PreTrainedModel | None = None,
        **kwargs: Any,
    ) -> None:
        if model is None or not state.is_world_process_zero:
            return
        stats = source_use(model, self.batch)
        state.log_history.append({**stats, "epoch": state.epoch, "step": state.global_step})
        logger.info(
            "step %d: source gain %.3f nats/token, encoder spread %.3f",
            state.global_step,
            stats["source_gain"],
            stats["encoder_spread"],
        )
        if stats["encoder_spread"] < COLLAPSE_SPREAD:
            logger.warning(
                "the encoder gives nearly the same output for every article (encoder spread "
                "%.3f < %.2f): the model cannot use its input and will write the same text for "
                "every article. From scratch, a longer training.warmup_steps or a lower "
                "training.learning_rate usually prevents this.",
                stats["encoder_spread"],
                COLLAPSE_SPREAD,
            )


__all__ = ["COLLAPSE_SPREAD", "SourceUseCallback", "source_use"]
