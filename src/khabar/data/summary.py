"""The data summary of a run: rows, labels, lengths, what was dropped; saved with the model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from khabar.io import write_json_atomic


def percentiles(values: Sequence[int]) -> dict[str, float]:
    if not values:
        return {}
    arr = np.asarray(values)
    return {
        "mean": round(float(arr.mean()), 1),
        "p50": float(np.percentile(arr, 50)),
        "p90": float(np.percentile(arr, 90)),
        "p99": float(np.percentile(arr, 99)),
        "max": int(arr.max()),
    }


@dataclass
class SplitSummary:
    rows: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    words: dict[str, float] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)
    summary_words: dict[str, float] = field(default_factory=dict)
    truncated: dict[str, float] = field(default_factory=dict)
    """How many inputs exceed the model's length and by how much (filled by the trainer)."""
    duplicates_dropped: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    leakage_with_train: int = 0
    leakage_removed_from_train: int = 0
    source: str | None = None


@dataclass
class DataSummary:
    """Rows per split, label counts, length percentiles and what was dropped; saved with every run."""

    task: str
    labels: list[str] = field(default_factory=list)
    splits: dict[str, SplitSummary] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DataSummary:
        splits = {k: SplitSummary(**v) for k, v in data.get("splits", {}).items()}
        return cls(task=data["task"], labels=list(data.get("labels", [])), splits=splits)

    def save(self, path: str | Path) -> Path:
        return write_json_atomic(path, self.to_dict())

    def format(self) -> str:
        """A plain-text table for logs."""
        lines = [f"data summary ({self.task})"]
        for name, s in self.splits.items():
            length = s.tokens or s.words
            unit = "tokens" if s.tokens else "words"
            lines.append(
                f"  {name:<6} {s.rows:>7} rows  {unit} p50={length.get('p50', 0):.0f} "
                f"p90={length.get('p90', 0):.0f} max={length.get('max', 0)}"
                + (f"  duplicates dropped={s.duplicates_dropped}" if s.duplicates_dropped else "")
                + (f"  skipped={sum(s.skipped.values())}" if s.skipped else "")
                + (f"  shared with train={s.leakage_with_train}" if s.leakage_with_train else "")
            )
            if s.labels:
                counts = ", ".join(f"{k}={v}" for k, v in s.labels.items())
                lines.append(f"         labels: {counts}")
            if s.truncated:
                lines.append(
                    f"         inputs over the length limit: {s.truncated.get('count', 0):.0f} "
                    f"({100 * s.truncated.get('fraction', 0):.1f}%), "
                    f"mean tokens cut {s.truncated.get('mean_tokens_cut', 0):.0f}"
                )
        return "\n".join(lines)


# ------------------------------------------------------------------------------ loading
