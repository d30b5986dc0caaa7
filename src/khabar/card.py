"""Model cards rendered from a model directory's own files, with Hub-valid metadata.

Everything a card states comes from the model directory: ``khabar_config.json`` (task, labels,
base model, how long inputs are read), ``run_config.yaml`` (name, description, data settings,
hyper-parameters, hub settings), ``data_summary.json`` (rows, labels, lengths, what was dropped),
``train_results.json`` (time, hardware, memory), ``eval_results.json`` (model and baseline scores
per split), ``khabar_preprocessing.json`` (the text preprocessing, in words) and ``config.json`` /
``generation_config.json``. Known data sets are described from :mod:`khabar.datasets_info`.
Nothing is hand-filled: a model without evaluation results gets a card that says so.

The flow, in the style of setfit's cards::

    info = ModelCardInfo.from_model_dir(model_dir)   # gather (and check) the files
    text = render_model_card(model_dir)              # metadata + Jinja template (model_cards/)
    validate_card(text, model_dir=model_dir)         # offline validation; raises CardError

The metadata block is built with :class:`huggingface_hub.ModelCardData` and
:class:`huggingface_hub.EvalResult` (``model-index``). ``ModelCard.validate()`` asks the Hub's
API, which is out of reach offline; :func:`validate_card` checks the same things locally:
the YAML parses into ``ModelCardData``, the required fields are there and well-formed, the
``model-index`` parses back into ``EvalResult`` objects that agree with ``eval_results.json``.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from khabar._logging import get_logger
from khabar.datasets_info import DatasetInfo, find_dataset, hub_license_for
from khabar.errors import ModelDirError
from khabar.io import write_text_atomic
from khabar.model_dir import (
    CONFUSION_MATRIX_FILE,
    DATA_SUMMARY_FILE,
    EVAL_RESULTS_FILE,
    LEARNING_CURVE_FILE,
    META_FILE,
    RUN_CONFIG_FILE,
    TRAIN_RESULTS_FILE,
    ModelMeta,
)

if TYPE_CHECKING:
    from huggingface_hub import EvalResult, ModelCardData

logger = get_logger(__name__)

__all__ = [
    "CARD_FILE",
    "HUB_LICENSES",
    "CardError",
    "ModelCardInfo",
    "build_card_data",
    "render_model_card",
    "template_names",
    "validate_card",
    "write_model_card",
]

CARD_FILE = "README.md"
TEMPLATE_PACKAGE_DIR = "templates"
NO_EVAL_SENTENCE = "This model has no evaluation results"
"""Said plainly by every card of a model without ``eval_results.json`` results."""
SCRATCH_SENTENCE = "trained from scratch"

PIPELINE_TAGS = {"topic": "text-classification", "stance": "text-classification"}
SEQ2SEQ_PIPELINE_TAG = "summarization"

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


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _number(value: Any) -> float | None:
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
        run_config = _mapping(_read_yaml(root / RUN_CONFIG_FILE, problems))
        info = cls(
            model_dir=root,
            meta=meta,
            repo_id=repo_id,
            default_name=default_name,
            run_config=run_config,
            model_config=_mapping(_read_json(root / "config.json", problems)),
            generation_config=_mapping(_read_json(root / "generation_config.json", problems)),
            data_summary=_mapping(_read_json(root / DATA_SUMMARY_FILE, problems)),
            train_results=_mapping(_read_json(root / TRAIN_RESULTS_FILE, problems)),
            eval_results=_mapping(_read_json(root / EVAL_RESULTS_FILE, problems)),
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
        data_cfg = _mapping(run_config.get("data"))
        if data_cfg.get("dataset"):
            refs.append(str(data_cfg["dataset"]))
        refs += [str(f) for f in _mapping(data_cfg.get("files")).values()]
        refs += [
            str(s.get("source"))
            for s in _mapping(info.data_summary.get("splits")).values()
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
    def is_summarizer(self) -> bool:
        return self.meta.task == "summarization"

    @property
    def pipeline_tag(self) -> str:
        return (
            SEQ2SEQ_PIPELINE_TAG
            if self.is_summarizer
            else PIPELINE_TAGS.get(self.task, "text-classification")
        )

    @property
    def hub(self) -> dict[str, Any]:
        return _mapping(self.run_config.get("hub"))

    @property
    def data_config(self) -> dict[str, Any]:
        return _mapping(self.run_config.get("data"))

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
        return {"topic": "news topic classification", "stance": "stance detection"}.get(
            self.task, f"{self.task} classification"
        )

    @property
    def splits(self) -> dict[str, dict[str, Any]]:
        """Evaluated splits with their results (empty when there are none)."""
        raw = _mapping(self.eval_results.get("splits"))
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
        """Values for the ``datasets`` metadata: Hub ids where known, else khabar's names."""
        ids = [d.hub_id or d.key for d in self.datasets] + list(self.unknown_datasets)
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


def derived_id(derived: tuple[str, str | None] | None) -> str | None:
    return derived[0] if derived else None


def _extra_path(info: ModelCardInfo, split: str) -> str | None:
    """The file an out-of-domain evaluation set came from (``evaluation.extra`` of the run)."""
    extra = _mapping(_mapping(info.run_config.get("evaluation")).get("extra"))
    path = extra.get(split)
    return str(path) if path else None


