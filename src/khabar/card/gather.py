"""Gather what a card states from the model directory's own files (:class:`ModelCardInfo`)."""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from khabar._logging import get_logger
from khabar.data.datasets_info import DatasetInfo, find_dataset, hub_license_for
from khabar.errors import ModelDirError
from khabar.model_dir import (
    DATA_SUMMARY_FILE,
    EVAL_RESULTS_FILE,
    RUN_CONFIG_FILE,
    TRAIN_RESULTS_FILE,
    ModelMeta,
)
from khabar.modeling.pooling import MEAN_POOLING_KEY
from khabar.tasks import TaskSpec, get_task

if TYPE_CHECKING:
    pass


logger = get_logger(__name__)

TEMPLATE_PACKAGE_DIR = "templates"
NO_EVAL_SENTENCE = "This model has no evaluation results"
"""Said plainly by every card of a model without ``eval_results.json`` results."""
SCRATCH_SENTENCE = "trained from scratch"


CLASSIFICATION_METRICS: tuple[tuple[str, str, str, dict[str, str] | None], ...] = (
    # (key in eval_results.json, model-index metric type, pretty name, metric args)
    ("accuracy", "accuracy", "Accuracy", None),
    ("macro_f1", "f1", "Macro F1", {"average": "macro"}),
    ("weighted_f1", "f1", "Weighted F1", {"average": "weighted"}),
)
ROUGE_METRICS: tuple[tuple[str, str], ...] = (
    ("rouge1", "ROUGE-1"),
    ("rouge2", "ROUGE-2"),
    ("rougeL", "ROUGE-L"),
    ("rougeLsum", "ROUGE-Lsum"),
)

HUB_LICENSES = frozenset(
    [
        "apache-2.0",
        "mit",
        "openrail",
        "bigscience-openrail-m",
        "creativeml-openrail-m",
        "bigscience-bloom-rail-1.0",
        "bigcode-openrail-m",
        "afl-3.0",
        "artistic-2.0",
        "bsl-1.0",
        "bsd",
        "bsd-2-clause",
        "bsd-3-clause",
        "bsd-3-clause-clear",
        "c-uda",
        "cc",
        "cc0-1.0",
        "cc-by-2.0",
        "cc-by-2.5",
        "cc-by-3.0",
        "cc-by-4.0",
        "cc-by-sa-3.0",
        "cc-by-sa-4.0",
        "cc-by-nc-2.0",
        "cc-by-nc-3.0",
        "cc-by-nc-4.0",
        "cc-by-nd-4.0",
        "cc-by-nc-nd-3.0",
        "cc-by-nc-nd-4.0",
        "cc-by-nc-sa-2.0",
        "cc-by-nc-sa-3.0",
        "cc-by-nc-sa-4.0",
        "cdla-sharing-1.0",
        "cdla-permissive-1.0",
        "cdla-permissive-2.0",
        "wtfpl",
        "ecl-2.0",
        "epl-1.0",
        "epl-2.0",
        "etalab-2.0",
        "eupl-1.1",
        "eupl-1.2",
        "agpl-3.0",
        "gfdl",
        "gpl",
        "gpl-2.0",
        "gpl-3.0",
        "lgpl",
        "lgpl-2.1",
        "lgpl-3.0",
        "isc",
        "h-research",
        "intel-research",
        "lppl-1.3c",
        "ms-pl",
        "apple-ascl",
        "apple-amlr",
        "mpl-2.0",
        "odc-by",
        "odbl",
        "openrail++",
        "osl-3.0",
        "postgresql",
        "ofl-1.1",
        "ncsa",
        "unlicense",
        "zlib",
        "pddl",
        "lgpl-lr",
        "deepfloyd-if-license",
        "llama2",
        "llama3",
        "llama3.1",
        "llama3.2",
        "llama3.3",
        "llama4",
        "gemma",
        "unknown",
        "other",
    ]
)
"""Licence ids the Hub accepts in ``license:`` (``other`` needs a ``license_name``)."""


class CardError(ModelDirError):
    """A model card is invalid (metadata, required fields, or numbers that disagree with files)."""

    def __init__(self, problems: Sequence[str], *, source: str | None = None):
        self.problems = list(problems)
        where = f"{source}: " if source else ""
        listed = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{where}model card failed validation:\n{listed}")


# ------------------------------------------------------------------------------ gathering


def _read_json(path: Path, problems: list[str]) -> Any:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        problems.append(f"{path.name} could not be read: {err}")
        return None


def _read_yaml(path: Path, problems: list[str]) -> Any:
    if not path.is_file():
        return None
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        problems.append(f"{path.name} could not be read: {err}")
        return None


