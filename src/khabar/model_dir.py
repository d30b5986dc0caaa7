"""What a khabar model directory holds besides the ``transformers`` files, and how to check one.

A model directory is a plain ``transformers`` directory (``config.json``, ``model.safetensors``,
tokenizer files) plus khabar's own files: :data:`META_FILE` (task and how inputs are read),
``khabar_preprocessing.json`` (the text preprocessing used at training), the resolved run config,
the data summary, training and evaluation results, plots and a ``README.md`` model card.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from khabar._version import __version__
from khabar.errors import ModelDirError
from khabar.io import read_json, write_json_atomic

META_FILE = "khabar_config.json"
RUN_CONFIG_FILE = "run_config.yaml"
DATA_SUMMARY_FILE = "data_summary.json"
TRAIN_RESULTS_FILE = "train_results.json"
EVAL_RESULTS_FILE = "eval_results.json"
CONFUSION_MATRIX_FILE = "confusion_matrix.png"
LEARNING_CURVE_FILE = "learning_curve.png"
LOG_HISTORY_FILE = "trainer_log_history.json"
CHECKPOINTS_DIR = "checkpoints"
CARD_FILE = "README.md"
RUN_FILES = (
    RUN_CONFIG_FILE,
    DATA_SUMMARY_FILE,
    TRAIN_RESULTS_FILE,
    EVAL_RESULTS_FILE,
    LOG_HISTORY_FILE,
)
"""What khabar writes about a run beside the model (config, data summary, results, log)."""
TOKENIZER_VOCAB_FILES = (
    "tokenizer.json",
    "vocab.txt",
    "vocab.json",
    "spiece.model",
    "sentencepiece.bpe.model",
    "tokenizer.model",
)
TOKENIZER_EXTRA_FILES = (
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "merges.txt",
    "chat_template.jinja",
)
MODEL_FILES = ("config.json", "generation_config.json", "model.safetensors.index.json")
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".ckpt")


DECODING_KEYS = (
    "num_beams",
    "max_new_tokens",
    "min_new_tokens",
    "length_penalty",
    "no_repeat_ngram_size",
    "early_stopping",
)
"""The settings of ``generation_config.json`` that reports and cards state."""

TRUNCATION_RULES: dict[str, str] = {
    "head": "the first max_length tokens of the text (its lead), end-of-sequence token kept",
    "head_tail": "the first and last max_length/2 tokens of the text, joined by ' … '",
}
"""How an input longer than ``max_length`` tokens is cut (training, and seq2seq inference)."""


@dataclass(frozen=True)
class ReadingSettings:
    """How a model reads its input, from the config to the model directory to inference.

    The one carrier of these settings: the run config's ``model`` section fills it
    (:meth:`from_model_config`), ``khabar_config.json`` stores it, evaluation and inference read it
    back and may override any field (:meth:`replace`); every value is checked in :meth:`validate`.
    """

    max_length: int = 256
    """Tokens per input (per window, for classifiers reading long texts in windows)."""
    stride: int = 64
    """Classifiers: overlap in tokens between consecutive windows."""
    max_windows: int = 8
    """Classifiers: at most this many windows per text, spread over the whole text (0 = all)."""
    lead_weight: float = 0.0
    """Classifiers: share of the first window (headline and lead) in a text's aggregate; the rest
    is the mean over all windows. 0 is the plain mean."""
    truncation: str = "head"
    """Training inputs (and seq2seq inputs) longer than ``max_length``: ``head`` or ``head_tail``."""
    max_target_length: int | None = None
    """Seq2seq: tokens kept of each reference summary at training."""

    def validate(
        self, *, windowed: bool = True, positions: int | None = None, prefix: str = "model."
    ) -> ReadingSettings:
        """Check every field; ``ConfigError`` names ``prefix + field`` (``model.stride``, or the
        option name at inference). ``windowed``: also check the window fields (classifiers);
        ``positions``: the model's position limit, when known."""
        from khabar.errors import ConfigError

        def fail(name: str, message: str) -> ConfigError:
            return ConfigError(message, key=f"{prefix}{name}")

        if not isinstance(self.max_length, int) or self.max_length < 8:
            raise fail("max_length", f"must be an integer of at least 8, got {self.max_length!r}")
        if positions is not None and self.max_length > positions:
            raise fail(
                "max_length",
                f"{self.max_length} exceeds the model's {positions} positions; use at most "
                f"{positions}",
            )
        if self.truncation not in TRUNCATION_RULES:
            raise fail(
                "truncation",
                f"must be one of {', '.join(TRUNCATION_RULES)}, got {self.truncation!r}",
            )
        if self.max_target_length is not None and self.max_target_length < 1:
            raise fail("max_target_length", f"must be at least 1, got {self.max_target_length}")
        if not windowed:
            return self
        if not isinstance(self.stride, int) or not 0 <= self.stride <= self.max_length // 2:
            raise fail(
                "stride",
                f"must be >= 0 and at most half of max_length ({self.max_length}), got "
                f"{self.stride!r}",
            )
        if not isinstance(self.max_windows, int) or self.max_windows < 0:
            raise fail("max_windows", f"must be >= 0 (0 = all), got {self.max_windows!r}")
        if not 0.0 <= float(self.lead_weight) <= 1.0:
            raise fail("lead_weight", f"must be between 0 and 1, got {self.lead_weight!r}")
        return self

    def replace(self, **overrides: Any) -> ReadingSettings:
        """A copy with the given fields replaced (``None`` values keep the current ones)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @classmethod
    def from_model_config(cls, model: Any) -> ReadingSettings:
        """The reading settings of a run config's ``model`` section."""
        return cls(**{f.name: getattr(model, f.name) for f in fields(cls)})

    def describe_aggregation(self) -> str:
        """How a classifier turns window logits into one prediction, in words (for the card)."""
        if self.lead_weight <= 0:
            return "the mean of the window logits"
        return (
            f"{self.lead_weight:g} x the first window's logits + {1 - self.lead_weight:g} x the "
            "mean of all windows' logits (the lead is weighted)"
        )


