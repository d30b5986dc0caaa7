"""Data loading: canonical columns, label mapping, and errors that name file, line and field."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from khabar.config import config_from_dict
from khabar.data import load_data, load_file
from khabar.errors import DataError

ROWS = [
    {"id": "a1", "text": "فاز المنتخب بالمباراة النهائية", "label": "sport"},
    {"id": "a2", "text": "ارتفعت أسعار النفط في الأسواق", "label": "economy"},
    {"id": "a3", "text": "افتتح معرض الكتاب أبوابه", "label": "culture"},
]


def write_jsonl(path: Path, rows: list[Any], *, gz: bool = False) -> Path:
    lines = "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows
    )
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(lines)
    else:
        path.write_text(lines, encoding="utf-8")
    return path


def make_config(files: dict[str, Path], task: str = "topic", **data: Any) -> Any:
    return config_from_dict(
        {
            "task": task,
            "data": {"files": {k: str(v) for k, v in files.items()}, **data},
            "model": {"scratch": {}},
        }
    )


def test_real_ant_with_taxonomy(data_dir: Path) -> None:
    config = make_config(
        {
            "train": data_dir / "topic/ant/dev.jsonl.gz",
            "test": data_dir / "topic/ant/test.jsonl.gz",
        },
        label_map={"internationalNews": "politics", "middleEast": "politics"},
    )
    ds, summary = load_data(config)
    assert summary.labels == ["culture", "economy", "politics", "sport", "technology"]
    assert set(ds["test"].column_names) == {"id", "text", "label"}
    assert ds["test"].features["label"].names == summary.labels
    counts = summary.splits["test"].labels
    assert counts["politics"] == 959 + 775  # internationalNews + middleEast in stats.json
    assert summary.splits["test"].words["p50"] > 50
    assert "labels: culture=" in summary.format()


def test_real_stance_and_summarization_columns(data_dir: Path) -> None:
    stance = make_config({"test": data_dir / "stance/mawqif/test.jsonl.gz"}, task="stance")
    ds, summary = load_data(stance)
    assert {"target", "text", "label"} <= set(ds["test"].column_names)
    assert summary.labels == ["against", "favor", "none"]
    easc = make_config(
        {"test": data_dir / "summarization/easc/test.jsonl.gz"}, task="summarization"
    )
    ds, _ = load_data(easc)
    assert len(ds["test"][0]["summaries"]) == 5


def test_column_mapping_title_as_summary(data_dir: Path) -> None:
    config = make_config(
        {"test": data_dir / "topic/ant/dev.jsonl.gz"},
        task="summarization",
        columns={"summary": "title"},
    )
    ds, summary = load_data(config)
    assert len(ds["test"][0]["summary"].split()) < 40
    assert summary.splits["test"].summary_words["p50"] < 20


def test_malformed_json_line_names_file_and_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", [ROWS[0], "{not json", ROWS[1]])
    with pytest.raises(DataError, match=r"train\.jsonl:2: malformed JSON.*on_error: skip"):
        load_data(make_config({"train": path}))


def test_skip_policy_counts(tmp_path: Path) -> None:
    rows = [
        *ROWS,
        "{broken",
        {"id": "x", "text": "   ", "label": "sport"},
        {"id": "y", "text": 5, "label": "sport"},
        [1, 2],
    ]
    path = write_jsonl(tmp_path / "train.jsonl.gz", rows, gz=True)
    ds, summary = load_data(make_config({"train": path}, on_error="skip"))
    assert len(ds["train"]) == 3
    assert summary.splits["train"].skipped == {
        "malformed line": 2,
        "empty text": 1,
        "non-string value": 1,
    }


@pytest.mark.parametrize(
    ("row", "pattern"),
    [
        ({"id": "x", "label": "sport"}, r":2 field 'text': missing column 'text'"),
        ({"id": "x", "text": "", "label": "sport"}, r":2 field 'text': empty text"),
        (
            {"id": "x", "text": ["a"], "label": "sport"},
            r":2 field 'text': expected a string, got list",
        ),
        ({"id": "x", "text": "نص", "label": None}, r":2 field 'label': expected a string"),
    ],
)
def test_row_errors(tmp_path: Path, row: dict[str, Any], pattern: str) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", [ROWS[0], row])
    with pytest.raises(DataError, match=pattern):
        load_data(make_config({"train": path}))


def test_mapped_column_missing_mentions_mapping(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", ROWS)
    with pytest.raises(DataError, match=r"missing column 'body' \(mapped from 'text'"):
        load_data(make_config({"train": path}, columns={"text": "body"}))


def test_label_absent_from_train_is_named(tmp_path: Path) -> None:
    train = write_jsonl(tmp_path / "train.jsonl", ROWS)
    test = write_jsonl(
        tmp_path / "test.jsonl", [{"id": "t", "text": "خبر عن الطقس", "label": "weather"}]
    )
    with pytest.raises(DataError, match=r"\['weather'\] in test do not occur in train"):
        load_data(make_config({"train": train, "test": test}))


def test_single_class_training_split(tmp_path: Path) -> None:
    train = write_jsonl(tmp_path / "train.jsonl", [dict(r, label="sport") for r in ROWS])
    with pytest.raises(DataError, match="single class"):
        load_data(make_config({"train": train}))


def test_empty_split(tmp_path: Path) -> None:
    train = write_jsonl(tmp_path / "train.jsonl", [])
    with pytest.raises(DataError, match="train split has no usable rows"):
        load_data(make_config({"train": train}))


def test_duplicates_dropped_and_leakage_reported(tmp_path: Path) -> None:
    extra = {"id": "a4", "text": "سجل اللاعب هدفا في الدقيقة الأخيرة", "label": "sport"}
    train = write_jsonl(tmp_path / "train.jsonl", [*ROWS, extra, ROWS[0], dict(ROWS[1], id="dup")])
    test = write_jsonl(
        tmp_path / "test.jsonl",
        [dict(ROWS[0], id="t1"), {"id": "t2", "text": "هدف رائع", "label": "sport"}],
    )
    ds, summary = load_data(make_config({"train": train, "test": test}))
    assert summary.splits["train"].duplicates_dropped == 2
    assert summary.splits["test"].leakage_with_train == 1
    assert len(ds["train"]) == 4
    ds, summary = load_data(make_config({"train": train, "test": test}, remove_leakage=True))
    assert len(ds["train"]) == 3
    assert ROWS[0]["text"] not in list(ds["train"]["text"])
    assert summary.splits["train"].leakage_removed_from_train == 1


def test_csv_and_parquet(tmp_path: Path) -> None:
    path = tmp_path / "train.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "body", "topic"])
        writer.writeheader()
        for r in ROWS:
            writer.writerow({"id": r["id"], "body": r["text"], "topic": r["label"]})
    config = make_config({"train": path}, columns={"text": "body", "label": "topic"})
    ds, _ = load_data(config)
    assert len(ds["train"]) == 3
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(ROWS), tmp_path / "train.parquet")
    ds, _ = load_data(make_config({"train": tmp_path / "train.parquet"}))
    assert sorted(ds["train"]["id"]) == ["a1", "a2", "a3"]


def test_invalid_utf8_and_missing_and_unknown_files(tmp_path: Path) -> None:
    bad = tmp_path / "train.jsonl"
    bad.write_bytes(b'{"id": "1", "text": "\xff\xfe", "label": "sport"}\n')
    with pytest.raises(DataError, match=r"train\.jsonl:1: not valid UTF-8"):
        load_data(make_config({"train": bad}))
    with pytest.raises(DataError, match="file not found"):
        load_data(make_config({"train": tmp_path / "nope.jsonl"}))
    other = tmp_path / "train.xlsx"
    other.write_text("x")
    with pytest.raises(DataError, match="unknown file type"):
        load_data(make_config({"train": other}))
    fake_gz = tmp_path / "train.jsonl.gz"
    fake_gz.write_text("not gzip")
    with pytest.raises(DataError, match="cannot read file"):
        load_data(make_config({"train": fake_gz}))


def test_load_file_rejects_unknown_labels(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "ood.jsonl", [{"id": "o", "text": "نص", "label": "weather"}])
    config = make_config({"train": path})
    with pytest.raises(DataError, match="not labels of the model"):
        load_file(config, path, labels=["sport", "economy"])
