"""Tests for khabar.metrics.classification and khabar.metrics.plots."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from khabar.metrics import (
    classification_report,
    paired_bootstrap,
    paired_bootstrap_mean,
    plot_confusion_matrix,
    plot_learning_curve,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LABELS = ["sport", "politics", "economy", "culture"]


# --- hand-computed case ------------------------------------------------------------------------


def _hand_report() -> dict:
    refs = [0, 0, 1, 1, 1, 2]
    preds = [0, 1, 1, 1, 0, 1]
    return classification_report(preds, refs, LABELS)


def test_hand_case_confusion_matrix_rows_true_cols_pred() -> None:
    report = _hand_report()
    assert report["confusion_matrix"] == [
        [1, 1, 0, 0],
        [1, 2, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 0, 0],
    ]
    assert report["labels"] == LABELS
    assert report["n"] == 6


def test_hand_case_scores() -> None:
    report = _hand_report()
    # tp = [1, 2, 0, 0], support = [2, 3, 1, 0], predicted = [2, 4, 0, 0]
    assert report["accuracy"] == pytest.approx(3 / 6)
    per = report["per_class"]
    assert per["sport"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2})
    assert per["politics"]["precision"] == pytest.approx(2 / 4)
    assert per["politics"]["recall"] == pytest.approx(2 / 3)
    assert per["politics"]["f1"] == pytest.approx(4 / 7)
    # never predicted: precision 0/0 -> 0, recall 0/1 -> 0
    assert per["economy"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    # zero support and never predicted: still reported, all zero
    assert per["culture"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert report["macro_f1"] == pytest.approx((0.5 + 4 / 7) / 4)
    assert report["weighted_f1"] == pytest.approx((2 * 0.5 + 3 * 4 / 7) / 6)
    assert report["macro_precision"] == pytest.approx((0.5 + 0.5) / 4)
    assert report["macro_recall"] == pytest.approx((0.5 + 2 / 3) / 4)


def test_perfect_predictions() -> None:
    refs = [0, 1, 2, 2, 1]
    report = classification_report(refs, refs, ["a", "b", "c"])
    assert report["accuracy"] == 1.0
    assert report["macro_f1"] == 1.0
    assert report["weighted_f1"] == 1.0
    assert report["confusion_matrix"] == [[1, 0, 0], [0, 2, 0], [0, 0, 2]]


def test_report_is_json_serialisable_with_numpy_inputs() -> None:
    preds = np.array([0, 1, 1], dtype=np.int32)
    refs = np.array([0, 1, 0], dtype=np.int64)
    report = classification_report(preds, refs, ("x", "y"))
    round_trip = json.loads(json.dumps(report))
    assert round_trip == report
    assert isinstance(report["per_class"]["x"]["support"], int)
    assert isinstance(report["accuracy"], float)


def test_empty_input_gives_zeros() -> None:
    report = classification_report([], [], ["a", "b"])
    assert report["n"] == 0
    assert report["accuracy"] == 0.0
    assert report["macro_f1"] == 0.0
    assert report["weighted_f1"] == 0.0
    assert report["confusion_matrix"] == [[0, 0], [0, 0]]


@pytest.mark.parametrize(
    ("preds", "refs", "names", "match"),
    [
        ([0, 1], [0], ["a", "b"], "aligned"),
        ([0, 2], [0, 1], ["a", "b"], r"predictions\[1\] = 2"),
        ([0, 1], [0, -1], ["a", "b"], r"references\[1\] = -1"),
        ([0, 1], [0, 1], ["a", "a"], "unique"),
        ([0, 1], [0, 1], [], "at least one"),
        ([0.5, 1], [0, 1], ["a", "b"], "integer"),
        ([[0, 1]], [[0, 1]], ["a", "b"], "1-D"),
    ],
)
def test_invalid_inputs_raise(preds, refs, names, match) -> None:
    with pytest.raises(ValueError, match=match):
        classification_report(preds, refs, names)


def test_integral_floats_are_accepted() -> None:
    report = classification_report([0.0, 1.0], [0, 1], ["a", "b"])
    assert report["accuracy"] == 1.0


# --- agreement with scikit-learn ---------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_matches_sklearn_on_random_data(seed: int) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 9))
    n = int(rng.integers(1, 300))
    # skew the label distribution and leave some classes unused to exercise zero division
    probs = rng.dirichlet(np.full(k, 0.4))
    refs = rng.choice(k, size=n, p=probs)
    noisy = rng.random(n) < rng.random()
    preds = np.where(noisy, rng.choice(k, size=n, p=rng.dirichlet(np.ones(k))), refs)
    names = [f"c{i}" for i in range(k)]
    labels = list(range(k))

    report = classification_report(preds.tolist(), refs.tolist(), names)

    assert report["accuracy"] == pytest.approx(metrics.accuracy_score(refs, preds), abs=1e-12)
    for avg in ("macro", "weighted"):
        p, r, f, _ = metrics.precision_recall_fscore_support(
            refs, preds, labels=labels, average=avg, zero_division=0
        )
        assert report[f"{avg}_f1"] == pytest.approx(f, abs=1e-12)
        if avg == "macro":
            assert report["macro_precision"] == pytest.approx(p, abs=1e-12)
            assert report["macro_recall"] == pytest.approx(r, abs=1e-12)
    p, r, f, s = metrics.precision_recall_fscore_support(
        refs, preds, labels=labels, average=None, zero_division=0
    )
    for i, name in enumerate(names):
        cls = report["per_class"][name]
        assert cls["precision"] == pytest.approx(p[i], abs=1e-12)
        assert cls["recall"] == pytest.approx(r[i], abs=1e-12)
        assert cls["f1"] == pytest.approx(f[i], abs=1e-12)
        assert cls["support"] == int(s[i])
    expected_cm = metrics.confusion_matrix(refs, preds, labels=labels).tolist()
    assert report["confusion_matrix"] == expected_cm


# --- plots --------------------------------------------------------------------------------------


def _assert_png(path: Path) -> None:
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_MAGIC
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.parametrize("normalize", [True, False])
def test_plot_confusion_matrix_writes_png(tmp_path: Path, normalize: bool) -> None:
    matrix = _hand_report()["confusion_matrix"]
    names = ["رياضة", "سياسة", "اقتصاد", "ثقافة"]
    out = plot_confusion_matrix(
        matrix, names, tmp_path / "sub" / "cm.png", title="اختبار", normalize=normalize
    )
    assert out == tmp_path / "sub" / "cm.png"
    _assert_png(out)


def test_plot_confusion_matrix_overwrites_atomically(tmp_path: Path) -> None:
    target = tmp_path / "cm.png"
    target.write_bytes(b"old")
    plot_confusion_matrix([[3, 1], [0, 2]], ["a", "b"], str(target))
    _assert_png(target)


def test_plot_confusion_matrix_rejects_bad_shape(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix([[1, 2, 3]], ["a", "b"], tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_plot_learning_curve_trainer_history(tmp_path: Path) -> None:
    history = [
        {"loss": 1.2, "learning_rate": 5e-5, "epoch": 0.5, "step": 10},
        {"loss": 0.9, "learning_rate": 4e-5, "epoch": 1.0, "step": 20},
        {"eval_loss": 0.8, "eval_macro_f1": 0.55, "eval_accuracy": 0.6, "epoch": 1.0, "step": 20},
        {"loss": 0.6, "epoch": 1.5, "step": 30},
        {"eval_loss": 0.7, "eval_macro_f1": 0.62, "epoch": 2.0, "step": 40},
        {"train_runtime": 12.3, "train_loss": 0.9, "epoch": 2.0, "step": 40},
    ]
    _assert_png(plot_learning_curve(history, tmp_path / "curve.png"))
    # metric given without the eval_ prefix, and a metric that was never logged
    _assert_png(plot_learning_curve(history, tmp_path / "acc.png", metric="accuracy"))
    _assert_png(plot_learning_curve(history, tmp_path / "none.png", metric="rougeL"))


def test_plot_learning_curve_tolerates_missing_keys(tmp_path: Path) -> None:
    history = [{}, {"loss": 1.0}, {"loss": float("nan"), "step": 3}, {"eval_loss": None}]
    _assert_png(plot_learning_curve(history, tmp_path / "a.png"))
    _assert_png(plot_learning_curve([], tmp_path / "b.png"))


def test_stanceeval_f1_by_hand() -> None:
    from khabar.metrics.classification import stanceeval_f1

    names = ["against", "favor", "none"]
    targets = ["vaccine", "vaccine", "vaccine", "women", "women", "women"]
    refs = [1, 0, 2, 1, 1, 0]
    preds = [1, 1, 2, 1, 0, 0]
    out = stanceeval_f1(preds, refs, targets, names)
    assert out is not None
    # vaccine: favor P=1/2 R=1 F1=2/3, against P=0 R=0 F1=0 -> 1/3
    # women: favor P=1 R=1/2 F1=2/3, against P=1/2 R=1 F1=2/3 -> 2/3
    assert out["per_target"] == pytest.approx({"vaccine": 1 / 3, "women": 2 / 3})
    assert out["mean"] == pytest.approx(0.5)
    assert stanceeval_f1(preds, refs, targets, ["agree", "disagree", "other"]) is None


# --- paired bootstrap ----------------------------------------------------------------------------


def _systems(seed: int, n: int = 300, k: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gold labels, a system right ~80% of the time and one right ~60% of the time."""
    rng = np.random.default_rng(seed)
    refs = rng.integers(0, k, n)
    good = np.where(rng.random(n) < 0.8, refs, rng.integers(0, k, n))
    weak = np.where(rng.random(n) < 0.6, refs, rng.integers(0, k, n))
    return refs, good, weak


