"""Read long texts as overlapping windows and aggregate the window logits.

One implementation, used by evaluation and by inference: a 3,000-word article is judged on all of
its text, not on its first 512 tokens. Texts are sorted by length and padded per batch, so a batch
of short posts is not padded to the longest article.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TypeVar

import numpy as np
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from khabar.device import autocast_to
from khabar.errors import DataError
from khabar.model_dir import ReadingSettings

WindowSettings = ReadingSettings
"""The reading settings windows are cut by (``max_length``, ``stride``, ``max_windows``,
``lead_weight``); the name of :class:`khabar.model_dir.ReadingSettings` in this module."""

_T = TypeVar("_T")


def num_labels_of(model: PreTrainedModel) -> int:
    """The number of output labels of a classification model."""
    return int(getattr(model.config, "num_labels", 0) or 0)


def _pick(items: list[_T], limit: int) -> list[_T]:
    """Keep at most ``limit`` windows, evenly spread from the first to the last."""
    if limit <= 0 or len(items) <= limit:
        return items
    positions = np.linspace(0, len(items) - 1, num=limit).round().astype(int)
    return [items[i] for i in sorted(set(positions.tolist()))]


def text_spans(owners: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` of each text's run of windows, given ``owners`` (for each window in text
    order, the text it belongs to): a text's windows are consecutive."""
    if len(owners) == 0:
        return []
    owners = np.asarray(owners)
    bounds = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1], True]).tolist()
    return list(pairwise(bounds))


def pick_windows(owners: np.ndarray, limit: int) -> np.ndarray:
    """Indices of the windows :func:`encode_windows` keeps with ``max_windows=limit``, given the
    ``owners`` of an encoding that kept them all (``max_windows=0``): score the windows of a text
    once, then any limit, without encoding again."""
    kept = [_pick(list(range(a, b)), limit) for a, b in text_spans(owners)]
    return np.asarray([i for group in kept for i in group], dtype=np.int64)


def encode_windows(
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    targets: Sequence[str] | None,
    settings: WindowSettings,
) -> tuple[list[dict[str, list[int]]], np.ndarray]:
    """Tokenise ``texts`` (paired with ``targets`` when given) into overlapping windows.

    Returns the windows (one dict of token lists each) and, for each window, the index of the
    text it came from. In a pair, only the text is windowed; the target is repeated in each window.
    """
    kwargs = {
        "max_length": settings.max_length,
        "return_overflowing_tokens": True,
        "padding": False,
    }
    by_text: dict[int, list[dict[str, list[int]]]] = {}
    groups = (
        _stride_groups(tokenizer, targets, settings)
        if targets is not None
        else {settings.stride: list(range(len(texts)))}
    )
    for stride, members in groups.items():
        chunk = [texts[i] for i in members]
        if targets is not None:
            pair = [targets[i] for i in members]
            enc = tokenizer(pair, chunk, truncation="only_second", stride=stride, **kwargs)
        else:
            enc = tokenizer(chunk, truncation=True, stride=stride, **kwargs)
        mapping = enc.pop("overflow_to_sample_mapping")
        keys = [k for k in enc if k in tokenizer.model_input_names]
        for w, t in enumerate(mapping):
            by_text.setdefault(members[int(t)], []).append({k: enc[k][w] for k in keys})
    windows: list[dict[str, list[int]]] = []
    owners: list[int] = []
    for t in range(len(texts)):
        for window in _pick(by_text.get(t, []), settings.max_windows):
            windows.append(window)
            owners.append(t)
    return windows, np.asarray(owners, dtype=np.int64)


def _stride_groups(
    tokenizer: PreTrainedTokenizerBase, targets: Sequence[str], settings: WindowSettings
) -> dict[int, list[int]]:
    """Pair indices grouped by the stride their windows can take.

    The target is repeated in every window, so a long one leaves the text little room; the
    tokenizer refuses (with a panic) a stride that is not below that room. Such a pair's windows
    overlap by ``room - 1`` tokens instead; every other pair keeps ``settings.stride``.

    Raises:
        DataError: a target leaves no room at all for its text.
    """
    specials = tokenizer.num_special_tokens_to_add(pair=True)
    unique = list(dict.fromkeys(targets))  # a corpus run often pairs every text with one target
    encoded = tokenizer(unique, add_special_tokens=False)["input_ids"]
    length_of = {target: len(ids) for target, ids in zip(unique, encoded)}
    groups: dict[int, list[int]] = {}
    for i, target in enumerate(targets):
        n = length_of[target]
        room = settings.max_length - specials - n
        if room < 1:
            raise DataError(
                f"target {i} is {n} tokens long: with {specials} special tokens it leaves no room "
                f"for its text in the model's {settings.max_length}-token windows; shorten the "
                "target or use a longer max_length"
            )
        groups.setdefault(min(settings.stride, room - 1), []).append(i)
    return groups


