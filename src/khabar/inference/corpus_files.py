"""The files of a corpus run (:func:`khabar.inference.corpus.predict_corpus`).

- The output and reject files: rows written in input order, one file flushed before the other
  gets a later row, both fsynced before a chunk counts as done; a half-written last line is
  dropped on resume (:func:`recover`). A row no UTF-8 writer can encode (a lone surrogate) is
  rejected with its reason instead of crashing the run; a failed write (a full disk) is a
  :class:`~khabar.errors.KhabarError` that says the rerun resumes.
- The run state ``<output>.run.json``: the input by its content (size and SHA-256 of its bytes),
  the model by its files, and every option that changes the output (:func:`run_state`); a
  rerun whose state differs is refused with the difference and the fix (:func:`differences`).
- The lock ``<output>.lock`` (:class:`OutputLock`): a second run on the same output is refused
  while the first one runs.
- :func:`check_output_paths`: output locations that cannot work, refused before a model loads.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import io
import json
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from khabar._logging import get_logger
from khabar.errors import DataError, KhabarError, OptionError
from khabar.io import check_input_file, check_writable_file, find_surrogate, open_binary

logger = get_logger(__name__)

STATE_VERSION = 2
"""Version of ``<output>.run.json``; 2 identifies the input by its content."""

_MODEL_FILES = ("config.json", "generation_config.json", "special_tokens_map.json")
_VOCAB_FILES = ("vocab.txt", "vocab.json", "merges.txt", "spiece.model", "added_tokens.json")

OPTION_NAMES = {
    "task": "the model's task",
    "text_field": "--text-field",
    "id_field": "--id-field",
    "target_field": "--target-field",
    "target": "--target",
    "clean": "--clean",
    "top_k": "--top-k",
    "generate": "--num-beams / --max-new-tokens",
    "reading": "--max-length / --stride / --max-windows",
    "max_chars": "max_chars",
}
"""The options recorded in the run state (they change the output), as the user names them."""


# ----------------------------------------------------------------------------- reading


def _open_input(path: str | Path) -> IO[bytes]:
    check_input_file(path)
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


# ----------------------------------------------------------------------------- paths


def rejects_path(output: Path, rejects: str | Path | None = None) -> Path:
    """The reject file: ``rejects``, else ``<output>.rejects.jsonl``."""
    return Path(rejects) if rejects else output.with_name(f"{output.name}.rejects.jsonl")


def check_output_paths(output: Path, rejects: Path, input_path: str | Path) -> None:
    """Refuse, before any model loads, output locations that cannot work.

    Raises:
        OptionError: a gzipped output, an output or reject path that is a directory or cannot be
            written, the two being one file, or either being the input.
    """
    if output.suffix == ".gz":
        raise OptionError(
            f"--output {output}: write plain .jsonl (it is appended to and resumed); gzip it "
            "afterwards"
        )
    check_writable_file(output, option="--output")
    check_writable_file(rejects, option="--rejects")
    if _same_file(output, rejects):
        raise OptionError(
            f"--output and --rejects name the same file ({output}); give the rejects another "
            "file (default: OUTPUT.rejects.jsonl)"
        )
    if str(input_path) != "-":
        for option, path in (("--output", output), ("--rejects", rejects)):
            if _same_file(Path(input_path), path):
                raise OptionError(f"{option} {path} is the input file; choose another file")


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


# ----------------------------------------------------------------------------- run state


def _sha256(path: Path, size: list[int] | None = None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            if size is not None:
                size[0] += len(block)
    return digest.hexdigest()


def fingerprint_input(path: str | Path) -> dict[str, Any] | None:
    """Size and SHA-256 of the input's bytes (as stored: a ``.gz`` file's compressed bytes);
    None for standard input, whose content cannot be read twice."""
    if str(path) == "-":
        return None
    size = [0]
    digest = _sha256(Path(path), size)
    return {"size": size[0], "sha256": digest}


def model_identity(model_dir: Path | None) -> str | None:
    """One SHA-256 over the files of a model directory that decide its predictions: weights,
    configs, tokenizer, khabar's reading and preprocessing settings (not its results or card,
    which ``khabar evaluate`` rewrites)."""
    if model_dir is None:
        return None
    digest = hashlib.sha256()
    for path in sorted(model_dir.iterdir()):
        name = path.name
        decides = (
            name.endswith(".safetensors")
            or name.endswith(".safetensors.index.json")
            or name in _MODEL_FILES
            or name in _VOCAB_FILES
            or name.startswith("tokenizer")
            or (name.startswith("khabar_") and name.endswith(".json"))
        )
        if decides and path.is_file():
            digest.update(f"{name}\0{_sha256(path)}\n".encode())
    return digest.hexdigest()


def run_state(
    input_path: str | Path,
    predictor: Any,
    task: str,
    world_size: int,
    options: Mapping[str, Any],
) -> dict[str, Any]:
    """What identifies a corpus run: its input (path, and content), its model (path, and
    files), its world size and the options that change the output."""
    model_dir = getattr(predictor, "model_dir", None)
    reading = getattr(predictor, "reading", None)
    recorded = {
        "task": task,
        **dict(options),
        "reading": asdict(reading) if reading is not None else None,
        "max_chars": getattr(predictor, "max_chars", None),
    }
    bad = find_surrogate(recorded)
    if bad is not None:
        name = OPTION_NAMES.get(bad.split(".")[0], bad)
        raise OptionError(
            f"{name} is not valid text (a lone surrogate, or bytes that are not UTF-8)"
        )
    return {
        "version": STATE_VERSION,
        "input": str(input_path) if str(input_path) == "-" else str(Path(input_path).resolve()),
        "input_content": fingerprint_input(input_path),
        "model": str(model_dir.resolve()) if model_dir else None,
        "model_files": model_identity(model_dir),
        "options": json.loads(json.dumps(recorded, default=str)),
        "world_size": world_size,
    }


def differences(earlier: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """How the run that wrote ``earlier`` differs from this one, in words (empty: the same)."""
    if earlier.get("version") != STATE_VERSION:
        return ["it was written by an older khabar, which did not record the input's content"]
    found = []
    was, new = earlier.get("input_content"), now["input_content"]
    if was is None or new is None:
        found.append("the input is standard input, whose content cannot be checked")
    elif was != new:
        found.append(
            f"the input's content differs ({earlier.get('input')}: {was['size']} bytes then, "
            f"{now['input']}: {new['size']} bytes now)"
        )
    if earlier.get("model_files") != now["model_files"]:
        found.append(f"the model differs (then {earlier.get('model')}, now {now['model']})")
    then, opts = earlier.get("options") or {}, now["options"]
    for key in sorted(set(then) | set(opts)):
        if then.get(key) != opts.get(key):
            name = OPTION_NAMES.get(key, key)
            found.append(f"{name}: {then.get(key)!r} then, {opts.get(key)!r} now")
    return found


# ----------------------------------------------------------------------------- the lock


class OutputLock:
    """An exclusive ``flock`` on ``<output>.lock`` for the length of a run: a second run on the
    same output is refused at once (the kernel drops the lock if the process dies)."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = output.with_name(f"{output.name}.lock")
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not a POSIX system
            logger.warning("no file locking on this system: do not run two predicts on one output")
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise KhabarError(
                    f"{self.output} is being written by another khabar predict (lock "
                    f"{self.path}); wait for it to finish, or choose another --output"
                ) from None
            try:  # the holder may have removed the file between our open and our lock
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return self
            os.close(fd)

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None


