"""Typed run configuration, loaded from one YAML file.

A run is described by one YAML file with the sections ``task``, ``data``, ``text``, ``model``,
``training``, ``evaluation``, ``generation`` (summarisation), ``output`` and ``hub``. It is loaded
into the dataclasses below; every unknown key, wrong type or missing required field is a
:class:`~khabar.errors.ConfigError` naming the file, the dotted key and, for typos, the closest
valid key.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import yaml

from khabar.config_schema import from_mapping, suggest, type_name
from khabar.errors import ConfigError
from khabar.model_dir import ReadingSettings
from khabar.tasks import TASK_NAMES, get_task

Task = Literal["topic", "stance", "summarization"]
TASKS: tuple[str, ...] = TASK_NAMES
ScratchArchitecture = Literal["bert", "modernbert", "t5", "bart"]
DATA_DIR_ENV = "KHABAR_DATA_DIR"
MODELS_DIR_ENV = "KHABAR_MODELS_DIR"
T5_FAMILY_MARKERS = ("t5", "mt5", "arat5", "byt5", "flan-t5", "umt5")


@dataclass
class DataConfig:
    """Where the data is and how its columns map onto the task's canonical columns."""

    files: dict[str, str] = field(default_factory=dict)
    """Split name (``train``, ``dev``, ``test``) → file (JSONL, JSONL.gz, CSV, Parquet).
    Relative paths are resolved against ``dir``."""
    dir: str | None = None
    """Base directory for relative ``files``; defaults to ``$KHABAR_DATA_DIR``, then the CWD."""
    dataset: str | None = None
    """A Hub dataset id, used instead of ``files``."""
    dataset_config: str | None = None
    split_names: dict[str, str] = field(default_factory=dict)
    """Canonical split → name in the hub dataset (e.g. ``dev: validation``)."""
    columns: dict[str, str] = field(default_factory=dict)
    """Canonical column → column in the files, e.g. ``summary: title``."""
    label_map: dict[str, str] = field(default_factory=dict)
    """Many-to-one label renaming, e.g. ``internationalNews: politics``."""
    labels: list[str] | None = None
    """Explicit label order (default: sorted labels of the training split)."""
    prepend_title: bool = False
    """Topic: put ``title`` before the article text."""
    on_error: Literal["error", "skip"] = "error"
    """Malformed rows: stop with an error naming file/line/field, or skip them and count."""
    drop_duplicates: bool = True
    remove_leakage: bool = False
    """Drop training rows whose text also appears in dev/test (always reported)."""
    max_samples: dict[str, int] = field(default_factory=dict)
    """Cap per split (after shuffling with the seed), for quick runs."""


@dataclass
class ScratchConfig:
    """A small model initialised from scratch, with a tokenizer trained on the training split."""

    architecture: ScratchArchitecture | None = None
    """Model family. Classifiers: ``bert`` (CLS pooling, the default) or ``modernbert`` (RoPE,
    GeGLU, and ``pooling``). Summarisers: ``t5`` (relative positions, the default) or ``bart``
    (learned absolute positions in encoder and decoder, post-norm; learns to copy from the
    article much sooner when trained from scratch)."""
    pooling: Literal["cls", "mean"] = "cls"
    """How a ``modernbert`` classifier pools tokens; mean pooling learns faster from scratch."""
    layers: int = 4
    hidden: int = 256
    heads: int = 4
    intermediate: int = 1024
    max_positions: int = 512
    vocab_size: int = 16000
    min_frequency: int = 2
    decoder_layers: int | None = None
    """Seq2seq only (defaults to ``layers``)."""
    dropout: float = 0.1
    tokenizer_samples: int | None = 20000
    """How many training texts the tokenizer is trained on (None: all)."""