def eval_dataset(info: ModelCardInfo, split: str) -> DatasetInfo | None:
    """The known data set an evaluated split comes from (training data for in-domain splits)."""
    entry = info.splits.get(split, {})
    if entry.get("domain", "in-domain") == "out-of-domain":
        return find_dataset(_extra_path(info, split) or split)
    return info.datasets[0] if len(info.datasets) == 1 else None


def _ood_datasets(info: ModelCardInfo) -> list[DatasetInfo]:
    out: list[DatasetInfo] = []
    for split, entry in info.splits.items():
        if entry.get("domain") == "out-of-domain":
            known = eval_dataset(info, split)
            if known is not None and known not in info.datasets and known not in out:
                out.append(known)
    return out


# ------------------------------------------------------------------------------ metadata


def _split_dataset(
    info: ModelCardInfo, split: str, entry: Mapping[str, Any]
) -> tuple[str, str, str | None]:
    """(dataset type, dataset name, dataset split) of an evaluated split, for the model-index."""
    domain = entry.get("domain", "in-domain")
    if domain != "out-of-domain":
        if len(info.datasets) == 1:
            d = info.datasets[0]
            return d.hub_id or d.key, d.name, split
        if info.unknown_datasets:
            return info.unknown_datasets[0], info.unknown_datasets[0], split
        return info.model_name, f"{info.model_name} data", split
    path = _extra_path(info, split)
    known = eval_dataset(info, split)
    file_split = None
    if path:
        file_split = Path(str(path)).name.split(".")[0] or None
    if known is not None:
        return known.hub_id or known.key, f"{known.name} (out-of-domain)", file_split or split
    return split, f"{split} (out-of-domain)", file_split or split


def eval_results_for_card(info: ModelCardInfo) -> list[EvalResult]:
    """One ``EvalResult`` per (evaluated split, metric) of the model (not of the baseline)."""
    from huggingface_hub import EvalResult

    results: list[EvalResult] = []
    task_name = info.task_words[:1].upper() + info.task_words[1:]
    for split, entry in info.splits.items():
        model = _mapping(entry.get("model"))
        ds_type, ds_name, ds_split = _split_dataset(info, split, entry)
        metrics: list[tuple[str, str, str, dict[str, str] | None]]
        if info.is_summarizer:
            metrics = [(key, key, name, None) for key, name in ROUGE_METRICS]
        else:
            metrics = list(CLASSIFICATION_METRICS)
        for key, metric_type, name, args in metrics:
            value = _number(model.get(key))
            if value is None:
                continue
            results.append(
                EvalResult(
                    task_type=info.pipeline_tag,
                    task_name=task_name,
                    dataset_type=ds_type,
                    dataset_name=ds_name,
                    dataset_split=ds_split,
                    metric_type=metric_type,
                    metric_name=name,
                    metric_value=round(value, 4),
                    metric_args=args,
                )
            )
    return results


def build_card_data(info: ModelCardInfo) -> ModelCardData:
    """The card's metadata block as :class:`huggingface_hub.ModelCardData`."""
    from huggingface_hub import ModelCardData

    lic, lic_name, _ = info.license()
    tags = ["khabar", "arabic", "news"]
    tags += {
        "topic": ["topic-classification"],
        "stance": ["stance-detection", "text-pair-classification"],
    }.get(info.task, ["summarization"])
    if info.is_summarizer and info.target_kind == "headline":
        tags.append("headline-generation")
    if info.meta.base_model is None:
        tags.append("trained-from-scratch")
    tags += [str(t) for t in info.hub.get("tags") or [] if isinstance(t, str | int)]
    results = eval_results_for_card(info)
    metrics = sorted({r.metric_type for r in results}) or None
    return ModelCardData(
        language="ar",
        license=lic,
        license_name=lic_name,
        library_name="transformers",
        base_model=info.meta.base_model,
        datasets=info.dataset_ids or None,
        metrics=metrics,
        pipeline_tag=info.pipeline_tag,
        tags=tags,
        model_name=info.model_name,
        eval_results=results or None,
    )


# ------------------------------------------------------------------------------ body context


def _fmt(value: Any, digits: int = 4) -> str:
    number = _number(value)
    if number is None:
        return "—"
    if float(number).is_integer() and digits == 0:
        return f"{int(number):,}"
    return f"{number:.{digits}f}"


def _int(value: Any) -> str:
    number = _number(value)
    return "—" if number is None else f"{round(number):,}"


def _cell(value: Any) -> str:
    """Text made safe for a Markdown table cell."""
    text = "" if value is None else str(value)
    return re.sub(r"\s+", " ", text).replace("|", "\\|").strip() or "—"


def _quote(text: Any, limit: int = 400) -> str:
    """Text for a Markdown blockquote: one paragraph, shortened with an ellipsis."""
    s = re.sub(r"\s+", " ", str(text or "")).strip()
    return s if len(s) <= limit else s[:limit].rsplit(" ", 1)[0] + " …"