# ----------------------------------------------------------------------------- writing


def recover(path: Path) -> int:
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


def _write_failed(path: Path, err: OSError) -> KhabarError:
    return KhabarError(
        f"cannot write {path}: {err.strerror or err}; free some space (or fix the location) and "
        "rerun the same command: it resumes after the last complete chunk"
    )


class OrderedWriter:
    """Writes rows in input order to two files; flushes one before the other gets a later row,
    and fsyncs both when a chunk is done (:meth:`commit`), so that after a kill every line up
    to the last one written is done."""

    def __init__(self, output: Path, rejects: Path) -> None:
        output.parent.mkdir(parents=True, exist_ok=True)
        rejects.parent.mkdir(parents=True, exist_ok=True)
        self._paths = {"out": output, "rej": rejects}
        self._files: dict[str, IO[bytes]] = {
            "out": open(output, "ab"),  # noqa: SIM115
            "rej": open(rejects, "ab"),  # noqa: SIM115
        }
        self._last: str | None = None
        self.counts = {"out": 0, "rej": 0}

    def write(self, kind: str, record: dict[str, Any]) -> None:
        try:
            data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (from an option, say): never a crash
            bad = find_surrogate(record) or "?"
            rid = record.get("id") if find_surrogate(record.get("id")) is None else None
            error = f"field '{bad}' holds a lone surrogate escape (such as \\ud800), not text"
            kind, record = "rej", {"line": record.get("line"), "id": rid, "error": error}
            data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        if self._last is not None and self._last != kind:
            self._flush(self._last)
        self._last = kind
        try:
            self._files[kind].write(data)
        except OSError as err:
            raise _write_failed(self._paths[kind], err) from None
        self.counts[kind] += 1

    def _flush(self, kind: str, sync: bool = False) -> None:
        try:
            self._files[kind].flush()
            if sync:
                os.fsync(self._files[kind].fileno())
        except OSError as err:
            raise _write_failed(self._paths[kind], err) from None

    def commit(self) -> None:
        """Flush and fsync both files: the chunk's rows are on disk."""
        for kind in self._files:
            self._flush(kind, sync=True)

    def close(self) -> None:
        for handle in self._files.values():
            with contextlib.suppress(OSError):  # a failed write was reported already
                handle.close()


def iter_rows(path: Path) -> Iterator[tuple[int, bytes]]:
    if not path.is_file():
        return
    with open(path, "rb") as handle:
        for raw in handle:
            if raw.strip():
                yield int(json.loads(raw)["line"]), raw if raw.endswith(b"\n") else raw + b"\n"


def merge(parts: list[Path], target: Path) -> None:
    """Merge part files (each in line order) into ``target`` in line order, atomically."""
    tmp = target.with_name(f".{target.name}.merging")
    with open(tmp, "wb") as out:
        for _, raw in heapq.merge(*(iter_rows(p) for p in parts), key=lambda item: item[0]):
            out.write(raw)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)


def first_error(path: Path) -> str | None:
    """``line N: reason`` of the first row of a reject file (None when it has none)."""
    if not path.is_file():
        return None
    with open(path, "rb") as handle:
        for raw in handle:
            if raw.strip():
                row = json.loads(raw)
                return f"line {row.get('line')}: {row.get('error')}"
    return None


__all__ = [
    "OrderedWriter",
    "OutputLock",
    "check_output_paths",
    "count_lines",
    "differences",
    "fingerprint_input",
    "first_error",
    "iter_lines",
    "merge",
    "model_identity",
    "recover",
    "rejects_path",
    "run_state",
]