@dataclass
class EncoderDecoderConfig:
    """An encoder-decoder warm-started from an encoder checkpoint (BERT2BERT, Rothe et al. 2020):
    the encoder and the decoder both start from ``model.checkpoint``; the decoder's
    cross-attention is new. The tokenizer is the checkpoint's."""

    decoder_layers: int | None = None
    """Decoder depth: the checkpoint's first N layers (default: all of them). A shallower decoder
    trains and generates faster; headlines are short."""
    share_weights: bool = False
    """Share the weights of the encoder and the decoder (BERT2BERT-share): the decoder's layers
    are the encoder's first layers, only cross-attention and the output head are its own. About
    half the trainable parameters; the saved model holds a copy for each side, so that it loads
    with plain ``transformers``."""
    tie_embeddings: bool = True
    """Tie the decoder's output projection to its input word embeddings; untied, the output
    projection starts as a copy of the pretrained embeddings."""
    cross_attention_init: Literal["random", "self_attention"] = "random"
    """How the new cross-attention starts: ``random`` (Rothe et al.; transformers' initialiser)
    or ``self_attention``, a copy of the same layer's pretrained self-attention (query, key,
    value, output and its LayerNorm). Encoder and decoder states live in one space when both
    halves start from one checkpoint, so the copied attention already matches a decoder token
    with the source tokens that resemble it, instead of attending uniformly."""


@dataclass
class ModelConfig:
    """Either a pretrained ``checkpoint`` (hub id or local directory) or a ``scratch`` model."""

    checkpoint: str | None = None
    scratch: ScratchConfig | None = None
    encoder_decoder: EncoderDecoderConfig | None = None
    """Summarisation: warm-start an encoder-decoder from ``checkpoint``, an encoder (BERT,
    RoBERTa, XLM-R, ELECTRA, ...), with these settings."""
    max_length: int = 256
    """Tokens per input (per window for long classification inputs)."""
    stride: int = 64
    """Overlap between consecutive windows when a long text is read in windows."""
    truncation: Literal["head", "head_tail"] = "head"
    """How training inputs longer than ``max_length`` are cut (``train_windows: 1``)."""
    train_windows: int = 1
    """Classifiers: training rows per text. 1: the text cut to ``max_length`` (``truncation``).
    N > 1: up to N of its windows, spread over it as evaluation picks them, each a row with the
    text's label (0: every window); no step costs more, an epoch has more."""
    train_aggregate: bool = False
    """With ``train_windows`` ≠ 1: the loss on each text's aggregated window logits, as evaluation
    reads them, not on every window (multiple-instance learning); the batch size counts texts."""
    max_windows: int = 8
    """At most this many windows per text at evaluation/inference (0 = all)."""
    lead_weight: float = 0.0
    """Share of the first window (headline and lead) when window logits are aggregated."""
    class_weights: str | dict[str, float] | None = None
    """``balanced`` or an explicit ``label: weight`` map for the loss."""
    pooling: Literal["cls", "mean"] = "cls"
    """A checkpoint classifier's head pools the first token or the masked mean of the last layer
    (E5's convention), computed by a fixed extra layer (:mod:`khabar.modeling.pooling`)."""
    max_target_length: int = 64
    """Summarisation: tokens kept of each reference summary."""
    revision: str | None = None
    freeze_embeddings: bool = False
    """Keep the pretrained embeddings fixed (a third of a small multilingual encoder's weights):
    no gradient, optimiser state or update for them, less time per step on a CPU."""
    freeze_layers: int = 0
    """Keep the lowest N encoder layers fixed as well (0: train every layer)."""
    config_overrides: dict[str, Any] = field(default_factory=dict)
    """Values set on the checkpoint's ``config.json`` before its weights load (as the
    ``transformers`` examples' ``--config_overrides``), e.g. ``{attention_probs_dropout_prob: 0.0}``
    (PyTorch's fused attention then runs in training too, 2-3x faster on a CPU at 256 tokens). An
    unknown key is an error; an encoder-decoder warm start applies them to both halves."""


@dataclass
class GenerationSettings:
    """Decoding settings for summarisation (the ``generation`` section); saved as the model's
    ``generation_config.json`` (a :class:`transformers.GenerationConfig`)."""

    num_beams: int = 4
    max_new_tokens: int = 48
    min_new_tokens: int | None = None
    length_penalty: float = 1.0
    no_repeat_ngram_size: int = 3
    early_stopping: bool = True


