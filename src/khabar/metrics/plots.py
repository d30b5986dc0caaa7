"""Figures for reports: confusion matrix and learning curves, written atomically as PNG files.

matplotlib is imported lazily, with the non-interactive ``Agg`` backend unless a backend was
already chosen, so these functions work on headless machines.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from khabar._logging import get_logger
from khabar.io import atomic_open

__all__ = ["plot_confusion_matrix", "plot_learning_curve"]

logger = get_logger(__name__)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _display_text(text: str) -> str:
    """Shape Arabic text for display when ``arabic_reshaper`` and ``python-bidi`` are present.

    matplotlib neither joins Arabic letters nor reorders right-to-left runs; without those
    optional packages the label is returned unchanged.
    """
    if not any("\u0600" <= ch <= "\u06ff" for ch in text):
        return text
    try:
        import arabic_reshaper
        from bidi.algorithm import get_display
    except ImportError:
        logger.debug("arabic_reshaper/python-bidi not installed; Arabic labels are not shaped")
        return text
    return str(get_display(arabic_reshaper.reshape(text)))


def _save_atomically(fig: Any, path: str | os.PathLike[str], dpi: int = 150) -> Path:
    """Save ``fig`` as PNG to ``path`` atomically (:func:`khabar.io.atomic_open`)."""
    plt = _pyplot()
    target = Path(path)
    try:
        with atomic_open(target, "wb") as fh:
            fig.savefig(fh, format="png", dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    logger.info("wrote %s", target)
    return target


def plot_confusion_matrix(
    matrix: Sequence[Sequence[float]] | np.ndarray,
    label_names: Sequence[str],
    path: str | os.PathLike[str],
    title: str | None = None,
    normalize: bool = True,
) -> Path:
    """Draw a confusion matrix (rows = true class, columns = predicted class) as a PNG.

    Args:
        matrix: square count matrix, e.g. ``classification_report(...)["confusion_matrix"]``.
        label_names: class names in matrix order.
        path: output PNG path (parent directories are created; the write is atomic).
        title: figure title (default "Confusion matrix").
        normalize: colour and annotate by row-normalised rate (recall per true class), with
            the raw count below each rate; rows without support stay 0.

    Returns:
        The written path.
    """
    counts = np.asarray(matrix, dtype=np.float64)
    k = len(label_names)
    if counts.ndim != 2 or counts.shape != (k, k):
        raise ValueError(
            f"matrix must be square with one row/column per label ({k}), got shape {counts.shape}"
        )
    if normalize:
        row_sums = counts.sum(axis=1, keepdims=True)
        values = np.divide(counts, row_sums, out=np.zeros_like(counts), where=row_sums != 0)
    else:
        values = counts

    plt = _pyplot()
    side = max(4.0, min(0.6 * k + 2.5, 30.0))
    fig, ax = plt.subplots(figsize=(side + 1.0, side))
    vmax = 1.0 if normalize else max(float(values.max(initial=0.0)), 1.0)
    image = ax.imshow(values, interpolation="nearest", cmap="Blues", vmin=0.0, vmax=vmax)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)

    names = [_display_text(str(name)) for name in label_names]
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xticklabels(names, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticklabels(names)
    ax.set_xlabel("Predicted")
    ax.set_ylabel("True")
    ax.set_title(_display_text(title) if title else "Confusion matrix")

    if k <= 40:  # annotations become unreadable beyond that
        fontsize = 10 if k <= 10 else 8 if k <= 20 else 6
        threshold = vmax / 2.0
        for i in range(k):
            for j in range(k):
                if normalize:
                    text = f"{values[i, j]:.2f}\n({int(counts[i, j])})"
                else:
                    count = counts[i, j]
                    text = f"{int(count)}" if float(count).is_integer() else f"{count:.2f}"
                colour = "white" if values[i, j] > threshold else "black"
                ax.text(j, i, text, ha="center", va="center", color=colour, fontsize=fontsize)
    fig.tight_layout()
    return _save_atomically(fig, path)


def _series(log_history: Sequence[Mapping[str, Any]], key: str) -> tuple[list[float], list[float]]:
    xs: list[float] = []
    ys: list[float] = []
    for index, entry in enumerate(log_history):
        if not isinstance(entry, Mapping):
            continue
        value = entry.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if not math.isfinite(float(value)):
            continue
        step = entry.get("step", entry.get("epoch", index))
        if not isinstance(step, (int, float)) or isinstance(step, bool):
            step = index
        xs.append(float(step))
        ys.append(float(value))
    return xs, ys


def plot_learning_curve(
    log_history: Sequence[Mapping[str, Any]],
    path: str | os.PathLike[str],
    metric: str = "eval_macro_f1",
) -> Path:
    """Plot training loss, eval loss and an eval metric against the step.

    Args:
        log_history: a Hugging Face ``Trainer.state.log_history`` list of dicts. Entries
            lacking a key are skipped; an entry without ``step`` falls back to ``epoch``, then
            to its position in the list.
        path: output PNG path (parent directories are created; the write is atomic).
        metric: the metric key to plot on the right panel; if absent, ``"eval_" + metric`` is
            tried too.

    Returns:
        The written path (a figure with "no data" panels is written if nothing is plottable).
    """
    train_x, train_y = _series(log_history, "loss")
    eval_x, eval_y = _series(log_history, "eval_loss")
    metric_key = metric
    metric_x, metric_y = _series(log_history, metric_key)
    if not metric_x and not metric.startswith("eval_"):
        metric_key = f"eval_{metric}"
        metric_x, metric_y = _series(log_history, metric_key)

    plt = _pyplot()
    fig, (ax_loss, ax_metric) = plt.subplots(1, 2, figsize=(11, 4))

    if train_x:
        ax_loss.plot(train_x, train_y, label="train loss", color="tab:blue", linewidth=1.2)
    if eval_x:
        ax_loss.plot(eval_x, eval_y, label="eval loss", color="tab:orange", marker="o")
    if train_x or eval_x:
        ax_loss.legend()
    else:
        ax_loss.text(
            0.5, 0.5, "no loss logged", ha="center", va="center", transform=ax_loss.transAxes
        )
    ax_loss.set_title("Loss")
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss")
    ax_loss.grid(True, alpha=0.3)

    if metric_x:
        ax_metric.plot(metric_x, metric_y, color="tab:green", marker="o", label=metric_key)
        best = int(np.argmax(metric_y))
        ax_metric.annotate(
            f"best {metric_y[best]:.4f}",
            (metric_x[best], metric_y[best]),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
        )
        ax_metric.legend()
    else:
        ax_metric.text(
            0.5,
            0.5,
            f"no '{metric}' logged",
            ha="center",
            va="center",
            transform=ax_metric.transAxes,
        )
    ax_metric.set_title(metric_key)
    ax_metric.set_xlabel("step")
    ax_metric.grid(True, alpha=0.3)

    fig.tight_layout()
    return _save_atomically(fig, path)
