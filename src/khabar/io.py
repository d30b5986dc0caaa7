"""Small file helpers: atomic writes, so that nothing the user had is half-overwritten."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def default_file_mode() -> int:
    """The mode a plain ``open()`` would give a new file (0o666 less the umask)."""
    return 0o666 & ~_umask()


def default_dir_mode() -> int:
    """The mode a plain ``mkdir()`` would give a new directory (0o777 less the umask)."""
    return 0o777 & ~_umask()


@contextmanager
def atomic_open(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success it is flushed to disk and moved onto
    ``path`` in one step (readers see the old file or the new one, never half of one).

    The file gets the mode a plain ``open()`` would give it (the umask applies), not
    ``mkstemp``'s private 0600: a serving account must be able to read a saved model.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files: mode 'w' or 'wb', not {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, default_file_mode())
        kwargs: dict[str, Any] = {} if mode == "wb" else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same directory."""
    with atomic_open(path, "w") as handle:
        handle.write(text)
    return Path(path)


def write_json_atomic(path: str | Path, data: Any) -> Path:
    """Write ``data`` as pretty UTF-8 JSON (Arabic kept readable), atomically."""
    return write_text_atomic(
        path, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    )


def read_json(path: str | Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@contextmanager
def staged_directory(
    target: str | Path, keep: Sequence[str] = (), *, marker: str | None = None
) -> Iterator[Path]:
    """Yield a temporary sibling directory; on success it replaces ``target`` in one move.

    An interrupted write leaves ``target`` as it was (the old model stays usable), and the
    partial directory is removed; what a killed save left behind (``.NAME.staging-PID-*``,
    ``.NAME.old-PID``) is cleaned up by the next one (:func:`clean_stale_stages`). Entries of
    ``target`` named in ``keep`` (e.g. the training checkpoints) are carried over into the new
    directory. Everything in the stage gets the modes plain ``open()``/``mkdir()`` would give it.

    Only a directory khabar wrote is ever replaced: apart from the ``keep`` entries, an existing
    ``target`` must be empty or hold the file ``marker``; anything else raises
    :class:`~khabar.errors.ModelDirError` before anything is written (and is checked again
    before the swap).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_stages(target, keep)
    _check_replaceable(target, keep, marker)
    stage = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.staging-{os.getpid()}-", dir=target.parent)
    )
    stage.chmod(default_dir_mode())  # mkdtemp's 0700 would hide the model from other accounts
    try:
        yield stage
        _check_replaceable(target, keep, marker)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    moved: list[str] = []
    backup = None
    try:
        for name in keep:
            if (target / name).exists() and not (stage / name).exists():
                os.replace(target / name, stage / name)
                moved.append(name)
        normalise_modes(stage)  # the kept entries too: the Trainer writes 0600 checkpoints
        if target.exists():
            backup = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, backup)
        os.replace(stage, target)
    except BaseException:
        if backup is not None and not target.exists():
            os.replace(backup, target)
        for name in moved:
            if (stage / name).exists():
                os.replace(stage / name, target / name)
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


def _check_replaceable(target: Path, keep: Sequence[str], marker: str | None) -> None:
    from khabar.errors import ModelDirError

    if not target.exists() and not target.is_symlink():
        return
    if not target.is_dir():
        raise ModelDirError(f"'{target}' exists and is not a directory; choose another output")
    others = sorted(n for n in os.listdir(target) if n not in keep)
    if others and not (marker and (target / marker).is_file()):
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        raise ModelDirError(
            f"'{target}' holds files khabar did not write ({shown}); khabar never replaces such "
            "a directory: choose another output directory, or move those files away yourself"
        )


def normalise_modes(root: str | Path) -> None:
    """Give every directory and file under ``root`` the mode ``mkdir()``/``open()`` would give it
    (the umask applies): a writer that used ``mkstemp`` (0600) must not hide a model from the
    account that serves it. Links are left alone."""
    dir_mode, file_mode = default_dir_mode(), default_file_mode()
    for here, dirs, files in os.walk(root):
        for name in dirs:
            if not os.path.islink(os.path.join(here, name)):
                os.chmod(os.path.join(here, name), dir_mode)
        for name in files:
            if not os.path.islink(os.path.join(here, name)):
                os.chmod(os.path.join(here, name), file_mode)


def _live_owner(suffix: str) -> bool:
    """Whether the process named at the start of ``suffix`` (``PID-...``) is still running."""
    head = suffix.split("-", 1)[0]
    if not head.isdigit():
        return False  # an older khabar's name, without its process id: nobody to wait for
    pid = int(head)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid > 0
    return True


def clean_stale_stages(target: str | Path, keep: Sequence[str] = ()) -> None:
    """Remove the ``.NAME.staging-PID-*`` and ``.NAME.old-PID`` siblings of ``target`` that a
    killed save left behind (khabar's by their names; those of a save still running are left
    alone). ``keep`` entries carried into a stage that never landed go back into ``target``; a
    kill between the two moves of the final swap (no ``target``, an ``.old-PID``) is completed
    with that process's finished stage, or undone when there is none."""
    import glob

    from khabar._logging import get_logger

    target = Path(target)
    if not target.parent.is_dir():
        return

    def stale(tag: str) -> dict[Path, str]:
        prefix = f".{target.name}.{tag}-"
        found = {}
        for path in target.parent.glob(glob.escape(prefix) + "*"):
            suffix = path.name[len(prefix) :]
            if path.is_dir() and not path.is_symlink() and not _live_owner(suffix):
                found[path] = suffix.split("-", 1)[0]
        return found

    olds, stages = stale("old"), stale("staging")
    log = get_logger(__name__)
    if olds and not target.exists() and not target.is_symlink():
        old, pid = next(iter(olds.items()))
        done = [s for s, owner in stages.items() if owner == pid]
        os.replace(done[0] if done else old, target)
        log.warning("%s: finished the save a killed process had left half-swapped", target)
        if done:
            stages.pop(done[0])
        else:
            olds.pop(old)
    for path in [*olds, *stages]:
        for name in keep:
            if (path / name).exists() and target.is_dir() and not (target / name).exists():
                os.replace(path / name, target / name)
        shutil.rmtree(path, ignore_errors=True)
        log.info("removed %s (left by a killed save)", path)


def check_input_file(path: str | Path) -> None:
    """Refuse an input path that is not a readable file (``-``, standard input, passes).

    Raises:
        DataError: naming the path: not found, or a directory.
    """
    from khabar.errors import DataError

    if str(path) == "-" or Path(path).is_file():
        return
    if Path(path).is_dir():
        raise DataError("is a directory; give an input file", file=path)
    raise DataError("input file not found", file=path)


def check_writable_file(path: str | Path, *, option: str = "--output") -> Path:
    """Refuse, before any work, a path that cannot be written as a file: a directory, a parent
    that is a file, a directory that is read-only or not ours.

    A missing parent directory is fine when it can be created (it is, on first write).

    Raises:
        OptionError: naming ``option``, the path and the fix.
    """
    from khabar.errors import OptionError

    p = Path(path)
    if p.is_dir():
        raise OptionError(
            f"{option} '{p}' is a directory; give a file path, such as '{p / 'predictions.jsonl'}'"
        )
    parent = p.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OptionError(f"{option} '{p}': '{parent}' is not a directory")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as err:
        raise OptionError(
            f"{option} '{p}': cannot write in '{parent}' ({err.strerror or err}); choose a "
            "writable location"
        ) from None
    if p.exists() and not os.access(p, os.W_OK):
        raise OptionError(f"{option} '{p}' is not writable; choose another file")
    return p


# ------------------------------------------------------------------------------ reading input

BOM = b"\xef\xbb\xbf"
GZIP_MAGIC = b"\x1f\x8b"


def open_binary(path: str | Path) -> IO[bytes]:
    """Open a file for reading bytes, un-gzipping a ``.gz`` file or any file that starts with
    gzip's magic bytes. ``-`` is standard input."""
    import gzip
    import sys

    if str(path) == "-":
        return sys.stdin.buffer
    if str(path).endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a fake .gz fails on read
    handle = open(path, "rb")  # noqa: SIM115
    magic = handle.read(2)
    handle.seek(0)
    if magic == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    return handle


def decode_line(raw: bytes, *, first: bool = False) -> str:
    """The one decoding rule for every line khabar reads: UTF-8, a byte-order mark dropped at the
    start of a file, line ends stripped.

    Raises:
        UnicodeDecodeError: the line is not valid UTF-8 (the caller names file and line, and
            rejects or skips that line only).
    """
    if first and raw.startswith(BOM):
        raw = raw[len(BOM) :]
    return raw.rstrip(b"\r\n").decode("utf-8")


def describe_decode_error(raw: bytes, err: UnicodeDecodeError) -> str:
    """``not valid UTF-8 (byte 0xff at position 3)``."""
    return f"not valid UTF-8 (byte {raw[err.start]:#04x} at position {err.start})"


def find_surrogate(value: Any, path: str = "") -> str | None:
    """The first field (dotted path) of a decoded JSON value holding a lone surrogate
    (``"\\ud800"``), which no UTF-8 writer can encode; None when there is none."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "value"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            key_path = f"{path}.{key}" if path else str(key)
            if find_surrogate(str(key), key_path) is not None:
                return key_path
            found = find_surrogate(item, key_path)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = find_surrogate(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None
