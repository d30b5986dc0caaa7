"""Predict over a JSONL corpus of any size: streaming, resumable, with a reject file, and split
across processes under ``accelerate launch``.

Input: JSON Lines, optionally gzipped (``.gz``), one object a line with the text (``text``), an
optional ``id`` and, for stance models, a ``target``. Output: JSON Lines in input order, one row
per processed input line::

    {"line": 12, "id": "a-12", "label": "sport", "score": 0.97, "scores": {...},
     "flags": [], "n_windows": 3}                                   # topic / stance (+ "target")
    {"line": 12, "id": "a-12", "summary": "...", "truncated": false,
     "input_tokens": 412, "flags": []}                             # summarisation

``line`` is the 1-based line number in the input. A line that cannot be processed goes to the
reject file (default ``<output>.rejects.jsonl``) as ``{"line", "id", "error"}`` and the run goes on:

================================  =====================================================
input line                        outcome
================================  =====================================================
blank                             skipped (no row anywhere)
not valid UTF-8                   reject ``not valid UTF-8 (byte 0x.. at position N)``
not JSON                          reject ``malformed JSON: ...``
JSON but not an object            reject ``expected a JSON object, got array``
no text field                     reject ``missing field 'text'``
text not a string (number, ...)   reject ``field 'text' must be a string, got number``
stance row without a target       reject ``missing field 'target' ...`` (or pass ``target``)
text empty / null / whitespace    output row, ``label`` null, flag ``empty``
text without Arabic letters       output row, flag ``no_arabic``
text over ``max_chars`` (5 MB)    output row from its first 100,000 characters, flags
                                  ``oversized``, ``truncated_input``
the model fails on the row        reject ``prediction failed: ...`` (others in its chunk
                                  are retried one by one)
================================  =====================================================

Resume: rows are written in input order as each chunk finishes, to the output or the reject
file, and a file is flushed before the other one gets a later row. After a kill, a rerun with the
same arguments drops a half-written last line, finds the last line number written, and continues
after it: no row is lost or written twice. A small ``<output>.run.json`` records the input, the
model and whether the run completed; a rerun against a different input or model is refused
(``overwrite=True`` starts again).

Scaling out: under ``accelerate launch --multi_gpu --num_processes N scripts/predict.py ...``
(or ``torchrun``) process ``r`` takes the lines whose ``(line - 1) % N == r`` and writes a part
file; when all are done the main process merges the parts in line order into the output
(streaming) and removes them. On GPUs each process uses its own GPU; on a machine without GPUs
(or with ``--device cpu``) the processes run on CPU and synchronise over gloo. (``accelerate
launch --cpu`` starts a single process unless MPI is configured, so use ``--multi_gpu`` with
``--num_processes`` for several local CPU processes.)
"""

from __future__ import annotations

import heapq
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from khabar._logging import get_logger
from khabar.errors import DataError, KhabarError
from khabar.inference.analyzer import NewsAnalyzer
from khabar.inference.base import Predictor
from khabar.inference.classifier import StanceDetector
from khabar.inference.summarizer import Summarizer
from khabar.io import (
    decode_line,
    describe_decode_error,
    find_surrogate,
    open_binary,
    read_json,
    write_json_atomic,
)

logger = get_logger(__name__)

__all__ = ["CorpusStats", "Distributed", "predict_corpus"]

CHAR_BUDGET = 32_000_000
"""Characters of text held in one chunk at most (a chunk of huge articles is cut short)."""

_JSON_TYPES = {list: "array", int: "number", float: "number", bool: "boolean", str: "string"}


@dataclass
class CorpusStats:
    """What a :func:`predict_corpus` run did."""

    output: str
    rejects: str
    rows_written: int = 0
    """Output rows written by this run (this process, under accelerate)."""
    rejected: int = 0
    """Lines sent to the reject file by this run."""
    resumed_after_line: int = 0
    """Lines already done by an earlier, interrupted run."""
    already_complete: bool = False
    seconds: float = 0.0
    rows_per_s: float = 0.0
    rank: int = 0
    world_size: int = 1


