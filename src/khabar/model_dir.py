"""What a khabar model directory holds besides the ``transformers`` files, and how to check one.

A model directory is a plain ``transformers`` directory (``config.json``, ``model.safetensors``,
tokenizer files) plus khabar's own files: :data:`META_FILE` (task and how inputs are read),
``khabar_preprocessing.json`` (the text preprocessing used at training), the resolved run config,
the data summary, training and evaluation results, plots and a ``README.md`` model card.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from khabar import __version__
from khabar.errors import ModelDirError
from khabar.io import read_json, write_json_atomic

if TYPE_CHECKING:
    from khabar.windows import WindowSettings

META_FILE = "khabar_config.json"
RUN_CONFIG_FILE = "run_config.yaml"
DATA_SUMMARY_FILE = "data_summary.json"
TRAIN_RESULTS_FILE = "train_results.json"
EVAL_RESULTS_FILE = "eval_results.json"
CONFUSION_MATRIX_FILE = "confusion_matrix.png"
LEARNING_CURVE_FILE = "learning_curve.png"
LOG_HISTORY_FILE = "trainer_log_history.json"
CHECKPOINTS_DIR = "checkpoints"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".ckpt")


@dataclass
class ModelMeta:
    """khabar's description of a trained model, saved as ``khabar_config.json``."""

    task: str
    labels: list[str] = field(default_factory=list)
    base_model: str | None = None
    """The pretrained checkpoint fine-tuned, or None for a model trained from scratch."""
    max_length: int = 256
    stride: int = 64
    max_windows: int = 8
    truncation: str = "head"
    lead_weight: float = 0.0
    max_target_length: int | None = None
    datasets: list[str] = field(default_factory=list)
    khabar_version: str = __version__

    def window_settings(self) -> WindowSettings:
        """How evaluation and inference read this model's long inputs."""
        from khabar.windows import WindowSettings  # torch-free import of this module

        return WindowSettings(self.max_length, self.stride, self.max_windows, self.lead_weight)

    def save(self, directory: str | Path) -> Path:
        return write_json_atomic(Path(directory) / META_FILE, asdict(self))

    @classmethod
    def load(cls, directory: str | Path) -> ModelMeta:
        path = Path(directory) / META_FILE
        if not path.is_file():
            raise ModelDirError(f"{directory}: no {META_FILE}; not a khabar model directory")
        data: dict[str, Any] = read_json(path)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def find_pickle_weights(directory: str | Path) -> list[Path]:
    """Weight files in pickle formats (unsafe to load from strangers)."""
    root = Path(directory)
    return sorted(
        p
        for p in root.iterdir()
        if p.is_file() and p.suffix in PICKLE_SUFFIXES and p.name != "training_args.bin"
    )


def check_model_dir(directory: str | Path) -> Path:
    """A model directory that exists and holds safetensors weights and a config."""
    root = Path(directory)
    if not root.is_dir():
        raise ModelDirError(f"model directory '{root}' does not exist")
    if not (root / "config.json").is_file():
        raise ModelDirError(f"'{root}' has no config.json: not a transformers model directory")
    if not any(root.glob("*.safetensors")):
        pickles = find_pickle_weights(root)
        hint = (
            f" It holds pickle weights ({', '.join(p.name for p in pickles)}), which khabar does "
            "not load: convert them with `khabar convert-weights DIR`."
            if pickles
            else ""
        )
        raise ModelDirError(f"'{root}' has no .safetensors weights.{hint}")
    return root


__all__ = [
    "CHECKPOINTS_DIR",
    "CONFUSION_MATRIX_FILE",
    "DATA_SUMMARY_FILE",
    "EVAL_RESULTS_FILE",
    "LEARNING_CURVE_FILE",
    "META_FILE",
    "RUN_CONFIG_FILE",
    "TRAIN_RESULTS_FILE",
    "ModelMeta",
    "check_model_dir",
    "find_pickle_weights",
]
