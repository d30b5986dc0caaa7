"""Cutting inputs that are longer than the model reads: one rule for training and inference."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase


def head_tail(
    text: str, tokenizer: PreTrainedTokenizerBase, budget: int, head_fraction: float = 0.5
) -> str:
    """Keep the first and last tokens of ``text`` within ``budget`` tokens (cut at token offsets).

    News articles put the topic in the lead and often the conclusion at the end; this keeps both.
    """
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    offsets = enc["offset_mapping"]
    if len(offsets) <= budget:
        return text
    head = max(1, int(budget * head_fraction))
    tail = budget - head
    head_end = offsets[head - 1][1]
    tail_start = offsets[len(offsets) - tail][0] if tail > 0 else len(text)
    return f"{text[:head_end]} … {text[tail_start:]}" if tail > 0 else text[:head_end]


def _trailing_specials(ids: Sequence[int], special: set[int]) -> list[int]:
    tail: list[int] = []
    for token in reversed(ids):
        if token not in special:
            break
        tail.append(token)
    return tail[::-1]


def cut_head(ids: Sequence[int], max_length: int, tokenizer: PreTrainedTokenizerBase) -> list[int]:
    """The first ``max_length`` tokens of ``ids``, keeping its trailing special tokens (``</s>``)."""
    if len(ids) <= max_length:
        return list(ids)
    tail = _trailing_specials(ids, set(tokenizer.all_special_ids))
    return list(ids[: max_length - len(tail)]) + tail


__all__ = ["cut_head", "head_tail"]