@dataclass
class Distributed:
    """Rank, world size and a barrier (from ``accelerate.PartialState`` when launched)."""

    rank: int = 0
    world_size: int = 1
    barrier: Callable[[], None] = field(default=lambda: None)

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    device: Any = None
    """The process's device (``cuda:<local rank>`` on GPUs), or None for the caller's choice."""

    @classmethod
    def from_environment(cls, cpu: bool | None = None) -> Distributed:
        """One process, or the processes started by ``accelerate launch`` / ``torchrun``.

        ``cpu`` (default: when CUDA is not available) makes the processes talk over gloo on
        CPU, e.g. ``accelerate launch --multi_gpu --num_processes 2`` on a machine without GPUs.
        """
        if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
            return cls()
        import torch
        from accelerate import PartialState

        if cpu is None:
            cpu = not torch.cuda.is_available()
        state = PartialState(cpu=cpu)
        if state.num_processes <= 1:
            logger.warning("WORLD_SIZE > 1 but accelerate sees one process; running alone")
        return cls(state.process_index, state.num_processes, state.wait_for_everyone, state.device)


# ----------------------------------------------------------------------------- reading


def _open_input(path: str | Path) -> IO[bytes]:
    if str(path) != "-" and not Path(path).is_file():
        raise DataError("input file not found", file=path)
    return open_binary(path)


def iter_lines(path: str | Path) -> Iterator[tuple[int, bytes]]:
    """``(line number, raw bytes)`` of a (gzipped) file, one line at a time.

    Raises:
        DataError: the file cannot be read (e.g. a truncated .gz), naming the line reached.
    """
    line_no = 0
    handle = _open_input(path)
    try:
        for line_no, raw in enumerate(handle, start=1):
            yield line_no, raw.rstrip(b"\r\n")
    except (OSError, EOFError) as err:
        raise DataError(f"cannot read past line {line_no}: {err}", file=path) from None
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def count_lines(path: str | Path) -> int | None:
    """Lines in a (gzipped) file, for the progress bar's ETA (None for stdin or on error)."""
    if str(path) == "-":
        return None
    try:
        n, last = 0, b"\n"
        with _open_input(path) as handle:
            while block := handle.read(1 << 20):
                n += block.count(b"\n")
                last = block[-1:]
        return n + (last != b"\n")
    except (OSError, EOFError):
        return None


@dataclass
class _Row:
    line: int
    id: Any
    text: str | None
    target: str | None = None


@dataclass
class _Reject:
    line: int
    id: Any
    error: str


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "object"
    return _JSON_TYPES.get(type(value), type(value).__name__)


@dataclass
class _Fields:
    text: str = "text"
    id: str = "id"
    target: str = "target"
    needs_target: bool = False
    fixed_target: str | None = None


def parse_line(line: int, raw: bytes, fields: _Fields) -> _Row | _Reject | None:
    """One input line → a row to predict, a reject with its reason, or None (blank line)."""
    try:
        text = decode_line(raw, first=line == 1)
    except UnicodeDecodeError as err:
        return _Reject(line, None, describe_decode_error(raw, err))
    if not text.strip():
        return None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as err:
        return _Reject(line, None, f"malformed JSON: {err.msg} (column {err.colno})")
    if not isinstance(record, dict):
        return _Reject(line, None, f"expected a JSON object, got {_json_type(record)}")
    bad = find_surrogate(record)
    if bad is not None:
        rid = record.get(fields.id) if find_surrogate(record.get(fields.id)) is None else None
        return _Reject(
            line, rid, f"field '{bad}' holds a lone surrogate escape (such as \\ud800), not text"
        )
    rid = record.get(fields.id)
    if rid is not None and not isinstance(rid, str | int):
        rid = json.dumps(rid, ensure_ascii=False)
    if fields.text not in record:
        return _Reject(line, rid, f"missing field '{fields.text}' (fields: {sorted(record)[:10]})")
    value = record[fields.text]
    if value is not None and not isinstance(value, str):
        return _Reject(
            line, rid, f"field '{fields.text}' must be a string, got {_json_type(value)}"
        )
    target = record.get(fields.target)
    if not fields.needs_target:
        target = target if isinstance(target, str) and target.strip() else fields.fixed_target
    else:
        if target is None or (isinstance(target, str) and not target.strip()):
            target = fields.fixed_target
        if target is None:
            return _Reject(
                line,
                rid,
                f"missing field '{fields.target}': a stance model needs a target per row "
                "(or one target for all rows: --target)",
            )
        if not isinstance(target, str):
            return _Reject(
                line, rid, f"field '{fields.target}' must be a string, got {_json_type(target)}"
            )
    return _Row(line, rid, value, target)


