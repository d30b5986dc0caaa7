"""Model cards rendered from a model directory's own files (no hand-filled numbers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from khabar.io import read_json, write_text_atomic
from khabar.model_dir import EVAL_RESULTS_FILE, META_FILE, ModelMeta


def render_model_card(model_dir: str | Path) -> str:
    """A basic card: task, labels, base model and the evaluation table from ``eval_results.json``."""
    root = Path(model_dir)
    meta = ModelMeta.load(root)
    results: dict[str, Any] = read_json(root / EVAL_RESULTS_FILE) if (root / EVAL_RESULTS_FILE).is_file() else {}
    base = meta.base_model or "trained from scratch"
    lines = [
        "---",
        "language: ar",
        f"pipeline_tag: {'summarization' if meta.task == 'summarization' else 'text-classification'}",
        "library_name: transformers",
        "tags: [khabar, arabic, news]",
        "---",
        "",
        f"# khabar {meta.task} model",
        "",
        f"Base model: {base}. Labels: {', '.join(meta.labels) or '—'}.",
        "",
    ]
    splits = results.get("splits", {})
    if not splits:
        lines.append("This model has no evaluation results.")
    else:
        lines += ["| split | n | accuracy | macro-F1 | baseline macro-F1 |", "|---|---|---|---|---|"]
        for name, entry in splits.items():
            m, b = entry["model"], entry.get("baseline")
            lines.append(
                f"| {name} | {entry['n']} | {m['accuracy']:.4f} | {m['macro_f1']:.4f} | "
                f"{b['macro_f1']:.4f} |" if b else f"| {name} | {entry['n']} | {m['accuracy']:.4f} | {m['macro_f1']:.4f} | — |"
            )
    return "\n".join(lines) + "\n"


def write_model_card(model_dir: str | Path) -> Path:
    """Render the card and write it as ``README.md`` in the model directory."""
    root = Path(model_dir)
    if not (root / META_FILE).is_file():
        raise FileNotFoundError(root / META_FILE)
    return write_text_atomic(root / "README.md", render_model_card(root))