def _pad_batch(
    tokenizer: PreTrainedTokenizerBase, batch: list[dict[str, list[int]]], device: torch.device
) -> dict[str, torch.Tensor]:
    padded = tokenizer.pad(batch, padding=True, return_tensors="pt")
    return {k: v.to(device) for k, v in padded.items()}


def window_logits(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    windows: list[dict[str, list[int]]],
    *,
    batch_size: int = 32,
    device: torch.device | None = None,
    autocast: torch.dtype | None = None,
) -> np.ndarray:
    """Logits of every window, computed in length-sorted, per-batch-padded batches (under
    ``torch.autocast`` to ``autocast`` when it is given)."""
    device = device or next(model.parameters()).device
    order = sorted(range(len(windows)), key=lambda i: len(windows[i]["input_ids"]))
    num_labels = num_labels_of(model)
    out = np.zeros((len(windows), num_labels), dtype=np.float32)
    model.eval()
    with torch.inference_mode(), autocast_to(autocast, device):
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            inputs = _pad_batch(tokenizer, [windows[i] for i in idx], device)
            logits = model(**inputs).logits.float().cpu().numpy()
            out[idx] = logits
    return out


def window_weights(owners: np.ndarray, lead_weight: float = 0.0) -> np.ndarray:
    """The weight of each window in its text's aggregate (see :func:`aggregate`): ``lead_weight``
    on the text's first window plus ``(1 − lead_weight) / n`` on each of its ``n`` windows.

    ``owners`` lists, for each window in text order, the text it belongs to. Training on the
    aggregate (``model.train_aggregate``) weights window logits with these same numbers."""
    owners = np.asarray(owners, dtype=np.int64)
    if len(owners) == 0:
        return np.zeros(0, dtype=np.float64)
    counts = np.bincount(owners)[owners].astype(np.float64)
    lead = max(float(lead_weight), 0.0)
    weights = (1.0 - lead) / counts
    weights[[start for start, _ in text_spans(owners)]] += lead
    return weights


def aggregate(
    window_values: np.ndarray, owners: np.ndarray, n_texts: int, lead_weight: float = 0.0
) -> np.ndarray:
    """Per text: ``lead_weight`` × its first window + (1 − ``lead_weight``) × the mean of all
    (the weights of :func:`window_weights`).

    ``owners`` lists, for each window in text order, the text it belongs to; texts without
    windows get zeros.
    """
    sums = np.zeros((n_texts, window_values.shape[1]), dtype=np.float64)
    weighted = window_values * window_weights(owners, lead_weight)[:, None]
    np.add.at(sums, owners, weighted)
    return sums.astype(np.float32)


def classify_logits(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    targets: Sequence[str] | None = None,
    *,
    settings: WindowSettings | None = None,
    batch_size: int = 32,
    device: torch.device | None = None,
    autocast: torch.dtype | None = None,
) -> np.ndarray:
    """Logits per text (``len(texts) × num_labels``), aggregated over the text's windows by
    :func:`aggregate` (``settings.lead_weight``); ``autocast`` as :func:`window_logits`."""
    settings = settings or WindowSettings()
    if not texts:
        return np.zeros((0, num_labels_of(model)), dtype=np.float32)
    windows, owners = encode_windows(tokenizer, texts, targets, settings)
    logits = window_logits(
        model, tokenizer, windows, batch_size=batch_size, device=device, autocast=autocast
    )
    return aggregate(logits, owners, len(texts), settings.lead_weight)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


__all__ = [
    "WindowSettings",
    "aggregate",
    "classify_logits",
    "encode_windows",
    "pick_windows",
    "softmax",
    "text_spans",
    "window_logits",
    "window_weights",
]
