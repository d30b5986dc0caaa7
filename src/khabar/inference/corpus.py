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
file; a file is flushed before the other one gets a later row, and both are fsynced before the
chunk counts as done. After a kill, a rerun with the same arguments drops a half-written last
line, finds the last line number written, and continues after it: no row is lost or written
twice. ``<output>.run.json`` records the input by its content (size and SHA-256 of its bytes),
the model by its files, and the options that change the output (fields, target, ``clean``,
``top_k``, generation and reading settings); a rerun where any of them differs is refused with
the difference (``overwrite=True`` / ``--overwrite`` starts again). Device, dtype, batch size,
quantisation and compilation are not recorded: they change how fast rows are predicted, not what
is predicted (scores may differ in the last digits). Standard input cannot be checked, so an
output written from it is never resumed. ``<output>.lock`` keeps a second run off the same output
while one runs. A run where every row was rejected is not complete: it raises, and the next run
starts again. Options that would fail on every row (``num_beams=0``, ``top_k=0``) and output
paths that cannot be written are refused before the first row.

Scaling out: under ``accelerate launch --multi_gpu --num_processes N scripts/predict.py ...``
(or ``torchrun``) process ``r`` takes the lines whose ``(line - 1) % N == r`` and writes a part
file; when all are done the main process merges the parts in line order into the output
(streaming) and removes them. On GPUs each process uses its own GPU; on a machine without GPUs
(or with ``--device cpu``) the processes run on CPU and synchronise over gloo. (``accelerate
launch --cpu`` starts a single process unless MPI is configured, so use ``--multi_gpu`` with
``--num_processes`` for several local CPU processes.)
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khabar._logging import get_logger
from khabar.errors import KhabarError, OptionError
from khabar.inference.analyzer import NewsAnalyzer
from khabar.inference.base import Predictor, check_top_k
from khabar.inference.classifier import StanceDetector
from khabar.inference.corpus_files import (
    OrderedWriter,
    OutputLock,
    check_output_paths,
    count_lines,
    differences,
    first_error,
    iter_lines,
    iter_rows,
    merge,
    recover,
    run_state,
)
from khabar.inference.corpus_files import rejects_path as _rejects_path
from khabar.inference.summarizer import Summarizer
from khabar.io import (
    check_input_file,
    decode_line,
    describe_decode_error,
    find_surrogate,
    read_json,
    write_json_atomic,
)
from khabar.text.html import html_to_text

_recover = recover  # the name the tests and older callers use

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
    if options.get("html"):
        texts = html_to_text(texts)
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
    html: bool = False,
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
        html: Texts are raw HTML pages: the main article is extracted first
            (:func:`khabar.text.clean_html`).
        top_k: Best labels kept in ``scores``.
        generate_kwargs: Summary generation overrides.
        overwrite: Start again, discarding earlier output of this path.
        progress: Show a progress bar (rows/s, ETA) on stderr.
        distributed: Rank and world size (default: from the environment, i.e. accelerate).
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise OptionError(f"chunk_size (--chunk-size) must be at least 1, got {chunk_size!r}")
    task = _task(predictor)
    # options that would fail on every row are refused before the first one
    check_top_k(top_k)
    generate = dict(generate_kwargs or {})
    if isinstance(predictor, Summarizer):
        predictor.check_generation(**generate)
    output = Path(output_path)
    rejects = _rejects_path(output, rejects_path)
    check_output_paths(output, rejects, input_path)
    check_input_file(input_path)
    dist = distributed or Distributed.from_environment()
    fields = _Fields(text_field, id_field, target_field, task == "stance", target)
    options = {"clean": clean, "top_k": top_k, "generate": generate}
    if html:
        options["html"] = True
    recorded: dict[str, Any] = {"text_field": text_field, "id_field": id_field, **options}
    if task == "stance":
        recorded.update(target_field=target_field, target=target)
    now = run_state(input_path, predictor, task, dist.world_size, recorded)
    stats = CorpusStats(str(output), str(rejects), rank=dist.rank, world_size=dist.world_size)
    with OutputLock(output) if dist.is_main else contextlib.nullcontext():
        if _begin(output, rejects, now, overwrite=overwrite, dist=dist):
            stats.already_complete = True
            return stats
        _predict_rows_in_order(
            predictor,
            task,
            input_path,
            output,
            rejects,
            fields,
            options,
            chunk_size,
            progress=progress,
            dist=dist,
            stats=stats,
        )
        _finish(output, rejects, now, dist, stats)
    return stats