# ----------------------------------------------------------------------------- writing


def _recover(path: Path) -> int:
    """Drop a half-written last line of ``path``; return the last ``line`` written (0: none)."""
    if not path.is_file():
        return 0
    with open(path, "r+b") as handle:
        size = handle.seek(0, io.SEEK_END)
        if size == 0:
            return 0
        end = size
        block = 1 << 16
        # find the start of the last complete line
        pos, tail = size, b""
        while pos > 0:
            step = min(block, pos)
            pos -= step
            handle.seek(pos)
            tail = handle.read(step) + tail
            if tail.count(b"\n") >= 2 or (pos == 0 and b"\n" in tail):
                break
        if not tail.endswith(b"\n"):
            cut = tail.rfind(b"\n")
            end = pos + cut + 1 if cut >= 0 else 0
            handle.truncate(end)
            logger.warning("%s: dropped a half-written last line (interrupted run)", path)
            tail = tail[: cut + 1] if cut >= 0 else b""
        lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
        last = lines[-1] if lines else b""
        if not last:
            return 0
        try:
            return int(json.loads(last)["line"])
        except (ValueError, KeyError, TypeError):
            raise KhabarError(
                f"{path} does not end with a khabar prediction row; pass overwrite "
                "(--overwrite) to start again, or choose another output"
            ) from None


class _OrderedWriter:
    """Writes rows in input order to two files; flushes one before the other gets a later row,
    so that after a kill every line up to the last one written is done."""

    def __init__(self, output: Path, rejects: Path) -> None:
        output.parent.mkdir(parents=True, exist_ok=True)
        rejects.parent.mkdir(parents=True, exist_ok=True)
        self._files = {"out": open(output, "ab"), "rej": open(rejects, "ab")}  # noqa: SIM115
        self._last: str | None = None
        self.counts = {"out": 0, "rej": 0}

    def write(self, kind: str, record: dict[str, Any]) -> None:
        if self._last is not None and self._last != kind:
            self._files[self._last].flush()
        self._last = kind
        data = json.dumps(record, ensure_ascii=False) + "\n"
        self._files[kind].write(data.encode("utf-8"))
        self.counts[kind] += 1

    def flush(self) -> None:
        for handle in self._files.values():
            handle.flush()

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()


def _iter_rows(path: Path) -> Iterator[tuple[int, bytes]]:
    if not path.is_file():
        return
    with open(path, "rb") as handle:
        for raw in handle:
            if raw.strip():
                yield int(json.loads(raw)["line"]), raw if raw.endswith(b"\n") else raw + b"\n"


def _merge(parts: list[Path], target: Path) -> None:
    """Merge part files (each in line order) into ``target`` in line order, atomically."""
    tmp = target.with_name(f".{target.name}.merging")
    with open(tmp, "wb") as out:
        for _, raw in heapq.merge(*(_iter_rows(p) for p in parts), key=lambda item: item[0]):
            out.write(raw)
    os.replace(tmp, target)


# ----------------------------------------------------------------------------- predicting


def _task(predictor: Any) -> str:
    if isinstance(predictor, NewsAnalyzer):
        raise TypeError("predict_corpus runs one model; use the TopicClassifier/... it holds")
    if isinstance(predictor, Summarizer):
        return "summarization"
    if isinstance(predictor, StanceDetector):
        return "stance"
    return "topic"


def _predict_rows(
    predictor: Predictor, task: str, rows: list[_Row], options: dict[str, Any]
) -> list[dict[str, Any]]:
    texts = [r.text for r in rows]
    clean = options.get("clean", False)
    if task == "summarization":
        assert isinstance(predictor, Summarizer)
        summaries = predictor.predict(texts, clean=clean, **options.get("generate", {}))
        return [
            {
                "summary": s.text,
                "truncated": s.truncated,
                "input_tokens": s.input_tokens,
                "flags": list(s.flags),
            }
            for s in summaries
        ]
    top_k = options.get("top_k")
    if task == "stance":
        assert isinstance(predictor, StanceDetector)
        results: list[Any] = predictor.predict(
            texts, [r.target for r in rows], clean=clean, top_k=top_k
        )
    else:
        results = predictor.predict(texts, clean=clean, top_k=top_k)  # type: ignore[attr-defined]
    return [r.to_dict() for r in results]