def _duration(seconds: Any) -> str:
    s = _number(seconds)
    if s is None:
        return "—"
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def _label_meanings(info: ModelCardInfo) -> dict[str, str]:
    label_map = {str(k): str(v) for k, v in _mapping(info.data_config.get("label_map")).items()}
    known: dict[str, str] = {}
    for d in info.datasets:
        for k, v in d.labels.items():
            known.setdefault(k, v)
    meanings: dict[str, str] = {}
    for label in info.meta.labels:
        origins = [o for o, new in label_map.items() if new == label and o != label]
        if origins:
            parts = [f"`{o}` ({known[o]})" if o in known else f"`{o}`" for o in origins]
            if label in known:
                parts.insert(0, f"`{label}` ({known[label]})")
            meanings[label] = "merged from " + " and ".join(parts)
        else:
            meanings[label] = known.get(label, "—")
    return meanings


def _main_split(info: ModelCardInfo) -> str | None:
    splits = info.splits
    if "test" in splits:
        return "test"
    in_domain = [k for k, v in splits.items() if v.get("domain", "in-domain") == "in-domain"]
    candidates = in_domain or list(splits)
    return candidates[0] if candidates else None


def _classification_results(info: ModelCardInfo) -> dict[str, Any]:
    rows = []
    for split, entry in info.splits.items():
        model = _mapping(entry.get("model"))
        base = _mapping(entry.get("baseline"))
        rows.append(
            {
                "split": split,
                "domain": entry.get("domain", "in-domain"),
                "n": _n_cell(entry),
                "accuracy": _fmt(model.get("accuracy")),
                "macro_f1": _fmt(model.get("macro_f1")),
                "weighted_f1": _fmt(model.get("weighted_f1")),
                "b_accuracy": _fmt(base.get("accuracy")) if base else "—",
                "b_macro_f1": _fmt(base.get("macro_f1")) if base else "—",
                "b_weighted_f1": _fmt(base.get("weighted_f1")) if base else "—",
            }
        )
    main = _main_split(info)
    verdict = None
    per_class: list[dict[str, str]] = []
    confusion: dict[str, Any] | None = None
    never_predicted: list[str] = []
    if main is not None:
        entry = info.splits[main]
        model = _mapping(entry.get("model"))
        base = _mapping(entry.get("baseline"))
        m_f1, b_f1 = _number(model.get("macro_f1")), _number(base.get("macro_f1"))
        if m_f1 is not None and b_f1 is not None:
            if m_f1 < b_f1:
                verdict = (
                    f"On `{main}` the model's macro-F1 ({m_f1:.4f}) is **below** the baseline's "
                    f"({b_f1:.4f}): for this data the baseline is the better classifier."
                )
            else:
                verdict = (
                    f"On `{main}` the model's macro-F1 ({m_f1:.4f}) is above the baseline's "
                    f"({b_f1:.4f}), by {m_f1 - b_f1:.4f}."
                )
        pcs = _mapping(model.get("per_class"))
        bpcs = _mapping(base.get("per_class"))
        for label in info.meta.labels or list(pcs):
            pc = _mapping(pcs.get(label))
            bpc = _mapping(bpcs.get(label))
            if not pc:
                continue
            per_class.append(
                {
                    "label": _cell(label),
                    "precision": _fmt(pc.get("precision")),
                    "recall": _fmt(pc.get("recall")),
                    "f1": _fmt(pc.get("f1")),
                    "support": _int(pc.get("support")),
                    "b_f1": _fmt(bpc.get("f1")) if bpc else "—",
                }
            )
        matrix = model.get("confusion_matrix")
        labels = list(model.get("labels") or info.meta.labels)
        if (
            isinstance(matrix, list)
            and matrix
            and len(matrix) == len(labels)
            and all(isinstance(r, list) and len(r) == len(labels) for r in matrix)
        ):
            confusion = {
                "split": main,
                "labels": [_cell(x) for x in labels],
                "rows": [
                    {"label": _cell(labels[i]), "cells": [_int(c) for c in row]}
                    for i, row in enumerate(matrix)
                ],
            }
            column_sums = [sum(int(r[j]) for r in matrix) for j in range(len(labels))]
            never_predicted = [labels[j] for j, s in enumerate(column_sums) if s == 0]
    windowing = _mapping(info.eval_results.get("windowing"))
    method = None
    if windowing:
        max_windows = windowing.get("max_windows")
        method = (
            f"Texts were scored whole, read as windows of {_int(windowing.get('max_length'))} "
            f"tokens (stride {_int(windowing.get('stride'))}, "
            + ("all windows" if max_windows == 0 else f"at most {_int(max_windows)} windows")
            + ") whose logits are averaged."
        )
    return {
        "rows": rows,
        "main_split": main,
        "verdict": verdict,
        "method": method,
        "per_class": per_class,
        "confusion": confusion,
        "never_predicted": never_predicted,
    }


def _n_cell(entry: Mapping[str, Any]) -> str:
    n, total = _number(entry.get("n")), _number(entry.get("n_total"))
    if n is not None and total is not None and total > n:
        return f"{_int(n)} of {_int(total)}"
    return _int(entry.get("n", _mapping(entry.get("model")).get("n")))


