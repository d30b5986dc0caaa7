"""Window aggregation: the plain mean and the lead-weighted mean, on hand-made logits."""

from __future__ import annotations

import numpy as np
import pytest

from khabar.reading.windows import aggregate


def test_mean_per_text_and_empty_texts() -> None:
    values = np.array([[1, 0], [0, 1], [0, 1], [4, 0]], dtype=np.float32)
    owners = np.array([0, 0, 0, 2])
    out = aggregate(values, owners, 3)
    np.testing.assert_allclose(out, [[1 / 3, 2 / 3], [0, 0], [4, 0]], rtol=1e-6)


def test_lead_weight_mixes_first_window_and_mean() -> None:
    values = np.array([[1, 0], [0, 1], [0, 1], [4, 0], [0, 2]], dtype=np.float32)
    owners = np.array([0, 0, 0, 1, 1])
    out = aggregate(values, owners, 2, lead_weight=0.5)
    np.testing.assert_allclose(
        out[0], 0.5 * np.array([1, 0]) + 0.5 * np.array([1 / 3, 2 / 3]), rtol=1e-6
    )
    np.testing.assert_allclose(out[1], 0.5 * np.array([4, 0]) + 0.5 * np.array([2, 1]), rtol=1e-6)
    only_lead = aggregate(values, owners, 2, lead_weight=1.0)
    np.testing.assert_allclose(only_lead, [[1, 0], [4, 0]])


@pytest.mark.parametrize("weight", [0.0, 0.3, 1.0])
def test_single_window_texts_are_unchanged(weight: float) -> None:
    values = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    out = aggregate(values, np.arange(4), 4, lead_weight=weight)
    np.testing.assert_allclose(out, values, rtol=1e-6)


def test_window_weights_are_the_aggregate() -> None:
    """The weights a loss on the aggregate uses (``model.train_aggregate``) give exactly what
    evaluation's :func:`aggregate` gives, and sum to 1 per text."""
    from khabar.reading.windows import window_weights

    rng = np.random.default_rng(1)
    owners = np.array([0, 0, 0, 1, 2, 2])
    values = rng.normal(size=(6, 3)).astype(np.float32)
    for lead in (0.0, 0.5, 1.0):
        weights = window_weights(owners, lead)
        np.testing.assert_allclose(np.bincount(owners, weights=weights), [1.0, 1.0, 1.0])
        by_hand = np.zeros((3, 3))
        np.add.at(by_hand, owners, values * weights[:, None])
        np.testing.assert_allclose(aggregate(values, owners, 3, lead), by_hand, rtol=1e-6)
    np.testing.assert_allclose(window_weights(owners, 0.5)[:3], [0.5 + 0.5 / 3, 0.5 / 3, 0.5 / 3])
    assert window_weights(np.array([], dtype=np.int64), 0.5).shape == (0,)
