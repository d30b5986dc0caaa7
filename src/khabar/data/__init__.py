"""Load news datasets into a ``DatasetDict`` with the task's canonical columns, checked at the edge.

Canonical columns: ``id``, ``text`` and ``label`` (topic); ``id``, ``target``, ``text`` and
``label`` (stance); ``id``, ``text``, ``summary`` and ``summaries`` (summarisation). Files are
JSON Lines (optionally gzipped), CSV or Parquet; a hub dataset id also works where the Hub can be
reached. Every malformed line, missing column, empty text or non-string value is reported with
file, line and field; :attr:`DataConfig.on_error` chooses between stopping and skipping.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datasets import ClassLabel, Dataset, DatasetDict, Features, List, Value

from khabar._logging import get_logger
from khabar.config import RunConfig
from khabar.data.readers import iter_records
from khabar.data.summary import DataSummary, SplitSummary, percentiles
from khabar.errors import DataError
from khabar.tasks import TASKS, get_task

if TYPE_CHECKING:
    from khabar.text import TextPreprocessor

logger = get_logger(__name__)

SPLITS = ("train", "dev", "test")
TASK_COLUMNS: dict[str, tuple[str, ...]] = {name: t.required_columns for name, t in TASKS.items()}
"""Required canonical columns per task (``id`` is optional and made up when absent)."""


@dataclass
class _RowProblem:
    reason: str
    error: DataError


class _SplitReader:
    """Turns raw records of one split into canonical rows, applying the config's policy."""

    def __init__(self, config: RunConfig, split: str, source: str):
        self.config = config
        self.split = split
        self.source = source
        self.task = config.task
        self.spec = get_task(config.task)
        self.columns = {
            c: config.data.columns.get(c, c)
            for c in (*TASK_COLUMNS[config.task], "id", "title", "summaries")
        }
        self.skipped: Counter[str] = Counter()

    def row(self, line: int, record: Mapping[str, Any]) -> dict[str, Any] | _RowProblem:
        out: dict[str, Any] = {}
        cfg = self.config.data
        for canon in TASK_COLUMNS[self.task]:
            col = self.columns[canon]
            if canon == "summary" and col not in record and self.columns["summaries"] in record:
                refs = record[self.columns["summaries"]]
                value = refs[0] if isinstance(refs, list) and refs else None
            elif col not in record:
                mapped = f" (mapped from '{canon}' by data.columns)" if col != canon else ""
                hint = "" if col != canon else f"; map it with data.columns.{canon}: <your column>"
                return self._problem(
                    "missing column",
                    f"missing column '{col}'{mapped}{hint}; row has {sorted(record)}",
                    line,
                    col,
                )
            else:
                value = record[col]
            if canon == "label" and isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                return self._problem(
                    "non-string value", f"expected a string, got {type(value).__name__}", line, col
                )
            if not value.strip():
                return self._problem(f"empty {canon}", f"empty {canon}", line, col)
            out[canon] = value
        if cfg.prepend_title and self.spec.kind == "classification" and not self.spec.is_pair:
            title = record.get(self.columns["title"])
            if isinstance(title, str) and title.strip():
                out["text"] = f"{title.strip()}\n{out['text']}"
        if self.spec.is_seq2seq:
            refs = record.get(self.columns["summaries"])
            if isinstance(refs, list) and refs and all(isinstance(r, str) for r in refs):
                out["summaries"] = [r for r in refs if r.strip()] or [out["summary"]]
            else:
                out["summaries"] = [out["summary"]]
        if "label" in out:
            out["label"] = cfg.label_map.get(out["label"], out["label"])
        rid = record.get(self.columns["id"])
        out["id"] = str(rid) if rid is not None else f"{self.split}-{line}"
        return out

    def _problem(self, reason: str, message: str, line: int, field_name: str) -> _RowProblem:
        return _RowProblem(
            reason, DataError(message, file=self.source, line=line, field=field_name)
        )

    def handle(self, problem: _RowProblem | DataError) -> None:
        error = problem.error if isinstance(problem, _RowProblem) else problem
        reason = problem.reason if isinstance(problem, _RowProblem) else "malformed line"
        if self.config.data.on_error == "error":
            raise DataError(
                f"{error.args[0]} — fix the row, or set data.on_error: skip to skip and count such rows"
            )
        self.skipped[reason] += 1
        if sum(self.skipped.values()) <= 5:
            logger.warning("skipping %s", error)