def _summarization_results(info: ModelCardInfo) -> dict[str, Any]:
    rows = []
    empty: list[str] = []
    for split, entry in info.splits.items():
        model = _mapping(entry.get("model"))
        base = _mapping(entry.get("baseline"))
        known = eval_dataset(info, split)
        kind = known.target if known and known.target else "—"
        per = _number(entry.get("references_per_example"))
        row: dict[str, Any] = {
            "split": split,
            "domain": entry.get("domain", "in-domain"),
            "n": _n_cell(entry),
            "references": f"{kind} ×{per:g}" if per and per > 1 else kind,
            "words": f"{_fmt(model.get('mean_words'), 1)} / {_fmt(base.get('mean_words'), 1)}"
            if base
            else _fmt(model.get("mean_words"), 1),
        }
        for key, _ in ROUGE_METRICS:
            row[key] = _fmt(model.get(key))
            row["b_" + key] = _fmt(base.get(key)) if base else "—"
        rows.append(row)
        if _number(model.get("mean_words")) == 0:
            empty.append(split)
    main = _main_split(info)
    verdict = None
    if main is not None:
        entry = info.splits[main]
        m, b = _mapping(entry.get("model")), _mapping(entry.get("baseline"))
        m_l, b_l = _number(m.get("rougeL")), _number(b.get("rougeL"))
        if m_l is not None and b_l is not None:
            relation = "**below**" if m_l < b_l else "above"
            verdict = f"On `{main}` the model's ROUGE-L ({m_l:.4f}) is {relation} the baseline's ({b_l:.4f})."
    examples: list[dict[str, str]] = []
    for split, entry in sorted(info.splits.items(), key=lambda kv: kv[0] != main):
        taken = 0
        for ex in entry.get("examples") or []:
            if not isinstance(ex, Mapping) or taken >= 2:
                continue
            taken += 1
            examples.append(
                {
                    "split": split,
                    "id": _cell(ex.get("id")),
                    "text": _quote(ex.get("text")),
                    "reference": _quote(ex.get("reference"), 300) or "(empty)",
                    "prediction": _quote(ex.get("prediction"), 300) or "(empty)",
                    "baseline": _quote(ex.get("baseline"), 300) if ex.get("baseline") else "",
                }
            )
    rouge = _mapping(info.eval_results.get("rouge"))
    generation = _mapping(info.eval_results.get("generation"))
    method = []
    if rouge.get("implementation"):
        method.append(f"ROUGE implementation: {_cell(rouge['implementation'])}")
    if rouge.get("scores"):
        method.append(f"scores: {_cell(rouge['scores'])}")
    if rouge.get("multi_ref"):
        method.append(f"several references: the `{_cell(rouge['multi_ref'])}` one counts")
    if _number(generation.get("max_samples")):
        method.append(f"at most {_int(generation['max_samples'])} articles scored per set")
    if generation.get("truncation_rule"):
        method.append(f"input: {_cell(generation['truncation_rule'])}")
    return {
        "rows": rows,
        "main_split": main,
        "verdict": verdict,
        "examples": examples,
        "empty": empty,
        "method": method,
        "headline_splits": [r["split"] for r in rows if r["references"].startswith("headline")],
    }


def _data_context(info: ModelCardInfo) -> dict[str, Any]:
    splits = _mapping(info.data_summary.get("splits"))
    rows = []
    notes: list[str] = []
    max_samples = _mapping(info.data_config.get("max_samples"))
    length_limit = info.meta.max_length
    for name, raw in splits.items():
        s = _mapping(raw)
        tokens = _mapping(s.get("tokens")) or _mapping(s.get("words"))
        unit = "tokens" if _mapping(s.get("tokens")) else "words"
        trunc = _mapping(s.get("truncated"))
        fraction = _number(trunc.get("fraction"))
        rows.append(
            {
                "split": name,
                "rows": _int(s.get("rows")),
                "labels": ", ".join(
                    f"{_cell(k)} {_int(v)}" for k, v in _mapping(s.get("labels")).items()
                )
                or "—",
                "length": f"{_fmt(tokens.get('p50'), 0)} / {_fmt(tokens.get('p90'), 0)} / "
                f"{_int(tokens.get('max'))} {unit}"
                if tokens
                else "—",
                "over_limit": f"{100 * fraction:.1f}%" if fraction is not None else "—",
                "summary_words": _fmt(_mapping(s.get("summary_words")).get("p50"), 0)
                if _mapping(s.get("summary_words"))
                else "—",
            }
        )
        dup = _number(s.get("duplicates_dropped"))
        if dup:
            notes.append(f"`{name}`: {int(dup):,} duplicate rows dropped.")
        skipped = _mapping(s.get("skipped"))
        if skipped:
            what = ", ".join(f"{_cell(k)}: {_int(v)}" for k, v in skipped.items())
            notes.append(f"`{name}`: malformed rows skipped ({what}).")
        leak = _number(s.get("leakage_with_train"))
        removed = _number(s.get("leakage_removed_from_train"))
        if leak:
            notes.append(
                f"`{name}`: {int(leak):,} texts also occur in the training split"
                + (f" ({int(removed):,} removed from training)." if removed else " (not removed).")
            )
        cap = max_samples.get(name)
        known = next((d for d in info.datasets if name in d.sizes), None)
        if cap is not None and known is not None and len(info.datasets) == 1:
            notes.append(
                f"`{name}` was capped at {_int(cap)} rows (`data.max_samples`): "
                f"{_int(s.get('rows'))} of the {known.sizes[name]:,} rows of {known.name}'s "
                f"official {name} split."
            )
        elif cap is not None:
            notes.append(f"`{name}` was capped at {_int(cap)} rows (`data.max_samples`).")
    return {"rows": rows, "notes": notes, "length_limit": length_limit}