def _run_file(output: Path) -> Path:
    return output.with_name(f"{output.name}.run.json")


def _begin(
    output: Path, rejects: Path, now: dict[str, Any], *, overwrite: bool, dist: Distributed
) -> bool:
    """Refuse, restart or resume after the earlier run on ``output``, and record this one;
    True when the earlier run is complete already (nothing to do)."""
    run_file = _run_file(output)
    try:
        earlier = read_json(run_file) if run_file.is_file() and not overwrite else None
    except (OSError, ValueError):
        earlier = "unreadable"
    if earlier is not None and not isinstance(earlier, dict):
        raise KhabarError(
            f"{run_file} cannot be read; pass --overwrite to start again, or choose another output"
        )
    restart = overwrite
    if earlier is not None and earlier.get("all_failed"):
        logger.warning("%s: the earlier run rejected every row; starting again", output)
        restart = True
    if restart:
        dist.barrier()
        if dist.is_main:
            for path in (output, rejects, run_file):
                path.unlink(missing_ok=True)
            for path in output.parent.glob(f"{output.name}.part*"):
                path.unlink()
            for path in rejects.parent.glob(f"{rejects.name}.part*"):
                path.unlink()
        dist.barrier()
        earlier = None
    if earlier is None and output.is_file() and output.stat().st_size > 0:
        raise KhabarError(
            f"{output} exists and was not written by khabar predict; pass --overwrite to replace it"
        )
    if earlier is not None:
        changed = differences(earlier, now)
        if changed:
            raise KhabarError(
                f"{output} holds predictions of another run: {'; '.join(changed)}. Pass "
                "--overwrite to start again (its rows are discarded), or choose another --output"
            )
        if earlier.get("complete"):
            rows = earlier.get("rows")
            logger.info("%s is complete already (%s rows); nothing to do", output, rows)
            return True
        if earlier.get("world_size") != now["world_size"]:
            raise KhabarError(
                f"{output}: the interrupted run used {earlier.get('world_size')} process(es), "
                f"this one {now['world_size']}; resume with the same number, or pass --overwrite"
            )
    dist.barrier()
    if dist.is_main:
        write_json_atomic(run_file, {**now, "complete": False})
    return False


def _predict_rows_in_order(
    predictor: Predictor,
    task: str,
    input_path: str | Path,
    output: Path,
    rejects: Path,
    fields: _Fields,
    options: dict[str, Any],
    chunk_size: int,
    *,
    progress: bool,
    dist: Distributed,
    stats: CorpusStats,
) -> None:
    """Predict this process's lines after the last one done, writing each chunk in order."""
    from tqdm.auto import tqdm

    world = dist.world_size
    my_out = _part(output, dist.rank, world) if world > 1 else output
    my_rej = _part(rejects, dist.rank, world) if world > 1 else rejects
    done = max(recover(my_out), recover(my_rej))
    stats.resumed_after_line = done
    if done:
        logger.info("resuming after line %d (%s)", done, my_out)
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
    writer = OrderedWriter(my_out, my_rej)
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
        writer.commit()  # on disk before the chunk counts as done
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


def _finish(
    output: Path, rejects: Path, now: dict[str, Any], dist: Distributed, stats: CorpusStats
) -> None:
    """Merge the parts (several processes) and record the outcome. A run where every row was
    rejected is not complete: it raises, and the next run starts again."""
    world = dist.world_size
    failure = None
    dist.barrier()
    if dist.is_main:
        if world > 1:
            parts = [(_part(output, r, world), _part(rejects, r, world)) for r in range(world)]
            merge([o for o, _ in parts], output)
            merge([r for _, r in parts], rejects)
            for pair in parts:
                for path in pair:
                    path.unlink(missing_ok=True)
        n_out = sum(1 for _ in iter_rows(output))
        n_rej = sum(1 for _ in iter_rows(rejects))
        failed = n_out == 0 and n_rej > 0
        state = {**now, "complete": not failed, "rows": n_out, "rejected": n_rej}
        write_json_atomic(_run_file(output), {**state, "all_failed": failed})
        if failed:
            failure = KhabarError(
                f"every one of the {n_rej} input rows was rejected, so nothing was predicted "
                f"(first: {first_error(rejects)}; all in {rejects}). Fix the cause and rerun the "
                "command: the run starts again"
            )
        else:
            logger.info(
                "%d rows → %s, %d rejected → %s (%.1f rows/s this run)",
                n_out,
                output,
                n_rej,
                rejects,
                stats.rows_per_s,
            )
    dist.barrier()
    if failure is not None:
        raise failure