def test_paired_bootstrap_difference_is_the_reports_difference() -> None:
    refs, good, weak = _systems(0)
    out = paired_bootstrap(good, weak, refs, 4)
    expected = (
        classification_report(good, refs, LABELS)["macro_f1"]
        - classification_report(weak, refs, LABELS)["macro_f1"]
    )
    assert out["difference"] == pytest.approx(expected, abs=1e-12)
    assert out["ci_low"] < out["difference"] < out["ci_high"]
    assert out["metric"] == "macro_f1" and out["n_resamples"] == 1000
    json.dumps(out)


def _macro_f1_by_confusion(refs: np.ndarray, preds: np.ndarray, k: int) -> float:
    confusion = np.bincount(refs * k + preds, minlength=k * k).reshape(k, k)
    tp = np.diag(confusion)
    denominator = confusion.sum(0) + confusion.sum(1)
    return float(np.mean(np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1), 0.0)))


def test_paired_bootstrap_interval_matches_resampling_rows() -> None:
    """The vectorised resampling (draw counts, multiply) agrees with the textbook one (draw
    rows, build each confusion matrix)."""
    refs, good, weak = _systems(1, n=200)
    assert _macro_f1_by_confusion(refs, good, 4) == pytest.approx(
        classification_report(good, refs, LABELS)["macro_f1"]
    )
    rng = np.random.default_rng(7)
    diffs = []
    for _ in range(2000):
        rows = rng.integers(0, refs.size, refs.size)
        diffs.append(
            _macro_f1_by_confusion(refs[rows], good[rows], 4)
            - _macro_f1_by_confusion(refs[rows], weak[rows], 4)
        )
    low, high = np.quantile(diffs, [0.025, 0.975])
    out = paired_bootstrap(good, weak, refs, 4, n_resamples=2000)
    # two independent sets of 2000 resamples: the percentiles agree to Monte Carlo error
    assert out["ci_low"] == pytest.approx(low, abs=0.02)
    assert out["ci_high"] == pytest.approx(high, abs=0.02)
    assert out["a_better"] == pytest.approx(np.mean(np.asarray(diffs) > 0), abs=0.02)