def _training_context(info: ModelCardInfo) -> dict[str, Any]:
    training = _mapping(info.run_config.get("training"))
    model_cfg = _mapping(info.run_config.get("model"))
    hparams = [
        {"name": _cell(k), "value": _cell(json.dumps(v) if isinstance(v, dict | list) else v)}
        for k, v in training.items()
    ]
    for key in ("seed",):
        if key in info.run_config:
            hparams.append({"name": key, "value": _cell(info.run_config[key])})
    if model_cfg.get("class_weights") is not None:
        hparams.append(
            {"name": "class_weights", "value": _cell(json.dumps(model_cfg["class_weights"]))}
        )
    tr = info.train_results
    facts: list[str] = []
    if tr:
        if tr.get("hardware"):
            world = _number(tr.get("world_size"))
            facts.append(
                f"Hardware: {_cell(tr['hardware'])}"
                + (f", {int(world)} processes" if world and world > 1 else "")
            )
        if _number(tr.get("train_runtime_s")) is not None:
            facts.append(
                f"Training time: {_duration(tr['train_runtime_s'])}"
                + (
                    f" (wall time recorded for the run: {_duration(tr['wall_time_s'])})"
                    if _number(tr.get("wall_time_s")) is not None
                    else ""
                )
            )
        if _number(tr.get("epochs")) is not None:
            facts.append(
                f"Epochs completed: {_fmt(tr['epochs'], 2)} over {_int(tr.get('train_samples'))} training examples"
            )
        if _number(tr.get("train_samples_per_second")) is not None:
            facts.append(
                f"Throughput: {_fmt(tr['train_samples_per_second'], 1)} examples/s"
                + (
                    f", {_fmt(tr.get('train_tokens_per_second'), 0)} tokens/s"
                    if _number(tr.get("train_tokens_per_second"))
                    else ""
                )
            )
        if _number(tr.get("train_loss")) is not None:
            facts.append(f"Final training loss: {_fmt(tr['train_loss'])}")
        mem = [f"peak RAM {_int(tr['peak_rss_mb'])} MB"] if _number(tr.get("peak_rss_mb")) else []
        if _number(tr.get("peak_cuda_mb")):
            mem.append(f"peak GPU memory {_int(tr['peak_cuda_mb'])} MB")
        if mem:
            facts.append("Memory: " + ", ".join(mem))
        if tr.get("stopped_by_time_budget"):
            facts.append(
                "**Training was stopped early by its time budget** (`training.max_train_minutes`): "
                "the model saw fewer epochs than configured."
            )
        versions = [f"{k} {tr[k]}" for k in ("khabar", "torch") if tr.get(k)]
        if versions:
            facts.append("Software: " + ", ".join(versions))
    return {"hparams": hparams, "facts": facts}


def _architecture(info: ModelCardInfo) -> str:
    cfg = info.model_config
    if not cfg:
        return "—"
    archs = cfg.get("architectures") or []
    head = f"`{archs[0]}`" if archs else f"`{cfg.get('model_type', '?')}`"
    parts: list[str] = []
    for key, word in (
        ("num_hidden_layers", "layers"),
        ("encoder_layers", "encoder layers"),
        ("decoder_layers", "decoder layers"),
        ("num_layers", "layers"),
        ("hidden_size", "hidden size"),
        ("d_model", "hidden size"),
        ("num_attention_heads", "attention heads"),
        ("vocab_size", "vocabulary"),
        ("max_position_embeddings", "max positions"),
    ):
        if _number(cfg.get(key)) is not None and not any(p.startswith(word + ":") for p in parts):
            parts.append(f"{word}: {_int(cfg[key])}")
    if info.n_parameters:
        parts.append(f"parameters: {info.n_parameters:,}")
    return head + (f" ({', '.join(parts)})" if parts else "")


def _input_notes(info: ModelCardInfo) -> list[str]:
    meta = info.meta
    notes: list[str] = []
    if info.task == "topic" and info.data_config.get("prepend_title"):
        notes.append(
            "The headline (when there is one) is put before the article text, on its own line."
        )
    if info.task == "stance":
        notes.append(
            "Input is a pair: the target (claim, headline or topic) first, the text second; only "
            "the text is cut into windows, the target is repeated in each."
        )
    if info.is_summarizer:
        notes.append(
            f"Articles are cut to their first {meta.max_length} tokens; reference "
            f"{'headlines' if info.target_kind == 'headline' else 'summaries'} to "
            f"{meta.max_target_length or '—'} tokens. Text beyond the first {meta.max_length} "
            "tokens is not read."
        )
    else:
        windows = "all windows" if meta.max_windows == 0 else f"at most {meta.max_windows} windows"
        notes.append(
            f"Training reads the first {meta.max_length} tokens of each input "
            f"({'head and tail' if meta.truncation == 'head_tail' else 'head'} truncation). "
            f"Evaluation and khabar's inference read long inputs as overlapping windows of "
            f"{meta.max_length} tokens (stride {meta.stride}, {windows}) and average the "
            "windows' logits."
        )
    return notes


