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