def test_paired_bootstrap_separates_clear_wins_from_ties() -> None:
    refs, good, weak = _systems(2, n=600)
    ahead = paired_bootstrap(good, weak, refs, 4)
    behind = paired_bootstrap(weak, good, refs, 4)
    assert ahead["ci_low"] > 0 and ahead["a_better"] == 1.0
    assert behind["ci_high"] < 0 and behind["a_better"] == 0.0
    same = paired_bootstrap(good, good, refs, 4)
    assert same["difference"] == same["ci_low"] == same["ci_high"] == 0.0
    # two systems that differ on a handful of rows only: the interval holds 0
    nearly = good.copy()
    nearly[:3] = (nearly[:3] + 1) % 4
    tie = paired_bootstrap(good, nearly, refs, 4)
    assert tie["ci_low"] <= 0 <= tie["ci_high"]


def test_paired_bootstrap_is_seeded() -> None:
    refs, good, weak = _systems(3)
    assert paired_bootstrap(good, weak, refs, 4, seed=5) == paired_bootstrap(
        good, weak, refs, 4, seed=5
    )
    assert paired_bootstrap(good, weak, refs, 4, seed=5) != paired_bootstrap(
        good, weak, refs, 4, seed=6
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"predictions_b": [0, 1]}, "aligned"),
        ({"references": [0, 1, 9]}, r"references\[2\] = 9"),
        ({"n_resamples": 0}, "n_resamples"),
        ({"confidence": 1.0}, "confidence"),
        ({"predictions_a": [], "predictions_b": [], "references": []}, "at least one"),
    ],
)
def test_paired_bootstrap_rejects_bad_input(kwargs: dict, match: str) -> None:
    args = {"predictions_a": [0, 1, 2], "predictions_b": [0, 1, 1], "references": [0, 1, 2]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        paired_bootstrap(
            args.pop("predictions_a"),
            args.pop("predictions_b"),
            args.pop("references"),
            3,
            **args,
        )


def test_paired_bootstrap_mean_matches_resampling_rows() -> None:
    rng = np.random.default_rng(4)
    a = rng.random(250)
    b = np.clip(a - 0.05 + 0.2 * rng.standard_normal(250), 0, 1)
    out = paired_bootstrap_mean(a, b, metric="rouge1", n_resamples=2000)
    assert out["metric"] == "rouge1"
    assert out["difference"] == pytest.approx(a.mean() - b.mean(), abs=1e-12)
    draws = np.random.default_rng(9).integers(0, a.size, (2000, a.size))
    diffs = a[draws].mean(axis=1) - b[draws].mean(axis=1)
    low, high = np.quantile(diffs, [0.025, 0.975])
    assert out["ci_low"] == pytest.approx(low, abs=0.005)
    assert out["ci_high"] == pytest.approx(high, abs=0.005)
    assert out["ci_low"] > 0  # b is 0.05 lower on average, with 250 examples


@pytest.mark.parametrize(
    ("a", "b", "match"),
    [
        ([0.1, 0.2], [0.1], "aligned"),
        ([0.1, float("nan")], [0.1, 0.2], "finite"),
        ([], [], "at least"),
    ],
)
def test_paired_bootstrap_mean_rejects_bad_input(a: list, b: list, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        paired_bootstrap_mean(a, b)