def _intended_use(info: ModelCardInfo) -> dict[str, Any]:
    if info.task == "topic":
        use = (
            "Sorting Arabic news articles into the topics listed below, e.g. for routing and "
            "tagging in newsrooms, news aggregation and media research."
        )
        out = [
            "Topics outside the label set: every input gets one of these labels.",
            "Text unlike the training data (see Limitations) without evaluating on it first.",
        ]
    elif info.task == "stance":
        use = (
            "Deciding the stance a text takes toward a given target (a claim, headline or topic), "
            "e.g. as a component of fact-checking and media-monitoring research."
        )
        out = [
            "Deciding whether a claim is true: the model judges the text's stance, not the facts.",
            "Automated moderation or decisions about people without human review.",
        ]
    else:
        what = "headlines" if info.target_kind == "headline" else "short summaries"
        use = (
            f"Drafting {what} of Arabic news articles for editors and researchers, to be "
            "reviewed by a person."
        )
        out = [
            "Publishing generated text unreviewed: generated text can state things the article "
            "does not say.",
            "Long documents: only the beginning of the input is read.",
        ]
    return {"use": use, "out_of_scope": out}


def _limitations(info: ModelCardInfo, results: Mapping[str, Any]) -> list[str]:
    items: list[str] = []
    for d in info.datasets:
        items.append(
            f"Coverage: trained on {d.name} — {d.coverage}. Other outlets, periods and topics may be handled worse."
        )
        items.append(
            f"Language variety: {d.genre}; dialectal Arabic outside the training data is not represented."
        )
        items.extend(f"{d.name}: {c}" for c in d.caveats)
    for d in _ood_datasets(info):
        items.extend(f"{d.name} (evaluation only): {c}" for c in d.caveats)
    if info.unknown_datasets:
        items.append(
            "The training data ("
            + ", ".join(f"`{u}`" for u in info.unknown_datasets)
            + ") is not described beyond the counts above: check its coverage, dialects and "
            "label quality before relying on the model."
        )
    meta = info.meta
    summary = _mapping(info.data_summary.get("splits"))
    train = _mapping(summary.get("train"))
    frac = _number(_mapping(train.get("truncated")).get("fraction"))
    if frac == 0:
        items.append(
            f"Long inputs: no training input was longer than {meta.max_length} tokens, so "
            "long articles are outside what the model was trained on."
        )
    elif frac is not None:
        if info.is_summarizer:
            items.append(
                f"Long articles: {100 * frac:.1f}% of the training inputs were longer than "
                f"{meta.max_length} tokens; only their beginning is read."
            )
        else:
            items.append(
                f"Long articles: {100 * frac:.1f}% of the training inputs were longer than "
                f"{meta.max_length} tokens and were trained on their first window only; at "
                "inference khabar reads them in windows, plain `transformers` reads only the "
                "first window."
            )
    never = results.get("never_predicted") or []
    if never:
        items.append(
            f"On `{results.get('main_split')}` the model never predicts: "
            + ", ".join(f"`{n}`" for n in never)
            + "."
        )
    train_labels = {k: _number(v) or 0 for k, v in _mapping(train.get("labels")).items()}
    total = sum(train_labels.values())
    if total and len(train_labels) > 1:
        small = [k for k, v in train_labels.items() if v / total < 0.05]
        if small:
            items.append(
                "Class imbalance: few training examples of "
                + ", ".join(f"`{k}` ({100 * train_labels[k] / total:.1f}%)" for k in small)
                + "; expect lower recall there."
            )
    if not info.has_preprocessing_file:
        items.append("No preprocessing settings were saved with this model.")
    return items


def _citations(info: ModelCardInfo) -> list[dict[str, str]]:
    out = [{"what": d.name, "text": d.citation} for d in [*info.datasets, *_ood_datasets(info)]]
    if info.meta.base_model:
        out.append(
            {
                "what": f"Base model {info.meta.base_model}",
                "text": f"see the citation on its card: https://huggingface.co/{info.meta.base_model}",
            }
        )
    return out


def template_context(info: ModelCardInfo, card_data: ModelCardData) -> dict[str, Any]:
    """The values the Jinja templates render (all derived from ``info``)."""
    lic, lic_name, lic_note = info.license()
    results = _summarization_results(info) if info.is_summarizer else _classification_results(info)
    description = info.run_config.get("description")
    model_ref = info.repo_id or info.hub.get("repo_id") or "path/to/this/model"
    meanings = _label_meanings(info)
    data_splits = _mapping(info.data_summary.get("splits"))
    train_counts = _mapping(_mapping(data_splits.get("train")).get("labels"))
    test_counts = _mapping(_mapping(data_splits.get("test")).get("labels"))
    labels = [
        {
            "id": i,
            "label": _cell(label),
            "meaning": _cell(meanings.get(label)),
            "train": _int(train_counts.get(label)),
            "test": _int(test_counts.get(label)),
        }
        for i, label in enumerate(info.meta.labels)
    ]
    gen = info.generation_config
    generation = [
        {"name": k, "value": _cell(gen[k])}
        for k in (
            "num_beams",
            "max_new_tokens",
            "min_new_tokens",
            "length_penalty",
            "no_repeat_ngram_size",
            "early_stopping",
        )
        if k in gen and gen[k] is not None
    ]
    return {
        "card_data": card_data.to_yaml(),
        "title": info.model_name,
        "description": str(description).strip() if description else None,
        "task": info.task,
        "task_words": info.task_words,
        "pipeline_tag": info.pipeline_tag,
        "base_model": info.meta.base_model,
        "scratch_sentence": SCRATCH_SENTENCE,
        "architecture": _architecture(info),
        "dataset_label": info.dataset_label,
        "datasets": info.datasets,
        "eval_only_datasets": _ood_datasets(info),
        "unknown_datasets": info.unknown_datasets,
        "license": lic,
        "license_name": lic_name,
        "license_note": lic_note,
        "khabar_version": info.meta.khabar_version,
        "intended": _intended_use(info),
        "labels": labels,
        "data": _data_context(info),
        "preprocessing": info.preprocessing,
        "has_preprocessing_file": info.has_preprocessing_file,
        "input_notes": _input_notes(info),
        "training": _training_context(info),
        "generation": generation,
        "has_eval": info.has_eval,
        "no_eval_sentence": NO_EVAL_SENTENCE,
        "baseline_name": info.baseline_name,
        "results": results,
        "confusion_png": CONFUSION_MATRIX_FILE in info.files,
        "confusion_png_file": CONFUSION_MATRIX_FILE,
        "learning_curve_png": LEARNING_CURVE_FILE in info.files,
        "learning_curve_file": LEARNING_CURVE_FILE,
        "limitations": _limitations(info, results),
        "citations": _citations(info),
        "model_ref": model_ref,
        "is_repo": bool(info.repo_id or info.hub.get("repo_id")),
        "max_length": info.meta.max_length,
        "example_text": "نص الخبر هنا",
        "example_target": "الادعاء أو العنوان هنا",
        "problems": info.problems,
    }