@dataclass
class EvaluationConfig:
    splits: list[str] = field(default_factory=lambda: ["dev", "test"])
    metric: str = "macro_f1"
    """Metric that selects the best checkpoint (``macro_f1``, ``accuracy``, ``rougeL``, ...)."""
    baseline: bool = True
    """Score a simple baseline (TF-IDF + logistic regression, or lead-k) on the same splits."""
    lead_k: int = 1
    lead_unit: Literal["sentences", "words"] = "sentences"
    extra: dict[str, str] = field(default_factory=dict)
    """Other evaluation sets, name → file (e.g. an out-of-domain set)."""
    max_samples: int | None = None
    batch_size: int = 32


@dataclass
class OutputConfig:
    dir: str = "outputs/run"
    overwrite: bool = False
    save_checkpoints: bool = True


@dataclass
class HubConfig:
    repo_id: str | None = None
    private: bool = False
    license: str | None = None
    model_name: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class RunConfig:
    """Everything one run needs. Load with :func:`load_config`."""

    task: Task
    data: DataConfig
    model: ModelConfig = field(default_factory=ModelConfig)
    text: dict[str, Any] = field(default_factory=dict)
    """Preprocessing (:class:`khabar.text.TextPreprocessor` settings: ``clean``, ``normalizer``)."""
    training: dict[str, Any] = field(default_factory=dict)
    """Passed through to ``TrainingArguments`` (checked against its parameters), plus khabar's
    own keys: ``early_stopping_patience``, ``max_train_minutes`` (a wall-time budget) and
    ``average_weights_from_epoch`` (weight averaging from that epoch on, kept if better on dev;
    see :mod:`khabar.training.averaging`) and ``schedule_to_time_budget`` (the learning-rate
    schedule ends where ``max_train_minutes`` does; see
    :class:`khabar.training.common.TimeBudgetCallback`)."""
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    output: OutputConfig = field(default_factory=OutputConfig)
    hub: HubConfig = field(default_factory=HubConfig)
    seed: int = 42
    name: str | None = None
    description: str | None = None
    source_file: str | None = field(default=None, metadata={"internal": True})

    # ------------------------------------------------------------------ helpers
    @property
    def is_seq2seq(self) -> bool:
        return get_task(self.task).is_seq2seq

    @property
    def reading(self) -> ReadingSettings:
        """How the model reads its input (validated in :func:`validate`)."""
        return ReadingSettings.from_model_config(self.model)

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration as plain data (what is saved beside the model)."""
        data = dataclasses.asdict(self)
        data.pop("source_file", None)
        return data

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)

    def data_dir(self) -> Path | None:
        """Base directory for relative data files: ``data.dir``, then ``$KHABAR_DATA_DIR``."""
        raw = self.data.dir or os.environ.get(DATA_DIR_ENV)
        return Path(os.path.expandvars(os.path.expanduser(raw))) if raw else None

    def resolve_data_file(self, path: str) -> Path:
        """Resolve a data file path from the config against the data directory."""
        p = Path(os.path.expandvars(os.path.expanduser(path)))
        if p.is_absolute():
            return p
        base = self.data_dir()
        return (base / p) if base is not None else p


# ---------------------------------------------------------------------- loading


def _training_argument_types(seq2seq: bool) -> dict[str, Any]:
    """Parameter → type of ``(Seq2Seq)TrainingArguments``, and of khabar's own ``training`` keys."""
    from transformers import Seq2SeqTrainingArguments, TrainingArguments

    cls = Seq2SeqTrainingArguments if seq2seq else TrainingArguments
    hints = typing.get_type_hints(cls)
    found = {f.name: hints.get(f.name, f.type) for f in dataclasses.fields(cls) if f.init}
    return {
        **found,
        "early_stopping_patience": int,
        "max_train_minutes": float,
        "average_weights_from_epoch": float,
        "schedule_to_time_budget": bool,
    }


KHABAR_TRAINING_KEYS = {
    "early_stopping_patience",
    "max_train_minutes",
    "average_weights_from_epoch",
    "schedule_to_time_budget",
}
"""Keys of ``training`` that khabar handles itself rather than passing to ``TrainingArguments``."""

POSITIVE_TRAINING_KEYS = (
    "per_device_train_batch_size",
    "per_device_eval_batch_size",
    "gradient_accumulation_steps",
)
"""``TrainingArguments`` counts that must be at least 1 (transformers fails on 0 only later,
inside training)."""


