"""Small file helpers: atomic writes, so that nothing the user had is half-overwritten."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json_atomic(path: str | Path, data: Any) -> Path:
    """Write ``data`` as pretty UTF-8 JSON (Arabic kept readable), atomically."""
    return write_text_atomic(
        path, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    )


def read_json(path: str | Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@contextmanager
def staged_directory(target: str | Path, keep: Sequence[str] = ()) -> Iterator[Path]:
    """Yield a temporary sibling directory; on success it replaces ``target`` in one move.

    An interrupted write leaves ``target`` as it was (the old model stays usable), and the
    partial directory is removed. Entries of ``target`` named in ``keep`` (e.g. the training
    checkpoints) are carried over into the new directory.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    moved: list[str] = []
    for name in keep:
        if (target / name).exists() and not (stage / name).exists():
            os.replace(target / name, stage / name)
            moved.append(name)
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, backup)
    try:
        os.replace(stage, target)
    except BaseException:
        if backup is not None:
            os.replace(backup, target)
        for name in moved:
            os.replace(stage / name, target / name)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