# ------------------------------------------------------------------------------ templates


def template_names() -> list[str]:
    """Templates shipped with khabar (``model_cards/`` in the repository)."""
    from importlib.resources import files

    folder = files("khabar").joinpath(TEMPLATE_PACKAGE_DIR)
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".md"))


def _load_template(name: str) -> str:
    from importlib.resources import files

    resource = files("khabar").joinpath(TEMPLATE_PACKAGE_DIR).joinpath(name)
    if not resource.is_file():
        raise ModelDirError(
            f"model card template '{name}' is missing from the khabar package "
            f"(khabar/{TEMPLATE_PACKAGE_DIR}/); reinstall khabar"
        )
    return resource.read_text(encoding="utf-8")


def _render_template(name: str, context: Mapping[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_template),
        autoescape=False,  # Markdown, not HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    text = env.get_template(name).render(**context)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip() + "\n"


# ------------------------------------------------------------------------------ public API


def render_model_card(
    model_dir: str | Path, *, repo_id: str | None = None, default_name: str | None = None
) -> str:
    """The model card (``README.md`` text) of a model directory.

    ``repo_id`` names the Hub repository in the usage examples (default: ``hub.repo_id`` of the
    run configuration, else a placeholder path). ``default_name`` is the model's name when the
    run configuration gives none (default: the directory's name).
    """
    info = ModelCardInfo.from_model_dir(model_dir, repo_id=repo_id, default_name=default_name)
    card_data = build_card_data(info)
    template = "summarization.md" if info.is_summarizer else "classification.md"
    return _render_template(template, template_context(info, card_data))


def _fallback_card(root: Path, error: BaseException) -> str:
    meta = ModelMeta.load(root)
    tag = SEQ2SEQ_PIPELINE_TAG if meta.task == "summarization" else "text-classification"
    return (
        f"---\nlanguage: ar\nlibrary_name: transformers\npipeline_tag: {tag}\n"
        "tags:\n- khabar\n---\n\n"
        f"# {root.resolve().name}\n\n"
        f"The model card could not be rendered ({type(error).__name__}: {error}). "
        "Render it again with `khabar publish MODEL_DIR --dry-run` once the cause is fixed.\n"
    )


def write_model_card(model_dir: str | Path, *, repo_id: str | None = None) -> Path:
    """Render the card and write it as ``README.md`` in the model directory.

    Validation problems are logged, not raised, and a card that cannot be rendered at all is
    replaced by a short placeholder: a training run is never lost to its card. ``khabar
    publish`` re-renders the card and refuses one that fails validation.
    """
    root = Path(model_dir)
    if not (root / META_FILE).is_file():
        raise ModelDirError(f"{root}: no {META_FILE}; not a khabar model directory")
    try:
        text = render_model_card(root, repo_id=repo_id)
    except Exception as err:  # never lose a trained model to its card
        logger.error("could not render the model card of %s: %s", root, err)
        return write_text_atomic(root / CARD_FILE, _fallback_card(root, err))
    try:
        for warning in validate_card(text, model_dir=root):
            logger.info("model card: %s", warning)
    except CardError as err:
        logger.warning("%s", err)
    return write_text_atomic(root / CARD_FILE, text)


# ------------------------------------------------------------------------------ validation

_REQUIRED_SECTIONS = (
    "## Model description",
    "## Training data",
    "## Preprocessing",
    "## Training procedure",
    "## Evaluation",
    "## Limitations",
    "## How to use",
    "## Citation",
)


def _close(a: Any, b: Any) -> bool:
    x, y = _number(a), _number(b)
    return x is not None and y is not None and abs(x - y) <= 5e-5


def validate_card(text: str, *, model_dir: str | Path | None = None) -> list[str]:
    """Check a card offline; return warnings, raise :class:`CardError` listing every error.

    Checks that the metadata parses into :class:`huggingface_hub.ModelCardData` (including the
    ``model-index``), that the required fields are present and valid for the Hub (``language``,
    ``license``, ``pipeline_tag``, ``tags``, ``datasets``, ``metrics``, ``base_model`` or the body
    saying the model was trained from scratch), and that the body has the required sections.
    Given ``model_dir``, every ``model-index`` value must equal the one in its
    ``eval_results.json``, and a model without results must have a card that says so.

    ``ModelCard.validate()`` is not used: it sends the card to the Hub's API.
    """
    from huggingface_hub import ModelCard

    errors: list[str] = []
    warnings: list[str] = []
    try:
        card = ModelCard(text, ignore_metadata_errors=False)
    except Exception as err:  # yaml errors, bad model-index: the card cannot be parsed
        raise CardError([f"metadata does not parse: {err}"]) from None
    if not text.startswith("---"):
        errors.append("no YAML metadata block at the top of the card")
    data: Any = card.data  # ModelCardData (typed as CardData by huggingface_hub)
    language = data.get("language")
    langs = (
        [language] if isinstance(language, str) else language if isinstance(language, list) else []
    )
    if "ar" not in langs:
        errors.append("metadata 'language' must include 'ar'")
    lic = data.get("license")
    if not isinstance(lic, str) or not lic:
        errors.append("metadata 'license' is missing")
    elif lic not in HUB_LICENSES:
        errors.append(
            f"metadata 'license: {lic}' is not a Hub licence id (use 'other' with license_name)"
        )
    elif lic == "other" and not data.get("license_name"):
        errors.append("metadata 'license: other' needs a 'license_name'")
    elif lic == "unknown":
        warnings.append("the licence is unknown: set hub.license in the run configuration")
    tag = data.get("pipeline_tag")
    if tag not in ("text-classification", "summarization", "text2text-generation"):
        errors.append(
            f"metadata 'pipeline_tag' is {tag!r}; expected text-classification or summarization"
        )
    tags = data.get("tags")
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t for t in tags):
        errors.append("metadata 'tags' must be a non-empty list of strings")
    datasets = data.get("datasets")
    if not isinstance(datasets, list) or not all(isinstance(d, str) and d for d in datasets or []):
        errors.append("metadata 'datasets' must be a list of data set names")
    base = data.get("base_model")
    if base is None:
        if SCRATCH_SENTENCE not in card.text:
            errors.append(
                f"no 'base_model' and the card does not say the model was {SCRATCH_SENTENCE}"
            )
    elif not isinstance(base, str | list):
        errors.append("metadata 'base_model' must be a model id")
    if data.get("library_name") != "transformers":
        errors.append("metadata 'library_name' must be 'transformers'")
    results = data.eval_results or []
    metrics = data.get("metrics")
    if results:
        if not data.model_name:
            errors.append("model-index has no model name")
        if not isinstance(metrics, list) or not metrics:
            errors.append("metadata 'metrics' is missing although the card reports results")
        else:
            missing = sorted({r.metric_type for r in results} - set(metrics))
            if missing:
                errors.append(f"metrics {missing} are in the model-index but not in 'metrics'")
        seen: set[tuple[Any, ...]] = set()
        for r in results:
            if r.task_type != tag:
                errors.append(f"model-index task '{r.task_type}' differs from pipeline_tag '{tag}'")
            if _number(r.metric_value) is None:
                errors.append(
                    f"model-index value for {r.dataset_name} {r.metric_name} is not a number"
                )
            ident = (*r.unique_identifier, r.metric_type, r.metric_name)
            if ident in seen:
                errors.append(
                    f"model-index repeats {r.dataset_name} / {r.dataset_split} / {r.metric_name}"
                )
            seen.add(ident)
    for section in _REQUIRED_SECTIONS:
        if not re.search(rf"^{re.escape(section)}", card.text, flags=re.MULTILINE):
            errors.append(f"the card has no '{section}' section")
    if model_dir is not None:
        errors += _check_against_files(Path(model_dir), results, card.text)
    if errors:
        raise CardError(errors)
    return warnings