def as_mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def count_parameters(model_dir: Path) -> int | None:
    """Parameters stored in the directory's safetensors files, read from their headers only."""
    files = sorted(model_dir.glob("*.safetensors"))
    if not files:
        return None
    total = 0
    try:
        for file in files:
            with open(file, "rb") as handle:
                (length,) = struct.unpack("<Q", handle.read(8))
                header = json.loads(handle.read(length))
            for name, entry in header.items():
                if name == "__metadata__":
                    continue
                n = 1
                for dim in entry.get("shape", []):
                    n *= int(dim)
                total += n
    except (OSError, ValueError, struct.error) as err:
        logger.warning("cannot count parameters in %s: %s", model_dir, err)
        return None
    return total


def derived_id(derived: tuple[str, str | None] | None) -> str | None:
    return derived[0] if derived else None


@dataclass
class ModelCardInfo:
    """Everything a card says, gathered from one model directory's files."""

    model_dir: Path
    meta: ModelMeta
    repo_id: str | None = None
    default_name: str | None = None
    run_config: dict[str, Any] = field(default_factory=dict)
    model_config: dict[str, Any] = field(default_factory=dict)
    generation_config: dict[str, Any] = field(default_factory=dict)
    data_summary: dict[str, Any] = field(default_factory=dict)
    train_results: dict[str, Any] = field(default_factory=dict)
    eval_results: dict[str, Any] = field(default_factory=dict)
    preprocessing: list[str] = field(default_factory=list)
    has_preprocessing_file: bool = False
    datasets: list[DatasetInfo] = field(default_factory=list)
    """Known data sets the model was trained on."""
    unknown_datasets: list[str] = field(default_factory=list)
    """Training data the registry does not know (described from the data summary only)."""
    n_parameters: int | None = None
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Files that exist but could not be read (the card says so; publishing refuses)."""

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_model_dir(
        cls, model_dir: str | Path, *, repo_id: str | None = None, default_name: str | None = None
    ) -> ModelCardInfo:
        """Read the model directory's files; missing files leave their part of the card empty.

        ``default_name`` names the model when neither ``hub.model_name``, ``repo_id`` nor the
        run's ``name`` does (default: the directory's name).
        """
        from khabar.text import TextPreprocessor
        from khabar.text.preprocess import PREPROCESSING_FILE

        root = Path(model_dir)
        meta = ModelMeta.load(root)
        problems: list[str] = []
        run_config = as_mapping(_read_yaml(root / RUN_CONFIG_FILE, problems))
        info = cls(
            model_dir=root,
            meta=meta,
            repo_id=repo_id,
            default_name=default_name,
            run_config=run_config,
            model_config=as_mapping(_read_json(root / "config.json", problems)),
            generation_config=as_mapping(_read_json(root / "generation_config.json", problems)),
            data_summary=as_mapping(_read_json(root / DATA_SUMMARY_FILE, problems)),
            train_results=as_mapping(_read_json(root / TRAIN_RESULTS_FILE, problems)),
            eval_results=as_mapping(_read_json(root / EVAL_RESULTS_FILE, problems)),
            problems=problems,
            files=sorted(p.name for p in root.iterdir() if p.is_file()),
        )
        info.has_preprocessing_file = (root / PREPROCESSING_FILE).is_file()
        if info.has_preprocessing_file:
            try:
                info.preprocessing = TextPreprocessor.from_pretrained(root).describe()
            except Exception as err:  # a broken file is reported, not fatal for the card
                problems.append(f"{PREPROCESSING_FILE} could not be read: {err}")
        info.n_parameters = count_parameters(root)
        refs: list[str] = list(meta.datasets)
        data_cfg = as_mapping(run_config.get("data"))
        if data_cfg.get("dataset"):
            refs.append(str(data_cfg["dataset"]))
        refs += [str(f) for f in as_mapping(data_cfg.get("files")).values()]
        refs += [
            str(s.get("source"))
            for s in as_mapping(info.data_summary.get("splits")).values()
            if isinstance(s, Mapping) and s.get("source")
        ]
        for ref in refs:
            known = find_dataset(ref)
            if known is not None and known not in info.datasets:
                info.datasets.append(known)
        if not info.datasets:
            # khabar's own short names only (never local file paths)
            names = [
                *meta.datasets,
                *([str(data_cfg["dataset"])] if data_cfg.get("dataset") else []),
            ]
            info.unknown_datasets = list(dict.fromkeys(names))
        return info

    # ------------------------------------------------------------------ basic facts
    @property
    def task(self) -> str:
        return self.meta.task

    @property
    def spec(self) -> TaskSpec:
        """The task's registry entry."""
        return get_task(self.meta.task)

    @property
    def is_summarizer(self) -> bool:
        return self.spec.is_seq2seq

    @property
    def pipeline_tag(self) -> str:
        return self.spec.pipeline_tag

    @property
    def base_model_id(self) -> str | None:
        """The published base model (Hub id) for the metadata and links: the known model's id
        when the checkpoint was a local copy (``multilingual-e5-small-ar`` →
        ``intfloat/multilingual-e5-small``), else the checkpoint when it is a Hub id."""
        known = self.meta.base_model_info.get("name")
        if isinstance(known, str) and known:
            return known
        base = self.meta.base_model
        if base and base.count("/") == 1 and not base.startswith((".", "/", "~")):
            return base
        return None

    @property
    def base_model_note(self) -> str | None:
        """Where the fine-tuned copy came from, its licence and its pooling convention."""
        info = self.meta.base_model_info
        parts = []
        if self.meta.base_model and self.meta.base_model != self.base_model_id:
            parts.append(f"Fine-tuned from the local checkpoint `{self.meta.base_model}`")
        if info.get("provenance"):
            parts.append(f"this copy is {info['provenance']}")
        if info.get("licence"):
            parts.append(f"base model licence: `{info['licence']}`")
        if self.model_config.get(MEAN_POOLING_KEY) is not None:  # also when trained on from one
            parts.append(
                "the head pools the mean of the last layer's token states (a fixed averaging "
                "layer appended to the encoder, so the model loads as its plain class)"
            )
        if not parts:
            return None
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."

    @property
    def hub(self) -> dict[str, Any]:
        return as_mapping(self.run_config.get("hub"))

    @property
    def data_config(self) -> dict[str, Any]:
        return as_mapping(self.run_config.get("data"))

    @property
    def model_name(self) -> str:
        candidates = (
            self.hub.get("model_name"),
            self.repo_id,
            self.run_config.get("name"),
            self.default_name,
        )
        for candidate in candidates:
            if isinstance(candidate, str) and candidate.strip():
                return candidate.strip().rsplit("/", 1)[-1]
        return self.model_dir.resolve().name

    @property
    def target_kind(self) -> str:
        """Summarisation: ``headline`` when every known training set's reference is a headline."""
        kinds = {d.target for d in self.datasets if d.target}
        return "headline" if kinds == {"headline"} else "summary"

    @property
    def task_words(self) -> str:
        if self.is_summarizer:
            return "headline generation" if self.target_kind == "headline" else "summarisation"
        return self.spec.description

    @property
    def splits(self) -> dict[str, dict[str, Any]]:
        """Evaluated splits with their results (empty when there are none)."""
        raw = as_mapping(self.eval_results.get("splits"))
        return {
            str(k): dict(v)
            for k, v in raw.items()
            if isinstance(v, Mapping) and isinstance(v.get("model"), Mapping)
        }

    @property
    def has_eval(self) -> bool:
        return bool(self.splits)

    @property
    def baseline_name(self) -> str | None:
        base = self.eval_results.get("baseline")
        if isinstance(base, Mapping) and base.get("name"):
            return str(base["name"])
        return None

    @property
    def dataset_label(self) -> str:
        if self.datasets:
            return ", ".join(d.name for d in self.datasets)
        return ", ".join(f"`{u}`" for u in self.unknown_datasets) or "data not recorded"

    @property
    def dataset_ids(self) -> list[str]:
        """Values for the ``datasets`` metadata: Hub dataset ids only.

        The Hub links every entry to ``huggingface.co/datasets/<entry>``, so a khabar name such as
        ``topic/ant`` or a local folder would point at a page that is not the data (or is someone
        else's). Only the registry's known Hub ids and a run's ``data.dataset`` (a Hub id by
        definition) qualify; the card's text names every data set either way.
        """
        ids = [d.hub_id for d in self.datasets if d.hub_id]
        hub_dataset = as_mapping(self.run_config.get("data")).get("dataset")
        if hub_dataset:
            ids.append(str(hub_dataset))
        return list(dict.fromkeys(ids))

    # ------------------------------------------------------------------ licence
    def license(self) -> tuple[str | None, str | None, str | None]:
        """(Hub licence id, licence_name for ``other``, explanation for the card)."""
        configured = self.hub.get("license")
        derived = hub_license_for(self.datasets)
        if isinstance(configured, str) and configured.strip():
            lic = configured.strip()
            note = None
            restricted = [d for d in self.datasets if d.restriction]
            if restricted and lic != derived_id(derived):
                note = (
                    f"The licence `{lic}` was set in the run configuration (`hub.license`). The "
                    "training data carries its own terms, which also bind uses of this model: "
                    + "; ".join(f"{d.name}: {d.licence}" for d in restricted)
                    + "."
                )
            return lic, ("custom" if lic == "other" else None), note
        if derived is None:
            return (
                "unknown",
                None,
                "No licence was set (`hub.license` in the run configuration is empty) and the "
                "training data is not one khabar knows, so the licence is unknown.",
            )
        lic, why = derived
        if lic == "other":
            name = (
                "research-use-only"
                if all(d.restriction == "research-only" for d in self.datasets)
                else "mixed-data-licences"
            )
            return (
                lic,
                name,
                f"No licence was set in the run configuration; it follows from the training data: "
                f"{why}. Use this model for research only, under the terms of the data.",
            )
        return (
            lic,
            None,
            "No licence was set in the run configuration; it follows from the training data ("
            + "; ".join(f"{d.name}: {d.licence}" for d in self.datasets)
            + (f"; {why}" if why else "")
            + ").",
        )