def validate(config: RunConfig) -> RunConfig:
    """Cross-field checks that the dataclass types alone cannot express."""
    file = config.source_file
    if config.task not in TASKS:
        raise ConfigError(f"task must be one of {TASKS}", file=file, key="task")
    spec = get_task(config.task)
    model = config.model
    if (model.checkpoint is None) == (model.scratch is None):
        raise ConfigError(
            "set exactly one of model.checkpoint (a hub id or local directory) and model.scratch "
            "(a small model trained from scratch, the offline default)",
            file=file,
            key="model",
        )
    try:
        # windows (stride, max_windows, lead weight) are a classifier setting; summarisers read
        # the head (or head and tail) of the input
        config.reading.validate(windowed=not spec.is_seq2seq)
    except ConfigError as err:
        raise ConfigError(err.message, file=file, key=err.key) from None
    if model.freeze_layers < 0:
        raise ConfigError("must be >= 0", file=file, key="model.freeze_layers")
    if model.train_windows < 0:
        raise ConfigError("must be >= 0 (0 = every window)", file=file, key="model.train_windows")
    if model.train_windows != 1 and (spec.is_seq2seq or model.truncation != "head"):
        raise ConfigError(
            "windows are read in training by classifiers that cut at the head (truncation: "
            "head); leave train_windows at 1",
            file=file,
            key="model.train_windows",
        )
    if model.pooling == "mean" and (model.checkpoint is None or spec.is_seq2seq):
        msg = "applies to a checkpoint classifier (a scratch classifier: model.scratch.pooling)"
        raise ConfigError(msg, file=file, key="model.pooling")
    if model.train_aggregate and model.train_windows == 1:
        msg = "needs the windows to aggregate: set model.train_windows to N > 1 (or 0 for all)"
        raise ConfigError(msg, file=file, key="model.train_aggregate")
    if (model.freeze_embeddings or model.freeze_layers) and model.checkpoint is None:
        raise ConfigError(
            "freezing applies to a pretrained model.checkpoint, not a model trained from scratch",
            file=file,
            key="model.freeze_embeddings" if model.freeze_embeddings else "model.freeze_layers",
        )
    if model.config_overrides and model.checkpoint is None:
        raise ConfigError(
            "applies to a pretrained model.checkpoint; a scratch model sets its own sizes and "
            "dropout under model.scratch",
            file=file,
            key="model.config_overrides",
        )
    if isinstance(model.class_weights, str) and model.class_weights != "balanced":
        raise ConfigError(
            "must be 'balanced' or a mapping label: weight", file=file, key="model.class_weights"
        )
    if model.scratch is not None:
        families = spec.scratch_architectures
        if model.scratch.architecture is None:
            model.scratch.architecture = families[0]  # type: ignore[assignment]
        elif model.scratch.architecture not in families:
            raise ConfigError(
                f"'{model.scratch.architecture}' is not a from-scratch {spec.kind} model; use one of "
                f"{', '.join(families)}",
                file=file,
                key="model.scratch.architecture",
            )
    if model.scratch is not None and model.scratch.hidden % model.scratch.heads:
        raise ConfigError(
            f"hidden ({model.scratch.hidden}) must be divisible by heads ({model.scratch.heads})",
            file=file,
            key="model.scratch.hidden",
        )
    if model.encoder_decoder is not None:
        if not config.is_seq2seq:
            raise ConfigError(
                "warm-starting an encoder-decoder is a summarisation setting; remove it for "
                f"task {config.task}",
                file=file,
                key="model.encoder_decoder",
            )
        if model.checkpoint is None:
            raise ConfigError(
                "needs model.checkpoint: the encoder checkpoint (e.g. a BERT) that both halves "
                "start from",
                file=file,
                key="model.encoder_decoder",
            )
        layers = model.encoder_decoder.decoder_layers
        if layers is not None and layers < 1:
            raise ConfigError(
                f"must be at least 1 (or null: all the checkpoint's layers), got {layers}",
                file=file,
                key="model.encoder_decoder.decoder_layers",
            )
    data = config.data
    if not data.files and not data.dataset:
        raise ConfigError(
            "give data.files (split: path) or data.dataset (a hub id)", file=file, key="data"
        )
    for split in data.files:
        if split not in ("train", "dev", "test"):
            raise ConfigError(
                f"split names are train, dev and test{suggest(split, ['train', 'dev', 'test'])}",
                file=file,
                key=f"data.files.{split}",
            )
    _check_evaluation(config)
    valid_args = set(_training_argument_types(config.is_seq2seq))
    for key in config.training:
        if key not in valid_args:
            raise ConfigError(
                f"not a TrainingArguments parameter{suggest(key, sorted(valid_args))}",
                file=file,
                key=f"training.{key}",
            )
    if "output_dir" in config.training:
        raise ConfigError("set output.dir instead", file=file, key="training.output_dir")
    _check_training_values(config)
    if config.is_seq2seq and config.training.get("fp16") and is_t5_family(model.checkpoint):
        raise ConfigError(
            "T5-family models (T5, mT5, AraT5) overflow in float16 and train to NaN losses; "
            "use bf16: true on hardware that supports it, or fp32 (remove fp16)",
            file=file,
            key="training.fp16",
        )
    if config.is_seq2seq and config.model.class_weights is not None:
        raise ConfigError(
            "class weights apply to classification only", file=file, key="model.class_weights"
        )
    if config.text:
        from khabar.text import TextPreprocessor

        try:
            TextPreprocessor.from_dict(config.text)
        except (ValueError, TypeError) as err:
            raise ConfigError(str(err), file=file, key="text") from None
    return config