def _dedup_key(row: Mapping[str, Any]) -> str:
    return f"{row.get('target', '')}\x00{row['text']}"


def _read_split_rows(config: RunConfig, split: str) -> tuple[list[dict[str, Any]], _SplitReader]:
    if config.data.dataset:
        return _read_hub_split(config, split)
    return _read_file_rows(config, config.resolve_data_file(config.data.files[split]), split)


def _read_file_rows(
    config: RunConfig, path: Path, split: str
) -> tuple[list[dict[str, Any]], _SplitReader]:
    reader = _SplitReader(config, split, str(path))
    return _collect(reader, iter_records(path)), reader


def _collect(
    reader: _SplitReader, records: Iterable[tuple[int, Mapping[str, Any] | DataError]]
) -> list[dict[str, Any]]:
    """The usable rows of ``records``; every problem goes to the reader's error policy."""
    rows = []
    for line, record in records:
        row = record if isinstance(record, DataError) else reader.row(line, record)
        if isinstance(row, DataError | _RowProblem):
            reader.handle(row)
        else:
            rows.append(row)
    return rows


def _read_hub_split(config: RunConfig, split: str) -> tuple[list[dict[str, Any]], _SplitReader]:
    from datasets import load_dataset

    assert config.data.dataset is not None
    name = config.data.split_names.get(split, split)
    source = f"{config.data.dataset}[{name}]"
    try:
        ds = load_dataset(config.data.dataset, config.data.dataset_config, split=name)
    except Exception as err:
        raise DataError(
            f"cannot load hub dataset split '{name}': {err}. Offline? Use data.files with local files.",
            file=config.data.dataset,
        ) from None
    reader = _SplitReader(config, split, source)
    return _collect(reader, enumerate(ds, start=1)), reader


def _available_splits(config: RunConfig) -> list[str]:
    if config.data.dataset:
        return (
            list(SPLITS)
            if not config.data.split_names
            else [s for s in SPLITS if s in config.data.split_names or s == "train"]
        )
    return [s for s in SPLITS if s in config.data.files]


def load_data(
    config: RunConfig, splits: Sequence[str] | None = None
) -> tuple[DatasetDict, DataSummary]:
    """Read, check and clean the splits named in the config.

    Returns the ``DatasetDict`` (labels as a ``ClassLabel`` for classification) and a
    :class:`DataSummary`. Exact duplicates inside a split are dropped and counted; texts shared
    between train and dev/test are counted and, with ``data.remove_leakage``, removed from train.
    """
    wanted = list(splits) if splits is not None else _available_splits(config)
    rows: dict[str, list[dict[str, Any]]] = {}
    summary = DataSummary(task=config.task)
    for split in wanted:
        split_rows, reader = _read_split_rows(config, split)
        s = SplitSummary(source=reader.source, skipped=dict(reader.skipped))
        if config.data.drop_duplicates:
            seen: set[str] = set()
            kept = []
            for row in split_rows:
                key = _dedup_key(row)
                if key in seen:
                    s.duplicates_dropped += 1
                    continue
                seen.add(key)
                kept.append(row)
            split_rows = kept
        cap = config.data.max_samples.get(split)
        if cap is not None and len(split_rows) > cap:
            random.Random(config.seed).shuffle(split_rows)
            split_rows = split_rows[:cap]
        if not split_rows:
            raise DataError(f"the {split} split has no usable rows", file=reader.source)
        rows[split] = split_rows
        summary.splits[split] = s

    _check_leakage(config, rows, summary)
    spec = get_task(config.task)
    labels = _resolve_labels(config, rows) if spec.has_labels else []
    summary.labels = labels
    features = _features(config.task, labels)
    dataset = DatasetDict()
    for split, split_rows in rows.items():
        s = summary.splits[split]
        s.rows = len(split_rows)
        s.words = percentiles([len(r["text"].split()) for r in split_rows])
        if labels:
            counts = Counter(r["label"] for r in split_rows)
            s.labels = {lab: counts.get(lab, 0) for lab in labels}
        if spec.is_seq2seq:
            s.summary_words = percentiles([len(r["summary"].split()) for r in split_rows])
        columns = {name: [r[name] for r in split_rows] for name in features}
        dataset[split] = Dataset.from_dict(columns, features=features)
    return dataset, summary