def _predict_isolated(
    predictor: Predictor, task: str, rows: list[_Row], options: dict[str, Any]
) -> list[dict[str, Any] | str]:
    """Predictions for ``rows``; a row the model fails on gets its error message instead."""
    try:
        return list(_predict_rows(predictor, task, rows, options))
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as err:
        if len(rows) == 1:
            logger.warning("line %d: prediction failed: %s", rows[0].line, err)
            return [f"prediction failed: {type(err).__name__}: {err}"]
        logger.warning("a chunk failed (%s); retrying its %d rows one by one", err, len(rows))
        out: list[dict[str, Any] | str] = []
        for row in rows:
            out.extend(_predict_isolated(predictor, task, [row], options))
        return out


def _run_meta(
    input_path: str | Path, predictor: Predictor, task: str, dist: Distributed
) -> dict[str, Any]:
    return {
        "input": str(input_path) if str(input_path) == "-" else str(Path(input_path).resolve()),
        "model": str(predictor.model_dir.resolve()) if predictor.model_dir else None,
        "task": task,
        "world_size": dist.world_size,
    }


def _part(path: Path, rank: int, world: int) -> Path:
    return path.with_name(f"{path.name}.part{rank:03d}-of-{world:03d}")


def predict_corpus(
    predictor: Predictor,
    input_path: str | Path,
    output_path: str | Path,
    *,
    rejects_path: str | Path | None = None,
    chunk_size: int = 256,
    text_field: str = "text",
    id_field: str = "id",
    target_field: str = "target",
    target: str | None = None,
    clean: bool = False,
    top_k: int | None = None,
    generate_kwargs: dict[str, Any] | None = None,
    overwrite: bool = False,
    progress: bool = True,
    distributed: Distributed | None = None,
) -> CorpusStats:
    """Predict every line of a JSONL(.gz) corpus into ``output_path`` (see the module docstring).

    Args:
        predictor: A loaded :class:`TopicClassifier`, :class:`StanceDetector` or
            :class:`Summarizer`.
        input_path: JSON Lines, plain or gzipped; ``-`` reads stdin.
        output_path: Where the rows go (plain JSONL, appended to when resuming).
        rejects_path: Where unprocessable lines go (default ``<output>.rejects.jsonl``).
        chunk_size: Rows read and predicted together (memory stays bounded by it).
        text_field, id_field, target_field: Field names in the input objects.
        target: Stance target for rows that have none.
        clean: Treat texts as scraped pages (main article only).
        top_k: Best labels kept in ``scores``.
        generate_kwargs: Summary generation overrides.
        overwrite: Start again, discarding earlier output of this path.
        progress: Show a progress bar (rows/s, ETA) on stderr.
        distributed: Rank and world size (default: from the environment, i.e. accelerate).
    """
    from tqdm.auto import tqdm

    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    dist = distributed or Distributed.from_environment()
    task = _task(predictor)
    output = Path(output_path)
    if output.suffix == ".gz":
        raise KhabarError(
            f"{output}: write plain .jsonl (it is appended to and resumed); gzip it afterwards"
        )
    rejects = (
        Path(rejects_path) if rejects_path else output.with_name(f"{output.name}.rejects.jsonl")
    )
    run_file = output.with_name(f"{output.name}.run.json")
    meta = _run_meta(input_path, predictor, task, dist)
    stats = CorpusStats(str(output), str(rejects), rank=dist.rank, world_size=dist.world_size)
    world = dist.world_size
    parts_out = [_part(output, r, world) for r in range(world)] if world > 1 else [output]
    parts_rej = [_part(rejects, r, world) for r in range(world)] if world > 1 else [rejects]

    if overwrite:
        dist.barrier()
        if dist.is_main:
            for path in (output, rejects, run_file):
                path.unlink(missing_ok=True)
            for path in output.parent.glob(f"{output.name}.part*"):
                path.unlink()
            for path in rejects.parent.glob(f"{rejects.name}.part*"):
                path.unlink()
        dist.barrier()
    earlier = read_json(run_file) if run_file.is_file() else None
    if earlier is None and output.is_file() and output.stat().st_size > 0:
        raise KhabarError(
            f"{output} exists and was not written by khabar predict; pass --overwrite to replace it"
        )
    if earlier is not None:
        changed = [k for k in ("input", "model", "task") if earlier.get(k) != meta[k]]
        if changed:
            was = ", ".join(f"{k}: {earlier.get(k)}" for k in changed)
            raise KhabarError(
                f"{output} holds predictions of another run ({was}); pass --overwrite to start "
                "again, or choose another output"
            )
        if earlier.get("complete"):
            logger.info(
                "%s is complete already (%s rows); nothing to do", output, earlier.get("rows")
            )
            stats.already_complete = True
            return stats
        if earlier.get("world_size") != world:
            raise KhabarError(
                f"{output}: the interrupted run used {earlier.get('world_size')} process(es), "
                f"this one {world}; resume with the same number, or pass --overwrite"
            )
    dist.barrier()
    if dist.is_main:
        write_json_atomic(run_file, {**meta, "complete": False})

    my_out, my_rej = parts_out[dist.rank], parts_rej[dist.rank]
    done = max(_recover(my_out), _recover(my_rej))
    stats.resumed_after_line = done
    if done:
        logger.info("resuming after line %d (%s)", done, my_out)
    fields = _Fields(text_field, id_field, target_field, task == "stance", target)
    options = {"clean": clean, "top_k": top_k, "generate": dict(generate_kwargs or {})}
    total = count_lines(input_path) if (progress and dist.is_main) else None
    bar = tqdm(
        total=total,
        initial=0,
        unit=" rows",
        desc="predict",
        disable=not (progress and dist.is_main),
        file=sys.stderr,
        dynamic_ncols=True,
        mininterval=0.5,
        smoothing=0.1,
    )
    writer = _OrderedWriter(my_out, my_rej)
    start = time.perf_counter()
    block = chunk_size * world
    pending: list[_Row | _Reject] = []
    chars = 0
    current_block = -1

    def flush_pending() -> None:
        nonlocal chars
        rows = [p for p in pending if isinstance(p, _Row)]
        predicted = iter(_predict_isolated(predictor, task, rows, options) if rows else [])
        for item in pending:
            if isinstance(item, _Reject):
                writer.write("rej", {"line": item.line, "id": item.id, "error": item.error})
                continue
            result = next(predicted)
            if isinstance(result, str):
                writer.write("rej", {"line": item.line, "id": item.id, "error": result})
                continue
            row: dict[str, Any] = {"line": item.line, "id": item.id}
            row.update(result)
            writer.write("out", row)
        writer.flush()
        pending.clear()
        chars = 0

    try:
        for line, raw in iter_lines(input_path):
            bar.update(1)
            if line <= done or (line - 1) % world != dist.rank:
                continue
            blk = (line - 1) // block
            if pending and (blk != current_block or chars > CHAR_BUDGET):
                flush_pending()
            current_block = blk
            item = parse_line(line, raw, fields)
            if item is None:
                continue
            pending.append(item)
            if isinstance(item, _Row) and item.text:
                chars += len(item.text)
        if pending:
            flush_pending()
    finally:
        writer.close()
        bar.close()
    stats.rows_written = writer.counts["out"]
    stats.rejected = writer.counts["rej"]
    stats.seconds = round(time.perf_counter() - start, 3)
    processed = stats.rows_written + stats.rejected
    stats.rows_per_s = round(processed / stats.seconds, 2) if stats.seconds > 0 else 0.0

    dist.barrier()
    if dist.is_main:
        if world > 1:
            _merge(parts_out, output)
            _merge(parts_rej, rejects)
            for path in (*parts_out, *parts_rej):
                path.unlink(missing_ok=True)
        n_out = sum(1 for _ in _iter_rows(output))
        n_rej = sum(1 for _ in _iter_rows(rejects))
        write_json_atomic(run_file, {**meta, "complete": True, "rows": n_out, "rejected": n_rej})
        logger.info(
            "%d rows → %s, %d rejected → %s (%.1f rows/s this run)",
            n_out,
            output,
            n_rej,
            rejects,
            stats.rows_per_s,
        )
    dist.barrier()
    return stats