def _training_value_problem(value: Any, tp: Any) -> str | None:
    """Why ``value`` does not fit the ``TrainingArguments`` field type ``tp`` (None: it fits)."""
    import enum

    args = get_args(tp) if get_origin(tp) in (Union, types.UnionType) else (tp,)
    for enum_type in (a for a in args if isinstance(a, type) and issubclass(a, enum.Enum)):
        allowed = [m.value for m in enum_type]  # eval_strategy: IntervalStrategy | str, ...
        if isinstance(value, bool):
            return f"got {value}: YAML reads unquoted no/yes/off/on as booleans; quote it: '{allowed[0]}'"
        return None if value in allowed else f"must be one of {allowed}, got {value!r}"
    none = type(None)
    kinds = {bool: (bool,), int: (int,), float: (int, float), str: (str,), none: (none,)}
    simple = [a for a in args if a in kinds]
    if len(simple) < len(args) or any(type(value) in kinds[a] for a in simple):
        return None  # fits, or a type khabar does not check (mappings, paths, objects)
    return f"expected {' or '.join(type_name(a) for a in simple)}, got {value!r}"


def _check_evaluation(config: RunConfig) -> None:
    """``evaluation.metric`` is one the task computes; ``evaluation.splits`` are split names (a
    typo would otherwise evaluate nothing, silently)."""
    spec, evaluation, file = get_task(config.task), config.evaluation, config.source_file
    allowed = (*spec.metrics, "loss")
    # a summariser's config that does not set the metric keeps the classifiers' default
    if evaluation.metric not in allowed and not (
        spec.is_seq2seq and evaluation.metric == "macro_f1"
    ):
        raise ConfigError(
            f"'{evaluation.metric}' is not a {config.task} metric; use one of {', '.join(allowed)}",
            file=file,
            key="evaluation.metric",
        )
    for split in evaluation.splits:
        # the default [dev, test] skips a split the data does not have; a name that is no
        # split at all is a typo that would evaluate nothing
        if split not in ("train", "dev", "test"):
            raise ConfigError(
                f"'{split}' is not a split name; use train, dev or test"
                f"{suggest(split, ['train', 'dev', 'test'])}",
                file=file,
                key="evaluation.splits",
            )
    if evaluation.batch_size < 1:
        raise ConfigError(
            f"must be at least 1, got {evaluation.batch_size}",
            file=file,
            key="evaluation.batch_size",
        )