def _check_leakage(
    config: RunConfig, rows: dict[str, list[dict[str, Any]]], summary: DataSummary
) -> None:
    if "train" not in rows:
        return
    train_keys = {_dedup_key(r) for r in rows["train"]}
    shared: set[str] = set()
    for split in ("dev", "test"):
        if split not in rows:
            continue
        keys = {_dedup_key(r) for r in rows[split]} & train_keys
        summary.splits[split].leakage_with_train = len(keys)
        if keys:
            action = (
                "removing them from train"
                if config.data.remove_leakage
                else "set data.remove_leakage: true to drop them from train"
            )
            logger.warning("%d %s texts also appear in train (%s)", len(keys), split, action)
        shared |= keys
    if config.data.remove_leakage and shared:
        before = len(rows["train"])
        rows["train"] = [r for r in rows["train"] if _dedup_key(r) not in shared]
        summary.splits["train"].leakage_removed_from_train = before - len(rows["train"])


def _resolve_labels(config: RunConfig, rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    source = summary_source = config.source_file or "config"
    if "train" in rows:
        train_labels = sorted({r["label"] for r in rows["train"]})
    else:
        train_labels = sorted({r["label"] for split_rows in rows.values() for r in split_rows})
    if config.data.labels is not None:
        labels = list(config.data.labels)
        extra = sorted(set(train_labels) - set(labels))
        if extra:
            raise DataError(
                f"training labels {extra} are not in data.labels {labels} (add them, or map them with data.label_map)",
                file=source,
                field="data.labels",
            )
    else:
        labels = train_labels
    if "train" in rows and len(set(train_labels)) < 2:
        raise DataError(
            f"the training split has a single class ({train_labels}); a classifier needs at least two",
            file=summary_source,
            field="label",
        )
    for split, split_rows in rows.items():
        unknown = sorted({r["label"] for r in split_rows} - set(labels))
        if unknown:
            first = next(r for r in split_rows if r["label"] in unknown)
            raise DataError(
                f"label(s) {unknown} in {split} do not occur in train (labels: {labels}); "
                f"first at row id {first['id']}. Map them with data.label_map or fix the data",
                file=config.data.files.get(split, split),
                field="label",
            )
    return labels


def _features(task: str, labels: Sequence[str]) -> Features:
    spec = get_task(task)
    if spec.is_seq2seq:
        return Features(
            {
                "id": Value("string"),
                "text": Value("string"),
                "summary": Value("string"),
                "summaries": List(Value("string")),
            }
        )
    columns: dict[str, Any] = {"id": Value("string")}
    if spec.pair_column is not None:
        columns[spec.pair_column] = Value("string")
    columns["text"] = Value("string")
    columns["label"] = ClassLabel(names=list(labels))
    return Features(columns)


def load_file(
    config: RunConfig, path: str | Path, *, labels: Sequence[str] = (), name: str = "extra"
) -> Dataset:
    """Read one file (e.g. an out-of-domain test set) with the run's columns and label mapping.

    For classification, every label must be one of ``labels`` (the model's labels).
    """
    path = config.resolve_data_file(str(path))
    rows, _ = _read_file_rows(config, path, name)
    if not rows:
        raise DataError("no usable rows", file=path)
    if get_task(config.task).has_labels:
        unknown = sorted({r["label"] for r in rows} - set(labels))
        if unknown:
            raise DataError(
                f"labels {unknown} are not labels of the model ({list(labels)}); map them with data.label_map",
                file=path,
                field="label",
            )
    features = _features(config.task, labels)
    return Dataset.from_dict({c: [r[c] for r in rows] for c in features}, features=features)


def preprocess_dataset(
    dataset: DatasetDict | Dataset, preprocessor: TextPreprocessor, columns: Sequence[str]
) -> Any:
    """Apply the model's text preprocessing to ``columns`` of every split (or of one dataset);
    the task registry says which columns a task preprocesses."""
    present = [c for c in columns if c in _column_names(dataset)]

    def apply(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return {c: [preprocessor(t) for t in batch[c]] for c in present}

    return dataset.map(apply, batched=True, batch_size=256, desc="preprocessing")


def _column_names(dataset: DatasetDict | Dataset) -> list[str]:
    if isinstance(dataset, DatasetDict):
        return next(iter(dataset.values())).column_names if dataset else []
    return dataset.column_names


__all__ = [
    "SPLITS",
    "TASK_COLUMNS",
    "DataSummary",
    "SplitSummary",
    "iter_records",
    "load_data",
    "load_file",
    "percentiles",
    "preprocess_dataset",
]
