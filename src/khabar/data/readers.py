"""Reading data files row by row: JSON Lines (optionally gzipped), CSV/TSV and Parquet.

Every reader yields ``(line_number, record)``; a line that cannot be read yields a
:class:`~khabar.errors.DataError` naming the file and line in place of the record, so the caller
decides whether to stop or skip.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from khabar.errors import DataError
from khabar.io import decode_line, describe_decode_error, find_surrogate, open_binary


def iter_records(path: str | Path) -> Iterator[tuple[int, dict[str, Any] | DataError]]:
    """Yield ``(line_number, record)`` from a JSONL(.gz), CSV(.gz) or Parquet file.

    A line that cannot be read yields a :class:`DataError` in place of the record, so the
    caller decides whether to stop or skip. A missing or unreadable file raises at once.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(
            "file not found (relative data paths are read from the data directory: "
            "--data-dir, $KHABAR_DATA_DIR or data.dir; check it and data.files)",
            file=path,
        )
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz", ".json", ".json.gz", ".ndjson")):
        yield from _iter_jsonl(path)
    elif name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz")):
        yield from _iter_csv(path, delimiter="\t" if ".tsv" in name else ",")
    elif name.endswith(".parquet"):
        yield from _iter_parquet(path)
    else:
        raise DataError(
            "unknown file type: use .jsonl, .jsonl.gz, .csv, .tsv or .parquet", file=path
        )


def _iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | DataError]]:
    try:
        with open_binary(path) as handle:
            for line_no, raw in enumerate(handle, start=1):
                try:
                    line = decode_line(raw, first=line_no == 1)
                except UnicodeDecodeError as err:
                    message = describe_decode_error(raw, err)
                    yield line_no, DataError(message, file=path, line=line_no)
                    continue
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    yield line_no, DataError(f"malformed JSON: {err.msg}", file=path, line=line_no)
                    continue
                if not isinstance(record, dict):
                    message = f"expected a JSON object, got {type(record).__name__}"
                    yield line_no, DataError(message, file=path, line=line_no)
                    continue
                bad = find_surrogate(record)
                if bad is not None:
                    message = "holds a lone surrogate escape (such as \\ud800), not text"
                    yield line_no, DataError(message, file=path, line=line_no, field=bad)
                    continue
                yield line_no, record
    except (OSError, EOFError) as err:  # e.g. a truncated or fake .gz file
        raise DataError(f"cannot read file: {err}", file=path) from None


def _iter_csv(path: Path, delimiter: str) -> Iterator[tuple[int, dict[str, Any] | DataError]]:
    try:
        # utf-8-sig: a byte-order mark (Excel writes one) must not become part of the first
        # column's name
        with io.TextIOWrapper(open_binary(path), encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            for row in reader:
                # line_num is the physical line where this row ended (header is line 1)
                if None in row:
                    yield (
                        reader.line_num,
                        DataError(
                            "more values than header columns", file=path, line=reader.line_num
                        ),
                    )
                    continue
                yield reader.line_num, dict(row)
    except UnicodeDecodeError as err:
        raise DataError(f"not valid UTF-8 ({err.reason})", file=path) from None
    except csv.Error as err:
        raise DataError(f"malformed CSV: {err}", file=path) from None


def _iter_parquet(path: Path) -> Iterator[tuple[int, dict[str, Any] | DataError]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as err:  # pyarrow raises several types for broken files
        raise DataError(f"cannot read Parquet file: {err}", file=path) from None
    yield from enumerate(table.to_pylist(), start=1)