def _check_against_files(root: Path, results: Iterable[EvalResult], body: str) -> list[str]:
    """Every model-index number must be the one in ``eval_results.json``; no results → said so."""
    errors: list[str] = []
    info = ModelCardInfo.from_model_dir(root)
    results = list(results)
    if not info.has_eval:
        if results:
            errors.append(
                "the card reports results but the model directory has no eval_results.json results"
            )
        if NO_EVAL_SENTENCE not in body:
            errors.append("the model has no evaluation results and the card does not say so")
        return errors
    expected = eval_results_for_card(info)
    if not results:
        errors.append(
            "the model directory has evaluation results but the card's model-index is empty"
        )
    want = {(*r.unique_identifier, r.metric_type, r.metric_name): r.metric_value for r in expected}
    for r in results:
        key = (*r.unique_identifier, r.metric_type, r.metric_name)
        if key not in want:
            errors.append(
                f"model-index entry {r.dataset_name} / {r.dataset_split} / {r.metric_name} is not in eval_results.json"
            )
        elif not _close(r.metric_value, want[key]):
            errors.append(
                f"model-index {r.dataset_name} / {r.dataset_split} / {r.metric_name} = {r.metric_value} "
                f"but eval_results.json says {want[key]}"
            )
    got = {(*r.unique_identifier, r.metric_type, r.metric_name) for r in results}
    for key in want:
        if key not in got:
            errors.append(
                f"model-index lacks {key[1]} / {key[3]} / {key[-1]} from eval_results.json"
            )
    return errors