READING_FIELDS = tuple(f.name for f in fields(ReadingSettings))


class ReadsSettings:
    """The reading settings as attributes (``max_length``, ``stride``, ...) of anything that
    holds a :class:`ReadingSettings` as ``reading`` (a model's metadata, a predictor)."""

    reading: ReadingSettings

    @property
    def max_length(self) -> int:
        return self.reading.max_length

    @property
    def stride(self) -> int:
        return self.reading.stride

    @property
    def max_windows(self) -> int:
        return self.reading.max_windows

    @property
    def lead_weight(self) -> float:
        return self.reading.lead_weight

    @property
    def truncation(self) -> str:
        return self.reading.truncation

    @property
    def max_target_length(self) -> int | None:
        return self.reading.max_target_length


@dataclass
class ModelMeta(ReadsSettings):
    """khabar's description of a trained model, saved as ``khabar_config.json``.

    The reading settings are stored flat (``max_length``, ``stride``, ...) beside ``task`` and
    ``labels``, as every khabar version has written them.
    """

    task: str
    labels: list[str] = field(default_factory=list)
    base_model: str | None = None
    """The pretrained checkpoint fine-tuned, or None for a model trained from scratch."""
    reading: ReadingSettings = field(default_factory=ReadingSettings)
    datasets: list[str] = field(default_factory=list)
    base_model_info: dict[str, Any] = field(default_factory=dict)
    """Provenance of the base model (name, source, licence, how it was loaded), when known."""
    khabar_version: str = __version__

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(data.pop("reading"))
        if not data["base_model_info"]:
            del data["base_model_info"]
        return data

    def save(self, directory: str | Path) -> Path:
        return write_json_atomic(Path(directory) / META_FILE, self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelMeta:
        known = {f.name for f in fields(cls)} - {"reading"}
        reading = ReadingSettings(**{k: data[k] for k in READING_FIELDS if k in data})
        return cls(reading=reading, **{k: v for k, v in data.items() if k in known})

    @classmethod
    def load(cls, directory: str | Path) -> ModelMeta:
        path = Path(directory) / META_FILE
        if not path.is_file():
            raise ModelDirError(f"{directory}: no {META_FILE}; not a khabar model directory")
        try:
            data = read_json(path)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ModelDirError(
                f"{path} cannot be read ({err}); the directory is damaged: copy it again"
            ) from None
        if not isinstance(data, dict) or "task" not in data:
            raise ModelDirError(f"{path}: not a khabar model description (no 'task')")
        return cls.from_dict(data)


def find_pickle_weights(directory: str | Path) -> list[Path]:
    """Weight files in pickle formats (unsafe to load from strangers)."""
    root = Path(directory)
    return sorted(
        p
        for p in root.iterdir()
        if p.is_file() and p.suffix in PICKLE_SUFFIXES and p.name != "training_args.bin"
    )


def custom_code_request(directory: str | Path) -> str | None:
    """What in a model directory's ``config.json`` asks to run the directory's own Python code
    (an ``auto_map`` for a ``model_type`` transformers does not know, at any depth), or None.
    khabar never runs it: callers refuse such a directory before ``transformers`` sees it (and
    every load passes ``trust_remote_code=False``)."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

    def find(node: Any, where: str) -> str | None:
        if isinstance(node, dict):
            if node.get("auto_map") and node.get("model_type") not in CONFIG_MAPPING_NAMES:
                return f"{where}auto_map, model_type {node.get('model_type')!r}"
            for key, value in node.items():
                found = find(value, f"{where}{key}.")
                if found:
                    return found
        return None

    try:
        return find(read_json(Path(directory) / "config.json"), "")
    except (OSError, ValueError):
        return None  # a missing or broken config.json is the loader's to report


def check_model_dir(directory: str | Path) -> Path:
    """A model directory that exists and holds safetensors weights and a config that asks for no
    code of its own."""
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise ModelDirError(f"'{root}' is a file, not a model directory")
    if not root.is_dir():
        raise ModelDirError(f"model directory '{root}' does not exist")
    if not (root / "config.json").is_file():
        raise ModelDirError(f"'{root}' has no config.json: not a transformers model directory")
    request = custom_code_request(root)
    if request:
        raise ModelDirError(
            f"'{root}/config.json' asks to run the directory's own Python code ({request}); "
            "khabar never runs code from a model directory: use a model that plain transformers "
            "classes load"
        )
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
    "CARD_FILE",
    "CHECKPOINTS_DIR",
    "CONFUSION_MATRIX_FILE",
    "DATA_SUMMARY_FILE",
    "DECODING_KEYS",
    "EVAL_RESULTS_FILE",
    "LEARNING_CURVE_FILE",
    "META_FILE",
    "MODEL_FILES",
    "READING_FIELDS",
    "RUN_CONFIG_FILE",
    "RUN_FILES",
    "TOKENIZER_EXTRA_FILES",
    "TOKENIZER_VOCAB_FILES",
    "TRAIN_RESULTS_FILE",
    "TRUNCATION_RULES",
    "ModelMeta",
    "ReadingSettings",
    "ReadsSettings",
    "check_model_dir",
    "custom_code_request",
    "find_pickle_weights",
]