def _check_training_values(config: RunConfig) -> None:
    """``training.*`` against the field types of ``(Seq2Seq)TrainingArguments``; a number that
    YAML 1.1 left a string (``5e-5``) becomes a number; early stopping needs evaluation."""
    types_, training = _training_argument_types(config.is_seq2seq), config.training
    for key, value in training.items():
        if types_.get(key) is float and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = training[key] = float(value)
        if key == "bf16" and value == "auto":  # khabar's: bf16 autocast where it is fast
            continue
        problem = _training_value_problem(value, types_[key]) if key in types_ else None
        if problem and key == "bf16":
            problem = f"use true, false or auto (bf16 autocast where it is fast), got {value!r}"
        if (
            problem is None
            and key in (*KHABAR_TRAINING_KEYS, *POSITIVE_TRAINING_KEYS)
            and type(value) is not bool
            and value <= 0
        ):
            problem = f"must be greater than 0, got {value!r}"
        if problem:
            raise ConfigError(problem, file=config.source_file, key=f"training.{key}")
    for key in ("early_stopping_patience", "average_weights_from_epoch"):
        if training.get(key) and training.get("eval_strategy") == "no":
            why = (
                "needs evaluation during training: set training.eval_strategy to 'epoch' or 'steps'"
            )
            raise ConfigError(why, file=config.source_file, key=f"training.{key}")
    if training.get("schedule_to_time_budget") and not training.get("max_train_minutes"):
        why = "needs a time budget to schedule to: set training.max_train_minutes"
        raise ConfigError(why, file=config.source_file, key="training.schedule_to_time_budget")
    if training.get("schedule_to_time_budget") and (
        training.get("lr_scheduler_type") == "reduce_lr_on_plateau"
    ):
        why = "reduce_lr_on_plateau follows the dev metric, not steps: it cannot run to a budget"
        raise ConfigError(why, file=config.source_file, key="training.schedule_to_time_budget")


GenerationConfig = GenerationSettings
"""Former name of :class:`GenerationSettings` (it shadowed ``transformers.GenerationConfig``)."""


def is_t5_family(checkpoint: str | None) -> bool:
    """Whether a checkpoint name looks like a T5-family model (fp16-unsafe)."""
    if checkpoint is None:
        return False
    name = checkpoint.lower().rsplit("/", 1)[-1]
    return any(m in name for m in T5_FAMILY_MARKERS)


def config_from_dict(data: Mapping[str, Any], *, file: str | Path | None = None) -> RunConfig:
    """Build and validate a :class:`RunConfig` from plain data."""
    file_str = str(file) if file is not None else None
    if not isinstance(data, Mapping):
        raise ConfigError("the top level must be a mapping of sections", file=file_str)
    config = from_mapping(RunConfig, data, file=file_str)
    config.source_file = file_str
    return validate(config)


def parse_override(override: str) -> tuple[list[str], Any]:
    """Parse ``dotted.key=value`` (value read as YAML) into its key path and value."""
    if "=" not in override:
        raise ConfigError(f"override {override!r} must look like dotted.key=value")
    key, raw = override.split("=", 1)
    if not key.strip():
        raise ConfigError(f"override {override!r} has an empty key")
    return key.strip().split("."), yaml.safe_load(raw) if raw.strip() else None


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``dotted.key=value`` overrides to raw config data (in place, and returned)."""
    for override in overrides:
        path, value = parse_override(override)
        node = data
        for part in path[:-1]:
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                raise ConfigError(f"override {override!r}: '{part}' is not a section")
            node = child
        node[path[-1]] = value
    return data


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> RunConfig:
    """Load, override and validate a YAML run configuration."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(
            "is a directory; give a YAML config file (e.g. configs/topic/*.yaml)", file=path
        )
    if not path.is_file():
        raise ConfigError("file not found", file=path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"invalid YAML{where}: {getattr(err, 'problem', err)}", file=path
        ) from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"not UTF-8 text ({err.reason})", file=path) from None
    if raw is None:
        raise ConfigError("the file is empty", file=path)
    if not isinstance(raw, dict):
        raise ConfigError("the top level must be a mapping of sections", file=path)
    return config_from_dict(apply_overrides(raw, overrides), file=path)


__all__ = [
    "DATA_DIR_ENV",
    "MODELS_DIR_ENV",
    "DataConfig",
    "EncoderDecoderConfig",
    "EvaluationConfig",
    "GenerationConfig",
    "GenerationSettings",
    "HubConfig",
    "ModelConfig",
    "OutputConfig",
    "RunConfig",
    "ScratchConfig",
    "apply_overrides",
    "config_from_dict",
    "is_t5_family",
    "load_config",
    "validate",
]
